package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/cloudflare/circl/group"
	"github.com/jmoiron/sqlx"

	"minyi/ballot"
	"minyi/ballot/ceremony"
	"minyi/ballot/elgamal"
)

// ceremonyRow and seatRow are a ceremony as stored; ceremony.State is what they hold.
type ceremonyRow struct {
	PollID  string `db:"poll_id"`
	ID      string `db:"id"`
	Tellers int    `db:"tellers"`
	Quorum  int    `db:"quorum"`
}

type seatRow struct {
	Seat        int        `db:"seat"`
	CommKey     []byte     `db:"comm_key"`
	Commitments []byte     `db:"commitments"`
	Sealed      []byte     `db:"sealed"`
	Complaint   *int       `db:"complaint"`
	Challenge   []byte     `db:"challenge"`
	Transcript  []byte     `db:"transcript"`
	ReadyAt     *time.Time `db:"ready_at"`
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
func (s *Store) Ceremony(ctx context.Context, pollID string) (*ceremony.State, error) {
	return readCeremony(ctx, s.db, qCeremony, pollID)
}

func readCeremony(ctx context.Context, q sqlx.QueryerContext, query, pollID string) (*ceremony.State, error) {
	var c ceremonyRow
	if err := sqlx.GetContext(ctx, q, &c, query, pollID); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, ballot.Errorf(ballot.ENOTFOUND, "尚未生成监票人密钥")
		}
		return nil, err
	}
	var rows []seatRow
	if err := sqlx.SelectContext(ctx, q, &rows, qCeremonySeats, pollID); err != nil {
		return nil, err
	}
	st := &ceremony.State{ID: c.ID, Poll: c.PollID, K: c.Quorum, N: c.Tellers}
	for _, r := range rows {
		st.Seats = append(st.Seats, ceremony.Seat(r))
	}
	return st, nil
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

// UpdateSeat runs one round of a seat under the ceremony's lock: round sees the whole
// ceremony as it stands, so two tellers posting at once see each other's posts, and what it
// changed of the seat is written back. An error from round writes nothing.
func (s *Store) UpdateSeat(ctx context.Context, pollID string, seat int, round func(c *ceremony.State) error) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		c, err := readCeremony(ctx, tx, qLockCeremony, pollID)
		if err != nil {
			return err
		}
		if seat < 1 || seat > len(c.Seats) {
			return ballot.Errorf(ballot.ENOTFOUND, "监票人席位不存在")
		}
		if err := round(c); err != nil {
			return err
		}
		st := c.Seats[seat-1]
		_, err = tx.ExecContext(ctx, qUpdateCeremonySeat, pollID, seat, st.CommKey, st.Commitments, st.Sealed, st.Complaint, st.Transcript, st.ReadyAt)
		return err
	})
}

// CeremonyKeys is what opening a poll needs from its ceremony: the joint public key and
// each teller's public share P_j = s_j·G (PublicShares[j-1]), against which the count
// checks teller j's partial decryptions.
type CeremonyKeys struct {
	Joint        *elgamal.PublicKey
	PublicShares []group.Element
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
	joint, shares, err := c.Keys()
	if err != nil {
		return nil, err
	}
	return &CeremonyKeys{Joint: joint, PublicShares: shares, Quorum: c.K}, nil
}

var qRelinkSeat = query(`UPDATE ceremony_seats SET token_hash = $3 WHERE poll_id = $1 AND seat = $2`)

// RelinkSeat gives a seat a new link: the old one stops working. The organizer's own seat
// is reached this way again at the count, from the poll's page, without any link kept.
func (s *Store) RelinkSeat(ctx context.Context, pollID string, seat int, hash []byte) error {
	res, err := s.db.ExecContext(ctx, qRelinkSeat, pollID, seat, hash)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ballot.Errorf(ballot.ENOTFOUND, "尚未生成密钥")
	}
	return nil
}
