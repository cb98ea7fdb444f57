package ballot

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"time"
)

// AuditEntry is one organizer action in the append-only audit log: who, what, when. It
// never holds a token or anything of a ballot's content.
type AuditEntry struct {
	Seq       int64             `json:"seq"`
	At        time.Time         `json:"at"`
	Actor     string            `json:"actor"`      // staff id
	ActorName string            `json:"actor_name"` // as it was then
	PollID    string            `json:"poll_id,omitempty"`
	Action    string            `json:"action"`
	Detail    map[string]string `json:"detail,omitempty"`
	Prev      []byte            `json:"prev"`
	Hash      []byte            `json:"hash"`
}

// AuditPrecision is the precision of audit times, as PostgreSQL keeps them.
const AuditPrecision = time.Microsecond

// ComputeHash is SHA-256 over the previous hash and the entry's canonical JSON (keys in
// a fixed order, time in UTC to the microsecond), so changing, removing or reordering
// any entry breaks every hash after it.
func (e *AuditEntry) ComputeHash() []byte {
	canon, _ := json.Marshal(struct {
		Seq       int64             `json:"seq"`
		At        string            `json:"at"`
		Actor     string            `json:"actor"`
		ActorName string            `json:"actor_name"`
		PollID    string            `json:"poll_id"`
		Action    string            `json:"action"`
		Detail    map[string]string `json:"detail"`
	}{e.Seq, e.At.UTC().Truncate(AuditPrecision).Format(time.RFC3339Nano), e.Actor, e.ActorName, e.PollID, e.Action, e.Detail})
	h := sha256.New()
	h.Write(e.Prev)
	h.Write(canon)
	return h.Sum(nil)
}

// VerifyAudit checks a whole log in order: each entry links to the one before and its
// hash is its own. The error names the first entry that fails.
func VerifyAudit(entries []AuditEntry) error {
	var prev []byte
	for i, e := range entries {
		if i > 0 && e.Seq <= entries[i-1].Seq {
			return Errorf(EINVALID, "审计日志第 %d 条排在第 %d 条之后，顺序不对", e.Seq, entries[i-1].Seq)
		}
		if !bytes.Equal(e.Prev, prev) {
			return Errorf(EINVALID, "审计日志第 %d 条与前一条接不上（有记录被删除或改动）", e.Seq)
		}
		if !bytes.Equal(e.ComputeHash(), e.Hash) {
			return Errorf(EINVALID, "审计日志第 %d 条的内容与其哈希不符（被改动过）", e.Seq)
		}
		prev = e.Hash
	}
	return nil
}
