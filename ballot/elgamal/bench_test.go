package elgamal

import (
	"crypto/rand"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/cloudflare/circl/group"
)

func benchKey(b *testing.B) testKey { return dealKey(b, 1, 1, newSeeded("bench")) }

// cpuPerOp reports the process CPU time per op next to the wall time (see processCPU).
func cpuPerOp(b *testing.B, start time.Duration, ops int) {
	if used := processCPU() - start; used > 0 && ops > 0 {
		b.ReportMetric(float64(used.Nanoseconds())/float64(ops), "cpu-ns/op")
	}
}

func BenchmarkPrepareLine(b *testing.B) {
	key := benchKey(b)
	PrepareLine(key.pk, testCtx, 5, 1, rand.Reader) // the key's first use builds its table
	start, n := processCPU(), 0
	for b.Loop() {
		PrepareLine(key.pk, testCtx, 5, 1, rand.Reader)
		n++
	}
	cpuPerOp(b, start, n)
}

// BenchmarkFill is what a submit runs: the line's bytes written from its preparation.
func BenchmarkFill(b *testing.B) {
	key := benchKey(b)
	marks := []uint8{0, 1, 0, 0, 0}
	prepared := make([]*PreparedLine, b.N)
	for i := range prepared {
		prepared[i] = PrepareLine(key.pk, testCtx, 5, 1, rand.Reader)
	}
	b.ResetTimer()
	start := processCPU()
	for i := 0; i < b.N; i++ {
		if _, err := prepared[i].AppendFill(nil, marks); err != nil {
			b.Fatal(err)
		}
	}
	cpuPerOp(b, start, b.N)
}

func BenchmarkVerifyLine(b *testing.B) {
	key := benchKey(b)
	line, err := PrepareLine(key.pk, testCtx, 5, 1, rand.Reader).Fill([]uint8{0, 1, 0, 0, 0})
	if err != nil {
		b.Fatal(err)
	}
	start, n := processCPU(), 0
	for b.Loop() {
		if !VerifyLine(key.pk, line, 1, testCtx) {
			b.Fatal("refused")
		}
		n++
	}
	cpuPerOp(b, start, n)
}

// BenchmarkVerifyRange01 is one 0/1 proof, the unit of a ballot's verification cost.
func BenchmarkVerifyRange01(b *testing.B) {
	key := benchKey(b)
	r := mustScalar(rand.Reader)
	ct := Encrypt(key.pk, 1, r)
	p := ProveRange(key.pk, ct, 1, r, 1, testCtx, rand.Reader)
	start, n := processCPU(), 0
	for b.Loop() {
		if !VerifyRange(key.pk, ct, 1, p, testCtx) {
			b.Fatal("refused")
		}
		n++
	}
	cpuPerOp(b, start, n)
}

// BenchmarkAddFromBytes is one step of the count: decode a stored ciphertext, add it.
func BenchmarkAddFromBytes(b *testing.B) {
	key := benchKey(b)
	enc, _ := Encrypt(key.pk, 1, mustScalar(rand.Reader)).MarshalBinary()
	sum := Zero()
	var scratch Ciphertext
	start, n := processCPU(), 0
	for b.Loop() {
		if err := sum.AddBytes(enc, &scratch); err != nil {
			b.Fatal(err)
		}
		n++
	}
	cpuPerOp(b, start, n)
}

func benchPoints(key testKey, n int) []group.Element {
	pts := make([]group.Element, n)
	for i := range pts {
		pts[i] = Encrypt(key.pk, 1, mustScalar(rand.Reader)).A
	}
	return pts
}

func BenchmarkPartialDecrypt180(b *testing.B) {
	key := benchKey(b)
	pts := benchPoints(key, 180)
	start, n := processCPU(), 0
	for b.Loop() {
		PartialDecrypt(1, key.shares[0], pts, testCtx, rand.Reader)
		n++
	}
	cpuPerOp(b, start, n)
}

func BenchmarkVerifyPartial180(b *testing.B) {
	key := benchKey(b)
	pts := benchPoints(key, 180)
	p := PartialDecrypt(1, key.shares[0], pts, testCtx, rand.Reader)
	start, n := processCPU(), 0
	for b.Loop() {
		if err := VerifyPartial(key.pub[0], pts, p, testCtx); err != nil {
			b.Fatal(err)
		}
		n++
	}
	cpuPerOp(b, start, n)
}

// BenchmarkPartialMax is the largest count a device does: MaxPartialPoints points
// decrypted and proved, then checked as the server checks the post.
func BenchmarkPartialMax(b *testing.B) {
	key := benchKey(b)
	pts := benchPoints(key, MaxPartialPoints)
	var p Partial
	b.Run("decrypt", func(b *testing.B) {
		for b.Loop() {
			p = PartialDecrypt(1, key.shares[0], pts, testCtx, rand.Reader)
		}
	})
	b.Run("verify", func(b *testing.B) {
		for b.Loop() {
			if err := VerifyPartial(key.pub[0], pts, p, testCtx); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkDecryptSums180 decrypts 180 sums of up to 2,000 ballots each.
func BenchmarkDecryptSums180(b *testing.B) {
	key := benchKey(b)
	sums := make([]Ciphertext, 180)
	combined := make([]group.Element, 180)
	for i := range sums {
		sums[i] = Encrypt(key.pk, uint64(i*11), mustScalar(rand.Reader))
		combined[i] = grp.NewElement().Mul(sums[i].A, key.shares[0])
	}
	start, n := processCPU(), 0
	for b.Loop() {
		if _, err := DecryptSums(sums, combined, 2000); err != nil {
			b.Fatal(err)
		}
		n++
	}
	cpuPerOp(b, start, n)
}

// BenchmarkSum2000x180 is the count's addition: 2,000 ballots of 180 encoded cells summed per
// cell from bytes, the cells split over the available cores. Decoding (an inverse square
// root per point) is nearly all of it.
func BenchmarkSum2000x180(b *testing.B) {
	key := benchKey(b)
	const ballots, cells, distinct = 2000, 180, 16
	pool := make([][]byte, distinct)
	for i := range pool {
		pool[i], _ = Encrypt(key.pk, uint64(i%2), mustScalar(rand.Reader)).MarshalBinary()
	}
	box := make([][]byte, ballots) // each ballot: cells × 64 bytes
	for i := range box {
		for c := 0; c < cells; c++ {
			box[i] = append(box[i], pool[(i*7+c)%distinct]...)
		}
	}
	workers := runtime.GOMAXPROCS(0)
	start, n := processCPU(), 0
	defer func() { cpuPerOp(b, start, n) }()
	for b.Loop() {
		n++
		sums := make([]Ciphertext, cells)
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var scratch Ciphertext
				for c := w; c < cells; c += workers {
					for _, ballot := range box {
						if err := sums[c].AddBytes(ballot[c*CiphertextSize:(c+1)*CiphertextSize], &scratch); err != nil {
							panic(err)
						}
					}
				}
			}()
		}
		wg.Wait()
	}
}
