package server_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"vanthu/internal/edxml"
	"vanthu/internal/signature/sigtest"
)

// The outgoing page shows the verdict of every PDF: the signed version,
// then, once issued with an agency certificate, the issued copy (apart from
// the versions, with the agency's signature); "verify again" comes back to
// the outgoing page; the edXML download is offered once issued.
func TestOutgoingPageSignaturesAndIssuedCopy(t *testing.T) {
	pki := sigtest.New(t)
	e := newOgEnv(t, withSignatures(t, pki.RootsPEM(), pki.AgencyP12(t, "mật khẩu"), "mật khẩu"))
	person := sigtest.SignPDF(t, sigtest.UnsignedPDF(t, "Bao cao so ket"), pki.Person(t, "Nguyễn Văn Bí Thư"))
	d := e.createWith(e.drafter, e.meta(), "bao-cao.pdf", person)
	drafter := e.app.Login("chuyenvien", "")
	path := fmt.Sprintf("/outgoing/%d", d.ID)

	_, body := getPage(t, drafter, path)
	if !testID(body, "version-file-row") || !strings.Contains(body, `data-status="valid"`) ||
		!strings.Contains(body, "Nguyễn Văn Bí Thư") || !testID(body, "verify-signatures") {
		t.Fatal("the draft's version does not show its valid signature")
	}
	if testID(body, "edxml-link") || testID(body, "issued") {
		t.Fatal("a draft offers an edXML package or an issued copy")
	}

	p := fmt.Sprintf("/api/v1/outgoing/%d", d.ID)
	e.call(e.leader, "POST", p+"/approve", nil, http.StatusOK, nil)
	var iss sigDocument
	e.call(e.clerk, "POST", p+"/issue", nil, http.StatusOK, &iss)
	copyID := iss.Files[1].ID

	_, body = getPage(t, drafter, path)
	section := between(body, `data-testid="issued"`, `data-testid="versions"`)
	if !strings.Contains(section, fmt.Sprintf(`data-testid="issued-copy-row" data-file-id="%d"`, copyID)) ||
		!strings.Contains(section, `data-testid="issued-copy"`) || !strings.Contains(section, `data-status="valid"`) ||
		!strings.Contains(section, sigtest.AgencyCN) || strings.Contains(section, `data-testid="no-agency-signature"`) {
		t.Fatalf("the issued section does not show the agency-signed copy:\n%s", section)
	}
	if strings.Contains(between(body, `data-testid="versions"`, `data-testid="tracking"`), fmt.Sprintf(`data-file-id="%d"`, copyID)) {
		t.Fatal("the issued copy is listed again among the versions")
	}
	if !testID(body, "edxml-link") || !strings.Contains(body, fmt.Sprintf(`href="/documents/%d/edxml"`, d.ID)) {
		t.Fatal("no edXML download on an issued document")
	}

	resp := drafter.PostForm(fmt.Sprintf("/documents/%d/signatures/verify", d.ID), url.Values{})
	loc := expectRedirect(t, resp, path+"?ok=signatures")
	_, body = getPage(t, drafter, loc)
	wantText(t, body, "Đã kiểm tra lại chữ ký số")
	if n := e.app.QueryInt(`SELECT count(*) FROM audit_log WHERE action = 'document.verify_signatures' AND object_id = $1`, fmt.Sprint(d.ID)); n != 1 {
		t.Fatalf("%d audit entries for verify again", n)
	}
}

// Without an agency certificate the issued section says plainly that the
// copies carry no agency signature.
func TestOutgoingPageWithoutAgencySignature(t *testing.T) {
	pki := sigtest.New(t)
	e := newOgEnv(t, withSignatures(t, pki.RootsPEM(), nil, ""))
	person := sigtest.SignPDF(t, sigtest.UnsignedPDF(t, "Bao cao"), pki.Person(t, "Nguyễn Văn An"))
	d := e.createWith(e.drafter, e.meta(), "bao-cao.pdf", person)
	p := fmt.Sprintf("/api/v1/outgoing/%d", d.ID)
	e.call(e.leader, "POST", p+"/approve", nil, http.StatusOK, nil)
	e.call(e.clerk, "POST", p+"/issue", nil, http.StatusOK, nil)
	_, body := getPage(t, e.app.Login("vanthu", ""), fmt.Sprintf("/outgoing/%d", d.ID))
	section := between(body, `data-testid="issued"`, `data-testid="versions"`)
	if !strings.Contains(section, `data-testid="no-agency-signature"`) || !strings.Contains(section, `data-testid="issued-originals"`) ||
		strings.Contains(section, `data-testid="issued-copy-row"`) {
		t.Fatalf("issued section without an agency certificate:\n%s", section)
	}
	wantText(t, section, "chưa được cấu hình chứng thư số của cơ quan")
}

// The signer uploading the signed version learns at once whether the
// signature verified; a bad one is kept (never refused) with a warning.
func TestSignedUploadSaysWhetherTheSignatureVerified(t *testing.T) {
	pki := sigtest.New(t)
	e := newOgEnv(t, withSignatures(t, pki.RootsPEM(), nil, ""))
	d := e.create(e.drafter, e.meta(), http.StatusCreated)
	leaderID := int64(e.app.QueryInt(`SELECT id FROM users WHERE login = 'lanhdao'`))
	p := fmt.Sprintf("/api/v1/outgoing/%d", d.ID)
	e.call(e.drafter, "POST", p+"/submit", map[string]any{"signer_id": leaderID, "steps": [][]int64{}}, http.StatusOK, nil)
	e.call(e.clerk, "POST", p+"/format-check", map[string]string{"decision": "approve"}, http.StatusOK, nil)

	leader := e.app.Login("lanhdao", "")
	path := fmt.Sprintf("/outgoing/%d", d.ID)
	signed := sigtest.SignPDF(t, sigtest.UnsignedPDF(t, "Cong van so 1"), pki.Person(t, "Trần Văn Lãnh Đạo"))
	resp := postMultipart(t, e.app, leader, path+"/versions", url.Values{"note": {"Bản ký số"}}, "files", formFile{"da-ky.pdf", signed})
	loc := expectRedirect(t, resp, path+"?done=signed&version=2")
	_, body := getPage(t, leader, loc)
	flash := between(body, `data-testid="action-flash"`, "</div>")
	if !strings.Contains(flash, "Chữ ký số hợp lệ: Trần Văn Lãnh Đạo") || !strings.Contains(body, `class="alert ok"`) {
		t.Fatalf("flash after a valid signed upload: %s", flash)
	}

	tampered := sigtest.Tamper(t, signed, "Cong van so 1")
	resp = postMultipart(t, e.app, leader, path+"/versions", url.Values{}, "files", formFile{"bi-sua.pdf", tampered})
	loc = expectRedirect(t, resp, path+"?done=signed&version=3")
	_, body = getPage(t, leader, loc)
	flash = between(body, `data-testid="action-flash"`, "</div>")
	if !strings.Contains(flash, "chữ ký số chưa hợp lệ") || !strings.Contains(flash, "bi-sua.pdf: Không hợp lệ — nội dung đã bị thay đổi") {
		t.Fatalf("flash after a tampered signed upload: %s", flash)
	}
	if !strings.Contains(body, `class="alert error" role="status" data-testid="action-flash"`) || !testID(body, "signed-ready") {
		t.Fatal("the tampered upload was not kept as the last (signed) version, or the warning is not an error")
	}

	unsigned := sigtest.UnsignedPDF(t, "Chua ky")
	resp = postMultipart(t, e.app, leader, path+"/versions", url.Values{}, "files", formFile{"chua-ky.pdf", unsigned})
	_, body = getPage(t, leader, expectRedirect(t, resp, path+"?done=signed&version=4"))
	if flash = between(body, `data-testid="action-flash"`, "</div>"); !strings.Contains(flash, "chua-ky.pdf: Chưa ký số") {
		t.Fatalf("flash after an unsigned upload: %s", flash)
	}
}

// Status messages from an outside recipient show in the sender's
// tracking table and timeline; the outgoing list offers the register
// printouts; an imported document offers its edXML package, a copy
// delivered on the platform does not.
func TestOutsideStatusOnTheTrackingPage(t *testing.T) {
	e := newOgEnv(t)
	iss := e.issue(e.meta())
	_, sent := e.exportEnvelope(e.clerk, fmt.Sprintf("/api/v1/documents/%d/edxml", iss.ID))
	var buf bytes.Buffer
	if err := edxml.BuildStatus(&buf, edxml.Status{
		ResponseFor: edxml.ResponseFor{OrganID: sent.From.OrganID, Code: "1/CV/TU", DocumentID: sent.DocumentID},
		From:        edxml.Organization{OrganID: "000.00.00.G09", OrganName: "Bộ Nội vụ"},
		StatusCode:  2, Description: "Không thuộc thẩm quyền", Timestamp: time.Now().Truncate(time.Second),
	}); err != nil {
		t.Fatal(err)
	}
	if got, raw := e.postXML(e.clerk, "/api/v1/exchange/status", "application/xml", buf.Bytes()); got != http.StatusOK {
		t.Fatalf("status message = %d: %s", got, raw)
	}
	drafter := e.app.Login("chuyenvien", "")
	_, body := getPage(t, drafter, fmt.Sprintf("/outgoing/%d/tracking", iss.ID))
	row := between(body, `data-position="3"`, "</tr>")
	wantText(t, row, "Bộ Nội vụ", "mã định danh 000.00.00.G09", "Từ chối", "Lý do từ chối: Không thuộc thẩm quyền")
	_, body = getPage(t, drafter, fmt.Sprintf("/outgoing/%d", iss.ID))
	wantText(t, between(body, `data-kind="recipient_status"`, "</li>"), "Nơi nhận ngoài hệ thống báo trạng thái", "Bộ Nội vụ: Từ chối",
		"Không thuộc thẩm quyền")
	wantText(t, between(body, `data-kind="edxml_exported"`, "</li>"), "Xuất gói edXML", "DocumentId: "+sent.DocumentID)

	// The list's printouts: both buttons, one form with the period.
	_, body = getPage(t, drafter, "/outgoing")
	if !testID(body, "print-register-pdf") || !strings.Contains(body, `formaction="/outgoing/register.xlsx"`) ||
		!strings.Contains(body, `action="/outgoing/register.pdf"`) {
		t.Fatal("the outgoing list has no register printouts")
	}
	resp := drafter.Get("/outgoing/register.xlsx?from=" + url.QueryEscape(time.Now().AddDate(0, 0, -1).Format("02/01/2006")))
	if b := readBody(t, resp); resp.StatusCode != http.StatusOK || !bytes.HasPrefix([]byte(b), []byte("PK")) {
		t.Fatalf("register.xlsx = %d", resp.StatusCode)
	}

	// B imports the package: its page offers the package again; A's copy
	// delivered on the platform does not.
	raw, _ := e.exportEnvelope(e.clerk, fmt.Sprintf("/api/v1/documents/%d/edxml", iss.ID))
	got, _ := e.importEnvelope(e.cB, "?unit_id="+fmt.Sprint(e.b), raw, http.StatusCreated)
	clerkB := e.app.Login("vanthub", "")
	_, body = getPage(t, clerkB, fmt.Sprintf("/documents/%d", got.ID))
	if !testID(body, "edxml-link") {
		t.Fatal("an imported document offers no edXML package")
	}
	wantText(t, between(body, `data-kind="exchange_received"`, "</li>"), "Nhận qua liên thông (edXML)", "Từ Tỉnh ủy Thử nghiệm")
	var rs struct{ Items []ogRecipient }
	e.call(e.drafter, "GET", fmt.Sprintf("/api/v1/outgoing/%d/recipients", iss.ID), nil, http.StatusOK, &rs)
	_, body = getPage(t, e.app.Login("vanthua", ""), fmt.Sprintf("/documents/%d", *rs.Items[0].DeliveredDocumentID))
	if testID(body, "edxml-link") {
		t.Fatal("a copy delivered on the platform offers an edXML package")
	}
}

// between is the part of s from the first from to the next to after it.
func between(s, from, to string) string {
	i := strings.Index(s, from)
	if i < 0 {
		return ""
	}
	s = s[i:]
	if j := strings.Index(s[len(from):], to); j >= 0 {
		return s[:len(from)+j]
	}
	return s
}
