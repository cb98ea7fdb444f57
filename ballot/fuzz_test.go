package ballot

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"testing"
	"unicode"

	"minyi/survey"
)

// Hostile input: what a phone, a typed code or a downloaded file can carry. Each target
// holds the promises a user relies on: no panic, refusals with a stable code and a
// message in Chinese, and what is accepted counted as accepted.

func chinese(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// FuzzParseToken: any typed code parses to the one canonical token or is refused in
// Chinese; a parsed token reads back the same printed or bare.
func FuzzParseToken(f *testing.F) {
	for _, s := range []string{"ABCD-EFGH-JKMN-PQRS", "abcd efgh jkmn pqrs", "ＡＢＣＤ－ＥＦＧＨ", "OIL0-1111-2222-3333", "", "-", "ABCD-EFGH-JKMN-PQR", "ABCD-EFGH-JKMN-PQRSU", "\u3000abcd"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tok, err := ParseToken(s)
		if err != nil {
			if ErrorCode(err) == EINTERNAL || !chinese(ErrorMessage(err)) {
				t.Fatalf("%q: refused with %v", s, err)
			}
			return
		}
		for _, again := range []string{string(tok), tok.Grouped()} {
			if t2, err := ParseToken(again); err != nil || t2 != tok {
				t.Fatalf("%q parsed to %q, which reads back as %q, %v", s, tok, t2, err)
			}
		}
	})
}

// fuzzPoll has a form of every kind.
func fuzzPoll() *Poll {
	q, _ := survey.FromText("[单选] 总体评价\n好\n较好\n一般\n差\n\n[多选 1-2] 改进\n程序\n考察\n监督\n\n[评分] 打分\n\n[填空 50] 意见")
	return pollWith(
		Form{Kind: KindEvaluation, Title: "民主测评表", Evaluation: &Evaluation{Subjects: []Subject{{Name: "甲"}, {Name: "乙", Unit: "办公室"}},
			Indicators: []Indicator{{Name: "德"}, {Name: "能"}}}},
		markForm(2, "张三", "李四", "王五"),
		approvalForm(1, "赵六", "钱七"),
		Form{Kind: KindReview, Title: "一报告两评议", Review: &Review{Overall: "总体评价", Cadres: []Subject{{Name: "丙", Post: "科长"}}}},
		Form{Kind: KindScoring, Title: "述职述廉", Scoring: &Scoring{Subjects: []Subject{{Name: "丁"}}, Step: 1}},
		Form{Kind: KindSurvey, Title: "问卷", Survey: &Survey{Questionnaire: q}},
	)
}

// FuzzCheckBallot: a ballot as the API receives it is refused with a coded error, or
// accepted; an accepted ballot survives sealing's encoding unchanged and is counted.
func FuzzCheckBallot(f *testing.F) {
	p := fuzzPoll()
	for _, s := range []string{
		`{"forms":[{"form":"f1","lines":{"s1":["优秀"],"s2":["称职"],"s1/i1":["优秀"]}},{"form":"f2","lines":{"p1":["c1","+孙八"]}},{"form":"f3","lines":{"n1":["同意"]}},{"form":"f4","lines":{"overall":["好"],"c1":["认同"]}},{"form":"f5","lines":{"s1":["85.5"]}},{"form":"f6","lines":{"q1":["好"],"q2":["程序","监督"],"q3":["7"],"q4":["多听意见"]}}]}`,
		`{"forms":[{"form":"f1","lines":{"s1":["优秀","称职"]}}]}`,
		`{"forms":[{"form":"f9","lines":{}}]}`,
		`{"forms":[{"form":"f5","lines":{"s1":["101"]}}]}`,
		`{"forms":[{"form":"f2","lines":{"p1":["+","c1","c1"]}}]}`,
		`{"forms":[]}`,
		`{"forms":[{"form":"f1","lines":{}},{"form":"f2","lines":{"p1":["+孙\u0000八"]}},{"form":"f3","lines":{}},{"form":"f4","lines":{}},{"form":"f5","lines":{}},{"form":"f6","lines":{"q4":["意见\u0000"]}}]}`,
		`{"forms":[{"form":"f1","lines":{}},{"form":"f2","lines":{"p1":["+张\u200b三","+\u202e孙八"]}},{"form":"f3","lines":{}},{"form":"f4","lines":{}},{"form":"f5","lines":{}},{"form":"f6","lines":{"q4":["\ud800 👍🏽\u202e"]}}]}`,
	} {
		f.Add([]byte(s), false)
	}
	f.Fuzz(func(t *testing.T, data []byte, otherGroup bool) {
		var b Ballot
		d := json.NewDecoder(bytes.NewReader(data))
		d.DisallowUnknownFields()
		if d.Decode(&b) != nil {
			return
		}
		group := "g1"
		if otherGroup {
			group = "g2"
		}
		spoilt, err := p.CheckGroup(group, &b)
		if err != nil {
			if ErrorCode(err) == EINTERNAL || !chinese(ErrorMessage(err)) {
				t.Fatalf("refused with %v", err)
			}
			return
		}
		for _, sp := range spoilt {
			if sp.Label == "" || !sp.Blank && !chinese(sp.Reason) {
				t.Fatalf("a spoilt line without a label or reason: %+v", sp)
			}
		}
		plain, err := b.Encode()
		if err != nil {
			t.Fatal(err)
		}
		var back Ballot
		if err := json.Unmarshal(plain, &back); err != nil {
			t.Fatal(err)
		}
		spoilt2, err := p.CheckGroup(group, &back)
		if err != nil || len(spoilt2) != len(spoilt) {
			t.Fatalf("accepted, then after encoding: %d spoilt lines (were %d), %v", len(spoilt2), len(spoilt), err)
		}
		tally := Count(p, []Turnout{{Group: group, Issued: 1, Used: 1}}, []PlainBallot{{Group: group, Ballot: back}})
		if tally == nil || len(tally.Forms) != len(p.Forms) {
			t.Fatal("the count lost a form")
		}
		// Whatever the box accepted can be counted, and its tally stored.
		if tally.Rejected != 0 {
			t.Fatalf("accepted, then rejected at the count: %v", tally.Notes)
		}
		if body, err := json.Marshal(tally); err != nil || !jsonbTakes(t, body) {
			t.Fatalf("a tally jsonb would refuse: %s, %v", body, err)
		}
	})
}

// FuzzVerify: `minyi verify` and the public /verify page read any file: a bundle, however
// malformed, is checked and reported, never a crash. The content is signed here, so the
// checks go past the signature into the recount.
func FuzzVerify(f *testing.F) {
	signed, _ := signedBundle(f)
	f.Add(signed.Bundle)
	f.Add([]byte(`{"version":1,"tally":{},"poll":{"forms":[{"kind":"evaluation"}]}}`))
	f.Add([]byte(`{"version":1,"tally":{"forms":[]},"poll":{"groups":[{"id":"g1","expected":0}],"forms":[{"kind":"recommendation","recommendation":{"positions":[{"seats":0}]}}]},"ballots":[{"group":"g1","ballot":{"forms":[{"form":"f1","lines":{"p1":["c9"]}}]}}]}`))
	pub, key, _ := ed25519.GenerateKey(nil)
	f.Fuzz(func(t *testing.T, data []byte) {
		s := &Signed{Bundle: data, PublicKey: pub, Signature: ed25519.Sign(key, data)}
		checks, _ := Verify(s, pub)
		if len(checks) == 0 {
			t.Fatal("no checks reported")
		}
		for _, c := range checks {
			if !chinese(c.Name) {
				t.Fatalf("a check without a name: %+v", c)
			}
		}
	})
}
