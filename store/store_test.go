package store_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"minyi/ballot"
	"minyi/records"
	"minyi/store"
	"minyi/store/dbtest"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

var ctx = context.Background()

func newPoll(t *testing.T, s *store.Store) *ballot.Poll {
	t.Helper()
	p := samplePoll(t, s)
	if err := s.CreatePoll(ctx, p, ""); err != nil {
		t.Fatal(err)
	}
	return p
}

// samplePoll is the poll of these tests, of a new unit, not yet stored.
func samplePoll(t *testing.T, s *store.Store) *ballot.Poll {
	t.Helper()
	u, err := s.CreateUnit(ctx, "某某区委组织部")
	if err != nil {
		t.Fatal(err)
	}
	p := &ballot.Poll{UnitID: u.ID, Title: "年度民主测评", Groups: []ballot.Group{{Name: "职工代表", Expected: 30}},
		Forms: []ballot.Form{{Kind: ballot.KindEvaluation, Evaluation: &ballot.Evaluation{Subjects: []ballot.Subject{{Name: "张三", Post: "局长"}}}}}}
	p.Normalize()
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	return p
}

func hashes(n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = make([]byte, 32)
		rand.Read(out[i])
	}
	return out
}

// nul stands for a token's nullifier in these tests: the store only compares them.
func nul(h []byte) []byte {
	n := sha256.Sum256(append([]byte("nullifier"), h...))
	return n[:]
}

// item is a submission of token h.
func item(h []byte, pollID, groupID string, sealed []byte) store.CastItem {
	return store.CastItem{TokenHash: h, Nullifier: nul(h), PollID: pollID, GroupID: groupID, Sealed: sealed}
}

// The ballots table must hold nothing that links a ballot to a voter or a moment
// (DESIGN: step 6).
func TestBallotsTableHasNoLinkColumns(t *testing.T) {
	t.Parallel()
	s := dbtest.New(t)
	cols, err := s.Columns(ctx, "ballots")
	if err != nil {
		t.Fatal(err)
	}
	want := "group_id:uuid id:uuid nullifier:bytea poll_id:uuid sealed:bytea"
	if got := strings.Join(cols, " "); got != want {
		t.Fatalf("ballots columns = %q, want exactly %q", got, want)
	}
	for _, table := range []string{"tokens"} {
		cols, _ := s.Columns(ctx, table)
		for _, c := range cols {
			if strings.Contains(c, "timestamp") || strings.Contains(c, "ballot") {
				t.Errorf("%s.%s could link a token to a ballot or a time", table, c)
			}
		}
	}
	if def, _ := s.ColumnDefault(ctx, "ballots", "id"); def != "gen_random_uuid()" {
		t.Errorf("ballot id default = %q, want a random uuid", def)
	}
}

func TestCastCountsTokenOnce(t *testing.T) {
	t.Parallel()
	s := dbtest.New(t)
	p := newPoll(t, s)
	g := p.Groups[0].ID
	hs := hashes(3)
	if _, err := s.IssueTokens(ctx, p.ID, g, hs, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.Cast(ctx, item(hs[0], p.ID, g, []byte("x"))); ballot.ErrorCode(err) != ballot.ENOTOPEN {
		t.Fatalf("cast on a draft poll: %v", err)
	}
	k, _ := ballot.NewPollKey()
	if err := s.OpenPoll(ctx, p.ID, 2, k.Public, nil, []byte("wrapped")); err != nil {
		t.Fatal(err)
	}
	if err := s.Cast(ctx, item(hs[0], p.ID, g, []byte("sealed"))); err != nil {
		t.Fatal(err)
	}
	if err := s.Cast(ctx, item(hs[0], p.ID, g, []byte("sealed"))); ballot.ErrorCode(err) != ballot.ETOKENUSED {
		t.Fatalf("second cast: %v", err)
	}
	if err := s.VoidToken(ctx, p.ID, hs[1], nul(hs[1])); err != nil {
		t.Fatal(err)
	}
	if err := s.Cast(ctx, item(hs[1], p.ID, g, []byte("sealed"))); ballot.ErrorCode(err) != ballot.ETOKENVOID {
		t.Fatalf("cast with a voided token: %v", err)
	}
	if err := s.VoidToken(ctx, p.ID, hs[0], nul(hs[0])); ballot.ErrorCode(err) != ballot.ETOKENUSED {
		t.Fatalf("voiding a used token: %v", err)
	}
	if err := s.Cast(ctx, item(hashes(1)[0], p.ID, g, []byte("sealed"))); ballot.ErrorCode(err) != ballot.ETOKENUNKNOWN {
		t.Fatalf("cast with an unknown token: %v", err)
	}
	tu, _ := s.Turnout(ctx, p.ID)
	if tu[0].Issued != 2 || tu[0].Voided != 1 || tu[0].Used != 1 {
		t.Fatalf("turnout %+v", tu)
	}
	// Before close neither the box nor the key that opens it can be read.
	if _, err := s.Box(ctx, p.ID); ballot.ErrorCode(err) != ballot.ESEALED {
		t.Fatalf("box before close: %v", err)
	}
	if _, err := s.Share(ctx, p.ID); ballot.ErrorCode(err) != ballot.ESEALED {
		t.Fatalf("share before close: %v", err)
	}
	if _, _, err := s.Tally(ctx, p.ID); ballot.ErrorCode(err) != ballot.ESEALED {
		t.Fatalf("tally before close: %v", err)
	}
	if err := s.SaveTally(ctx, &ballot.Tally{PollID: p.ID}, "", &ballot.Signed{}, nil); ballot.ErrorCode(err) != ballot.ESEALED {
		t.Fatalf("save tally before close: %v", err)
	}
	if err := s.ClosePoll(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.Cast(ctx, item(hs[2], p.ID, g, []byte("sealed"))); ballot.ErrorCode(err) != ballot.ECLOSED {
		t.Fatalf("cast after close: %v", err)
	}
	box, err := s.Box(ctx, p.ID)
	if err != nil || len(box) != 1 {
		t.Fatalf("box after close: %d, %v", len(box), err)
	}
	if _, err := s.IssueTokens(ctx, p.ID, g, hashes(1), ""); ballot.ErrorCode(err) != ballot.ECONFLICT {
		t.Fatalf("issuing after close: %v", err)
	}
}

// Hundreds of concurrent casts, each token twice: exactly one ballot per token.
func TestConcurrentCastsCountOncePerToken(t *testing.T) {
	t.Parallel()
	s := dbtest.New(t)
	p := newPoll(t, s)
	g := p.Groups[0].ID
	hs := hashes(300)
	s.IssueTokens(ctx, p.ID, g, hs, "")
	k, _ := ballot.NewPollKey()
	s.OpenPoll(ctx, p.ID, 2, k.Public, nil, []byte("w"))
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, used := 0, 0
	for i := 0; i < 600; i++ {
		wg.Add(1)
		go func(h []byte) {
			defer wg.Done()
			err := s.Cast(ctx, item(h, p.ID, g, []byte("sealed")))
			mu.Lock()
			defer mu.Unlock()
			switch ballot.ErrorCode(err) {
			case "":
				ok++
			case ballot.ETOKENUSED:
				used++
			default:
				t.Errorf("cast: %v", err)
			}
		}(hs[i%300])
	}
	wg.Wait()
	s.ClosePoll(ctx, p.ID)
	box, _ := s.Box(ctx, p.ID)
	if ok != 300 || used != 300 || len(box) != 300 {
		t.Fatalf("accepted %d, refused as used %d, box %d; want 300/300/300", ok, used, len(box))
	}
}

// The server refuses a schema newer than it knows, rather than write into it.
func TestRefusesNewerSchema(t *testing.T) {
	t.Parallel()
	url := dbtest.URL(t)
	s, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.CheckSchema(ctx); err != nil {
		t.Fatal(err)
	}
	db, _ := sql.Open("postgres", url)
	defer db.Close()
	if _, err := db.Exec(`INSERT INTO goose_db_version (version_id, is_applied) VALUES (99999, true)`); err != nil {
		t.Fatal(err)
	}
	if err := s.CheckSchema(ctx); err == nil || !strings.Contains(err.Error(), "比本程序所知的更新") {
		t.Fatalf("CheckSchema on a newer schema: %v", err)
	}
}

// The audit log refuses changes, and a change made behind its back (by a superuser
// disabling the guard) breaks the chain at that entry.
func TestAuditLogIsAppendOnly(t *testing.T) {
	t.Parallel()
	url := dbtest.URL(t)
	s, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	db, _ := sql.Open("postgres", url)
	defer db.Close()
	// tamper rewrites an entry as an attacker with the database would; bypass first
	// disables the append-only guard (a superuser can).
	tamper := func(seq int64, bypass bool) error {
		tx, err := db.Begin()
		if err != nil {
			return err
		}
		defer tx.Rollback()
		if bypass {
			if _, err := tx.Exec(`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(`UPDATE audit_log SET detail = '{"i":"9"}' WHERE seq = $1`, seq); err != nil {
			return err
		}
		return tx.Commit()
	}
	for i := 0; i < 3; i++ {
		if err := s.Audit(ctx, ballot.AuditEntry{Actor: "x", ActorName: "管理员", Action: "poll.open", Detail: map[string]string{"i": fmt.Sprint(i)}}); err != nil {
			t.Fatal(err)
		}
	}
	all, err := s.AllAudit(ctx)
	if err != nil || len(all) != 3 || ballot.VerifyAudit(all) != nil {
		t.Fatalf("%d entries, %v, %v", len(all), err, ballot.VerifyAudit(all))
	}
	if err := tamper(2, false); err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Fatalf("update through the guard: %v", err)
	}
	if err := tamper(2, true); err != nil {
		t.Fatal(err)
	}
	all, _ = s.AllAudit(ctx)
	if err := ballot.VerifyAudit(all); err == nil || !strings.Contains(err.Error(), "审计日志第 2 条") {
		t.Fatalf("tampered log: %v", err)
	}
}

// Filed record entries cannot be changed, not even by the store's own connection.
func TestRecordEntriesAreAppendOnly(t *testing.T) {
	t.Parallel()
	url := dbtest.URL(t)
	s, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	u, _ := s.CreateUnit(ctx, "甲")
	e := records.Entry{UnitID: u.ID, PollID: "00000000-0000-0000-0000-000000000001", PollTitle: "测评", PollDate: time.Now(), FormID: "f1", FormTitle: "表", Line: "s1", Kind: ballot.KindEvaluation, Name: "张三", Summary: "优秀 1"}
	if n, err := s.FileEntries(ctx, []records.Entry{e}, "", nil); err != nil || n != 1 {
		t.Fatalf("%d %v", n, err)
	}
	if n, _ := s.FileEntries(ctx, []records.Entry{e}, "", nil); n != 0 {
		t.Fatal("filing twice added an entry")
	}
	db, _ := sql.Open("postgres", url)
	defer db.Close()
	if _, err := db.Exec(`UPDATE record_entries SET summary = '优秀 9'`); err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Fatalf("update: %v", err)
	}
	if _, err := db.Exec(`DELETE FROM record_entries`); err == nil {
		t.Fatal("delete allowed")
	}
}

// A batch: tokens burned once, each refusal for its own reason without failing the others,
// a token twice in the batch counted once, and the ballots not stored in the order given.
func TestCastBatch(t *testing.T) {
	t.Parallel()
	url := dbtest.URL(t)
	s, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	p := newPoll(t, s)
	g := p.Groups[0].ID
	hs := hashes(60)
	s.IssueTokens(ctx, p.ID, g, hs, "")
	k, _ := ballot.NewPollKey()
	s.OpenPoll(ctx, p.ID, 2, k.Public, nil, []byte("w"))
	s.VoidToken(ctx, p.ID, hs[1], nul(hs[1]))
	if err := s.Cast(ctx, item(hs[2], p.ID, g, []byte("before"))); err != nil {
		t.Fatal(err)
	}
	var items []store.CastItem
	for i := 0; i < 50; i++ {
		items = append(items, item(hs[i], p.ID, g, []byte(fmt.Sprintf("ballot %02d", i))))
	}
	items = append(items, item(hs[3], p.ID, g, []byte("again")))
	items = append(items, item(hashes(1)[0], p.ID, g, []byte("forged")))
	items = append(items, item(hs[1], p.ID, g, []byte("void again")))
	errs, err := s.CastBatch(ctx, items)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]string{1: ballot.ETOKENVOID, 2: ballot.ETOKENUSED, 50: ballot.ETOKENUSED, 51: ballot.ETOKENUNKNOWN, 52: ballot.ETOKENVOID}
	for i, e := range errs {
		if got := ballot.ErrorCode(e); got != want[i] {
			t.Errorf("item %d: %q, want %q", i, got, want[i])
		}
	}
	s.ClosePoll(ctx, p.ID)
	box, _ := s.Box(ctx, p.ID)
	if len(box) != 49 { // 48 of the batch (50 less a voided and a used token) + the one before
		t.Fatalf("box %d", len(box))
	}
	db, _ := sql.Open("postgres", url)
	defer db.Close()
	rows, err := db.Query(`SELECT sealed FROM ballots WHERE poll_id = $1 ORDER BY ctid`, p.ID) // physical order
	if err != nil {
		t.Fatal(err)
	}
	inOrder := true
	prev := ""
	for rows.Next() {
		var b []byte
		rows.Scan(&b)
		if !strings.HasPrefix(string(b), "ballot ") {
			continue
		}
		if string(b) < prev {
			inOrder = false
		}
		prev = string(b)
	}
	rows.Close()
	if inOrder {
		t.Fatal("the batch was stored in the order it was submitted")
	}
	// A closed poll refuses a whole batch without error for the transaction.
	errs, err = s.CastBatch(ctx, []store.CastItem{item(hs[55], p.ID, g, []byte("late"))})
	if err != nil || ballot.ErrorCode(errs[0]) != ballot.ECLOSED {
		t.Fatalf("after close: %v %v", errs, err)
	}
}

// A batch whose transaction fails keeps nothing: every token stays unused, the box empty.
func TestCastBatchFailsWhole(t *testing.T) {
	t.Parallel()
	s := dbtest.New(t)
	p := newPoll(t, s)
	g := p.Groups[0].ID
	hs := hashes(3)
	s.IssueTokens(ctx, p.ID, g, hs, "")
	k, _ := ballot.NewPollKey()
	s.OpenPoll(ctx, p.ID, 2, k.Public, nil, []byte("w"))
	items := []store.CastItem{
		item(hs[0], p.ID, g, []byte("a")),
		{TokenHash: hs[1], Nullifier: []byte("short"), PollID: p.ID, GroupID: g, Sealed: []byte("b")}, // a nullifier the box refuses
	}
	if _, err := s.CastBatch(ctx, items); err == nil {
		t.Fatal("a batch with a broken item committed")
	}
	tu, _ := s.Turnout(ctx, p.ID)
	if tu[0].Used != 0 {
		t.Fatalf("tokens burned by a failed batch: %+v", tu)
	}
	errs, err := s.CastBatch(ctx, items[:1])
	if err != nil || errs[0] != nil {
		t.Fatalf("the good item, sent again: %v %v", errs, err)
	}
	s.ClosePoll(ctx, p.ID)
	if box, _ := s.Box(ctx, p.ID); len(box) != 1 {
		t.Fatalf("box %d", len(box))
	}
}

// A ballot sealed to a key the poll no longer has is refused as retryable, not stored.
func TestCastBatchChecksThePollKey(t *testing.T) {
	t.Parallel()
	s := dbtest.New(t)
	p := newPoll(t, s)
	g := p.Groups[0].ID
	hs := hashes(2)
	s.IssueTokens(ctx, p.ID, g, hs, "")
	k, _ := ballot.NewPollKey()
	s.OpenPoll(ctx, p.ID, 2, k.Public, nil, []byte("w"))
	old, _ := ballot.NewPollKey()
	errs, err := s.CastBatch(ctx, []store.CastItem{
		{TokenHash: hs[0], Nullifier: nul(hs[0]), PollID: p.ID, PollKey: old.Public, GroupID: g, Sealed: []byte("stale")},
		{TokenHash: hs[1], Nullifier: nul(hs[1]), PollID: p.ID, PollKey: k.Public, GroupID: g, Sealed: []byte("fresh")},
	})
	if err != nil || ballot.ErrorCode(errs[0]) != ballot.ERETRY || errs[1] != nil {
		t.Fatalf("%v %v", errs, err)
	}
	tu, _ := s.Turnout(ctx, p.ID)
	if tu[0].Used != 1 {
		t.Fatalf("used %d: the stale one must leave its token unused", tu[0].Used)
	}
}
