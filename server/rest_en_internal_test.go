package server

import (
	"testing"

	"minyi/ballot"
	"minyi/i18n"
	"minyi/sheet"
)

// A survey sheet's bad row reads in English, its inner problem too, where the Chinese
// stays as it was ("第 2 行：应有2到20个选项").
func TestSurveySheetErrorsInEnglish(t *testing.T) {
	for _, c := range []struct {
		rows   [][]string
		zh, en string
	}{
		{[][]string{{"单选", "Overall", "Good/Poor"}, {"单选", "Role", "Staff"}}, "第 2 行：应有2到20个选项", "Row 2: the question needs 2 to 20 options."},
		{[][]string{{"多选", "Topics", "A/B/C", "", "3", "2"}}, "第 1 行：的最少、最多选择数应满足 1 ≤ 最少 ≤ 最多 ≤ 选项数", "Row 1: the fewest and most choices must satisfy 1 ≤ fewest ≤ most ≤ options."},
		{[][]string{{"单选", "Overall", "Good/Good"}}, "第 1 行：的选项“Good”重复", `Row 1: the option "Good" is listed twice.`},
		{[][]string{{"单选", "Overall", "Good"}, {"题型"}}, "", ""},
	} {
		_, err := sheet.ListText("questions", c.rows)
		if c.zh == "" {
			if err == nil {
				t.Errorf("%q is taken", c.rows)
			}
			continue
		}
		if zh, en := ballot.SayError(i18n.For(i18n.Zh), err), ballot.SayError(i18n.For(i18n.En), err); zh != c.zh || en != c.en {
			t.Errorf("%q: %q / %q, want %q / %q", c.rows, zh, en, c.zh, c.en)
		}
	}
}

// A /verify note built with numbers reads in English, the Chinese as it was; a stream's
// event gets its state's label said in place, and only the label.
func TestVerifyNoteAndLiveLabelInEnglish(t *testing.T) {
	c := ballot.Check{Name: "选票数 = 已用凭证数", OK: true, Note: "选票 3 张，已用凭证 3 个", Format: "选票 %d 张，已用凭证 %d 个", Args: []any{3, 3}}
	if en, zh := c.SayNote(i18n.For(i18n.En)), c.SayNote(i18n.For(i18n.Zh)); en != "Ballots: 3; voting codes used: 3" || zh != c.Note {
		t.Errorf("note: %q in English, %q in Chinese", en, zh)
	}
	fixed := ballot.Check{Name: ballot.CheckFormat, Note: "选票文件无法读取", Format: "选票文件无法读取"}
	if en := fixed.SayNote(i18n.For(i18n.En)); en == fixed.Note || en == "" {
		t.Errorf("fixed note in English: %q", en)
	}
	v := &liveView{Title: "投票中", StateLabel: "投票中"}
	ev := []byte(`event: turnout` + "\n" + `data: {"title":"投票中","state":"open","state_label":"投票中"}` + "\n\n")
	if got := string(sayLive(i18n.For(i18n.En), v, ev)); got != "event: turnout\ndata: {\"title\":\"投票中\",\"state\":\"open\",\"state_label\":\"Voting\"}\n\n" {
		t.Errorf("English event: %q", got)
	}
	if got := sayLive(i18n.For(i18n.Zh), v, ev); string(got) != string(ev) {
		t.Errorf("Chinese event changed: %q", got)
	}
}

// A refused field named with data ("职位“Deputy”的候选人“Bob”的职务") reads in English with
// the data as written; the Chinese stays as it was.
func TestFieldNamesInEnglish(t *testing.T) {
	p := &ballot.Poll{Title: "Poll", Groups: []ballot.Group{{ID: "g1", Name: "All", Expected: 5}},
		Forms: []ballot.Form{{ID: "f1", Kind: ballot.KindRecommendation, Title: "Form A", Recommendation: &ballot.Recommendation{
			Positions: []ballot.Position{{Title: "Deputy", Seats: 1, Candidates: []ballot.Candidate{{Name: "Bob", Post: "\x1b[1mHead"}, {Name: "Carol"}}}}}}}}
	err := p.Validate()
	zh, en := ballot.SayError(i18n.For(i18n.Zh), err), ballot.SayError(i18n.For(i18n.En), err)
	if zh != "职位“Deputy”的候选人“Bob”的职务含有不可见的控制字符，请删除后重新输入" || zh != ballot.ErrorMessage(err) {
		t.Errorf("Chinese: %q", zh)
	}
	if want := `The post of a candidate for "Deputy" "Bob" holds invisible control characters. Please remove them and type it again.`; en != want {
		t.Errorf("English: %q, want %q", en, want)
	}
}
