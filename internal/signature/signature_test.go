package signature

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/digitorus/pdf"
	"github.com/digitorus/pdfsign/sign"
	"github.com/go-pdf/fpdf"
	pkcs12 "software.sslmate.com/src/go-pkcs12"
)

// Test PKI: root → intermediate → signers. Generated once per test binary.
type testPKI struct {
	root, inter         *x509.Certificate
	rootKey, interKey   crypto.Signer
	person              *x509.Certificate
	personKey           crypto.Signer
	agency              *x509.Certificate
	agencyKey           crypto.Signer
	expired             *x509.Certificate
	expiredKey          crypto.Signer
	otherRoot           *x509.Certificate
	roots, rootsWithout *x509.CertPool
}

var (
	pkiOnce sync.Once
	pkiVal  *testPKI
)

func mustCert(t testing.TB, tmpl, parent *x509.Certificate, pub crypto.PublicKey, parentKey crypto.Signer) *x509.Certificate {
	t.Helper()
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ecKey(t testing.TB) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func caTemplate(serial int64, cn string) *x509.Certificate {
	now := time.Now()
	return &x509.Certificate{
		SerialNumber:          big.NewInt(serial),
		Subject:               pkix.Name{CommonName: cn, Organization: []string{"Ban Cơ yếu Chính phủ (test)"}, Country: []string{"VN"}},
		NotBefore:             now.Add(-10 * 365 * 24 * time.Hour),
		NotAfter:              now.Add(10 * 365 * 24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
}

func leafTemplate(serial int64, cn, org string, nb, na time.Time) *x509.Certificate {
	return &x509.Certificate{
		SerialNumber: big.NewInt(serial),
		Subject:      pkix.Name{CommonName: cn, Organization: []string{org}, Country: []string{"VN"}},
		NotBefore:    nb,
		NotAfter:     na,
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection, x509.ExtKeyUsageClientAuth},
	}
}

func getPKI(t testing.TB) *testPKI {
	t.Helper()
	pkiOnce.Do(func() {
		p := &testPKI{}
		rk := ecKey(t)
		p.rootKey = rk
		p.root = mustCert(t, caTemplate(1, "Test Root CA"), caTemplate(1, "Test Root CA"), rk.Public(), rk)
		ik := ecKey(t)
		p.interKey = ik
		p.inter = mustCert(t, caTemplate(2, "Test Intermediate CA"), p.root, ik.Public(), rk)

		now := time.Now()
		pk := ecKey(t)
		p.personKey = pk
		p.person = mustCert(t, leafTemplate(0x1001, "Nguyễn Văn An", "Tỉnh ủy Hà Nội", now.Add(-24*time.Hour), now.Add(365*24*time.Hour)), p.inter, pk.Public(), ik)

		ek := ecKey(t)
		p.expiredKey = ek
		p.expired = mustCert(t, leafTemplate(0x3003, "Trần Thị Bình", "Tỉnh ủy Hà Nội", now.Add(-2*365*24*time.Hour), now.Add(-365*24*time.Hour)), p.inter, ek.Public(), ik)

		ok := ecKey(t)
		p.otherRoot = mustCert(t, caTemplate(9, "Other Root"), caTemplate(9, "Other Root"), ok.Public(), ok)

		p.roots = x509.NewCertPool()
		p.roots.AddCert(p.root)
		p.rootsWithout = x509.NewCertPool()
		p.rootsWithout.AddCert(p.otherRoot)
		pkiVal = p
	})
	if pkiVal == nil {
		t.Fatal("test PKI not initialised")
	}
	return pkiVal
}

// unsignedPDF builds a small one-page A4 PDF with an uncompressed content
// stream holding marker.
func unsignedPDF(t testing.TB, marker string) []byte {
	t.Helper()
	f := fpdf.New("P", "mm", "A4", "")
	f.SetCompression(false)
	f.AddPage()
	f.SetFont("Times", "", 14)
	f.Cell(40, 10, marker)
	var b bytes.Buffer
	if err := f.Output(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// personSign applies an invisible approval signature with pdfsign directly,
// the way a person's signature from another system arrives.
func personSign(t testing.TB, in []byte, cert *x509.Certificate, key crypto.Signer, chain ...*x509.Certificate) []byte {
	t.Helper()
	rdr, err := pdf.NewReader(bytes.NewReader(in), int64(len(in)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err = sign.Sign(bytes.NewReader(in), &out, rdr, int64(len(in)), sign.SignData{
		Signature: sign.SignDataSignature{
			CertType:   sign.ApprovalSignature,
			DocMDPPerm: sign.AllowFillingExistingFormFieldsAndSignaturesPerms,
			Info:       sign.SignDataSignatureInfo{Name: cert.Subject.CommonName, Reason: "Phê duyệt", Date: time.Now()},
		},
		Signer:            key,
		DigestAlgorithm:   crypto.SHA256,
		Certificate:       cert,
		CertificateChains: [][]*x509.Certificate{append([]*x509.Certificate{cert}, chain...)},
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

var agencyOnce sync.Once

// agencyP12 issues the agency's RSA certificate (generated lazily: RSA key
// generation is slow under fuzzing instrumentation) and bundles it as PKCS#12.
func agencyP12(t testing.TB, p *testPKI) []byte {
	t.Helper()
	agencyOnce.Do(func() {
		ak, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		p.agencyKey = ak
		p.agency = mustCert(t, leafTemplate(0x2002, "Văn phòng Tỉnh ủy", "Tỉnh ủy Hà Nội", now.Add(-24*time.Hour), now.Add(365*24*time.Hour)), p.inter, ak.Public(), p.interKey)
	})
	// CA certs deliberately out of order: SignAgency orders them.
	b, err := pkcs12.Modern.Encode(p.agencyKey, p.agency, []*x509.Certificate{p.root, p.inter}, "mật khẩu")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func verifyBytes(t testing.TB, b []byte, roots *x509.CertPool) Report {
	t.Helper()
	rep, err := Verify(bytes.NewReader(b), int64(len(b)), roots, time.Now())
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	return rep
}

func TestVerifyPersonSignatureValid(t *testing.T) {
	p := getPKI(t)
	before := time.Now().Add(-time.Second)
	signed := personSign(t, unsignedPDF(t, "Hello Vanthu"), p.person, p.personKey, p.inter)
	rep := verifyBytes(t, signed, p.roots)
	if !rep.Valid() || len(rep.Signatures) != 1 {
		t.Fatalf("want 1 valid signature, got %+v", rep)
	}
	s := rep.Signatures[0]
	if s.SignerCN != "Nguyễn Văn An" || s.SignerOrg != "Tỉnh ủy Hà Nội" || s.SignerSerial != "1001" || s.IssuerCN != "Test Intermediate CA" {
		t.Errorf("signer: %q %q %q %q", s.SignerCN, s.SignerOrg, s.SignerSerial, s.IssuerCN)
	}
	if s.SigningTime.Before(before.Truncate(time.Second)) || s.SigningTime.After(time.Now().Add(time.Second)) || s.TimeSource != TimeSourceSigned {
		t.Errorf("signing time %v (%s)", s.SigningTime, s.TimeSource)
	}
	if !s.Intact || !s.DigestMatches || !s.SignatureVerified || !s.Trusted || !s.ValidAtSigningTime || !s.ValidNow || !s.KeyUsageOK {
		t.Errorf("flags: %+v", s)
	}
	if s.Coverage != CoverageWholeFile || s.DigestAlgorithm != "SHA-256" || s.SignReason != "Phê duyệt" {
		t.Errorf("coverage %s digest %s reason %q", s.Coverage, s.DigestAlgorithm, s.SignReason)
	}
	if len(s.Chain) != 3 {
		t.Errorf("chain %v", s.Chain)
	}
}

func TestSignAgencyIncrementalAndVerify(t *testing.T) {
	p := getPKI(t)
	orig := personSign(t, unsignedPDF(t, "Hello Vanthu"), p.person, p.personKey, p.inter)
	when := time.Date(2026, 3, 5, 7, 30, 15, 0, time.UTC) // 14:30:15 +07:00
	var out bytes.Buffer
	err := SignAgency(&out, bytes.NewReader(orig), int64(len(orig)), agencyP12(t, p), "mật khẩu", AgencyOptions{Time: when, Location: "Hà Nội"})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(out.Bytes(), orig) {
		t.Fatal("output does not start with the original bytes")
	}
	rep := verifyBytes(t, out.Bytes(), p.roots)
	if !rep.Valid() || len(rep.Signatures) != 2 {
		t.Fatalf("want 2 valid signatures, got %+v", rep)
	}
	person, agency := rep.Signatures[0], rep.Signatures[1]
	if person.SignerCN != "Nguyễn Văn An" || person.Coverage != CoverageRevision || person.AppendedBytes <= 0 {
		t.Errorf("person signature: %+v", person)
	}
	if agency.SignerCN != "Văn phòng Tỉnh ủy" || agency.Coverage != CoverageWholeFile || !agency.Trusted {
		t.Errorf("agency signature: %+v", agency)
	}
	wantText := "Ký bởi: Tỉnh ủy Hà Nội — Thời gian ký: 05/03/2026 14:30:15 +07:00"
	if agency.SignReason != wantText {
		t.Errorf("reason %q, want %q", agency.SignReason, wantText)
	}
	if agency.Name != "Ky boi: Tinh uy Ha Noi - Thoi gian ky: 05/03/2026 14:30:15 +07:00" {
		t.Errorf("appearance text %q", agency.Name)
	}
	if agency.Location != "Hà Nội" {
		t.Errorf("location %q", agency.Location)
	}
	// Visible widget at the top right of page one, 10-pt Times-Roman.
	added := out.Bytes()[len(orig):]
	if !bytes.Contains(added, []byte("/BaseFont /Times-Roman")) || !bytes.Contains(added, []byte("/F1 10.00 Tf")) {
		t.Error("appearance is not 10-pt Times-Roman")
	}
	llx, lly, urx, ury := rectOfWidget(t, added)
	if urx < 595.28-30 || ury < 841.89-30 || llx < 0 || lly < 800 {
		t.Errorf("widget rect [%v %v %v %v] is not at the top right of A4", llx, lly, urx, ury)
	}
}

func rectOfWidget(t *testing.T, b []byte) (llx, lly, urx, ury float64) {
	t.Helper()
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "/Rect [") {
			var r [4]float64
			if _, err := fmt.Sscanf(line, "/Rect [%f %f %f %f]", &r[0], &r[1], &r[2], &r[3]); err == nil && r[2] > 0 {
				return r[0], r[1], r[2], r[3]
			}
		}
	}
	t.Fatal("no visible /Rect in the incremental update")
	return
}

func TestSignAgencyInvisibleOnUnsignedPDF(t *testing.T) {
	p := getPKI(t)
	orig := unsignedPDF(t, "Ban sao dien tu")
	var out bytes.Buffer
	if err := SignAgency(&out, bytes.NewReader(orig), int64(len(orig)), agencyP12(t, p), "mật khẩu", AgencyOptions{Invisible: true, AgencyName: "Văn phòng Tỉnh ủy Thái Nguyên"}); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(out.Bytes(), orig) {
		t.Fatal("output does not start with the original bytes")
	}
	rep := verifyBytes(t, out.Bytes(), p.roots)
	if !rep.Valid() || len(rep.Signatures) != 1 || !strings.HasPrefix(rep.Signatures[0].SignReason, "Ký bởi: Văn phòng Tỉnh ủy Thái Nguyên — Thời gian ký: ") {
		t.Fatalf("got %+v", rep)
	}
}

func TestSignAgencyErrors(t *testing.T) {
	p := getPKI(t)
	orig := unsignedPDF(t, "x")
	var out bytes.Buffer
	if err := SignAgency(&out, bytes.NewReader(orig), int64(len(orig)), agencyP12(t, p), "sai", AgencyOptions{}); err == nil {
		t.Error("wrong PKCS#12 password accepted")
	}
	junk := []byte("not a pdf at all")
	if err := SignAgency(&out, bytes.NewReader(junk), int64(len(junk)), agencyP12(t, p), "mật khẩu", AgencyOptions{}); !errors.Is(err, ErrNotPDF) {
		t.Errorf("garbage input: %v", err)
	}
	if out.Len() != 0 {
		t.Error("output written on error")
	}
}

func TestVerifyOneByteChangedIsAltered(t *testing.T) {
	p := getPKI(t)
	signed := personSign(t, unsignedPDF(t, "Hello Vanthu"), p.person, p.personKey, p.inter)
	i := bytes.Index(signed, []byte("Hello Vanthu"))
	if i < 0 {
		t.Fatal("marker not found")
	}
	tampered := bytes.Clone(signed)
	tampered[i] = 'J' // "Jello Vanthu", same length: the file still parses
	rep := verifyBytes(t, tampered, p.roots)
	if rep.Verdict != VerdictInvalid || rep.Reason != ReasonAltered {
		t.Fatalf("want altered, got %s %q %v", rep.Verdict, rep.Reason, rep.Details)
	}
	if s := rep.Signatures[0]; s.Intact || s.DigestMatches || s.Reason != ReasonAltered {
		t.Errorf("signature flags: %+v", s)
	}

	// A byte changed anywhere in the signed ranges (here: the header) is caught too.
	tampered = bytes.Clone(signed)
	tampered[5] ^= 0x01
	rep = verifyBytes(t, tampered, p.roots)
	if rep.Valid() || rep.Reason != ReasonAltered {
		t.Fatalf("header change: got %s %q", rep.Verdict, rep.Reason)
	}
}

func TestVerifyAppendedUnsignedChanges(t *testing.T) {
	p := getPKI(t)
	signed := personSign(t, unsignedPDF(t, "Hello Vanthu"), p.person, p.personKey, p.inter)
	appended := append(bytes.Clone(signed), []byte("% appended after signing\n")...)
	rep := verifyBytes(t, appended, p.roots)
	if rep.Valid() || rep.Reason != ReasonAltered {
		t.Fatalf("got %s %q %v", rep.Verdict, rep.Reason, rep.Details)
	}
	if s := rep.Signatures[0]; s.Coverage != CoverageRevision || !s.Valid {
		t.Errorf("the signature itself still covers its revision: %+v", s)
	}
}

func TestVerifyUntrustedRoot(t *testing.T) {
	p := getPKI(t)
	signed := personSign(t, unsignedPDF(t, "Hello"), p.person, p.personKey, p.inter)
	for name, pool := range map[string]*x509.CertPool{"other root": p.rootsWithout, "empty pool": x509.NewCertPool(), "nil pool": nil} {
		rep := verifyBytes(t, signed, pool)
		if rep.Verdict != VerdictInvalid || rep.Reason != ReasonUntrusted {
			t.Errorf("%s: got %s %q", name, rep.Verdict, rep.Reason)
		}
		if s := rep.Signatures[0]; s.Trusted || !s.Intact {
			t.Errorf("%s: trusted=%v intact=%v", name, s.Trusted, s.Intact)
		}
	}
}

func TestVerifyExpiredSigner(t *testing.T) {
	p := getPKI(t)
	signed := personSign(t, unsignedPDF(t, "Hello"), p.expired, p.expiredKey, p.inter)
	rep := verifyBytes(t, signed, p.roots)
	if rep.Verdict != VerdictInvalid || rep.Reason != ReasonExpired {
		t.Fatalf("got %s %q %v", rep.Verdict, rep.Reason, rep.Details)
	}
	s := rep.Signatures[0]
	if s.ValidAtSigningTime || !s.Intact || !s.Trusted || s.SignerCN != "Trần Thị Bình" {
		t.Errorf("flags: %+v", s)
	}
}

func TestVerifyUnsignedAndGarbage(t *testing.T) {
	p := getPKI(t)
	plain := unsignedPDF(t, "Hello")
	rep := verifyBytes(t, plain, p.roots)
	if rep.Verdict != VerdictUnsigned || len(rep.Signatures) != 0 || rep.Valid() {
		t.Errorf("unsigned: %+v", rep)
	}
	for _, g := range [][]byte{[]byte("hello world"), []byte("%PDF-1.7\ngarbage"), bytes.Repeat([]byte{0xff}, 1024)} {
		if _, err := Verify(bytes.NewReader(g), int64(len(g)), p.roots, time.Now()); !errors.Is(err, ErrNotPDF) {
			t.Errorf("garbage %q: err %v", g[:8], err)
		}
	}
	if _, err := Verify(bytes.NewReader(nil), 0, p.roots, time.Now()); !errors.Is(err, ErrNotPDF) {
		t.Errorf("empty: %v", err)
	}
}

func TestFoldASCIIAndPDFSafe(t *testing.T) {
	if got := FoldASCII("Ký bởi: Đảng ủy — nghĩa"); got != "Ky boi: Dang uy - nghia" {
		t.Errorf("FoldASCII = %q", got)
	}
	s := pdfSafe("Tĩnh (x) \\ ĩ")
	for _, r := range s {
		if !utf16Safe(r) {
			t.Errorf("pdfSafe left %q in %q", r, s)
		}
	}
	if pdfSafe("plain (ascii)") != "plain (ascii)" {
		t.Error("ASCII text changed")
	}
}

func FuzzVerify(f *testing.F) {
	p := getPKI(f)
	plain := unsignedPDF(f, "Hello")
	signed := personSign(f, plain, p.person, p.personKey, p.inter)
	f.Add(plain)
	f.Add(signed)
	f.Add(signed[:len(signed)/2])
	f.Add([]byte("%PDF-1.4\n/ByteRange [0 10 20 5] <00>"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		rep, err := Verify(bytes.NewReader(b), int64(len(b)), p.roots, time.Now())
		if err == nil && rep.Verdict == "" {
			t.Fatal("no verdict without error")
		}
	})
}
