package ceremony

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"regexp"
	"testing"

	"minyi/ballot"
	"minyi/ballot/elgamal"
)

// record runs rounds 1 and 2 for n devices, as the server would hold them.
func record(t *testing.T, k, n int) (*Record, []*Device) {
	t.Helper()
	rec := &Record{Ceremony: "0f8fad5b-d9cb-469f-a165-70867728950e", Poll: "7c9e6679-7425-40de-944b-e07fc1f90ae7", K: k, N: n}
	var devs []*Device
	for j := 1; j <= n; j++ {
		d, err := NewDevice(j, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		devs = append(devs, d)
		rec.CommKeys = append(rec.CommKeys, hex.EncodeToString(d.CommKey()))
	}
	for _, d := range devs {
		c, s, err := d.Deal(rec, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if err := CheckDealing(k, n, c, s); err != nil {
			t.Fatal(err)
		}
		rec.Commitments = append(rec.Commitments, hex.EncodeToString(c))
		rec.Sealed = append(rec.Sealed, hex.EncodeToString(s))
	}
	return rec, devs
}

// Every seat gets a share of the same joint key; every seat computes the same transcript.
func TestDevicesAgree(t *testing.T) {
	rec, devs := record(t, 2, 4)
	var first [32]byte
	for i, d := range devs {
		_, tr, err := d.Check(rec)
		if err != nil {
			t.Fatalf("seat %d: %v", i+1, err)
		}
		if i == 0 {
			first = tr
		} else if tr != first {
			t.Fatalf("seat %d hashes another record", i+1)
		}
	}
	if c := Code(first); !regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$`).MatchString(c) {
		t.Fatalf("核对码 %q", c)
	}
}

// A share sealed to one seat opens for that seat only, and not once altered.
func TestSealOpensForItsSeatOnly(t *testing.T) {
	rec, devs := record(t, 2, 3)
	pub, err := rec.Public()
	if err != nil {
		t.Fatal(err)
	}
	box := SealedFor(pub.Sealed[0], 1, 2) // seat 1's share for seat 2
	if _, err := Open(rec.Poll, 1, 2, devs[1].comm, box); err != nil {
		t.Fatalf("seat 2 opens its share: %v", err)
	}
	if _, err := Open(rec.Poll, 1, 3, devs[2].comm, box); !errors.Is(err, ErrSeal) {
		t.Fatalf("seat 3 opens seat 2's share: %v", err)
	}
	if _, err := Open(rec.Poll, 1, 2, devs[2].comm, box); !errors.Is(err, ErrSeal) {
		t.Fatalf("seat 3's key opens seat 2's share: %v", err)
	}
	if _, err := Open("7c9e6679-7425-40de-944b-e07fc1f90ae8", 1, 2, devs[1].comm, box); !errors.Is(err, ErrSeal) {
		t.Fatalf("a share of another poll opens: %v", err)
	}
	bad := append([]byte(nil), box...)
	bad[40] ^= 1
	if _, err := Open(rec.Poll, 1, 2, devs[1].comm, bad); !errors.Is(err, ErrSeal) {
		t.Fatalf("an altered share opens: %v", err)
	}
	if SealedFor(pub.Sealed[0], 1, 1) != nil {
		t.Fatal("a dealer seals nothing to itself")
	}
}

// A dealing whose commitments do not match its shares is pinned on its dealer, by every
// other seat; the transcript changes with any byte of the record.
func TestBadDealingNamesItsDealer(t *testing.T) {
	rec, devs := record(t, 2, 3)
	good := rec.Commitments[2]
	c, _ := hex.DecodeString(good)
	r, _ := elgamal.NewScalar(rand.Reader)
	copy(c[32:], elgamal.PointBytes(grp.NewElement().MulGen(r)))
	rec.Commitments[2] = hex.EncodeToString(c)
	for _, seat := range []int{0, 1} {
		_, _, err := devs[seat].Check(rec)
		var bad *DealingError
		if !errors.As(err, &bad) || bad.Dealer != 3 {
			t.Fatalf("seat %d: %v", seat+1, err)
		}
	}
	rec.Commitments[2] = good
	pub, _ := rec.Public()
	before := pub.Transcript()
	pub.Sealed[1][5] ^= 1
	if pub.Transcript() == before {
		t.Fatal("the transcript ignores a sealed share")
	}
}

// The server refuses a dealing of the wrong shape.
func TestCheckDealing(t *testing.T) {
	g := elgamal.PointBytes(grp.Generator())
	two := append(append([]byte{}, g...), g...)
	if err := CheckDealing(2, 3, two, make([]byte, 2*SealedSize)); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string][]byte{"one commitment": g, "not a point": append(append([]byte{}, g...), make([]byte, 31)...)} {
		if CheckDealing(2, 3, c, make([]byte, 2*SealedSize)) == nil {
			t.Errorf("%s accepted", name)
		}
	}
	ident := append(append([]byte{}, g...), make([]byte, 32)...)
	if CheckDealing(2, 3, ident, make([]byte, 2*SealedSize)) == nil {
		t.Error("the identity as a commitment accepted")
	}
	if CheckDealing(2, 3, two, make([]byte, SealedSize)) == nil {
		t.Error("one sealed share for two seats accepted")
	}
}

func TestSeatToken(t *testing.T) {
	tok := NewSeatToken()
	if len(tok) != 32 {
		t.Fatalf("%q", tok)
	}
	back, err := ParseSeatToken(string(tok[:10]) + string(tok[10:]))
	if err != nil || back != tok {
		t.Fatalf("%q %v", back, err)
	}
	for _, bad := range []string{"", string(tok[:31]), string(tok[:31]) + "U"} {
		if _, err := ParseSeatToken(bad); ballot.ErrorCode(err) != ballot.ENOTFOUND {
			t.Errorf("%q: %v", bad, err)
		}
	}
	key := []byte("k")
	if string(tok.Hash(key)) == string(ballot.TokenKey(key).Hash(ballot.Token(tok))) {
		t.Fatal("a seat's hash is a voter token's hash")
	}
}
