package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"

	"minyi/ballot"
)

// A read replica (a hot standby streaming from the primary, as a CloudNativePG cluster's
// -ro service) takes the one read that is both large and safe to serve late: the box of a
// counted poll, streamed into its bundle for evaluators and `minyi verify` (17 GB at a
// million survey ballots). Nothing in a counted box changes, so a replica that has
// replayed the count holds the same ballots as the primary. Everything else reads the
// primary: the vote path, sessions, the count, and whatever must see the last commit
// (docs/SCALE.md, "Stage 3").

// replicaConns bounds the connections to the replica: a few downloads at once.
const replicaConns = 8

// replicaWait bounds the question asked of the replica before a download: a replica that
// does not answer at once is passed by, and the primary serves the download.
const replicaWait = 2 * time.Second

var qCountedAt = query(`SELECT t.counted_at FROM tallies t JOIN polls p ON p.id = t.poll_id
	WHERE t.poll_id = $1 AND p.state = 'counted'`)

// replica is the read replica of a store, when it has one.
type replica struct {
	db *sqlx.DB
	// reads and behind count the boxes read from the replica, and those read from the
	// primary because the replica had not yet replayed their count (or did not answer).
	reads, behind atomic.Int64
}

// SetReadReplica has the store read counted boxes from the PostgreSQL at url, a replica
// of its own database. The replica must answer now; later, a replica that is down or
// behind is passed by.
func (s *Store) SetReadReplica(ctx context.Context, url string) error {
	// The connection is bounded to replicaWait unless url says otherwise: a replica whose
	// network drops packets would hold a download's start as long as the kernel tries.
	url = withParam(url, "connect_timeout", fmt.Sprint(int(replicaWait/time.Second)))
	db, err := sqlx.Open("postgres", binaryParameters(url))
	if err != nil {
		return err
	}
	db.SetMaxOpenConns(replicaConns)
	db.SetMaxIdleConns(replicaConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var standby bool
	if err := db.QueryRowContext(pctx, `SELECT pg_is_in_recovery()`).Scan(&standby); err != nil {
		db.Close()
		return fmt.Errorf("connect to the read replica: %w", err)
	}
	if !standby {
		db.Close()
		return ballot.Errorf(ballot.EINVALID, "只读副本的地址指向的是主库而不是备库：请填写只读副本的地址（CloudNativePG 为 -ro 服务）")
	}
	if s.replica != nil {
		s.replica.db.Close()
	}
	s.replica = &replica{db: db}
	return nil
}

// ReplicaReads says how many counted boxes were read from the replica, and how many from
// the primary because the replica was behind or did not answer.
func (s *Store) ReplicaReads() (reads, behind int64) {
	if s == nil || s.replica == nil {
		return 0, 0
	}
	return s.replica.reads.Load(), s.replica.behind.Load()
}

// countedBoxTx begins the read-only snapshot a counted poll's box is read in: on the
// replica when, in that very snapshot, it has replayed the poll's count (its tally counted
// at the same moment as the primary's), else on the primary. The check is made in the
// transaction the box is then read in, so behind a service that spreads connections over
// several replicas it is the connection that reads which was checked. A replica that has
// not answered in replicaWait is left to finish on its own, and the primary serves.
func (s *Store) countedBoxTx(ctx context.Context, pollID string) (*sqlx.Tx, error) {
	snapshot := &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	r := s.replica
	if r == nil {
		return s.db.BeginTxx(ctx, snapshot)
	}
	var at time.Time
	if err := s.db.GetContext(ctx, &at, qCountedAt, pollID); err != nil {
		return s.db.BeginTxx(ctx, snapshot) // not counted: the primary's read says so
	}
	answer := make(chan *sqlx.Tx, 1)
	go func() {
		tx, err := r.db.BeginTxx(ctx, snapshot)
		if err != nil {
			answer <- nil
			return
		}
		var there time.Time
		if err := tx.GetContext(ctx, &there, qCountedAt, pollID); err != nil || !there.Equal(at) {
			tx.Rollback()
			answer <- nil
			return
		}
		answer <- tx
	}()
	wait := time.NewTimer(replicaWait)
	defer wait.Stop()
	select {
	case tx := <-answer:
		if tx != nil {
			r.reads.Add(1)
			return tx, nil
		}
	case <-wait.C:
		go func() { // the replica may still answer: what it began is not used
			if tx := <-answer; tx != nil {
				tx.Rollback()
			}
		}()
	}
	r.behind.Add(1)
	return s.db.BeginTxx(ctx, snapshot)
}
