package server_test

import (
	"strings"
	"testing"
)

// An id of another unit's or another poll's object, put where a form or a body names one
// (a next round's previous poll, a selection step's vote, a batch under another poll's
// address), is refused as if it did not exist, and nothing of the other object changes.
func TestIDsOfAnotherUnitOrPoll(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	unitB, err := e.st.CreateUnit(ctx, "乙单位")
	if err != nil {
		t.Fatal(err)
	}
	e.addStaff("orgb", "organizer", unitB.ID)
	orgB := e.login("orgb")
	counted := e.countedEvaluation(form("优秀"), "张三")

	next := func(token, unit string) map[string]any {
		return map[string]any{"title": "副局长民主推荐（第二轮）", "unit_id": unit, "previous_round": counted.ID,
			"groups": []map[string]any{{"name": "全体", "expected": 9}},
			"forms":  []map[string]any{{"kind": "approval", "approval": map[string]any{"nominees": []map[string]string{{"name": "甲"}}}}}}
	}
	// Another unit's organizer cannot start a next round of unit A's vote, nor learn it is there.
	if b := e.api(orgB, "POST", "/api/v1/polls", next(orgB, ""), 400, nil); !strings.Contains(string(b), "上一轮投票活动不存在") {
		t.Fatalf("a next round of another unit's poll: %s", b)
	}
	// Nor can an admin put a next round of unit A's vote into unit B.
	if b := e.api(e.admin, "POST", "/api/v1/polls", next(e.admin, unitB.ID), 400, nil); !strings.Contains(string(b), "只能从本单位已计票的投票活动发起下一轮") {
		t.Fatalf("a next round in another unit: %s", b)
	}

	// A selection of unit B cannot cite unit A's vote as one of its steps.
	var sel struct{ ID string }
	e.api(orgB, "POST", "/api/v1/selections", map[string]any{"post": "乙单位副局长"}, 201, &sel)
	if b := e.api(orgB, "POST", "/api/v1/selections/"+sel.ID+"/steps", map[string]any{"kind": "民主推荐", "date": "2026-04-01", "poll_id": counted.ID}, 400, nil); !strings.Contains(string(b), "请选择本单位的投票活动") {
		t.Fatalf("a step citing another unit's poll: %s", b)
	}
	if got, err := e.st.Selection(ctx, sel.ID); err != nil || len(got.Steps) != 0 {
		t.Fatalf("the refused step was recorded: %v, %+v", err, got)
	}

	// A batch of poll A voided through poll B's address: not found, and A's tokens still vote.
	a, b := e.evaluation("李四"), e.evaluation("王五")
	codes := e.tokens(a, 2)
	e.tokens(b, 1)
	batchA := e.batches(a)[0].ID
	if body := e.api(e.admin, "POST", "/api/v1/polls/"+b.ID+"/batches/"+batchA+"/void", nil, 404, nil); !strings.Contains(string(body), "not_found") {
		t.Fatalf("voiding another poll's batch: %s", body)
	}
	e.openPoll(a.ID)
	for _, code := range codes {
		if status, page := e.vote(code, form("称职")); status != 200 || !strings.Contains(page, "投票成功") {
			t.Fatalf("a token of poll A after its batch was aimed at through poll B: %d", status)
		}
	}
}
