package store_test

import (
	"bytes"
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"golang.org/x/crypto/chacha20poly1305"

	"minyi/ballot"
	"minyi/store"
	"minyi/store/dbtest"
)

// openPoll is a poll open for voting with n tokens, its key and a connection that reads
// what an operator's session would.
func openPoll(t *testing.T, n int) (*store.Store, *sql.DB, *ballot.Poll, [][]byte, ballot.PollKey) {
	t.Helper()
	url := dbtest.URL(t)
	s, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.CheckSchema(ctx); err != nil {
		t.Fatal(err)
	}
	db, _ := sql.Open("postgres", url)
	t.Cleanup(func() { db.Close() })
	p := newPoll(t, s)
	hs, k := openPollOf(t, s, p, n)
	return s, db, p, hs, k
}

// openPollOf issues n tokens of the stored poll p's first group and opens it, its box of
// slots for ballots sealed whole (box 2) of 120 bytes.
func openPollOf(t *testing.T, s *store.Store, p *ballot.Poll, n int) ([][]byte, ballot.PollKey) {
	t.Helper()
	hs := hashes(n)
	if _, err := s.IssueTokens(ctx, p.ID, p.Groups[0].ID, hs, ""); err != nil {
		t.Fatal(err)
	}
	k, _ := ballot.NewPollKey()
	if err := s.OpenPoll(ctx, p.ID, 2, k.Public, nil, []byte("w")); err != nil {
		t.Fatal(err)
	}
	if err := s.EnsureSlots(ctx, p.ID, 120); err != nil {
		t.Fatal(err)
	}
	return hs, k
}

func rowVersions(t *testing.T, db *sql.DB, q string, args ...any) []string {
	t.Helper()
	rows, err := db.Query(q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		rows.Scan(&v)
		out = append(out, v)
	}
	return out
}

// Voting writes nothing to tokens: after a quiet hall votes one by one, every token row
// is the very row version the issue wrote (same xmin, same place), and no ballot shares a
// transaction with any token.
func TestVotingWritesNoTokenRow(t *testing.T) {
	t.Parallel()
	s, db, p, hs, _ := openPoll(t, 20)
	g := p.Groups[0].ID
	versions := `SELECT hash::text || ' ' || xmin::text || ' ' || ctid::text FROM tokens WHERE poll_id = $1 ORDER BY hash`
	before := rowVersions(t, db, versions, p.ID)
	for _, h := range hs[:10] {
		if err := s.Cast(ctx, item(h, p.ID, g, bytes.Repeat([]byte{1}, 120))); err != nil {
			t.Fatal(err)
		}
	}
	if after := rowVersions(t, db, versions, p.ID); !slices.Equal(before, after) {
		t.Fatal("voting wrote to the tokens table: a token's row version changed")
	}
	tokenTx := rowVersions(t, db, `SELECT DISTINCT xmin::text FROM tokens WHERE poll_id = $1`, p.ID)
	ballotTx := rowVersions(t, db, `SELECT DISTINCT xmin::text FROM ballots WHERE poll_id = $1`, p.ID)
	for _, x := range ballotTx {
		if slices.Contains(tokenTx, x) {
			t.Fatalf("a ballot row and a token row were written by one transaction (xmin %s)", x)
		}
	}
	if n := len(rowVersions(t, db, `SELECT id::text FROM ballots WHERE poll_id = $1 AND nullifier IS NOT NULL`, p.ID)); n != 10 {
		t.Fatalf("%d ballots carry a nullifier, want 10", n)
	}
}

// Close rewrites the box: the ballots are all there, under ids none of them had while
// voting, with no nullifier, and the empty slots are gone.
func TestCloseRewritesTheBox(t *testing.T) {
	t.Parallel()
	s, db, p, hs, _ := openPoll(t, 30)
	g := p.Groups[0].ID
	for _, h := range hs[:12] {
		if err := s.Cast(ctx, item(h, p.ID, g, bytes.Repeat([]byte{2}, 120))); err != nil {
			t.Fatal(err)
		}
	}
	during := rowVersions(t, db, `SELECT id::text FROM ballots WHERE poll_id = $1`, p.ID)
	if len(during) < 30 {
		t.Fatalf("%d rows in the box while voting: every token should have its slot", len(during))
	}
	if err := s.ClosePoll(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	after := rowVersions(t, db, `SELECT id::text FROM ballots WHERE poll_id = $1`, p.ID)
	if len(after) != 12 {
		t.Fatalf("%d rows after close, want the 12 ballots and no empty slot", len(after))
	}
	for _, id := range after {
		if slices.Contains(during, id) {
			t.Fatal("a ballot kept across close the id it had while voting")
		}
	}
	if n := rowVersions(t, db, `SELECT count(*)::text FROM ballots WHERE poll_id = $1 AND nullifier IS NOT NULL`, p.ID); n[0] != "0" {
		t.Fatalf("%s nullifiers left after close", n[0])
	}
	if box, err := s.Box(ctx, p.ID); err != nil || len(box) != 12 {
		t.Fatalf("box %d, %v", len(box), err)
	}
}

// newPollAt17 is newPoll as the server of schema 17 wrote it: the columns added since
// (the contact line) are not there yet.
func newPollAt17(t *testing.T, s *store.Store, db *sql.DB) *ballot.Poll {
	t.Helper()
	p := samplePoll(t, s)
	def, err := json.Marshal(map[string]any{"forms": p.Forms})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`INSERT INTO polls (unit_id, title, definition, year) VALUES ($1, $2, $3, 2026) RETURNING id`, p.UnitID, p.Title, string(def)).Scan(&p.ID); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`INSERT INTO voter_groups (poll_id, position, name, expected) VALUES ($1, 0, $2, $3) RETURNING id`, p.ID, p.Groups[0].Name, p.Groups[0].Expected).Scan(&p.Groups[0].ID); err != nil {
		t.Fatal(err)
	}
	p.State = ballot.Draft
	return p
}

// sealV1 seals a ballot as the box did before ballots were padded: one ephemeral key per
// server instance, kept in seal_keys, and a random nonce.
func sealV1(t *testing.T, pollID, groupID string, pollPub, plain []byte) (ephemeral, sealed []byte) {
	t.Helper()
	pub, _ := ecdh.X25519().NewPublicKey(pollPub)
	eph, _ := ecdh.X25519().GenerateKey(rand.Reader)
	shared, _ := eph.ECDH(pub)
	salt := append(append([]byte{}, eph.PublicKey().Bytes()...), pollPub...)
	key, _ := hkdf.Key(sha256.New, shared, salt, "minyi ballot seal v1", chacha20poly1305.KeySize)
	aead, _ := chacha20poly1305.NewX(key)
	out := make([]byte, chacha20poly1305.NonceSizeX)
	rand.Read(out)
	return eph.PublicKey().Bytes(), aead.Seal(out, out, plain, []byte(pollID+"\x00"+groupID))
}

// A poll open while the server is upgraded keeps voting: the ballot cast before opens and
// counts, keeps its receipt, and its token cannot vote again; new ballots go into slots,
// sealed as the poll's box was when it opened.
func TestOpenPollSurvivesTheUpgrade(t *testing.T) {
	t.Parallel()
	url := dbtest.URL(t)
	s, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.MigrateTo(ctx, 17); err != nil {
		t.Fatal(err)
	}
	db, _ := sql.Open("postgres", url)
	defer db.Close()
	p := newPollAt17(t, s, db)
	g := p.Groups[0].ID
	hs := hashes(3)
	if _, err := s.IssueTokens(ctx, p.ID, g, hs, ""); err != nil {
		t.Fatal(err)
	}
	k, _ := ballot.NewPollKey()
	// Opened as the server of that schema opened a poll.
	if _, err := db.Exec(`UPDATE polls SET state = 'open', public_key = $2, opened_at = now() WHERE id = $1`, p.ID, k.Public); err != nil {
		t.Fatal(err)
	}
	oldPlain := []byte(`{"forms":[{"form":"f1","lines":{"s1":["不称职"]}}]}`)
	eph, oldSealed := sealV1(t, p.ID, g, k.Public, oldPlain)
	var keyID string
	if err := db.QueryRow(`INSERT INTO seal_keys (poll_id, public_key) VALUES ($1, $2) RETURNING id`, p.ID, eph).Scan(&keyID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO ballots (poll_id, group_id, seal_key_id, sealed) VALUES ($1, $2, $3, $4)`, p.ID, g, keyID, oldSealed); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE tokens SET state = 'used' WHERE hash = $1`, hs[0]); err != nil {
		t.Fatal(err)
	}

	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.CheckSchema(ctx); err != nil {
		t.Fatal(err)
	}
	if pi, err := s.Poll(ctx, p.ID); err != nil || pi.Box != store.BoxSealed {
		t.Fatalf("the open poll's box after the upgrade: %+v %v, want the sealed box it was opened with", pi, err)
	}
	if err := s.Cast(ctx, item(hs[0], p.ID, g, []byte("again"))); ballot.ErrorCode(err) != ballot.ETOKENUSED {
		t.Fatalf("the token that voted before the upgrade, again: %v", err)
	}
	newPlain := []byte(`{"forms":[{"form":"f1","lines":{"s1":["优秀"]}}]}`)
	newSealed, err := ballot.Seal(p.ID, k.Public, g, newPlain, p.PlainSize())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Cast(ctx, item(hs[1], p.ID, g, newSealed)); err != nil {
		t.Fatalf("a new vote after the upgrade: %v", err)
	}
	if tu, _ := s.Turnout(ctx, p.ID); tu[0].Used != 2 || tu[0].Issued != 3 {
		t.Fatalf("turnout after the upgrade %+v, want 2 of 3", tu[0])
	}
	if err := s.ClosePoll(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	box, err := s.Box(ctx, p.ID)
	if err != nil || len(box) != 2 {
		t.Fatalf("box %d, %v", len(box), err)
	}
	o, _ := ballot.NewOpener(p.ID, k.Private)
	var got []string
	receipts := map[string]bool{}
	for _, b := range box {
		plain, err := o.Open(b.Group, b.Sealed)
		if err != nil {
			t.Fatalf("a ballot does not open after the upgrade: %v", err)
		}
		got = append(got, string(plain))
		receipts[string(ballot.Receipt(b.Sealed))] = true
	}
	slices.Sort(got)
	if want := []string{string(newPlain), string(oldPlain)}; !slices.Equal(got, sortedCopy(want)) {
		t.Fatalf("opened %q, want %q", got, want)
	}
	oldReceipt := sha256.Sum256(oldSealed)
	if !receipts[string(oldReceipt[:])] {
		t.Fatal("the ballot cast before the upgrade lost the receipt its voter was shown")
	}
	if cols, _ := s.Columns(ctx, "ballots"); slices.Contains(cols, "seal_key_id:uuid") {
		t.Fatal("ballots still name a seal key")
	}
}

func sortedCopy(xs []string) []string {
	out := slices.Clone(xs)
	slices.Sort(out)
	return out
}

// A vote in flight while staff turn the same token to paper: the switch waits for the
// vote and is refused, so one token never has a ballot in the box and a paper ballot too.
func TestPaperSwitchWaitsForAVoteInFlight(t *testing.T) {
	t.Parallel()
	s, db, p, hs, k := openPoll(t, 2)
	g, h := p.Groups[0].ID, hs[0]
	// Hold the vote back after it has read the token: an uncommitted row with the same
	// nullifier makes its fill wait on the unique index.
	blk, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := blk.Exec(`UPDATE ballots SET nullifier = $2 WHERE id = (SELECT id FROM ballots WHERE poll_id = $1 AND group_id IS NULL LIMIT 1)`, p.ID, nul(h)); err != nil {
		t.Fatal(err)
	}
	voted := make(chan error, 1)
	go func() {
		voted <- s.Cast(ctx, store.CastItem{TokenHash: h, Nullifier: nul(h), PollID: p.ID, PollKey: k.Public, GroupID: g, Sealed: make([]byte, 120)})
	}()
	time.Sleep(300 * time.Millisecond)
	paper := make(chan error, 1)
	go func() { paper <- s.MarkPaper(ctx, p.ID, h, nul(h)) }()
	time.Sleep(300 * time.Millisecond)
	blk.Rollback()
	if err := <-voted; err != nil {
		t.Fatalf("the vote in flight: %v", err)
	}
	if err := <-paper; ballot.ErrorCode(err) != ballot.ETOKENUSED {
		t.Fatalf("turning to paper a token whose vote was in flight: %v, want it refused as used", err)
	}
	if tu, _ := s.Turnout(ctx, p.ID); tu[0].Used != 1 || tu[0].Paper != 0 {
		t.Fatalf("turnout %+v, want one vote and no paper token", tu[0])
	}
}

// Slots are drawn for every token that may still vote, those of a voided batch's
// replacement included, however many of the voided ones had voted.
func TestSlotsForEveryTokenThatMayVote(t *testing.T) {
	t.Parallel()
	s, db, p, hs, _ := openPoll(t, 10)
	g := p.Groups[0].ID
	for _, h := range hs[:6] {
		if err := s.Cast(ctx, item(h, p.ID, g, make([]byte, 120))); err != nil {
			t.Fatal(err)
		}
	}
	bs, _ := s.Batches(ctx, p.ID)
	if _, err := s.VoidBatch(ctx, p.ID, bs[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.IssueTokens(ctx, p.ID, g, hashes(10), ""); err != nil {
		t.Fatal(err)
	}
	if err := s.EnsureSlots(ctx, p.ID, 120); err != nil {
		t.Fatal(err)
	}
	var empty int
	db.QueryRow(`SELECT count(*) FROM ballots WHERE poll_id = $1 AND group_id IS NULL`, p.ID).Scan(&empty)
	if empty < 10 {
		t.Fatalf("%d empty slots for 10 tokens that may still vote: the last votes would fill slots drawn as they come", empty)
	}
}

// A tally is kept only for the box it counted: a ballot that entered the box while the
// count ran (a paper ballot's second entry) refuses the save, to be counted again.
func TestTallyKeptOnlyForTheBoxItCounted(t *testing.T) {
	t.Parallel()
	s, _, p, hs, _ := openPoll(t, 3)
	g := p.Groups[0].ID
	for _, h := range hs[:2] {
		if err := s.Cast(ctx, item(h, p.ID, g, make([]byte, 120))); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.ClosePoll(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	box, err := s.Box(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	// The count read one ballot fewer than the box now holds.
	err = s.SaveTally(ctx, &ballot.Tally{PollID: p.ID, Ballots: len(box) - 1}, "", &ballot.Signed{}, nil)
	if ballot.ErrorCode(err) != ballot.ERETRY {
		t.Fatalf("a tally of %d ballots saved for a box of %d: %v", len(box)-1, len(box), err)
	}
	if _, _, err := s.Tally(ctx, p.ID); ballot.ErrorCode(err) != ballot.ESEALED {
		t.Fatalf("the refused tally was kept: %v", err)
	}
	if err := s.SaveTally(ctx, &ballot.Tally{PollID: p.ID, Ballots: len(box)}, "", &ballot.Signed{}, nil); err != nil {
		t.Fatalf("the tally of the whole box: %v", err)
	}
}
