// Package signature verifies PDF (PAdES / adbe.pkcs7.detached) signatures
// against configured trusted roots and applies the agency's signature to an
// issued electronic copy as an incremental update (domain.md §6).
//
// Signing uses github.com/digitorus/pdfsign. Verification is done here on top
// of github.com/digitorus/pdf and github.com/digitorus/pkcs7, because pdfsign's
// own verifier only trusts the system roots and does not check that a byte
// range covers the whole file.
//
// No network access happens here: no timestamp server, OCSP or CRL calls.
package signature

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/big"
	"regexp"
	"strconv"
	"time"

	"github.com/digitorus/pdf"
	"github.com/digitorus/pkcs7"
	"github.com/digitorus/timestamp"
)

// Vietnamese reasons shown to users. English details go to Details/Errors.
const (
	ReasonAltered       = "Tài liệu đã bị thay đổi sau khi ký"
	ReasonUntrusted     = "Chứng thư số không do tổ chức tin cậy cấp"
	ReasonExpired       = "Chứng thư số đã hết hạn tại thời điểm ký"
	ReasonNotYetValid   = "Chứng thư số chưa có hiệu lực tại thời điểm ký"
	ReasonKeyUsage      = "Chứng thư số không được phép dùng để ký số"
	ReasonBadSignature  = "Chữ ký số không hợp lệ hoặc bị hỏng"
	ReasonUnsupported   = "Định dạng chữ ký số không được hỗ trợ"
	ReasonWeakAlgorithm = "Chữ ký số dùng thuật toán không còn an toàn"
	ReasonDamaged       = "Tệp PDF bị hỏng cấu trúc"
)

// Verdict is the outcome of a verification.
type Verdict string

const (
	VerdictValid    Verdict = "valid"
	VerdictInvalid  Verdict = "invalid"
	VerdictUnsigned Verdict = "unsigned" // a PDF without signatures
)

// Coverage tells how much of the file a signature's byte range covers.
type Coverage string

const (
	CoverageWholeFile Coverage = "whole_file" // the signature covers the file as received
	CoverageRevision  Coverage = "revision"   // later revisions were appended after this signature
	CoverageBroken    Coverage = "broken"     // the byte range is malformed
)

// Time sources for SignatureInfo.SigningTime.
const (
	TimeSourceTimestamp = "timestamp"      // RFC 3161 token inside the CMS (signature verified)
	TimeSourceSigned    = "signed_attr"    // CMS signingTime attribute (signer's clock)
	TimeSourceDict      = "signature_dict" // /M of the signature dictionary (signer's clock)
	TimeSourceNone      = "none"           // no time: validity checked at verification time
)

// Report is the result of Verify for one PDF.
type Report struct {
	Verdict Verdict
	// Reason is the Vietnamese reason when Verdict is invalid (first problem found).
	Reason string
	// Details are English details for logs.
	Details    []string
	Damaged    bool // the PDF structure could not be parsed; signatures were found by a raw scan
	FileSize   int64
	Signatures []SignatureInfo
}

// Valid reports whether the document has at least one signature and all are valid.
func (r Report) Valid() bool { return r.Verdict == VerdictValid }

// SignatureInfo describes one signature of the document.
type SignatureInfo struct {
	FieldName  string
	SubFilter  string
	Name       string // /Name of the signature dictionary (free text set by the signer)
	SignReason string // /Reason of the signature dictionary
	Location   string

	// Signer certificate.
	SignerCN     string
	SignerOrg    string
	SignerSerial string // hex
	IssuerCN     string
	IssuerOrg    string
	NotBefore    time.Time
	NotAfter     time.Time
	Certificate  *x509.Certificate `json:"-"`

	SigningTime time.Time
	TimeSource  string

	DigestAlgorithm string
	ByteRange       [4]int64
	Coverage        Coverage
	AppendedBytes   int64 // bytes after the end of this signature's range

	DigestMatches      bool // the byte-range digest equals the signed messageDigest
	SignatureVerified  bool // the CMS signature verifies with the signer's public key
	Intact             bool // DigestMatches && SignatureVerified && well-formed byte range
	Trusted            bool // the certificate chains to one of the configured roots
	ValidAtSigningTime bool
	ValidNow           bool
	KeyUsageOK         bool
	Chain              []string // subjects from leaf to root, when trusted

	Valid   bool
	Reason  string   // Vietnamese reason when !Valid
	Errors  []string // English details
	Warning []string // English warnings that do not invalidate the signature
}

// ErrNotPDF is returned for input that is not a readable PDF.
var ErrNotPDF = errors.New("signature: input is not a readable PDF")

// maxVerifySize bounds the file held in memory for verification.
const maxVerifySize = 512 << 20

// Verify checks every signature of the PDF in r against roots. now is the
// verification time (used for ValidNow and when a signature carries no time).
// A PDF without signatures gives a Report with VerdictUnsigned; unreadable
// input gives an error wrapping ErrNotPDF.
func Verify(r io.ReaderAt, size int64, roots *x509.CertPool, now time.Time) (Report, error) {
	if r == nil || size <= 0 {
		return Report{}, fmt.Errorf("%w: empty input", ErrNotPDF)
	}
	if size > maxVerifySize {
		return Report{}, fmt.Errorf("signature: file of %d bytes exceeds the %d byte limit", size, maxVerifySize)
	}
	data := make([]byte, size)
	if n, err := r.ReadAt(data, 0); int64(n) != size {
		return Report{}, fmt.Errorf("signature: reading input: %v", err)
	}
	if roots == nil {
		roots = x509.NewCertPool()
	}

	rep := Report{FileSize: size}
	dicts, perr := sigDictsFromReader(data)
	if perr != nil {
		dicts = sigDictsFromRawScan(data)
		if len(dicts) == 0 {
			return Report{}, fmt.Errorf("%w: %v", ErrNotPDF, perr)
		}
		rep.Damaged = true
		rep.Details = append(rep.Details, "PDF structure unreadable ("+perr.Error()+"); signatures found by raw scan")
	}

	for _, d := range dicts {
		rep.Signatures = append(rep.Signatures, verifyOne(data, d, roots, now))
	}
	decide(&rep)
	return rep, nil
}

func decide(rep *Report) {
	if len(rep.Signatures) == 0 {
		rep.Verdict = VerdictUnsigned
		return
	}
	rep.Verdict = VerdictValid
	invalid := func(reason, detail string) {
		if rep.Verdict != VerdictInvalid {
			rep.Verdict = VerdictInvalid
			rep.Reason = reason
		}
		rep.Details = append(rep.Details, detail)
	}
	var last *SignatureInfo
	for i := range rep.Signatures {
		s := &rep.Signatures[i]
		if !s.Valid {
			invalid(s.Reason, fmt.Sprintf("signature %d (%s): %v", i+1, s.FieldName, s.Errors))
		}
		if last == nil || s.ByteRange[2]+s.ByteRange[3] > last.ByteRange[2]+last.ByteRange[3] {
			last = s
		}
	}
	// Earlier signatures may cover only their revision when later signatures
	// were appended; the latest one must cover the whole file, otherwise
	// someone appended unsigned changes after the last signature.
	if last != nil && last.Coverage != CoverageWholeFile {
		invalid(ReasonAltered, fmt.Sprintf("%d unsigned bytes were appended after the last signature", last.AppendedBytes))
	}
	if rep.Damaged {
		invalid(ReasonDamaged, "PDF structure is damaged")
	}
}

// sigDict is what we need from one signature dictionary.
type sigDict struct {
	field, subFilter, name, reason, location, m string
	byteRange                                   []int64
	contents                                    []byte
}

func sigDictsFromReader(data []byte) (out []sigDict, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("PDF parser panic: %v", r)
		}
	}()
	rdr, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, err
	}
	root := rdr.Trailer().Key("Root")
	if root.Kind() != pdf.Dict {
		return nil, errors.New("PDF has no document catalog")
	}
	fields := root.Key("AcroForm").Key("Fields")
	seen := map[string]bool{}
	var walk func(v pdf.Value, ft, name string, depth int)
	walk = func(v pdf.Value, ft, name string, depth int) {
		if depth > 32 || v.Kind() != pdf.Dict {
			return
		}
		if t := v.Key("FT"); t.Kind() == pdf.Name {
			ft = t.Name()
		}
		if t := v.Key("T").Text(); t != "" {
			if name != "" {
				name += "."
			}
			name += t
		}
		if ft == "Sig" {
			if sv := v.Key("V"); sv.Kind() == pdf.Dict {
				if d, ok := fromValue(sv, name); ok {
					key := fmt.Sprint(d.byteRange)
					if !seen[key] {
						seen[key] = true
						out = append(out, d)
					}
				}
			}
		}
		kids := v.Key("Kids")
		for i := 0; i < kids.Len() && i < 10000; i++ {
			walk(kids.Index(i), ft, name, depth+1)
		}
	}
	for i := 0; i < fields.Len() && i < 10000; i++ {
		walk(fields.Index(i), "", "", 0)
	}
	return out, nil
}

func fromValue(v pdf.Value, field string) (sigDict, bool) {
	br := v.Key("ByteRange")
	if br.Kind() != pdf.Array {
		return sigDict{}, false
	}
	d := sigDict{
		field:     field,
		subFilter: v.Key("SubFilter").Name(),
		name:      v.Key("Name").Text(),
		reason:    v.Key("Reason").Text(),
		location:  v.Key("Location").Text(),
		m:         v.Key("M").Text(),
		contents:  []byte(v.Key("Contents").RawString()),
	}
	for i := 0; i < br.Len() && i < 16; i++ {
		d.byteRange = append(d.byteRange, br.Index(i).Int64())
	}
	return d, true
}

var rawByteRange = regexp.MustCompile(`/ByteRange\s*\[\s*(\d{1,12})\s+(\d{1,12})\s+(\d{1,12})\s+(\d{1,12})\s*\]`)

// sigDictsFromRawScan finds signatures in a file whose structure cannot be
// parsed, by their /ByteRange and the hex string in the gap.
func sigDictsFromRawScan(data []byte) []sigDict {
	var out []sigDict
	for i, m := range rawByteRange.FindAllSubmatch(data, 64) {
		d := sigDict{field: "raw#" + strconv.Itoa(i+1)}
		for _, g := range m[1:] {
			n, _ := strconv.ParseInt(string(g), 10, 64)
			d.byteRange = append(d.byteRange, n)
		}
		if a, b := d.byteRange[1], d.byteRange[2]; a >= 0 && a+1 < b && b <= int64(len(data)) {
			if c, err := hex.DecodeString(string(bytes.TrimRight(data[a+1:b-1], "0"))); err == nil {
				d.contents = c
			} else if c, err := hex.DecodeString(string(data[a+1 : b-1])); err == nil {
				d.contents = c
			}
		}
		out = append(out, d)
	}
	return out
}

var (
	oidTimestampToken = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 14}
	oidDocSigningEKU  = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 36}
	oidAdobeAuthDocs  = asn1.ObjectIdentifier{1, 2, 840, 113583, 1, 1, 5}
	oidMSDocSigning   = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 10, 3, 12}
)

func verifyOne(data []byte, d sigDict, roots *x509.CertPool, now time.Time) (s SignatureInfo) {
	s = SignatureInfo{FieldName: d.field, SubFilter: d.subFilter, Name: d.name, SignReason: d.reason, Location: d.location, TimeSource: TimeSourceNone}
	fail := func(reason, format string, args ...any) {
		if s.Reason == "" {
			s.Reason = reason
		}
		s.Errors = append(s.Errors, fmt.Sprintf(format, args...))
	}
	defer func() {
		if r := recover(); r != nil {
			fail(ReasonBadSignature, "panic while verifying: %v", r)
		}
		s.Intact = s.DigestMatches && s.SignatureVerified && s.Coverage != CoverageBroken
		s.Valid = s.Reason == ""
	}()

	size := int64(len(data))
	content, err := byteRangeContent(data, d.byteRange)
	if err != nil {
		s.Coverage = CoverageBroken
		fail(ReasonAltered, "byte range: %v", err)
		return s
	}
	copy(s.ByteRange[:], d.byteRange)
	end := d.byteRange[2] + d.byteRange[3]
	s.AppendedBytes = size - end
	if len(bytes.Trim(data[end:], "\x00\t\n\f\r ")) == 0 {
		s.Coverage = CoverageWholeFile
	} else {
		s.Coverage = CoverageRevision
	}

	switch d.subFilter {
	case "", "adbe.pkcs7.detached", "ETSI.CAdES.detached":
	case "ETSI.RFC3161":
		verifyDocTimestamp(&s, d, content, roots, fail)
		return s
	default:
		fail(ReasonUnsupported, "unsupported SubFilter %q", d.subFilter)
		return s
	}

	p7, err := pkcs7.Parse(d.contents)
	if err != nil {
		fail(ReasonBadSignature, "parsing CMS: %v", err)
		return s
	}
	if len(p7.Signers) != 1 {
		fail(ReasonBadSignature, "CMS has %d signers, want 1", len(p7.Signers))
		return s
	}
	leaf := p7.GetOnlySigner()
	if leaf == nil {
		fail(ReasonBadSignature, "CMS does not contain the signer's certificate")
		return s
	}
	fillCert(&s, leaf)

	// Digest of the byte ranges against the signed messageDigest attribute.
	si := p7.Signers[0]
	hash, herr := hashForOID(si.DigestAlgorithm.Algorithm)
	if herr != nil {
		fail(ReasonWeakAlgorithm, "%v", herr)
		return s
	}
	s.DigestAlgorithm = hash.String()
	var signedDigest []byte
	if err := p7.UnmarshalSignedAttribute(pkcs7.OIDAttributeMessageDigest, &signedDigest); err != nil {
		fail(ReasonBadSignature, "CMS has no messageDigest attribute: %v", err)
		return s
	}
	h := hash.New()
	h.Write(content)
	s.DigestMatches = bytes.Equal(h.Sum(nil), signedDigest)
	if !s.DigestMatches {
		fail(ReasonAltered, "byte-range %s digest does not match the signed messageDigest", hash)
	}

	// Cryptographic check of the signed attributes. pkcs7.Verify also rejects
	// a signing time outside the certificate validity; we check validity
	// ourselves below, so verify against a copy with an open validity window.
	p7.Content = content
	s.SignatureVerified = verifyCMSIgnoringValidity(p7, leaf) == nil
	if !s.SignatureVerified && s.DigestMatches {
		fail(ReasonBadSignature, "CMS signature does not verify: %v", verifyCMSIgnoringValidity(p7, leaf))
	}

	// Signing time: trusted timestamp > signed attribute > /M.
	var st time.Time
	if err := p7.UnmarshalSignedAttribute(pkcs7.OIDAttributeSigningTime, &st); err == nil && !st.IsZero() {
		s.SigningTime, s.TimeSource = st, TimeSourceSigned
	} else if t, err := parsePDFDate(d.m); err == nil {
		s.SigningTime, s.TimeSource = t, TimeSourceDict
	}
	if tst, warn := embeddedTimestamp(p7, roots); tst != nil {
		s.SigningTime, s.TimeSource = tst.Time, TimeSourceTimestamp
	} else if warn != "" {
		s.Warning = append(s.Warning, warn)
	}
	at := s.SigningTime
	if at.IsZero() {
		at = now
		s.Warning = append(s.Warning, "signature carries no signing time; certificate validity checked at verification time")
	}
	if !now.IsZero() && at.After(now.Add(10*time.Minute)) {
		s.Warning = append(s.Warning, fmt.Sprintf("signing time %s is after the verification time", at.Format(time.RFC3339)))
	}
	s.ValidNow = !now.Before(leaf.NotBefore) && !now.After(leaf.NotAfter)

	// Validity at signing time.
	switch {
	case at.After(leaf.NotAfter):
		fail(ReasonExpired, "signer certificate expired %s, signed %s", leaf.NotAfter.Format(time.RFC3339), at.Format(time.RFC3339))
	case at.Before(leaf.NotBefore):
		fail(ReasonNotYetValid, "signer certificate valid from %s, signed %s", leaf.NotBefore.Format(time.RFC3339), at.Format(time.RFC3339))
	default:
		s.ValidAtSigningTime = true
	}

	// Chain to the configured roots, at signing time.
	inter := x509.NewCertPool()
	for _, c := range p7.Certificates {
		inter.AddCert(c)
	}
	chains, err := leaf.Verify(x509.VerifyOptions{
		Roots:         roots,
		Intermediates: inter,
		CurrentTime:   at,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	switch {
	case err == nil:
		s.Trusted = true
		for _, c := range chains[0] {
			s.Chain = append(s.Chain, c.Subject.String())
		}
	case isExpiry(err) && !s.ValidAtSigningTime:
		// already reported for the leaf; check trust ignoring time
		_, terr := leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: leaf.NotBefore.Add(time.Second), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
		s.Trusted = terr == nil
		if terr != nil {
			s.Errors = append(s.Errors, "certificate chain: "+terr.Error())
		}
	case isExpiry(err):
		fail(ReasonExpired, "a CA certificate in the chain was not valid at signing time: %v", err)
	default:
		var ua x509.UnknownAuthorityError
		if errors.As(err, &ua) {
			fail(ReasonUntrusted, "certificate does not chain to a configured trusted root: %v", err)
		} else {
			fail(ReasonUntrusted, "certificate chain: %v", err)
		}
	}

	// Key usage.
	s.KeyUsageOK = true
	if leaf.KeyUsage != 0 && leaf.KeyUsage&(x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment) == 0 {
		s.KeyUsageOK = false
		fail(ReasonKeyUsage, "certificate key usage allows neither digitalSignature nor nonRepudiation")
	}
	if !ekuAllowsSigning(leaf) {
		s.KeyUsageOK = false
		fail(ReasonKeyUsage, "certificate extended key usage does not allow document signing")
	}
	return s
}

func byteRangeContent(data []byte, br []int64) ([]byte, error) {
	size := int64(len(data))
	if len(br) != 4 {
		return nil, fmt.Errorf("ByteRange has %d numbers, want 4", len(br))
	}
	a, b, c, d := br[0], br[1], br[2], br[3]
	if a != 0 || b <= 0 || c <= b || d < 0 || c > size || d > size-c {
		return nil, fmt.Errorf("ByteRange %v is outside the file of %d bytes or not increasing", br, size)
	}
	// The gap must hold exactly the hex string of /Contents, nothing else.
	gap := data[b:c]
	if len(gap) < 2 || gap[0] != '<' || gap[len(gap)-1] != '>' {
		return nil, fmt.Errorf("ByteRange gap %d..%d is not a hex string", b, c)
	}
	for _, ch := range gap[1 : len(gap)-1] {
		if !isHex(ch) {
			return nil, fmt.Errorf("ByteRange gap %d..%d holds non-hex bytes", b, c)
		}
	}
	out := make([]byte, 0, b+d)
	out = append(out, data[:b]...)
	return append(out, data[c:c+d]...), nil
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func hashForOID(oid asn1.ObjectIdentifier) (crypto.Hash, error) {
	switch {
	case oid.Equal(pkcs7.OIDDigestAlgorithmSHA256), oid.Equal(pkcs7.OIDDigestAlgorithmECDSASHA256), oid.Equal(pkcs7.OIDEncryptionAlgorithmRSASHA256):
		return crypto.SHA256, nil
	case oid.Equal(pkcs7.OIDDigestAlgorithmSHA384), oid.Equal(pkcs7.OIDDigestAlgorithmECDSASHA384), oid.Equal(pkcs7.OIDEncryptionAlgorithmRSASHA384):
		return crypto.SHA384, nil
	case oid.Equal(pkcs7.OIDDigestAlgorithmSHA512), oid.Equal(pkcs7.OIDDigestAlgorithmECDSASHA512), oid.Equal(pkcs7.OIDEncryptionAlgorithmRSASHA512):
		return crypto.SHA512, nil
	case oid.Equal(pkcs7.OIDDigestAlgorithmSHA1):
		return 0, errors.New("SHA-1 digests are not accepted")
	}
	return 0, fmt.Errorf("unsupported digest algorithm %v", oid)
}

// verifyCMSIgnoringValidity checks the CMS signature (messageDigest and the
// signature over the signed attributes) without pkcs7's validity-window check.
func verifyCMSIgnoringValidity(p7 *pkcs7.PKCS7, leaf *x509.Certificate) error {
	open := *leaf
	open.NotBefore = time.Time{}
	open.NotAfter = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	saved := p7.Certificates
	certs := make([]*x509.Certificate, len(saved))
	for i, c := range saved {
		if c == leaf {
			certs[i] = &open
		} else {
			certs[i] = c
		}
	}
	p7.Certificates = certs
	defer func() { p7.Certificates = saved }()
	return p7.Verify()
}

func isExpiry(err error) bool {
	var ci x509.CertificateInvalidError
	return errors.As(err, &ci) && ci.Reason == x509.Expired
}

func ekuAllowsSigning(c *x509.Certificate) bool {
	if len(c.ExtKeyUsage) == 0 && len(c.UnknownExtKeyUsage) == 0 {
		return true
	}
	for _, u := range c.ExtKeyUsage {
		switch u {
		case x509.ExtKeyUsageAny, x509.ExtKeyUsageEmailProtection, x509.ExtKeyUsageClientAuth:
			return true
		}
	}
	for _, o := range c.UnknownExtKeyUsage {
		if o.Equal(oidDocSigningEKU) || o.Equal(oidAdobeAuthDocs) || o.Equal(oidMSDocSigning) {
			return true
		}
	}
	return false
}

func fillCert(s *SignatureInfo, c *x509.Certificate) {
	s.Certificate = c
	s.SignerCN = c.Subject.CommonName
	s.SignerOrg = first(c.Subject.Organization)
	s.SignerSerial = serialHex(c.SerialNumber)
	s.IssuerCN = c.Issuer.CommonName
	s.IssuerOrg = first(c.Issuer.Organization)
	s.NotBefore, s.NotAfter = c.NotBefore, c.NotAfter
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

func serialHex(n *big.Int) string {
	if n == nil {
		return ""
	}
	return fmt.Sprintf("%X", n)
}

// embeddedTimestamp returns the RFC 3161 token of a signer when its imprint
// matches the signature value, its CMS signature verifies and its TSA
// certificate chains to roots. Otherwise it returns a warning (or nothing when
// there is no token).
func embeddedTimestamp(p7 *pkcs7.PKCS7, roots *x509.CertPool) (*timestamp.Timestamp, string) {
	var raw []byte
	for _, a := range p7.Signers[0].UnauthenticatedAttributes {
		if a.Type.Equal(oidTimestampToken) {
			raw = a.Value.Bytes
		}
	}
	encryptedDigest := p7.Signers[0].EncryptedDigest
	if raw == nil {
		return nil, ""
	}
	ts, err := timestamp.Parse(raw)
	if err != nil {
		return nil, "timestamp token unreadable: " + err.Error()
	}
	if !ts.HashAlgorithm.Available() {
		return nil, "timestamp token uses an unavailable hash"
	}
	h := ts.HashAlgorithm.New()
	h.Write(encryptedDigest)
	if !bytes.Equal(h.Sum(nil), ts.HashedMessage) {
		return nil, "timestamp token imprint does not match the signature"
	}
	tp7, err := pkcs7.Parse(ts.RawToken)
	if err != nil || tp7.Verify() != nil {
		return nil, "timestamp token signature does not verify"
	}
	tsa := tp7.GetOnlySigner()
	inter := x509.NewCertPool()
	for _, c := range tp7.Certificates {
		inter.AddCert(c)
	}
	if tsa == nil {
		return nil, "timestamp token has no TSA certificate"
	}
	if _, err := tsa.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: ts.Time, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping}}); err != nil {
		return nil, "timestamp authority is not trusted (" + err.Error() + "); using the signer's claimed time"
	}
	return ts, ""
}

func verifyDocTimestamp(s *SignatureInfo, d sigDict, content []byte, roots *x509.CertPool, fail func(string, string, ...any)) {
	ts, err := timestamp.Parse(d.contents)
	if err != nil {
		fail(ReasonBadSignature, "document timestamp unreadable: %v", err)
		return
	}
	if !ts.HashAlgorithm.Available() || ts.HashAlgorithm == crypto.SHA1 {
		fail(ReasonWeakAlgorithm, "document timestamp hash %v not accepted", ts.HashAlgorithm)
		return
	}
	s.DigestAlgorithm = ts.HashAlgorithm.String()
	h := ts.HashAlgorithm.New()
	h.Write(content)
	s.DigestMatches = bytes.Equal(h.Sum(nil), ts.HashedMessage)
	if !s.DigestMatches {
		fail(ReasonAltered, "document timestamp imprint does not match the byte range")
	}
	s.SigningTime, s.TimeSource = ts.Time, TimeSourceTimestamp
	tp7, err := pkcs7.Parse(ts.RawToken)
	if err != nil || tp7.GetOnlySigner() == nil {
		fail(ReasonBadSignature, "document timestamp token unreadable")
		return
	}
	s.SignatureVerified = tp7.Verify() == nil
	if !s.SignatureVerified {
		fail(ReasonBadSignature, "document timestamp signature does not verify")
	}
	leaf := tp7.GetOnlySigner()
	fillCert(s, leaf)
	inter := x509.NewCertPool()
	for _, c := range tp7.Certificates {
		inter.AddCert(c)
	}
	s.ValidAtSigningTime = !ts.Time.Before(leaf.NotBefore) && !ts.Time.After(leaf.NotAfter)
	s.KeyUsageOK = true
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: ts.Time, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping}}); err != nil {
		fail(ReasonUntrusted, "timestamp authority does not chain to a trusted root: %v", err)
	} else {
		s.Trusted = true
	}
}

// parsePDFDate parses "D:YYYYMMDDHHmmSS+HH'mm'" and its shorter forms.
func parsePDFDate(v string) (time.Time, error) {
	if len(v) > 2 && v[:2] == "D:" {
		v = v[2:]
	}
	for _, layout := range []string{"20060102150405Z07'00'", "20060102150405Z07'00", "20060102150405Z0700", "20060102150405Z", "20060102150405"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("unparsable PDF date %q", v)
}
