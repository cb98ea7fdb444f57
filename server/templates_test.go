package server

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Every template parses (New fails otherwise) and every page a handler renders exists.
func TestEveryRenderedPageExists(t *testing.T) {
	s, err := New(Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("*.go")
	named := regexp.MustCompile(`"((?:staff|voter|screen|teller)/[a-z_]+)"`)
	seen := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range named.FindAllStringSubmatch(string(src), -1) {
			seen[m[1]] = true
			if !s.tpl.Has(m[1]) {
				t.Errorf("%s renders %q, which has no template", f, m[1])
			}
		}
	}
	for _, name := range s.tpl.Names() {
		if !seen[name] {
			t.Errorf("template %s is rendered by no handler", name)
		}
	}
}
