package server_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"minyi/ballot"
	"minyi/frontend"
	"minyi/i18n"
	"minyi/records"
)

// messageUse is where a message ID is used.
type messageUse struct{ id, at string }

// templateMessages finds {{t "…"}}, {{th `…`}} and (t "…" …) in every template.
var templateCall = regexp.MustCompile("[{(]-?\\s*(?:t|th)\\s+(\"(?:[^\"\\\\]|\\\\.)*\"|`[^`]*`)")

func templateMessages(t *testing.T) []messageUse {
	src, err := frontend.Source()
	if err != nil {
		t.Fatal(err)
	}
	var out []messageUse
	for name, text := range src {
		for _, m := range templateCall.FindAllStringSubmatchIndex(text, -1) {
			id, err := strconv.Unquote(text[m[2]:m[3]])
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			line := strings.Count(text[:m[0]], "\n") + 1
			out = append(out, messageUse{id, name + ":" + strconv.Itoa(line)})
		}
	}
	return out
}

// goMessages walks every Go file of the module (tests aside) for the calls that translate:
// tr(c, "…"), printer.T("…"), printer.HTML("…"), i18n.N("…") anywhere, and ballot.Errorf
// (Errorf inside ballot) in every file. A translated call whose message is not a
// literal cannot be checked and is reported as such.
func goMessages(t *testing.T) []messageUse {
	root := ".."
	var out []messageUse
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || d.Name() == "vendor" || strings.HasPrefix(d.Name(), ".")) && p != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			return err
		}
		inBallot := f.Name.Name == "ballot"
		ast.Inspect(f, func(n ast.Node) bool {
			// A spoilt line's reason and label (ballot.Spoilt, survey.Invalid) as the voter reads them.
			if lit, ok := n.(*ast.CompositeLit); ok && (f.Name.Name == "ballot" || f.Name.Name == "survey") {
				// typed, or inside a []Spoilt{{…}} where the type is left out
				if typ, ok := lit.Type.(*ast.Ident); lit.Type == nil || ok && (typ.Name == "Spoilt" || typ.Name == "Invalid") {
					for _, el := range lit.Elts {
						kv, ok := el.(*ast.KeyValueExpr)
						if !ok {
							continue
						}
						key, _ := kv.Key.(*ast.Ident)
						val, ok := kv.Value.(*ast.BasicLit)
						if key != nil && ok && val.Kind == token.STRING && (key.Name == "Reason" || key.Name == "Format" || key.Name == "Label" && hasKey(lit, "Reason")) {
							id, _ := strconv.Unquote(val.Value)
							out = append(out, messageUse{id, rel + ":" + strconv.Itoa(fset.Position(val.Pos()).Line)})
						}
					}
				}
			}
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			// A /verify check, add(name, ok, note, args…): its name and its note's format
			// are said in the reader's language (names kept in constants are listed below).
			if fn, ok := call.Fun.(*ast.Ident); ok && fn.Name == "add" && inBallot && strings.HasPrefix(filepath.Base(rel), "bundle") && len(call.Args) >= 3 {
				for _, a := range []ast.Expr{call.Args[0], call.Args[2]} {
					if l, ok := a.(*ast.BasicLit); ok && l.Kind == token.STRING {
						id, _ := strconv.Unquote(l.Value)
						out = append(out, messageUse{id, rel + ":" + strconv.Itoa(fset.Position(l.Pos()).Line)})
					}
				}
				return true
			}
			arg := -1
			switch fn := call.Fun.(type) {
			case *ast.Ident:
				switch {
				case fn.Name == "tr":
					arg = 1
				case fn.Name == "spoiltf" && inBallot:
					arg = 2
					if l, ok := call.Args[1].(*ast.BasicLit); ok && l.Kind == token.STRING { // a label of the ballot's own
						id, _ := strconv.Unquote(l.Value)
						out = append(out, messageUse{id, rel + ":" + strconv.Itoa(fset.Position(l.Pos()).Line)})
					}
				case fn.Name == "Errorf" && inBallot:
					arg = 1
				case fn.Name == "errorf" && f.Name.Name == "survey": // a questionnaire's problem, said again by errText
					arg = 0
				case fn.Name == "fieldf" && inBallot: // a field's name in a refusal (ballot.Field)
					arg = 0
				}
			case *ast.SelectorExpr:
				x, _ := fn.X.(*ast.Ident)
				switch {
				case fn.Sel.Name == "T" || fn.Sel.Name == "HTML":
					arg = 0
				case fn.Sel.Name == "N" && x != nil && x.Name == "i18n":
					arg = 0
				case fn.Sel.Name == "Errorf" && x != nil && x.Name == "ballot":
					arg = 1
				}
			}
			if arg < 0 || len(call.Args) <= arg {
				return true
			}
			at := rel + ":" + strconv.Itoa(fset.Position(call.Pos()).Line)
			lit, ok := call.Args[arg].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				if fn, ok := call.Fun.(*ast.SelectorExpr); ok && (fn.Sel.Name == "T" || fn.Sel.Name == "HTML") {
					return true // a printer's T on a value (a term, a stored message): not a call site of the catalogue
				}
				t.Errorf("%s: the message is not a string literal, so the catalogue test cannot check it", at)
				return true
			}
			id, _ := strconv.Unquote(lit.Value)
			out = append(out, messageUse{id, at})
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// hasKey is whether a composite literal sets the field.
func hasKey(lit *ast.CompositeLit, name string) bool {
	for _, el := range lit.Elts {
		if kv, ok := el.(*ast.KeyValueExpr); ok {
			if k, ok := kv.Key.(*ast.Ident); ok && k.Name == name {
				return true
			}
		}
	}
	return false
}

var verb = regexp.MustCompile(`%(?:\[\d+\])?[-+# 0]*\d*(?:\.\d+)?[a-zA-Z%]`)

func verbs(s string) []string {
	var out []string
	for _, v := range verb.FindAllString(s, -1) {
		if v != "%%" {
			out = append(out, v[len(v)-1:])
		}
	}
	sort.Strings(out)
	return out
}

// TestI18nCatalogueComplete fails on a message used by a template or by Go code that the
// English catalogue lacks, and on an English message whose printf verbs differ from its
// Chinese ID's (it would print %!d(MISSING) or drop a number).
func TestI18nCatalogueComplete(t *testing.T) {
	t.Parallel()
	uses := append(templateMessages(t), goMessages(t)...)
	// messages named by a constant rather than written at their call
	uses = append(uses, messageUse{ballot.InternalMessage, "ballot.InternalMessage"})
	for _, id := range []string{ballot.CheckSignature, ballot.CheckSigner, ballot.CheckFormat, ballot.CheckRecount, ballot.UnknownSigner} {
		uses = append(uses, messageUse{id, "ballot's check names"})
	}
	for _, id := range append(append([]string{}, ballot.KeyNotes...), ballot.StepHints...) {
		uses = append(uses, messageUse{id, "ballot.KeyNotes, ballot.StepHints"})
	}
	// the sentences the count signs in Chinese and ballot.Say tells again, and the
	// thresholds' names they hold
	for _, id := range append(append(ballot.Sentences(), ballot.FractionNames()...), records.SummaryFormats()...) {
		uses = append(uses, messageUse{id, "ballot.Sentences, ballot.FractionNames"})
	}
	if len(uses) < 50 {
		t.Fatalf("only %d message uses found: the walk lost its way", len(uses))
	}
	missing := map[string][]string{}
	for _, u := range uses {
		if !i18n.Has(u.id) {
			missing[u.id] = append(missing[u.id], u.at)
		}
	}
	var ids []string
	for id := range missing {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		t.Errorf("no English for %q (used at %s): add it to i18n/en/", id, strings.Join(missing[id], ", "))
	}
	for id, file := range i18n.IDs() {
		en, _ := i18n.English(id)
		if zh, e := verbs(id), verbs(en); !slices.Equal(zh, e) {
			t.Errorf("%s: %q has verbs %v but its English %q has %v", file, id, zh, en, e)
		}
	}
	// The rule terms a ballot shows as options: an English voter reads them beside their Chinese.
	for _, list := range [][]string{ballot.AgreeOptions, ballot.OverallOptions, ballot.CadreOptions} {
		for _, term := range list {
			if !i18n.HasTerm(term) {
				t.Errorf("no English for the term %q: add it to i18n/en/terms.json", term)
			}
		}
	}
}
