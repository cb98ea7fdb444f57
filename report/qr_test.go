package report

import (
	"bytes"
	"image/png"
	"testing"

	"github.com/skip2/go-qrcode"
)

// The slips' QR image is the library's own drawing of the code, module for module.
func TestQRImage(t *testing.T) {
	const url = "http://192.168.1.10:8080/v/ABCDEFGHJKMNPQRS"
	b, err := QR(url)
	if err != nil {
		t.Fatal(err)
	}
	got, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	q, err := qrcode.New(url, qrcode.Medium)
	if err != nil {
		t.Fatal(err)
	}
	want := q.Image(-3)
	if got.Bounds() != want.Bounds() {
		t.Fatalf("size %v, the library draws %v", got.Bounds(), want.Bounds())
	}
	for y := range want.Bounds().Dy() {
		for x := range want.Bounds().Dx() {
			g, _, _, _ := got.At(x, y).RGBA()
			w, _, _, _ := want.At(x, y).RGBA()
			if g != w {
				t.Fatalf("pixel (%d,%d) differs from the library's drawing", x, y)
			}
		}
	}
}
