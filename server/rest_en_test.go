package server_test

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

var hanText = regexp.MustCompile(`[\p{Han}“”，。：（）]`)

// say calls the server with an Accept-Language ("" sends none) and returns the response
// with its body read.
func (e *env) say(lang, token, method, path string, body any) (*http.Response, []byte) {
	e.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, e.base+path, r)
	req.Header.Set("Content-Type", "application/json")
	if lang != "" {
		req.Header.Set("Accept-Language", lang)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, b
}

// attachment is the file name a download offers (filename*=UTF-8”…).
func attachment(t *testing.T, res *http.Response) string {
	t.Helper()
	cd := res.Header.Get("Content-Disposition")
	_, esc, ok := strings.Cut(cd, "filename*=UTF-8''")
	name, err := url.PathUnescape(esc)
	if !ok || err != nil {
		t.Fatalf("Content-Disposition %q", cd)
	}
	return name
}

// A refusal by role says who may do what in the reader's language; its code stays.
func TestRefusalByRoleInEnglish(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.addStaff("teller1", "teller", e.unitID)
	teller := e.login("teller1")
	p := e.evaluation("张三")
	for _, c := range []struct{ lang, method, path, want string }{
		{"en", "POST", "/api/v1/polls", "Only an organizer or an admin can do this: New poll."},
		{"", "POST", "/api/v1/polls", "只有组织者或管理员可以新建投票活动"},
		{"en-GB,en;q=0.9", "POST", "/api/v1/polls/" + p.ID + "/open", "Only an organizer or an admin can do this."},
		{"zh-CN", "POST", "/api/v1/polls/" + p.ID + "/open", "只有组织者或管理员可以进行此操作"},
		{"en", "POST", "/api/v1/units", "Only an admin can do this."},
	} {
		res, b := e.say(c.lang, teller, c.method, c.path, map[string]string{"title": "x", "name": "x"})
		var out struct {
			Error struct{ Code, Message string }
		}
		json.Unmarshal(b, &out)
		if res.StatusCode != 403 || out.Error.Code != "forbidden" || out.Error.Message != c.want {
			t.Errorf("%s %s in %q: %d %s, want forbidden %q", c.method, c.path, c.lang, res.StatusCode, b, c.want)
		}
	}
}

// The API's poll and the live view name the state in the reader's language; the stream
// shared by Chinese and English viewers says it to each in theirs.
func TestStateLabelInEnglish(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.evaluation("张三")
	e.tokens(p, 2)
	for lang, want := range map[string]string{"en": "Not started", "": "未开始"} {
		_, b := e.say(lang, e.admin, "GET", "/api/v1/polls/"+p.ID, nil)
		var out struct {
			StateLabel string `json:"state_label"`
			KeyNote    string `json:"key_note"`
		}
		if json.Unmarshal(b, &out) != nil || out.StateLabel != want {
			t.Errorf("API poll in %q: state_label %q, want %q", lang, out.StateLabel, want)
		}
		if lang == "en" && (out.KeyNote == "" || hanText.MatchString(out.KeyNote)) {
			t.Errorf("API poll in English: key_note %q", out.KeyNote)
		}
	}
	for lang, want := range map[string]string{"en": "Total", "": "合计"} {
		_, b := e.say(lang, e.admin, "GET", "/api/v1/polls/"+p.ID+"/turnout", nil)
		var out struct{ Total struct{ Name string } }
		if json.Unmarshal(b, &out) != nil || out.Total.Name != want {
			t.Errorf("API turnout in %q: total %q, want %q: %s", lang, out.Total.Name, want, b)
		}
	}
	e.openPoll(p.ID)
	key, err := e.st.ScreenKey(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	// The screen speaks its poll's language (Chinese here) unless the projector's browser
	// switched: the English reader is one who chose English with the switch.
	label := func(lang, path string) string {
		header := map[string]string{"Accept-Language": "en"}
		if lang != "" {
			header["Cookie"] = "lang=" + lang
		}
		_, page := e.fetchWith(path, header)
		b := []byte(page)
		var v struct {
			StateLabel string `json:"state_label"`
		}
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("%s: %v: %s", path, err, b)
		}
		return v.StateLabel
	}
	if en, zh := label("en", "/screen/"+key+"/turnout"), label("", "/screen/"+key+"/turnout"); en != "Voting" || zh != "投票中" {
		t.Errorf("turnout's state_label: %q in English, %q in Chinese", en, zh)
	}
	stream := func(lang string) string {
		req, _ := http.NewRequest("GET", e.base+"/screen/"+key+"/live", nil)
		req.Header.Set("Accept-Language", "en")
		if lang != "" {
			req.Header.Set("Cookie", "lang="+lang)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		got := make(chan string, 1)
		go func() {
			sc := bufio.NewScanner(res.Body)
			for sc.Scan() {
				if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
					var v struct {
						StateLabel string `json:"state_label"`
					}
					json.Unmarshal([]byte(data), &v)
					got <- v.StateLabel
					return
				}
			}
			got <- ""
		}()
		select {
		case s := <-got:
			return s
		case <-time.After(5 * time.Second):
			t.Fatal("no event on the stream")
		}
		return ""
	}
	if en, zh := stream("en"), stream(""); en != "Voting" || zh != "投票中" {
		t.Errorf("stream's state_label: %q in English, %q in Chinese", en, zh)
	}
}

// The downloads of an English organizer have English names (the poll's title and the
// groups' names are data and stay as written); the bulk list's header is English too.
func TestDownloadNamesInEnglish(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.survey(2, func(int) int { return 2 })
	res, body := e.say("en", e.admin, "POST", "/api/v1/polls/"+p.ID+"/codes", map[string]any{"format": "zip", "per_group": 2})
	if res.StatusCode != 200 {
		t.Fatalf("bulk issue: %d %.300s", res.StatusCode, body)
	}
	if name := attachment(t, res); name != "全省政务服务满意度测评_voting-codes_4.zip" {
		t.Errorf("bulk issue's file: %q", name)
	}
	z, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range z.File {
		names = append(names, f.Name)
		if f.Name == "voting-codes.csv" {
			r, _ := f.Open()
			b, _ := io.ReadAll(r)
			r.Close()
			if !bytes.HasPrefix(b, []byte("\ufeffGroup,Voting code,Voting address\r\n")) {
				t.Errorf("the list's header: %q", b[:min(len(b), 60)])
			}
		}
	}
	if want := "voting-codes.csv slips/0001_第001服务窗口_1-2.pdf slips/0002_第002服务窗口_1-2.pdf"; strings.Join(names, " ") != want {
		t.Errorf("the ZIP holds %q, want %q", names, want)
	}

	// slips from the poll page, in an English browser
	ev := e.evaluation("张三")
	c, csrf := e.browser("admin")
	e.get(c, "/lang/en?next=/")
	sres, err := c.PostForm(e.base+"/polls/"+ev.ID+"/tokens", url.Values{"_csrf": {csrf}, "group_id": {ev.Groups[0].ID}, "count": {"2"}, "format": {"pdf"}})
	if err != nil {
		t.Fatal(err)
	}
	sres.Body.Close()
	if name := attachment(t, sres); sres.StatusCode != 200 || name != "年度民主测评_职工代表_2-slips.pdf" {
		t.Errorf("slips: %d %q", sres.StatusCode, name)
	}

	// the signed bundle of a counted poll
	counted := e.countedEvaluation(form("优秀"), "李四")
	for lang, want := range map[string]string{"en": "年度民主测评_tally-bundle.zip", "": "年度民主测评_计票结果.zip"} {
		res, _ := e.say(lang, e.admin, "GET", "/api/v1/polls/"+counted.ID+"/bundle", nil)
		if name := attachment(t, res); res.StatusCode != 200 || name != want {
			t.Errorf("bundle in %q: %d %q, want %q", lang, res.StatusCode, name, want)
		}
	}
}
