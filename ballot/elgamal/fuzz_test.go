package elgamal

import (
	"bytes"
	"testing"
)

// Whatever the bytes, ParseLine either refuses them or returns a line that encodes back to
// exactly the same bytes: no two encodings of one line, so a ballot's bytes are its identity.
func FuzzParseLine(f *testing.F) {
	key := dealKey(f, 1, 1, newSeeded("fuzz"))
	for _, limit := range []int{1, 2} {
		line, err := PrepareLine(key.pk, testCtx, 2, limit, newSeeded("fuzz line")).Fill([]uint8{1, 0})
		if err != nil {
			f.Fatal(err)
		}
		enc, _ := line.AppendBinary(nil)
		f.Add(enc, uint8(limit))
		bad := bytes.Clone(enc)
		bad[40] ^= 0x80
		f.Add(bad, uint8(limit))
	}
	f.Fuzz(func(t *testing.T, b []byte, limit uint8) {
		L := int(limit%3) + 1
		line, err := ParseLine(b, 2, L)
		if err != nil {
			return
		}
		again, err := line.AppendBinary(nil)
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("a parsed line encodes to other bytes (%v)", err)
		}
	})
}
