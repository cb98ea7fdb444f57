package server

import (
	"html/template"
	"sync"

	"minyi/frontend"
	"minyi/i18n"
)

// The pages and the static files come from the binary and the catalogue: they are the
// same for every instance a process starts (a deployment runs one, a test binary
// hundreds), and parsing every page in every language is most of what starting one costs.
// They are read and parsed once a process and shared; nothing changes them after parsing,
// and html/template executes one parsed page from many goroutines at once.
var (
	sharedAssets = sync.OnceValues(frontend.LoadAssets)
	// sharedPages holds the pages with and without the pseudo-locale (Config.PseudoLocale).
	sharedPages = [2]func() (*frontend.Templates, error){
		sync.OnceValues(func() (*frontend.Templates, error) { return parsePages(false) }),
		sync.OnceValues(func() (*frontend.Templates, error) { return parsePages(true) }),
	}
)

// parsePages parses every page in each language the server offers, with that language's
// functions. The functions depend on the language and the assets only, never on an
// instance's configuration: that is what lets instances share the result.
func parsePages(pseudo bool) (*frontend.Templates, error) {
	assets, err := sharedAssets()
	if err != nil {
		return nil, err
	}
	langs := []string{string(i18n.Zh), string(i18n.En)}
	if pseudo {
		langs = append(langs, string(i18n.Pseudo))
	}
	return frontend.ParseTemplates(langs, func(lang string) template.FuncMap { return pageFuncs(assets, i18n.Lang(lang)) })
}

// pages returns the process's parsed pages for an instance's configuration.
func pages(cfg Config) (*frontend.Templates, error) {
	if cfg.PseudoLocale {
		return sharedPages[1]()
	}
	return sharedPages[0]()
}
