package server

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"minyi/ballot"
	"minyi/store"
)

// auditLine is one entry of the 操作记录 as organizers read it.
type auditLine struct {
	At        time.Time
	ActorName string
	Text      string
}

func auditLines(log []ballot.AuditEntry) []auditLine {
	out := make([]auditLine, len(log))
	for i, e := range log {
		out[i] = auditLine{At: e.At, ActorName: e.ActorName, Text: auditSentence(e.Action, e.Detail)}
	}
	return out
}

// auditSentence says what an entry records in a Chinese sentence, with the names and
// counts its detail holds and never its ids. Entries written before a detail was kept
// read without it; an action unknown here reads as its label and its values.
func auditSentence(action string, d map[string]string) string {
	q := func(s string) string { return "“" + s + "”" }
	switch action {
	case "poll.create":
		return "新建投票活动" + q(d["title"])
	case "poll.delete":
		return "删除投票活动" + q(d["title"])
	case "poll.open":
		if d["key"] != "" && (d["tellers"] == "" || d["tellers"] == "0") {
			return "开始投票（" + d["key"] + "）"
		}
		if d["tellers"] == "" || d["tellers"] == "0" {
			return "开始投票（密钥由系统保管，投票结束后方可开箱）"
		}
		return "开始投票（监票人 " + d["tellers"] + " 位，开箱需其中 " + d["quorum"] + " 位）"
	case "poll.close":
		if d["scheduled"] != "" {
			return "到设定时间，自动结束投票"
		}
		return "结束投票"
	case "poll.count":
		s := "开箱计票，共 " + d["ballots"] + " 张选票"
		if d["tellers"] != "" {
			s += "，监票人：" + d["tellers"]
		}
		if n := d["paper_pending"]; n != "" && n != "0" {
			s += "；经确认，未完成核对录入的纸质选票 " + n + " 份未计入"
		}
		return s + boxChecksText(d)
	case "ceremony.start":
		if d["key"] != "" {
			return "生成密钥（" + d["key"] + "）"
		}
		return "生成监票人密钥（监票人 " + d["tellers"] + " 位，开箱需其中 " + d["quorum"] + " 位）"
	case "count.start":
		s := "开始开箱计票，票箱共 " + d["ballots"] + " 张选票，由监票人在各自设备上开箱"
		if d["holder"] == ballot.KeyOrganizer {
			s = "开始开箱计票，票箱共 " + d["ballots"] + " 张选票，由组织者在本人设备上开箱"
		}
		if n := d["paper_pending"]; n != "" && n != "0" {
			s += "；经确认，未完成核对录入的纸质选票 " + n + " 份未计入"
		}
		return s + boxChecksText(d)
	case "poll.contact":
		switch {
		case d["to"] == "":
			return "清除投票人联系方式（原为“" + d["from"] + "”）"
		case d["from"] == "":
			return "设定投票人联系方式“" + d["to"] + "”"
		}
		return "将投票人联系方式由“" + d["from"] + "”改为“" + d["to"] + "”"
	case "poll.year":
		return "将考核年度由 " + d["from"] + " 年改为 " + d["to"] + " 年"
	case "poll.schedule":
		if d["close_at"] == "取消" {
			return "取消定时结束投票"
		}
		return "设定于 " + d["close_at"] + "（北京时间）自动结束投票"
	case "group.expected":
		return "将" + q(d["group"]) + "的应到人数由 " + d["from"] + " 人改为 " + d["to"] + " 人"
	case "tokens.issue":
		s := "为" + q(d["group"]) + "发放凭证 " + d["count"] + " 张"
		if d["hint"] != "" {
			s += "（批次 " + d["hint"] + "）"
		}
		return s
	case "codes.issue":
		return "为 " + d["groups"] + " 个参评类别批量生成凭证码 " + d["count"] + " 个（" + codesFormat(d["format"]) + "）"
	case "codes.broken":
		return "为 " + d["groups"] + " 个参评类别批量生成凭证码 " + d["count"] + " 个，下载中断，这批凭证码全部未发放、不能投票"
	case "batch.void":
		s := "作废凭证批次"
		if n, err := strconv.Atoi(d["count"]); err == nil && d["group"] != "" {
			s += "（" + batchName(d["group"], n, d["hint"]) + "）"
		}
		return s + "，其中未使用的 " + d["voided"] + " 张已作废"
	case "token.void":
		return "作废单张凭证（凭证码不记录）"
	case "token.paper":
		return "一张凭证改为纸质投票（凭证码不记录）"
	case "paper.enter":
		if d["matched"] == "true" {
			return "录入纸质选票，与前一次录入核对一致，选票已投入票箱"
		}
		return "录入纸质选票，等待第二人核对"
	case "paper.discard":
		return "清除未核对的纸质录入 " + d["entries"] + " 份"
	case "poll.file":
		return "归档到干部档案，共 " + d["entries"] + " 条记录"
	case "entry.link":
		return "将" + q(d["name"]) + "的记录关联到" + d["cadre"]
	case "cadres.add":
		if d["unit"] != "" {
			return "向" + q(d["unit"]) + "的干部名册加入 " + d["count"] + " 人"
		}
		return "加入干部名册 " + d["count"] + " 人"
	case "selection.create":
		return "新建选拔任用纪实：" + d["post"]
	case "selection.step":
		return "记录选拔任用纪实（" + d["post"] + "）环节：" + d["step"]
	case "unit.create":
		return "新建单位" + q(d["name"])
	case "staff.create":
		return "新建账号 " + d["username"] + "（" + store.Role(d["role"]).Label() + "）"
	case "receiver.add":
		return "添加档案接收方" + q(d["name"]) + "（" + d["url"] + "）"
	}
	label := auditLabels[action]
	if label == "" {
		label = action
	}
	var vals []string
	for _, v := range d {
		vals = append(vals, v)
	}
	if len(vals) == 0 {
		return label
	}
	slices.Sort(vals)
	return label + "（" + strings.Join(vals, "，") + "）"
}

// boxChecksText is what a count's entry says of the ballots it checked one by one: none
// when the sums kept at sealing matched the whole box.
func boxChecksText(d map[string]string) string {
	s := ""
	if n := d["checked"]; n != "" && n != "0" {
		s += "；逐张核验证明的选票 " + n + " 张"
	}
	if n := d["box_checks"]; n != "" {
		s += "；" + n
	}
	return s
}

// codesFormat names a bulk issue's download.
func codesFormat(f string) string {
	if f == "zip" {
		return "凭证清单和 PDF 切割单"
	}
	return "凭证清单"
}
