package server

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/store"
)

// The poll builder: a poll's forms as sections of one page, each list pasted as text.
// Templates prefill it; sections are added and removed by posting the page back, so it
// works without JavaScript and never loses what was typed.

func (s *Server) pollNewPage(c *fiber.Ctx) error {
	t, ok := templateByKey(c.Query("template"))
	if !ok {
		return s.page(c, fiber.StatusOK, "staff/poll_templates", fiber.Map{"Title": tr(c, "新建投票活动"), "Templates": pollTemplates})
	}
	b := t.build(pr(c))
	b.Template = t.Key
	for i := range b.Forms {
		b.Forms[i].defaults()
	}
	if b.Quorum == "" {
		b.Quorum = "2/3"
	}
	return s.renderBuilder(c, fiber.StatusOK, b, nil)
}

func (s *Server) renderBuilder(c *fiber.Ctx, status int, b builder, err error) error {
	me := meOf(c)
	t, _ := templateByKey(b.Template)
	data := fiber.Map{"Title": tr(c, "新建投票活动"), "B": b, "Template": t, "Quorums": quorums, "MinGroupDefault": ballot.DefaultMinGroup, "MinGroupLeast": ballot.MinMinGroup, "GradeSets": ballot.GradeSets,
		"Addable": addable, "MaxForms": ballot.MaxForms, "ScoreSteps": scoreSteps, "KeyHolders": keyHolders, "Holder": b.holder(), "ContactMax": ballot.MaxContact}
	if me.Role == store.RoleAdmin {
		units, uerr := s.store.Units(c.UserContext())
		if uerr != nil {
			return uerr
		}
		data["Units"] = units
	}
	if err != nil {
		data["Error"] = ballot.SayError(pr(c), err)
	}
	if msg, ok := c.Locals("flash").(string); ok {
		data["Notice"] = msg
	}
	return s.page(c, status, "staff/poll_new", data)
}

func (s *Server) pollCreate(c *fiber.Ctx) error {
	b := readBuilder(c)
	if k := c.FormValue("add"); k != "" {
		if len(b.Forms) < ballot.MaxForms {
			b.Forms = append(b.Forms, newSection(pr(c), ballot.Kind(k)))
		}
		return s.renderBuilder(c, fiber.StatusOK, b, nil)
	}
	if target := c.FormValue("import"); target != "" {
		return s.builderImport(c, b, target)
	}
	if r := c.FormValue("remove"); r != "" {
		if i, err := strconv.Atoi(r); err == nil && i >= 0 && i < len(b.Forms) {
			b.Forms = append(b.Forms[:i], b.Forms[i+1:]...)
		}
		return s.renderBuilder(c, fiber.StatusOK, b, nil)
	}
	p, err := b.poll()
	if err == nil {
		err = s.createPoll(c, p)
	}
	if code := ballot.ErrorCode(err); code == ballot.EINVALID || code == ballot.ECONFLICT || code == ballot.ETOOBIG {
		return s.renderBuilder(c, fiber.StatusBadRequest, b, err)
	} else if err != nil {
		return err
	}
	msg := tr(c, "已保存。请发放投票凭证，并在会上宣布开始投票。")
	for _, w := range p.Notices() {
		msg += tr(c, " 注意：%s", ballot.SayError(pr(c), w))
	}
	return s.redirectWith(c, "/polls/"+p.ID, msg)
}
