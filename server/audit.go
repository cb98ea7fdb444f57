package server

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/store"
)

// audit records an organizer action: who, what, when; never a token or a vote. A failure
// to record is logged and the action, already done, stands.
func (s *Server) audit(c *fiber.Ctx, pollID, action string, detail map[string]string) {
	s.auditBy(c.UserContext(), meOf(c), pollID, action, detail)
}

// auditBy is audit for an action that was handed its acting user rather than the request.
func (s *Server) auditBy(ctx context.Context, me *store.Session, pollID, action string, detail map[string]string) {
	s.auditAs(ctx, me.ID, me.Name+"（"+me.Username+"）", pollID, action, detail)
}

func (s *Server) auditAs(ctx context.Context, actor, name, pollID, action string, detail map[string]string) {
	e := ballot.AuditEntry{Actor: actor, ActorName: name, PollID: pollID, Action: action, Detail: detail}
	if err := s.store.Audit(ctx, e); err != nil {
		s.log.Error("audit log", "action", action, "err", err)
	}
}

// auditLabels are the actions as organizers read them.
var auditLabels = map[string]string{
	"poll.create": "新建投票活动", "poll.open": "开始投票", "poll.close": "结束投票", "poll.count": "开箱计票", "count.start": "开始开箱计票", "poll.delete": "删除投票活动",
	"rehearsal.start": "开始模拟测评", "rehearsal.wipe": "清除模拟数据", "tokens.issue": "发放凭证", "codes.issue": "批量生成凭证码", "codes.broken": "批量生成凭证码（下载中断，未发放）", "token.void": "作废单张凭证",
	"batch.void": "作废凭证批次", "screen.create": "生成大屏链接", "unit.create": "新建单位", "staff.create": "新建账号",
	"poll.reopen": "重新开放投票", "group.expected": "修改应到人数", "poll.schedule": "设定结束时间",
	"poll.file": "归档到干部档案", "receiver.add": "添加档案接收方", "entry.link": "关联档案记录", "selection.create": "新建纪实", "selection.step": "记录纪实环节", "cadres.add": "加入干部名册", "token.paper": "凭证改为纸质投票", "paper.enter": "录入纸质选票", "paper.discard": "清除未核对的纸质录入",
}
