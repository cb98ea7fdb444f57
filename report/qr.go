package report

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"sync"

	"github.com/skip2/go-qrcode"
)

// QR draws a QR code at a whole number of pixels per module (sharp when scaled), as a
// one-bit grey PNG. Go's encoder writes grey at eight bits only, which made each code
// 5 KB held until the PDF is written (50 MB for 10,000 slips); one bit per pixel with
// rows repeated is a tenth of that, and needs no palette (the PDF library compresses
// each image's palette with a compressor of its own).
func QR(content string) ([]byte, error) {
	q, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		return nil, err
	}
	return bitmapPNG(q.Bitmap(), 3)
}

// bitmapPNG writes a square bitmap (true = dark) as a PNG of bit depth 1, colour type 0
// (grey), px pixels per module.
func bitmapPNG(bits [][]bool, px int) ([]byte, error) {
	side := len(bits) * px
	stride := (side + 7) / 8
	z := qrZlib.Get().(*zlibBuf)
	defer qrZlib.Put(z)
	z.raw.Reset()
	z.w.Reset(&z.raw)
	row := make([]byte, 1+stride) // filter byte 0 (none), then the pixels
	for _, r := range bits {
		clear(row)
		for x := range side {
			if !r[x/px] { // 1 is white in a grey image
				row[1+x/8] |= 0x80 >> (x % 8)
			}
		}
		for range px {
			if _, err := z.w.Write(row); err != nil {
				return nil, err
			}
		}
	}
	if err := z.w.Close(); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	out.Grow(8 + 25 + 12 + z.raw.Len() + 12)
	out.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(side))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(side))
	ihdr[8] = 1 // bit depth; colour type, compression, filter and interlace are 0
	pngChunk(&out, "IHDR", ihdr)
	pngChunk(&out, "IDAT", z.raw.Bytes())
	pngChunk(&out, "IEND", nil)
	return out.Bytes(), nil
}

func pngChunk(out *bytes.Buffer, kind string, data []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(data)))
	out.Write(n[:])
	crc := crc32.NewIEEE()
	crc.Write([]byte(kind))
	crc.Write(data)
	out.WriteString(kind)
	out.Write(data)
	binary.BigEndian.PutUint32(n[:], crc.Sum32())
	out.Write(n[:])
}

// zlibBuf is a compressor and its output, reused from slip to slip: a fresh compressor
// per slip was most of the time and memory of a 10,000-slip PDF.
type zlibBuf struct {
	raw bytes.Buffer
	w   *zlib.Writer
}

var qrZlib = sync.Pool{New: func() any {
	z := &zlibBuf{}
	z.w, _ = zlib.NewWriterLevel(&z.raw, zlib.BestCompression)
	return z
}}
