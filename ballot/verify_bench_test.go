package ballot

import (
	"crypto/rand"
	"encoding/binary"
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

// BenchmarkVerifyBundle5SurveySimulated is BenchmarkVerifyBundle5Survey with the ballots
// made by a shortcut (simulatedSurveyBox), so that a box of 100,000 can be made in minutes
// here: the verifier does every bit of the work it does for sealed ballots. With
// MINYI_BUNDLE_ONLY set it writes the bundle (MINYI_BUNDLE_OUT) and stops, for `minyi
// verify` to be measured on it as a process of its own.
func BenchmarkVerifyBundle5SurveySimulated(b *testing.B) {
	n := 2000
	if v, err := strconv.Atoi(os.Getenv("MINYI_BENCH_BALLOTS")); err == nil && v > 0 {
		n = v
	}
	k, box, d, turnout, kept := simulatedSurveyBox(b, 300, n)
	benchVerifyBoxSums(b, k, box, d, turnout, func() *BoxSums {
		return k.sum(func(yield func(boxEntry) bool) {
			for _, sb := range box {
				if !yield(boxEntry{group: sb.Group, marks: sb.Sealed, texts: true}) {
					return
				}
			}
		}, turnout, kept)
	})
}

// simulatedSurveyBox is benchSurveyBox's poll and box made cheaply, with the sums of each
// group kept as the sealing instance keeps them. Each ballot's proofs are valid, but made
// with randomness that steps by one (r, r+1, …: each point one addition from the last),
// every simulated branch's challenge 1, and nine of its ten lines repeated from another
// ballot of its group: a verifier does the same work, and a ballot costs the encodings and
// hashes of one line instead of some 500 multiplications. Never a way to seal a vote:
// anyone who knew one ballot's randomness would know every other's.
func simulatedSurveyBox(b *testing.B, groups, n int) (*BoxKey, []SealedBallot, elgamal.Dealing, []Turnout, map[string]*keptGroup) {
	b.Helper()
	k, d, turnout := benchSurveyPoll(b, groups, n)
	if k.size != k.marks {
		b.Fatal("the survey has text slots")
	}
	p := k.poll
	var place []int
	for i := range p.Groups {
		for range p.Groups[i].Expected {
			place = append(place, i)
		}
	}
	g, gen := group.Ristretto255, group.Ristretto255.Generator()
	K, err := elgamal.ParsePoint(k.public)
	if err != nil {
		b.Fatal(err)
	}
	one := g.NewScalar().SetUint64(1)
	cells := k.layout.Cells
	type sums struct {
		r []group.Scalar
		m []uint64
	}
	workers := runtime.GOMAXPROCS(0)
	box := make([]SealedBallot, n)
	perWorker := make([][]sums, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			gs := make([]sums, groups)
			for i := range gs {
				gs[i] = sums{r: make([]group.Scalar, cells), m: make([]uint64, cells)}
				for c := range cells {
					gs[i].r[c] = g.NewScalar()
				}
			}
			perWorker[w] = gs
			// A stepping scalar and its multiples of G and K.
			type step struct {
				s      group.Scalar
				sG, sK group.Element
			}
			newStep := func() *step {
				s, _ := elgamal.NewScalar(rand.Reader)
				return &step{s: s, sG: g.NewElement().MulGen(s), sK: g.NewElement().Mul(K, s)}
			}
			next := func(st *step) {
				st.s.Add(st.s, one)
				st.sG.Add(st.sG, gen)
				st.sK.Add(st.sK, K)
			}
			r, wt, v := newStep(), newStep(), newStep()
			enc := func(e group.Element) []byte { b, _ := e.MarshalBinary(); return b }
			// prove appends A ‖ B (when withCt) and the 0/1 proof of m for (A, B) of randomness rs.
			prove := func(out []byte, ctx []byte, A, B group.Element, rs group.Scalar, m int, withCt bool) []byte {
				aEnc, bEnc := enc(A), enc(B)
				next(wt)
				next(v)
				var commits [2][2]group.Element
				commits[m] = [2]group.Element{wt.sG, wt.sK}
				j := 1 - m
				bj := B.Copy()
				if j == 1 {
					bj.Add(bj, g.NewElement().Neg(gen))
				}
				commits[j] = [2]group.Element{g.NewElement().Add(v.sG, A), g.NewElement().Add(v.sK, bj)}
				msg := binary.BigEndian.AppendUint16(nil, uint16(len(ctx)))
				msg = append(msg, ctx...)
				msg = append(msg, k.public...)
				msg = append(msg, aEnc...)
				msg = append(msg, bEnc...)
				msg = binary.BigEndian.AppendUint16(msg, 1)
				var cEnc [2][2][]byte
				for jj := range 2 {
					cEnc[jj] = [2][]byte{enc(commits[jj][0]), enc(commits[jj][1])}
					msg = append(append(msg, cEnc[jj][0]...), cEnc[jj][1]...)
				}
				ch := g.HashToScalar(msg, []byte("minyi-v1-range"))
				cs := [2]group.Scalar{}
				cs[j] = one
				cs[m] = g.NewScalar().Sub(ch, one)
				vs := [2]group.Scalar{}
				vs[j] = v.s.Copy()
				vs[m] = g.NewScalar().Sub(wt.s, g.NewScalar().Mul(cs[m], rs))
				if withCt {
					out = append(append(out, aEnc...), bEnc...)
				}
				for jj := range 2 {
					out = append(append(out, cEnc[jj][0]...), cEnc[jj][1]...)
				}
				out = append(out, elgamal.ScalarBytes(cs[0])...)
				return append(append(out, elgamal.ScalarBytes(vs[0])...), elgamal.ScalarBytes(vs[1])...)
			}
			// The lines after the first are made once a group and worker and repeated:
			// a ballot differs from the others of its group in its first line only. The
			// verifier decodes and checks every line of every ballot all the same.
			type line struct {
				enc []byte
				r   []group.Scalar
				m   []int
			}
			makeLine := func(ctx []byte, l LayoutLine) line {
				mark := mrand.IntN(len(l.Labels) - 1) // an option, never "invalid"
				sumA, sumB, sumR := g.Identity(), g.Identity(), g.NewScalar()
				var ln line
				for c := range l.Labels {
					next(r)
					m := 0
					B := r.sK.Copy()
					if c == mark {
						m = 1
						B.Add(B, gen)
					}
					A := r.sG.Copy()
					ln.enc = prove(ln.enc, ctx, A, B, r.s, m, true)
					sumA.Add(sumA, A)
					sumB.Add(sumB, B)
					sumR.Add(sumR, r.s)
					ln.r = append(ln.r, r.s.Copy())
					ln.m = append(ln.m, m)
				}
				// The line proof: limit 1, the invalid cell (0) counted once.
				ln.enc = prove(ln.enc, ctx, sumA, sumB, sumR, 1, false)
				return ln
			}
			repeated := make([][]line, groups)
			for i := w; i < n; i += workers {
				gi := place[i]
				ctx := k.context(p.Groups[gi].ID)
				out := make([]byte, 0, k.size)
				out = append(out, formatV3)
				first := repeated[gi] == nil
				if first {
					repeated[gi] = make([]line, len(k.layout.Lines))
				}
				for li, l := range k.layout.Lines {
					if l.Limit != 1 {
						b.Error("a line of the survey has a limit other than 1")
						return
					}
					ln := repeated[gi][li]
					if li == 0 || first {
						ln = makeLine(ctx, l)
						repeated[gi][li] = ln
					}
					out = append(out, ln.enc...)
					for c := range l.Labels {
						gs[gi].r[l.Offset+c].Add(gs[gi].r[l.Offset+c], ln.r[c])
						gs[gi].m[l.Offset+c] += uint64(ln.m[c])
					}
				}
				if len(out) != k.size {
					b.Errorf("a simulated ballot of %d bytes, want %d", len(out), k.size)
					return
				}
				box[i] = SealedBallot{Group: p.Groups[gi].ID, Sealed: out}
			}
		}()
	}
	wg.Wait()
	if b.Failed() {
		b.FailNow()
	}
	pk, _ := elgamal.ParsePublicKey(k.public)
	kept := map[string]*keptGroup{}
	for gi, gr := range p.Groups {
		kg := &keptGroup{n: gr.Expected, sums: make([]elgamal.Ciphertext, cells)}
		for c := range cells {
			rs, m := g.NewScalar(), uint64(0)
			for _, pw := range perWorker {
				rs.Add(rs, pw[gi].r[c])
				m += pw[gi].m[c]
			}
			kg.sums[c] = elgamal.Encrypt(pk, m, rs)
		}
		kept[gr.ID] = kg
	}
	// A sample is checked as sealed ballots are: the shortcut must make valid proofs.
	sample := box[:min(len(box), 20)]
	if s := k.Sum(sample, turnout); len(s.Rejected) > 0 {
		b.Fatalf("simulated ballots refused: %v", s.Rejected)
	}
	return k, box, d, turnout, kept
}

// benchSurveyPoll is a poll of a ten-question survey (four options each, one to pick)
// over the given voter groups, whose 应到 add up to n, and its key's one share.
func benchSurveyPoll(b *testing.B, groups, n int) (*BoxKey, elgamal.Dealing, []Turnout) {
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
	return k, d, turnout
}

// benchSurveyBox is a box of n ballots of a ten-question survey (four options each, one
// to pick) spread over the given voter groups, with the poll key's one share.
func benchSurveyBox(b *testing.B, groups, n int) (*BoxKey, []SealedBallot, elgamal.Dealing, []Turnout) {
	b.Helper()
	k, d, turnout := benchSurveyPoll(b, groups, n)
	p := k.poll
	qs := p.Forms[0].Survey.Questions
	options := qs[0].Options
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
