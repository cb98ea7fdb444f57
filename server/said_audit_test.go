package server

import (
	"fmt"
	"strings"
	"testing"

	"minyi/ballot"
	"minyi/i18n"
	"minyi/live"
)

// A count's entry in the audit log keeps the box's notes as the Chinese the count wrote,
// joined with "；" (one of them holds "；" itself); the English log says each of them in
// English, the Chinese log as kept.
func TestAuditBoxChecksInEnglish(t *testing.T) {
	d := map[string]string{"ballots": "5"}
	boxChecks(d, &ballot.BoxSums{Checked: 4, Notes: []string{
		"参评类别“Staff”票箱内的选票比投票时记录的少 1 张（记录 3 张，票箱 2 张），可能有选票被删除，请核查；该类别的选票已逐张核验",
		"参评类别“Leaders”的投票记录被改动（校验不符），该类别的选票已逐张核验",
	}})
	zh := auditSentenceIn(i18n.For(i18n.Zh), "poll.count", d)
	if want := "开箱计票，共 5 张选票；逐张核验证明的选票 4 张；" + d["box_checks"]; zh != want {
		t.Errorf("Chinese: %q, want %q", zh, want)
	}
	en := auditSentenceIn(i18n.For(i18n.En), "poll.count", d)
	if han.MatchString(en) || strings.Count(en, "Staff") != 1 || strings.Count(en, "Leaders") != 1 {
		t.Errorf("English: %q", en)
	}
	// a note no sentence of the count wrote (older wording) is shown as kept
	d["box_checks"] = "某类别另有情况"
	if en := auditSentenceIn(i18n.For(i18n.En), "poll.count", d); !strings.HasSuffix(en, "; 某类别另有情况") {
		t.Errorf("English of an unknown note: %q", en)
	}
}

// A delivery its receiver refused keeps its failure in Chinese; the English deliveries
// page says it in English, a network's own error as it came.
func TestDeliveryFailureInEnglish(t *testing.T) {
	kept := fmt.Sprintf(live.ReceiverAnswered, 503)
	if got, _ := deliveryErrors.Say(i18n.For(i18n.En), kept); got != "The receiver answered 503" {
		t.Errorf("English: %q", got)
	}
	if got, _ := deliveryErrors.Say(i18n.For(i18n.Zh), kept); got != "接收方回应 503" {
		t.Errorf("Chinese: %q", got)
	}
	if got, _ := deliveryErrors.Say(i18n.For(i18n.En), "dial tcp: connection refused"); got != "dial tcp: connection refused" {
		t.Errorf("a network's error: %q", got)
	}
}
