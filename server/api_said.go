package server

import (
	"bytes"
	"encoding/json"
	"slices"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/i18n"
	"minyi/records"
)

// A tally and the records filed from it keep the count's sentences (a flag's label and
// rule, a note, a summary) as the Chinese text that was signed or filed, and the API gives
// them as stored: a program that checks them against the bundle must find the same bytes.
// A reader whose Accept-Language is English gets, beside each such value, its English in
// a field of the same name ending in _said ("rule" and "rule_said"); a Chinese answer is
// the stored one, unchanged.

// saidReply is reply for an answer that holds tallies or filed records.
func saidReply(c *fiber.Ctx, status int) func(any, error) error {
	return func(v any, err error) error {
		if err != nil {
			return err
		}
		return sayJSON(c, status, v)
	}
}

// sayJSON answers v, with the reader's text beside the stored sentences when the request's
// language is not Chinese.
func sayJSON(c *fiber.Ctx, status int, v any) error {
	p := apiPr(c)
	if p.Lang() == i18n.Zh {
		return c.Status(status).JSON(v)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber() // numbers pass through as written
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return err
	}
	sayTree(p, tree)
	return c.Status(status).JSON(tree)
}

// sayTree adds the _said fields to every value of the answer that holds a stored sentence.
// It goes by the fields' names, which are the tally's and the records' own.
func sayTree(p *i18n.Printer, v any) {
	switch t := v.(type) {
	case []any:
		for _, e := range t {
			sayTree(p, e)
		}
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		for _, k := range keys {
			sayTree(p, t[k])
		}
		sayFields(p, t)
	}
}

// sayFields adds the _said fields of one object.
func sayFields(p *i18n.Printer, o map[string]any) {
	str := func(k string) (string, bool) { s, ok := o[k].(string); return s, ok }
	// a flag: {code, label, rule, value, threshold}
	if _, isFlag := o["threshold"]; isFlag {
		label, ok1 := str("label")
		rule, ok2 := str("rule")
		if _, ok3 := str("code"); ok1 && ok2 && ok3 {
			o["label_said"] = ballot.SayLabel(p, label)
			o["rule_said"] = ballot.Say(p, rule)
		}
	}
	for _, k := range []string{"notes", "box_checks"} {
		if list, ok := o[k].([]any); ok {
			said := make([]any, len(list))
			for i, e := range list {
				s, _ := e.(string)
				said[i] = ballot.Say(p, s)
			}
			o[k+"_said"] = said
		}
	}
	if s, ok := str("key_note"); ok && s != "" {
		o["key_note_said"] = ballot.Say(p, s)
	}
	for _, k := range []string{"good_label", "bad_label"} {
		if s, ok := str(k); ok && s != "" {
			o[k+"_said"] = ballot.SayGrades(p, s)
		}
	}
	// a filed entry's summary
	if s, ok := str("summary"); ok {
		if _, entry := o["poll_title"]; entry {
			o["summary_said"] = records.SaySummary(p, s)
		}
	}
	// the tally's pooled result rows, named by the count
	if rows, ok := o["results"].([]any); ok {
		for _, r := range rows {
			if row, ok := r.(map[string]any); ok {
				if name, ok := row["name"].(string); ok {
					row["name_said"] = ballot.SayName(p, name)
				}
			}
		}
	}
	// a selection's step: its kind is a term of the rules (民主推荐)
	if kind, ok := str("kind"); ok && slices.Contains(records.StepKinds, kind) {
		o["kind_said"] = p.Term(kind)
	}
}
