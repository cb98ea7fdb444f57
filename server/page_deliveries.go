package server

import (
	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/i18n"
	"minyi/live"
	"minyi/store"
)

// deliveryErrors reads back the failures a delivery keeps that Minyi words itself; the
// others (a network's error) are shown as kept.
var deliveryErrors = ballot.NewReader([][2]string{{live.ReceiverAnswered, "d"}})

// deliveriesPage shows receivers and the deliveries not yet done.
func (s *Server) deliveriesPage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	rs, err := s.store.Receivers(ctx)
	if err != nil {
		return err
	}
	pending, err := s.store.PendingDeliveries(ctx)
	if err != nil {
		return err
	}
	done, err := s.store.DeliveredCount(ctx)
	if err != nil {
		return err
	}
	for i := range pending {
		pending[i].LastError, _ = deliveryErrors.Say(pr(c), pending[i].LastError)
	}
	return s.page(c, fiber.StatusOK, "staff/deliveries", fiber.Map{"Title": tr(c, "档案推送"), "Receivers": rs, "Pending": pending, "Delivered": done})
}

func (s *Server) receiverAdd(c *fiber.Ctx) error {
	name, err := ballot.CleanText(i18n.N("接收方名称"), c.FormValue("name"), ballot.TextLine)
	if err != nil {
		return err
	}
	r := store.Receiver{Name: name, URL: c.FormValue("url"), Secret: c.FormValue("secret")}
	for what, v := range map[string]string{i18n.N("地址"): r.URL, i18n.N("共享密钥"): r.Secret} { // checked, kept as typed
		if _, err := ballot.CleanText(what, v, ballot.TextLine); err != nil {
			return err
		}
	}
	if r.Name == "" || len(r.Secret) < 16 || !(len(r.URL) > 8 && (r.URL[:7] == "http://" || r.URL[:8] == "https://")) {
		return ballot.Errorf(ballot.EINVALID, "请填写接收方名称、http(s) 地址和至少16位的共享密钥")
	}
	if err := s.store.AddReceiver(c.UserContext(), &r); err != nil {
		return err
	}
	s.audit(c, "", "receiver.add", map[string]string{"name": r.Name, "url": r.URL})
	return s.redirectWith(c, "/admin/deliveries", tr(c, "已添加接收方，此后归档的记录将推送给它。"))
}

func (s *Server) deliveryRetry(c *fiber.Ctx) error {
	if err := s.store.RetryDelivery(c.UserContext(), c.Params("id")); err != nil {
		return err
	}
	return s.redirectWith(c, "/admin/deliveries", tr(c, "已安排立即重试。"))
}
