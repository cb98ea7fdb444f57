package ceremony

import (
	"encoding/hex"
	"fmt"
	"io"

	"github.com/cloudflare/circl/group"

	"minyi/ballot/elgamal"
)

// Record is the ceremony's public record as the server hands it to a seat (GET
// /t/<token>/state): bytes in hex, "" for what a seat has not posted yet.
type Record struct {
	Ceremony    string   `json:"ceremony"`
	Poll        string   `json:"poll"`
	PollState   string   `json:"poll_state"`
	Seat        int      `json:"seat"`
	K           int      `json:"k"`
	N           int      `json:"n"`
	Tellers     []string `json:"tellers"`
	CommKeys    []string `json:"comm_keys"`
	Commitments []string `json:"commitments"`
	Sealed      []string `json:"sealed"`
	Ready       []bool   `json:"ready"`
	Challenge   string   `json:"challenge"`
	Blocked     string   `json:"blocked,omitempty"`
	Dealer      int      `json:"blocked_dealer,omitempty"`
}

func full(list []string) bool {
	for _, v := range list {
		if v == "" {
			return false
		}
	}
	return len(list) > 0
}

// KeysIn and DealtIn report whether round 1 and round 2 are complete.
func (r *Record) KeysIn() bool  { return full(r.CommKeys) && len(r.CommKeys) == r.N }
func (r *Record) DealtIn() bool { return full(r.Commitments) && len(r.Commitments) == r.N }

// Public decodes the record.
func (r *Record) Public() (*Public, error) {
	p := &Public{K: r.K, N: r.N}
	var err error
	if p.Ceremony, err = ParseID(r.Ceremony); err != nil {
		return nil, err
	}
	if p.Poll, err = ParseID(r.Poll); err != nil {
		return nil, err
	}
	for i := range r.CommKeys {
		var parts [3][]byte
		for x, h := range []string{at(r.CommKeys, i), at(r.Commitments, i), at(r.Sealed, i)} {
			if parts[x], err = hex.DecodeString(h); err != nil {
				return nil, fmt.Errorf("ceremony: record of seat %d: %w", i+1, err)
			}
		}
		p.CommKeys, p.Commitments, p.Sealed = append(p.CommKeys, parts[0]), append(p.Commitments, parts[1]), append(p.Sealed, parts[2])
	}
	return p, nil
}

func at(list []string, i int) string {
	if i < len(list) {
		return list[i]
	}
	return ""
}

// Device is one seat's side of the ceremony in Go (`minyi teller`): the same steps as the
// teller page.
type Device struct {
	Seat int
	comm CommKey
	own  group.Scalar // f_seat(seat): the share this seat keeps of its own polynomial
}

// NewDevice draws the seat's communication key.
func NewDevice(seat int, rnd io.Reader) (*Device, error) {
	k, err := NewCommKey(rnd)
	if err != nil {
		return nil, err
	}
	return &Device{Seat: seat, comm: k}, nil
}

// CommKey is what round 1 posts.
func (d *Device) CommKey() []byte { return d.comm.Public }

// Deal is round 2: a fresh polynomial's commitments and the shares sealed to each other
// seat, in seat order.
func (d *Device) Deal(r *Record, rnd io.Reader) (commitments, sealed []byte, err error) {
	pub, err := r.Public()
	if err != nil {
		return nil, nil, err
	}
	dl := elgamal.Deal(r.K, r.N, rnd)
	for _, c := range dl.Commitments {
		commitments = append(commitments, elgamal.PointBytes(c)...)
	}
	for j := 1; j <= r.N; j++ {
		if j == d.Seat {
			continue
		}
		b, err := Seal(r.Poll, d.Seat, j, pub.CommKeys[j-1], dl.Shares[j-1], rnd)
		if err != nil {
			return nil, nil, err
		}
		sealed = append(sealed, b...)
	}
	d.own = dl.Shares[d.Seat-1]
	return commitments, sealed, nil
}

// DealingError names the dealer whose share failed this seat's check.
type DealingError struct{ Dealer int }

func (e *DealingError) Error() string {
	return fmt.Sprintf("第%d位监票人分发的密钥份额未通过校验", e.Dealer)
}

// Check is round 3: it opens every share dealt to this seat, checks each against its
// dealer's commitments, and returns s_j and the transcript; a failing share gives a
// *DealingError naming its dealer.
func (d *Device) Check(r *Record) (group.Scalar, [32]byte, error) {
	var t [32]byte
	pub, err := r.Public()
	if err != nil {
		return nil, t, err
	}
	points, err := pub.Points()
	if err != nil {
		return nil, t, err
	}
	var got []group.Scalar
	for i := 1; i <= r.N; i++ {
		share := d.own
		if i != d.Seat {
			share, err = Open(r.Poll, i, d.Seat, d.comm, SealedFor(pub.Sealed[i-1], i, d.Seat))
			if err != nil {
				return nil, t, &DealingError{Dealer: i}
			}
		}
		if share == nil || !elgamal.VerifyDealt(d.Seat, share, points[i-1]) {
			return nil, t, &DealingError{Dealer: i}
		}
		got = append(got, share)
	}
	sj := elgamal.CombineDealt(got)
	if !group.Ristretto255.NewElement().MulGen(sj).IsEqual(elgamal.PublicShare(d.Seat, points)) {
		return nil, t, fmt.Errorf("ceremony: the share does not match the public record")
	}
	return sj, pub.Transcript(), nil
}
