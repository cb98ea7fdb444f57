package server

import (
	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/store"
)

// newPollForm is the organizer's form as typed, kept so an error never loses it.
type newPollForm struct {
	Title     string
	UnitID    string
	FormTitle string
	Subjects  string
	Groups    string
	Quorum    string
}

var quorums = []struct{ Value, Label string }{
	{"2/3", "三分之二（默认）"}, {"1/2", "二分之一"}, {"3/4", "四分之三"}, {"4/5", "五分之四"},
}

func (s *Server) pollNewPage(c *fiber.Ctx) error {
	return s.renderPollNew(c, fiber.StatusOK, newPollForm{FormTitle: "领导干部民主测评表", Quorum: "2/3"}, nil)
}

func (s *Server) renderPollNew(c *fiber.Ctx, status int, f newPollForm, err error) error {
	me := meOf(c)
	if !canManage(me) {
		return ballot.Errorf(ballot.EFORBIDDEN, "只有组织者或管理员可以新建投票活动")
	}
	data := fiber.Map{"Title": "新建民主测评", "F": f, "Quorums": quorums}
	if me.Role == store.RoleAdmin {
		units, uerr := s.store.Units(c.UserContext())
		if uerr != nil {
			return uerr
		}
		data["Units"] = units
	}
	if err != nil {
		data["Error"] = ballot.ErrorMessage(err)
	}
	return s.page(c, status, "staff/poll_new", data)
}

func (s *Server) pollCreate(c *fiber.Ctx) error {
	f := newPollForm{Title: c.FormValue("title"), UnitID: c.FormValue("unit_id"), FormTitle: c.FormValue("form_title"),
		Subjects: c.FormValue("subjects"), Groups: c.FormValue("groups"), Quorum: c.FormValue("quorum", "2/3")}
	p, err := f.poll()
	if err == nil {
		err = s.createPoll(c.UserContext(), meOf(c), p)
	}
	if code := ballot.ErrorCode(err); code == ballot.EINVALID || code == ballot.ECONFLICT {
		return s.renderPollNew(c, fiber.StatusBadRequest, f, err)
	} else if err != nil {
		return err
	}
	msg := "已保存。请发放投票凭证，并在会上宣布开始投票。"
	for _, w := range p.Warnings() {
		msg += " 注意：" + w
	}
	return s.redirectWith(c, "/polls/"+p.ID, msg)
}

func (f newPollForm) poll() (*ballot.Poll, error) {
	subjects, err := ballot.SubjectsFromLines(f.Subjects)
	if err != nil {
		return nil, ballot.Errorf(ballot.EINVALID, "被测评对象%s", ballot.ErrorMessage(err))
	}
	groups, err := ballot.GroupsFromLines(f.Groups)
	if err != nil {
		return nil, ballot.Errorf(ballot.EINVALID, "参评类别%s", ballot.ErrorMessage(err))
	}
	q, err := ballot.ParseRatio(f.Quorum)
	if err != nil {
		return nil, err
	}
	title := f.FormTitle
	if title == "" {
		title = "民主测评表"
	}
	return &ballot.Poll{UnitID: f.UnitID, Title: f.Title, Groups: groups, Quorum: q,
		Forms: []ballot.Form{{Kind: ballot.KindEvaluation, Title: title, Evaluation: &ballot.Evaluation{Subjects: subjects}}}}, nil
}
