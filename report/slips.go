package report

import (
	"bytes"
	"fmt"

	"github.com/go-pdf/fpdf"

	"minyi/ballot"
)

// SlipBatch is what is printed on one batch of token slips.
type SlipBatch struct {
	Title  string
	Group  string
	Base   string // e.g. http://192.168.1.10:8080
	Tokens []ballot.Token
	Hint   string // the batch as the batch list names it, ABCD…WXYZ
	// First and Total place a part of a batch printed apart (a bulk issue's PDF of at
	// most 2,000 slips): its first slip is the First-th (from 0) of Total. Zero for a
	// batch printed whole.
	First, Total int

	footW *[2]float64 // widths of the footer's label and hint, once measured
}

func (b *SlipBatch) url(t ballot.Token) string { return VoteURL(b.Base, t) }

// VoteURL is the address a token's QR code and the API give the voter.
func VoteURL(base string, t ballot.Token) string { return base + "/v/" + string(t) }

// Slip layout: A4 portrait, 2 × 4 slips of 105 × 74.25 mm, dashed cut lines.
const (
	slipCols = 2
	slipRows = 4
	slipW    = 210.0 / slipCols
	slipH    = 297.0 / slipRows
)

// Slips renders batches as cut-out slips: title, group, QR code, the code to type in,
// how to vote, and the batch's hint with the slip's place in it. Each batch starts on a
// new page, so the piles of different groups come apart at the cutter.
func (p Printer) Slips(batches ...*SlipBatch) ([]byte, error) {
	pdf, err := p.newPDF()
	if err != nil {
		return nil, err
	}
	pdf.SetTitle(batches[0].Title+" 投票凭证", true)
	perPage := slipCols * slipRows
	n := 0 // slips drawn so far, naming each QR image once in the file
	for _, b := range batches {
		for i, t := range b.Tokens {
			if i%perPage == 0 {
				pdf.AddPage()
				cutLines(pdf)
			}
			k := i % perPage
			x, y := float64(k%slipCols)*slipW, float64(k/slipCols)*slipH
			png, err := QR(b.url(t))
			if err != nil {
				return nil, err
			}
			name := fmt.Sprintf("qr%d", n)
			n++
			pdf.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(png))
			drawSlip(pdf, b, name, x, y, t, i)
		}
	}
	var out bytes.Buffer
	if err := pdf.Output(&out); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
