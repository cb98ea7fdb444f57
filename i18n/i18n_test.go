package i18n

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestI18nPrinter(t *testing.T) {
	en, zh, ps := For(En), For(Zh), For(Pseudo)
	cases := []struct {
		p    *Printer
		id   string
		args []any
		want string
	}{
		{zh, "共 %d 张选票", []any{12345}, "共 12345 张选票"}, // Chinese stays fmt's, digits ungrouped as before
		{en, "共 %d 张选票", []any{1}, "1 ballot"},
		{en, "共 %d 张选票", []any{2}, "2 ballots"},
		{en, "共 %d 张选票", []any{12345}, "12,345 ballots"},
		{en, "民意", nil, "Minyi"},
		{zh, "民意", nil, "民意"},
		{ps, "民意", nil, "⟦Míñyí⟧"},
		{en, "没有这条消息 %d", []any{1}, "没有这条消息 1"},
		{ps, "没有这条消息", nil, "没有这条消息"}, // unmarked: the pseudo-locale test must see it
	}
	for _, c := range cases {
		if got := c.p.T(c.id, c.args...); got != c.want {
			t.Errorf("%s: T(%q, %v) = %q, want %q", c.p.Lang(), c.id, c.args, got, c.want)
		}
	}
}

func TestI18nHTMLEscapesArguments(t *testing.T) {
	got := string(For(Zh).HTML("共 %d 张选票 %s", 2, "<b>"))
	if got != "共 2 张选票 &lt;b&gt;" {
		t.Fatalf("HTML = %q", got)
	}
	if got := pseudo(`Go to <a href="/x">the page</a> &amp; more`, true); got != `⟦Gö tö <a href="/x">thé págé</a> &amp; möré⟧` {
		t.Fatalf("pseudo = %q", got)
	}
}

func TestI18nMatch(t *testing.T) {
	for h, want := range map[string]Lang{"": Zh, "en-US,en;q=0.9": En, "zh-CN,zh;q=0.9,en;q=0.8": Zh, "en-GB,zh;q=0.5": En, "fr-FR": Zh, "zh-TW": Zh, "garbage;;": Zh} {
		if got := Match(h); got != want {
			t.Errorf("Match(%q) = %s, want %s", h, got, want)
		}
	}
}

func TestI18nLoadRefusesDuplicatesAndEmpties(t *testing.T) {
	for name, files := range map[string]fstest.MapFS{
		"twice in a file": {"en/a.json": {Data: []byte(`{"投票": "Vote", "投票": "Ballot"}`)}},
		"in two files":    {"en/a.json": {Data: []byte(`{"投票": "Vote"}`)}, "en/b.json": {Data: []byte(`{"投票": "Vote"}`)}},
		"empty":           {"en/a.json": {Data: []byte(`{"投票": " "}`)}},
		"plural no arg":   {"en/a.json": {Data: []byte(`{"%d 票": {"one": "%d vote", "other": "%d votes"}}`)}},
	} {
		if _, err := Load(files); err == nil {
			t.Errorf("%s: loaded", name)
		} else if !strings.Contains(err.Error(), "en/") {
			t.Errorf("%s: error %q does not name the file", name, err)
		}
	}
}
