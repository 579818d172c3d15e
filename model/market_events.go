package model

import "fmt"

// ReserveEvents are a scenario's events on the issuer's reserve
// (MODEL-SPEC-v2 §A.3, §A.4). They act only under market.mode amm with a
// reserve (reserve.mode backed or algorithmic). YAML names (in a scenario's
// schedule or a study's scenario_defs): impairments, redemption_halts,
// backstop_days.
type ReserveEvents struct {
	// Impairments freeze a fraction of the reserve's assets on a day.
	Impairments []Impairment `yaml:"impairments,omitempty" json:"impairments,omitempty"`
	// RedemptionHalts are day spans (inclusive) on which the reserve redeems
	// nothing (banks closed).
	RedemptionHalts []DaySpan `yaml:"redemption_halts,omitempty" json:"redemption_halts,omitempty"`
	// BackstopDays are days on which a lender of last resort restores the
	// backing ratio β to 1 (at the start of the day).
	BackstopDays []int `yaml:"backstop_days,omitempty" json:"backstop_days,omitempty"`
}

// Impairment freezes Fraction of the reserve's assets at the start of Day;
// holders see it HiddenDays days late (β̂ keeps the pre-impairment assets on
// days Day..Day+HiddenDays−1).
type Impairment struct {
	Day        int     `yaml:"day" json:"day"`
	Fraction   float64 `yaml:"fraction" json:"fraction"`
	HiddenDays int     `yaml:"hidden_days" json:"hidden_days"`
}

// DaySpan is the inclusive span of days FromDay..ToDay.
type DaySpan struct {
	FromDay int `yaml:"from_day" json:"from_day"`
	ToDay   int `yaml:"to_day" json:"to_day"`
}

// redemptionHalted reports whether day t is a redemption-halt day.
func (e *ReserveEvents) redemptionHalted(t int) bool {
	for _, h := range e.RedemptionHalts {
		if t >= h.FromDay && t <= h.ToDay {
			return true
		}
	}
	return false
}

// backstopOn reports whether day t is a backstop day.
func (e *ReserveEvents) backstopOn(t int) bool {
	for _, d := range e.BackstopDays {
		if d == t {
			return true
		}
	}
	return false
}

// validate adds the events' problems to c (paths "schedule.…"). Paths are
// formatted only for an event with a problem, so a valid schedule is checked
// without allocating.
func (e *ReserveEvents) validate(c *checker) {
	for i, im := range e.Impairments {
		if im.Day >= 1 && im.Fraction >= 0 && im.Fraction <= 1 && im.HiddenDays >= 0 {
			continue
		}
		path := fmt.Sprintf("schedule.impairments[%d]", i)
		c.intMin(path+".day", im.Day, 1)
		c.unit(path+".fraction", im.Fraction)
		c.intMin(path+".hidden_days", im.HiddenDays, 0)
	}
	for i, h := range e.RedemptionHalts {
		if h.FromDay >= 1 && h.ToDay >= h.FromDay {
			continue
		}
		path := fmt.Sprintf("schedule.redemption_halts[%d]", i)
		c.intMin(path+".from_day", h.FromDay, 1)
		if h.ToDay < h.FromDay {
			c.add(path+".to_day", h.ToDay, fmt.Sprintf("must be ≥ from_day (%d)", h.FromDay))
		}
	}
	for i, d := range e.BackstopDays {
		if d < 1 {
			c.intMin(fmt.Sprintf("schedule.backstop_days[%d]", i), d, 1)
		}
	}
}
