package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"minyi/ballot"
	"minyi/i18n"
	"minyi/pgembed"
	"minyi/server"
	"minyi/store"
)

// version is set at build time.
var version = "dev"

const usage = `minyi — secret-ballot voting and evaluation for meetings

usage:
  minyi serve   [-addr :8080] [-data ./var] [-base-url URL] [-migrate auto|off] [-metrics-addr 127.0.0.1:9464]
                [-secure-cookies] [-trusted-proxies 10.0.0.0/8,…] [-lang en|zh]
                SIGTERM or Ctrl-C stops it gracefully: no new votes, the open batch written
  minyi migrate [-data ./var] [-lang en|zh]
  minyi admin password USERNAME [-lang en|zh]   set a new random password for an account
  minyi audit verify [-lang en|zh]              check the hash chain of the whole audit log
  minyi verify -key FINGERPRINT [-receipt CODE] [-lang en|zh] FILE.zip|FILE.json
                                  check a certified tally: its signer (the fingerprint printed on the
                                  report and on /about; or -keyfile PUBLIC_KEY), box, recount (no database);
                                  -receipt finds a voter's receipt in the box
  minyi bench [-n 2000] [-c 200] [-json]   load a server with voters over HTTP and audit the box
                                  (a developer's tool: it reports in English)
  minyi teller -url https://…/t/<token> -share FILE [-lang en|zh]
                                  a teller makes their share of the poll's key here, with the others
                                  (teller page or this command), and saves its backup to FILE
  minyi teller count https://…/t/<token> [-file FILE] [-lang en|zh]
                                  at the count, a teller decrypts the box's sums here with their
                                  share, from the backup FILE or typed when asked (or piped in);
                                  the share never leaves this computer, nor stands on its command line
  minyi version

Environment:
  DATABASE_URL     PostgreSQL to use; without it a private PostgreSQL is started in <data>/pg
  MINYI_SECRET     server secret (hex or base64, ≥ 32 bytes); without it <data>/secret is used
  MINYI_BASE_URL   the address voters' phones reach, printed in QR codes
  MINYI_FONT       TrueType font with Chinese glyphs for PDF slips
  MINYI_ADDR, MINYI_DATA, MINYI_MIGRATE, MINYI_METRICS_ADDR, MINYI_SECURE_COOKIES=1,
  MINYI_TRUSTED_PROXIES   the flags of the same names
  LC_ALL, LC_MESSAGES, LANG   the commands speak English when the first set names en…
                   (en_US.UTF-8), Chinese otherwise; -lang en|zh overrides (serve's log stays English)
`

// Main runs the command line; it returns when the command is done or ctx ends.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stdout, usage)
		return nil
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], stdout, stderr)
	case "migrate":
		return migrate(ctx, args[1:], stdout, stderr)
	case "admin":
		return admin(ctx, args[1:], stdout, stderr)
	case "audit":
		return auditVerify(ctx, args[1:], stdout, stderr)
	case "verify":
		return verifyBundle(args[1:], stdout, stderr)
	case "bench":
		return bench(ctx, args[1:], stdout, stderr)
	case "teller":
		return teller(ctx, args[1:], stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "minyi", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	return fmt.Errorf("unknown command %q\n%s", args[0], usage)
}

// common are the flags every command that touches the database takes.
type common struct {
	data string
	lang string // read by langArg before the flags are parsed
	log  *slog.Logger
	pg   *pgembed.Cluster
	// pgSettings are given to the private PostgreSQL when this command starts it.
	pgSettings []string
}

func (o *common) flags(fs *flag.FlagSet) {
	fs.StringVar(&o.data, "data", envOr("MINYI_DATA", "var"), "directory for the server secret and the private PostgreSQL")
	fs.StringVar(&o.lang, "lang", "", langUsage)
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// envInt is the integer in the environment variable k, or def when it is unset or not a
// number.
func envInt(k string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(k)); err == nil {
		return n
	}
	return def
}

// openStore connects to DATABASE_URL, or starts the private PostgreSQL in <data>/pg.
func (o *common) openStore(ctx context.Context, stderr io.Writer) (*store.Store, error) {
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		pg, err := pgembed.Start(ctx, filepath.Join(o.data, "pg"), pgembed.Options{Log: stderr, Settings: o.pgSettings})
		if err != nil {
			return nil, err
		}
		o.pg = pg
		url = pg.URL("minyi")
	}
	st, err := store.Open(ctx, url)
	if err != nil {
		o.close(nil)
		return nil, err
	}
	return st, nil
}

func (o *common) close(st *store.Store) {
	if st != nil {
		st.Close()
	}
	if o.pg != nil {
		if err := o.pg.Stop(); err != nil {
			o.log.Error("stop PostgreSQL", "err", err)
		}
	}
}

// secret reads MINYI_SECRET, or <data>/secret, creating it on first start; a refusal is
// said in p's language.
func (o *common) secret(p *i18n.Printer) ([]byte, error) {
	if v := os.Getenv("MINYI_SECRET"); v != "" {
		if b, err := hex.DecodeString(v); err == nil && len(b) >= 32 {
			return b, nil
		}
		if b, err := base64.StdEncoding.DecodeString(v); err == nil && len(b) >= 32 {
			return b, nil
		}
		return nil, errors.New(p.T("MINYI_SECRET 须为至少 32 字节，以十六进制或 base64 书写"))
	}
	path := filepath.Join(o.data, "secret")
	if b, err := os.ReadFile(path); err == nil {
		s, err := hex.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(s) < 32 {
			return nil, errors.New(p.T("%s 不是有效的服务器密钥（应为 64 位十六进制数字）", path))
		}
		return s, nil
	} else if !os.IsNotExist(err) {
		return nil, err
	}
	s := make([]byte, 32)
	if _, err := rand.Read(s); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(o.data, 0o755); err != nil { // the secret file itself is 0600
		return nil, err
	}
	if err := os.WriteFile(path, []byte(hex.EncodeToString(s)+"\n"), 0o600); err != nil {
		return nil, err
	}
	return s, nil
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	p, err := cliLang(langArg(args), os.Getenv)
	if err != nil {
		return err
	}
	return sayError(p, serveIn(ctx, p, args, stdout, stderr))
}

// serveIn runs the server; what it prints for the operator is in p's language, its log
// stays in English, as the log's readers (collectors, alerts) expect.
func serveIn(ctx context.Context, p *i18n.Printer, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o common
	o.flags(fs)
	addr := fs.String("addr", envOr("MINYI_ADDR", ":8080"), "address to listen on")
	baseURL := fs.String("base-url", os.Getenv("MINYI_BASE_URL"), "address voters' phones reach (printed in QR codes)")
	migrateMode := fs.String("migrate", envOr("MINYI_MIGRATE", "auto"), "auto: apply migrations on start; off: refuse to start on an old schema")
	metricsAddr := fs.String("metrics-addr", os.Getenv("MINYI_METRICS_ADDR"), "address for Prometheus' /metrics (e.g. 127.0.0.1:9464); empty: not served")
	secureCookies := fs.Bool("secure-cookies", os.Getenv("MINYI_SECURE_COOKIES") == "1", "mark cookies Secure and send HSTS (serve behind TLS)")
	prepare := fs.Int("prepare", envInt("MINYI_PREPARE", 0), "ballots each voter group keeps encrypted ahead on this instance while a poll is open (0: the group's expected voters; -1: none)")
	trusted := fs.String("trusted-proxies", os.Getenv("MINYI_TRUSTED_PROXIES"), "reverse proxies (addresses or CIDR ranges, comma-separated) whose X-Real-IP names the client")
	readURL := fs.String("read-database-url", os.Getenv("MINYI_READ_DATABASE_URL"), "a streaming replica of the database (CloudNativePG: the -ro service) to read counted boxes from for bundle downloads; empty: the primary")
	if err := fs.Parse(args); err != nil {
		return err
	}
	o.log = slog.New(slog.NewTextHandler(stderr, nil))
	secret, err := o.secret(p)
	if err != nil {
		return err
	}
	keys, err := server.DeriveKeys(secret)
	if err != nil {
		return err
	}
	st, err := o.openStore(ctx, stderr)
	if err != nil {
		return err
	}
	defer o.close(st)
	if *migrateMode == "auto" || o.pg != nil {
		err = st.Migrate(ctx)
	} else {
		err = st.CheckSchema(ctx)
	}
	if err != nil {
		return err
	}
	if *readURL != "" {
		if err := st.SetReadReplica(ctx, *readURL); err != nil {
			return err
		}
	}
	password, err := bootstrap(ctx, st)
	if err != nil {
		return err
	}
	if password != "" { // printed at once: nothing that fails later may lose it
		printFirstAdmin(stdout, p, password)
	}
	srv, err := server.New(server.Config{Keys: keys, BaseURL: *baseURL, FontPath: os.Getenv("MINYI_FONT"), SecureCookies: *secureCookies,
		TrustedProxies: splitList(*trusted), Log: o.log, Version: version, PrepareAhead: *prepare, WarmConns: true}, st)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	app := srv.App()
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if err := srv.Start(sctx); err != nil {
		return err
	}
	var mln net.Listener
	if *metricsAddr != "" {
		if mln, err = net.Listen("tcp", *metricsAddr); err != nil {
			return fmt.Errorf("metrics address: %w", err)
		}
	}
	printWelcome(stdout, p, ln.Addr().(*net.TCPAddr))
	if mln != nil {
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", srv.MetricsHandler())
		ms := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		go ms.Serve(mln)
		defer ms.Close()
		fmt.Fprintln(stdout, "  "+p.T("Prometheus 指标：http://%s/metrics", mln.Addr()))
	}
	done := make(chan error, 1)
	go func() { done <- app.Listener(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	// Graceful stop: no new votes, the live streams closed, every request in flight
	// answered (each vote after the commit of its batch), then the background work.
	o.log.Info("shutting down: no new votes; finishing the open batch")
	srv.Drain()
	// Requests already sent on open connections may not have been read yet: a connection
	// counts as idle until its request's headers are parsed, and the HTTP server closes
	// idle connections as it shuts down. On a busy machine that dropped votes sent well
	// before the signal, unanswered. So keep serving a moment, answering every vote with
	// retry, before the listener and the idle connections close.
	time.Sleep(drainGrace)
	srv.Close()
	if err := app.ShutdownWithTimeout(15 * time.Second); err != nil {
		o.log.Error("shutdown", "err", err)
	}
	cancel()
	o.log.Info("stopped")
	return nil
}

// drainGrace is how long a stopping server keeps reading requests already on the wire.
const drainGrace = time.Second

// bootstrap creates the first admin account (and a first unit) on a fresh installation
// and returns its password, to be printed once.
func bootstrap(ctx context.Context, st *store.Store) (string, error) {
	n, err := st.CountStaff(ctx)
	if err != nil || n > 0 {
		return "", err
	}
	units, err := st.Units(ctx)
	if err != nil {
		return "", err
	}
	if len(units) == 0 {
		if _, err := st.CreateUnit(ctx, "本单位"); err != nil {
			return "", err
		}
	}
	password, err := server.NewPassword()
	if err != nil {
		return "", err
	}
	hash, err := server.HashPassword(password)
	if err != nil {
		return "", err
	}
	return password, st.CreateStaff(ctx, &store.Staff{Username: "admin", Name: "管理员", Role: store.RoleAdmin, PasswordHash: hash})
}

// printFirstAdmin shows the first admin's password, the one time it is shown.
func printFirstAdmin(w io.Writer, p *i18n.Printer, password string) {
	fmt.Fprintln(w, p.T("首个管理员账号：用户名 admin，密码 %s", password))
	fmt.Fprintln(w, "  "+p.T("（只显示这一次；请在“我的账号”中修改，或用 minyi admin password admin 重设）"))
}

// printWelcome says where organizers log in, on this machine and on its networks.
func printWelcome(w io.Writer, p *i18n.Printer, a *net.TCPAddr) {
	host := a.IP.String()
	if a.IP.IsUnspecified() {
		host = "localhost"
	}
	fmt.Fprintf(w, "\n%s\n  %s\n", p.T("Minyi 已启动。"), p.T("组织者登录地址：http://%s/login", net.JoinHostPort(host, fmt.Sprint(a.Port))))
	if a.IP.IsUnspecified() {
		for _, ip := range lanAddrs() {
			fmt.Fprintln(w, "  "+p.T("本机在网络中的地址：http://%s/login（投票人的二维码应使用这个地址）", net.JoinHostPort(ip, fmt.Sprint(a.Port))))
		}
	}
	fmt.Fprintln(w)
}

func lanAddrs() []string {
	var out []string
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && !n.IP.IsLoopback() {
			out = append(out, n.IP.String())
		}
	}
	return out
}

// tool opens the database for a one-shot command: its flags, the store, and (unless it
// migrates) the schema check. Call the returned close when done.
func tool(ctx context.Context, name string, args []string, stderr io.Writer, migrate bool) (*store.Store, func(), error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o common
	o.flags(fs)
	if err := fs.Parse(args); err != nil {
		return nil, nil, err
	}
	o.log = slog.New(slog.NewTextHandler(stderr, nil))
	st, err := o.openStore(ctx, stderr)
	if err != nil {
		return nil, nil, err
	}
	if migrate {
		err = st.Migrate(ctx)
	} else {
		err = st.CheckSchema(ctx)
	}
	if err != nil {
		o.close(st)
		return nil, nil, err
	}
	return st, func() { o.close(st) }, nil
}

func migrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	p, err := cliLang(langArg(args), os.Getenv)
	if err != nil {
		return err
	}
	_, done, err := tool(ctx, "migrate", args, stderr, true)
	if err != nil {
		return sayError(p, err)
	}
	defer done()
	fmt.Fprintln(stdout, p.T("数据库结构已是最新"))
	return nil
}

func admin(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	p, err := cliLang(langArg(args), os.Getenv)
	if err != nil {
		return err
	}
	if len(args) < 2 || args[0] != "password" {
		return errors.New(p.T("用法：%s", "minyi admin password USERNAME [-lang en|zh]"))
	}
	st, done, err := tool(ctx, "admin", args[2:], stderr, false)
	if err != nil {
		return sayError(p, err)
	}
	defer done()
	who, err := st.StaffByUsername(ctx, args[1])
	if ballot.ErrorCode(err) == ballot.ENOTFOUND {
		return errors.New(p.T("没有用户名为 %s 的账号", args[1]))
	} else if err != nil {
		return err
	}
	password, err := server.NewPassword()
	if err != nil {
		return err
	}
	hash, err := server.HashPassword(password)
	if err != nil {
		return err
	}
	if err := st.SetPassword(ctx, who.ID, hash); err != nil {
		return err
	}
	fmt.Fprintln(stdout, p.T("%s 的新密码：%s", who.Username, password))
	return nil
}

// auditVerify checks the hash chain of the whole audit log, speaking p's language as
// verify and teller do.
func auditVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	p, err := cliLang(langArg(args), os.Getenv)
	if err != nil {
		return err
	}
	if len(args) < 1 || args[0] != "verify" {
		return errors.New(p.T("用法：%s", "minyi audit verify [-lang en|zh]"))
	}
	st, done, err := tool(ctx, "audit", args[1:], stderr, false)
	if err != nil {
		return sayError(p, err)
	}
	defer done()
	entries, err := st.AllAudit(ctx)
	if err != nil {
		return err
	}
	if err := ballot.VerifyAudit(entries); err != nil {
		return errors.New(p.T("审计日志校验失败：%s", ballot.SayError(p, err)))
	}
	fmt.Fprintln(stdout, p.T("审计日志完好：共 %d 条记录", len(entries)))
	return nil
}

// verifyBundle checks a downloaded tally bundle on its own: no database, no server. The
// signer is trusted only when named on the command line (the fingerprint printed on the
// report and on /about, or the public key itself): the key inside the file proves only
// that someone signed it. A version 5 bundle (.zip) is read as a stream: its ballots are
// checked a few chunks at a time, never held all at once.
func verifyBundle(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	keyFP := fs.String("key", "", "fingerprint of the signing key, as printed on the report (计票结果报告单) and on /about")
	keyFile := fs.String("keyfile", "", "file holding the signing instance's Ed25519 public key (PEM, base64 or hex)")
	receipt := fs.String("receipt", "", "a voter's receipt code: say whether its ballot is in the bundle (version 5, .zip)")
	lang := fs.String("lang", "", langUsage)
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the check to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	p, err := cliLang(*lang, os.Getenv)
	if err != nil {
		return err
	}
	stop, err := profileCPU(*cpuProfile)
	if err != nil {
		return err
	}
	defer stop()
	if fs.NArg() != 1 {
		return errors.New(p.T("用法：%s", "minyi verify [-key FINGERPRINT | -keyfile FILE] [-receipt CODE] [-lang en|zh] FILE.zip|FILE.json"))
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	fp := ""
	if *keyFP != "" {
		if fp, err = ballot.ParseFingerprint(*keyFP); err != nil {
			return errors.New(ballot.SayError(p, err))
		}
	}
	var pinned ed25519.PublicKey
	if *keyFile != "" {
		if pinned, err = readPublicKey(*keyFile); err != nil {
			return err
		}
	}
	// A fingerprint names one key: the file's key is trusted if it is that key.
	trust := func(pub ed25519.PublicKey) bool {
		return fp != "" && ballot.Fingerprint(pub) == fp || pinned != nil && pinned.Equal(pub)
	}
	checks, b, signed := ballot.VerifyFile(f, st.Size(), trust)
	if signed == nil {
		return errors.New(p.T("%s 不是计票结果文件", fs.Arg(0)))
	}
	if b != nil {
		fmt.Fprintln(stdout, p.T("%s（%d 张选票，计票于 %s）", b.Poll.Title, b.BallotCount(), b.CountedAt.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04")))
		fmt.Fprintln(stdout, "  "+p.T("核验码 %s　票箱默克尔根 %s", ballot.CheckCode(signed.Bundle), b.MerkleRoot))
	}
	for _, c := range checks {
		name, note := p.Known(c.Name), c.SayNote(p)
		if c.OK {
			fmt.Fprintln(stdout, "  "+p.T("[通过] %s　%s", name, note))
		} else {
			fmt.Fprintln(stdout, "  "+p.T("[失败] %s　%s", name, note))
		}
	}
	if last := checks[len(checks)-1]; last.Name == ballot.CheckSigner && !last.OK {
		if *keyFP == "" && *keyFile == "" {
			fmt.Fprintln(stdout, p.T(ballot.UnknownSigner))
			return errors.New(p.T("核验未完成：签名者未知"))
		}
		fmt.Fprintln(stdout, p.T("签名有效，但签名者不是指定的密钥：文件的签名密钥指纹为 %s，请与报告单上印的指纹核对", ballot.Fingerprint(signed.PublicKey)))
		return errors.New(p.T("核验失败：签名者不是指定的密钥"))
	}
	if !ballot.Verified(checks) {
		return errors.New(p.T("核验失败"))
	}
	fmt.Fprintln(stdout, p.T("核验通过"))
	if *receipt != "" {
		at, err := ballot.FindReceipt(f, st.Size(), *receipt)
		if err != nil {
			return errors.New(ballot.SayError(p, err))
		}
		if at == 0 {
			fmt.Fprintln(stdout, p.T("回执 %s 不在本文件的票箱中", *receipt))
			return errors.New(p.T("回执未找到"))
		}
		fmt.Fprintln(stdout, p.T("回执 %s 在票箱中：第 %d 张选票", *receipt, at))
	}
	return nil
}

// readPublicKey reads an Ed25519 public key: PEM (PKIX), or its 32 bytes in base64 or hex
// (as /about and the bundle's public_key show it).
func readPublicKey(path string) (ed25519.PublicKey, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if blk, _ := pem.Decode(raw); blk != nil {
		k, err := x509.ParsePKIXPublicKey(blk.Bytes)
		if pub, ok := k.(ed25519.PublicKey); err == nil && ok {
			return pub, nil
		}
		return nil, fmt.Errorf("%s: not an Ed25519 public key", path)
	}
	text := strings.TrimSpace(string(raw))
	if v, err := base64.StdEncoding.DecodeString(text); err == nil && len(v) == ed25519.PublicKeySize {
		return v, nil
	}
	if v, err := hex.DecodeString(text); err == nil && len(v) == ed25519.PublicKeySize {
		return v, nil
	}
	return nil, fmt.Errorf("%s: not an Ed25519 public key (PEM, or 32 bytes in base64 or hex)", path)
}

// splitList reads a comma-separated list, dropping blanks.
func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}
