package pipeline

// SensitivitySpec is the `sensitivity:` block of a study: a global sensitivity
// design over Factors for one scenario and policy.
type SensitivitySpec struct {
	Method      string   `yaml:"method" json:"method"` // sobol | morris | lhs_prcc
	Scenario    string   `yaml:"scenario" json:"scenario"`
	Policy      string   `yaml:"policy" json:"policy"`
	Samples     int      `yaml:"samples" json:"samples"` // Sobol base N, Morris trajectories r, LHS points
	Levels      int      `yaml:"levels" json:"levels"`   // Morris grid levels p
	SecondOrder bool     `yaml:"second_order" json:"second_order"`
	Scramble    bool     `yaml:"scramble" json:"scramble"`
	Bootstrap   int      `yaml:"bootstrap" json:"bootstrap"`
	Factors     []Factor `yaml:"factors" json:"factors"`
	Outputs     []string `yaml:"outputs" json:"outputs"` // §4.2 run metrics
}

// Factor is one uncertain parameter of a sensitivity design.
type Factor struct {
	Param string  `yaml:"param" json:"param"` // dotted model parameter path
	Dist  string  `yaml:"dist" json:"dist"`   // uniform | loguniform
	Low   float64 `yaml:"low" json:"low"`
	High  float64 `yaml:"high" json:"high"`
}
