package ballot

import (
	"testing"
	"time"
)

// The year proposed for filing: the title's year, else the year before for a 年度考核
// held in the first quarter, else the year it was made (China time).
func TestAssessmentYear(t *testing.T) {
	t.Parallel()
	cst := time.FixedZone("CST", 8*3600)
	jan26 := time.Date(2026, 1, 15, 9, 0, 0, 0, cst)
	for _, c := range []struct {
		title string
		made  time.Time
		want  int
	}{
		{"2025年度局领导班子和领导干部民主测评", jan26, 2025},
		{"２０２４年度考核民主测评", jan26, 2024},
		{"2025 年领导干部民主推荐", time.Date(2026, 6, 1, 9, 0, 0, 0, cst), 2025},
		{"年度考核民主测评", jan26, 2025},
		{"年度考核民主测评", time.Date(2026, 3, 31, 23, 0, 0, 0, cst), 2025},
		{"年度考核民主测评", time.Date(2026, 4, 1, 9, 0, 0, 0, cst), 2026},
		{"民主推荐", jan26, 2026},
		// 31 Dec 17:00 UTC is already 1 January in China: a 年度考核 of the year before
		{"年度考核民主测评", time.Date(2025, 12, 31, 17, 0, 0, 0, time.UTC), 2025},
		{"第3期民主测评", time.Date(2026, 6, 1, 9, 0, 0, 0, cst), 2026},
	} {
		if got := AssessmentYear(c.title, c.made); got != c.want {
			t.Errorf("%q made %s: %d, want %d", c.title, c.made, got, c.want)
		}
	}
	if CheckYear(2025) != nil || ErrorCode(CheckYear(24)) != EINVALID || ErrorCode(CheckYear(2101)) != EINVALID {
		t.Fatal("year bounds")
	}
}
