package server_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"vanthu/internal/access"
	"vanthu/internal/audit"
	"vanthu/internal/documents"
	"vanthu/internal/identity"
	"vanthu/internal/registry"
	"vanthu/internal/testkit"
)

// testPDF is a small valid PDF.
var testPDF = []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")

func testPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{R: 200, A: 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// testZip is a real ZIP archive (not an office document).
func testZip(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, err := zw.Create("chuong-trinh.exe")
	if err != nil {
		t.Fatal(err)
	}
	w.Write(bytes.Repeat([]byte("MZ\x90\x00"), 64))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

type formFile struct {
	name string
	data []byte
}

// incomingEnv is a province with a clerk (cleared for Mật), a leader, and a
// clerk of another province.
type incomingEnv struct {
	app                   *testkit.App
	unit, other           int64
	clerk, leader, outsdr identity.User
	clerkC, leaderC, outC *testkit.Client
}

func newIncomingEnv(t *testing.T) *incomingEnv {
	t.Helper()
	app := testkit.Start(t)
	root := app.Unit("Ban Chấp hành Trung ương Đảng", "central", 0)
	e := &incomingEnv{app: app}
	e.unit = app.Unit("Tỉnh ủy Thử nghiệm", "province", root)
	e.other = app.Unit("Tỉnh ủy Khác", "province", root)
	e.clerk = app.User("vanthu", e.unit, identity.RoleClerk, identity.ClearanceMat)
	e.leader = app.User("lanhdao", e.unit, identity.RoleLeader, identity.ClearanceMat)
	e.outsdr = app.User("vanthu.khac", e.other, identity.RoleClerk, identity.ClearanceTuyetMat)
	e.clerkC = app.Login("vanthu", "")
	e.leaderC = app.Login("lanhdao", "")
	e.outC = app.Login("vanthu.khac", "")
	return e
}

// baseFields is a valid registration.
func baseFields(symbol, subject string) map[string]string {
	return map[string]string{
		"organ_name": "Văn phòng Tỉnh ủy", "symbol": symbol, "issued_date": "02/03/2026", "type_name": "Công văn",
		"subject": subject, "signer_position": "Chánh Văn phòng", "signer_full_name": "Nguyễn Văn An", "page_amount": "2",
		"priority": "thuong", "confidentiality": "none", "due_date": "", "receivers": "Đồng chí Bí thư", "notes": "",
	}
}

// postIncoming sends the registration form as a browser would: text
// fields, then the file parts.
func postIncoming(t *testing.T, app *testkit.App, c *testkit.Client, fields map[string]string, files ...formFile) *http.Response {
	t.Helper()
	return postIncomingWith(t, app, c, nil, fields, files...)
}

func postIncomingWith(t *testing.T, app *testkit.App, c *testkit.Client, header map[string]string, fields map[string]string, files ...formFile) *http.Response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if len(files) == 0 { // an empty file input still sends a part
		w, _ := mw.CreateFormFile("files", "")
		w.Write(nil)
	}
	for _, f := range files {
		w, err := mw.CreateFormFile("files", f.name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(f.data)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, app.URL+"/incoming", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func getPage(t *testing.T, c *testkit.Client, path string) (int, string) {
	t.Helper()
	resp := c.Get(path)
	return resp.StatusCode, readBody(t, resp)
}

var documentLocation = regexp.MustCompile(`^/documents/(\d+)\?registered=1$`)

// register posts the form and expects a redirect to the new document.
func register(t *testing.T, e *incomingEnv, fields map[string]string, files ...formFile) string {
	t.Helper()
	resp := postIncoming(t, e.app, e.clerkC, fields, files...)
	body := readBody(t, resp)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !documentLocation.MatchString(loc) {
		t.Fatalf("POST /incoming = %d to %q, want 303 to /documents/{id}:\n%s", resp.StatusCode, loc, body)
	}
	return documentLocation.FindStringSubmatch(loc)[1]
}

func (e *incomingEnv) countDocuments(t *testing.T) int64 {
	return e.app.QueryInt(`SELECT count(*) FROM documents`)
}

var fileIDs = regexp.MustCompile(`data-testid="file-row" data-file-id="(\d+)"`)

func TestIncomingRegisterThroughTheForm(t *testing.T) {
	e := newIncomingEnv(t)
	pngBytes := testPNG(t)
	id := register(t, e, baseFields("96-CV/VPTU", "Về việc tổ chức hội nghị sơ kết"),
		formFile{"Công văn 96.pdf", testPDF}, formFile{"Trang 2.png", pngBytes})

	status, page := getPage(t, e.clerkC, "/documents/"+id+"?registered=1")
	if status != http.StatusOK {
		t.Fatalf("document page = %d:\n%s", status, page)
	}
	for _, want := range []string{
		`data-testid="arrival-number">1<`, `data-testid="symbol">96-CV/VPTU<`, "Về việc tổ chức hội nghị sơ kết",
		"Đã vào sổ văn bản đến: số đến 1", "Công văn 96.pdf", "Trang 2.png", "Chánh Văn phòng Nguyễn Văn An", "02/03/2026",
		hex.EncodeToString(sha(testPDF)), hex.EncodeToString(sha(pngBytes)), "/documents/" + id + "/receipt.pdf",
		`data-kind="registered"`, "Vào sổ", "Người dùng vanthu",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("document page lacks %q", want)
		}
	}
	if !strings.Contains(page, `<iframe class="doc-viewer" src="/documents/`+id+`/files/`) || !strings.Contains(page, `<img class="doc-image" src="/documents/`+id+`/files/`) {
		t.Errorf("document page does not show the PDF in a frame and the PNG as an image:\n%s", page)
	}
	ids := fileIDs.FindAllStringSubmatch(page, -1)
	if len(ids) != 2 {
		t.Fatalf("file rows = %v", ids)
	}

	// Download with its checksum, and inline view.
	resp := e.clerkC.Get("/documents/" + id + "/files/" + ids[0][1])
	got := readBody(t, resp)
	if resp.StatusCode != http.StatusOK || got != string(testPDF) || resp.Header.Get("X-Checksum-Sha256") != hex.EncodeToString(sha(testPDF)) ||
		!strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("download = %d %v", resp.StatusCode, resp.Header)
	}
	resp = e.clerkC.Get("/documents/" + id + "/files/" + ids[1][1] + "/view")
	readBody(t, resp)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/png" || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "inline") {
		t.Fatalf("view = %d %v", resp.StatusCode, resp.Header)
	}

	// The next registration gets number 2; "and next" comes back to the form.
	f := baseFields("97-CV/VPTU", "Về việc chuẩn bị đại hội")
	f["and_next"] = "1"
	resp = postIncoming(t, e.app, e.clerkC, f)
	readBody(t, resp)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/incoming/new?last=") {
		t.Fatalf("and_next = %d to %q", resp.StatusCode, loc)
	}
	status, page = getPage(t, e.clerkC, loc)
	if status != http.StatusOK || !strings.Contains(page, `data-testid="last-arrival">2<`) || !strings.Contains(page, "Đã vào sổ số đến") {
		t.Fatalf("form after and_next = %d:\n%s", status, page)
	}
	// Sent by incoming.js: 201 with the page to go to, nothing to follow.
	resp = postIncomingWith(t, e.app, e.clerkC, map[string]string{"X-Requested-With": "XMLHttpRequest"}, baseFields("98-CV/VPTU", "Gửi bằng script"))
	readBody(t, resp)
	if resp.StatusCode != http.StatusCreated || !documentLocation.MatchString(resp.Header.Get("Location")) {
		t.Fatalf("async registration = %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	// The view was audited and is on the timeline.
	if n := e.app.QueryInt(`SELECT count(*) FROM audit_log WHERE action = 'document.view' AND object_id = $1 AND outcome = 'success'`, id); n == 0 {
		t.Error("document view not audited")
	}
	if n := e.app.QueryInt(`SELECT count(*) FROM document_events WHERE document_id = $1 AND kind = 'viewed'`, id); n != 1 {
		t.Errorf("viewed events = %d, want 1", n)
	}
}

func sha(b []byte) []byte {
	h := sha256.Sum256(b)
	return h[:]
}

func TestIncomingFormRefusals(t *testing.T) {
	e := newIncomingEnv(t)

	t.Run("bad symbol", func(t *testing.T) {
		before := e.countDocuments(t)
		f := baseFields("57 NQ/TW", "Trích yếu phải được giữ lại")
		resp := postIncoming(t, e.app, e.clerkC, f, formFile{"nq.pdf", testPDF})
		body := readBody(t, resp)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("status = %d:\n%s", resp.StatusCode, body)
		}
		if !strings.Contains(body, `data-testid="symbol-error"`) || !strings.Contains(body, "khoảng trắng") {
			t.Fatalf("no symbol message:\n%s", body)
		}
		for _, kept := range []string{`value="57 NQ/TW"`, "Trích yếu phải được giữ lại", `value="Văn phòng Tỉnh ủy"`, `value="02/03/2026"`,
			`<option value="Công văn" selected>`, `data-testid="files-again"`, "nq.pdf"} {
			if !strings.Contains(body, kept) {
				t.Errorf("form lost %q", kept)
			}
		}
		if e.countDocuments(t) != before {
			t.Fatal("a document was stored")
		}
	})

	t.Run("missing fields and bad dates", func(t *testing.T) {
		f := baseFields("58-NQ/TW", "")
		f["organ_name"], f["issued_date"], f["page_amount"] = "", "31/02/2026", "hai"
		resp := postIncoming(t, e.app, e.clerkC, f)
		body := readBody(t, resp)
		for _, want := range []string{"subject-error", "organ_name-error", "issued_date-error", "page_amount-error"} {
			if !strings.Contains(body, `data-testid="`+want+`"`) {
				t.Errorf("no %s in:\n%s", want, body)
			}
		}
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("status = %d", resp.StatusCode)
		}
	})

	for _, tc := range []struct{ name, file string }{
		{"zip named pdf", "bao-cao.pdf"},
		{"executable named pdf", "quyet-dinh.pdf"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := e.countDocuments(t)
			data := testZip(t)
			if strings.HasPrefix(tc.name, "executable") {
				data = append([]byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x3e\x00"), bytes.Repeat([]byte{0}, 100)...)
			}
			resp := postIncoming(t, e.app, e.clerkC, baseFields("59-NQ/TW", "Tệp giả mạo"), formFile{"ok.pdf", testPDF}, formFile{tc.file, data})
			body := html.UnescapeString(readBody(t, resp))
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status = %d:\n%s", resp.StatusCode, body)
			}
			if !strings.Contains(body, `data-testid="files-error"`) || !strings.Contains(body, `"`+tc.file+`"`) || !strings.Contains(body, "không được chấp nhận") {
				t.Fatalf("no Vietnamese message naming %s:\n%s", tc.file, body)
			}
			if e.countDocuments(t) != before || e.app.QueryInt(`SELECT count(*) FROM files`) != 0 {
				t.Fatal("something was stored")
			}
		})
	}

	t.Run("secret with a file", func(t *testing.T) {
		before := e.countDocuments(t)
		f := baseFields("60-NQ/TW", "Văn bản mật")
		f["confidentiality"] = "mat"
		resp := postIncoming(t, e.app, e.clerkC, f, formFile{"mat.pdf", testPDF})
		body := readBody(t, resp)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Luật Bảo vệ bí mật nhà nước") || !strings.Contains(body, `data-testid="files-error"`) {
			t.Fatalf("secret with file = %d:\n%s", resp.StatusCode, body)
		}
		if e.countDocuments(t) != before {
			t.Fatal("stored")
		}
		// Metadata only is accepted.
		id := register(t, e, f)
		status, page := getPage(t, e.clerkC, "/documents/"+id)
		if status != http.StatusOK || !strings.Contains(page, `data-testid="document-confidentiality">Mật<`) || !strings.Contains(page, "không lưu tệp nội dung") {
			t.Fatalf("secret document page = %d:\n%s", status, page)
		}
		// The leader is cleared for Mật too; a person without clearance is not.
		e.app.User("chuyenvien", e.unit, identity.RoleHandler, identity.ClearanceNone)
		hc := e.app.Login("chuyenvien", "")
		if status, _ := getPage(t, hc, "/documents/"+id); status != http.StatusNotFound {
			t.Fatalf("uncleared handler sees a Mật document: %d", status)
		}
	})

	t.Run("leader may not register", func(t *testing.T) {
		if status, body := getPage(t, e.leaderC, "/incoming/new"); status != http.StatusForbidden || !strings.Contains(body, "văn thư") {
			t.Fatalf("GET /incoming/new as leader = %d", status)
		}
		resp := postIncoming(t, e.app, e.leaderC, baseFields("61-NQ/TW", "Không được"))
		readBody(t, resp)
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("POST as leader = %d", resp.StatusCode)
		}
		if status, body := getPage(t, e.leaderC, "/incoming"); status != http.StatusOK || strings.Contains(body, `data-testid="register-link"`) {
			t.Fatalf("leader's list = %d, offers registration: %v", status, strings.Contains(body, "register-link"))
		}
	})
}

func TestIncomingDuplicateNeedsConfirmation(t *testing.T) {
	e := newIncomingEnv(t)
	f := baseFields("57-NQ/TW", "Nghị quyết về phát triển kinh tế")
	f["organ_name"] = "Ban Chấp hành Trung ương"
	first := register(t, e, f)

	f["organ_name"] = "ban chấp hành  trung ương" // same issuer, typed differently
	resp := postIncoming(t, e.app, e.clerkC, f, formFile{"nq57.pdf", testPDF})
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusConflict {
		t.Fatalf("duplicate = %d:\n%s", resp.StatusCode, body)
	}
	for _, want := range []string{`data-testid="duplicate-warning"`, `href="/documents/` + first + `"`, "Số đến 1", `name="confirm_duplicate"`,
		`data-testid="files-again"`} {
		if !strings.Contains(body, want) {
			t.Errorf("duplicate warning lacks %q", want)
		}
	}
	if n := e.countDocuments(t); n != 1 {
		t.Fatalf("documents = %d", n)
	}
	f["confirm_duplicate"] = "1"
	second := register(t, e, f, formFile{"nq57.pdf", testPDF})
	if second == first {
		t.Fatal("same document")
	}
	if _, page := getPage(t, e.clerkC, "/documents/"+second); !strings.Contains(page, `data-testid="arrival-number">2<`) {
		t.Fatalf("confirmed duplicate page:\n%s", page)
	}
}

func TestIncomingDocumentAccessAndComments(t *testing.T) {
	e := newIncomingEnv(t)
	id := register(t, e, baseFields("10-HD/BTGDVTU", "Hướng dẫn tuyên truyền"), formFile{"hd.pdf", testPDF})
	_, page := getPage(t, e.clerkC, "/documents/"+id)
	fid := fileIDs.FindStringSubmatch(page)[1]

	// Another province's clerk sees nothing, and the refusal is audited.
	for _, path := range []string{"/documents/" + id, "/documents/" + id + "/files/" + fid, "/documents/" + id + "/files/" + fid + "/view"} {
		status, body := getPage(t, e.outC, path)
		if status != http.StatusNotFound || strings.Contains(body, "Hướng dẫn tuyên truyền") {
			t.Fatalf("outsider GET %s = %d", path, status)
		}
	}
	resp := e.outC.PostForm("/documents/"+id+"/comments", url.Values{"body": {"Xin ý kiến"}})
	readBody(t, resp)
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("outsider comment = %d", resp.StatusCode)
	}
	if n := e.app.QueryInt(`SELECT count(*) FROM audit_log WHERE object_id = $1 AND outcome = 'denied'`, id); n < 3 {
		t.Fatalf("denied audits = %d", n)
	}
	if status, _ := getPage(t, e.clerkC, "/documents/999999"); status != http.StatusNotFound {
		t.Fatalf("missing document = %d", status)
	}

	// The leader of the unit comments; an empty comment is refused on the page.
	resp = e.leaderC.PostForm("/documents/"+id+"/comments", url.Values{"body": {"  "}})
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `data-testid="body-error"`) {
		t.Fatalf("empty comment = %d:\n%s", resp.StatusCode, body)
	}
	resp = e.leaderC.PostForm("/documents/"+id+"/comments", url.Values{"body": {"Đề nghị Ban Tuyên giáo chủ trì."}})
	readBody(t, resp)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/documents/"+id+"?ok=comment#comments" {
		t.Fatalf("comment = %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, page = getPage(t, e.clerkC, "/documents/"+id)
	if !strings.Contains(page, "Đề nghị Ban Tuyên giáo chủ trì.") || !strings.Contains(page, `data-kind="commented"`) || !strings.Contains(page, "Người dùng lanhdao") {
		t.Fatalf("comment not shown:\n%s", page)
	}
	// The download is on the timeline.
	e.clerkC.Get("/documents/" + id + "/files/" + fid).Body.Close()
	if _, page = getPage(t, e.clerkC, "/documents/"+id); !strings.Contains(page, `data-kind="file_downloaded"`) || !strings.Contains(page, "Tải tệp") {
		t.Fatal("download not on the timeline")
	}
}

// seedIncoming registers documents through the service (faster than the
// form for volume).
func seedIncoming(t *testing.T, e *incomingEnv, n int, mk func(i int) documents.IncomingInput) {
	t.Helper()
	ctx := context.Background()
	ms, err := e.app.Users.Memberships(ctx, e.clerk.ID)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := access.Load(ctx, e.app.DB, e.clerk, ms, 0)
	if err != nil {
		t.Fatal(err)
	}
	svc := documents.NewService(e.app.DB, nil, registry.NewStore(e.app.DB), "party", false)
	for i := range n {
		if _, err := svc.RegisterIncoming(ctx, sub, audit.Actor{UserID: e.clerk.ID, Login: e.clerk.Login}, mk(i), nil, true); err != nil {
			t.Fatalf("seed %d: %v", i, err)
		}
	}
}

var (
	rowIDs   = regexp.MustCompile(`data-testid="incoming-row" data-id="(\d+)"`)
	nextLink = regexp.MustCompile(`href="([^"]+)" rel="next" data-testid="next-page"`)
)

// walkList follows "Trang sau" from path and returns every listed id.
func walkList(t *testing.T, c *testkit.Client, path string) (ids []string, pages int) {
	t.Helper()
	seen := map[string]bool{}
	for path != "" {
		pages++
		if pages > 50 {
			t.Fatal("the pager does not end")
		}
		status, body := getPage(t, c, path)
		if status != http.StatusOK {
			t.Fatalf("GET %s = %d:\n%s", path, status, body)
		}
		for _, m := range rowIDs.FindAllStringSubmatch(body, -1) {
			if seen[m[1]] {
				t.Fatalf("document %s listed twice while paging", m[1])
			}
			seen[m[1]] = true
			ids = append(ids, m[1])
		}
		path = ""
		if m := nextLink.FindStringSubmatch(body); m != nil {
			path = html.UnescapeString(m[1])
		}
	}
	return ids, pages
}

func TestIncomingListSearchFiltersAndPages(t *testing.T) {
	e := newIncomingEnv(t)
	issued := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	seedIncoming(t, e, 60, func(i int) documents.IncomingInput {
		in := documents.IncomingInput{TypeName: "Công văn", CodeNumber: fmt.Sprint(100 + i), CodeNotation: "CV/VPTU", IssuedDate: &issued,
			OrganName: "Văn phòng Tỉnh ủy", Subject: fmt.Sprintf("Báo cáo tình hình tháng %d", i), Priority: "thuong"}
		if i%10 == 0 {
			in.Subject = fmt.Sprintf("Kế hoạch tổ chức hội nghị số %d", i)
			in.TypeName = "Kế hoạch"
			in.CodeNotation = "KH/TU"
			in.Priority = "khan"
		}
		return in
	})

	// Every document, 25 a page, each once.
	ids, pages := walkList(t, e.clerkC, "/incoming?limit=25")
	if len(ids) != 60 || pages != 3 {
		t.Fatalf("walked %d documents on %d pages, want 60 on 3", len(ids), pages)
	}
	// Newest first: the first row is arrival number 60.
	_, first := getPage(t, e.clerkC, "/incoming")
	if !strings.Contains(first, `data-testid="row-arrival">60<`) || !strings.Contains(first, `data-testid="tab-count-all">60<`) {
		t.Fatal("the list does not start with number 60 or the count is wrong")
	}
	// Sorted by number ascending through every page as well.
	ids, _ = walkList(t, e.clerkC, "/incoming?sort=arrived_asc&limit=7")
	if len(ids) != 60 {
		t.Fatalf("ascending walk found %d", len(ids))
	}

	// Search without diacritics finds "Kế hoạch …", and only those.
	ids, _ = walkList(t, e.clerkC, "/incoming?q="+url.QueryEscape("ke hoach")+"&limit=4")
	if len(ids) != 6 {
		t.Fatalf("search 'ke hoach' found %d, want 6", len(ids))
	}
	status, body := getPage(t, e.clerkC, "/incoming?q="+url.QueryEscape("ke hoach"))
	if status != http.StatusOK || !strings.Contains(body, "Kế hoạch tổ chức hội nghị") || strings.Contains(body, "Báo cáo tình hình") {
		t.Fatal("search results wrong")
	}
	// An exact symbol.
	if ids, _ := walkList(t, e.clerkC, "/incoming?q="+url.QueryEscape("110-KH/TU")); len(ids) != 1 {
		t.Fatalf("symbol search found %d", len(ids))
	}

	// Filters: urgency, type, issuer, dates (days in Vietnam).
	yesterday := time.Now().In(time.FixedZone("ICT", 7*3600)).AddDate(0, 0, -1).Format("02/01/2006")
	for q, want := range map[string]int{
		"priority=khan": 6,
		"type_name=" + url.QueryEscape("Kế hoạch"): 6,
		"organ=" + url.QueryEscape("van phong"):    60,
		"organ=" + url.QueryEscape("Bộ Công an"):   0,
		"from=" + yesterday:                        60,
		"to=" + yesterday:                          0,
		"status=06":                                0,
	} {
		if ids, _ := walkList(t, e.clerkC, "/incoming?"+q); len(ids) != want {
			t.Errorf("filter %s found %d, want %d", q, len(ids), want)
		}
	}
	status, body = getPage(t, e.clerkC, "/incoming?organ="+url.QueryEscape("Bộ Công an"))
	if status != http.StatusOK || !strings.Contains(body, "Không có văn bản nào phù hợp") {
		t.Fatal("no empty state for a filter without results")
	}
	// A bad date is a message on the field, not a failure.
	status, body = getPage(t, e.clerkC, "/incoming?from=32/13/2026")
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `data-testid="from-error"`) {
		t.Fatalf("bad date = %d: %s", status, body[strings.Index(body, "<main"):])
	}

	// Inboxes: finished, overdue, presented to the leader.
	e.app.Exec(`UPDATE documents SET status = '06' WHERE arrival_number IN (1, 2)`)
	e.app.Exec(`UPDATE documents SET due_date = current_date - 3 WHERE arrival_number IN (3, 4, 5)`)
	e.app.Exec(`UPDATE documents SET presented_to = $1 WHERE arrival_number = 7`, e.leader.ID)
	_, body = getPage(t, e.clerkC, "/incoming?tab=overdue")
	if !strings.Contains(body, `data-testid="tab-count-overdue">3<`) || !strings.Contains(body, `data-testid="tab-count-done">2<`) ||
		len(rowIDs.FindAllString(body, -1)) != 3 || !strings.Contains(body, `data-testid="row-overdue"`) {
		t.Fatalf("overdue inbox wrong:\n%s", body)
	}
	_, body = getPage(t, e.leaderC, "/incoming?tab=presented")
	if !strings.Contains(body, `data-testid="tab-count-presented">1<`) || len(rowIDs.FindAllString(body, -1)) != 1 {
		t.Fatalf("presented inbox wrong:\n%s", body)
	}
	if strings.Contains(body, `data-testid="tab-arrived"`) {
		t.Error("a leader is shown the clerk's inbox")
	}
	// Another province sees none of it.
	if ids, _ := walkList(t, e.outC, "/incoming"); len(ids) != 0 {
		t.Fatalf("outsider sees %d documents", len(ids))
	}
}

var savedLink = regexp.MustCompile(`<a href="(/incoming\?[^"]*)" data-testid="saved-filter-link">([^<]*)</a>\s*<form method="post" action="(/incoming/filters/\d+/delete)"`)

func TestIncomingSavedFilters(t *testing.T) {
	e := newIncomingEnv(t)
	resp := e.clerkC.PostForm("/incoming/filters", url.Values{"name": {"Khẩn  chưa xong"}, "query": {"q=ke+hoach&priority=khan&cursor=abc&evil=1"}})
	readBody(t, resp)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/incoming?q=ke+hoach&priority=khan&ok=filter_saved" {
		t.Fatalf("save = %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body := getPage(t, e.clerkC, resp.Header.Get("Location"))
	if !strings.Contains(body, "Đã lưu bộ lọc.") {
		t.Error("no confirmation")
	}
	m := savedLink.FindStringSubmatch(body)
	if m == nil || html.UnescapeString(m[1]) != "/incoming?q=ke+hoach&priority=khan" || m[2] != "Khẩn chưa xong" {
		t.Fatalf("saved filter not listed: %v\n%s", m, body)
	}
	// Saving under the same name replaces the query.
	resp = e.clerkC.PostForm("/incoming/filters", url.Values{"name": {"Khẩn chưa xong"}, "query": {"priority=hoa_toc"}})
	readBody(t, resp)
	if n := e.app.QueryInt(`SELECT count(*) FROM saved_filters WHERE user_id = $1`, e.clerk.ID); n != 1 {
		t.Fatalf("saved filters = %d", n)
	}
	// A nameless filter is not saved.
	resp = e.clerkC.PostForm("/incoming/filters", url.Values{"name": {" "}, "query": {"priority=khan"}})
	readBody(t, resp)
	if !strings.HasSuffix(resp.Header.Get("Location"), "ok=filter_name") {
		t.Fatalf("nameless = %q", resp.Header.Get("Location"))
	}
	// Filters are personal: the leader sees none and cannot delete it.
	if _, body := getPage(t, e.leaderC, "/incoming"); strings.Contains(body, "Khẩn chưa xong") {
		t.Fatal("leader sees the clerk's filter")
	}
	_, body = getPage(t, e.clerkC, "/incoming")
	m = savedLink.FindStringSubmatch(body)
	if m == nil || html.UnescapeString(m[1]) != "/incoming?priority=hoa_toc" {
		t.Fatalf("replaced filter: %v", m)
	}
	resp = e.leaderC.PostForm(m[3], nil)
	readBody(t, resp)
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("leader deletes clerk's filter: %d", resp.StatusCode)
	}
	resp = e.clerkC.PostForm(m[3], nil)
	readBody(t, resp)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete = %d", resp.StatusCode)
	}
	if _, body := getPage(t, e.clerkC, resp.Header.Get("Location")); strings.Contains(body, `data-testid="saved-filter"`) || !strings.Contains(body, "Đã xóa bộ lọc.") {
		t.Fatal("filter still listed after delete")
	}
}
