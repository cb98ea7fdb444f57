// Package store keeps Minyi's state in PostgreSQL. Every SQL statement of the project lives
// in this package, one file per aggregate; each is prepared once at start so a broken
// query fails at boot, never at the first vote.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"minyi/ballot"
	"minyi/migrations"
)

// Store is the PostgreSQL-backed state of Minyi.
type Store struct {
	db  *sqlx.DB
	url string // for the LISTEN connection
	// The statements of the vote path, prepared once per connection: PostgreSQL then
	// plans them once, not for every batch.
	stmtMu sync.Mutex
	stmts  map[string]*sqlx.Stmt
	// sumsKey keys the box's kept sums (SetSumsKey); nil writes none.
	sumsKey ballot.SumsKey
	// countChunks are how much the count reads at once (SetCountChunks); zero: the default.
	countChunks countChunks
	// warming is held while WarmConns runs: one warm at a time.
	warming sync.Mutex
	// replica reads the boxes of counted polls (SetReadReplica); nil: the primary does.
	replica *replica
}

// hotQueries are prepared at boot (CheckSchema), once for the pool: in a transaction,
// tx.Stmtx then prepares each on that transaction's connection the first time only.
// Preparing inside a busy transaction would wait for a free connection of the pool.
var hotQueries []string

func hotQuery(q string) string {
	hotQueries = append(hotQueries, q)
	return query(q)
}

func (s *Store) prepareHot(ctx context.Context) error {
	s.stmtMu.Lock()
	defer s.stmtMu.Unlock()
	if s.stmts != nil {
		return nil
	}
	stmts := map[string]*sqlx.Stmt{}
	for _, q := range hotQueries {
		st, err := s.db.PreparexContext(ctx, q)
		if err != nil {
			return err
		}
		stmts[q] = st
	}
	s.stmts = stmts
	return nil
}

// txGet and txSelect run q in tx, prepared when it is a hot query and the store has
// been checked.
func (s *Store) txGet(ctx context.Context, tx *sqlx.Tx, dest any, q string, args ...any) error {
	if st := s.hot(q); st != nil {
		return tx.StmtxContext(ctx, st).GetContext(ctx, dest, args...)
	}
	return tx.GetContext(ctx, dest, q, args...)
}

// maxConns is the most connections an instance holds to PostgreSQL.
const maxConns = 40

// WarmConns opens the pool's connections, all but a few, and prepares the vote path's
// statements on each, ahead of a poll's voters: a burst that finds the pool empty opens
// a new backend for most of its connections, each loading its caches and planning the
// statements afresh (on the bench, a first burst on a new instance opened 37 and cost
// PostgreSQL a third more CPU a ballot than the bursts after it). The connections are
// returned to the pool at once; the few left free keep other requests from waiting.
//
// One warm runs at a time, and it takes only connections nobody else is using: each
// warm holds what it took until it has them all, so two at once (two polls opened
// together) each held half the pool waiting for the other's half, and every request of
// the instance waited with them until the warms gave up.
func (s *Store) WarmConns(ctx context.Context) error {
	if !s.warming.TryLock() {
		return nil // a warm already under way opens the same connections
	}
	defer s.warming.Unlock()
	if err := s.prepareHot(ctx); err != nil {
		return err
	}
	s.stmtMu.Lock()
	stmts := s.stmts
	s.stmtMu.Unlock()
	var txs []*sqlx.Tx
	defer func() {
		for _, tx := range txs {
			tx.Rollback()
		}
	}()
	// Counted anew before each: connections the instance's requests take meanwhile are
	// theirs, and the warm stops rather than wait for one of the last few.
	for s.db.Stats().InUse < maxConns-4 {
		tx, err := s.db.BeginTxx(ctx, &sql.TxOptions{ReadOnly: true})
		if err != nil {
			return err
		}
		txs = append(txs, tx)
		for _, st := range stmts {
			// Prepared on this transaction's connection now, and kept there for st.
			if err := tx.StmtxContext(ctx, st).Close(); err != nil {
				return err
			}
		}
	}
	return nil
}

// dbGet is GetContext on the pool, with the prepared statement when q is a hot query.
func (s *Store) dbGet(ctx context.Context, dest any, q string, args ...any) error {
	if st := s.hot(q); st != nil {
		return st.GetContext(ctx, dest, args...)
	}
	return s.db.GetContext(ctx, dest, q, args...)
}

func (s *Store) txSelect(ctx context.Context, tx *sqlx.Tx, dest any, q string, args ...any) error {
	if st := s.hot(q); st != nil {
		return tx.StmtxContext(ctx, st).SelectContext(ctx, dest, args...)
	}
	return tx.SelectContext(ctx, dest, q, args...)
}

func (s *Store) hot(q string) *sqlx.Stmt {
	s.stmtMu.Lock()
	defer s.stmtMu.Unlock()
	return s.stmts[q]
}

// queries lists every statement for the boot-time check.
var queries []string

// query registers a statement for the boot-time check and returns it.
func query(q string) string {
	queries = append(queries, q)
	return q
}

// Open connects to PostgreSQL. It does not migrate; call Migrate or CheckSchema next.
func Open(ctx context.Context, url string) (*Store, error) {
	db, err := sqlx.Open("postgres", binaryParameters(url))
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns)
	// Kept for half an hour, not five minutes: a poll's voters may come together well
	// after it opened (WarmConns), and an idle connection costs PostgreSQL only memory.
	db.SetConnMaxIdleTime(30 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	return &Store{db: db, url: url}, nil
}

// binaryParameters asks the driver to send []byte parameters in binary: a ballot is tens
// of kilobytes of ciphertexts, which the driver would otherwise send as hex text, twice
// their size, for PostgreSQL to parse back.
func binaryParameters(url string) string { return withParam(url, "binary_parameters", "yes") }

// withParam sets a connection parameter in url, a URL or a key=value string, unless url
// already sets it.
func withParam(url, key, value string) string {
	if strings.Contains(url, key) {
		return url
	}
	if strings.Contains(url, "://") {
		if strings.Contains(url, "?") {
			return url + "&" + key + "=" + value
		}
		return url + "?" + key + "=" + value
	}
	return url + " " + key + "=" + value
}

// Close closes the connection pool.
func (s *Store) Close() error {
	s.stmtMu.Lock()
	for _, st := range s.stmts {
		st.Close()
	}
	s.stmtMu.Unlock()
	if s.replica != nil {
		s.replica.db.Close()
	}
	return s.db.Close()
}

func (s *Store) provider() (*goose.Provider, error) {
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(goose.DialectPostgres, s.db.DB, migrations.FS, goose.WithSessionLocker(locker))
}

// Migrate applies pending migrations under an advisory lock, so instances starting together
// migrate once.
func (s *Store) Migrate(ctx context.Context) error {
	p, err := s.provider()
	if err != nil {
		return err
	}
	applied, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if len(applied) > 0 {
		// A schema the migrations have just made (or remade, after a MigrateTo down) is
		// checked statement by statement, whatever was checked before at its version.
		schemaChecked.Clear()
	}
	return s.CheckSchema(ctx)
}

// CheckSchema refuses a schema older or newer than this binary knows, then prepares every
// statement once.
func (s *Store) CheckSchema(ctx context.Context) error {
	p, err := s.provider()
	if err != nil {
		return err
	}
	current, target, err := p.GetVersions(ctx)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if current > target {
		return ballot.Errorf(ballot.ECONFLICT, "数据库结构版本为 %d，比本程序所知的更新（%d）：请升级 minyi", current, target)
	}
	if current < target {
		return ballot.Errorf(ballot.ECONFLICT, "数据库结构版本为 %d，本程序需要 %d：请运行 minyi migrate", current, target)
	}
	if _, checked := schemaChecked.Load(target); !checked {
		if err := s.prepareAll(ctx); err != nil {
			return err
		}
		schemaChecked.Store(target, true)
	}
	return s.prepareHot(ctx)
}

// schemaChecked holds the schema versions every statement has prepared against in this
// process, since migrations last ran in it. A server opens one store and checks once; the
// tests open a store on a new copy of the same migrated database for each test, and a
// check of the same statements against the same version would only repeat the first
// (half of what opening a test's store costs PostgreSQL).
var schemaChecked sync.Map // int64 → true

func (s *Store) prepareAll(ctx context.Context) error {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, q := range queries {
		st, err := tx.PreparexContext(ctx, q)
		if err != nil {
			return fmt.Errorf("query does not prepare: %w\n%s", err, q)
		}
		st.Close()
	}
	return nil
}

// inTx runs fn in a transaction, committing when it returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// notFound turns sql.ErrNoRows into a coded not-found error.
func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ballot.Errorf(ballot.ENOTFOUND, "%s不存在", what)
	}
	return err
}

// isUniqueViolation reports a unique constraint failure.
func isUniqueViolation(err error) bool {
	var pe *pq.Error
	return errors.As(err, &pe) && pe.Code == "23505"
}

// isForeignKeyViolation reports a reference to a row that does not exist.
func isForeignKeyViolation(err error) bool {
	var pe *pq.Error
	return errors.As(err, &pe) && pe.Code == "23503"
}

// isInvalidUUID reports a malformed uuid parameter, which means "no such object".
func isInvalidUUID(err error) bool {
	var pe *pq.Error
	return errors.As(err, &pe) && pe.Code == "22P02"
}

// Unavailable reports whether err means PostgreSQL could not be reached or was going away
// (restarting, failing over, out of connections): nothing was done, and the same request
// may succeed a moment later.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	var ne *net.OpError // refused, reset, or the socket file gone while the server restarts
	if errors.As(err, &ne) {
		return true
	}
	var pe *pq.Error
	if errors.As(err, &pe) {
		switch {
		case pe.Code.Class() == "08", // connection exception
			pe.Code == "57P01", pe.Code == "57P02", pe.Code == "57P03", // admin/crash shutdown, cannot connect now
			pe.Code == "53300": // too many connections
			return true
		}
	}
	return false
}

// MigrateTo moves the schema up or down to the given version. Tests of an upgrade build
// the data an older version wrote, then move on.
func (s *Store) MigrateTo(ctx context.Context, version int64) error {
	p, err := s.provider()
	if err != nil {
		return err
	}
	current, err := p.GetDBVersion(ctx)
	if err != nil {
		return err
	}
	if version < current {
		_, err = p.DownTo(ctx, version)
	} else {
		_, err = p.UpTo(ctx, version)
	}
	return err
}
