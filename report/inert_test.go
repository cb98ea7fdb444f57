package report

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"io"
	"strings"
	"testing"

	"minyi/ballot"
)

// Neutralising is reversible: one leading apostrophe comes off and the text is as typed,
// whatever it began with.
func TestInert(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"=HYPERLINK(\"http://x\",\"y\")", "+cmd", "-1+1", "@SUM(1)", "\t=1", "\r=1", "'quoted", "''", "张三", "", "a=b", "—"} {
		got := Inert(s)
		if strings.ContainsAny(got[:min(1, len(got))], "=+-@\t\r") {
			t.Errorf("inert(%q) = %q still starts a formula", s, got)
		}
		if back := strings.TrimPrefix(got, "'"); back != s && !(got == s && !strings.HasPrefix(s, "'")) {
			t.Errorf("inert(%q) = %q does not read back", s, got)
		}
	}
	if Inert("张三") != "张三" || Inert("+cmd") != "'+cmd" || Inert("'x") != "''x" {
		t.Fatalf("inert: %q %q %q", Inert("张三"), Inert("+cmd"), Inert("'x"))
	}
}

// The list of codes in a ZIP of slips carries the group's name inert.
func TestSlipsCSVInert(t *testing.T) {
	t.Parallel()
	tok, err := ballot.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	body, err := SlipsZIP(&SlipBatch{Title: "测评", Group: "=HYPERLINK(\"http://x\",\"点我\")", Base: "http://127.0.0.1", Tokens: []ballot.Token{tok}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	z, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range z.File {
		if f.Name != "凭证清单.csv" {
			continue
		}
		r, _ := f.Open()
		raw, _ := io.ReadAll(r)
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(raw), "\ufeff"))).ReadAll()
		if err != nil || len(rows) != 2 || rows[1][1] != "'=HYPERLINK(\"http://x\",\"点我\")" {
			t.Fatalf("slips CSV: %q %v", rows, err)
		}
		return
	}
	t.Fatal("no 凭证清单.csv in the ZIP")
}
