package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"minyi/ballot"
	"minyi/survey"
)

// An organizer reading in English downloads example sheets in English: each header says
// its English after the Chinese word the import looks for, the examples are English, and
// the kinds of question stay the Chinese words the import reads. Filled in as they come,
// the sheets import as they are in Chinese.
func TestSampleSheetsInEnglish(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	sheet := func(lang, list string) [][]string {
		t.Helper()
		c, _ := e.browser("admin")
		base, _ := url.Parse(e.base)
		c.Jar.SetCookies(base, []*http.Cookie{{Name: "lang", Value: lang, Path: "/"}})
		status, body := e.get(c, "/samples/"+list+".xlsx")
		if status != 200 {
			t.Fatalf("%s sample in %s: %d", list, lang, status)
		}
		x, err := excelize.OpenReader(strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer x.Close()
		rows, err := x.GetRows(x.GetSheetList()[0])
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	for _, list := range []string{"subjects", "positions", "questions"} {
		zh, en := sheet("zh", list), sheet("en", list)
		if len(zh) != len(en) {
			t.Fatalf("%s: %d rows in Chinese, %d in English", list, len(zh), len(en))
		}
		for j, head := range zh[0] {
			if strings.Contains(head, "/ ") || !strings.HasPrefix(en[0][j], head+" / ") || cjkRun.MatchString(strings.TrimPrefix(en[0][j], head+" / ")) && j != 0 {
				t.Errorf("%s: header %q in Chinese, %q in English", list, head, en[0][j])
			}
		}
		switch list {
		case "subjects":
			s, err := ballot.SubjectsFromRows(en)
			if err != nil || len(s) != 2 || s[0].Post != "Director" {
				t.Errorf("the English list of subjects imports as %+v, %v", s, err)
			}
		case "positions":
			ps, err := ballot.PositionsFromRows(en)
			if err != nil || len(ps) != 2 || ps[0].Title != "Deputy director" || ps[0].Seats != 2 {
				t.Errorf("the English positions import as %+v, %v", ps, err)
			}
		case "questions":
			qz, errZ := survey.FromRows(zh)
			q, err := survey.FromRows(en)
			if err != nil || errZ != nil || len(q.Questions) != len(qz.Questions) || len(q.Questions) != 6 {
				t.Fatalf("the English questionnaire imports as %d questions (%v), the Chinese %d (%v)", len(q.Questions), err, len(qz.Questions), errZ)
			}
			for i, x := range q.Questions {
				if x.Kind != qz.Questions[i].Kind || cjkRun.MatchString(x.Title) || strings.Join(x.Options, "") != "" && cjkRun.MatchString(strings.Join(x.Options, "/")) {
					t.Errorf("question %d in English: %+v (in Chinese %+v)", i+1, x, qz.Questions[i])
				}
			}
		}
	}
}
