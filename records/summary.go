package records

import (
	"strings"

	"minyi/ballot"
	"minyi/i18n"
)

// A filed line's summary is stored as the Chinese text it was filed with, as every record
// is: an entry filed years ago reads as it did. It is built of the formats below only, so
// a reader of another language gets it back in that language (SummaryIn); a summary none
// of them wrote (filed under older wording) is shown as stored.
const (
	sumGrade            = "%s %d（%s）"
	sumValid            = "有效票 %d"
	sumGood             = "好评率 %s（%s）"
	sumWeighted         = "加权好评率 %s"
	sumScore            = "折算得分 %s"
	sumRecommended      = "推荐职位“%s”：得票 %d，得票率 %s（%s），名次 %d"
	sumApprovedExpected = "同意 %d，不同意 %d，弃权 %d；同意/应到 %s"
	sumApprovedTurnout  = "同意 %d，不同意 %d，弃权 %d；同意/实到 %s"
	sumReviewed         = "认同率 %s（%s），不认同率 %s，排名 %d"
	sumScored           = "平均分 %s（%d人打分），名次 %d"
	sumScoredTrimmed    = "平均分 %s（%d人打分），去掉最高最低分 %s，名次 %d"
)

// summaries reads a summary's parts back; the whole of a line's result is tried before
// its parts, since a position's title may hold any punctuation.
var summaries = ballot.NewReader([][2]string{
	{sumRecommended, "sdppd"}, {sumApprovedExpected, "dddp"}, {sumApprovedTurnout, "dddp"}, {sumReviewed, "pppd"},
	{sumScoredTrimmed, "pdpd"}, {sumScored, "pdd"},
	{sumValid, "d"}, {sumGood, "pp"}, {sumWeighted, "p"}, {sumScore, "p"}, {sumGrade, "tdp"},
})

// SummaryFormats are the formats of the filed summaries, for the catalogue's test.
func SummaryFormats() []string { return summaries.Formats() }

// SummaryIn is the entry's summary in p's language (SaySummary).
func (e Entry) SummaryIn(p *i18n.Printer) string { return SaySummary(p, e.Summary) }

// SaySummary is a filed summary in p's language: the quorum's note before it, the
// result, and who held the key after it, each read back into the format that wrote it.
// As stored when p is Chinese or any part of it was written otherwise.
func SaySummary(p *i18n.Printer, summary string) string {
	s := summary
	if p.Lang() == i18n.Zh {
		return s
	}
	var head, tail []string
	// below quorum: 「未达法定人数，结果无效（…）；」 first
	if strings.HasPrefix(s, ballot.QuorumNote+"（") {
		if i := strings.Index(s, "）；"); i > 0 {
			note := s[:i+len("）")]
			said := ballot.Say(p, note)
			if said == note {
				return s
			}
			head, s = append(head, said), s[i+len("）；"):]
		}
	}
	// 「；需3名监票人中的2名共同开箱」 last
	if i := strings.LastIndex(s, "；"); i >= 0 {
		if _, _, ok := ballot.Read(s[i+len("；"):]); ok {
			tail, s = append(tail, ballot.Say(p, s[i+len("；"):])), s[:i]
		}
	}
	body, ok := summaries.Say(p, s)
	if !ok {
		var segs []string
		for _, seg := range strings.Split(s, "；") {
			said, ok := summaries.Say(p, seg)
			if !ok {
				var parts []string
				for _, part := range strings.Split(seg, "，") {
					if said, ok = summaries.Say(p, part); !ok {
						return summary
					}
					parts = append(parts, said)
				}
				said = strings.Join(parts, p.T("，"))
			}
			segs = append(segs, said)
		}
		body = strings.Join(segs, p.T("；"))
	}
	return strings.Join(append(append(head, body), tail...), p.T("；"))
}
