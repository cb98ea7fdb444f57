package report

import (
	"archive/zip"
	"bytes"
	"fmt"
	"strings"
)

// SlipsZIP packs a batch's slips with the names in Chinese (see Printer.SlipsZIP).
func SlipsZIP(b *SlipBatch, pdf []byte) ([]byte, error) { return Printer{}.SlipsZIP(b, pdf) }

// SlipsZIP packs one QR PNG per token and a CSV list of codes and addresses, and the
// PDF of slips when given; the files' names and the list's header are in the printer's
// language.
func (p Printer) SlipsZIP(b *SlipBatch, pdf []byte) ([]byte, error) {
	m := p.msg()
	var out bytes.Buffer
	z := zip.NewWriter(&out)
	if pdf != nil {
		w, err := z.Create(m.T("投票凭证_A4切割单.pdf"))
		if err != nil {
			return nil, err
		}
		w.Write(pdf)
	}
	var csv strings.Builder
	csv.WriteString("\ufeff" + m.T("序号,参评类别,凭证码,投票地址") + "\r\n")
	for i, t := range b.Tokens {
		png, err := QR(b.url(t))
		if err != nil {
			return nil, err
		}
		w, err := z.Create(fmt.Sprintf("%04d_%s.png", i+1, t.Grouped()))
		if err != nil {
			return nil, err
		}
		w.Write(png)
		fmt.Fprintf(&csv, "%d,%s,%s,%s\r\n", i+1, csvField(Inert(b.Group)), t.Grouped(), b.url(t))
	}
	w, err := z.Create(m.T("凭证清单.csv"))
	if err != nil {
		return nil, err
	}
	w.Write([]byte(csv.String()))
	if err := z.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

func csvField(s string) string {
	if strings.ContainsAny(s, ",\"\r\n") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}
