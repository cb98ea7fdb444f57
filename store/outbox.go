package store

import (
	"context"
	"time"

	"minyi/ballot"
)

// Receiver is an external system that gets every filed record entry.
type Receiver struct {
	ID     string `db:"id" json:"id"`
	Name   string `db:"name" json:"name"`
	URL    string `db:"url" json:"url"`
	Secret string `db:"secret" json:"-"`
	Active bool   `db:"active" json:"active"`
}

// Delivery is one entry on its way to one receiver.
type Delivery struct {
	ID          string     `db:"id"`
	ReceiverID  string     `db:"receiver_id"`
	Receiver    string     `db:"receiver"`
	URL         string     `db:"url"`
	Secret      string     `db:"secret"`
	EntryID     string     `db:"entry_id"`
	Payload     []byte     `db:"payload"`
	Attempts    int        `db:"attempts"`
	NextAt      time.Time  `db:"next_at"`
	DeliveredAt *time.Time `db:"delivered_at"`
	LastError   string     `db:"last_error"`
	Name        string     `db:"name"` // the entry's person, for the page
}

var (
	qAddReceiver = query(`INSERT INTO receivers (name, url, secret) VALUES ($1, $2, $3) RETURNING id`)
	qReceivers   = query(`SELECT id, name, url, secret, active FROM receivers ORDER BY name`)
	qEnqueue     = query(`INSERT INTO outbox (receiver_id, entry_id, payload)
		SELECT r.id, e.id, $2 FROM receivers r, record_entries e WHERE r.active AND e.id = $1
		ON CONFLICT (receiver_id, entry_id) DO NOTHING`)
	qClaim = query(`UPDATE outbox o SET next_at = now() + make_interval(secs => $1), attempts = o.attempts + 1
		FROM receivers r
		WHERE o.id IN (SELECT id FROM outbox WHERE delivered_at IS NULL AND next_at <= now() ORDER BY next_at LIMIT $2 FOR UPDATE SKIP LOCKED)
		AND r.id = o.receiver_id
		RETURNING o.id, o.receiver_id, r.name AS receiver, r.url, r.secret, o.entry_id, o.payload, o.attempts, o.next_at, o.delivered_at, o.last_error, '' AS name`)
	qDelivered = query(`UPDATE outbox SET delivered_at = now(), last_error = '' WHERE id = $1`)
	qFailed    = query(`UPDATE outbox SET next_at = now() + make_interval(secs => $2), last_error = $3 WHERE id = $1`)
	qRetryNow  = query(`UPDATE outbox SET next_at = now() WHERE id = $1 AND delivered_at IS NULL`)
	qPending   = query(`SELECT o.id, o.receiver_id, r.name AS receiver, r.url, '' AS secret, o.entry_id, ''::bytea AS payload, o.attempts, o.next_at, o.delivered_at, o.last_error, e.name
		FROM outbox o JOIN receivers r ON r.id = o.receiver_id JOIN record_entries e ON e.id = o.entry_id
		WHERE o.delivered_at IS NULL ORDER BY o.next_at LIMIT 500`)
	qDeliveredCount = query(`SELECT count(*) FROM outbox WHERE delivered_at IS NOT NULL`)
)

// AddReceiver configures a receiver.
func (s *Store) AddReceiver(ctx context.Context, r *Receiver) error {
	return s.db.GetContext(ctx, &r.ID, qAddReceiver, r.Name, r.URL, r.Secret)
}

// Receivers lists the receivers.
func (s *Store) Receivers(ctx context.Context) ([]Receiver, error) {
	var out []Receiver
	err := s.db.SelectContext(ctx, &out, qReceivers)
	return out, err
}

// Enqueue puts a filed entry in the outbox for every active receiver (once each).
func (s *Store) Enqueue(ctx context.Context, entryID string, payload []byte) error {
	_, err := s.db.ExecContext(ctx, qEnqueue, entryID, payload)
	return err
}

// ClaimDeliveries takes up to n due deliveries and leases them for lease: another instance
// will not take them meanwhile, and if this one dies they come due again.
func (s *Store) ClaimDeliveries(ctx context.Context, n int, lease time.Duration) ([]Delivery, error) {
	var out []Delivery
	err := s.db.SelectContext(ctx, &out, qClaim, lease.Seconds(), n)
	return out, err
}

// Delivered marks a delivery done.
func (s *Store) Delivered(ctx context.Context, id string) error {
	_, err := s.db.ExecContext(ctx, qDelivered, id)
	return err
}

// DeliveryFailed schedules the next try after wait.
func (s *Store) DeliveryFailed(ctx context.Context, id string, wait time.Duration, reason string) error {
	_, err := s.db.ExecContext(ctx, qFailed, id, wait.Seconds(), reason)
	return err
}

// RetryDelivery makes a pending delivery due now.
func (s *Store) RetryDelivery(ctx context.Context, id string) error {
	if err := checkID(id, "投递"); err != nil {
		return err
	}
	res, err := s.db.ExecContext(ctx, qRetryNow, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ballot.Errorf(ballot.ENOTFOUND, "该投递不存在或已完成")
	}
	return nil
}

// PendingDeliveries lists deliveries not yet done, the failing first to come due.
func (s *Store) PendingDeliveries(ctx context.Context) ([]Delivery, error) {
	var out []Delivery
	err := s.db.SelectContext(ctx, &out, qPending)
	return out, err
}

// DeliveredCount counts completed deliveries.
func (s *Store) DeliveredCount(ctx context.Context) (int, error) {
	var n int
	err := s.db.GetContext(ctx, &n, qDeliveredCount)
	return n, err
}
