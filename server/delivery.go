package server

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/records"
	"minyi/store"
)

// Outbound delivery of filed record entries: each entry is queued with
// its filing, and every instance's worker delivers due ones with retries and backoff. The
// receiver gets the entry as JSON, an HMAC-SHA256 of the body under its secret in
// X-Minyi-Signature, and the delivery's id in Idempotency-Key, so a repeat (after a crash
// between sending and recording) is recognised as the same.

// deliveryPayload is the body of a delivery.
func deliveryPayload(e records.Entry) ([]byte, error) {
	return json.Marshal(struct {
		Type  string        `json:"type"`
		Entry records.Entry `json:"entry"`
	}{"minyi.record_entry", e})
}

// Delivery timing; tests shorten them.
type DeliveryTiming struct {
	Tick    time.Duration // how often an instance looks for due deliveries
	Lease   time.Duration // how long a delivery in flight is held
	Backoff time.Duration // the first wait after a failure, doubled each time (at most 10 min)
}

var defaultTiming = DeliveryTiming{Tick: time.Second, Lease: 30 * time.Second, Backoff: 2 * time.Second}

func (s *Server) timing() DeliveryTiming {
	if s.cfg.Delivery.Tick == 0 {
		return defaultTiming
	}
	return s.cfg.Delivery
}

// deliverDue sends what is due now; it returns how many it tried.
func (s *Server) deliverDue(ctx context.Context) int {
	t := s.timing()
	batch, err := s.store.ClaimDeliveries(ctx, 20, t.Lease)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Warn("outbox", "err", err)
		}
		return 0
	}
	client := &http.Client{Timeout: 10 * time.Second}
	for _, d := range batch {
		err := post(ctx, client, d)
		if err == nil {
			if err := s.store.Delivered(ctx, d.ID); err != nil {
				s.log.Warn("outbox: record delivery", "err", err)
			}
			continue
		}
		wait := t.Backoff << min(d.Attempts-1, 20)
		wait = min(wait, 10*time.Minute)
		if err := s.store.DeliveryFailed(ctx, d.ID, wait, err.Error()); err != nil {
			s.log.Warn("outbox: record failure", "err", err)
		}
	}
	return len(batch)
}

func post(ctx context.Context, client *http.Client, d store.Delivery) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URL, bytes.NewReader(d.Payload))
	if err != nil {
		return err
	}
	mac := hmac.New(sha256.New, []byte(d.Secret))
	mac.Write(d.Payload)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Minyi-Signature", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	req.Header.Set("Idempotency-Key", d.ID)
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, io.LimitReader(res.Body, 1<<16))
	res.Body.Close()
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return fmt.Errorf("接收方回应 %d", res.StatusCode)
	}
	return nil
}

func (s *Server) startDelivery(ctx context.Context) {
	go func() {
		t := time.NewTicker(s.timing().Tick)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				for s.deliverDue(ctx) > 0 && ctx.Err() == nil {
				}
			}
		}
	}()
}

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
	return s.page(c, fiber.StatusOK, "staff/deliveries", fiber.Map{"Title": "档案推送", "Receivers": rs, "Pending": pending, "Delivered": done})
}

func (s *Server) receiverAdd(c *fiber.Ctx) error {
	name, err := ballot.CleanText("接收方名称", c.FormValue("name"), ballot.TextLine)
	if err != nil {
		return err
	}
	r := store.Receiver{Name: name, URL: c.FormValue("url"), Secret: c.FormValue("secret")}
	for what, v := range map[string]string{"地址": r.URL, "共享密钥": r.Secret} { // checked, kept as typed
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
	return s.redirectWith(c, "/admin/deliveries", "已添加接收方，此后归档的记录将推送给它。")
}

func (s *Server) deliveryRetry(c *fiber.Ctx) error {
	if err := s.store.RetryDelivery(c.UserContext(), c.Params("id")); err != nil {
		return err
	}
	return s.redirectWith(c, "/admin/deliveries", "已安排立即重试。")
}
