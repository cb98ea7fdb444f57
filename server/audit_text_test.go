package server

import (
	"regexp"
	"strings"
	"testing"
)

// Every action the log records reads as a sentence with its names and counts: no detail
// key, no id, no key=value, whatever the action.
func TestAuditSentences(t *testing.T) {
	cases := map[string]struct {
		detail map[string]string
		want   string
	}{
		"poll.create":      {map[string]string{"title": "年度考核"}, "新建投票活动“年度考核”"},
		"poll.delete":      {map[string]string{"title": "年度考核"}, "删除投票活动“年度考核”"},
		"poll.open":        {map[string]string{"tellers": "3", "quorum": "2"}, "开始投票（监票人 3 位，开箱需其中 2 位）"},
		"poll.close":       {map[string]string{"scheduled": "1"}, "到设定时间，自动结束投票"},
		"poll.count":       {map[string]string{"ballots": "43", "tellers": "王五、赵六"}, "开箱计票，共 43 张选票，监票人：王五、赵六"},
		"count.start":      {map[string]string{"ballots": "43", "points": "608", "holder": "organizer"}, "开始开箱计票，票箱共 43 张选票，由组织者在本人设备上开箱"},
		"poll.reopen":      {nil, "重新开放投票"},
		"ceremony.start":   {map[string]string{"tellers": "1", "quorum": "1", "key": "密钥由组织者本人的设备保管"}, "生成密钥（密钥由组织者本人的设备保管）"},
		"ceremony.relink":  {nil, "组织者重新打开本人的密钥页面"},
		"poll.schedule":    {map[string]string{"close_at": "2026-11-30 16:30"}, "设定于 2026-11-30 16:30（北京时间）自动结束投票"},
		"poll.file":        {map[string]string{"entries": "4"}, "归档到干部档案，共 4 条记录"},
		"rehearsal.start":  {nil, "开始模拟测评"},
		"rehearsal.wipe":   {nil, "清除模拟数据"},
		"tokens.issue":     {map[string]string{"group": "职工代表", "count": "40", "hint": "ABCD…WXYZ", "batch": "5f0c6a8e-1111-4222-8333-944445555666"}, "为“职工代表”发放凭证 40 张（批次 ABCD…WXYZ）"},
		"token.void":       {nil, "作废单张凭证（凭证码不记录）"},
		"codes.issue":      {map[string]string{"groups": "300", "count": "1000000", "format": "csv"}, "为 300 个参评类别批量生成凭证码 1000000 个（凭证清单）"},
		"codes.broken":     {map[string]string{"groups": "3", "count": "3000", "format": "zip", "bytes": "65536"}, "为 3 个参评类别批量生成凭证码 3000 个，下载中断，这批凭证码全部未发放、不能投票"},
		"batch.void":       {map[string]string{"group": "职工代表", "count": "40", "hint": "ABCD…WXYZ", "voided": "38", "batch": "5f0c6a8e-1111-4222-8333-944445555666"}, "作废凭证批次（职工代表，40 张，ABCD…WXYZ），其中未使用的 38 张已作废"},
		"screen.create":    {nil, "生成大屏链接"},
		"unit.create":      {map[string]string{"name": "甲单位"}, "新建单位“甲单位”"},
		"staff.create":     {map[string]string{"username": "li", "role": "teller"}, "新建账号 li（监票人）"},
		"group.expected":   {map[string]string{"group": "职工代表", "from": "40", "to": "38"}, "将“职工代表”的应到人数由 40 人改为 38 人"},
		"receiver.add":     {map[string]string{"name": "组织部", "url": "https://example.org/in"}, "添加档案接收方“组织部”（https://example.org/in）"},
		"entry.link":       {map[string]string{"name": "张三", "cadre": "张三（局长）"}, "将“张三”的记录关联到张三（局长）"},
		"selection.create": {map[string]string{"post": "副局长"}, "新建选拔任用纪实：副局长"},
		"selection.step":   {map[string]string{"post": "副局长", "step": "民主推荐"}, "记录选拔任用纪实（副局长）环节：民主推荐"},
		"cadres.add":       {map[string]string{"unit": "甲单位", "count": "12"}, "向“甲单位”的干部名册加入 12 人"},
		"token.paper":      {nil, "一张凭证改为纸质投票（凭证码不记录）"},
		"paper.enter":      {map[string]string{"matched": "true"}, "录入纸质选票，与前一次录入核对一致，选票已投入票箱"},
		"poll.year":        {map[string]string{"from": "2026", "to": "2025"}, "将考核年度由 2026 年改为 2025 年"},
		"poll.contact":     {map[string]string{"from": "请联系 张三", "to": "请联系 李四 13900000000"}, "将投票人联系方式由“请联系 张三”改为“请联系 李四 13900000000”"},
		"paper.discard":    {map[string]string{"entries": "2"}, "清除未核对的纸质录入 2 份"},
	}
	for action := range auditLabels {
		c, ok := cases[action]
		if !ok {
			t.Errorf("action %s has no sentence case here", action)
			continue
		}
		got := auditSentence(action, c.detail)
		if got != c.want {
			t.Errorf("%s: %q, want %q", action, got, c.want)
		}
		if regexp.MustCompile(`[a-z_]+=|[0-9a-f]{8}-[0-9a-f]{4}-`).MatchString(got) {
			t.Errorf("%s: %q holds an id or key=value", action, got)
		}
		for k := range c.detail {
			if strings.Contains(got, k) {
				t.Errorf("%s: %q names the detail key %s", action, got, k)
			}
		}
	}
	// An entry written before batches were named still reads as a sentence.
	if got := auditSentence("batch.void", map[string]string{"batch": "5f0c6a8e-1111-4222-8333-944445555666", "voided": "3"}); got != "作废凭证批次，其中未使用的 3 张已作废" {
		t.Errorf("old batch.void: %q", got)
	}
}
