package server

import (
	"strconv"
	"strings"

	"minyi/ballot"
)

// poll turns the page into a poll definition; a list that does not parse names its
// section and line.
func (b builder) poll() (*ballot.Poll, error) {
	groups, err := ballot.GroupsFromLines(b.Groups)
	if err != nil {
		return nil, ballot.Errorf(ballot.EINVALID, "参评类别%s", ballot.Cause{Err: err})
	}
	q, err := ballot.ParseRatio(b.Quorum)
	if err != nil {
		return nil, err
	}
	p := &ballot.Poll{UnitID: b.UnitID, Title: b.Title, Groups: groups, Quorum: q, PreviousRound: b.Previous, Contact: b.Contact, Lang: b.Lang}
	if v := strings.TrimSpace(halfWidth(b.Year)); v != "" {
		y, err := strconv.Atoi(v)
		if err != nil {
			return nil, ballot.Errorf(ballot.EINVALID, "考核年度“%s”应为四位数年份，如 2025", b.Year)
		}
		p.Year = y
	}
	if v := strings.TrimSpace(halfWidth(b.MinGroup)); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, ballot.Errorf(ballot.EINVALID, "分类统计最少人数请填写整数（不少于%d）", ballot.MinMinGroup)
		}
		p.MinGroup = n
	}
	for _, line := range strings.Split(b.Tellers, "\n") {
		if name := strings.TrimSpace(line); name != "" {
			p.Tellers = append(p.Tellers, name)
		}
	}
	if v := strings.TrimSpace(b.TellerQ); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, ballot.Errorf(ballot.EINVALID, "开箱所需监票人数请填写整数")
		}
		p.TellerQuorum = n
	}
	p.KeyHolder = b.KeyHolder
	for _, bf := range b.Forms {
		if bf.Kind == ballot.KindEvaluation && bf.Mutual {
			for i := range p.Groups { // 工作互评: each group is the unit of its name
				p.Groups[i].Unit = p.Groups[i].Name
			}
		}
	}
	for i, bf := range b.Forms {
		f, err := bf.form()
		if err != nil {
			return nil, ballot.Errorf(ballot.EINVALID, "第%d张表（%s）的%s", i+1, strings.TrimSpace(bf.Title), ballot.Cause{Err: err})
		}
		p.Forms = append(p.Forms, f)
	}
	return p, nil
}

// holder is the key holder the page shows as chosen.
func (b builder) holder() string {
	if b.KeyHolder != "" {
		return b.KeyHolder
	}
	if strings.TrimSpace(b.Tellers) != "" {
		return ballot.KeyTellers
	}
	return ballot.KeyOrganizer
}
