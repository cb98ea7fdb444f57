package ballot

import (
	"fmt"
	"math/big"
)

// Ratio is an exact fraction Num/Den. Thresholds are compared exactly (2 of 3 is exactly
// 2/3, not 66.67%); percentages are for display only (RULES: rounding).
type Ratio struct {
	Num int64 `json:"num"`
	Den int64 `json:"den"`
}

// R returns the ratio num/den.
func R(num, den int64) Ratio { return Ratio{Num: num, Den: den} }

// Valid reports whether the ratio has a positive denominator.
func (r Ratio) Valid() bool { return r.Den > 0 }

// Cmp compares r with s exactly: -1, 0 or +1. Both must be valid.
func (r Ratio) Cmp(s Ratio) int {
	a := new(big.Int).Mul(big.NewInt(r.Num), big.NewInt(s.Den))
	b := new(big.Int).Mul(big.NewInt(s.Num), big.NewInt(r.Den))
	return a.Cmp(b)
}

// Less reports r < s.
func (r Ratio) Less(s Ratio) bool { return r.Cmp(s) < 0 }

// Greater reports r > s.
func (r Ratio) Greater(s Ratio) bool { return r.Cmp(s) > 0 }

// Percent renders the ratio as a percentage with two decimals, rounded half up; "—" when
// the denominator is zero.
func (r Ratio) Percent() string { return r.rounded(10000, "%") }

// Decimal renders the value with two decimals, rounded half up (a mean score, say); "—"
// when the denominator is zero.
func (r Ratio) Decimal() string { return r.rounded(100, "") }

// rounded renders num/den × scale/100 with two decimals, rounded half up, exactly.
func (r Ratio) rounded(scale int64, unit string) string {
	if r.Den <= 0 {
		return "—"
	}
	q := new(big.Int).Mul(big.NewInt(r.Num), big.NewInt(2*scale))
	q.Add(q, big.NewInt(r.Den))
	q.Quo(q, big.NewInt(2*r.Den))
	v := q.Int64()
	return fmt.Sprintf("%d.%02d%s", v/100, v%100, unit)
}

// String renders the fraction as "num/den".
func (r Ratio) String() string { return fmt.Sprintf("%d/%d", r.Num, r.Den) }

// checkThreshold validates a threshold setting: 0 ≤ num ≤ den, den > 0.
func checkThreshold(name string, r Ratio) error {
	if r.Den <= 0 || r.Num < 0 || r.Num > r.Den {
		return Errorf(EINVALID, "%s的阈值 %d/%d 不正确，应为 0 到 1 之间的分数", name, r.Num, r.Den)
	}
	return nil
}
