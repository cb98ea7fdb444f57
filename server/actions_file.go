package server

import (
	"context"
	"strconv"

	"minyi/ballot"
	"minyi/records"
	"minyi/store"
)

// filed is what filing a poll did: entries added, and how many of them name nobody in
// the register.
type filed struct {
	Added    int `json:"filed"`
	Unlinked int `json:"unlinked"`
}

// filePoll files a counted poll's result lines on the cadres of its unit, matched by name
// (and post where names are shared). Filing again adds nothing.
func (s *Server) filePoll(ctx context.Context, me *store.Session, p *store.PollInfo) (filed, error) {
	var out filed
	if p.Rehearsal {
		return out, ballot.Errorf(ballot.ECONFLICT, "模拟测评的结果不能归档")
	}
	t, countedAt, err := s.store.Tally(ctx, p.ID)
	if err != nil {
		return out, err
	}
	register, err := s.store.Cadres(ctx, p.UnitID)
	if err != nil {
		return out, err
	}
	entries := records.FromTally(&p.Poll, t, countedAt)
	for i := range entries {
		if entries[i].Team {
			continue // the unit's team, filed on the unit: no cadre to match
		}
		if id, ok := records.Match(register, entries[i].Name, entries[i].Post); ok {
			entries[i].CadreID = id
		} else {
			out.Unlinked++
		}
	}
	if out.Added, err = s.store.FileEntries(ctx, entries, me.ID, deliveryPayload); err != nil {
		return filed{}, err
	}
	s.auditBy(ctx, me, p.ID, "poll.file", map[string]string{"entries": strconv.Itoa(out.Added)})
	return out, nil
}

// filedEntries is what a poll filed: its current entries.
type filedEntries struct {
	Entries []records.Entry `json:"entries"`
}

// pollEntries reads the current entries a visible poll filed.
func (s *Server) pollEntries(ctx context.Context, p *store.PollInfo) (filedEntries, error) {
	es, err := s.store.PollEntries(ctx, p.ID)
	return filedEntries{Entries: nonNil(es)}, err
}
