package ballot

import (
	"strings"
	"testing"
	"time"
)

func chain(n int) []AuditEntry {
	var out []AuditEntry
	var prev []byte
	for i := 1; i <= n; i++ {
		e := AuditEntry{Seq: int64(i), At: time.Date(2026, 11, 25, 9, 0, i, 123456789, time.UTC), Actor: "a", ActorName: "管理员", Action: "poll.open", Detail: map[string]string{"n": "1"}, Prev: prev}
		e.Hash = e.ComputeHash()
		prev = e.Hash
		out = append(out, e)
	}
	return out
}

func TestAuditChain(t *testing.T) {
	t.Parallel()
	if err := VerifyAudit(chain(5)); err != nil {
		t.Fatal(err)
	}
	for name, tamper := range map[string]func([]AuditEntry) []AuditEntry{
		"changed detail": func(c []AuditEntry) []AuditEntry { c[2].Detail["n"] = "2"; return c },
		"changed actor":  func(c []AuditEntry) []AuditEntry { c[1].ActorName = "别人"; return c },
		"removed entry":  func(c []AuditEntry) []AuditEntry { return append(c[:2], c[3:]...) },
		"swapped":        func(c []AuditEntry) []AuditEntry { c[1], c[2] = c[2], c[1]; return c },
	} {
		if err := VerifyAudit(tamper(chain(5))); err == nil || ErrorCode(err) != EINVALID || !strings.Contains(err.Error(), "审计日志第") {
			t.Errorf("%s: %v", name, err)
		}
	}
	// The hash does not depend on the time zone or on sub-microsecond digits.
	c := chain(1)
	c[0].At = c[0].At.In(time.FixedZone("CST", 8*3600)).Truncate(time.Microsecond)
	if err := VerifyAudit(c); err != nil {
		t.Fatal(err)
	}
}
