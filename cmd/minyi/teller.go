package main

import (
	"bytes"
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
	"strings"
	"time"

	"minyi/ballot/ceremony"
	"minyi/ballot/elgamal"
)

// teller runs a teller's part of the key ceremony from a terminal, as the teller page does
// in a browser: the share is made here and written to the backup file only.
func teller(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("teller", flag.ContinueOnError)
	fs.SetOutput(stderr)
	link := fs.String("url", "", "the teller's link from the organizer: https://…/t/<token>")
	shareFile := fs.String("share", "", "file to write the share's backup to (must not exist yet)")
	wait := fs.Duration("timeout", 30*time.Minute, "how long to wait for the other tellers")
	every := fs.Duration("every", time.Second, "how often to read the ceremony's progress")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *link == "" || *shareFile == "" || fs.NArg() != 0 {
		return fmt.Errorf("usage: minyi teller -url https://…/t/<token> -share FILE")
	}
	if _, err := os.Stat(*shareFile); err == nil {
		return fmt.Errorf("%s 已存在：请换一个文件名，以免覆盖已有的备份", *shareFile)
	}
	ctx, cancel := context.WithTimeout(ctx, *wait)
	defer cancel()
	c := seatHTTP{url: strings.TrimRight(*link, "/"), client: &http.Client{Timeout: 30 * time.Second}}

	rec, err := c.record(ctx)
	if err != nil {
		return err
	}
	j := rec.Seat
	name := rec.Tellers[j-1]
	if rec.N == 1 {
		// The organizer's own device, the one seat: nobody to wait for or compare with.
		fmt.Fprintf(stdout, "%s · 密钥由本设备生成，开箱只需这一份备份\n", name)
	} else {
		fmt.Fprintf(stdout, "第 %d 位监票人 %s · 共 %d 位，开箱需 %d 位\n", j, name, rec.N, rec.K)
	}
	if rec.CommKeys[j-1] != "" {
		return errors.New("本席位已经在另一台设备上开始生成密钥；如需重来，请组织者重新生成监票人链接")
	}
	dev, err := ceremony.NewDevice(j, rand.Reader)
	if err != nil {
		return err
	}
	if err := c.post(ctx, "/key", map[string]string{"comm_key": hex.EncodeToString(dev.CommKey())}); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "已加入，等待其他监票人……")
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
	fmt.Fprintln(stdout, "已分发密钥份额，等待其他监票人分发……")
	if rec, err = c.until(ctx, *every, (*ceremony.Record).DealtIn); err != nil {
		return err
	}
	sj, transcript, err := dev.Check(rec)
	var bad *ceremony.DealingError
	if errors.As(err, &bad) {
		c.post(ctx, "/complain", map[string]int{"dealer": bad.Dealer})
		return fmt.Errorf("第%d位监票人（%s）分发给您的密钥份额未通过校验。密钥生成已中止，请组织者重新生成监票人链接", bad.Dealer, rec.Tellers[bad.Dealer-1])
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\n核对码：%s\n请与其他监票人当面互相念出核对码，必须完全相同；如有不同，请立即告知组织者。\n\n", ceremony.Code(transcript))

	code := elgamal.EncodeShare(rec.Poll, j, sj)
	backup := fmt.Sprintf("民意 监票人密钥份额\n第%d位监票人 %s\n投票活动 %s\n\n%s\n", j, name, rec.Poll, code)
	if err := os.WriteFile(*shareFile, []byte(backup), 0o600); err != nil {
		return fmt.Errorf("写入备份文件失败：%w", err)
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
		return fmt.Errorf("备份文件 %s 读不出本人的份额", *shareFile)
	}
	if err := c.post(ctx, "/ready", map[string]string{"transcript": hex.EncodeToString(transcript[:]), "proof": hex.EncodeToString(loaded)}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "已就绪。密钥份额的备份在 %s，请妥善保管，开箱计票时需要它。\n", *shareFile)
	return nil
}

// seatHTTP speaks to the server's teller routes.
type seatHTTP struct {
	url    string
	client *http.Client
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
	req.Header.Set("Content-Type", "application/json")
	res, err := c.client.Do(req)
	if err != nil {
		return fmt.Errorf("连接服务器失败：%w", err)
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
			return fmt.Errorf("%s（%s）", e.Error.Message, e.Error.Code)
		}
		return fmt.Errorf("服务器答复 %d", res.StatusCode)
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
		return nil, errors.New("服务器答复的密钥记录不完整")
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
			return nil, errors.New("等待其他监票人超时")
		case <-time.After(every):
		}
	}
}
