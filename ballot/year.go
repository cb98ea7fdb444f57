package ballot

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// The assessment year (年度) a poll's results are filed under. A 「2025年度…测评」 held in
// January 2026 is about 2025; so is a 年度考核 held in the first quarter, when annual
// assessments of the year before take place.

var titleYear = regexp.MustCompile(`((?:19|20)\d{2})\s*年`)

// Bounds of a year an organizer may set.
const (
	MinYear = 2000
	MaxYear = 2100
)

// AssessmentYear proposes the year from the title ("2025年度…" → 2025) or, without one,
// from when the poll was made (China time): the year before for a 年度考核 made in
// January to March, else that year. The organizer may change it.
func AssessmentYear(title string, made time.Time) int {
	if m := titleYear.FindStringSubmatch(halfWidthDigits(title)); m != nil {
		if y, err := strconv.Atoi(m[1]); err == nil && y >= MinYear && y <= MaxYear {
			return y
		}
	}
	local := made.In(chinaTime)
	if strings.Contains(title, "年度考核") && local.Month() <= time.March {
		return local.Year() - 1
	}
	return local.Year()
}

var chinaTime = time.FixedZone("CST", 8*3600)

// CheckYear refuses a year no assessment can be about.
func CheckYear(y int) error {
	if y < MinYear || y > MaxYear {
		// years as strings, so that no language groups their digits
		return Errorf(EINVALID, "考核年度“%s”不正确，应为%s到%s之间的年份", strconv.Itoa(y), strconv.Itoa(MinYear), strconv.Itoa(MaxYear))
	}
	return nil
}
