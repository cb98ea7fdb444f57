package elgamal

import (
	"bytes"
	"crypto/rand"
	"testing"

	"github.com/cloudflare/circl/group"
)

// The kept sums are encrypted by go-ristretto directly (AppendSumEncryption): their bytes
// must be Encrypt's, or the count would find every batch's row wrong and check every
// ballot one by one.
func TestAppendSumEncryptionIsEncrypt(t *testing.T) {
	key := dealKey(t, 2, 3, newSeeded("sums"))
	for i := range 200 {
		var x SumScalar
		var want group.Scalar = grp.NewScalar()
		for range i%5 + 1 {
			r := mustScalar(rand.Reader)
			if err := x.Add(ScalarBytes(r)); err != nil {
				t.Fatal(err)
			}
			want.Add(want, r)
		}
		m, bound := uint64(i*i*977), uint64(i*i*977+i%3)
		switch {
		case i%7 == 0:
			m = 0
		case i%11 == 0:
			bound = 1<<64 - 1
		}
		got, err := key.pk.AppendSumEncryption(nil, m, bound, &x)
		if err != nil {
			t.Fatal(err)
		}
		w, _ := Encrypt(key.pk, m, want).AppendBinary(nil)
		if !bytes.Equal(got, w) {
			t.Fatalf("m %d: %x, Encrypt %x", m, got, w)
		}
	}
	var x SumScalar
	if x.Add(bytes.Repeat([]byte{0xff}, 32)) == nil {
		t.Fatal("a non-canonical scalar was added")
	}
	if _, err := key.pk.AppendSumEncryption(nil, 3, 2, &x); err == nil {
		t.Fatal("a count above its bound was encrypted")
	}
}
