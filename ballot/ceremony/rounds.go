package ceremony

import (
	"bytes"
	"time"

	"github.com/cloudflare/circl/group"

	"minyi/ballot"
	"minyi/ballot/elgamal"
)

// State is a ceremony as the server keeps it: public data only. The methods below are the
// rules of each round; the store runs one of them under the ceremony's lock and keeps what
// it changed.
type State struct {
	ID, Poll string
	K, N     int
	Seats    []Seat // Seats[j-1] is seat j
}

// Seat is what one seat posted.
type Seat struct {
	Seat        int
	CommKey     []byte
	Commitments []byte
	Sealed      []byte
	Complaint   *int // the dealer whose share failed this seat's check
	Challenge   []byte
	Transcript  []byte
	ReadyAt     *time.Time
}

// Public is the record every device hashes into its 核对码.
func (s *State) Public() (*Public, error) {
	p := &Public{K: s.K, N: s.N}
	var err error
	if p.Ceremony, err = ParseID(s.ID); err != nil {
		return nil, err
	}
	if p.Poll, err = ParseID(s.Poll); err != nil {
		return nil, err
	}
	for _, st := range s.Seats {
		p.CommKeys = append(p.CommKeys, st.CommKey)
		p.Commitments = append(p.Commitments, st.Commitments)
		p.Sealed = append(p.Sealed, st.Sealed)
	}
	return p, nil
}

// Blocked names the first complaint: the seat that made it and the dealer it accuses.
func (s *State) Blocked() (seat, dealer int, ok bool) {
	for _, st := range s.Seats {
		if st.Complaint != nil {
			return st.Seat, *st.Complaint, true
		}
	}
	return 0, 0, false
}

// Ready reports whether every seat proved it holds its share and nobody complained.
func (s *State) Ready() bool {
	if _, _, blocked := s.Blocked(); blocked || len(s.Seats) != s.N {
		return false
	}
	for _, st := range s.Seats {
		if st.ReadyAt == nil {
			return false
		}
	}
	return true
}

func (s *State) seat(j int) (*Seat, error) {
	if j < 1 || j > len(s.Seats) {
		return nil, ballot.Errorf(ballot.ENOTFOUND, "监票人席位不存在")
	}
	return &s.Seats[j-1], nil
}

// blockedError refuses any step of a blocked ceremony.
func (s *State) blockedError() error {
	if by, dealer, blocked := s.Blocked(); blocked {
		return ballot.Errorf(ballot.EDEALING, "第%d位监票人发现第%d位监票人分发的密钥份额有误，密钥生成已中止，请组织者重新生成监票人链接", by, dealer)
	}
	return nil
}

// PostKey is round 1: seat j's communication key. The same key again is a retry; another
// is refused, so a seat cannot change its key once others may have sealed to it.
func (s *State) PostKey(j int, key []byte) error {
	st, err := s.seat(j)
	if err != nil {
		return err
	}
	if err := s.blockedError(); err != nil {
		return err
	}
	if _, err := elgamal.ParsePublicKey(key); err != nil {
		return ballot.Errorf(ballot.EINVALID, "通信公钥无效")
	}
	if st.CommKey != nil && !bytes.Equal(st.CommKey, key) {
		return ballot.Errorf(ballot.ECONFLICT, "本席位已经提交过通信公钥。如果换了设备或刷新了页面，请组织者重新生成监票人链接")
	}
	st.CommKey = key
	return nil
}

// PostDealing is round 2: seat j's commitments and sealed shares, once every seat has a
// key. The same dealing again is a retry; another is refused.
func (s *State) PostDealing(j int, commitments, sealed []byte) error {
	st, err := s.seat(j)
	if err != nil {
		return err
	}
	if err := s.blockedError(); err != nil {
		return err
	}
	for _, o := range s.Seats {
		if o.CommKey == nil {
			return ballot.Errorf(ballot.ECONFLICT, "还有监票人没有加入，暂不能分发密钥份额")
		}
	}
	if sealed == nil {
		sealed = []byte{}
	}
	if err := CheckDealing(s.K, s.N, commitments, sealed); err != nil {
		return ballot.Errorf(ballot.EINVALID, "分发的密钥份额格式不对")
	}
	if st.Commitments != nil {
		if bytes.Equal(st.Commitments, commitments) && bytes.Equal(st.Sealed, sealed) {
			return nil
		}
		return ballot.Errorf(ballot.ECONFLICT, "本席位已经分发过密钥份额")
	}
	st.Commitments, st.Sealed = commitments, sealed
	return nil
}

// Complain is seat j's report that dealer's share failed its check: the ceremony is blocked
// from then on. Only the first complaint counts; its seat may send it again.
func (s *State) Complain(j, dealer int) error {
	st, err := s.seat(j)
	if err != nil {
		return err
	}
	if by, d, blocked := s.Blocked(); blocked && !(by == j && d == dealer) {
		return s.blockedError()
	}
	if dealer < 1 || dealer > s.N || dealer == j {
		return ballot.Errorf(ballot.EINVALID, "被指出的监票人席位不对")
	}
	if s.Seats[dealer-1].Commitments == nil {
		return ballot.Errorf(ballot.ECONFLICT, "第%d位监票人还没有分发密钥份额", dealer)
	}
	st.Complaint, st.ReadyAt = &dealer, nil
	return nil
}

// Prove is the last round: seat j loaded its backup and proves it holds s_j over its
// challenge (elgamal.ProveShare); the transcript it hashed must be this record's. The seat
// is then ready, at now.
func (s *State) Prove(j int, transcript, proof []byte, now time.Time) error {
	st, err := s.seat(j)
	if err != nil {
		return err
	}
	if err := s.blockedError(); err != nil {
		return err
	}
	pub, err := s.Public()
	if err != nil {
		return err
	}
	if !pub.DealingsComplete() {
		return ballot.Errorf(ballot.ECONFLICT, "还有监票人没有分发密钥份额")
	}
	t := pub.Transcript()
	if !bytes.Equal(transcript, t[:]) {
		return ballot.Errorf(ballot.EINVALID, "本设备看到的密钥记录与服务器不一致（核对码不同），请组织者重新生成监票人链接")
	}
	points, err := pub.Points()
	if err != nil {
		return err
	}
	if elgamal.VerifyShare(elgamal.PublicShare(j, points), st.Challenge, proof) != nil {
		return ballot.Errorf(ballot.EINVALID, "备份的密钥份额与本席位的公开份额不符：请核对备份是否抄错，或是否为本次投票的备份")
	}
	st.Transcript, st.ReadyAt = t[:], &now
	return nil
}

// Keys gives the poll's joint key and each seat's public share P_j = s_j·G, both from the
// commitments, once every seat is ready; before that it refuses with EKEYNOTREADY, and a
// blocked ceremony with EDEALING.
func (s *State) Keys() (*elgamal.PublicKey, []group.Element, error) {
	if seat, dealer, blocked := s.Blocked(); blocked {
		return nil, nil, ballot.Errorf(ballot.EDEALING, "第%d位监票人发现第%d位监票人分发的密钥份额有误，请重新开始生成密钥", seat, dealer)
	}
	if !s.Ready() {
		return nil, nil, ballot.Errorf(ballot.EKEYNOTREADY, "还有监票人未完成密钥生成和备份核验，不能开始投票")
	}
	pub, err := s.Public()
	if err != nil {
		return nil, nil, err
	}
	points, err := pub.Points()
	if err != nil {
		return nil, nil, err
	}
	var shares []group.Element
	for j := 1; j <= s.N; j++ {
		shares = append(shares, elgamal.PublicShare(j, points))
	}
	return elgamal.JointKey(points), shares, nil
}
