package model

import (
	"reflect"
	"testing"
)

// orV1 returns *p, or the sentinel v1 wrote for a null (−1 or 0).
func orV1[T any](p *T, sentinel T) T {
	if p == nil {
		return sentinel
	}
	return *p
}

// TestLeverOnlyNull checks the null rule of nulls.go on every built-in
// scenario × policy: a catalogued metric with a LeverOnly lever is null
// exactly when that lever is off; fund_depleted_day is null exactly when
// fund_depleted is not true, recovery_days exactly when recovered is not
// true; the flags are null exactly when not applicable (no fund; no shock
// ending within the horizon).
func TestLeverOnlyNull(t *testing.T) {
	for _, m := range Catalogue() {
		if _, known := LeverOn(&Params{}, m.LeverOnly); !known {
			t.Errorf("%s: LeverOnly %q is not a lever LeverOn knows", m.Name, m.LeverOnly)
		}
	}
	field := map[string]int{}
	st := reflect.TypeOf(Summary{})
	for i, c := range columns(st) {
		field[c] = i
	}
	var r Runner
	sawNever, sawHappened := map[string]bool{}, map[string]bool{}
	for _, sn := range ScenarioNames() {
		for _, pn := range PolicyNames() {
			sc := Scenarios()[sn]
			p, err := Resolve(Default(), sc, Policies()[pn])
			if err != nil {
				t.Fatal(err)
			}
			p.Consumers.Count = 300
			const T = 200
			spec := RunSpec{Params: p, Schedule: sc.Schedule, HorizonDays: T, Seed: 7}
			sum, err := r.Run(&spec, nil)
			if err != nil {
				t.Fatalf("%s/%s: %v", sn, pn, err)
			}
			v := reflect.ValueOf(sum)
			for _, m := range CatalogueOf(TableRuns) {
				if m.LeverOnly == "" {
					continue
				}
				on, _ := LeverOn(&p, m.LeverOnly)
				f := v.Field(field[m.Name])
				isNull := f.Kind() == reflect.Pointer && f.IsNil()
				if f.Kind() != reflect.Pointer {
					t.Errorf("%s: lever-only metric is not nullable (%s)", m.Name, f.Kind())
					continue
				}
				never := m.Name == "fund_depleted_day" && sum.FundDepleted != nil && !*sum.FundDepleted
				if isNull != (!on || never) {
					t.Errorf("%s/%s: %s null = %v with lever %s on = %v", sn, pn, m.Name, isNull, m.LeverOnly, on)
				}
			}
			if (sum.FundDepleted == nil) != !p.Fund.Enabled {
				t.Errorf("%s/%s: fund_depleted null = %v, fund enabled %v", sn, pn, sum.FundDepleted == nil, p.Fund.Enabled)
			}
			if (sum.FundDepletedDay != nil) != (sum.FundDepleted != nil && *sum.FundDepleted) {
				t.Errorf("%s/%s: fund_depleted_day %v with fund_depleted %v", sn, pn, sum.FundDepletedDay, sum.FundDepleted)
			}
			sh, hasShock := sc.Schedule.LargestShock()
			applies := hasShock && sh.Day+sh.DurationDays-1 <= T
			if (sum.Recovered != nil) != applies {
				t.Errorf("%s/%s: recovered null = %v, a shock ending within the horizon %v", sn, pn, sum.Recovered == nil, applies)
			}
			if (sum.RecoveryDays != nil) != (sum.Recovered != nil && *sum.Recovered) {
				t.Errorf("%s/%s: recovery_days %v with recovered %v", sn, pn, sum.RecoveryDays, sum.Recovered)
			}
			if sum.RecoveryDays != nil && *sum.RecoveryDays < 0 || sum.FundDepletedDay != nil && (*sum.FundDepletedDay < 1 || *sum.FundDepletedDay > T) {
				t.Errorf("%s/%s: recovery_days %d fund_depleted_day %d out of range", sn, pn, orV1(sum.RecoveryDays, -1), orV1(sum.FundDepletedDay, -1))
			}
			for name, flag := range map[string]*bool{"fund_depleted": sum.FundDepleted, "recovered": sum.Recovered} {
				if flag != nil && *flag {
					sawHappened[name] = true
				} else if flag != nil {
					sawNever[name] = true
				}
			}
		}
	}
	// The built-in scenarios exercise both flags, so the checks above are
	// not vacuous.
	for _, name := range []string{"fund_depleted", "recovered"} {
		if !sawHappened[name] && !sawNever[name] {
			t.Errorf("%s is null in every built-in scenario × policy", name)
		}
	}
}
