package server

import "github.com/gofiber/fiber/v2"

// screenPoll is the poll a big-screen link shows. The screen speaks the poll's language,
// as its voters' pages do, unless whoever stands at the projector switched.
func (s *Server) screenPoll(c *fiber.Ctx) (string, error) {
	id, err := s.store.PollByScreenKey(c.UserContext(), c.Params("key"))
	if err != nil {
		return "", err
	}
	if p, err := s.polls.Get(c.UserContext(), id); err == nil {
		s.pollLang(c, p.Lang)
	}
	return id, nil
}

// maxScreenGroups is the most groups the big screen shows one by one; a poll with more
// and no regions shows its total only, as a projector cannot show hundreds of bars.
const maxScreenGroups = 24

func (s *Server) screenPage(c *fiber.Ctx) error {
	id, err := s.screenPoll(c)
	if err != nil {
		return err
	}
	v, _, err := s.liveNow(c.UserContext(), id)
	if err != nil {
		return err
	}
	return s.page(c, fiber.StatusOK, "screen/screen", fiber.Map{"Title": v.Title, "V": v, "Key": c.Params("key"), "StateLabels": stateLabels(pr(c)), "MaxScreenGroups": maxScreenGroups})
}

func (s *Server) screenLive(c *fiber.Ctx) error {
	id, err := s.screenPoll(c)
	if err != nil {
		return err
	}
	return s.stream(c, id)
}

// screenJSON is the fallback for a display whose network blocks event streams.
func (s *Server) screenJSON(c *fiber.Ctx) error {
	id, err := s.screenPoll(c)
	if err != nil {
		return err
	}
	v, b, err := s.liveNow(c.UserContext(), id)
	if err != nil {
		return err
	}
	c.Set("Cache-Control", "no-store")
	c.Set("Content-Type", "application/json")
	return c.Send(sayLive(pr(c), v, b))
}

// pollScreen makes (once) the poll's big-screen link.
func (s *Server) pollScreen(c *fiber.Ctx) error {
	p := pollOf(c)
	base, _ := s.baseURL(c.BaseURL())
	if _, err := s.createScreen(c.UserContext(), meOf(c), p, base); err != nil {
		return err
	}
	return s.redirectWith(c, "/polls/"+p.ID, tr(c, "大屏链接已生成，可在投影电脑上打开；该链接只显示参会人数。"))
}
