package ballot

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
)

// Known answers: FIPS-197 §4.2 gives {57}·{83} = {c1} and {57}·{13} = {fe}; the share
// vectors were computed with an independent implementation of the same field.
func TestShamirKnownAnswers(t *testing.T) {
	t.Parallel()
	if gfMul(0x57, 0x83) != 0xc1 || gfMul(0x57, 0x13) != 0xfe || gfMul(0x01, 0xab) != 0xab || gfMul(0, 0x12) != 0 {
		t.Fatal("GF(2^8) multiplication disagrees with FIPS-197")
	}
	for a := 1; a < 256; a++ {
		if gfMul(byte(a), gfInv(byte(a))) != 1 {
			t.Fatalf("inverse of %#x", a)
		}
	}
	coeffs := [][]byte{{0x53, 0xca, 0x01}, {0x00, 0xff, 0x80}, {0xff, 0x02, 0x7f}}
	want := []string{"987f82", "d8d31c", "13ac61", "460946", "8d763b"}
	shares := splitWith(coeffs, 5)
	for i, s := range shares {
		if hex.EncodeToString(s.Y) != want[i] || s.X != byte(i+1) {
			t.Fatalf("share %d = %x, want %s", i+1, s.Y, want[i])
		}
	}
	got, err := CombineShares([]Share{shares[4], shares[0], shares[2]})
	if err != nil || hex.EncodeToString(got) != "5300ff" {
		t.Fatalf("combine = %x, %v", got, err)
	}
}

// Any k of n shares recover the secret; k-1 do not.
func TestShamirAnyKOfN(t *testing.T) {
	t.Parallel()
	k, _ := NewPollKey()
	for _, c := range []struct{ n, k int }{{1, 1}, {3, 2}, {5, 3}, {7, 7}} {
		shares, err := SplitSecret(k.Private, c.n, c.k)
		if err != nil {
			t.Fatal(err)
		}
		// every subset of size k
		for mask := 0; mask < 1<<c.n; mask++ {
			var pick []Share
			for i := 0; i < c.n; i++ {
				if mask&(1<<i) != 0 {
					pick = append(pick, shares[i])
				}
			}
			got, err := CombineShares(pick)
			if len(pick) == 0 {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			if ok := bytes.Equal(got, k.Private); ok != (len(pick) >= c.k) {
				t.Fatalf("%d-of-%d with %d shares: recovered=%v", c.k, c.n, len(pick), ok)
			}
		}
	}
	if _, err := SplitSecret(k.Private, 3, 4); err == nil {
		t.Fatal("k > n accepted")
	}
	shares, _ := SplitSecret(k.Private, 3, 2)
	if _, err := CombineShares([]Share{shares[0], shares[0]}); err == nil {
		t.Fatal("a repeated share accepted")
	}
}

func TestShareCodes(t *testing.T) {
	t.Parallel()
	k, _ := NewPollKey()
	shares, _ := SplitSecret(k.Private, 3, 2)
	code := EncodeShare("poll-1", shares[1])
	back, err := DecodeShare("poll-1", strings.ToLower(code), 32)
	if err != nil || back.X != shares[1].X || !bytes.Equal(back.Y, shares[1].Y) {
		t.Fatalf("%s: %v", code, err)
	}
	if _, err := DecodeShare("poll-2", code, 32); ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), "不是本次投票") {
		t.Fatalf("another poll's share: %v", err)
	}
	typo := []byte(code)
	if typo[5] == 'A' {
		typo[5] = 'B'
	} else {
		typo[5] = 'A'
	}
	if _, err := DecodeShare("poll-1", string(typo), 32); ErrorCode(err) != EINVALID {
		t.Fatalf("a typo: %v", err)
	}
}
