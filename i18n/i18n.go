// Package i18n is Minyi's one catalogue of messages: the source language is Chinese, and a
// message's ID is its Chinese printf format as it stands in the code ("第%d个职位最多推荐%d人"),
// so a Chinese page needs no catalogue at all and converting a call site changes no Chinese
// output. English lives in en/*.json, one file per area, embedded and loaded at start.
// It imports nothing of Minyi, so every layer may use it.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"sort"
	"strings"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

// Lang is a language a page can be shown in.
type Lang string

const (
	Zh Lang = "zh" // 简体中文, the source language and the default
	En Lang = "en"
	// Pseudo is English with every catalogue message marked ⟦…⟧ and its letters accented:
	// a test renders pages in it to find text that bypasses the catalogue. Servers only
	// offer it when their configuration asks (tests).
	Pseudo Lang = "en-XA"
)

// HTMLLang is the value of <html lang> for the language.
func (l Lang) HTMLLang() string {
	switch l {
	case En:
		return "en"
	case Pseudo:
		return "en-XA"
	}
	return "zh-CN"
}

// Parse reads a language as a cookie or a setting names it; ok is false for anything else.
func Parse(s string) (Lang, bool) {
	switch Lang(s) {
	case Zh, En, Pseudo:
		return Lang(s), true
	}
	return Zh, false
}

// matcher picks between the two languages offered; Chinese first, so it is the default.
var matcher = language.NewMatcher([]language.Tag{language.SimplifiedChinese, language.English})

// Match chooses the language of an Accept-Language header: English only when the browser
// prefers it to Chinese; anything else (or nothing) is Chinese.
func Match(acceptLanguage string) Lang {
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return Zh
	}
	_, i, conf := matcher.Match(tags...)
	if i == 1 && conf != language.No {
		return En
	}
	return Zh
}

//go:embed en/*.json
var files embed.FS

// Catalogue is the English messages, by Chinese ID, and the file each came from.
type Catalogue struct {
	en    map[string]string // plain messages
	terms map[string]string // rule terms shown beside their Chinese (terms.json)
	file  map[string]string // ID → en/<file>.json, for the tests' messages
	b     *catalog.Builder
}

var cat = mustLoad(files)

func mustLoad(fsys fs.FS) *Catalogue {
	c, err := Load(fsys)
	if err != nil {
		panic(err)
	}
	return c
}

// Load reads every en/*.json of fsys. A message defined twice (in one file or two) or an
// empty translation is an error, so a merge of two areas cannot silently pick one.
func Load(fsys fs.FS) (*Catalogue, error) {
	c := &Catalogue{en: map[string]string{}, terms: map[string]string{}, file: map[string]string{},
		b: catalog.NewBuilder(catalog.Fallback(language.SimplifiedChinese))}
	names, err := fs.Glob(fsys, "en/*.json")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	for _, name := range names {
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		raw, err := decode(body)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		terms := path.Base(name) == "terms.json"
		for id, v := range raw {
			if prev, dup := c.file[id]; dup && !terms {
				return nil, fmt.Errorf("%s: %q is defined in %s already", name, id, prev)
			}
			if err := c.add(id, v, terms); err != nil {
				return nil, fmt.Errorf("%s: %q: %w", name, id, err)
			}
			if !terms {
				c.file[id] = name
			}
		}
	}
	return c, nil
}

// decode reads one file's object of messages, refusing a message defined twice in it,
// which encoding/json would silently settle by keeping the last.
func decode(body []byte) (map[string]json.RawMessage, error) {
	dec := json.NewDecoder(strings.NewReader(string(body)))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("not a JSON object of messages")
	}
	out := map[string]json.RawMessage{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		id, _ := t.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("%q: %w", id, err)
		}
		if _, dup := out[id]; dup {
			return nil, fmt.Errorf("%q is defined twice", id)
		}
		out[id] = v
	}
	return out, nil
}

func (c *Catalogue) add(id string, v json.RawMessage, term bool) error {
	var s string
	if err := json.Unmarshal(v, &s); err == nil {
		if strings.TrimSpace(s) == "" {
			return fmt.Errorf("empty translation")
		}
		if term {
			c.terms[id] = s
			return nil
		}
		c.en[id] = s
		return c.b.SetString(language.English, id, s)
	}
	if term {
		return fmt.Errorf("a term is a plain string")
	}
	// Plural forms: {"arg": 1, "one": "%d ballot", "other": "%d ballots"}; "=0" and the
	// other CLDR categories may be given too.
	var forms map[string]any
	if err := json.Unmarshal(v, &forms); err != nil {
		return fmt.Errorf("neither a string nor plural forms: %w", err)
	}
	arg, _ := forms["arg"].(float64)
	if arg < 1 {
		return fmt.Errorf(`plural forms need "arg": the 1-based number of the argument that chooses`)
	}
	var cases []any
	for _, k := range []string{"=0", "=1", "zero", "one", "two", "few", "many", "other"} {
		if f, ok := forms[k].(string); ok {
			cases = append(cases, k, f)
		}
	}
	if _, ok := forms["other"].(string); !ok {
		return fmt.Errorf(`plural forms need "other"`)
	}
	c.en[id] = forms["other"].(string)
	return c.b.Set(language.English, id, plural.Selectf(int(arg), "", cases...))
}

// Has reports whether the English catalogue has the message.
func Has(id string) bool { _, ok := cat.en[id]; return ok }

// HasTerm reports whether terms.json has an English term for a Chinese one.
func HasTerm(zh string) bool { _, ok := cat.terms[zh]; return ok }

// IDs lists the English catalogue's messages with the file each is in.
func IDs() map[string]string {
	out := make(map[string]string, len(cat.file))
	for id, f := range cat.file {
		out[id] = f
	}
	return out
}

// Printer formats messages in one language.
type Printer struct {
	lang Lang
	p    *message.Printer
}

var printers = map[Lang]*Printer{
	Zh:     {lang: Zh},
	En:     {lang: En, p: message.NewPrinter(language.English, message.Catalog(cat.b))},
	Pseudo: {lang: Pseudo, p: message.NewPrinter(language.English, message.Catalog(cat.b))},
}

// For is the printer of a language; an unknown one gets Chinese.
func For(lang Lang) *Printer {
	if p, ok := printers[lang]; ok {
		return p
	}
	return printers[Zh]
}

// Lang is the printer's language.
func (p *Printer) Lang() Lang { return p.lang }

// T formats the message whose ID is format in the printer's language. Chinese is
// fmt.Sprintf of the ID itself. In English numbers are written the English way (12,345):
// pass a year or a code as a string (%s), not as %d. A message missing from the English
// catalogue comes out in Chinese; the catalogue test finds it before that happens.
func (p *Printer) T(format string, args ...any) string {
	switch p.lang {
	case En:
		return p.en(format, args)
	case Pseudo:
		if !Has(format) {
			return sprintf(format, args) // left unmarked, so the pseudo-locale test sees it
		}
		return pseudo(p.en(format, args), false)
	}
	return sprintf(format, args)
}

func (p *Printer) en(format string, args []any) string {
	if len(args) == 0 {
		if s, ok := cat.en[format]; ok {
			return s
		}
		return format
	}
	return p.p.Sprintf(format, args...)
}

// sprintf is fmt.Sprintf, except that a message without arguments is taken as it is, so
// a literal "%" in it stays.
func sprintf(format string, args []any) string {
	if len(args) == 0 {
		return format
	}
	return fmt.Sprintf(format, args...)
}

// HTML formats a message that holds markup of our own (<strong>, <a href>): the catalogue
// is trusted, the arguments are escaped.
func (p *Printer) HTML(format string, args ...any) template.HTML {
	esc := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case template.HTML:
			esc[i] = string(v)
		case string:
			esc[i] = template.HTMLEscapeString(v)
		case fmt.Stringer:
			esc[i] = template.HTMLEscapeString(v.String())
		default:
			esc[i] = a
		}
	}
	if p.lang == Pseudo && Has(format) {
		return template.HTML(pseudo(p.en(format, esc), true))
	}
	return template.HTML(p.T(format, esc...))
}

// Term shows a rule's term (a grade, an option: 称职, 同意) to a reader of the language:
// Chinese as it is; in English the Chinese term with the English beside it, "称职 / competent",
// since the rules and the printed results name it in Chinese. A term terms.json does not
// know (an organizer's own option) is shown as written.
func (p *Printer) Term(zh string) string {
	e, ok := cat.terms[zh]
	switch {
	case !ok || p.lang == Zh:
		return zh
	case p.lang == Pseudo:
		return "⟦" + zh + " / " + accent(e) + "⟧"
	}
	return zh + " / " + e
}

// N marks a message ID for the catalogue test where it is written apart from the call
// that translates it (a map of headings); it returns the ID unchanged.
func N(id string) string { return id }

// pseudo marks a translated message ⟦…⟧ and accents its letters; markup's tags and
// entities are left as they are when html is set.
func pseudo(s string, html bool) string {
	if !html {
		return "⟦" + accent(s) + "⟧"
	}
	var b strings.Builder
	b.WriteString("⟦")
	for len(s) > 0 {
		i := strings.IndexAny(s, "<&")
		if i < 0 {
			b.WriteString(accent(s))
			break
		}
		b.WriteString(accent(s[:i]))
		end := byte('>')
		if s[i] == '&' {
			end = ';'
		}
		j := strings.IndexByte(s[i:], end)
		if j < 0 {
			b.WriteString(s[i:])
			break
		}
		b.WriteString(s[i : i+j+1])
		s = s[i+j+1:]
	}
	b.WriteString("⟧")
	return b.String()
}

var accents = strings.NewReplacer("a", "á", "e", "é", "i", "í", "o", "ö", "u", "ü", "n", "ñ", "c", "ç",
	"A", "Á", "E", "É", "I", "Í", "O", "Ö", "U", "Ü", "N", "Ñ", "C", "Ç")

func accent(s string) string { return accents.Replace(s) }

// English is the English of a message as the catalogue holds it (the "other" form of a
// plural), for the tests that compare it with its ID.
func English(id string) (string, bool) { s, ok := cat.en[id]; return s, ok }
