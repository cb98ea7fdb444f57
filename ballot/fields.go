package ballot

import "strings"

// A ballot page names each input "form.line" (a radio or checkbox whose value is the
// option) and each write-in box "form.line.w". FromFields reads such a post back into a
// ballot of the poll; fields of no form are ignored, empty write-in boxes too. Whatever
// the fields say is judged afterwards by Check.
func (p *Poll) FromFields(fields func(visit func(key, value string))) Ballot {
	b := Ballot{Forms: make([]FilledForm, len(p.Forms))}
	index := map[string]int{}
	for i, f := range p.Forms {
		b.Forms[i] = FilledForm{Form: f.ID, Lines: map[string][]string{}}
		index[f.ID] = i
	}
	fields(func(key, value string) {
		form, line, ok := strings.Cut(key, ".")
		i, known := index[form]
		if !ok || !known || line == "" {
			return
		}
		if l, isWriteIn := strings.CutSuffix(line, ".w"); isWriteIn {
			if strings.TrimSpace(value) == "" {
				return
			}
			line, value = l, WriteInPrefix+value
		}
		b.Forms[i].Lines[line] = append(b.Forms[i].Lines[line], value)
	})
	return b
}

// FieldName is the input name of a line of a form.
func FieldName(form, line string) string { return form + "." + line }
