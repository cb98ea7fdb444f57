// Package frontend holds Minyi's HTML templates and static assets, embedded in the binary.
// Assets are served under content-hashed URLs so browsers may cache them for a year.
package frontend

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"mime"
	"path"
	"strings"
)

// all: keeps the vendored libraries' files whose names begin with "_" (_md.js, _arx.js …).
//
//go:embed all:templates all:static
var files embed.FS

// Asset is a static file with its hashed URL.
type Asset struct {
	URL         string
	ContentType string
	Body        []byte
}

// Assets maps static file names to their hashed URLs and back.
type Assets struct {
	byName map[string]*Asset
	byURL  map[string]*Asset
}

// LoadAssets reads the embedded static files, folders included ("teller/teller.js"). The
// vendored libraries under static/teller/vendor are not among them: they import each other
// by relative paths, which hashed names would break, so Vendor serves them as they are.
func LoadAssets() (*Assets, error) {
	a := &Assets{byName: map[string]*Asset{}, byURL: map[string]*Asset{}}
	err := fs.WalkDir(files, "static", func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() {
			if p == "static/"+VendorDir {
				return fs.SkipDir
			}
			return nil
		}
		body, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		sum := sha256.Sum256(body)
		ext := path.Ext(name)
		url := "/static/" + strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:5]) + ext
		as := &Asset{URL: url, ContentType: mime.TypeByExtension(ext), Body: body}
		a.byName[name] = as
		a.byURL[url] = as
		return nil
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// VendorDir is where the teller page's vendored libraries live, under static/: one folder
// per released package, named with its version, so its URLs never serve other bytes.
const VendorDir = "teller/vendor"

// Vendor is the tree of vendored libraries (static/teller/vendor).
func Vendor() fs.FS {
	sub, err := fs.Sub(files, "static/"+VendorDir)
	if err != nil {
		panic(err)
	}
	return sub
}

// URL returns the hashed URL of a static file; it panics on an unknown name, which the
// template test catches.
func (a *Assets) URL(name string) string {
	as, ok := a.byName[name]
	if !ok {
		panic("unknown asset " + name)
	}
	return as.URL
}

// ByURL finds an asset by its hashed URL.
func (a *Assets) ByURL(url string) (*Asset, bool) {
	as, ok := a.byURL[url]
	return as, ok
}

// Templates are the parsed pages: each page of templates/staff or templates/voter is
// parsed together with its folder's layout, once per language, each with the functions
// of its language (the "t" of the catalogue is bound to it).
type Templates struct {
	pages map[string]map[string]*template.Template // language → page → template
	first string                                   // the default language
}

// ParseTemplates parses every page once for each language, with that language's functions.
// The first language is the default, rendered for a language not parsed.
func ParseTemplates(langs []string, funcs func(lang string) template.FuncMap) (*Templates, error) {
	t := &Templates{pages: map[string]map[string]*template.Template{}, first: langs[0]}
	for _, lang := range langs {
		pages, err := parse(funcs(lang))
		if err != nil {
			return nil, err
		}
		t.pages[lang] = pages
	}
	return t, nil
}

func parse(funcs template.FuncMap) (map[string]*template.Template, error) {
	out := map[string]*template.Template{}
	shared, err := files.ReadFile("templates/_forms.html")
	if err != nil {
		return nil, err
	}
	for _, dir := range []string{"staff", "voter", "screen", "teller"} {
		layout, err := files.ReadFile("templates/" + dir + "/_layout.html")
		if err != nil {
			return nil, err
		}
		layout = append(append([]byte{}, layout...), shared...)
		pages, err := fs.Glob(files, "templates/"+dir+"/*.html")
		if err != nil {
			return nil, err
		}
		for _, p := range pages {
			base := path.Base(p)
			if base == "_layout.html" {
				continue
			}
			body, err := files.ReadFile(p)
			if err != nil {
				return nil, err
			}
			name := dir + "/" + strings.TrimSuffix(base, ".html")
			tpl, err := template.New(name).Funcs(funcs).Parse(string(layout))
			if err == nil {
				_, err = tpl.Parse(string(body))
			}
			if err != nil {
				return nil, fmt.Errorf("template %s: %w", name, err)
			}
			out[name] = tpl
		}
	}
	return out, nil
}

// Has reports whether a page exists.
func (t *Templates) Has(name string) bool { _, ok := t.pages[t.first][name]; return ok }

// Names lists the pages.
func (t *Templates) Names() []string {
	var out []string
	for n := range t.pages[t.first] {
		out = append(out, n)
	}
	return out
}

// Render executes a page in a language into w. It renders into a buffer first, so a
// failing template never sends half a page.
func (t *Templates) Render(w io.Writer, lang, name string, data any) error {
	pages, ok := t.pages[lang]
	if !ok {
		pages = t.pages[t.first]
	}
	tpl, ok := pages[name]
	if !ok {
		return fmt.Errorf("no template %q", name)
	}
	var buf bytes.Buffer
	if err := tpl.ExecuteTemplate(&buf, "layout", data); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// Source returns the text of every template file, by its path under templates/: the
// catalogue test reads the messages they use.
func Source() (map[string]string, error) {
	out := map[string]string{}
	err := fs.WalkDir(files, "templates", func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || path.Ext(p) != ".html" {
			return err
		}
		b, err := files.ReadFile(p)
		out[p] = string(b)
		return err
	})
	return out, err
}
