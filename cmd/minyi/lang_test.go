package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"minyi/ballot"
	"minyi/ballot/elgamal"
	"minyi/i18n"
	"minyi/pgembed"
)

// chinese finds Chinese text and punctuation in a command's output.
var chinese = regexp.MustCompile(`[\p{Han}\x{3000}-\x{303F}\x{FF00}-\x{FFEF}“”]+`)

// saysInEnglish fails the test if out, what a command printed, has Chinese left in it or
// lacks one of wants.
func saysInEnglish(t *testing.T, what, out string, wants ...string) {
	t.Helper()
	if left := chinese.FindAllString(out, -1); len(left) > 0 {
		t.Errorf("%s says in Chinese %q:\n%s", what, left, out)
	}
	for _, w := range wants {
		if !strings.Contains(out, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, out)
		}
	}
}

// The language of the commands: -lang first, then the first of LC_ALL, LC_MESSAGES and
// LANG that is set; English for en…, Chinese for anything else and when nothing is set.
func TestVerifyTellerLanguageChoice(t *testing.T) {
	for _, c := range []struct {
		flag string
		env  map[string]string
		want i18n.Lang
	}{
		{"", nil, i18n.Zh},
		{"", map[string]string{"LANG": "en_US.UTF-8"}, i18n.En},
		{"", map[string]string{"LANG": "C.UTF-8"}, i18n.Zh},
		{"", map[string]string{"LANG": "zh_CN.UTF-8", "LC_MESSAGES": "en_GB"}, i18n.En},
		{"", map[string]string{"LANG": "en_US.UTF-8", "LC_MESSAGES": "zh_CN.UTF-8"}, i18n.Zh},
		{"", map[string]string{"LC_ALL": "en", "LC_MESSAGES": "zh_CN.UTF-8"}, i18n.En},
		{"", map[string]string{"LC_ALL": "POSIX", "LANG": "en_US.UTF-8"}, i18n.Zh},
		{"zh", map[string]string{"LANG": "en_US.UTF-8"}, i18n.Zh},
		{"en", nil, i18n.En},
	} {
		p, err := cliLang(c.flag, func(k string) string { return c.env[k] })
		if err != nil || p.Lang() != c.want {
			t.Errorf("-lang %q with %v: %v %v, want %v", c.flag, c.env, p.Lang(), err, c.want)
		}
	}
	if _, err := cliLang("fr", os.Getenv); err == nil {
		t.Error("-lang fr is taken")
	}
	if got := langArg([]string{"count", "https://x/t/a", "-file", "f", "--lang=en"}); got != "en" {
		t.Errorf("langArg: %q", got)
	}
	if got := langArg([]string{"-lang", "zh", "https://x/t/a"}); got != "zh" {
		t.Errorf("langArg: %q", got)
	}
}

// An organizer's key made and used with `minyi teller -lang en` and `minyi teller count`
// under an English locale, and the bundle checked with `minyi verify -lang en`: every line
// they print, the backup file they write and the refusals they give read in English (the
// poll's data is ASCII); `-lang zh` under the same locale speaks Chinese as before.
func TestVerifyTellerInEnglish(t *testing.T) {
	a := adminAPI(t)
	var units struct{ Units []struct{ ID string } }
	a.call("GET", "/api/v1/units", nil, 200, &units)
	var p pollRef
	a.call("POST", "/api/v1/polls", map[string]any{"title": "Verify Test", "unit_id": units.Units[0].ID,
		"groups": []map[string]any{{"name": "Staff", "expected": 2}},
		"forms":  []map[string]any{{"kind": "evaluation", "title": "Evaluation", "evaluation": map[string]any{"subjects": []map[string]string{{"name": "Alice", "post": "Head"}}}}},
	}, 201, &p)
	var toks struct{ Tokens []struct{ Code string } }
	a.call("POST", "/api/v1/polls/"+p.ID+"/tokens", map[string]any{"group_id": p.Groups[0].ID, "count": 2}, 201, &toks)

	var links struct{ Links []struct{ URL string } }
	postJSON(t, app.base+"/api/v1/polls/"+p.ID+"/ceremony", a.token, nil, &links)
	if len(links.Links) != 1 {
		t.Fatalf("the organizer's ceremony has %d seats", len(links.Links))
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "organizer.txt")
	var out bytes.Buffer
	if err := Main(context.Background(), []string{"teller", "-lang", "en", "-url", links.Links[0].URL, "-share", file, "-every", "100ms"}, &out, &out); err != nil {
		t.Fatalf("minyi teller -lang en: %v\n%s", err, out.String())
	}
	saysInEnglish(t, "minyi teller -lang en", out.String(), "the key is made on this device", "Ready. The backup of the key share is in "+file)
	backup, _ := os.ReadFile(file)
	saysInEnglish(t, "the backup file", string(backup))
	var code string
	for _, line := range strings.Split(string(backup), "\n") {
		if _, _, err := elgamal.DecodeShare(p.ID, line); err == nil {
			code = line
		}
	}
	if code == "" {
		t.Fatalf("no share code in the English backup:\n%s", backup)
	}
	out.Reset()
	err := Main(context.Background(), []string{"teller", "-lang", "en", "-url", links.Links[0].URL, "-share", file}, &out, &out)
	if err == nil {
		t.Fatal("a backup file is overwritten")
	}
	saysInEnglish(t, "the refusal to overwrite a backup", err.Error(), "already exists")

	a.call("POST", "/api/v1/polls/"+p.ID+"/open", nil, 200, nil)
	var cast struct{ Receipt string }
	a.call("POST", "/api/v1/ballot/"+toks.Tokens[0].Code, map[string]any{"ballot": map[string]any{"forms": []map[string]any{{"form": "f1", "lines": map[string][]string{"s1": {"称职"}}}}}}, 200, &cast)
	a.call("POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	postJSON(t, app.base+"/api/v1/polls/"+p.ID+"/count", a.token, nil, nil)
	postJSON(t, app.base+"/api/v1/polls/"+p.ID+"/ceremony", a.token, nil, &links)

	// The refusals given before the server is asked, under an English locale.
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "")
	t.Setenv("LANG", "en_US.UTF-8")
	said, err := runMinyi(strings.NewReader(""), "teller", "count", links.Links[0].URL)
	if err == nil {
		t.Fatal("teller count with nothing on standard input")
	}
	saysInEnglish(t, "teller count with nothing typed", said, "No share code read")
	if err := Main(context.Background(), []string{"teller", "count", "-code", code, links.Links[0].URL}, io.Discard, io.Discard); err == nil {
		t.Fatal("a share code on the command line is taken")
	} else {
		saysInEnglish(t, "the refusal of a share code on the command line", err.Error(), "must not stand on the command line")
	}
	said, err = runMinyi(strings.NewReader(code+"\n"), "teller", "count", links.Links[0].URL, "-every", "100ms")
	if err != nil {
		t.Fatalf("minyi teller count in English: %v\n%s", err, said)
	}
	saysInEnglish(t, "minyi teller count", said, "Opened. The count is done.")

	bundle := filepath.Join(dir, "bundle.zip")
	os.WriteFile(bundle, getRaw(t, app.base+"/api/v1/polls/"+p.ID+"/bundle", a.token), 0o600)
	fp := aboutFingerprint(t, app.base)
	verify := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := Main(context.Background(), append([]string{"verify"}, args...), &out, io.Discard)
		return out.String(), err
	}
	said, err = verify("-key", fp, "-receipt", cast.Receipt, bundle)
	if err != nil {
		t.Fatalf("verify in English: %v\n%s", err, said)
	}
	saysInEnglish(t, "minyi verify", said, "Verify Test (1 ballot, counted ", "Check code ", "[pass] Signature", "Verified", "Receipt "+cast.Receipt+" is in the box: ballot no. 1")
	said, err = verify(bundle)
	if err == nil {
		t.Fatalf("verify with no key passes:\n%s", said)
	}
	saysInEnglish(t, "minyi verify with no key", said+err.Error(), "[FAIL] Signer", "the signer is unknown")
	said, err = verify("-lang", "en", "-key", fp, "-receipt", "ZZZZ-ZZZZ-ZZZZ-ZZZZ", bundle)
	if err == nil {
		t.Fatalf("a receipt not cast is found:\n%s", said)
	}
	saysInEnglish(t, "minyi verify of a receipt not cast", said+err.Error(), "is not in this file's box", "receipt not found")
	if said, err = verify("-lang", "zh", "-key", fp, bundle); err != nil || !strings.Contains(said, "核验通过") || !strings.Contains(said, "[通过] 签名") {
		t.Fatalf("verify -lang zh under an English locale: %v\n%s", err, said)
	}
}

// The operator's commands speak as verify and teller do: `minyi audit verify`, `migrate`
// and `admin password` by -lang or the locale, their refusals too, and what `minyi serve`
// prints at start (where to log in, the first password) reads in either language, the
// address and the password where a script finds them.
func TestOperatorCommandsInEnglish(t *testing.T) {
	adminAPI(t).evaluationPoll("审计测试（英文）", []string{"张三"}, 1)
	run := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := Main(context.Background(), args, &out, io.Discard)
		return out.String(), err
	}
	said, err := run("audit", "verify", "-lang", "en", "-data", app.data)
	if err != nil {
		t.Fatalf("audit verify -lang en: %v", err)
	}
	saysInEnglish(t, "minyi audit verify -lang en", said, "Audit log intact: ", " entries")
	said, err = run("migrate", "-lang", "en", "-data", app.data)
	if err != nil {
		t.Fatalf("migrate -lang en: %v", err)
	}
	saysInEnglish(t, "minyi migrate -lang en", said, "The database schema is up to date")
	if _, err = run("admin", "password", "nobody_here", "-lang", "en", "-data", app.data); err == nil {
		t.Fatal("a password set for an account that does not exist")
	}
	saysInEnglish(t, "minyi admin password of nobody", err.Error(), "No account has the user name nobody_here")
	// A read replica's address that names the primary is refused at start, in its words.
	pg, err := pgembed.Start(ctx, filepath.Join(app.data, "pg"), pgembed.Options{}) // the app's, running: reused
	if err != nil {
		t.Fatal(err)
	}
	// Bounded: a serve that took the address would serve until stopped, then end well.
	bounded, stop := context.WithTimeout(context.Background(), 20*time.Second)
	err = Main(bounded, []string{"serve", "-lang", "en", "-data", app.data, "-addr", "127.0.0.1:0", "-read-database-url", pg.URL("minyi")}, io.Discard, io.Discard)
	stop()
	if err == nil {
		t.Fatal("minyi serve took the primary's address for a read replica")
	}
	saysInEnglish(t, "minyi serve with the primary as its read replica", err.Error(), "names a primary, not a standby")
	if _, err = run("audit", "check", "-lang", "en"); err == nil {
		t.Fatal("minyi audit check is taken")
	}
	saysInEnglish(t, "the usage of minyi audit", err.Error(), "usage: minyi audit verify")

	// A log changed after the fact, said in either language.
	var log []ballot.AuditEntry
	var prev []byte
	for i := 1; i <= 3; i++ {
		e := ballot.AuditEntry{Seq: int64(i), At: time.Date(2026, 11, 25, 9, 0, i, 0, time.UTC), Actor: "a", ActorName: "管理员", Action: "poll.open", Prev: prev}
		e.Hash = e.ComputeHash()
		prev = e.Hash
		log = append(log, e)
	}
	log[1].ActorName = "别人"
	broken := ballot.VerifyAudit(log)
	if broken == nil {
		t.Fatal("a changed audit entry passes")
	}
	saysInEnglish(t, "a changed audit entry", ballot.SayError(i18n.For(i18n.En), broken), "audit entry 2: its content does not match its hash")
	if zh := ballot.SayError(i18n.For(i18n.Zh), broken); !strings.Contains(zh, "审计日志第 2 条的内容与其哈希不符") {
		t.Errorf("a changed audit entry in Chinese: %q", zh)
	}

	// The server's welcome, in each language.
	at := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}
	var out bytes.Buffer
	printFirstAdmin(&out, i18n.For(i18n.En), "s3cret-PW")
	printWelcome(&out, i18n.For(i18n.En), at)
	saysInEnglish(t, "minyi serve in English", out.String(), "First admin account: username admin, password s3cret-PW", "Minyi is running.", "organizers log in at: http://127.0.0.1:8080/login")
	for _, lang := range []i18n.Lang{i18n.En, i18n.Zh} {
		out.Reset()
		printFirstAdmin(&out, i18n.For(lang), "s3cret-PW")
		printWelcome(&out, i18n.For(lang), at)
		if m := firstPassword.FindStringSubmatch(out.String()); m == nil || m[1] != "s3cret-PW" {
			t.Errorf("%s: the first password is not found in\n%s", lang, out.String())
		}
		if m := loginAddress.FindStringSubmatch(out.String()); m == nil || m[1] != "http://127.0.0.1:8080" {
			t.Errorf("%s: the address is not found in\n%s", lang, out.String())
		}
	}

	// The locale, and -lang over it.
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "")
	t.Setenv("LANG", "en_US.UTF-8")
	if said, err = run("audit", "verify", "-data", app.data); err != nil {
		t.Fatalf("audit verify under an English locale: %v", err)
	}
	saysInEnglish(t, "minyi audit verify under an English locale", said, "Audit log intact: ")
	if said, err = run("audit", "verify", "-lang", "zh", "-data", app.data); err != nil || !strings.HasPrefix(said, "审计日志完好：共 ") {
		t.Fatalf("audit verify -lang zh under an English locale: %v %q", err, said)
	}
	// serve refuses a secret too short before it starts anything, in the locale's words.
	t.Setenv("MINYI_SECRET", "too short")
	if _, err = run("serve", "-addr", "127.0.0.1:0", "-data", t.TempDir()); err == nil {
		t.Fatal("serve takes a secret of nine bytes")
	}
	saysInEnglish(t, "serve's refusal of a short secret", err.Error(), "MINYI_SECRET must be at least 32 bytes")
}
