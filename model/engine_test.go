package model

import (
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// evTruth recomputes the event engine's per-provider aggregates from the
// consumers, each brought to the start of day t on a copy (the engine's
// stored states are left alone), and compares them with the running sums.
func evTruth(t *testing.T, s *sim, day int, label string, peak *[4]float64) {
	t.Helper()
	e := &s.ev
	n := len(s.provs)
	D, Y, U, UD, B := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	out := 0.0
	var sD, sY, sU, sB float64 // scales: the sums over all consumers
	saveC := append([]consumer(nil), s.cons...)
	saveT := append([]int32(nil), e.t0...)
	for j := range s.cons {
		s.evCatchUp(j, day)
		c := &s.cons[j]
		sD += c.d
		if c.k >= 0 {
			sY += c.dsc
			sU += c.u * c.dsc
			sB += c.backlog
		}
		switch {
		case c.k >= 0:
			D[c.k] += c.d
			Y[c.k] += c.dsc
			U[c.k] += c.u * c.dsc
			UD[c.k] += c.u * c.d
			B[c.k] += c.backlog
		case c.k == kOutside:
			out += c.d
		}
	}
	for i, x := range [4]float64{sD, sY, sU, sB} {
		peak[i] = math.Max(peak[i], x) // rounding scales with the largest sum so far
	}
	sD, sY, sU, sB = peak[0], peak[1], peak[2], peak[3]
	copy(s.cons, saveC)
	copy(e.t0, saveT)
	// Running sums of terms of either sign lose ~1e-16 of the largest
	// partial sum (so far) per update; 1e-9 of the population's total is far above
	// that and far below any error of the algebra.
	tol := func(a, b, scale float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(scale, 1e-300) }
	for k := 0; k < n; k++ {
		for _, x := range []struct {
			name            string
			got, want, scal float64
		}{{"D", e.D[k], D[k], sD}, {"Y", e.Y[k], Y[k], sY}, {"U", e.U[k], U[k], sU}, {"UD", e.UD[k], UD[k], sD}, {"B", e.B[k], B[k], sB + sD}} {
			if !tol(x.got, x.want, x.scal) {
				t.Fatalf("%s: start of day %d: provider %d: aggregate %s = %v, consumers give %v", label, day, k, x.name, x.got, x.want)
			}
		}
	}
	if !tol(e.dOut, out, sD) {
		t.Fatalf("%s: start of day %d: outside demand %v, consumers give %v", label, day, e.dOut, out)
	}
}

// TestEventAggregatesMatchConsumers steps event-engine runs day by day
// (default parameters in several scenarios, and random parameter sets far
// from the defaults) and checks after every day that each provider's
// aggregates equal the sums over its consumers brought up to date one by
// one: the algebra of evCatchUp and of the daily aggregate step agree.
func TestEventAggregatesMatchConsumers(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	n := 40
	if testing.Short() {
		n = 12
	}
	for c := 0; c < n; c++ {
		var spec RunSpec
		label := ""
		if c < 4 {
			p := Default()
			p.Consumers.Count = 300
			sc := []string{ScenarioBaseline, ScenarioVolatility, ScenarioCentralization, ScenarioBaseline}[c]
			if c == 3 {
				p.Consumers.RefHalflifeDays = 3
				p.Consumers.DeferralMode = DeferralDirectional
			}
			spec = RunSpec{Params: p, Schedule: Scenarios()[sc].Schedule, HorizonDays: 120, Seed: 3, Replicate: c}
			label = sc
		} else {
			p, sch, T := randomParams(rng)
			p.Model.Engine = EngineEvent
			spec = RunSpec{Params: p, Schedule: sch, HorizonDays: T, Seed: 5, Replicate: c}
			label = "random"
		}
		s := &sim{}
		var peak [4]float64
		if err := s.init(&spec, nil); err != nil {
			t.Fatalf("case %d: %v", c, err)
		}
		for d := 1; d <= s.T; d++ {
			if err := s.dayStep(d); err != nil {
				break // extreme random runs may end early (robust_test covers them)
			}
			evTruth(t, s, d+1, label, &peak)
		}
	}
}

// runsValues returns a Summary's runs columns as float64 by column name;
// null columns (nil pointers) are left out.
func runsValues(sum *Summary) map[string]float64 {
	out := map[string]float64{}
	v := reflect.ValueOf(sum).Elem()
	tp := v.Type()
	for i := 0; i < tp.NumField(); i++ {
		tag := tp.Field(i).Tag.Get("parquet")
		if tag == "" || tag == "-" {
			continue
		}
		name := strings.Split(tag, ",")[0]
		f := v.Field(i)
		if f.Kind() == reflect.Pointer {
			if f.IsNil() {
				continue
			}
			f = f.Elem()
		}
		switch f.Kind() {
		case reflect.Float64, reflect.Float32:
			out[name] = f.Float()
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			out[name] = float64(f.Int())
		case reflect.Bool:
			if f.Bool() {
				out[name] = 1
			} else {
				out[name] = 0
			}
		}
	}
	return out
}

// engineDiffs runs replicates 0..reps−1 of one cell under both engines and
// returns, per runs column, the paired differences event − reference
// (replicates where both runs have the column).
func engineDiffs(t *testing.T, p Params, sch Schedule, T, reps int) map[string][]float64 {
	t.Helper()
	diffs := map[string][]float64{}
	var r Runner
	for rep := 0; rep < reps; rep++ {
		var vals [2]map[string]float64
		for e, engine := range []string{EngineEvent, EngineReference} {
			q := p
			q.Model.Engine = engine
			spec := RunSpec{Params: q, Schedule: sch, HorizonDays: T, Seed: 2024, Replicate: rep}
			sum, err := r.Run(&spec, nil)
			if err != nil {
				t.Fatalf("%s replicate %d: %v", engine, rep, err)
			}
			vals[e] = runsValues(&sum)
		}
		for name, a := range vals[0] {
			if b, ok := vals[1][name]; ok {
				diffs[name] = append(diffs[name], a-b)
			}
		}
	}
	return diffs
}
