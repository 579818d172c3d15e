package study

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/tokensim/tokensim/model"
)

func validSensitivity() SensitivitySpec {
	return SensitivitySpec{
		Method: SensitivitySobol, Scenario: "volatile_centralized", Policy: "all", Samples: 64,
		Factors: []Factor{
			{Param: "network.effect", Low: 0.2, High: 1.2},
			{Param: "fund.reserve_usd", Dist: DistLogUniform, Low: 2e8, High: 2e10},
		},
		Outputs: []string{"peg_mad", "hhi_final"},
	}
}

func TestSensitivityValidate(t *testing.T) {
	ok := validSensitivity()
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid spec: %v", err)
	}
	cases := []struct {
		field string
		edit  func(*SensitivitySpec)
	}{
		{"method", func(s *SensitivitySpec) { s.Method = "" }},
		{"method", func(s *SensitivitySpec) { s.Method = "fast" }},
		{"scenario", func(s *SensitivitySpec) { s.Scenario = "" }},
		{"factors", func(s *SensitivitySpec) { s.Factors = nil }},
		{"samples", func(s *SensitivitySpec) { s.Samples = 1 }},
		{"samples", func(s *SensitivitySpec) { s.Method = SensitivityLHSPRCC; s.Samples = 4 }},
		{"levels", func(s *SensitivitySpec) { s.Method = SensitivityMorris; s.Levels = 3 }},
		{"levels", func(s *SensitivitySpec) { s.Levels = 4 }},
		{"second_order", func(s *SensitivitySpec) { s.Method = SensitivityMorris; s.SecondOrder = true }},
		{"bootstrap", func(s *SensitivitySpec) { s.Bootstrap = 5 }},
		{"factors[0].param", func(s *SensitivitySpec) { s.Factors[0].Param = "network.efect" }},
		{"factors[0].param", func(s *SensitivitySpec) { s.Factors[0].Param = "fund.enabled" }},
		{"factors[1].param", func(s *SensitivitySpec) { s.Factors[1].Param = "network.effect" }},
		{"factors[0]", func(s *SensitivitySpec) { s.Factors[0].Low = 2 }},
		{"factors[1].low", func(s *SensitivitySpec) { s.Factors[1].Low = 0 }},
		{"factors[0].dist", func(s *SensitivitySpec) { s.Factors[0].Dist = "normal" }},
		{"outputs", func(s *SensitivitySpec) { s.Outputs = nil }},
		{"outputs[1]", func(s *SensitivitySpec) { s.Outputs[1] = "hhi" }},
		{"outputs[1]", func(s *SensitivitySpec) { s.Outputs[1] = "peg_mad" }},
	}
	for _, c := range cases {
		s := validSensitivity()
		s.Factors = slices.Clone(s.Factors)
		c.edit(&s)
		err := s.Validate()
		var se *SensitivityError
		if !errors.As(err, &se) || !errors.Is(err, ErrSensitivity) {
			t.Errorf("%s: got %v, want a *SensitivityError", c.field, err)
			continue
		}
		if se.Field != c.field {
			t.Errorf("error names field %q, want %q (%v)", se.Field, c.field, err)
		}
	}
}

func TestSummaryColumns(t *testing.T) {
	cols := SummaryColumns()
	for _, want := range []string{"peg_mad", "realized_vol_annual", "hhi_final", "top_share_final", "provider_profit_usd", "satisfaction"} {
		if !slices.Contains(cols, want) {
			t.Errorf("SummaryColumns lacks %s", want)
		}
	}
	if slices.Contains(cols, "run_id") || slices.Contains(cols, "consumer_days") {
		t.Error("SummaryColumns lists a key column or consumer_days (not an outcome)")
	}
	for _, c := range cols {
		if _, ok := model.LookupMetric(model.TableRuns, c); !ok {
			t.Errorf("%s is not a catalogued runs metric", c)
		}
	}
}

func TestSensitivityValidateIn(t *testing.T) {
	study := func(edit func(*SensitivitySpec)) *Study {
		s := DefaultStudy()
		s.Name = "sens"
		sp := validSensitivity()
		sp.Factors = slices.Clone(sp.Factors)
		edit(&sp)
		s.Sensitivity = &sp
		return s
	}
	s := study(func(*SensitivitySpec) {})
	if err := s.Sensitivity.ValidateIn(s); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		want string
		edit func(*SensitivitySpec)
	}{
		{"sensitivity.scenario", func(sp *SensitivitySpec) { sp.Scenario = "nowhere" }},
		{"sensitivity.policy", func(sp *SensitivitySpec) { sp.Policy = "nothing" }},
		{"sensitivity.factors[0].low", func(sp *SensitivitySpec) { sp.Factors = []Factor{{Param: "share_cap.cap", Low: -0.5, High: 0.5}} }},
		{"sensitivity.samples", func(sp *SensitivitySpec) { sp.Samples = 0 }},
	} {
		s := study(c.edit)
		err := s.Sensitivity.ValidateIn(s)
		if err == nil || !strings.Contains(err.Error(), c.want) || !errors.Is(err, ErrStudy) {
			t.Errorf("%s: got %v", c.want, err)
		}
	}
}

func TestSensitivityWarnings(t *testing.T) {
	sp := validSensitivity()
	sp.Samples = 100
	sp.Policy = "none"
	s := DefaultStudy()
	s.Name = "w"
	base, err := sp.BaseParams(s)
	if err != nil {
		t.Fatal(err)
	}
	w := strings.Join(sp.Warnings(&base), "\n")
	if !strings.Contains(w, "power of two") || !strings.Contains(w, "128") {
		t.Errorf("no power-of-two advice: %q", w)
	}
	if !strings.Contains(w, "fund.enabled is false") {
		t.Errorf("no disabled-lever warning: %q", w)
	}
	sp.Samples, sp.Policy = 64, "all"
	base, _ = sp.BaseParams(s)
	if w := sp.Warnings(&base); len(w) != 0 {
		t.Errorf("unexpected warnings: %v", w)
	}
}

func TestSetFactorRoundsIntegers(t *testing.T) {
	p := model.Default()
	if err := SetFactor(&p, Factor{Param: "consumers.vol_window_days", Low: 5, High: 30}, 7.6); err != nil {
		t.Fatal(err)
	}
	if p.Consumers.VolWindowDays != 8 {
		t.Errorf("vol_window_days = %d, want 8", p.Consumers.VolWindowDays)
	}
	if err := SetFactor(&p, Factor{Param: "network.effect"}, 0.37); err != nil || p.Network.Effect != 0.37 {
		t.Errorf("network.effect = %v (%v)", p.Network.Effect, err)
	}
	if err := SetFactor(&p, Factor{Param: "network.nothing"}, 1); err == nil {
		t.Error("unknown parameter accepted")
	}
}
