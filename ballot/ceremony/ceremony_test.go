package ceremony

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"regexp"
	"testing"
	"time"

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

// The rounds' rules on the server's state: each round waits for the one before, a posted
// key or dealing cannot be swapped, a proof must be over the seat's own share and this
// record, the key exists once every seat is ready, and a complaint blocks everything.
func TestRounds(t *testing.T) {
	st := &State{ID: "0f8fad5b-d9cb-469f-a165-70867728950e", Poll: "7c9e6679-7425-40de-944b-e07fc1f90ae7", K: 2, N: 3}
	var devs []*Device
	for j := 1; j <= 3; j++ {
		d, _ := NewDevice(j, rand.Reader)
		devs = append(devs, d)
		st.Seats = append(st.Seats, Seat{Seat: j, Challenge: []byte{byte(j), 1, 2, 3}})
	}
	code := func(err error) string { return ballot.ErrorCode(err) }
	if err := st.PostKey(1, devs[0].CommKey()); err != nil {
		t.Fatal(err)
	}
	if err := st.PostKey(1, devs[0].CommKey()); err != nil {
		t.Fatalf("the same key again: %v", err)
	}
	if err := st.PostKey(1, devs[1].CommKey()); code(err) != ballot.ECONFLICT {
		t.Fatalf("a swapped key: %v", err)
	}
	if err := st.PostKey(4, devs[0].CommKey()); code(err) != ballot.ENOTFOUND {
		t.Fatalf("a seat that does not exist: %v", err)
	}
	rec := func() *Record {
		r := &Record{Ceremony: st.ID, Poll: st.Poll, K: st.K, N: st.N}
		for _, s := range st.Seats {
			r.CommKeys = append(r.CommKeys, hex.EncodeToString(s.CommKey))
			r.Commitments = append(r.Commitments, hex.EncodeToString(s.Commitments))
			r.Sealed = append(r.Sealed, hex.EncodeToString(s.Sealed))
		}
		return r
	}
	c, s, _ := devs[0].Deal(rec(), rand.Reader)
	if err := st.PostDealing(1, c, s); code(err) != ballot.ECONFLICT {
		t.Fatalf("a dealing before every key: %v", err)
	}
	st.PostKey(2, devs[1].CommKey())
	st.PostKey(3, devs[2].CommKey())
	for i, d := range devs {
		c, s, err := d.Deal(rec(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.PostDealing(i+1, c, s); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.PostDealing(1, []byte(hexBytes(t, rec().Commitments[1])), []byte(hexBytes(t, rec().Sealed[1]))); code(err) != ballot.ECONFLICT {
		t.Fatalf("a second dealing: %v", err)
	}
	var shares [3]struct {
		s  []byte
		tr [32]byte
	}
	for i, d := range devs {
		sj, tr, err := d.Check(rec())
		if err != nil {
			t.Fatal(err)
		}
		shares[i].s, shares[i].tr = elgamal.ScalarBytes(sj), tr
	}
	prove := func(j int, share []byte, tr [32]byte) error {
		s, _ := elgamal.ParseScalar(share)
		return st.Prove(j, tr[:], elgamal.ProveShare(j, s, st.Seats[j-1].Challenge, rand.Reader), time.Now())
	}
	if err := prove(1, shares[1].s, shares[0].tr); code(err) != ballot.EINVALID {
		t.Fatalf("a proof over seat 2's share for seat 1: %v", err)
	}
	other := shares[0].tr
	other[3] ^= 1
	if err := prove(1, shares[0].s, other); code(err) != ballot.EINVALID {
		t.Fatalf("a proof after another record: %v", err)
	}
	for j := 1; j <= 2; j++ {
		if err := prove(j, shares[j-1].s, shares[j-1].tr); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := st.Keys(); code(err) != ballot.EKEYNOTREADY {
		t.Fatalf("the key with seat 3 not ready: %v", err)
	}
	prove(3, shares[2].s, shares[2].tr)
	joint, pub, err := st.Keys()
	if err != nil || len(pub) != 3 || joint == nil {
		t.Fatalf("the key: %v", err)
	}
	if err := st.Complain(2, 2); code(err) != ballot.EINVALID {
		t.Fatalf("a seat accusing itself: %v", err)
	}
	if err := st.Complain(2, 3); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.Keys(); code(err) != ballot.EDEALING {
		t.Fatalf("the key of a blocked ceremony: %v", err)
	}
	if err := st.Complain(1, 3); code(err) != ballot.EDEALING {
		t.Fatalf("a second complaint: %v", err)
	}
	if err := st.Complain(2, 3); err != nil {
		t.Fatalf("the same complaint again: %v", err)
	}
}

func hexBytes(t *testing.T, h string) string {
	b, err := hex.DecodeString(h)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
