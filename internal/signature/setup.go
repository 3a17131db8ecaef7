package signature

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	pkcs12 "software.sslmate.com/src/go-pkcs12"
)

// Setup is the installation's signature configuration, read once at start:
// the roots trusted for verification and the agency's signing certificate.
type Setup struct {
	roots      *x509.CertPool
	rootCerts  []*x509.Certificate
	rootsSHA   string
	agencyP12  []byte
	agencyPass string
	agency     *x509.Certificate
}

// LoadSetup reads the trusted roots (a PEM bundle; "" for none) and the
// agency's PKCS#12 (""for none). Errors name the setting and say what is
// wrong in Vietnamese and English; they never contain the password.
func LoadSetup(rootsFile, p12File, p12Password string) (*Setup, error) {
	s := &Setup{roots: x509.NewCertPool()}
	if rootsFile != "" {
		b, err := os.ReadFile(rootsFile)
		if err != nil {
			return nil, fmt.Errorf("VANTHU_SIGNATURE_TRUST_ROOTS_FILE: không đọc được tệp chứng thư gốc tin cậy / cannot read the trusted roots file: %w", err)
		}
		certs, err := parsePEMCertificates(b)
		if err != nil {
			return nil, fmt.Errorf("VANTHU_SIGNATURE_TRUST_ROOTS_FILE=%s: %w", rootsFile, err)
		}
		s.setRoots(certs)
	}
	if p12File != "" {
		b, err := os.ReadFile(p12File)
		if err != nil {
			return nil, fmt.Errorf("VANTHU_AGENCY_P12_FILE: không đọc được tệp chứng thư số của cơ quan / cannot read the agency's PKCS#12 file: %w", err)
		}
		if err := s.setAgency(b, p12Password); err != nil {
			return nil, fmt.Errorf("VANTHU_AGENCY_P12_FILE=%s: %w", p12File, err)
		}
	}
	return s, nil
}

// NewSetup builds a setup from certificates and PKCS#12 bytes already in
// memory (tests; nil or empty for none).
func NewSetup(roots []*x509.Certificate, p12 []byte, password string) (*Setup, error) {
	s := &Setup{roots: x509.NewCertPool()}
	s.setRoots(roots)
	if len(p12) > 0 {
		if err := s.setAgency(p12, password); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (s *Setup) setRoots(certs []*x509.Certificate) {
	h := sha256.New()
	ders := make([][]byte, 0, len(certs))
	for _, c := range certs {
		s.roots.AddCert(c)
		ders = append(ders, c.Raw)
	}
	slices.SortFunc(ders, bytes.Compare)
	for _, d := range ders {
		h.Write(d)
	}
	s.rootCerts = certs
	if len(certs) > 0 {
		s.rootsSHA = hex.EncodeToString(h.Sum(nil))
	}
}

func (s *Setup) setAgency(p12 []byte, password string) error {
	_, cert, _, err := pkcs12.DecodeChain(p12, password)
	if errors.Is(err, pkcs12.ErrIncorrectPassword) {
		return errors.New("sai mật khẩu tệp PKCS#12 (VANTHU_AGENCY_P12_PASSWORD) / wrong PKCS#12 password")
	}
	if err != nil {
		return fmt.Errorf("tệp không phải PKCS#12 có khóa và chứng thư số / not a PKCS#12 file with a key and certificate: %w", err)
	}
	if _, _, _, err := loadP12(p12, password); err != nil {
		return fmt.Errorf("chứng thư số của cơ quan không dùng để ký được / the agency certificate cannot sign: %w", err)
	}
	s.agencyP12, s.agencyPass, s.agency = p12, password, cert
	return nil
}

// parsePEMCertificates reads every CERTIFICATE block; other blocks (keys)
// are refused so a key never sits in the trust file by mistake.
func parsePEMCertificates(b []byte) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	for {
		var block *pem.Block
		block, b = pem.Decode(b)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			return nil, fmt.Errorf("tệp chứa khối PEM %q, chỉ được chứa chứng thư (CERTIFICATE) / the file holds a %q PEM block; only CERTIFICATE blocks are allowed", block.Type, block.Type)
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("chứng thư thứ %d không đọc được / certificate %d is unreadable: %w", len(out)+1, len(out)+1, err)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, errors.New("tệp không chứa chứng thư PEM nào / no PEM certificates found")
	}
	return out, nil
}

// TrustConfigured says whether any trusted root is configured; without one
// no signature can be reported valid.
func (s *Setup) TrustConfigured() bool { return s != nil && len(s.rootCerts) > 0 }

// Roots is the pool of trusted roots (empty when none are configured).
func (s *Setup) Roots() *x509.CertPool {
	if s == nil {
		return x509.NewCertPool()
	}
	return s.roots
}

// RootsSHA256 identifies the configured set of roots ("" for none).
func (s *Setup) RootsSHA256() string {
	if s == nil {
		return ""
	}
	return s.rootsSHA
}

// RootSubjects lists the configured roots, for the start-up log.
func (s *Setup) RootSubjects() []string {
	if s == nil {
		return nil
	}
	out := make([]string, 0, len(s.rootCerts))
	for _, c := range s.rootCerts {
		out = append(out, c.Subject.String())
	}
	return out
}

// AgencyConfigured says whether issued copies get the agency's signature.
func (s *Setup) AgencyConfigured() bool { return s != nil && s.agency != nil }

// AgencyCertificate is the agency's certificate, or nil.
func (s *Setup) AgencyCertificate() *x509.Certificate {
	if s == nil {
		return nil
	}
	return s.agency
}

// Warnings are problems worth logging at start that do not stop the
// server: an agency certificate that is expired or not trusted by the
// configured roots would make every issued copy's signature invalid.
func (s *Setup) Warnings(now time.Time) []string {
	var out []string
	if !s.TrustConfigured() {
		out = append(out, "no trusted roots configured (VANTHU_SIGNATURE_TRUST_ROOTS_FILE): every PDF signature is reported as not trusted")
	}
	if s.AgencyConfigured() {
		c := s.agency
		if now.After(c.NotAfter) || now.Before(c.NotBefore) {
			out = append(out, fmt.Sprintf("the agency certificate is valid only from %s to %s: issuing will be refused until it is replaced",
				c.NotBefore.Format(time.DateOnly), c.NotAfter.Format(time.DateOnly)))
		}
		if s.TrustConfigured() {
			_, _, chain, _ := loadP12(s.agencyP12, s.agencyPass)
			inter := x509.NewCertPool()
			for _, ca := range chain {
				inter.AddCert(ca)
			}
			if _, err := c.Verify(x509.VerifyOptions{Roots: s.roots, Intermediates: inter, CurrentTime: now, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
				out = append(out, "the agency certificate does not chain to a configured trusted root: its signatures will be reported as not trusted here ("+err.Error()+")")
			}
		}
	}
	return out
}
