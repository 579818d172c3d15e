package reports

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/tokensim/tokensim/dataset"
	"github.com/tokensim/tokensim/model"
)

// SweepText renders a sweep point as "param=value, …" ("" without sweeps).
func SweepText(sv []dataset.SweepValue) string {
	parts := make([]string, len(sv))
	for i, v := range sv {
		parts[i] = v.Param + "=" + v.Text
	}
	return strings.Join(parts, ", ")
}

// shortSweepText renders a sweep point with the last component of each
// parameter path ("cap=0.3, effect=0.8"), for figure labels; captions and
// tables use SweepText.
func shortSweepText(sv []dataset.SweepValue) string {
	parts := make([]string, len(sv))
	for i, v := range sv {
		parts[i] = shortParam(v.Param) + "=" + v.Text
	}
	return strings.Join(parts, ", ")
}

// shortParam is the last component of a dotted parameter path
// ("share_cap.cap" → "cap").
func shortParam(path string) string {
	return path[strings.LastIndexByte(path, '.')+1:]
}

// shortCellLabel is the figures' label of a cell: the policy's plain label
// (policyLabel), plus shortSweepText when there is a sweep point.
func shortCellLabel(policy string, sv []dataset.SweepValue) string {
	if len(sv) == 0 {
		return policyLabel(policy)
	}
	return policyLabel(policy) + " · " + shortSweepText(sv)
}

// policyLabel and scenarioLabel are the plain labels of figure text
// (model.DescribePolicy, model.DescribeScenario): never a code name.
func policyLabel(name string) string {
	d, _ := model.DescribePolicy(name)
	return d.Label
}

// scenarioLabel is policyLabel for scenarios.
func scenarioLabel(name string) string {
	d, _ := model.DescribeScenario(name)
	return d.Label
}

// cellLabel is the policy, plus the sweep point when there is one.
func cellLabel(policy string, sv []dataset.SweepValue) string {
	if len(sv) == 0 {
		return policy
	}
	return policy + " · " + SweepText(sv)
}

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// withUnit returns "label (unit)" or label when unit is empty.
func withUnit(label, unit string) string {
	switch {
	case unit == "":
		return label
	case strings.ContainsAny(unit, "()"):
		return label + ", " + unit
	}
	return label + " (" + unit + ")"
}

func intOrUnknown(n int) string {
	if n <= 0 {
		return "unknown"
	}
	return fmt.Sprint(n)
}

// formatDuration renders seconds as "1 h 02 min", "3 min 05 s" or "12.3 s".
func formatDuration(s float64) string {
	switch {
	case s >= 3600:
		h := int(s / 3600)
		return fmt.Sprintf("%d h %02d min", h, int(s-float64(h)*3600)/60)
	case s >= 60:
		m := int(s / 60)
		return fmt.Sprintf("%d min %02d s", m, int(s)-m*60)
	}
	return fmt.Sprintf("%.1f s", s)
}

// textQuantity formats v with its unit for running text: fractions as
// percentages (level) or percentage points (difference), HHI as points, USD
// amounts in millions, billions or trillions when ref (the largest magnitude
// stated together with v, so that an effect and its interval share one scale)
// reaches a million. Numbers never use e-notation (proseNumber).
func textQuantity(v float64, unit string, level bool, ref float64) string {
	switch {
	case unit == percentUnit:
		if level {
			return proseNumber(100*v, 3) + "%"
		}
		return proseNumber(100*v, 3) + " percentage points"
	case strings.HasPrefix(unit, "HHI"):
		return proseNumber(v, 3) + " HHI points"
	case unit == "USD":
		switch r := math.Abs(ref); {
		case r >= 1e12:
			return proseNumber(v/1e12, 3) + " trillion USD"
		case r >= 1e9:
			return proseNumber(v/1e9, 3) + " billion USD"
		case r >= 1e6:
			return proseNumber(v/1e6, 3) + " million USD"
		}
	case unit == "":
		return proseNumber(v, 3)
	}
	return proseNumber(v, 3) + " " + unit
}

// proseNumber formats v with n significant digits for running text: never in
// e-notation. Magnitudes from 10⁻⁶ to below 10¹² are positional
// ("0.0000232", "12,300"), larger ones in trillions ("2.50 trillion"), and
// smaller ones as a power of ten ("2.32 × 10⁻⁷"); minus is U+2212.
func proseNumber(v float64, n int) string {
	a := math.Abs(v)
	switch {
	case !finite(v) || v == 0:
		return FormatSig(v, n)
	case a >= 1e12:
		return decimalSig(v/1e12, n) + " trillion"
	case a >= 1e-6:
		return decimalSig(v, n)
	}
	es := strconv.FormatFloat(v, 'e', n-1, 64)
	i := strings.IndexByte(es, 'e')
	exp, _ := strconv.Atoi(es[i+1:])
	return minusSign(es[:i]) + " × 10" + superscript(exp)
}

// superscript writes an integer in Unicode superscript digits.
func superscript(k int) string {
	const digits = "⁰¹²³⁴⁵⁶⁷⁸⁹"
	sup := []rune(digits)
	var sb strings.Builder
	if k < 0 {
		sb.WriteRune('⁻')
		k = -k
	}
	for _, c := range strconv.Itoa(k) {
		sb.WriteRune(sup[c-'0'])
	}
	return sb.String()
}

// stripUnit drops the unit words of lo that it shares with hi ("1.2 million
// USD" before "3.4 million USD" becomes "1.2"), so that an interval reads
// "1.2–3.4 million USD".
func stripUnit(lo, hi string) string {
	li, hi2 := strings.IndexByte(lo, ' '), strings.IndexByte(hi, ' ')
	if li > 0 && hi2 > 0 && lo[li:] == hi[hi2:] {
		return lo[:li]
	}
	if strings.HasSuffix(lo, "%") && strings.HasSuffix(hi, "%") {
		return strings.TrimSuffix(lo, "%")
	}
	return lo
}

// signed formats v with an explicit sign (U+2212 for minus).
func signed(v float64, n int) string {
	s := FormatSig(v, n)
	if v > 0 {
		return "+" + s
	}
	return s
}

// signedProse is signed with proseNumber (no e-notation).
func signedProse(v float64, n int) string {
	s := proseNumber(v, n)
	if v > 0 {
		return "+" + s
	}
	return s
}

// lowerFirst lowercases the first letter unless the first word is an
// acronym (HHI, CR4, …).
func lowerFirst(s string) string {
	if len(s) < 2 {
		return strings.ToLower(s)
	}
	word := s
	if i := strings.IndexAny(s, " (|"); i > 0 {
		word = s[:i]
	}
	if strings.ToUpper(word) == word {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// interval formats [lo, hi].
func interval(lo, hi float64) string {
	if !finite(lo) || !finite(hi) {
		return "n/a"
	}
	return "[" + FormatSig(lo, 3) + ", " + FormatSig(hi, 3) + "]"
}

// fixed formats a probability with d decimals ("n/a" for NaN).
func fixed(v float64, d int) string {
	if !finite(v) {
		return "n/a"
	}
	return fmt.Sprintf("%.*f", d, v)
}

func intervalFixed(lo, hi float64, d int) string {
	if !finite(lo) || !finite(hi) {
		return "n/a"
	}
	return "[" + fixed(lo, d) + ", " + fixed(hi, d) + "]"
}

// FormatSig formats v with n significant digits, without exponent for
// magnitudes in [1e-4, 1e12) (with thousands separators above 9,999), and
// U+2212 for minus; NaN prints as "n/a".
func FormatSig(v float64, n int) string {
	switch {
	case math.IsNaN(v):
		return "n/a"
	case math.IsInf(v, 1):
		return "∞"
	case math.IsInf(v, -1):
		return "−∞"
	case v == 0:
		return "0"
	}
	a := math.Abs(v)
	if a < 1e-4 || a >= 1e12 {
		return minusSign(fmt.Sprintf("%.*e", n-1, v))
	}
	return decimalSig(v, n)
}

// decimalSig formats a finite non-zero v with n significant digits in
// positional notation (no exponent), thousands separators above 9,999 and
// U+2212 for minus.
func decimalSig(v float64, n int) string {
	// The exponent after rounding to n significant digits (999.96 → 1.00e+03).
	es := strconv.FormatFloat(math.Abs(v), 'e', n-1, 64)
	exp, _ := strconv.Atoi(es[strings.IndexByte(es, 'e')+1:])
	digits := n - 1 - exp
	if digits < 0 {
		p := math.Pow(10, float64(-digits))
		v = math.Round(v/p) * p
		digits = 0
	}
	return minusSign(thousands(fmt.Sprintf("%.*f", digits, v)))
}

// thousands inserts commas into the integer part of a formatted number.
func thousands(s string) string {
	neg := len(s) > 0 && s[0] == '-'
	if neg {
		s = s[1:]
	}
	intPart, frac := s, ""
	for i := range len(s) {
		if s[i] == '.' {
			intPart, frac = s[:i], s[i:]
			break
		}
	}
	if len(intPart) > 4 {
		var out []byte
		for i := range len(intPart) {
			if i > 0 && (len(intPart)-i)%3 == 0 {
				out = append(out, ',')
			}
			out = append(out, intPart[i])
		}
		intPart = string(out)
	}
	if neg {
		return "-" + intPart + frac
	}
	return intPart + frac
}

// minusSign replaces a leading ASCII hyphen (and one in an exponent) by U+2212.
func minusSign(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if r == '-' {
			r = '−'
		}
		out = append(out, r)
	}
	return string(out)
}

func sensPct(x float64) string {
	if math.IsNaN(x) {
		return "–"
	}
	if x < 0.001 {
		return "<0.1%"
	}
	return strconv.FormatFloat(100*x, 'f', 1, 64) + "%"
}

func sensNum(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "–"
	}
	a := math.Abs(x)
	switch {
	case a == 0:
		return "0"
	case a >= 1e5 || a < 1e-3:
		return strconv.FormatFloat(x, 'e', 2, 64)
	case a >= 100:
		return strconv.FormatFloat(x, 'f', 0, 64)
	case a >= 10:
		return strconv.FormatFloat(x, 'f', 1, 64)
	}
	return strconv.FormatFloat(x, 'f', 3, 64)
}

func sensInterval(lo, hi float64) string {
	if math.IsNaN(lo) || math.IsNaN(hi) {
		return "–"
	}
	return sensNum(lo) + " to " + sensNum(hi)
}

func sensPValue(p float64) string {
	switch {
	case math.IsNaN(p):
		return "–"
	case p < 1e-4:
		return "<0.0001"
	}
	return strconv.FormatFloat(p, 'f', 4, 64)
}
