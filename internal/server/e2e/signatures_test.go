package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"vanthu/internal/config"
	"vanthu/internal/identity"
	"vanthu/internal/signature/sigtest"
	"vanthu/internal/testkit"
)

// apiRegister registers an incoming document with one file over the API
// and returns its id.
func apiRegister(t *testing.T, app *testkit.App, token, name string, file []byte) int64 {
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
		t.Fatalf("register %s = %d: %s", name, resp.StatusCode, raw)
	}
	var d struct{ ID int64 }
	_ = json.Unmarshal(raw, &d)
	return d.ID
}

// A clerk opens documents whose PDFs were verified on arrival: a valid one
// shows "Hợp lệ" with the signer; a changed one says the content was
// changed; "Kiểm tra lại chữ ký số" verifies again and says so.
func TestSignatureVerdictsOnTheDocumentPage(t *testing.T) {
	pki := sigtest.New(t)
	roots := sigtest.WriteFile(t, "roots.pem", pki.RootsPEM())
	app := testkit.Start(t, func(c *config.Config) { c.SignatureTrustRootsFile = roots })
	unit := app.Unit("Văn phòng Tỉnh ủy", "province", 0)
	tok := app.Token(app.User("vanthu", unit, identity.RoleClerk, identity.ClearanceNone))
	signed := sigtest.SignPDF(t, sigtest.UnsignedPDF(t, "Hello Vanthu"), pki.Person(t, "Nguyễn Văn An"))
	valid := apiRegister(t, app, tok, "hop-le.pdf", signed)
	altered := apiRegister(t, app, tok, "bi-sua.pdf", sigtest.Tamper(t, signed, "Hello Vanthu"))

	p := testkit.Browser(t)
	login(p, app, "vanthu")
	p.Do(
		chromedp.WaitVisible(css(`[data-testid="viewer-name"]`)),
		chromedp.Navigate(fmt.Sprintf("%s/documents/%d", app.URL, valid)),
		chromedp.WaitVisible(css(`[data-testid="signature-verdict"]`)),
	)
	if v := p.Text(`[data-testid="signature-verdict"]`); v != "Hợp lệ" {
		t.Fatalf("verdict = %q", v)
	}
	if s := p.Text(`[data-testid="signer-name"]`); s != "Nguyễn Văn An" {
		t.Fatalf("signer = %q", s)
	}
	if s := p.Text(`[data-testid="signing-time"]`); !strings.Contains(s, "/20") {
		t.Fatalf("signing time = %q", s)
	}

	p.Do(
		chromedp.Navigate(fmt.Sprintf("%s/documents/%d", app.URL, altered)),
		chromedp.WaitVisible(css(`[data-testid="signature-verdict"]`)),
	)
	if v := p.Text(`[data-testid="signature-verdict"]`); v != "Không hợp lệ — nội dung đã bị thay đổi" {
		t.Fatalf("verdict = %q", v)
	}
	if r := p.Text(`[data-testid="signature-reason"]`); !strings.Contains(r, "Tài liệu đã bị thay đổi sau khi ký") {
		t.Fatalf("reason = %q", r)
	}

	p.Do(
		chromedp.Click(css(`[data-testid="verify-signatures"] button`)),
		chromedp.WaitVisible(css(`[data-testid="signature-flash"]`)),
	)
	if v := p.Text(`[data-testid="signature-verdict"]`); v != "Không hợp lệ — nội dung đã bị thay đổi" {
		t.Fatalf("verdict after verify again = %q", v)
	}
}
