package server_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strings"

	"minyi/ballot"
)

// No document lists plain ballots, so the tests that check the documents against a count
// by hand keep their own list of what they cast, by poll, with each token's voter group.

// castLog is what a test cast, by poll.
type castLog struct {
	poll, group map[string]string // token code → poll id, voter group id
	ballots     map[string][]ballot.BundleBallot
}

func (l *castLog) issued(pollID, groupID string, codes []string) {
	if l.poll == nil {
		l.poll, l.group, l.ballots = map[string]string{}, map[string]string{}, map[string][]ballot.BundleBallot{}
	}
	for _, c := range codes {
		l.poll[c], l.group[c] = pollID, groupID
	}
}

func (l *castLog) add(code string, b ballot.Ballot) {
	if id, ok := l.poll[code]; ok {
		l.ballots[id] = append(l.ballots[id], ballot.BundleBallot{Group: l.group[code], Ballot: b})
	}
}

func csvRow(w *csv.Writer, cells []string) { w.Write(cells) }

// ballotColumn is one column of the ballots CSV: a line of a form, and how its marks read.
type ballotColumn struct {
	form, line, label string
	// names maps the line's candidate ids to names: ids are unique only within a
	// position, so each position's column has its own map.
	names map[string]string
	// writeIns says the line may hold names written in by the voter (WriteInPrefix).
	writeIns bool
}

// mark renders one mark of the line. A mark that is a listed candidate's id is that
// candidate's name as listed; only a mark the ballot holds as a write-in loses its
// marker (and is normalised as the count normalised it).
func (c ballotColumn) mark(v string) string {
	if n, ok := c.names[v]; ok {
		return n
	}
	if name, ok := strings.CutPrefix(v, ballot.WriteInPrefix); ok && c.writeIns {
		return ballot.NormalizeName(name)
	}
	return v
}

// castCSV writes the ballots a test cast, one a row, a column per line of every form, as
// a person re-tallying by hand would list them (free texts left out).
func castCSV(b *ballot.Bundle) ([]byte, error) {
	var cols []ballotColumn
	for _, f := range b.Poll.Forms {
		add := func(line, label string) {
			cols = append(cols, ballotColumn{form: f.ID, line: line, label: f.Title + "·" + label})
		}
		switch {
		case f.Evaluation != nil:
			for _, s := range f.Evaluation.Subjects {
				add(s.ID, s.Name)
				for _, x := range f.Evaluation.Indicators {
					add(s.ID+"/"+x.ID, s.Name+"·"+x.Name)
				}
			}
		case f.Recommendation != nil:
			for _, p := range f.Recommendation.Positions {
				names := map[string]string{}
				for _, c := range p.Candidates {
					names[c.ID] = c.Name
				}
				if f.Recommendation.Shape == ballot.ShapePerCandidate {
					for _, c := range p.Candidates {
						cols = append(cols, ballotColumn{form: f.ID, line: p.ID + "/" + c.ID, label: f.Title + "·" + p.Title + "·" + c.Name, writeIns: true})
					}
				}
				cols = append(cols, ballotColumn{form: f.ID, line: p.ID, label: f.Title + "·" + p.Title, names: names, writeIns: true})
			}
		case f.Approval != nil:
			for _, n := range f.Approval.Nominees {
				add(n.ID, n.Name)
			}
		case f.Review != nil:
			if f.Review.Overall != "" {
				add(ballot.OverallLine, "总体评价")
			}
			for _, c := range f.Review.Cadres {
				add(c.ID, c.Name)
			}
		case f.Survey != nil:
			for _, q := range f.Survey.Questions {
				if q.Kind == "text" {
					continue
				}
				if q.Kind == "matrix" {
					for r, row := range q.Rows {
						add(fmt.Sprintf("%s/r%d", q.ID, r+1), q.Title+"·"+row)
					}
					continue
				}
				add(q.ID, q.Title)
			}
		case f.Scoring != nil:
			for _, s := range f.Scoring.Subjects {
				if len(f.Scoring.Indicators) == 0 {
					add(s.ID, s.Name)
				}
				for _, x := range f.Scoring.Indicators {
					add(s.ID+"/"+x.ID, s.Name+"·"+x.Name)
				}
			}
		}
	}
	group := map[string]string{}
	for _, g := range b.Poll.Groups {
		group[g.ID] = g.Name
	}
	// The ballots of pooled groups carry the pooled row's label only (see ballot.NewBundle).
	for _, r := range b.Tally.ResultRows() {
		if r.ID == ballot.MergedGroup {
			group[r.ID] = r.Name
		}
	}
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	header := []string{"序号", "参评类别"}
	for _, c := range cols {
		header = append(header, c.label)
	}
	csvRow(w, append(header, "备注"))
	for i, bb := range b.Ballots {
		row := []string{fmt.Sprint(i + 1), group[bb.Group]}
		lines := map[string][]string{}
		for _, ff := range bb.Ballot.Forms {
			for k, v := range ff.Lines {
				lines[ff.Form+"\x00"+k] = v
			}
		}
		for _, c := range cols {
			var vals []string
			for _, v := range lines[c.form+"\x00"+c.line] {
				vals = append(vals, c.mark(v))
			}
			row = append(row, strings.Join(vals, "/"))
		}
		note := ""
		if bb.Broken {
			note = "无法解析"
		}
		csvRow(w, append(row, note))
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}
