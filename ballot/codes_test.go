package ballot

import (
	"fmt"
	"strings"
	"testing"

	"minyi/survey"
)

// A province-wide survey has a group per unit or region, hundreds of them; a vote on
// people keeps the limit of a printable page.
func TestSurveyGroups(t *testing.T) {
	t.Parallel()
	surveyForm := Form{Kind: KindSurvey, Title: "满意度问卷", Survey: &Survey{Questionnaire: survey.Questionnaire{Questions: []survey.Question{
		{Kind: survey.Single, Title: "总体评价", Options: []string{"满意", "基本满意", "不满意", "不了解"}}}}}}
	evalForm := Form{Kind: KindEvaluation, Title: "测评表", Evaluation: &Evaluation{Subjects: []Subject{{Name: "张三", Post: "局长"}}}}
	for _, c := range []struct {
		forms  []Form
		groups int
		want   string
	}{
		{[]Form{surveyForm}, 300, ""},
		{[]Form{surveyForm}, MaxSurveyGroups + 1, fmt.Sprintf("参评类别不能超过%d个", MaxSurveyGroups)},
		{[]Form{evalForm}, MaxGroups + 1, fmt.Sprintf("参评类别不能超过%d个", MaxGroups)},
		{[]Form{surveyForm, evalForm}, MaxGroups + 1, fmt.Sprintf("参评类别不能超过%d个", MaxGroups)},
	} {
		p := &Poll{Title: "全省满意度测评", Quorum: DefaultQuorum, KeyHolder: KeyServer, Forms: c.forms}
		for i := range c.groups {
			p.Groups = append(p.Groups, Group{Name: fmt.Sprintf("第%03d单位", i+1), Expected: 3334})
		}
		p.Normalize()
		err := p.Validate()
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(ErrorMessage(err), c.want)) {
			t.Errorf("%d forms, %d groups: %v, want %q", len(c.forms), c.groups, err, c.want)
		}
	}
}

// The same seed draws the same codes, another seed others; parts never mix groups nor
// pass 2,000 slips.
func TestCodeStream(t *testing.T) {
	t.Parallel()
	seed, _ := NewCodeSeed()
	a, b := seed.Stream(), seed.Stream()
	other, _ := NewCodeSeed()
	c := other.Stream()
	seen := map[Token]bool{}
	for range 10000 {
		x, y, z := a.Next(), b.Next(), c.Next()
		if x != y {
			t.Fatalf("one seed drew %s, then %s", x, y)
		}
		if _, err := ParseToken(x.Grouped()); err != nil || seen[x] || x == z {
			t.Fatalf("code %s: %v, seen %v, other seed's %s", x, err, seen[x], z)
		}
		seen[x] = true
	}
	parts := CodeParts([]CodeShare{{"甲", 4001}, {"乙", 2000}, {"丙", 1}})
	want := []CodePart{{"甲", 0, 2000}, {"甲", 2000, 2000}, {"甲", 4000, 1}, {"乙", 0, 2000}, {"丙", 0, 1}}
	if fmt.Sprint(parts) != fmt.Sprint(want) {
		t.Fatalf("parts %v, want %v", parts, want)
	}
	for shares, want := range map[string]string{"0": "每个参评类别的凭证数量应在1到", "600000 600000": "共 1200000 个凭证码，一次最多生成 1000000 个", "": "请至少为一个参评类别填写凭证数量"} {
		var ss []CodeShare
		for i, f := range strings.Fields(shares) {
			var n int
			fmt.Sscan(f, &n)
			ss = append(ss, CodeShare{fmt.Sprint(i), n})
		}
		if err := CheckCodeShares(ss); err == nil || !strings.Contains(ErrorMessage(err), want) {
			t.Errorf("%q: %v, want %q", shares, err, want)
		}
	}
}
