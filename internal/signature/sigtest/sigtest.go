// Package sigtest makes the certificates and signed PDFs that tests of PDF
// signatures need: a root CA with an intermediate CA, people's certificates
// (valid, expired, or from a root nobody trusts), a person's PAdES
// signature on a PDF, the agency's PKCS#12 bundle and small unsigned PDFs.
//
// Everything is generated in memory; nothing here is for production use.
// It never imports package signature, so that package's own tests can use it.
package sigtest

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/digitorus/pdf"
	"github.com/digitorus/pdfsign/sign"
	"github.com/go-pdf/fpdf"
	pkcs12 "software.sslmate.com/src/go-pkcs12"
)

// Organisation names used by the generated certificates.
const (
	CAOrg     = "Ban Cơ yếu Chính phủ (thử nghiệm)"
	PersonOrg = "Tỉnh ủy Hà Nội"
	AgencyCN  = "Văn phòng Tỉnh ủy"
	AgencyOrg = "Tỉnh ủy Hà Nội"
)

// PKI is a throwaway hierarchy: Root → Intermediate → leaf certificates,
// and an unrelated OtherRoot that tests use for "not trusted".
type PKI struct {
	Root, Intermediate           *x509.Certificate
	RootKey, IntermediateKey     crypto.Signer
	OtherRoot, OtherIntermediate *x509.Certificate
	otherKey                     crypto.Signer // OtherIntermediate's
}

// Signer is a leaf certificate with its key and the CA certificates that
// go with it in a signature (the intermediate, issuer first).
type Signer struct {
	Cert  *x509.Certificate
	Key   crypto.Signer
	Chain []*x509.Certificate
}

var serials struct {
	sync.Mutex
	n int64
}

func nextSerial() *big.Int {
	serials.Lock()
	defer serials.Unlock()
	serials.n++
	// Distinct across PKIs of one test process and readable in hex.
	return big.NewInt(time.Now().Unix()<<16 | serials.n&0xffff)
}

// New generates a fresh hierarchy (ECDSA P-256 keys: fast).
func New(t testing.TB) *PKI {
	t.Helper()
	p := &PKI{}
	rk := ecKey(t)
	p.RootKey = rk
	p.Root = issue(t, caTemplate("Vanthu Test Root CA"), nil, rk.Public(), rk)
	ik := ecKey(t)
	p.IntermediateKey = ik
	p.Intermediate = issue(t, caTemplate("Vanthu Test Intermediate CA"), p.Root, ik.Public(), rk)

	ok := ecKey(t)
	p.otherKey = ok
	p.OtherRoot = issue(t, caTemplate("Untrusted Root CA"), nil, ok.Public(), ok)
	oik := ecKey(t)
	p.OtherIntermediate = issue(t, caTemplate("Untrusted Intermediate CA"), p.OtherRoot, oik.Public(), ok)
	p.otherKey = oik
	return p
}

// Roots is a pool holding Root only.
func (p *PKI) Roots() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(p.Root)
	return pool
}

// RootsPEM is Root as a PEM bundle, the form the trust-roots file takes.
func (p *PKI) RootsPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.Root.Raw})
}

// OtherRootsPEM is OtherRoot as a PEM bundle: a configuration that trusts
// none of the certificates issued under Root.
func (p *PKI) OtherRootsPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.OtherRoot.Raw})
}

// LeafOptions describes a leaf certificate.
type LeafOptions struct {
	CommonName   string
	Organization string
	NotBefore    time.Time // zero: a day ago
	NotAfter     time.Time // zero: a year from now
	RSA          bool      // an RSA-2048 key instead of ECDSA P-256
	Untrusted    bool      // issued under OtherRoot instead of Root
}

// Issue makes a leaf certificate for signing documents.
func (p *PKI) Issue(t testing.TB, o LeafOptions) Signer {
	t.Helper()
	now := time.Now()
	if o.NotBefore.IsZero() {
		o.NotBefore = now.Add(-24 * time.Hour)
	}
	if o.NotAfter.IsZero() {
		o.NotAfter = now.Add(365 * 24 * time.Hour)
	}
	var key crypto.Signer
	if o.RSA {
		key = rsaKey(t)
	} else {
		key = ecKey(t)
	}
	tmpl := &x509.Certificate{
		SerialNumber: nextSerial(),
		Subject:      pkix.Name{CommonName: o.CommonName, Organization: []string{o.Organization}, Country: []string{"VN"}},
		NotBefore:    o.NotBefore,
		NotAfter:     o.NotAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection, x509.ExtKeyUsageClientAuth},
	}
	parent, parentKey := p.Intermediate, p.IntermediateKey
	if o.Untrusted {
		parent, parentKey = p.OtherIntermediate, p.otherKey
	}
	return Signer{Cert: issue(t, tmpl, parent, key.Public(), parentKey), Key: key, Chain: []*x509.Certificate{parent}}
}

// Person is a valid certificate of a person of PersonOrg.
func (p *PKI) Person(t testing.TB, name string) Signer {
	t.Helper()
	return p.Issue(t, LeafOptions{CommonName: name, Organization: PersonOrg})
}

// Expired is a person's certificate that expired a year ago.
func (p *PKI) Expired(t testing.TB, name string) Signer {
	t.Helper()
	now := time.Now()
	return p.Issue(t, LeafOptions{CommonName: name, Organization: PersonOrg,
		NotBefore: now.Add(-2 * 365 * 24 * time.Hour), NotAfter: now.Add(-365 * 24 * time.Hour)})
}

// Untrusted is a person's certificate issued under OtherRoot.
func (p *PKI) Untrusted(t testing.TB, name string) Signer {
	t.Helper()
	return p.Issue(t, LeafOptions{CommonName: name, Organization: PersonOrg, Untrusted: true})
}

// Agency is the agency's RSA certificate (AgencyCN of AgencyOrg).
func (p *PKI) Agency(t testing.TB) Signer {
	t.Helper()
	return p.Issue(t, LeafOptions{CommonName: AgencyCN, Organization: AgencyOrg, RSA: true})
}

// P12 bundles s with its chain and the root as PKCS#12 under password. The
// CA certificates are deliberately out of order (root first), as bundles
// exported by some tools are.
func (p *PKI) P12(t testing.TB, s Signer, password string) []byte {
	t.Helper()
	cas := append([]*x509.Certificate{p.Root}, s.Chain...)
	if s.Chain != nil && s.Chain[0] == p.OtherIntermediate {
		cas = append([]*x509.Certificate{p.OtherRoot}, s.Chain...)
	}
	b, err := pkcs12.Modern.Encode(s.Key, s.Cert, cas, password)
	if err != nil {
		t.Fatalf("sigtest: encode PKCS#12: %v", err)
	}
	return b
}

// AgencyP12 is a new agency certificate bundled as PKCS#12 under password.
func (p *PKI) AgencyP12(t testing.TB, password string) []byte {
	t.Helper()
	return p.P12(t, p.Agency(t), password)
}

// SignPDF applies s's invisible approval signature (adbe.pkcs7.detached,
// SHA-256) to in as an incremental update, the way a document signed in
// another system arrives. The signature dictionary's /Name is the
// certificate's common name and /Reason "Phê duyệt".
func SignPDF(t testing.TB, in []byte, s Signer) []byte {
	t.Helper()
	rdr, err := pdf.NewReader(bytes.NewReader(in), int64(len(in)))
	if err != nil {
		t.Fatalf("sigtest: read PDF: %v", err)
	}
	var out bytes.Buffer
	err = sign.Sign(bytes.NewReader(in), &out, rdr, int64(len(in)), sign.SignData{
		Signature: sign.SignDataSignature{
			CertType:   sign.ApprovalSignature,
			DocMDPPerm: sign.AllowFillingExistingFormFieldsAndSignaturesPerms,
			Info:       sign.SignDataSignatureInfo{Name: s.Cert.Subject.CommonName, Reason: "Phê duyệt", Date: time.Now()},
		},
		Signer:            s.Key,
		DigestAlgorithm:   crypto.SHA256,
		Certificate:       s.Cert,
		CertificateChains: [][]*x509.Certificate{append([]*x509.Certificate{s.Cert}, s.Chain...)},
	})
	if err != nil {
		t.Fatalf("sigtest: sign PDF: %v", err)
	}
	return out.Bytes()
}

// UnsignedPDF is a one-page A4 PDF whose uncompressed content stream shows
// text (ASCII), so a test can find and change a byte of it.
func UnsignedPDF(t testing.TB, text string) []byte {
	t.Helper()
	f := fpdf.New("P", "mm", "A4", "")
	f.SetCompression(false)
	f.AddPage()
	f.SetFont("Times", "", 14)
	f.Cell(40, 10, text)
	var b bytes.Buffer
	if err := f.Output(&b); err != nil {
		t.Fatalf("sigtest: make PDF: %v", err)
	}
	return b.Bytes()
}

// Tamper returns a copy of b with the first occurrence of marker's first
// byte changed (same length, so the file still parses).
func Tamper(t testing.TB, b []byte, marker string) []byte {
	t.Helper()
	i := bytes.Index(b, []byte(marker))
	if i < 0 {
		t.Fatalf("sigtest: marker %q not in the file", marker)
	}
	out := bytes.Clone(b)
	out[i] ^= 0x01
	return out
}

// WriteFile writes b to a new file named name in a temporary folder of the
// test and returns its path (for *_FILE settings).
func WriteFile(t testing.TB, name string, b []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func caTemplate(cn string) *x509.Certificate {
	now := time.Now()
	return &x509.Certificate{
		SerialNumber:          nextSerial(),
		Subject:               pkix.Name{CommonName: cn, Organization: []string{CAOrg}, Country: []string{"VN"}},
		NotBefore:             now.Add(-10 * 365 * 24 * time.Hour),
		NotAfter:              now.Add(10 * 365 * 24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
}

// issue signs tmpl with parentKey; a nil parent makes it self-signed.
func issue(t testing.TB, tmpl, parent *x509.Certificate, pub crypto.PublicKey, parentKey crypto.Signer) *x509.Certificate {
	t.Helper()
	if parent == nil {
		parent = tmpl
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, parentKey)
	if err != nil {
		t.Fatalf("sigtest: create certificate: %v", err)
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

// One RSA key per process: generating RSA keys is slow (more so under the
// fuzzer's instrumentation) and tests do not need distinct ones.
var rsaOnce = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })

func rsaKey(t testing.TB) *rsa.PrivateKey {
	k, err := rsaOnce()
	if err != nil {
		t.Fatal(err)
	}
	return k
}
