package report

import (
	"strings"

	"minyi/ballot"
)

// TallyPDF is the 计票结果报告单: the poll, who opened the box, the turnout and every
// form's tables (the same as the workbook's) with their bars, the tellers' signature
// lines, and what ties the paper to the signed bundle: the box's Merkle root, the check
// code of the file and the signing key's fingerprint, with how to check them. Its own
// words are in the printer's language; what the signed tally holds in words (the key
// holder, its notes, the rules' sentences) is printed as signed.
func (p Printer) TallyPDF(b *ballot.Bundle, fingerprint, checkCode string) ([]byte, error) {
	m := p.msg()
	t := b.Tally
	meta := []string{m.T("计票时间：%s", b.CountedAt.In(cst).Format("2006-01-02 15:04"))}
	if len(t.Tellers()) > 0 {
		var names []string
		for _, n := range t.Tellers() {
			names = append(names, whole(n))
		}
		meta = append(meta, m.T("开箱监票人：%s", strings.Join(names, m.T("、"))))
	}
	if k := t.KeyText(); k != "" {
		meta = append(meta, m.T("密钥保管：%s", said(m, k)))
	}
	if t.QuorumMet {
		meta = append(meta, m.T("应到 %d 人，实到 %d 人，票箱 %d 张，法定人数 %d 人（已达到）", t.Expected, t.Used, t.Ballots, t.Needed))
	} else {
		meta = append(meta, m.T("应到 %d 人，实到 %d 人，票箱 %d 张，法定人数 %d 人（✘ 未达到）", t.Expected, t.Used, t.Ballots, t.Needed))
	}
	if t.Paper > 0 {
		meta = append(meta, m.T("其中纸质选票 %d 张，手机投票 %d 张。", t.Paper, t.Ballots-t.Paper))
	}
	if t.Rehearsal {
		meta = append(meta, m.T("模拟测评演练结果，不是正式结果，不得归档或使用。"))
	}
	file := m.T("文件名.json")
	if b.Version == ballot.BundleVersion5 {
		file = m.T("文件名.zip")
	}
	footer := []string{
		m.T("票箱默克尔根：%s", b.MerkleRoot),
		m.T("核验码：%s", checkCode),
		m.T("签名密钥指纹：%s", fingerprint),
		m.T("如何核对：票箱默克尔根由票箱中全部选票的回执计算得出，任何一张选票被增删或改动，它都会改变；核验码取自签名的计票结果文件，用来确认手中的文件就是这份报告单所对应的文件。可在不联网的计算机上运行 %s，或在本系统的 /verify 页面上传该文件：核验通过且显示的核验码、默克尔根与本页相同，说明文件未被改动，本报告单的数字与文件中的选票重新计票的结果一致。",
			whole("minyi verify -key \""+fingerprint+"\" "+file)),
	}
	// The tally's notes (below quorum, a box that does not add up) head the report rather
	// than sit under the turnout table, where the workbook has them.
	for _, n := range t.Notes {
		meta = append(meta, "✘ "+ballot.Say(m, n))
	}
	tables := p.Tables(t)
	tables[0].Notes = tables[0].Notes[:len(tables[0].Notes)-len(t.Notes)]
	return p.Report(m.T("计票结果报告单"), b.Poll.Title, meta, tables, true, footer)
}

// whole keeps a name on one line when a line of text is wrapped.
func whole(s string) string { return "\x02" + s + "\x03" }
