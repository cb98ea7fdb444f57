package server

import (
	"encoding/json"

	"minyi/records"
)

// deliveryPayload is the body of a delivery.
func deliveryPayload(e records.Entry) ([]byte, error) {
	return json.Marshal(struct {
		Type  string        `json:"type"`
		Entry records.Entry `json:"entry"`
	}{"minyi.record_entry", e})
}
