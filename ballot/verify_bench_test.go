package ballot

import (
	"crypto/rand"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"sync"
	"testing"

	"github.com/cloudflare/circl/group"

	"minyi/ballot/elgamal"
	"minyi/survey"
)

// `minyi verify` of a counted ten-question survey of 300 voter groups, the shape of
// `minyi bench -survey-box`: MINYI_BENCH_BALLOTS ballots (2,000 unless set), each
// encrypted on its own, on every core. MINYI_BUNDLE_OUT keeps the bundle as
// BenchmarkVerifyBundle5x2000x30 does.
func BenchmarkVerifyBundle5Survey(b *testing.B) {
	n := 2000
	if v, err := strconv.Atoi(os.Getenv("MINYI_BENCH_BALLOTS")); err == nil && v > 0 {
		n = v
	}
	k, box, d, turnout := benchSurveyBox(b, 300, n)
	benchVerifyBox(b, k, box, d, turnout)
}

// benchSurveyBox is a box of n ballots of a ten-question survey (four options each, one
// to pick) spread over the given voter groups, with the poll key's one share.
func benchSurveyBox(b *testing.B, groups, n int) (*BoxKey, []SealedBallot, elgamal.Dealing, []Turnout) {
	b.Helper()
	options := []string{"满意", "基本满意", "不满意", "不了解"}
	var qs []survey.Question
	for i := range 10 {
		qs = append(qs, survey.Question{Kind: survey.Single, Title: fmt.Sprintf("第%d项服务评价", i+1), Options: options})
	}
	p := &Poll{ID: "p", Title: "满意度测评", Forms: []Form{{Kind: KindSurvey, Title: "满意度问卷", Survey: &Survey{Questionnaire: survey.Questionnaire{Questions: qs}}}}}
	turnout := make([]Turnout, groups)
	for i := range groups {
		id := fmt.Sprintf("g%03d", i+1)
		expected := n/groups + min(1, max(0, n%groups-i))
		p.Groups = append(p.Groups, Group{ID: id, Name: fmt.Sprintf("第%03d服务窗口", i+1), Expected: expected})
		turnout[i] = Turnout{Group: id, Issued: expected, Used: expected}
	}
	p.Normalize()
	if err := p.Validate(); err != nil {
		b.Fatal(err)
	}
	d := elgamal.Deal(1, 1, rand.Reader)
	k, err := NewBoxKey(p, elgamal.JointKey([][]group.Element{d.Commitments}).Bytes())
	if err != nil {
		b.Fatal(err)
	}
	var place []string
	for _, g := range p.Groups {
		for range g.Expected {
			place = append(place, g.ID)
		}
	}
	box := make([]SealedBallot, len(place))
	var wg sync.WaitGroup
	var failed error
	var once sync.Once
	workers := runtime.GOMAXPROCS(0)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(box); i += workers {
				lines := map[string][]string{}
				for q := range qs {
					lines[fmt.Sprintf("q%d", q+1)] = []string{options[mrand.IntN(len(options))]}
				}
				cells, texts, err := p.Marks(place[i], &Ballot{Forms: []FilledForm{{Form: "f1", Lines: lines}}})
				var sealed []byte
				if err == nil {
					sealed, err = k.Encrypt(k.Prepare(place[i], rand.Reader), cells, texts)
				}
				if err != nil {
					once.Do(func() { failed = err })
					return
				}
				box[i] = SealedBallot{Group: place[i], Sealed: sealed}
			}
		}()
	}
	wg.Wait()
	if failed != nil {
		b.Fatal(failed)
	}
	return k, box, d, turnout
}
