package main

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/circl/group"
	"golang.org/x/term"

	"minyi/ballot"
	"minyi/ballot/ceremony"
	"minyi/ballot/elgamal"
	"minyi/i18n"
)

// teller runs a teller's part of the key ceremony from a terminal, as the teller page does
// in a browser: the share is made here and written to the backup file only.
func teller(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "count" {
		args = args[1:]
		p, err := cliLang(langArg(args), os.Getenv)
		if err != nil {
			return err
		}
		return sayError(p, tellerCount(ctx, p, args, os.Stdin, stdout, stderr))
	}
	p, err := cliLang(langArg(args), os.Getenv)
	if err != nil {
		return err
	}
	return sayError(p, tellerKey(ctx, p, args, stdout, stderr))
}

// tellerKey is a teller's part of the key ceremony, speaking p's language.
func tellerKey(ctx context.Context, p *i18n.Printer, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("teller", flag.ContinueOnError)
	fs.SetOutput(stderr)
	link := fs.String("url", "", "the teller's link from the organizer: https://…/t/<token>")
	shareFile := fs.String("share", "", "file to write the share's backup to (must not exist yet)")
	wait := fs.Duration("timeout", 30*time.Minute, "how long to wait for the other tellers")
	every := fs.Duration("every", time.Second, "how often to read the ceremony's progress")
	fs.String("lang", "", langUsage) // read by langArg
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *link == "" || *shareFile == "" || fs.NArg() != 0 {
		return errors.New(p.T("用法：%s", "minyi teller -url https://…/t/<token> -share FILE [-lang en|zh]"))
	}
	if _, err := os.Stat(*shareFile); err == nil {
		return errors.New(p.T("%s 已存在：请换一个文件名，以免覆盖已有的备份", *shareFile))
	}
	ctx, cancel := context.WithTimeout(ctx, *wait)
	defer cancel()
	c := seatHTTP{url: strings.TrimRight(*link, "/"), client: &http.Client{Timeout: 30 * time.Second}, p: p}

	rec, err := c.record(ctx)
	if err != nil {
		return err
	}
	j := rec.Seat
	name := rec.Tellers[j-1]
	if rec.N == 1 && name == ballot.OrganizerSeat {
		name = p.T(ballot.OrganizerSeat) // a seat the rules name, not a person
	}
	if rec.N == 1 {
		// The organizer's own device, the one seat: nobody to wait for or compare with.
		fmt.Fprintln(stdout, p.T("%s · 密钥由本设备生成，开箱只需这一份备份", name))
	} else {
		fmt.Fprintln(stdout, p.T("第 %d 位监票人 %s · 共 %d 位，开箱需 %d 位", j, name, rec.N, rec.K))
	}
	if rec.CommKeys[j-1] != "" {
		return errors.New(p.T("本席位已经在另一台设备上开始生成密钥；如需重来，请组织者重新生成监票人链接"))
	}
	dev, err := ceremony.NewDevice(j, rand.Reader)
	if err != nil {
		return err
	}
	if err := c.post(ctx, "/key", map[string]string{"comm_key": hex.EncodeToString(dev.CommKey())}); err != nil {
		return err
	}
	fmt.Fprintln(stdout, p.T("已加入，等待其他监票人……"))
	if rec, err = c.until(ctx, *every, (*ceremony.Record).KeysIn); err != nil {
		return err
	}
	commitments, sealed, err := dev.Deal(rec, rand.Reader)
	if err != nil {
		return err
	}
	if err := c.post(ctx, "/deal", map[string]string{"commitments": hex.EncodeToString(commitments), "sealed": hex.EncodeToString(sealed)}); err != nil {
		return err
	}
	fmt.Fprintln(stdout, p.T("已分发密钥份额，等待其他监票人分发……"))
	if rec, err = c.until(ctx, *every, (*ceremony.Record).DealtIn); err != nil {
		return err
	}
	sj, transcript, err := dev.Check(rec)
	var bad *ceremony.DealingError
	if errors.As(err, &bad) {
		c.post(ctx, "/complain", map[string]int{"dealer": bad.Dealer})
		return errors.New(p.T("第%d位监票人（%s）分发给您的密钥份额未通过校验。密钥生成已中止，请组织者重新生成监票人链接", bad.Dealer, rec.Tellers[bad.Dealer-1]))
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\n%s\n%s\n\n", p.T("核对码：%s", ceremony.Code(transcript)), p.T("请与其他监票人当面互相念出核对码，必须完全相同；如有不同，请立即告知组织者。"))

	code := elgamal.EncodeShare(rec.Poll, j, sj)
	// The share's code stands on a line of its own, which is all a count reads back.
	backup := p.T("民意 监票人密钥份额") + "\n" + p.T("第%d位监票人 %s", j, name) + "\n" + p.T("投票活动 %s", rec.Poll) + "\n\n" + code + "\n"
	if err := os.WriteFile(*shareFile, []byte(backup), 0o600); err != nil {
		return errors.New(p.T("写入备份文件失败：%v", err))
	}
	// The proof is made from the file as read back, so a backup that cannot be read is
	// found now, not at the count.
	written, err := os.ReadFile(*shareFile)
	if err != nil {
		return err
	}
	var loaded []byte
	for _, line := range strings.Split(string(written), "\n") {
		if jj, s, err := elgamal.DecodeShare(rec.Poll, line); err == nil && jj == j {
			challenge, err := hex.DecodeString(rec.Challenge)
			if err != nil {
				return err
			}
			loaded = elgamal.ProveShare(j, s, challenge, rand.Reader)
			break
		}
	}
	if loaded == nil {
		return errors.New(p.T("备份文件 %s 读不出本人的份额", *shareFile))
	}
	if err := c.post(ctx, "/ready", map[string]string{"transcript": hex.EncodeToString(transcript[:]), "proof": hex.EncodeToString(loaded)}); err != nil {
		return err
	}
	fmt.Fprintln(stdout, p.T("已就绪。密钥份额的备份在 %s，请妥善保管，开箱计票时需要它。", *shareFile))
	return nil
}

// seatHTTP speaks to the server's teller routes.
type seatHTTP struct {
	url    string
	client *http.Client
	p      *i18n.Printer // the server answers its messages in this language too
}

func (c seatHTTP) do(ctx context.Context, path string, body any, out any) error {
	method := "GET"
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		method, r = "POST", bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.url+path, r)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	if c.p != nil && c.p.Lang() != i18n.Zh {
		req.Header.Set("Accept-Language", c.p.Lang().HTMLLang())
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := c.client.Do(req)
	if err != nil {
		return errors.New(c.p.T("连接服务器失败：%v", err))
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK {
		var e struct {
			Error struct{ Code, Message string }
		}
		if json.Unmarshal(b, &e) == nil && e.Error.Message != "" {
			return errors.New(c.p.T("%s（%s）", e.Error.Message, e.Error.Code))
		}
		return errors.New(c.p.T("服务器答复 %s", strconv.Itoa(res.StatusCode)))
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

func (c seatHTTP) record(ctx context.Context) (*ceremony.Record, error) {
	var r ceremony.Record
	if err := c.do(ctx, "/state", nil, &r); err != nil {
		return nil, err
	}
	if r.Seat < 1 || r.Seat > len(r.Tellers) || len(r.CommKeys) != r.N {
		return nil, errors.New(c.p.T("服务器答复的密钥记录不完整"))
	}
	return &r, nil
}

func (c seatHTTP) post(ctx context.Context, path string, body any) error {
	return c.do(ctx, path, body, nil)
}

// until reads the record until done says the round is complete, or the ceremony is
// blocked, or ctx ends.
func (c seatHTTP) until(ctx context.Context, every time.Duration, done func(*ceremony.Record) bool) (*ceremony.Record, error) {
	for {
		rec, err := c.record(ctx)
		if err != nil {
			return nil, err
		}
		if rec.Blocked != "" {
			return nil, errors.New(rec.Blocked)
		}
		if done(rec) {
			return rec, nil
		}
		select {
		case <-ctx.Done():
			return nil, errors.New(c.p.T("等待其他监票人超时"))
		case <-time.After(every):
		}
	}
}

// countState is what a seat's device reads at the count (GET /t/<token>/count).
type countState struct {
	State       string   `json:"state"` // waiting, open, done
	Poll        string   `json:"poll"`
	Seat        int      `json:"seat"`
	Quorum      int      `json:"quorum"`
	Decrypted   int      `json:"decrypted"`
	Posted      bool     `json:"posted"`
	PublicShare string   `json:"public_share"`
	Points      []string `json:"points"`
	Context     string   `json:"context"`
}

// tellerCount is a teller's part of the count from a terminal, as the teller page does it:
// the share, read from the backup file or from standard input, decrypts the box's sums
// here, and only the partial decryption and its proof go to the server. The share is
// never an argument: the command line of a running program is visible to every user of
// the computer (ps), and a shell keeps it in its history.
func tellerCount(ctx context.Context, p *i18n.Printer, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("teller count", flag.ContinueOnError)
	fs.SetOutput(stderr)
	file := fs.String("file", "", "the backup file of the share; without it the share code is read from standard input")
	wait := fs.Duration("timeout", 2*time.Hour, "how long to wait for the organizer to start the count")
	every := fs.Duration("every", 2*time.Second, "how often to look whether the count has started")
	fs.String("lang", "", langUsage) // read by langArg
	usage := errors.New(p.T("用法：%s", "minyi teller count https://…/t/<token> [-file FILE] [-lang en|zh]") + "  " + p.T("（不加 -file 时，在提示处输入份额码，或从标准输入给出备份）"))
	for _, a := range args {
		if n := strings.TrimLeft(a, "-"); n != a && (n == "code" || strings.HasPrefix(n, "code=")) {
			return errors.New(p.T("份额码不能写在命令行上（其他用户可用 ps 看到，命令历史也会记下）：请用 -file 给出备份文件，或不加 -file 运行，在提示处输入份额码"))
		}
	}
	// The link may stand before or after the flags.
	var link string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		link, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if link == "" && fs.NArg() == 1 {
		link = fs.Arg(0)
	} else if fs.NArg() != 0 {
		return usage
	}
	if link == "" {
		return usage
	}
	var text string
	if *file != "" {
		b, err := os.ReadFile(*file)
		if err != nil {
			return errors.New(p.T("读取备份文件失败：%v", err))
		}
		text = string(b)
	} else {
		var err error
		if text, err = readShareInput(p, stdin, stderr); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithTimeout(ctx, *wait)
	defer cancel()
	c := seatHTTP{url: strings.TrimRight(link, "/"), client: &http.Client{Timeout: 60 * time.Second}, p: p}
	var cs countState
	if err := c.do(ctx, "/count", nil, &cs); err != nil {
		return err
	}
	j, s, err := readShare(p, cs.Poll, text)
	if err != nil {
		return err
	}
	if j != cs.Seat {
		return errors.New(p.T("这是第%d位监票人的备份，不是本链接（第%d位）的", j, cs.Seat))
	}
	pub, err := hex.DecodeString(cs.PublicShare)
	if err != nil || !bytes.Equal(elgamal.PointBytes(group.Ristretto255.NewElement().MulGen(s)), pub) {
		return errors.New(p.T("这个份额码与本席位的公开份额不符：请核对是否抄错，或是否为本次投票的备份"))
	}
	for cs.State == "waiting" {
		fmt.Fprintln(stdout, p.T("等待组织者开始开箱计票……"))
		select {
		case <-ctx.Done():
			return errors.New(p.T("等待开箱计票超时"))
		case <-time.After(*every):
		}
		if err := c.do(ctx, "/count", nil, &cs); err != nil {
			return err
		}
	}
	if cs.State == "done" {
		fmt.Fprintln(stdout, p.T("计票已完成。"))
		return nil
	}
	if cs.State == "broken" {
		return errors.New(p.T("服务器上的开箱数据与开始时不符（被改动过），不对它开箱：请告知组织者重新开始开箱计票"))
	}
	if cs.Posted {
		fmt.Fprintln(stdout, p.T("本席位已开箱。已开箱 %d / %d 位监票人。", cs.Decrypted, cs.Quorum))
		return nil
	}
	points := make([]group.Element, len(cs.Points))
	for i, h := range cs.Points {
		b, err := hex.DecodeString(h)
		if err == nil {
			points[i], err = elgamal.ParsePoint(b)
		}
		if err != nil {
			return errors.New(p.T("服务器答复的开箱数据不完整"))
		}
	}
	cctx, err := hex.DecodeString(cs.Context)
	if err != nil {
		return errors.New(p.T("服务器答复的开箱数据不完整"))
	}
	fmt.Fprintln(stdout, p.T("正在开箱（%d 项）……", len(points)))
	part := elgamal.PartialDecrypt(j, s, points, cctx, rand.Reader)
	d := make([]string, len(part.D))
	for i, pt := range part.D {
		d[i] = hex.EncodeToString(elgamal.PointBytes(pt))
	}
	if err := c.do(ctx, "/partial", map[string]any{"d": d, "proof": hex.EncodeToString(part.Proof)}, &cs); err != nil {
		return err
	}
	if cs.State == "done" {
		fmt.Fprintln(stdout, p.T("已开箱。计票完成。"))
	} else {
		fmt.Fprintln(stdout, p.T("已开箱。已开箱 %d / %d 位监票人，等待其他监票人。", cs.Decrypted, cs.Quorum))
	}
	return nil
}

// readShareInput reads the share from standard input: one line typed at a terminal, after
// a prompt on standard error (so that what the command prints stays clean) and without
// echo (so that it is not left on the screen), or the whole of a backup file piped in.
func readShareInput(p *i18n.Printer, stdin io.Reader, stderr io.Writer) (string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(stderr, p.T("请输入您的份额码（备份的最后一行，形如 ABCD-EFGH-…；输入时不显示），按回车确认："))
		line, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if strings.TrimSpace(string(line)) == "" {
			return "", errors.New(p.T("未输入份额码：%v", cmp.Or(err, errors.New(p.T("输入为空")))))
		}
		return string(line), nil
	}
	b, err := io.ReadAll(io.LimitReader(stdin, 64<<10))
	if err != nil {
		return "", errors.New(p.T("读取份额码失败：%v", err))
	}
	if strings.TrimSpace(string(b)) == "" {
		return "", errors.New(p.T("未读到份额码：请用 -file 给出备份文件，或在标准输入中给出份额码"))
	}
	return string(b), nil
}

// readShare finds the share code in what the teller typed or in a backup file, where it
// stands on a line of its own.
func readShare(p *i18n.Printer, pollID, text string) (int, group.Scalar, error) {
	for _, line := range append(strings.Split(text, "\n"), text) {
		if strings.TrimSpace(line) == "" {
			continue
		}
		if j, s, err := elgamal.DecodeShare(pollID, line); err == nil {
			return j, s, nil
		}
	}
	return 0, nil, errors.New(p.T("份额码不对：请核对是否抄错，或是否为本次投票的备份"))
}
