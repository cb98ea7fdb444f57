package live

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"

	"minyi/i18n"
	"minyi/store"
)

// ReceiverAnswered is the failure kept of a delivery its receiver refused: it is stored in
// Chinese, as every kept text is, and said again in the reader's language where shown.
var ReceiverAnswered = i18n.N("接收方回应 %d")

// post sends one delivery, signed with its receiver's secret; an answer outside 2xx is a
// failure, to be tried again later.
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
		return fmt.Errorf(ReceiverAnswered, res.StatusCode)
	}
	return nil
}
