package server

import (
	"archive/zip"
	"bytes"
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/go-pdf/fpdf"
	"github.com/skip2/go-qrcode"

	"minyi/ballot"
)

// slipBatch is what is printed on one batch of token slips.
type slipBatch struct {
	Title  string
	Group  string
	Base   string // e.g. http://192.168.1.10:8080
	Tokens []ballot.Token
}

func (b *slipBatch) url(t ballot.Token) string { return b.Base + "/v/" + string(t) }

// DefaultFontPaths are searched for a TrueType font with Chinese glyphs (Debian's
// fonts-droid-fallback first).
var DefaultFontPaths = []string{
	"/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
	"/usr/share/fonts/truetype/wqy/wqy-microhei.ttf",
}

var fontCache struct {
	sync.Mutex
	path string
	data []byte
}

func (s *Server) font() ([]byte, error) {
	paths := DefaultFontPaths
	if s.cfg.FontPath != "" {
		paths = []string{s.cfg.FontPath}
	}
	fontCache.Lock()
	defer fontCache.Unlock()
	for _, p := range paths {
		if fontCache.path == p {
			return fontCache.data, nil
		}
		if b, err := os.ReadFile(p); err == nil {
			fontCache.path, fontCache.data = p, b
			return b, nil
		}
	}
	return nil, ballot.Errorf(ballot.EINTERNAL, "服务器缺少中文字体，无法生成PDF（请安装 fonts-droid-fallback 或设置 MINYI_FONT），可改为下载二维码图片")
}

func qrPNG(content string) ([]byte, error) {
	q, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		return nil, err
	}
	return q.PNG(240)
}

// Slip layout: A4 portrait, 2 × 4 slips of 105 × 74.25 mm, dashed cut lines.
const (
	slipCols = 2
	slipRows = 4
	slipW    = 210.0 / slipCols
	slipH    = 297.0 / slipRows
)

// slipsPDF renders a batch as cut-out slips: title, group, QR code, the code to type in,
// and how to vote.
func (s *Server) slipsPDF(b *slipBatch) ([]byte, error) {
	font, err := s.font()
	if err != nil {
		return nil, err
	}
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetTitle(b.Title+" 投票凭证", true)
	pdf.SetAutoPageBreak(false, 0)
	pdf.AddUTF8FontFromBytes("cjk", "", font)
	perPage := slipCols * slipRows
	for i, t := range b.Tokens {
		if i%perPage == 0 {
			pdf.AddPage()
			cutLines(pdf)
		}
		k := i % perPage
		x, y := float64(k%slipCols)*slipW, float64(k/slipCols)*slipH
		png, err := qrPNG(b.url(t))
		if err != nil {
			return nil, err
		}
		name := fmt.Sprintf("qr%d", i)
		pdf.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(png))
		pdf.SetFont("cjk", "", 10.5)
		pdf.SetXY(x+6, y+5)
		pdf.MultiCell(slipW-12, 5, clip(b.Title, 44), "", "C", false)
		pdf.SetFont("cjk", "", 9.5)
		pdf.SetXY(x+6, pdf.GetY()+0.5)
		pdf.CellFormat(slipW-12, 5, "参评类别："+b.Group, "", 0, "C", false, 0, "")
		top := y + 21
		pdf.ImageOptions(name, x+6, top, 38, 38, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
		tx := x + 47
		pdf.SetXY(tx, top+1)
		pdf.SetFont("cjk", "", 9)
		pdf.CellFormat(slipW-53, 5, "投票凭证码", "", 2, "L", false, 0, "")
		pdf.SetFont("cjk", "", 12)
		pdf.CellFormat(slipW-53, 7, t.Grouped(), "", 2, "L", false, 0, "")
		pdf.SetFont("cjk", "", 8.5)
		pdf.SetX(tx)
		pdf.MultiCell(slipW-53, 4.3, "请用手机扫描二维码进入投票页面。无法扫码时，用手机浏览器打开\n"+b.Base+"/v\n并输入凭证码。", "", "L", false)
		pdf.SetX(tx)
		pdf.MultiCell(slipW-53, 4.3, "本凭证只能使用一次，投票不记名。", "", "L", false)
		pdf.SetXY(x+6, y+slipH-9)
		pdf.SetFont("cjk", "", 7.5)
		pdf.CellFormat(slipW-12, 4, fmt.Sprintf("第 %d 张 / 共 %d 张", i+1, len(b.Tokens)), "", 0, "R", false, 0, "")
	}
	var out bytes.Buffer
	if err := pdf.Output(&out); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

func cutLines(pdf *fpdf.Fpdf) {
	pdf.SetDrawColor(150, 150, 150)
	pdf.SetLineWidth(0.2)
	pdf.SetDashPattern([]float64{2, 1.5}, 0)
	for c := 1; c < slipCols; c++ {
		pdf.Line(float64(c)*slipW, 0, float64(c)*slipW, 297)
	}
	for r := 1; r < slipRows; r++ {
		pdf.Line(0, float64(r)*slipH, 210, float64(r)*slipH)
	}
	pdf.SetDashPattern(nil, 0)
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// slipsZIP packs one QR PNG per token and a CSV list of codes and addresses.
func (s *Server) slipsZIP(b *slipBatch) ([]byte, error) {
	var out bytes.Buffer
	z := zip.NewWriter(&out)
	var csv strings.Builder
	csv.WriteString("\ufeff序号,参评类别,凭证码,投票地址\r\n")
	for i, t := range b.Tokens {
		png, err := qrPNG(b.url(t))
		if err != nil {
			return nil, err
		}
		w, err := z.Create(fmt.Sprintf("%04d_%s.png", i+1, t.Grouped()))
		if err != nil {
			return nil, err
		}
		w.Write(png)
		fmt.Fprintf(&csv, "%d,%s,%s,%s\r\n", i+1, csvField(b.Group), t.Grouped(), b.url(t))
	}
	w, err := z.Create("凭证清单.csv")
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
