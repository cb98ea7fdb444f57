package server

import (
	"errors"
	"fmt"
	"html/template"
	"net/url"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/frontend"
	"minyi/i18n"
	"minyi/records"
	"minyi/report"
	"minyi/store"
	"minyi/survey"
)

// statusOf maps each error code to its HTTP status, once.
var statusOf = map[string]int{
	ballot.EINVALID:      fiber.StatusBadRequest,
	ballot.ESPOILT:       fiber.StatusUnprocessableEntity,
	ballot.ENOTFOUND:     fiber.StatusNotFound,
	ballot.ECONFLICT:     fiber.StatusConflict,
	ballot.EPAPERPENDING: fiber.StatusConflict,
	ballot.EUNAUTHORIZED: fiber.StatusUnauthorized,
	ballot.EFORBIDDEN:    fiber.StatusForbidden,
	ballot.EINTERNAL:     fiber.StatusInternalServerError,
	ballot.ETOKENUNKNOWN: fiber.StatusNotFound,
	ballot.ETOKENUSED:    fiber.StatusConflict,
	ballot.ETOKENVOID:    fiber.StatusGone,
	ballot.ENOTOPEN:      fiber.StatusConflict,
	ballot.ECLOSED:       fiber.StatusConflict,
	ballot.ESEALED:       fiber.StatusForbidden,
	ballot.ETOOMANY:      fiber.StatusTooManyRequests,
	ballot.ERETRY:        fiber.StatusServiceUnavailable,
	ballot.EREPEATED:     fiber.StatusConflict,
	ballot.EKEYNOTREADY:  fiber.StatusConflict,
	ballot.EDEALING:      fiber.StatusConflict,
	ballot.EPARTIAL:      fiber.StatusBadRequest,
	ballot.ESHARETYPED:   fiber.StatusBadRequest,
	ballot.ETOOBIG:       fiber.StatusBadRequest,
}

// headings are the titles of error pages for people.
var headings = map[string]string{
	ballot.ENOTFOUND:     i18n.N("找不到页面"),
	ballot.EFORBIDDEN:    i18n.N("没有权限"),
	ballot.EINTERNAL:     i18n.N("服务器出错了"),
	ballot.ETOKENUNKNOWN: i18n.N("凭证无效"),
	ballot.ETOKENUSED:    i18n.N("该凭证已投票"),
	ballot.ETOKENVOID:    i18n.N("该凭证已作废"),
	ballot.ENOTOPEN:      i18n.N("投票尚未开始"),
	ballot.ECLOSED:       i18n.N("投票已结束"),
	ballot.ESEALED:       i18n.N("结果尚未产生"),
	ballot.ERETRY:        i18n.N("请稍后重试"),
	ballot.ETOOMANY:      i18n.N("尝试次数过多"),
}

// fromFiber turns Fiber's own errors (unknown route, body too large…) into coded ones.
func fromFiber(fe *fiber.Error) error {
	switch fe.Code {
	case fiber.StatusNotFound, fiber.StatusMethodNotAllowed:
		return ballot.Errorf(ballot.ENOTFOUND, "页面不存在")
	case fiber.StatusRequestEntityTooLarge:
		return ballot.Errorf(ballot.EINVALID, "提交的内容过大")
	case fiber.StatusBadRequest, fiber.StatusUnprocessableEntity:
		return ballot.Errorf(ballot.EINVALID, "请求格式不正确")
	case fiber.StatusRequestTimeout:
		return ballot.Errorf(ballot.EINVALID, "请求超时，请重试")
	}
	return fmt.Errorf("fiber: %w", fe)
}

// handleError answers every error: JSON for the API, a page for people. Internal errors
// are logged with the route's pattern and never shown.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	var fe *fiber.Error
	if errors.As(err, &fe) {
		err = fromFiber(fe)
	}
	err = s.retryable(c, err)
	code := ballot.ErrorCode(err)
	status, ok := statusOf[code]
	if !ok {
		status = fiber.StatusInternalServerError
	}
	if code == ballot.EINTERNAL {
		s.log.Error("internal error", "method", c.Method(), "route", routeOf(c), "err", err)
	}
	if isAPI(c) {
		// The API's message is in the language the client asks for; its code never changes.
		msg := errText(apiPr(c), err)
		return c.Status(status).JSON(apiError{Error: apiErrorBody{Code: code, Message: msg}})
	}
	if lang := pollLangOf(err); lang != "" {
		s.pollLang(c, lang) // a token's refusal speaks its poll's language
	}
	heading := headings[code]
	if heading == "" {
		heading = i18n.N("无法完成操作")
	}
	heading, msg := pr(c).T(heading), errText(pr(c), err)
	if isVoterPath(c.Path()) {
		return s.voterNotice(c, status, heading, msg, code, contactOf(err))
	}
	return s.page(c, status, "staff/error", fiber.Map{"Title": heading, "Heading": heading, "Message": msg})
}

// retryable turns a database that could not be reached (restarting, failing over) into
// the retryable error it is: nothing was done, and the same request may succeed soon.
func (s *Server) retryable(c *fiber.Ctx, err error) error {
	if ballot.ErrorCode(err) != ballot.EINTERNAL || !store.Unavailable(err) {
		return err
	}
	s.log.Warn("database unavailable", "method", c.Method(), "route", routeOf(c), "err", err)
	return ballot.Errorf(ballot.ERETRY, "数据库暂时无法连接，没有做任何改动，请稍后重试")
}

type apiError struct {
	Error apiErrorBody `json:"error"`
}

type apiErrorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Spoilt  any    `json:"spoilt,omitempty"`
}

// isAPI and isVoterPath read the path as routing does, ignoring case: /API/… is the API.
func isAPI(c *fiber.Ctx) bool {
	return strings.HasPrefix(strings.ToLower(c.Path()), "/api/") || (c.Get("Accept") != "" && c.Accepts("text/html", "application/json") == "application/json")
}

func isVoterPath(p string) bool {
	p = strings.ToLower(p)
	return p == "/v" || strings.HasPrefix(p, "/v/")
}

// routeOf names a request in logs and metrics by the pattern of the route that answered
// it ("/v/:token"), never by its path: routing ignores case and folds slashes, so no list
// of prefixes to mask can keep up with the paths that reach a token's route. A request
// no route answered (or one refused by a middleware before its route) is "unmatched":
// its path may be anything, a token included.
func routeOf(c *fiber.Ctx) string {
	if c.Locals(unmatched{}) != nil {
		return "unmatched"
	}
	r := c.Route()
	if r == nil || r.Method == "USE" {
		return "unmatched"
	}
	return r.Path
}

func (s *Server) recover(c *fiber.Ctx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("panic", "route", routeOf(c), "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return c.Next()
}

// accessLog logs one line per request: method, route pattern, status, duration. No query
// string, no referer, no client address next to a voter path.
func (s *Server) accessLog(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	if err != nil {
		if herr := c.App().ErrorHandler(c, err); herr != nil {
			c.Status(fiber.StatusInternalServerError)
		}
	}
	took := time.Since(start)
	status := c.Response().StatusCode()
	route := routeOf(c)
	s.log.Info("http", "method", c.Method(), "route", route, "status", status, "ms", took.Milliseconds())
	s.met.request(route, c.Method(), status, took)
	return nil
}

// unmatched marks a request no route answered: its path is not a label.
type unmatched struct{}

// sameOrigin refuses a state change whose Origin header names another site: defence in
// depth beside the staff forms' CSRF tokens. Our pages send no referrer, so browsers
// send "Origin: null" on their own form posts; scripts (curl) send no Origin at all.
func (s *Server) sameOrigin(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	origin := c.Get("Origin")
	if origin == "" || origin == "null" {
		return c.Next()
	}
	u, err := url.Parse(origin)
	if err == nil && u.Host == string(c.Request().Host()) {
		return c.Next()
	}
	if b, err := url.Parse(s.cfg.BaseURL); err == nil && s.cfg.BaseURL != "" && u != nil && u.Host == b.Host {
		return c.Next()
	}
	return ballot.Errorf(ballot.EFORBIDDEN, "拒绝来自其他网站的提交，请直接在本系统页面中操作")
}

const csp = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

func (s *Server) securityHeaders(c *fiber.Ctx) error {
	c.Set("Content-Security-Policy", csp)
	if s.cfg.SecureCookies || c.Protocol() == "https" {
		c.Set("Strict-Transport-Security", "max-age=31536000")
	}
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("X-Frame-Options", "DENY")
	c.Set("Referrer-Policy", "no-referrer")
	if !strings.HasPrefix(c.Path(), "/static/") {
		c.Set("Cache-Control", "no-store")
	}
	return c.Next()
}

func (s *Server) static(c *fiber.Ctx) error {
	a, ok := s.assets.ByURL(c.Path())
	if !ok {
		return ballot.Errorf(ballot.ENOTFOUND, "文件不存在")
	}
	c.Set("Cache-Control", "public, max-age=31536000, immutable")
	c.Set("Vary", "Accept-Encoding")
	c.Type(strings.TrimPrefix(a.ContentType, "."))
	c.Set("Content-Type", a.ContentType)
	return c.Send(a.Body)
}

// pageFuncs are the templates' functions in a language; they read nothing of an instance
// (pages_shared.go shares the parsed pages between instances).
func pageFuncs(assets *frontend.Assets, lang i18n.Lang) template.FuncMap {
	p := i18n.For(lang)
	return template.FuncMap{
		// the catalogue, in the page's language: t for text, th for text with our own
		// markup (<strong>, <a>), term for a rule's term shown beside its Chinese
		"t":    p.T,
		"th":   p.HTML,
		"term": p.Term,
		"say":  func(s string) string { return sayLabel(p, s) }, // a domain word or note, as is when the catalogue lacks it
		// keyNote, scoreParts and stepHint say the ballot's generated sentences in the page's language.
		"keyNote": func(k interface{ KeyNoteFormat() (string, []any) }) string {
			format, args := k.KeyNoteFormat()
			return p.T(format, args...)
		},
		"stepHint": func(sc *ballot.Scoring) string {
			format, args := sc.StepHintFormat()
			return p.T(format, args...)
		},
		"checkNote": func(c ballot.Check) string { return checkNote(p, c) }, // a /verify check's note, said from its format
		"scoreParts": func(sc *ballot.Scoring) string {
			if len(sc.Indicators) == 0 {
				return ""
			}
			parts := make([]string, len(sc.Indicators))
			for i, x := range sc.Indicators {
				parts[i] = p.T("%s %d 分", x.Name, x.Max)
			}
			return p.T("，分项：%s", strings.Join(parts, p.T("、")))
		},
		"asset":  assets.URL,
		"pct":    func(r ballot.Ratio) string { return r.Percent() },
		"frac":   func(r ballot.Ratio) string { return r.String() },
		"ratio":  func(a, b int) ballot.Ratio { return ballot.R(int64(a), int64(b)) },
		"add":    func(a, b int) int { return a + b },
		"field":  ballot.FieldName,
		"rowkey": survey.RowKey,
		"append": func(list []string, s string) []string { return append(append([]string(nil), list...), s) },
		"mean":   func(sum, n int) string { return ballot.R(int64(sum), int64(n)).Decimal() },
		"has":    func(list []string, s string) bool { return slices.Contains(list, s) },
		// writeins gives n boxes' values from a line's marks: the written-in names, then "".
		"writeins": func(marks []string, n int) []string {
			out := make([]string, 0, n)
			for _, m := range marks {
				if name, ok := strings.CutPrefix(m, ballot.WriteInPrefix); ok && len(out) < n {
					out = append(out, name)
				}
			}
			for len(out) < n {
				out = append(out, "")
			}
			return out
		},
		"sub": func(a, b int) int { return a - b },
		// list names a list in a sentence: 张三、李四 / Zhang, Li
		"list": func(items []string) string { return strings.Join(items, p.T("、")) },
		// charts and rule wording of the tally page (report/svg.go, ballot/rules.go)
		"gradeChart":     report.Printer{P: p}.GradeChart,
		"candidateChart": report.Printer{P: p}.CandidateChart,
		"approvalChart":  report.Printer{P: p}.ApprovalChart,
		"fracText":       func(r ballot.Ratio) string { return ballot.SayFraction(p, ballot.FractionText(r)) },
		// sayRule and sayFlag tell a sentence the count signed in Chinese (a flag's rule, a
		// note) and a flag's label in the page's language, as stored when it cannot be read
		// back (ballot.Say)
		"sayRule":   func(s string) string { return ballot.Say(p, s) },
		"sayFlag":   func(s string) string { return ballot.SayLabel(p, s) },
		"sayGrades": func(s string) string { return ballot.SayGrades(p, s) },
		// summary is a filed line's result in the page's language (records.SaySummary)
		"summary": func(s string) string { return records.SaySummary(p, s) },
		// paperGroups is each group's paper ballots entered and tokens turned to paper.
		"paperGroups": func(gs []ballot.GroupResult) string {
			parts := make([]string, len(gs))
			for i, g := range gs {
				parts[i] = p.T("%s %d/%d", g.Name, g.Paper, g.PaperTok)
			}
			return strings.Join(parts, p.T("，"))
		},
		// weights lists a weighted evaluation's groups with their weights, as the
		// workbook's note does (report/tables_evaluation.go).
		"weights": func(w *ballot.Weighted, rows []ballot.GroupResult) string {
			parts := make([]string, 0, len(w.Groups))
			for i, g := range w.Groups {
				name := ""
				if i < len(rows) {
					name = rows[i].Name
				}
				switch {
				case g.Absent:
					parts = append(parts, p.T("%s %s（无有效票，权重按比例分给其他类别）", name, g.Weight.String()))
				case g.Weight != g.Effective:
					parts = append(parts, name+" "+g.Weight.String()+"→"+g.Effective.String())
				default:
					parts = append(parts, name+" "+g.Weight.String())
				}
			}
			return strings.Join(parts, p.T("，"))
		},
		// barWidth and ratioWidth place a bar's end or mark: a CSS percentage, at most 100%.
		"barWidth":   func(a, b int) string { return barWidth(int64(a), int64(b)) },
		"ratioWidth": func(r ballot.Ratio) string { return barWidth(r.Num, r.Den) },
		"fmtTime": func(v any) string {
			var t time.Time
			switch x := v.(type) {
			case time.Time:
				t = x
			case *time.Time:
				if x == nil {
					return ""
				}
				t = *x
			}
			return t.In(cst).Format("2006-01-02 15:04")
		},
		// fmtSecond tells apart things done within the same minute, such as two batches.
		"fmtSecond": func(t time.Time) string { return t.In(cst).Format("2006-01-02 15:04:05") },
	}
}

// cst is China Standard Time: organizers read times in it wherever the server runs.
var cst = time.FixedZone("CST", 8*3600)

// page renders a staff or voter page with the common data (the signed-in person, the
// CSRF token, a flash message).
func (s *Server) page(c *fiber.Ctx, status int, name string, data fiber.Map) error {
	if data == nil {
		data = fiber.Map{}
	}
	if me := meOf(c); me != nil {
		data["Me"] = me
		data["CSRF"] = me.CSRF
	}
	if f := c.Cookies(flashCookie); f != "" {
		if msg, err := url.QueryUnescape(f); err == nil {
			data["Flash"] = msg
		}
		// Expire it with the same attributes it was set with, or the browser keeps it.
		c.Cookie(&fiber.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1, Expires: time.Unix(1, 0), HTTPOnly: true, SameSite: "Lax", Secure: s.cfg.SecureCookies})
	}
	lang := langOf(c)
	data["Lang"] = lang.HTMLLang()
	data["Switch"], data["SwitchLabel"], data["SwitchLang"] = langSwitch(c)
	c.Status(status)
	c.Set("Content-Type", "text/html; charset=utf-8")
	c.Vary(fiber.HeaderAcceptLanguage, fiber.HeaderCookie)
	return s.tpl.Render(c.Response().BodyWriter(), string(lang), name, data)
}

const flashCookie = "minyi_flash"

// redirectWith redirects after a successful post with a message for the next page.
func (s *Server) redirectWith(c *fiber.Ctx, to, msg string) error {
	c.Cookie(&fiber.Cookie{Name: flashCookie, Value: url.QueryEscape(msg), Path: "/", HTTPOnly: true, SameSite: "Lax", Secure: s.cfg.SecureCookies})
	return c.Redirect(to, fiber.StatusSeeOther)
}

func meOf(c *fiber.Ctx) *store.Session {
	me, _ := c.Locals("me").(*store.Session)
	return me
}
