package main

import (
	"errors"
	"fmt"
	"strings"

	"minyi/ballot"
	"minyi/i18n"
)

// The commands an evaluator or a teller runs (verify, teller) speak Chinese or English:
// -lang when given, else the locale of their messages as a POSIX tool reads it.

// langUsage is the -lang flag's help.
const langUsage = "language of the output: en or zh (default: from LC_ALL, LC_MESSAGES or LANG; Chinese unless it names en…)"

// cliLang is the language a command speaks: the -lang flag's value when given, else the
// first of LC_ALL, LC_MESSAGES and LANG that is set (their order of precedence in POSIX),
// English when it names en (en_US.UTF-8, en), Chinese for anything else (zh_CN, C, POSIX)
// and when none is set.
func cliLang(flag string, getenv func(string) string) (*i18n.Printer, error) {
	switch strings.ToLower(flag) {
	case "en":
		return i18n.For(i18n.En), nil
	case "zh":
		return i18n.For(i18n.Zh), nil
	case "":
	default:
		return i18n.For(i18n.Zh), fmt.Errorf("-lang %q: use en or zh", flag)
	}
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := getenv(k); v != "" {
			if strings.HasPrefix(strings.ToLower(v), "en") {
				return i18n.For(i18n.En), nil
			}
			return i18n.For(i18n.Zh), nil
		}
	}
	return i18n.For(i18n.Zh), nil
}

// langArg finds -lang among a command's arguments before they are parsed, for what the
// command says before it parses them.
func langArg(args []string) string {
	for i, a := range args {
		n := strings.TrimLeft(a, "-")
		if n == a || len(a)-len(n) > 2 {
			continue
		}
		if v, ok := strings.CutPrefix(n, "lang="); ok {
			return v
		}
		if n == "lang" && i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
}

// sayError is an error as the command prints it in p's language: a coded error of the
// domain said again from its format, anything else as it is. Chinese is left as it was.
func sayError(p *i18n.Printer, err error) error {
	var e *ballot.Error
	if err == nil || p.Lang() == i18n.Zh || !errors.As(err, &e) || e.Format == "" {
		return err
	}
	return errors.New(e.Code + ": " + e.Say(p))
}
