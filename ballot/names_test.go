package ballot

import (
	"crypto/ed25519"
	"reflect"
	"strings"
	"testing"
	"time"
)

// A name keeps one space between words of an alphabet and none between Chinese
// characters, and compares by its key, which has no space at all.
func TestNormalizeName(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ name, in, want, key string }{
		{"Chinese", "张三", "张三", "张三"},
		{"Chinese spaced", "张 三", "张三", "张三"},
		{"Chinese ideographic space", "张\u3000三", "张三", "张三"},
		{"Chinese tab", "张\t三", "张三", "张三"},
		{"Latin", "Zhang San", "Zhang San", "ZhangSan"},
		{"Latin joined", "ZhangSan", "ZhangSan", "ZhangSan"},
		{"Latin run of spaces", "Zhang  San", "Zhang San", "ZhangSan"},
		{"Latin three words", "  Mary\tAnn \r\n Lee ", "Mary Ann Lee", "MaryAnnLee"},
		{"no-break space", "Zhang\u00a0San", "Zhang San", "ZhangSan"},
		{"narrow no-break space", "Zhang\u202fSan", "Zhang San", "ZhangSan"},
		{"ideographic space between letters", "Zhang\u3000San", "Zhang San", "ZhangSan"},
		{"full-width", "Ｚｈａｎｇ　Ｓａｎ", "Zhang San", "ZhangSan"},
		{"full-width half spaced", "Ｚｈａｎｇ San", "Zhang San", "ZhangSan"},
		{"digits", "Li Si 2", "Li Si 2", "LiSi2"},
		{"full-width digits", "李四　２", "李四2", "李四2"},
		{"Cyrillic", "Иван  Петров", "Иван Петров", "ИванПетров"},
		{"Greek", "Νίκος Παππάς", "Νίκος Παππάς", "ΝίκοςΠαππάς"},
		{"mixed Chinese then Latin", "张 San", "张San", "张San"},
		{"mixed Latin then Chinese", "Zhang 三", "Zhang三", "Zhang三"},
		{"Hangul", "김 민수", "김민수", "김민수"},
		{"kana", "やまだ たろう", "やまだたろう", "やまだたろう"},
		{"middle dot", "买买提 · 艾力", "买买提·艾力", "买买提·艾力"},
		{"zero-width space between words", "Zhang\u200b San", "Zhang San", "ZhangSan"},
		{"zero-width space inside a word", "Zhang\u200bSan", "ZhangSan", "ZhangSan"},
		{"apostrophe and hyphen", "Seán O'Brien-Smith", "Seán O'Brien-Smith", "SeánO'Brien-Smith"},
		{"decomposed accent", "Sea\u0301n Lee", "Seán Lee", "SeánLee"},
		{"only spaces", " \t\u3000 ", "", ""},
	} {
		if got, key := NormalizeName(c.in), NameKey(c.in); got != c.want || key != c.key {
			t.Errorf("%s: %q spelled %q with key %q; want %q, %q", c.name, c.in, got, key, c.want, c.key)
		}
		if got, err := CleanText("姓名", c.in, TextName); err != nil || got != c.want {
			t.Errorf("%s: cleaned %q to %q, %v; want %q", c.name, c.in, got, err, c.want)
		}
	}
}

// Two spellings of one name are one person wherever names must differ: candidates of a
// position, nominees, subjects, reviewed cadres, scored subjects, tellers, an imported
// list.
func TestDuplicateNamesByKey(t *testing.T) {
	t.Parallel()
	base := func() *Poll {
		return &Poll{Title: "Meeting", Groups: []Group{{Name: "Staff", Expected: 10}}, Forms: []Form{markForm(1, "Zhang San", "Li Si")}}
	}
	for name, c := range map[string]struct {
		edit func(p *Poll)
		want string
	}{
		"candidates": {func(p *Poll) { p.Forms[0].Recommendation.Positions[0].Candidates[1].Name = "ZhangSan" }, "重复"},
		"nominees": {func(p *Poll) {
			p.Forms[0] = Form{Kind: KindApproval, Title: "表决", Approval: &Approval{Nominees: []Candidate{{Name: "Mary Ann Lee"}, {Name: "Ｍａｒｙ　ＡｎｎＬｅｅ"}}}}
		}, "重复"},
		"subjects": {func(p *Poll) {
			p.Forms[0] = Form{Kind: KindEvaluation, Title: "测评", Evaluation: &Evaluation{Subjects: []Subject{{Name: "Zhang San", Post: "Head"}, {Name: "ZhangSan", Post: "Head"}}}}
		}, "重复"},
		"reviewed cadres": {func(p *Poll) {
			p.Forms[0] = Form{Kind: KindReview, Title: "评议", Review: &Review{Cadres: []Subject{{Name: "Zhang San"}, {Name: "Zhang  San"}}}}
		}, "重复"},
		"scored subjects": {func(p *Poll) {
			p.Forms[0] = Form{Kind: KindScoring, Title: "打分", Scoring: &Scoring{Subjects: []Subject{{Name: "Zhang San"}, {Name: "Zhang\u00a0San"}}}}
		}, "重复"},
		"tellers": {func(p *Poll) { p.Tellers = []string{"Mary Lee", "MaryLee"} }, "重复"},
	} {
		p := base()
		c.edit(p)
		p.Normalize()
		if err := p.Validate(); ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), c.want) {
			t.Errorf("%s: %v, want refused as “%s”", name, err, c.want)
		}
	}
	p := base()
	p.Normalize()
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	if got := p.Forms[0].Recommendation.Positions[0].Candidates[0].Name; got != "Zhang San" {
		t.Errorf("a candidate is spelled %q", got)
	}
	if _, err := SubjectsFromRows([][]string{{"Zhang San", "Head"}, {"ZhangSan", "Head"}}); ErrorCode(err) != EINVALID {
		t.Errorf("a sheet naming one subject twice: %v", err)
	}
	if _, err := PositionsFromRows([][]string{{"Head", "1", "Zhang San"}, {"", "", "Ｚｈａｎｇ San"}}); ErrorCode(err) != EINVALID {
		t.Errorf("a sheet naming one candidate twice: %v", err)
	}
	if subs, err := SubjectsFromRows([][]string{{"Mary  Ann Lee", "Head"}}); err != nil || subs[0].Name != "Mary Ann Lee" {
		t.Errorf("a sheet's name: %+v, %v", subs, err)
	}
}

// namesPoll is a recommendation of one seat, "Mary Ann Lee" listed, others written in.
func namesPoll() *Poll { return pollWith(markForm(1, "Mary Ann Lee")) }

// writtenIn casts each mark as one ballot of group g1.
func writtenIn(p *Poll, marks ...string) []PlainBallot {
	var box []PlainBallot
	for _, m := range marks {
		box = append(box, cast(p, "g1", map[string][]string{"p1": {m}}))
	}
	return box
}

// Write-ins that differ by spacing or width are one person, shown in the spelling
// written most often (ties: the first in byte order, so the spaced one); a listed name
// written without its spaces counts for the listed candidate.
func TestWriteInsMergedByKey(t *testing.T) {
	t.Parallel()
	p := namesPoll()
	box := writtenIn(p, "+Zhang San", "+ZhangSan", "+Ｚｈａｎｇ San", "+Zhang  San",
		"+LiSi", "+Li Si", "+LiSi",
		"+Wang Wu", "+WangWu",
		"+MaryAnnLee", "+Ｍａｒｙ Ａｎｎ Ｌｅｅ")
	tl := Count(p, nil, box)
	if tl.Rejected != 0 {
		t.Fatalf("rejected %d: %v", tl.Rejected, tl.Notes)
	}
	type line struct {
		Name      string
		Votes     int
		WriteIn   bool
		Spellings []string
	}
	var got []line
	for _, c := range tl.Forms[0].Recommendation.Positions[0].Candidates {
		got = append(got, line{c.Name, c.Votes.Total, c.WriteIn, c.Spellings})
	}
	want := []line{
		{"Mary Ann Lee", 2, false, []string{"Mary Ann Lee", "MaryAnnLee", "Ｍａｒｙ Ａｎｎ Ｌｅｅ"}},
		{"Zhang San", 4, true, []string{"Zhang San", "ZhangSan", "Ｚｈａｎｇ San"}}, // "Zhang  San" is "Zhang San" at the door
		{"LiSi", 3, true, []string{"Li Si", "LiSi"}},                           // written so twice of three
		{"Wang Wu", 2, true, []string{"Wang Wu", "WangWu"}},                    // a tie: the spaced one
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("candidates\n%+v\nwant\n%+v", got, want)
	}
	// In any order of the box, the count shows the same.
	for i, j := 0, len(box)-1; i < j; i, j = i+1, j-1 {
		box[i], box[j] = box[j], box[i]
	}
	if again := Count(p, nil, box); !reflect.DeepEqual(again.Forms, tl.Forms) {
		t.Errorf("the box reversed counts otherwise:\n%+v\n%+v", again.Forms[0].Recommendation, tl.Forms[0].Recommendation)
	}
	// One voter cannot write one person twice in two spellings.
	b := cast(p, "g1", map[string][]string{"p1": {"+Zhang San", "+ZhangSan"}}).Ballot
	p.Forms[0].Recommendation.Positions[0].Seats = 2
	if _, err := p.Check(&b); ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), "被重复推荐") {
		t.Errorf("one person written twice: %v", err)
	}
}

// A bundle counted before names kept their spaces showed a written-in "Zhang San" as
// "ZhangSan": it still verifies, in the plain version and with the box's sums (version
// 4 and 5 recount the same way); a name changed otherwise, or a vote moved, still fails.
func TestBundleOfUnspacedNamesVerifies(t *testing.T) {
	t.Parallel()
	p := namesPoll()
	k, _ := NewPollKey()
	var sealed [][]byte
	box := writtenIn(p, "+Zhang San", "+Zhang San", "+ZhangSan", "+Li Si")
	for _, pb := range box {
		plain, _ := pb.Ballot.Encode()
		sb, _ := Seal(p.ID, k.Public, "g1", plain, p.PlainSize())
		sealed = append(sealed, sb)
	}
	turnout := []Turnout{{Group: "g1", Issued: 5, Used: 4}}
	_, key, _ := ed25519.GenerateKey(nil)
	sign := func(edit func(c []CandidateTally)) *Signed {
		tl := count(p, turnout, box, true, nil)
		b, err := NewBundle(p, turnout, sealed, box, tl, "test", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		edit(b.Tally.Forms[0].Recommendation.Positions[0].Candidates)
		signed, _ := Sign(b, key)
		return signed
	}
	verify := func(s *Signed) []Check { c, _ := Verify(s, key.Public().(ed25519.PublicKey)); return c }
	current := sign(func(c []CandidateTally) {
		if c[1].Name != "Zhang San" || c[2].Name != "Li Si" {
			t.Fatalf("written in: %q, %q", c[1].Name, c[2].Name)
		}
	})
	if checks := verify(current); !Verified(checks) {
		t.Fatalf("a current bundle fails: %s", failed(checks))
	}
	old := func(c []CandidateTally) { c[1].Name, c[2].Name = "ZhangSan", "LiSi" } // as the count spelled them before
	if checks := verify(sign(old)); !Verified(checks) {
		t.Errorf("a bundle of unspaced names fails: %s", failed(checks))
	}
	for name, edit := range map[string]func(c []CandidateTally){
		"another name":    func(c []CandidateTally) { c[1].Name = "Zhang Sam" },
		"another spacing": func(c []CandidateTally) { c[1].Name = "Zh angSan" },
		"a vote moved":    func(c []CandidateTally) { old(c); c[1].Votes.Total--; c[2].Votes.Total++ },
	} {
		if checks := verify(sign(edit)); Verified(checks) || failed(checks) != CheckRecount {
			t.Errorf("%s: failed %q", name, failed(checks))
		}
	}
}

// The same with the box's sums: a version 4 bundle, recounted from the tellers'
// decryptions of the sums and the written-in names opened one by one.
func TestBoxBundleOfUnspacedNamesVerifies(t *testing.T) {
	t.Parallel()
	p := namesPoll()
	dk := deal(t)
	k, err := NewBoxKey(p, dk.public)
	if err != nil {
		t.Fatal(err)
	}
	box, kept := encryptBox(t, k, p, writtenIn(p, "+Zhang San", "+Zhang San", "+ZhangSan", "+Li Si"))
	turnout := turnoutOf(kept)
	tl, s, partials, opened := tellersCount(t, k, dk, turnout, box, 1, 3)
	b, err := k.NewBundle4(turnout, box, s, partials, opened, dk.shares, 2, tl, "minyi test", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	_, key, _ := ed25519.GenerateKey(nil)
	c := b.Tally.Forms[0].Recommendation.Positions[0].Candidates
	if len(c) != 3 || c[1].Name != "Zhang San" || c[1].Votes.Total != 3 || c[2].Name != "Li Si" {
		t.Fatalf("counted %+v", c)
	}
	if f := failedChecks(verifyBundle(t, b, key)); len(f) > 0 {
		t.Fatalf("a current bundle fails: %q", f)
	}
	c[1].Name, c[2].Name = "ZhangSan", "LiSi"
	if f := failedChecks(verifyBundle(t, b, key)); len(f) > 0 {
		t.Errorf("a bundle of unspaced names fails: %q", f)
	}
	c[1].Name = "Zhang Sam"
	if f := failedChecks(verifyBundle(t, b, key)); len(f) != 1 || !strings.HasPrefix(f[0], CheckRecount) {
		t.Errorf("another name: %q", f)
	}
}

// In the builder's lines a name of several words is told from its post by a comma (or a
// tab, as pasted from Excel), and lists written back from a sheet or from a first round
// read back the same; Chinese lines read as they always did.
func TestNamesInTheBuildersLines(t *testing.T) {
	t.Parallel()
	subs, err := SubjectsFromLines("Mary Ann Lee, Director\nZhang San\tDeputy director\nAlice, Head\nLi  Si,\n张三 党委书记，局长\n李四 副局长")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range subs {
		got = append(got, s.Name+"|"+s.Post)
	}
	want := []string{"Mary Ann Lee|Director", "Zhang San|Deputy director", "Alice|Head", "Li  Si|", "张三|党委书记 局长", "李四|副局长"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("subjects %q, want %q", got, want)
	}
	rows := [][]string{{"Mary  Ann Lee", "Director"}, {"Zhang San", ""}, {"张三", "局长"}}
	subs, err = SubjectsFromRows(rows)
	text := SubjectsText(subs)
	if err != nil || text != "Mary Ann Lee, Director\nZhang San,\n张三 局长" {
		t.Fatalf("%q, %v", text, err)
	}
	if back, err := SubjectsFromLines(text); err != nil || !reflect.DeepEqual(back, subs) {
		t.Errorf("read back %+v, %v; want %+v", back, err, subs)
	}
	ps := []Position{{Title: "Deputy Director", Seats: 1, Candidates: []Candidate{{Name: "Wang Wei"}, {Name: "Mary Ann Lee", Post: "Head"}, {Name: "李四"}}}}
	back, err := PositionsFromText(PositionsText(ps))
	if err != nil || !reflect.DeepEqual(back, ps) {
		t.Errorf("positions read back %+v, %v; want %+v", back, err, ps)
	}
}

// A name's limits count its characters, not the spaces it keeps: "Christopher Alexander"
// (20 letters, 21 characters) is a name of 20, as it was when its space was dropped.
func TestNameLimitsCountLetters(t *testing.T) {
	t.Parallel()
	long := "Christopher Alexander"
	p := pollWith(markForm(1, long))
	p.Tellers, p.TellerQuorum, p.KeyHolder = []string{long}, 1, KeyTellers
	p.Forms = append(p.Forms, Form{Kind: KindApproval, Title: "表决", Approval: &Approval{Nominees: []Candidate{{Name: long}}}})
	p.Normalize()
	if err := p.Validate(); err != nil || p.Forms[0].Recommendation.Positions[0].Candidates[0].Name != long {
		t.Fatalf("%v, %+v", err, p.Forms[0].Recommendation.Positions[0].Candidates)
	}
	if _, err := SubjectsFromRows([][]string{{long, "Head"}}); err != nil {
		t.Error(err)
	}
	p.Forms[1].Approval.Nominees[0].Name = long + "s"
	if err := p.Validate(); ErrorCode(err) != EINVALID {
		t.Errorf("a name of 21 letters: %v", err)
	}
}
