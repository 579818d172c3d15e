package model

import (
	"strings"
	"testing"
)

// Every built-in scenario and policy is described in words, with a label that
// is not its code name; labels are unique so that the report's rows and
// columns can be told apart.
func TestBuiltinsDescribed(t *testing.T) {
	check := func(kind string, names []string, describe func(string) (Described, bool)) {
		labels := map[string]string{}
		for _, n := range names {
			d, ok := describe(n)
			if !ok {
				t.Errorf("%s %q has no description (add it to model/describe.go)", kind, n)
				continue
			}
			if d.Label == "" || d.Label == n || strings.Contains(d.Label, "_") {
				t.Errorf("%s %q: label %q is empty or a code name", kind, n, d.Label)
			}
			if len(d.Text) < 20 || !strings.HasSuffix(d.Text, ".") {
				t.Errorf("%s %q: description %q is not a sentence", kind, n, d.Text)
			}
			if o, dup := labels[d.Label]; dup {
				t.Errorf("%s %q and %q share the label %q", kind, n, o, d.Label)
			}
			labels[d.Label] = n
		}
	}
	var sc []string
	for n := range Scenarios() {
		sc = append(sc, n)
	}
	check("scenario", sc, DescribeScenario)
	var pol []string
	for n := range Policies() {
		pol = append(pol, n)
	}
	check("policy", pol, DescribePolicy)
	if d, ok := DescribePolicy("my_lever"); ok || d.Label != "my lever" {
		t.Errorf("DescribePolicy(my_lever) = %+v, %v; want label %q and ok false", d, ok, "my lever")
	}
}

// Each of the report's four outcome families has a key metric in the
// catalogue (the scorecard's column), with a direction.
func TestKeyMetricPerFamily(t *testing.T) {
	for _, fam := range []Family{FamilyStability, FamilyDiversity, FamilyProfitability, FamilyConsumers} {
		m, ok := KeyMetric(fam, func(string) bool { return true })
		if !ok {
			t.Errorf("family %s has no key metric", fam)
			continue
		}
		if m.Family != fam || m.Better == Neutral || m.LeverOnly != "" {
			t.Errorf("family %s: key metric %s must be of the family, have a direction and apply without a lever", fam, m.Name)
		}
	}
	if _, ok := KeyMetric(FamilyStability, func(string) bool { return false }); ok {
		t.Error("KeyMetric found a metric although none is present")
	}
}
