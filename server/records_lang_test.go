package server_test

import (
	"bytes"
	"encoding/json"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// The records pages in English: a register sheet with a bad row is refused naming the row
// and the reason in the reader's language (the reason is an error of its own, told again
// in English, not left in Chinese inside an English sentence); the API says the same by
// Accept-Language; a selection's workbook has English titles; a Chinese reader sees every
// message as before.
func TestRecordsInEnglish(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c, csrf := e.browser("admin")
	b, _ := url.Parse(e.base)

	importSheet := func(lang string) (int, string) {
		t.Helper()
		c.Jar.SetCookies(b, []*http.Cookie{{Name: "lang", Value: lang, Path: "/"}})
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		w.WriteField("_csrf", csrf)
		w.WriteField("unit_id", e.unitID)
		fw, _ := w.CreateFormFile("register", "register.csv")
		fw.Write([]byte("姓名,性别,出生年份,现任职务\nAnn,女,1975,Chief\nBen,男,1800,Clerk\n"))
		w.Close()
		req, _ := http.NewRequest("POST", e.base+"/cadres", &body)
		req.Header.Set("Content-Type", w.FormDataContentType())
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(res.Body)
		res.Body.Close()
		return res.StatusCode, html.UnescapeString(string(page))
	}
	status, page := importSheet("en")
	if want := `The import failed; nothing was changed. Row 3: The year of birth "1800" is not right.`; status != 400 || !strings.Contains(page, want) {
		t.Errorf("English import of a bad row: %d, want %q in the page:\n%s", status, want, page)
	}
	status, page = importSheet("zh")
	if want := "导入失败，未作任何改动。第 3 行：出生年份“1800”不正确"; status != 400 || !strings.Contains(page, want) {
		t.Errorf("Chinese import of a bad row: %d, want %q in the page", status, want)
	}
	if cs, _ := e.st.Cadres(ctx, e.unitID); len(cs) != 0 {
		t.Errorf("a refused sheet added %d cadres", len(cs))
	}

	// The API: the second line is refused, in the language the client asks for.
	add := func(accept string) (int, map[string]map[string]string) {
		t.Helper()
		body, _ := json.Marshal(map[string]any{"unit_id": e.unitID, "cadres": []map[string]any{
			{"name": "Ann", "gender": "女"}, {"name": "Ben", "gender": "M"}}})
		req, _ := http.NewRequest("POST", e.base+"/api/v1/cadres", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+e.admin)
		req.Header.Set("Accept-Language", accept)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out map[string]map[string]string
		json.NewDecoder(res.Body).Decode(&out)
		return res.StatusCode, out
	}
	status, out := add("en-GB,en;q=0.9")
	if want := `Cadre 2: The gender must be "男" (male) or "女" (female).`; status != 400 || out["error"]["code"] != "invalid" || out["error"]["message"] != want {
		t.Errorf("API in English: %d %v, want code invalid and %q", status, out, want)
	}
	status, out = add("zh-CN")
	if want := "第 2 位：性别应为“男”或“女”"; status != 400 || out["error"]["code"] != "invalid" || out["error"]["message"] != want {
		t.Errorf("API in Chinese: %d %v, want code invalid and %q", status, out, want)
	}

	// A selection's workbook, in English: its sheet, title and columns.
	var sel struct {
		ID string `json:"id"`
	}
	e.api(e.admin, "POST", "/api/v1/selections", map[string]any{"unit_id": e.unitID, "post": "Deputy head"}, 201, &sel)
	e.api(e.admin, "POST", "/api/v1/selections/"+sel.ID+"/steps", map[string]any{"kind": "考察", "date": "2026-03-01"}, 201, nil)
	c.Jar.SetCookies(b, []*http.Cookie{{Name: "lang", Value: "en", Path: "/"}})
	res, err := c.Get(e.base + "/selections/" + sel.ID + "/export.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(res.Body)
	res.Body.Close()
	x, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("export: %d %v", res.StatusCode, err)
	}
	defer x.Close()
	rows, _ := x.GetRows("Selection records")
	text := ""
	for _, r := range rows {
		text += strings.Join(r, "|") + "\n"
	}
	for _, want := range []string{"Selection record: Deputy head", "Date|Step|Note|Polls|Result", "2026-03-01|考察 / inspection"} {
		if !strings.Contains(text, want) {
			t.Errorf("the English workbook lacks %q:\n%s", want, text)
		}
	}
}
