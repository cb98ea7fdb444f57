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

// translatedFiles are the Go files whose every ballot.Errorf message must be in the English
// catalogue: the voter's path and the login so far. Add a file here once its messages are
// in i18n/en/, until the list is every file that makes one.
var translatedFiles = []string{
	"server/auth.go", "server/lang.go", "server/middleware.go", "server/server.go", "server/voter.go",
	"server/api.go",
	"server/access.go", "server/actions_count.go", "server/actions_expected.go", "server/actions_file.go", "server/actions_open.go",
	"server/actions_poll.go", "server/actions_schedule.go", "server/actions_tokens.go", "server/app.go", "server/audit.go", "server/authenticate.go",
	"server/builder.go", "server/builder_form.go", "server/builder_poll.go", "server/builder_rules.go", "server/codes_download.go",
	"server/codes_form.go", "server/codes_issue.go", "server/codes_parts.go", "server/codes_stream.go", "server/config.go", "server/error_status.go",
	"server/errors.go", "server/funcs.go", "server/import_rows.go", "server/issue_batches.go", "server/issue_repeated.go", "server/issue_slips.go",
	"server/load.go", "server/page.go", "server/page_cadres.go", "server/page_ceremony.go", "server/page_count.go", "server/page_issue.go",
	"server/page_login.go", "server/page_paper.go", "server/page_poll_next.go", "server/page_verify.go", "server/poll_key.go",
	"server/poll_templates.go", "server/route.go", "server/say.go", "server/scope.go", "server/security.go", "server/selection_export.go",
	"server/teller_page.go", "server/teller_rounds.go", "server/teller_seat.go", "server/turnout.go",
	"ballot/errors.go", "ballot/token.go", "ballot/choice.go", "ballot/text.go",
	"ballot/ceremony/rounds.go", "ballot/ceremony/seat.go", "ballot/keyholder.go", "server/audit_text.go", "server/ceremony.go", "server/devcount.go", "server/issue.go", "server/live.go", "server/page_poll.go", "server/page_poll_actions.go", "server/page_poll_contact.go", "server/screen.go", "server/stream.go",
	"server/codes.go", "server/page_poll_year.go", "store/polls.go", "store/tokens.go",
	"ballot/approval.go", "ballot/evaluation.go", "ballot/keyholder.go", "ballot/lines.go", "ballot/poll.go", "ballot/ratio.go", "ballot/recommendation.go", "ballot/review.go", "ballot/rows.go", "ballot/scoring.go", "ballot/survey_form.go", "ballot/year.go", "server/actions.go", "server/count.go", "server/devcount.go", "server/issue.go", "server/page_deliveries.go", "server/page_poll_new.go", "server/page_poll_year.go", "server/paper.go",
	"records/records.go", "records/selection.go", "server/actions_admin.go", "server/actions_cadres.go", "server/actions_records.go", "server/actions_selections.go", "server/api_records.go", "server/import.go", "server/page_account.go", "server/page_admin.go", "server/page_records.go", "server/page_selections.go", "server/password.go", "store/records.go", "store/selections.go", "store/staff.go", "store/store.go", "store/units.go",
	"store/box.go", "store/tokens.go",
	// documents and the domain's remaining errors
	"report/fonts.go",
	"ballot/approval.go", "ballot/box3.go", "ballot/bundle.go", "ballot/bundle5.go", "ballot/cells.go", "ballot/ceremony/rounds.go",
	"ballot/ceremony/seat.go", "ballot/countsize.go", "ballot/evaluation.go", "ballot/keyholder.go", "ballot/lines.go", "ballot/poll.go",
	"ballot/ratio.go", "ballot/recommendation.go", "ballot/review.go", "ballot/rows.go", "ballot/scoring.go", "ballot/seal.go",
	"ballot/shares.go", "ballot/survey_form.go", "ballot/year.go",
	"records/records.go", "records/selection.go",
	"store/batch.go", "store/box.go", "store/boxsums.go", "store/bundle5.go", "store/ceremony.go", "store/count.go", "store/operations.go",
	"store/outbox.go", "store/paper.go", "store/polls.go", "store/records.go", "store/rehearsal.go", "store/selections.go",
	"store/sessions.go", "store/staff.go", "store/store.go", "store/tokens.go", "store/units.go",
	// the last strings built in code: refusals by role, verify notes, downloads' names, survey rows
	"server/codes.go", "server/issue.go", "server/live.go", "server/page_bundle.go", "server/routes.go", "server/screen.go", "server/stream.go",
	// a vote the server could not take now, to be sent again
	"live/batcher.go", "live/batcher_run.go",
	"ballot/codes.go",
}

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
// (Errorf inside ballot) in translatedFiles. A translated call whose message is not a
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
		errorsToo := slices.Contains(translatedFiles, rel)
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
				case fn.Name == "Errorf" && inBallot && errorsToo:
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
				case fn.Sel.Name == "Errorf" && x != nil && x.Name == "ballot" && errorsToo:
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
