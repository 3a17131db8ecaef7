package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
)

// pdfTemplate is a valid one-page PDF of exactly size bytes, like a
// scanned letter: a line of text over a grey image of incompressible
// noise. Its /Title holds a 12-digit serial that stamp overwrites, so each
// upload has its own bytes (and SHA-256) without rebuilding the file.
type pdfTemplate struct {
	b      []byte
	serial int // offset of the serial digits
}

const pdfSerialDigits = 12

func newPDF(size int) (*pdfTemplate, error) {
	build := func(pixels int) ([]byte, int) {
		var b bytes.Buffer
		var offs []int
		obj := func(body string) {
			offs = append(offs, b.Len())
			fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offs), body)
		}
		b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
		obj("<< /Type /Catalog /Pages 2 0 R >>")
		obj("<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
		obj("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> /XObject << /Im1 6 0 R >> >> >>")
		content := "q 451 0 0 600 72 120 cm /Im1 Do Q\nBT /F1 12 Tf 72 770 Td (TINH UY LAO CAI - VAN BAN DEN - BENCHMARK) Tj ET\n"
		obj(fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", len(content), content))
		obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
		width := 400
		height := pixels / width
		data := make([]byte, width*height)
		r := rand.New(rand.NewPCG(200, 1024))
		for i := range data {
			data[i] = byte(160 + r.IntN(96))
		}
		offs = append(offs, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 /Length %d >>\nstream\n",
			len(offs), width, height, len(data))
		b.Write(data)
		b.WriteString("\nendstream\nendobj\n")
		offs = append(offs, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n<< /Title (Van ban ", len(offs))
		serialAt := b.Len()
		fmt.Fprintf(&b, "%0*d) /Producer (vanthu-bench) >>\nendobj\n", pdfSerialDigits, 0)
		xref := b.Len()
		fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offs)+1)
		for _, o := range offs {
			fmt.Fprintf(&b, "%010d 00000 n \n", o)
		}
		fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offs)+1, len(offs), xref)
		return b.Bytes(), serialAt
	}
	// The image takes what the rest leaves, in whole rows; the last few
	// bytes are spaces after %%EOF (readers look for it in the last 1 KiB).
	b, _ := build(400 * 10)
	overhead := len(b) - 400*10
	rows := (size - overhead) / 400
	b, at := build(rows * 400)
	if missing := size - len(b); missing > 0 {
		b = append(b, bytes.Repeat([]byte(" "), missing)...)
	}
	if len(b) != size {
		return nil, fmt.Errorf("pdf is %d bytes, wanted %d", len(b), size)
	}
	return &pdfTemplate{b: b, serial: at}, nil
}

// stamp returns a copy of the PDF carrying serial n.
func (p *pdfTemplate) stamp(n int) []byte {
	out := bytes.Clone(p.b)
	copy(out[p.serial:], fmt.Sprintf("%0*d", pdfSerialDigits, n))
	return out
}
