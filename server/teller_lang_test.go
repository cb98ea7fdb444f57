package server_test

import (
	"html"
	"net/http"
	"net/http/cookiejar"
	"regexp"
	"strings"
	"testing"
)

// A teller's page speaks its poll's language and offers the switch every voter and staff
// page has: a teller handed a Chinese poll's link on an English phone switches there, and
// the choice stays for the seat's page when it is opened again.
func TestTellerPageLanguageSwitch(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.tellerPoll(1, "甲监票")
	seat := strings.TrimPrefix(e.seatLinks(p.ID)[0], e.base)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	status, page := e.get(c, seat)
	if status != 200 || !strings.Contains(page, `<html lang="zh-CN">`) {
		t.Fatalf("the Chinese poll's teller page: %d %.300s", status, page)
	}
	sw := regexp.MustCompile(`<a class="lang" href="([^"]+)"[^>]*>English</a>`).FindStringSubmatch(page)
	if sw == nil {
		t.Fatalf("no switch to English on the teller page: %.3000s", page)
	}
	status, page = e.get(c, html.UnescapeString(sw[1]))
	if status != 200 || !strings.Contains(page, `<html lang="en">`) || !strings.Contains(page, ">中文</a>") {
		t.Fatalf("after the switch the teller page is not English with a way back: %d %.300s", status, page)
	}
	if _, page = e.get(c, seat); !strings.Contains(page, `<html lang="en">`) {
		t.Fatalf("the switch did not stay: %.300s", page)
	}
}
