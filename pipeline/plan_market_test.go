package pipeline

import (
	"reflect"
	"strings"
	"testing"

	"github.com/tokensim/tokensim/model"
	"github.com/tokensim/tokensim/study"
)

// TestScenarioDefReserveEvents: a study's scenario_defs can state the reserve
// events of MODEL-SPEC-v2 §A.4 (impairments, redemption_halts,
// backstop_days); they replace the based-on scenario's, and bad ones are
// rejected naming the field.
func TestScenarioDefReserveEvents(t *testing.T) {
	s := testStudy(t, `scenarios: [svb]
policies: [none]
scenario_defs:
  svb:
    based_on: depeg_backed
    impairments: [{day: 30, fraction: 0.12, hidden_days: 2}]
    redemption_halts: [{from_day: 30, to_day: 32}]
    backstop_days: [35]
`)
	sc, err := s.Scenario("svb")
	if err != nil {
		t.Fatal(err)
	}
	want := model.ReserveEvents{
		Impairments:     []model.Impairment{{Day: 30, Fraction: 0.12, HiddenDays: 2}},
		RedemptionHalts: []model.DaySpan{{FromDay: 30, ToDay: 32}},
		BackstopDays:    []int{35},
	}
	if !reflect.DeepEqual(sc.Schedule.ReserveEvents, want) {
		t.Errorf("events %+v, want %+v", sc.Schedule.ReserveEvents, want)
	}
	p := testPlan(t, s, 0)
	if got := p.Cells[0].Params.Reserve.Mode; got != model.ReserveBacked {
		t.Errorf("based_on depeg_backed: reserve.mode %q", got)
	}
	_, err = study.ParseStudy("s.yaml", []byte("name: x\nscenarios: [b]\nscenario_defs: {b: {impairments: [{day: 3, fraction: 2}]}}\n"))
	if err == nil || !strings.Contains(err.Error(), "impairments[0].fraction") {
		t.Errorf("bad impairment: %v", err)
	}
}
