package store

import (
	"context"
	"iter"

	"github.com/lib/pq"

	"minyi/ballot"
)

// A version 5 bundle keeps only its manifest in tallies.bundle; its ballots are read from
// the box when it is downloaded, in the order the count listed them (ballot.SortBox): by
// the hash of each ballot's marks (cut or filled with zeros to their length), then group,
// then the hash of the whole ballot. The manifest carries the hash of that list, so a box
// changed since the count cannot be passed off as the certified one (WriteBundle5 fails).
var (
	qBoxOrder = query(`SELECT b.id FROM ballots b JOIN polls p ON p.id = b.poll_id
		WHERE b.poll_id = $1 AND b.group_id IS NOT NULL AND p.state = 'counted'
		ORDER BY sha256(substring(b.sealed || decode(repeat('00', $2), 'hex') FROM 1 FOR $2)),
			b.group_id::text COLLATE "C", sha256(b.sealed)`)
	qBoxByID = query(`SELECT id, group_id, sealed FROM ballots WHERE poll_id = $1 AND id = ANY($2::uuid[])`)
)

// boxReadAhead is how many ballots are fetched at once: a few MB of thirty-subject ballots.
const boxReadAhead = 64

// CountedBox yields the ballots of a counted poll in the order of its bundle, a few at a
// time, all from one snapshot of the box, read from the replica when it has one that has
// replayed the count. marks is the length of a ballot's marks
// (ballot.BoxKey's receipt covers them).
func (s *Store) CountedBox(ctx context.Context, pollID string, marks int) iter.Seq2[ballot.SealedBallot, error] {
	return func(yield func(ballot.SealedBallot, error) bool) {
		if err := checkID(pollID, "投票活动"); err != nil {
			yield(ballot.SealedBallot{}, err)
			return
		}
		tx, err := s.countedBoxTx(ctx, pollID)
		if err != nil {
			yield(ballot.SealedBallot{}, err)
			return
		}
		defer tx.Rollback()
		var ids []string
		if err := tx.SelectContext(ctx, &ids, qBoxOrder, pollID, marks); err != nil {
			yield(ballot.SealedBallot{}, err)
			return
		}
		for len(ids) > 0 {
			n := min(len(ids), boxReadAhead)
			var rows []struct {
				ID     string `db:"id"`
				Group  string `db:"group_id"`
				Sealed []byte `db:"sealed"`
			}
			if err := tx.SelectContext(ctx, &rows, qBoxByID, pollID, pq.Array(ids[:n])); err != nil {
				yield(ballot.SealedBallot{}, err)
				return
			}
			byID := make(map[string]int, len(rows))
			for i, r := range rows {
				byID[r.ID] = i
			}
			for _, id := range ids[:n] {
				i, ok := byID[id]
				if !ok {
					yield(ballot.SealedBallot{}, ballot.Errorf(ballot.EINTERNAL, "票箱在读取时变动"))
					return
				}
				if !yield(ballot.SealedBallot{Group: rows[i].Group, Sealed: rows[i].Sealed}, nil) {
					return
				}
			}
			ids = ids[n:]
		}
	}
}
