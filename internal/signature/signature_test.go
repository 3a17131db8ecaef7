package signature

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"vanthu/internal/signature/sigtest"
)

// Test PKI from sigtest, generated once per test binary.
type testPKI struct {
	*sigtest.PKI
	person, expired, untrusted sigtest.Signer
	roots, rootsWithout        *x509.CertPool
	agencyP12                  []byte
}

var (
	pkiOnce sync.Once
	pkiVal  *testPKI
)

func getPKI(t testing.TB) *testPKI {
	t.Helper()
	pkiOnce.Do(func() {
		p := &testPKI{PKI: sigtest.New(t)}
		p.person = p.Person(t, "Nguyễn Văn An")
		p.expired = p.Expired(t, "Trần Thị Bình")
		p.untrusted = p.Untrusted(t, "Lê Văn Cường")
		p.roots = p.Roots()
		p.rootsWithout = x509.NewCertPool()
		p.rootsWithout.AddCert(p.OtherRoot)
		pkiVal = p
	})
	if pkiVal == nil {
		t.Fatal("test PKI not initialised")
	}
	return pkiVal
}

func unsignedPDF(t testing.TB, marker string) []byte { return sigtest.UnsignedPDF(t, marker) }

func personSign(t testing.TB, in []byte, s sigtest.Signer) []byte { return sigtest.SignPDF(t, in, s) }

// agencyP12 is the agency's certificate as PKCS#12 (made once: the RSA
// certificate is slow under fuzzing instrumentation).
func agencyP12(t testing.TB, p *testPKI) []byte {
	t.Helper()
	if p.agencyP12 == nil {
		p.agencyP12 = p.AgencyP12(t, "mật khẩu")
	}
	return p.agencyP12
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
	signed := personSign(t, unsignedPDF(t, "Hello Vanthu"), p.person)
	rep := verifyBytes(t, signed, p.roots)
	if !rep.Valid() || len(rep.Signatures) != 1 {
		t.Fatalf("want 1 valid signature, got %+v", rep)
	}
	s := rep.Signatures[0]
	if s.SignerCN != "Nguyễn Văn An" || s.SignerOrg != "Tỉnh ủy Hà Nội" || s.SignerSerial != fmt.Sprintf("%X", p.person.Cert.SerialNumber) || s.IssuerCN != p.Intermediate.Subject.CommonName {
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
	orig := personSign(t, unsignedPDF(t, "Hello Vanthu"), p.person)
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
	signed := personSign(t, unsignedPDF(t, "Hello Vanthu"), p.person)
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
	signed := personSign(t, unsignedPDF(t, "Hello Vanthu"), p.person)
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
	signed := personSign(t, unsignedPDF(t, "Hello"), p.person)
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

func TestVerifyCertificateFromAnotherRoot(t *testing.T) {
	p := getPKI(t)
	signed := personSign(t, unsignedPDF(t, "Hello"), p.untrusted)
	rep := verifyBytes(t, signed, p.roots)
	if rep.Verdict != VerdictInvalid || rep.Reason != ReasonUntrusted {
		t.Fatalf("got %s %q %v", rep.Verdict, rep.Reason, rep.Details)
	}
	if s := rep.Signatures[0]; s.Trusted || !s.Intact || s.SignerCN != "Lê Văn Cường" {
		t.Errorf("flags: %+v", s)
	}
}

func TestVerifyExpiredSigner(t *testing.T) {
	p := getPKI(t)
	signed := personSign(t, unsignedPDF(t, "Hello"), p.expired)
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
	signed := personSign(f, plain, p.person)
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
