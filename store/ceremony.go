package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"

	"minyi/ballot"
	"minyi/ballot/ceremony"
	"minyi/ballot/elgamal"
)

// Ceremony is a poll's key ceremony as the server keeps it: public data only.
type Ceremony struct {
	PollID  string `db:"poll_id"`
	ID      string `db:"id"`
	Tellers int    `db:"tellers"`
	Quorum  int    `db:"quorum"`
	Seats   []Seat `db:"-"`
}

// Seat is one teller's part of the ceremony.
type Seat struct {
	Seat        int        `db:"seat"`
	CommKey     []byte     `db:"comm_key"`
	Commitments []byte     `db:"commitments"`
	Sealed      []byte     `db:"sealed"`
	Complaint   *int       `db:"complaint"` // the dealer whose share failed this seat's check
	Challenge   []byte     `db:"challenge"`
	Transcript  []byte     `db:"transcript"`
	ReadyAt     *time.Time `db:"ready_at"`
}

// Public is the record every device hashes into its 核对码.
func (c *Ceremony) Public() (*ceremony.Public, error) {
	p := &ceremony.Public{K: c.Quorum, N: c.Tellers}
	var err error
	if p.Ceremony, err = ceremony.ParseID(c.ID); err != nil {
		return nil, err
	}
	if p.Poll, err = ceremony.ParseID(c.PollID); err != nil {
		return nil, err
	}
	for _, s := range c.Seats {
		p.CommKeys = append(p.CommKeys, s.CommKey)
		p.Commitments = append(p.Commitments, s.Commitments)
		p.Sealed = append(p.Sealed, s.Sealed)
	}
	return p, nil
}

// Blocked names the first complaint: the seat that made it and the dealer it accuses.
func (c *Ceremony) Blocked() (seat, dealer int, ok bool) {
	for _, s := range c.Seats {
		if s.Complaint != nil {
			return s.Seat, *s.Complaint, true
		}
	}
	return 0, 0, false
}

// Ready reports whether every seat proved it holds its share and nobody complained.
func (c *Ceremony) Ready() bool {
	if _, _, blocked := c.Blocked(); blocked || len(c.Seats) != c.Tellers {
		return false
	}
	for _, s := range c.Seats {
		if s.ReadyAt == nil {
			return false
		}
	}
	return true
}

var (
	qLockDraftPoll      = query(`SELECT state FROM polls WHERE id = $1 FOR UPDATE`)
	qDeleteCeremony     = query(`DELETE FROM ceremonies WHERE poll_id = $1`)
	qInsertCeremony     = query(`INSERT INTO ceremonies (poll_id, tellers, quorum) VALUES ($1, $2, $3) RETURNING id`)
	qInsertSeat         = query(`INSERT INTO ceremony_seats (poll_id, seat, token_hash, challenge) VALUES ($1, $2, $3, $4)`)
	qCeremony           = query(`SELECT poll_id, id, tellers, quorum FROM ceremonies WHERE poll_id = $1`)
	qLockCeremony       = query(`SELECT poll_id, id, tellers, quorum FROM ceremonies WHERE poll_id = $1 FOR UPDATE`)
	qCeremonySeats      = query(`SELECT seat, comm_key, commitments, sealed, complaint, challenge, transcript, ready_at FROM ceremony_seats WHERE poll_id = $1 ORDER BY seat`)
	qSeatByToken        = query(`SELECT poll_id, seat FROM ceremony_seats WHERE token_hash = $1`)
	qUpdateCeremonySeat = query(`UPDATE ceremony_seats SET comm_key = $3, commitments = $4, sealed = $5, complaint = $6, transcript = $7, ready_at = $8 WHERE poll_id = $1 AND seat = $2`)
)

// StartCeremony begins (or begins again) a draft poll's key ceremony with n seats, one per
// token hash, each with the challenge its device will prove its share over. Whatever an
// earlier ceremony of the poll held is dropped.
func (s *Store) StartCeremony(ctx context.Context, pollID string, quorum int, hashes, challenges [][]byte) (string, error) {
	var id string
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var state ballot.State
		if err := tx.GetContext(ctx, &state, qLockDraftPoll, pollID); err != nil {
			return notFound(err, "投票活动")
		}
		if state != ballot.Draft {
			return ballot.Errorf(ballot.ECONFLICT, "投票已经开始，不能再生成监票人密钥")
		}
		if _, err := tx.ExecContext(ctx, qDeleteCeremony, pollID); err != nil {
			return err
		}
		if err := tx.GetContext(ctx, &id, qInsertCeremony, pollID, len(hashes), quorum); err != nil {
			return err
		}
		for i, h := range hashes {
			if _, err := tx.ExecContext(ctx, qInsertSeat, pollID, i+1, h, challenges[i]); err != nil {
				return err
			}
		}
		return nil
	})
	return id, err
}

// Ceremony reads a poll's ceremony with its seats; ENOTFOUND when none was started.
func (s *Store) Ceremony(ctx context.Context, pollID string) (*Ceremony, error) {
	return readCeremony(ctx, s.db, qCeremony, pollID)
}

func readCeremony(ctx context.Context, q sqlx.QueryerContext, query, pollID string) (*Ceremony, error) {
	var c Ceremony
	if err := sqlx.GetContext(ctx, q, &c, query, pollID); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, ballot.Errorf(ballot.ENOTFOUND, "尚未生成监票人密钥")
		}
		return nil, err
	}
	if err := sqlx.SelectContext(ctx, q, &c.Seats, qCeremonySeats, pollID); err != nil {
		return nil, err
	}
	return &c, nil
}

// SeatByToken finds the poll and seat a teller's link opens.
func (s *Store) SeatByToken(ctx context.Context, hash []byte) (pollID string, seat int, err error) {
	var row struct {
		PollID string `db:"poll_id"`
		Seat   int    `db:"seat"`
	}
	if err := s.db.GetContext(ctx, &row, qSeatByToken, hash); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return "", 0, ballot.Errorf(ballot.ENOTFOUND, "监票人链接无效或已作废，请向组织者索取新的链接")
		}
		return "", 0, err
	}
	return row.PollID, row.Seat, nil
}

// UpdateSeat changes one seat under the ceremony's lock: change sees the whole ceremony as
// it stands, so two tellers posting at once see each other's posts, and whatever it set on
// the seat is written back. An error from change writes nothing.
func (s *Store) UpdateSeat(ctx context.Context, pollID string, seat int, change func(c *Ceremony, st *Seat) error) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		c, err := readCeremony(ctx, tx, qLockCeremony, pollID)
		if err != nil {
			return err
		}
		if seat < 1 || seat > len(c.Seats) {
			return ballot.Errorf(ballot.ENOTFOUND, "监票人席位不存在")
		}
		st := &c.Seats[seat-1]
		if err := change(c, st); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, qUpdateCeremonySeat, pollID, seat, st.CommKey, st.Commitments, st.Sealed, st.Complaint, st.Transcript, st.ReadyAt)
		return err
	})
}

// CeremonyKeys is what opening a poll needs from its ceremony: the joint public key and
// each teller's public share P_j = s_j·G (PublicShares[j-1]), against which the count
// checks teller j's partial decryptions.
type CeremonyKeys struct {
	Joint        *elgamal.PublicKey
	PublicShares [][]byte
	Quorum       int
}

// CeremonyKey gives the poll's key once every teller is ready; before that, or while a
// complaint blocks the ceremony, it refuses with EKEYNOTREADY or EDEALING. Both keys are
// computed from the stored commitments, as every device computes them.
func (s *Store) CeremonyKey(ctx context.Context, pollID string) (*CeremonyKeys, error) {
	c, err := s.Ceremony(ctx, pollID)
	if ballot.ErrorCode(err) == ballot.ENOTFOUND {
		return nil, ballot.Errorf(ballot.EKEYNOTREADY, "监票人尚未生成密钥，不能开始投票")
	}
	if err != nil {
		return nil, err
	}
	if seat, dealer, blocked := c.Blocked(); blocked {
		return nil, ballot.Errorf(ballot.EDEALING, "第%d位监票人发现第%d位监票人分发的密钥份额有误，请重新开始生成密钥", seat, dealer)
	}
	if !c.Ready() {
		return nil, ballot.Errorf(ballot.EKEYNOTREADY, "还有监票人未完成密钥生成和备份核验，不能开始投票")
	}
	pub, err := c.Public()
	if err != nil {
		return nil, err
	}
	points, err := pub.Points()
	if err != nil {
		return nil, err
	}
	out := &CeremonyKeys{Joint: elgamal.JointKey(points), Quorum: c.Quorum}
	for j := 1; j <= c.Tellers; j++ {
		out.PublicShares = append(out.PublicShares, elgamal.PointBytes(elgamal.PublicShare(j, points)))
	}
	return out, nil
}
