package report

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"minyi/ballot"
	"minyi/i18n"
)

var chinese = regexp.MustCompile(`[\p{Han}\x{3000}-\x{303F}\x{FF00}-\x{FFEF}“”]+`)

// leftChinese is the Chinese of s that is none of the allowed words (data, rule terms).
func leftChinese(s string, allowed ...string) []string {
	var out []string
	for _, run := range chinese.FindAllString(s, -1) {
		ok := false
		for _, a := range allowed {
			ok = ok || strings.Contains(a, run)
		}
		if !ok {
			out = append(out, run)
		}
	}
	return out
}

// The tally page's charts in English: their labels and lines are English; the options keep
// their Chinese term beside the English in the legend.
func TestChartsInEnglish(t *testing.T) {
	en := Printer{P: i18n.For(i18n.En)}
	rec := ballot.Form{Kind: ballot.KindRecommendation, Title: "Rec", Recommendation: &ballot.Recommendation{Positions: []ballot.Position{
		{Title: "Deputy", Seats: 1, Candidates: []ballot.Candidate{{Name: "Ann"}, {Name: "Ben"}}}}}}
	app := ballot.Form{Kind: ballot.KindApproval, Title: "App", Approval: &ballot.Approval{Nominees: []ballot.Candidate{{Name: "Cat"}}}}
	ev := ballot.Form{Kind: ballot.KindEvaluation, Title: "Ev", Evaluation: &ballot.Evaluation{Subjects: []ballot.Subject{{Name: "Dan"}}}}
	votes := func(p *ballot.Poll) []ballot.PlainBallot {
		var out []ballot.PlainBallot
		for i, c := range []string{"c1", "c1", "c1", "c2"} {
			out = append(out, ballot.PlainBallot{Group: "g", Ballot: ballot.Ballot{Forms: []ballot.FilledForm{
				{Form: "f1", Lines: map[string][]string{"p1": {c}}},
				{Form: "f2", Lines: map[string][]string{"n1": {[]string{"同意", "同意", "不同意", "弃权"}[i]}}},
				{Form: "f3", Lines: map[string][]string{"s1": {[]string{"优秀", "称职", "称职", "不称职"}[i]}}}}}})
		}
		return out
	}
	tl := chartOf(t, []ballot.Form{rec, app, ev}, 4, votes)
	terms := []string{"同意", "不同意", "弃权", "优秀", "称职", "基本称职", "不称职", "优秀和称职"}
	rt := tl.Forms[0].Recommendation
	svg := string(en.CandidateChart(rt.Positions[0], rt.Rules))
	for _, want := range []string{`aria-label="Votes of each candidate"`, "Half-the-votes line (1/2)", "3 votes 75.00%"} {
		if !strings.Contains(svg, want) {
			t.Errorf("candidate chart lacks %q:\n%s", want, svg)
		}
	}
	svg += string(en.ApprovalChart(tl.Forms[1].Approval))
	for _, want := range []string{`aria-label="Votes cast"`, ">agree<", ">disagree<", "Pass line (1/2, 3 votes needed)", "2 votes"} {
		if !strings.Contains(svg, want) {
			t.Errorf("approval chart lacks %q:\n%s", want, svg)
		}
	}
	svg += string(en.GradeChart(tl.Forms[2].Evaluation))
	for _, want := range []string{`aria-label="Grades of each person evaluated"`, ">excellent<", ">basically competent<", "good 75.00%", ">2/3<"} {
		if !strings.Contains(svg, want) {
			t.Errorf("grade chart lacks %q:\n%s", want, svg)
		}
	}
	if left := leftChinese(svg, terms...); len(left) > 0 {
		t.Errorf("the English charts say in Chinese %q", left)
	}
}

// QR slips printed for an English organizer tell the voter in English how to vote.
func TestSlipsInEnglish(t *testing.T) {
	tok, err := ballot.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	b := &SlipBatch{Title: "Annual Review", Group: "Staff", Base: "http://192.168.1.10:8080", Tokens: []ballot.Token{tok}, Hint: "ABCD…WXYZ"}
	pdf, err := Printer{P: i18n.For(i18n.En)}.Slips(b)
	if err != nil {
		t.Fatal(err)
	}
	file := t.TempDir() + "/slips.pdf"
	os.WriteFile(file, pdf, 0o600)
	out, err := exec.Command("pdftotext", "-layout", file, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	text := strings.Join(strings.Fields(string(out)), " ")
	for _, want := range []string{"Group: Staff", "Voting code", "Scan the QR code with a phone to vote.", "and enter the voting code above.", "Batch", "Slip 1/1"} {
		if !strings.Contains(text, want) {
			t.Errorf("the English slip lacks %q:\n%s", want, text)
		}
	}
	if left := leftChinese(text); len(left) > 0 {
		t.Errorf("the English slip says in Chinese %q:\n%s", left, text)
	}
	zb, err := Printer{P: i18n.For(i18n.En)}.SlipsZIP(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(zb), int64(len(zb)))
	if err != nil {
		t.Fatal(err)
	}
	f, err := zr.Open("voting-codes.csv")
	if err != nil {
		t.Fatal(err)
	}
	list, _ := io.ReadAll(f)
	if !strings.HasPrefix(string(list), "\ufeffNo.,Group,Voting code,Voting address\r\n") {
		t.Errorf("the English list of codes: %q", list)
	}
}
