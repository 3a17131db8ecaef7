package signature

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"

	"github.com/digitorus/pdf"
	"github.com/digitorus/pdfsign/sign"
	"golang.org/x/text/unicode/norm"
	pkcs12 "software.sslmate.com/src/go-pkcs12"

	"vanthu/internal/platform/vntime"
)

// VietnamTime is Vietnam's time zone, in which signing times are shown.
var VietnamTime = vntime.Zone

// AgencyOptions configures SignAgency.
type AgencyOptions struct {
	// AgencyName is shown after "Ký bởi:"; empty uses the certificate's
	// Organization, else its CommonName.
	AgencyName string
	// Time is the signing time shown and written to /M; zero means now.
	// The CMS signingTime attribute always comes from the machine clock.
	Time     time.Time
	Location string
	// Invisible places no appearance (a signature field with an empty rectangle).
	Invisible bool
	// TSAURL is an RFC 3161 timestamp server. Empty (the default) means no
	// timestamp and no network call. pdfsign's CLI default (freetsa.org) is
	// never used here.
	TSAURL string
}

// Appearance geometry (PDF points): 10-pt text, 1 cm from the top and right
// edges of page one.
const (
	appearanceFontSize = 10.0
	appearanceMargin   = 28.35
)

// AgencyText is the Vietnamese text of the agency signature on an electronic
// copy: "Ký bởi: <agency> — Thời gian ký: dd/mm/yyyy HH:MM:SS +07:00".
func AgencyText(agency string, t time.Time) string {
	return "Ký bởi: " + agency + " — Thời gian ký: " + t.In(VietnamTime).Format("02/01/2006 15:04:05 -07:00")
}

// SignAgency writes to w the PDF read from in (size bytes) with the agency's
// approval signature appended as an incremental update: the output starts
// with the exact input bytes. The key and certificate chain come from the
// PKCS#12 bundle p12. The digest is SHA-256.
//
// Appearance: pdfsign draws a single line of its /Name text in the standard
// Type 1 Times-Roman font without a Unicode encoding, so Vietnamese
// diacritics cannot be drawn. The visible text is therefore the unaccented
// form ("Ky boi: ... - Thoi gian ky: ..."), 10 pt, at the top right of page
// one; the exact Vietnamese text is stored in the signature's /Reason.
func SignAgency(w io.Writer, in io.ReadSeeker, size int64, p12 []byte, password string, opts AgencyOptions) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("signature: signing panicked: %v", r)
		}
	}()
	key, cert, chain, err := loadP12(p12, password)
	if err != nil {
		return err
	}
	if size <= 0 {
		return errors.New("signature: empty PDF")
	}
	if _, err := in.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("signature: seeking input: %w", err)
	}
	data, err := io.ReadAll(io.LimitReader(in, size))
	if err != nil {
		return fmt.Errorf("signature: reading input: %w", err)
	}
	if int64(len(data)) != size {
		return fmt.Errorf("signature: read %d bytes, size says %d", len(data), size)
	}
	rdr, err := pdf.NewReader(bytes.NewReader(data), size)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrNotPDF, err)
	}

	agency := opts.AgencyName
	if agency == "" {
		agency = first(cert.Subject.Organization)
	}
	if agency == "" {
		agency = cert.Subject.CommonName
	}
	when := opts.Time
	if when.IsZero() {
		when = time.Now()
	}
	when = when.In(VietnamTime).Truncate(time.Second)
	text := AgencyText(agency, when)
	shown := FoldASCII(text)

	sd := sign.SignData{
		Signature: sign.SignDataSignature{
			CertType:   sign.ApprovalSignature,
			DocMDPPerm: sign.AllowFillingExistingFormFieldsAndSignaturesPerms,
			Info: sign.SignDataSignatureInfo{
				Name:     shown,
				Reason:   pdfSafe(text),
				Location: pdfSafe(opts.Location),
				Date:     when,
			},
		},
		Signer:            key,
		DigestAlgorithm:   crypto.SHA256,
		Certificate:       cert,
		CertificateChains: [][]*x509.Certificate{append([]*x509.Certificate{cert}, chain...)},
		TSA:               sign.TSA{URL: opts.TSAURL},
	}
	if !opts.Invisible {
		llx, lly, urx, ury := topRight(rdr, shown)
		sd.Appearance = sign.Appearance{Visible: true, Page: 1, LowerLeftX: llx, LowerLeftY: lly, UpperRightX: urx, UpperRightY: ury}
	}

	var out bytes.Buffer
	if err := sign.Sign(bytes.NewReader(data), &out, rdr, size, sd); err != nil {
		return fmt.Errorf("signature: pdfsign: %w", err)
	}
	if !bytes.HasPrefix(out.Bytes(), data) {
		return errors.New("signature: signed output does not start with the original bytes")
	}
	_, err = w.Write(out.Bytes())
	return err
}

// loadP12 decodes a PKCS#12 bundle and orders its CA certificates from the
// leaf's issuer upwards.
func loadP12(p12 []byte, password string) (crypto.Signer, *x509.Certificate, []*x509.Certificate, error) {
	k, cert, cas, err := pkcs12.DecodeChain(p12, password)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("signature: reading PKCS#12: %w", err)
	}
	key, ok := k.(crypto.Signer)
	if !ok {
		return nil, nil, nil, fmt.Errorf("signature: PKCS#12 key of type %T cannot sign", k)
	}
	if cert.SignatureAlgorithm == x509.SHA1WithRSA || cert.SignatureAlgorithm == x509.ECDSAWithSHA1 {
		return nil, nil, nil, errors.New("signature: certificates signed with SHA-1 are not accepted")
	}
	var chain []*x509.Certificate
	cur := cert
	used := map[*x509.Certificate]bool{}
	for range cas {
		var next *x509.Certificate
		for _, c := range cas {
			if !used[c] && bytes.Equal(c.RawSubject, cur.RawIssuer) && cur.CheckSignatureFrom(c) == nil {
				next = c
				break
			}
		}
		if next == nil || bytes.Equal(cur.RawSubject, cur.RawIssuer) {
			break
		}
		used[next] = true
		chain = append(chain, next)
		cur = next
	}
	return key, cert, chain, nil
}

// topRight returns the appearance rectangle at the top right of page one.
// pdfsign sizes the font at 0.8 × the rectangle height and shrinks it when
// len(text) × size × 0.5 exceeds the width, so the rectangle is 12.5 pt high
// and wide enough for 10 pt.
func topRight(rdr *pdf.Reader, text string) (llx, lly, urx, ury float64) {
	x0, y0, x1, y1 := 0.0, 0.0, 595.28, 841.89 // A4
	if box := pageOneBox(rdr); box.Len() == 4 {
		x0, y0, x1, y1 = box.Index(0).Float64(), box.Index(1).Float64(), box.Index(2).Float64(), box.Index(3).Float64()
		if x1 < x0 {
			x0, x1 = x1, x0
		}
		if y1 < y0 {
			y0, y1 = y1, y0
		}
	}
	height := appearanceFontSize / 0.8
	width := float64(len(text))*appearanceFontSize*0.5 + 2
	if maxW := x1 - x0 - 2*appearanceMargin; width > maxW && maxW > 10 {
		width = maxW
	}
	urx, ury = x1-appearanceMargin, y1-appearanceMargin
	return urx - width, ury - height, urx, ury
}

func pageOneBox(rdr *pdf.Reader) pdf.Value {
	node := rdr.Trailer().Key("Root").Key("Pages")
	box := node.Key("MediaBox")
	for depth := 0; depth < 32 && node.Key("Type").Name() == "Pages"; depth++ {
		node = node.Key("Kids").Index(0)
		if b := node.Key("MediaBox"); b.Len() == 4 {
			box = b
		}
	}
	if b := node.Key("CropBox"); b.Len() == 4 {
		box = b
	}
	return box
}

// FoldASCII removes Vietnamese diacritics (đ → d) and replaces other
// non-ASCII characters, for text drawn with a non-Unicode standard font.
func FoldASCII(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case r < 0x80:
			b.WriteRune(r)
		case unicode.Is(unicode.Mn, r):
		case r == 'đ':
			b.WriteByte('d')
		case r == 'Đ':
			b.WriteByte('D')
		case r == '—' || r == '–':
			b.WriteByte('-')
		case unicode.IsSpace(r):
			b.WriteByte(' ')
		default:
			b.WriteByte('?')
		}
	}
	return b.String()
}

// pdfSafe works around pdfsign writing non-ASCII text as a UTF-16 literal
// string without escaping: a UTF-16 byte equal to '(', ')', '\' or CR would
// corrupt the dictionary. Such characters (e.g. Vietnamese ĩ, U+0129) are
// written decomposed; ASCII parentheses and backslashes become safe look-alikes.
func pdfSafe(s string) string {
	ascii := true
	for _, r := range s {
		if r >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return s // pdfsign escapes ASCII strings itself
	}
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '(':
			b.WriteRune('[')
			continue
		case ')':
			b.WriteRune(']')
			continue
		case '\\':
			b.WriteRune('/')
			continue
		case '\r':
			b.WriteRune(' ')
			continue
		}
		if utf16Safe(r) {
			b.WriteRune(r)
			continue
		}
		d := norm.NFD.String(string(r))
		ok := true
		for _, dr := range d {
			ok = ok && utf16Safe(dr)
		}
		if ok {
			b.WriteString(d)
		} else {
			b.WriteRune('?')
		}
	}
	return b.String()
}

func utf16Safe(r rune) bool {
	for _, u := range utf16.Encode([]rune{r}) {
		for _, c := range []byte{byte(u >> 8), byte(u)} {
			if c == '(' || c == ')' || c == '\\' || c == '\r' {
				return false
			}
		}
	}
	return true
}
