package server

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"minyi/ballot"
	"minyi/i18n"
	"minyi/store"
)

// auditLine is one entry of the 操作记录 as organizers read it.
type auditLine struct {
	At        time.Time
	ActorName string
	Text      string
}

// auditLinesIn is the log in a reader's language.
func auditLinesIn(p *i18n.Printer, log []ballot.AuditEntry) []auditLine {
	out := make([]auditLine, len(log))
	for i, e := range log {
		out[i] = auditLine{At: e.At, ActorName: e.ActorName, Text: auditSentenceIn(p, e.Action, e.Detail)}
	}
	return out
}

// auditSentence says what an entry records in a Chinese sentence (see auditSentenceIn).
func auditSentence(action string, d map[string]string) string {
	return auditSentenceIn(i18n.For(i18n.Zh), action, d)
}

// auditSentenceIn says what an entry records in a sentence of the reader's language, with
// the names and counts its detail holds and never its ids. Entries written before a
// detail was kept read without it; an action unknown here reads as its label and its
// values. What the detail keeps in words (a box's check) is shown as kept; a key holder's
// note, one of a few fixed sentences, is said in the reader's language.
func auditSentenceIn(p *i18n.Printer, action string, d map[string]string) string {
	switch action {
	case "poll.create":
		return p.T("新建投票活动“%s”", d["title"])
	case "poll.delete":
		return p.T("删除投票活动“%s”", d["title"])
	case "poll.open":
		if d["key"] != "" && (d["tellers"] == "" || d["tellers"] == "0") {
			return p.T("开始投票（%s）", p.Known(d["key"]))
		}
		if d["tellers"] == "" || d["tellers"] == "0" {
			return p.T("开始投票（密钥由系统保管，投票结束后方可开箱）")
		}
		return p.T("开始投票（监票人 %s 位，开箱需其中 %s 位）", d["tellers"], d["quorum"])
	case "poll.close":
		if d["scheduled"] != "" {
			return p.T("到设定时间，自动结束投票")
		}
		return p.T("结束投票")
	case "poll.count":
		s := p.T("开箱计票，共 %s 张选票", d["ballots"])
		if d["tellers"] != "" {
			// the organizer's own seat is named by a word of the catalogue; tellers by their names
			s = p.T("开箱计票，共 %s 张选票，监票人：%s", d["ballots"], p.Known(d["tellers"]))
		}
		if n := d["paper_pending"]; n != "" && n != "0" {
			s += p.T("；经确认，未完成核对录入的纸质选票 %s 份未计入", n)
		}
		return s + boxChecksText(p, d)
	case "ceremony.start":
		if d["key"] != "" {
			return p.T("生成密钥（%s）", p.Known(d["key"]))
		}
		return p.T("生成监票人密钥（监票人 %s 位，开箱需其中 %s 位）", d["tellers"], d["quorum"])
	case "count.start":
		s := p.T("开始开箱计票，票箱共 %s 张选票，由监票人在各自设备上开箱", d["ballots"])
		if d["holder"] == ballot.KeyOrganizer {
			s = p.T("开始开箱计票，票箱共 %s 张选票，由组织者在本人设备上开箱", d["ballots"])
		}
		if n := d["paper_pending"]; n != "" && n != "0" {
			s += p.T("；经确认，未完成核对录入的纸质选票 %s 份未计入", n)
		}
		return s + boxChecksText(p, d)
	case "poll.contact":
		switch {
		case d["to"] == "":
			return p.T("清除投票人联系方式（原为“%s”）", d["from"])
		case d["from"] == "":
			return p.T("设定投票人联系方式“%s”", d["to"])
		}
		return p.T("将投票人联系方式由“%s”改为“%s”", d["from"], d["to"])
	case "poll.year":
		return p.T("将考核年度由 %s 年改为 %s 年", d["from"], d["to"])
	case "poll.schedule":
		if d["close_at"] == "取消" {
			return p.T("取消定时结束投票")
		}
		return p.T("设定于 %s（北京时间）自动结束投票", d["close_at"])
	case "group.expected":
		return p.T("将“%s”的应到人数由 %s 人改为 %s 人", d["group"], d["from"], d["to"])
	case "tokens.issue":
		if d["hint"] != "" {
			return p.T("为“%s”发放凭证 %s 张（批次 %s）", d["group"], d["count"], d["hint"])
		}
		return p.T("为“%s”发放凭证 %s 张", d["group"], d["count"])
	case "codes.issue":
		if d["format"] == "zip" {
			return p.T("为 %s 个参评类别批量生成凭证码 %s 个（凭证清单和 PDF 切割单）", d["groups"], d["count"])
		}
		return p.T("为 %s 个参评类别批量生成凭证码 %s 个（凭证清单）", d["groups"], d["count"])
	case "codes.broken":
		return p.T("为 %s 个参评类别批量生成凭证码 %s 个，下载中断，这批凭证码全部未发放、不能投票", d["groups"], d["count"])
	case "batch.void":
		if n, err := strconv.Atoi(d["count"]); err == nil && d["group"] != "" {
			batch := p.T("%s，%d 张", d["group"], n)
			if d["hint"] != "" {
				batch = p.T("%s，%d 张，%s", d["group"], n, d["hint"])
			}
			return p.T("作废凭证批次（%s），其中未使用的 %s 张已作废", batch, d["voided"])
		}
		return p.T("作废凭证批次，其中未使用的 %s 张已作废", d["voided"])
	case "token.void":
		return p.T("作废单张凭证（凭证码不记录）")
	case "token.paper":
		return p.T("一张凭证改为纸质投票（凭证码不记录）")
	case "paper.enter":
		if d["matched"] == "true" {
			return p.T("录入纸质选票，与前一次录入核对一致，选票已投入票箱")
		}
		return p.T("录入纸质选票，等待第二人核对")
	case "paper.discard":
		return p.T("清除未核对的纸质录入 %s 份", d["entries"])
	case "poll.file":
		return p.T("归档到干部档案，共 %s 条记录", d["entries"])
	case "entry.link":
		return p.T("将“%s”的记录关联到%s", d["name"], d["cadre"])
	case "cadres.add":
		if d["unit"] != "" {
			return p.T("向“%s”的干部名册加入 %s 人", d["unit"], d["count"])
		}
		return p.T("加入干部名册 %s 人", d["count"])
	case "selection.create":
		return p.T("新建选拔任用纪实：%s", d["post"])
	case "selection.step":
		return p.T("记录选拔任用纪实（%s）环节：%s", d["post"], d["step"])
	case "unit.create":
		return p.T("新建单位“%s”", d["name"])
	case "staff.create":
		return p.T("新建账号 %s（%s）", d["username"], p.Known(store.Role(d["role"]).Label()))
	case "receiver.add":
		return p.T("添加档案接收方“%s”（%s）", d["name"], d["url"])
	}
	label := auditLabels[action]
	if label == "" {
		label = action
	}
	label = p.Known(label)
	var vals []string
	for _, v := range d {
		vals = append(vals, v)
	}
	if len(vals) == 0 {
		return label
	}
	slices.Sort(vals)
	return p.T("%s（%s）", label, strings.Join(vals, p.T("，")))
}

// boxChecksText is what a count's entry says of the ballots it checked one by one: none
// when the sums kept at sealing matched the whole box.
func boxChecksText(p *i18n.Printer, d map[string]string) string {
	s := ""
	if n := d["checked"]; n != "" && n != "0" {
		s += p.T("；逐张核验证明的选票 %s 张", n)
	}
	if n := d["box_checks"]; n != "" {
		s += p.T("；%s", sayBoxChecks(p, n))
	}
	return s
}

// sayBoxChecks is the box's notes an entry keeps joined with "；" (boxChecks), in p's
// language. A note may hold "；" itself, so the parts are put back together into the
// shortest run that one of the count's sentences wrote (the longest would be read as one
// note whose group's name holds all the others); a part none wrote stays as kept.
func sayBoxChecks(p *i18n.Printer, joined string) string {
	if p.Lang() == i18n.Zh {
		return joined
	}
	parts := strings.Split(joined, "；")
	var said []string
	for i := 0; i < len(parts); {
		j := i + 1
		for k := i + 1; k <= len(parts); k++ {
			if _, _, ok := ballot.Read(strings.Join(parts[i:k], "；")); ok {
				j = k
				break
			}
		}
		said = append(said, ballot.Say(p, strings.Join(parts[i:j], "；")))
		i = j
	}
	return strings.Join(said, p.T("；"))
}
