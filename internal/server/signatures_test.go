package server_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"vanthu/internal/config"
	"vanthu/internal/identity"
	"vanthu/internal/signature"
	"vanthu/internal/signature/sigtest"
	"vanthu/internal/testkit"
)

type sigSigner struct {
	Name         string     `json:"name"`
	Organization string     `json:"organization"`
	Serial       string     `json:"serial"`
	Issuer       string     `json:"issuer"`
	SigningTime  *time.Time `json:"signing_time"`
	TimeSource   string     `json:"time_source"`
	Valid        bool       `json:"valid"`
	Status       string     `json:"status"`
	Reason       string     `json:"reason"`
	Coverage     string     `json:"coverage"`
	SignReason   string     `json:"sign_reason"`
}

type sigReport struct {
	Status          string      `json:"status"`
	Label           string      `json:"label"`
	Reason          string      `json:"reason"`
	TrustConfigured bool        `json:"trust_configured"`
	VerifiedAt      time.Time   `json:"verified_at"`
	Signers         []sigSigner `json:"signers"`
}

type sigFile struct {
	ID           int64      `json:"id"`
	Name         string     `json:"name"`
	SHA256       string     `json:"sha256"`
	Version      int        `json:"version"`
	Role         string     `json:"role"`
	SourceFileID *int64     `json:"source_file_id"`
	Signature    *sigReport `json:"signature"`
}

type sigDocument struct {
	ID           int64     `json:"id"`
	Status       string    `json:"status"`
	AgencySigned *bool     `json:"agency_signed"`
	Files        []sigFile `json:"files"`
}

// withSignatures configures trusted roots and, when p12 is not nil, the
// agency certificate, through the same files and settings as production.
func withSignatures(t *testing.T, rootsPEM, p12 []byte, password string) testkit.Option {
	roots := sigtest.WriteFile(t, "roots.pem", rootsPEM)
	var p12File string
	if p12 != nil {
		p12File = sigtest.WriteFile(t, "agency.p12", p12)
	}
	return func(c *config.Config) {
		c.SignatureTrustRootsFile, c.AgencyP12File, c.AgencyP12Password = roots, p12File, password
	}
}

// postIncomingAPI registers an incoming document with one file over the API.
func postIncomingAPI(t *testing.T, app *testkit.App, token, name string, file []byte) sigDocument {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	meta, _ := json.Marshal(map[string]any{"type_name": "Công văn", "organ_name": "Tỉnh ủy Hà Nội", "subject": "Văn bản ký số " + name})
	_ = mw.WriteField("metadata", string(meta))
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write(file)
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, app.URL+"/api/v1/incoming", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST /api/v1/incoming %s = %d: %s", name, resp.StatusCode, raw)
	}
	var d sigDocument
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// createWith creates an outgoing draft with one file over the API.
func (e *ogEnv) createWith(token string, meta map[string]any, name string, file []byte) sigDocument {
	e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	m, _ := json.Marshal(meta)
	_ = mw.WriteField("metadata", string(m))
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write(file)
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, e.app.URL+"/api/v1/outgoing", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		e.t.Fatalf("POST /api/v1/outgoing = %d: %s", resp.StatusCode, raw)
	}
	var d sigDocument
	if err := json.Unmarshal(raw, &d); err != nil {
		e.t.Fatal(err)
	}
	return d
}

func getDocumentAPI(t *testing.T, app *testkit.App, token string, id int64) sigDocument {
	t.Helper()
	resp := app.Do(http.MethodGet, fmt.Sprintf("/api/v1/documents/%d", id), token, nil)
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		t.Fatalf("GET document %d = %d: %s", id, resp.StatusCode, b)
	}
	var d sigDocument
	testkit.DecodeJSON(t, resp, &d)
	return d
}

func hexSHA(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// A clerk registers PDFs over the API: each is verified on arrival against
// the configured roots, the report comes back with the file, the bytes are
// stored unchanged, and the document page shows the verdict.
func TestSignaturesVerifiedOnIntake(t *testing.T) {
	pki := sigtest.New(t)
	app := testkit.Start(t, withSignatures(t, pki.RootsPEM(), nil, ""))
	unit := app.Unit("Văn phòng Tỉnh ủy", "province", 0)
	clerk := app.User("vanthu", unit, identity.RoleClerk, identity.ClearanceNone)
	tok := app.Token(clerk)

	person := pki.Person(t, "Nguyễn Văn An")
	signed := sigtest.SignPDF(t, sigtest.UnsignedPDF(t, "Hello Vanthu"), person)
	cases := []struct {
		name, status, reason, signer string
		file                         []byte
	}{
		{"hop-le.pdf", "valid", "", "Nguyễn Văn An", signed},
		{"bi-sua.pdf", "altered", signature.ReasonAltered, "Nguyễn Văn An", sigtest.Tamper(t, signed, "Hello Vanthu")},
		{"khong-tin-cay.pdf", "untrusted", signature.ReasonUntrusted, "Lê Văn Cường",
			sigtest.SignPDF(t, sigtest.UnsignedPDF(t, "x"), pki.Untrusted(t, "Lê Văn Cường"))},
		{"het-han.pdf", "expired", signature.ReasonExpired, "Trần Thị Bình",
			sigtest.SignPDF(t, sigtest.UnsignedPDF(t, "x"), pki.Expired(t, "Trần Thị Bình"))},
		{"chua-ky.pdf", "unsigned", "", "", sigtest.UnsignedPDF(t, "x")},
		// Passes the content check (it starts like a PDF) but cannot be read:
		// the upload still succeeds, the report says so.
		{"hong.pdf", "unreadable", "Không đọc được cấu trúc tệp PDF để tìm chữ ký số", "", []byte("%PDF-1.7\nnot really a PDF\n")},
	}
	c := app.Login("vanthu", "")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			created := postIncomingAPI(t, app, tok, tc.name, tc.file)
			if len(created.Files) != 1 || created.Files[0].Signature == nil || created.Files[0].Signature.Status != tc.status {
				t.Fatalf("POST answer files = %+v", created.Files)
			}
			d := getDocumentAPI(t, app, tok, created.ID)
			f := d.Files[0]
			if f.SHA256 != hexSHA(tc.file) || f.Role != "original" {
				t.Fatalf("file %+v: the stored SHA-256 must be the uploaded bytes'", f)
			}
			rep := f.Signature
			if rep == nil || rep.Status != tc.status || rep.Reason != tc.reason || !rep.TrustConfigured || rep.VerifiedAt.IsZero() {
				t.Fatalf("signature = %+v, want %s %q", rep, tc.status, tc.reason)
			}
			if tc.signer != "" {
				s := rep.Signers[0]
				if len(rep.Signers) != 1 || s.Name != tc.signer || s.Organization != sigtest.PersonOrg || s.Serial == "" ||
					s.SigningTime == nil || s.TimeSource != signature.TimeSourceSigned || s.Valid != (tc.status == "valid") {
					t.Fatalf("signers = %+v", rep.Signers)
				}
			}
			if tc.status == "valid" && rep.Signers[0].Serial != fmt.Sprintf("%X", person.Cert.SerialNumber) {
				t.Fatalf("serial %s", rep.Signers[0].Serial)
			}
			// The stored bytes are the uploaded bytes.
			resp := app.Do(http.MethodGet, fmt.Sprintf("/api/v1/documents/%d/files/%d", d.ID, f.ID), tok, nil)
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if !bytes.Equal(got, tc.file) {
				t.Fatal("downloaded bytes differ from the uploaded ones")
			}
			// The page shows the verdict, the reason and the signer.
			status, body := getPage(t, c, fmt.Sprintf("/documents/%d", d.ID))
			label := signature.Status(tc.status).Label()
			if status != http.StatusOK || !strings.Contains(body, `data-status="`+tc.status+`"`) || !strings.Contains(body, label) ||
				!strings.Contains(body, tc.reason) || !strings.Contains(body, tc.signer) {
				t.Fatalf("page %d does not show %s / %q / %q", status, label, tc.reason, tc.signer)
			}
		})
	}
	if n := app.QueryInt(`SELECT count(*) FROM file_signatures`); n != int64(len(cases)) {
		t.Fatalf("%d reports, want %d", n, len(cases))
	}
}

// Without trusted roots nothing is valid: a correctly signed PDF is "not
// trusted", and the page says the installation has no trusted roots.
// "Verify again" is open to whoever sees the document and is audited.
func TestSignaturesWithoutTrustRootsAndVerifyAgain(t *testing.T) {
	pki := sigtest.New(t)
	app := testkit.Start(t)
	unit := app.Unit("Văn phòng Tỉnh ủy", "province", 0)
	other := app.Unit("Huyện ủy Khác", "district", 0)
	tok := app.Token(app.User("vanthu", unit, identity.RoleClerk, identity.ClearanceNone))
	outsider := app.Token(app.User("ngoai", other, identity.RoleClerk, identity.ClearanceNone))

	signed := sigtest.SignPDF(t, sigtest.UnsignedPDF(t, "Hello"), pki.Person(t, "Nguyễn Văn An"))
	d := postIncomingAPI(t, app, tok, "ky-so.pdf", signed)
	rep := getDocumentAPI(t, app, tok, d.ID).Files[0].Signature
	if rep.Status != "untrusted" || rep.TrustConfigured || rep.Reason != signature.ReasonNoTrustRoots || rep.Signers[0].Valid {
		t.Fatalf("without roots: %+v", rep)
	}
	c := app.Login("vanthu", "")
	_, body := getPage(t, c, fmt.Sprintf("/documents/%d", d.ID))
	if !strings.Contains(body, `data-testid="no-trust-roots"`) || !strings.Contains(body, "Chứng thư không được tin cậy") {
		t.Fatal("page does not say that no trusted roots are configured")
	}

	readProblem(t, app.Do(http.MethodPost, fmt.Sprintf("/api/v1/documents/%d/signatures/verify", d.ID), outsider, nil), http.StatusNotFound)
	resp := app.Do(http.MethodPost, fmt.Sprintf("/api/v1/documents/%d/signatures/verify", d.ID), tok, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("verify again = %d", resp.StatusCode)
	}
	var again struct {
		DocumentID int64     `json:"document_id"`
		Files      []sigFile `json:"files"`
	}
	testkit.DecodeJSON(t, resp, &again)
	if again.DocumentID != d.ID || len(again.Files) != 1 || again.Files[0].Signature.Status != "untrusted" || !again.Files[0].Signature.VerifiedAt.After(rep.VerifiedAt) {
		t.Fatalf("verify again = %+v", again)
	}
	if n := app.QueryInt(`SELECT count(*) FROM audit_log WHERE action = 'document.verify_signatures' AND object_id = $1`, fmt.Sprint(d.ID)); n != 1 {
		t.Fatalf("%d audit entries for verify again", n)
	}
	if n := app.QueryInt(`SELECT count(*) FROM file_signatures WHERE verified_by IS NOT NULL`); n != 1 {
		t.Fatal("verify again does not record who asked")
	}

	// The page's button does the same and comes back with a message.
	form := c.PostForm(fmt.Sprintf("/documents/%d/signatures/verify", d.ID), nil)
	form.Body.Close()
	if form.StatusCode != http.StatusSeeOther || !strings.Contains(form.Header.Get("Location"), "ok=signatures") {
		t.Fatalf("page verify = %d %s", form.StatusCode, form.Header.Get("Location"))
	}
	_, body = getPage(t, c, form.Header.Get("Location"))
	if !strings.Contains(body, `data-testid="signature-flash"`) {
		t.Fatal("no message after verify again")
	}
}

// Issuing with an agency certificate: the issued copy is the final PDF with
// the agency's signature appended; the original version stays; the person's
// signature still verifies; recipients get the signed copy.
func TestIssueWithAgencySignature(t *testing.T) {
	pki := sigtest.New(t)
	e := newOgEnv(t, withSignatures(t, pki.RootsPEM(), pki.AgencyP12(t, "mật khẩu cơ quan"), "mật khẩu cơ quan"))
	person := sigtest.SignPDF(t, sigtest.UnsignedPDF(t, "Bao cao so ket"), pki.Person(t, "Nguyễn Văn Bí Thư"))
	d := e.createWith(e.drafter, e.meta(), "bao-cao.pdf", person)
	if len(d.Files) != 1 || d.Files[0].Signature == nil || d.Files[0].Signature.Status != "valid" {
		t.Fatalf("draft files = %+v", d.Files)
	}
	orig := d.Files[0]
	p := fmt.Sprintf("/api/v1/outgoing/%d", d.ID)
	e.call(e.leader, "POST", p+"/approve", nil, http.StatusOK, nil)
	var iss sigDocument
	e.call(e.clerk, "POST", p+"/issue", nil, http.StatusOK, &iss)
	if iss.AgencySigned == nil || !*iss.AgencySigned || len(iss.Files) != 2 {
		t.Fatalf("issued = %+v", iss)
	}
	if iss.Files[0].ID != orig.ID || iss.Files[0].SHA256 != hexSHA(person) || iss.Files[0].Role != "original" {
		t.Fatalf("the original version changed: %+v", iss.Files[0])
	}
	cp := iss.Files[1]
	if cp.Role != "issued_copy" || cp.SourceFileID == nil || *cp.SourceFileID != orig.ID || cp.Signature == nil || cp.Signature.Status != "valid" {
		t.Fatalf("issued copy = %+v", cp)
	}
	if len(cp.Signature.Signers) != 2 {
		t.Fatalf("signers = %+v", cp.Signature.Signers)
	}
	ps, as := cp.Signature.Signers[0], cp.Signature.Signers[1]
	if ps.Name != "Nguyễn Văn Bí Thư" || !ps.Valid || ps.Coverage != "revision" {
		t.Fatalf("the person's signature after sealing: %+v", ps)
	}
	if as.Name != sigtest.AgencyCN || as.Organization != sigtest.AgencyOrg || !as.Valid || as.Coverage != "whole_file" ||
		!strings.HasPrefix(as.SignReason, "Ký bởi: "+sigtest.AgencyOrg+" — Thời gian ký: ") {
		t.Fatalf("agency signature: %+v", as)
	}

	// Bytes: the original unchanged; the copy starts with it and verifies.
	download := func(tok string, doc, file int64) []byte {
		resp := e.app.Do(http.MethodGet, fmt.Sprintf("/api/v1/documents/%d/files/%d", doc, file), tok, nil)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("download %d/%d = %d", doc, file, resp.StatusCode)
		}
		return b
	}
	if !bytes.Equal(download(e.clerk, d.ID, orig.ID), person) {
		t.Fatal("the original version's bytes changed")
	}
	sealed := download(e.clerk, d.ID, cp.ID)
	if !bytes.HasPrefix(sealed, person) || hexSHA(sealed) != cp.SHA256 {
		t.Fatal("the issued copy does not start with the original bytes")
	}
	rep, err := signature.Verify(bytes.NewReader(sealed), int64(len(sealed)), pki.Roots(), time.Now())
	if err != nil || !rep.Valid() || len(rep.Signatures) != 2 {
		t.Fatalf("independent verification: %v %+v", err, rep)
	}

	// Recipients get the signed copy, not the original.
	var rs struct{ Items []ogRecipient }
	e.call(e.drafter, "GET", p+"/recipients", nil, http.StatusOK, &rs)
	copyA := *rs.Items[0].DeliveredDocumentID
	got := getDocumentAPI(t, e.app, e.cA, copyA)
	if len(got.Files) != 1 || got.Files[0].ID != cp.ID || got.Files[0].Role != "issued_copy" || got.Files[0].Signature.Status != "valid" {
		t.Fatalf("delivered copy files = %+v", got.Files)
	}
	if !bytes.Equal(download(e.cA, copyA, cp.ID), sealed) {
		t.Fatal("the recipient downloads other bytes")
	}
	if n := e.app.QueryInt(`SELECT count(*) FROM audit_log WHERE action = 'outgoing.agency_sign' AND object_id = $1`, fmt.Sprint(d.ID)); n != 1 {
		t.Fatalf("%d audit entries for the agency signature", n)
	}
	var again sigDocument
	e.call(e.drafter, "GET", p, nil, http.StatusOK, &again)
	if again.AgencySigned == nil || !*again.AgencySigned || len(again.Files) != 2 {
		t.Fatalf("GET outgoing after issue = %+v", again)
	}
	// The recipient's page shows the issued copy and its valid signatures.
	clerkA := e.app.Login("vanthua", "")
	_, body := getPage(t, clerkA, fmt.Sprintf("/documents/%d", copyA))
	if !strings.Contains(body, `data-testid="issued-copy"`) || !strings.Contains(body, `data-status="valid"`) ||
		!strings.Contains(body, sigtest.AgencyCN) || strings.Contains(body, `data-testid="no-agency-signature"`) {
		t.Fatal("the recipient's page does not show the agency-signed copy")
	}
}

// Without an agency certificate issuing proceeds; the copy is the
// original and the pages say it has no agency signature.
func TestIssueWithoutAgencyCertificate(t *testing.T) {
	pki := sigtest.New(t)
	e := newOgEnv(t, withSignatures(t, pki.RootsPEM(), nil, ""))
	person := sigtest.SignPDF(t, sigtest.UnsignedPDF(t, "Bao cao"), pki.Person(t, "Nguyễn Văn An"))
	d := e.createWith(e.drafter, e.meta(), "bao-cao.pdf", person)
	p := fmt.Sprintf("/api/v1/outgoing/%d", d.ID)
	e.call(e.leader, "POST", p+"/approve", nil, http.StatusOK, nil)
	var iss sigDocument
	e.call(e.clerk, "POST", p+"/issue", nil, http.StatusOK, &iss)
	if iss.AgencySigned == nil || *iss.AgencySigned || len(iss.Files) != 1 || iss.Files[0].Role != "original" {
		t.Fatalf("issued = %+v", iss)
	}
	var rs struct{ Items []ogRecipient }
	e.call(e.drafter, "GET", p+"/recipients", nil, http.StatusOK, &rs)
	clerkA := e.app.Login("vanthua", "")
	_, body := getPage(t, clerkA, fmt.Sprintf("/documents/%d", *rs.Items[0].DeliveredDocumentID))
	if !strings.Contains(body, `data-testid="no-agency-signature"`) || !strings.Contains(body, `data-status="valid"`) {
		t.Fatal("the recipient's page does not say the copy has no agency signature")
	}
}

// A wrong PKCS#12 password or an unreadable trust file stops the start
// with an error naming the setting, in Vietnamese and English.
func TestSignatureSetupErrors(t *testing.T) {
	pki := sigtest.New(t)
	p12 := sigtest.WriteFile(t, "agency.p12", pki.AgencyP12(t, "đúng"))
	roots := sigtest.WriteFile(t, "roots.pem", pki.RootsPEM())
	cases := []struct {
		roots, p12, password, want string
	}{
		{roots, p12, "Khong-Dung-42", "sai mật khẩu tệp PKCS#12"},
		{roots + ".missing", "", "", "VANTHU_SIGNATURE_TRUST_ROOTS_FILE: không đọc được tệp chứng thư gốc tin cậy / cannot read"},
		{p12, "", "", "không chứa chứng thư PEM nào / no PEM certificates found"},
		{roots, roots, "", "VANTHU_AGENCY_P12_FILE=" + roots + ": tệp không phải PKCS#12"},
		{roots, p12 + ".missing", "", "VANTHU_AGENCY_P12_FILE: không đọc được tệp"},
	}
	for _, c := range cases {
		_, err := signature.LoadSetup(c.roots, c.p12, c.password)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("LoadSetup(%s, %s) = %v, want %q", c.roots, c.p12, err, c.want)
		}
		if err != nil && c.password != "" && strings.Contains(err.Error(), c.password) {
			t.Errorf("error shows the password: %v", err)
		}
	}
	s, err := signature.LoadSetup(roots, p12, "đúng")
	if err != nil || !s.TrustConfigured() || !s.AgencyConfigured() || len(s.Warnings(time.Now())) != 0 {
		t.Fatalf("good setup: %v %v", err, s.Warnings(time.Now()))
	}
}
