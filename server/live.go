package server

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"time"

	"minyi/ballot"
	"minyi/i18n"
)

// Live turnout: the view of a poll the hub (live.Hub) computes once for all the streams
// of an instance, and the page and the polling fallback read. Only counts of people
// travel here, never a vote.

// LiveTiming shapes the live streams; tests shorten it.
type LiveTiming struct {
	// Coalesce is the least time between two computations of a poll's turnout.
	Coalesce time.Duration
	// Keepalive is how long a stream may stay silent before a comment is sent, so proxies
	// and NAT boxes keep it open (each stream varies it by up to a quarter).
	Keepalive time.Duration
}

var defaultLive = LiveTiming{Coalesce: 500 * time.Millisecond, Keepalive: 20 * time.Second}

func (s *Server) liveTiming() LiveTiming {
	t := s.cfg.Live
	if t.Coalesce <= 0 {
		t.Coalesce = defaultLive.Coalesce
	}
	if t.Keepalive <= 0 {
		t.Keepalive = defaultLive.Keepalive
	}
	return t
}

// liveView is what a stream sends: the poll's state and turnout.
type liveView struct {
	Title      string       `json:"title"`
	State      ballot.State `json:"state"`
	StateLabel string       `json:"state_label"`
	Rehearsal  bool         `json:"rehearsal"`
	// Quorum is the share of 应到 that must vote (RULES: quorum), for the marks on the
	// big screen's bars; the number of people needed is in the turnout.
	Quorum  ballot.Ratio `json:"quorum"`
	Turnout turnoutView  `json:"turnout"`
}

// maxNamedGroups is the most groups a stream's event names one by one (the most a poll
// other than a survey may have). A survey of hundreds of groups sends each group's four
// counts by its position instead: its pages know the groups' ids and names, and an event
// at 300 groups weighs some 6 KB rather than 57 KB, twice a second to every dashboard.
const maxNamedGroups = ballot.MaxGroups

// liveCounts is a turnout as the events of a poll of many groups carry it: the groups'
// [应到, 已发, 作废, 实到] in the poll's order, with the regions and the total as named rows.
type liveCounts struct {
	Counts  [][4]int    `json:"counts"`
	Regions []regionRow `json:"regions,omitempty"`
	Total   turnoutRow  `json:"total"`
	Needed  int         `json:"quorum_needed"`
	Met     bool        `json:"quorum_met"`
}

// MarshalJSON writes the view as the streams and the big screen's polling read it: the
// groups by name, or by position for a poll of more than maxNamedGroups.
func (v liveView) MarshalJSON() ([]byte, error) {
	type plain liveView
	if len(v.Turnout.Groups) <= maxNamedGroups {
		return json.Marshal(plain(v))
	}
	t := v.Turnout
	c := liveCounts{Counts: make([][4]int, len(t.Groups)), Regions: t.Regions, Total: t.Total, Needed: t.Needed, Met: t.Met}
	for i, g := range t.Groups {
		c.Counts[i] = [4]int{g.Expected, g.Issued, g.Voided, g.Used}
	}
	return json.Marshal(struct {
		plain
		Turnout liveCounts `json:"turnout"` // shallower than plain's, so it is the one written
	}{plain(v), c})
}

func (s *Server) live(ctx context.Context, pollID string) (*liveView, error) {
	p, err := s.polls.Get(ctx, pollID)
	if err != nil {
		return nil, err
	}
	tv, err := s.turnout(ctx, p)
	if err != nil {
		return nil, err
	}
	return &liveView{Title: p.Title, State: p.State, StateLabel: p.State.Label(), Rehearsal: p.Rehearsal, Quorum: p.Quorum, Turnout: tv}, nil
}

// sayLive is a live view's event or JSON (b, made of v) as a reader of p gets it: the hub
// computes one view for every stream of the instance, in Chinese; in another language only
// the state's label and the total's name differ, and are said again in place rather than
// marshalled again for each stream.
func sayLive(p *i18n.Printer, v *liveView, b []byte) []byte {
	if v == nil || p.Lang() == i18n.Zh {
		return b
	}
	zh, _ := json.Marshal(v.StateLabel)
	said, _ := json.Marshal(p.T(v.StateLabel))
	b = bytes.Replace(b, []byte(`"state_label":`+string(zh)), []byte(`"state_label":`+string(said)), 1)
	return bytes.Replace(b, liveTotal(v.Turnout.Total.Name), liveTotal(p.T(v.Turnout.Total.Name)), 1)
}

// liveTotal is how the total row's name begins in a view's JSON: the total is the one row
// without a group's id, so the pattern cannot meet a group that has the same name.
func liveTotal(name string) []byte {
	n, _ := json.Marshal(name)
	return append([]byte(`"total":{"group_id":"","name":`), n...)
}

// liveNow is the poll's live view for a page or the polling fallback: the running feed's
// when there is one (no query), computed otherwise.
func (s *Server) liveNow(ctx context.Context, pollID string) (*liveView, []byte, error) {
	if m := s.hub.Latest(pollID); m != nil && m.View != nil {
		return m.View, m.JSON, nil
	}
	v, err := s.live(ctx, pollID)
	if err != nil {
		return nil, nil, err
	}
	b, err := json.Marshal(v)
	return v, b, err
}

// The big screen (大屏): a read-only link showing turnout only, for a projector.

// barWidth is where a bar ends or a mark sits, for a/b: a CSS percentage, at most 100%.
func barWidth(a, b int64) string {
	if b <= 0 || a <= 0 {
		return "0%"
	}
	return strconv.FormatFloat(float64(min(a, b))*100/float64(b), 'f', 2, 64) + "%"
}
