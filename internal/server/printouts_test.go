package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"vanthu/internal/identity"
	"vanthu/internal/testkit"
)

// printoutText extracts a PDF's text with poppler's pdftotext (Debian
// package poppler-utils, a test dependency), whitespace folded.
func printoutText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Fatal("pdftotext not found: install poppler-utils (apt-get install poppler-utils); deploy/local/install-deps.sh should provide it")
	}
	in := filepath.Join(t.TempDir(), "in.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-enc", "UTF-8", in, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v: %s", err, out)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

type printoutRegistered struct {
	ID            int64 `json:"id"`
	ArrivalNumber int   `json:"arrival_number"`
	RegisterID    int64 `json:"register_id"`
}

// printoutRegister registers an incoming document through the API.
func printoutRegister(t *testing.T, app *testkit.App, token string, meta map[string]any) printoutRegistered {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="metadata"`)
	h.Set("Content-Type", "application/json")
	pw, err := mw.CreatePart(h)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.NewEncoder(pw).Encode(meta); err != nil {
		t.Fatal(err)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, app.URL+"/api/v1/incoming", &body)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusCreated {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		t.Fatalf("register: status %d: %s", resp.StatusCode, b)
	}
	var out printoutRegistered
	testkit.DecodeJSON(t, resp, &out)
	return out
}

func printoutMeta(symbolNumber int, subject string) map[string]any {
	return map[string]any{"type_name": "Công văn", "code_number": strconv.Itoa(symbolNumber), "code_notation": "CV/VPTU",
		"issued_date": "2026-04-20", "organ_name": "Văn phòng Thành ủy Hà Nội", "subject": subject}
}

// printoutGet fetches path with a bearer token and returns status, headers
// and body.
func printoutGet(t *testing.T, app *testkit.App, token, path string) (int, http.Header, []byte) {
	t.Helper()
	resp := app.Do(http.MethodGet, path, token, nil)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

type printoutFixture struct {
	app          *testkit.App
	unit, other  int64
	token, stray string // clerks of unit and of the other unit
}

func newPrintoutFixture(t *testing.T) printoutFixture {
	app := testkit.Start(t)
	unit := app.Unit("Đảng ủy phường Ba Đình", "commune", 0)
	other := app.Unit("Đảng ủy phường Hoàn Kiếm", "commune", 0)
	clerk := app.User("vanthu.badinh", unit, identity.RoleClerk, identity.ClearanceNone)
	stray := app.User("vanthu.hoankiem", other, identity.RoleClerk, identity.ClearanceNone)
	return printoutFixture{app: app, unit: unit, other: other, token: app.Token(clerk), stray: app.Token(stray)}
}

func TestPrintoutReceipt(t *testing.T) {
	fx := newPrintoutFixture(t)
	doc := printoutRegister(t, fx.app, fx.token, printoutMeta(57, "Về việc triển khai Nghị quyết số 57-NQ/TW"))
	path := fmt.Sprintf("/documents/%d/receipt.pdf", doc.ID)

	status, h, body := printoutGet(t, fx.app, fx.token, path)
	if status != http.StatusOK || h.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(body, []byte("%PDF-")) {
		t.Fatalf("receipt: status %d, type %q, %.40q", status, h.Get("Content-Type"), body)
	}
	if _, params, err := mime.ParseMediaType(h.Get("Content-Disposition")); err != nil ||
		params["filename"] != fmt.Sprintf("Dấu đến số %d.pdf", doc.ArrivalNumber) {
		t.Errorf("Content-Disposition = %q (%v)", h.Get("Content-Disposition"), err)
	}
	text := printoutText(t, body)
	for _, want := range []string{"ĐẢNG ỦY PHƯỜNG BA ĐÌNH", "ĐẾN", fmt.Sprintf("Số: %d", doc.ArrivalNumber),
		"Số, ký hiệu: 57-CV/VPTU", "Văn phòng Thành ủy Hà Nội", "Về việc triển khai Nghị quyết số 57-NQ/TW"} {
		if !strings.Contains(text, want) {
			t.Errorf("receipt lacks %q:\n%s", want, text)
		}
	}

	// Another unit's clerk cannot tell the document exists.
	if status, _, _ := printoutGet(t, fx.app, fx.stray, path); status != http.StatusNotFound {
		t.Errorf("other unit: status %d, want 404", status)
	}
	if status, _, _ := printoutGet(t, fx.app, fx.token, "/documents/999999/receipt.pdf"); status != http.StatusNotFound {
		t.Errorf("missing document: status %d, want 404", status)
	}
	id := strconv.FormatInt(doc.ID, 10)
	if n := fx.app.QueryInt(`SELECT count(*) FROM audit_log WHERE action = 'document.print_receipt' AND outcome = 'success' AND object_id = $1`, id); n != 1 {
		t.Errorf("%d successful print audits", n)
	}
	if n := fx.app.QueryInt(`SELECT count(*) FROM audit_log WHERE action = 'document.print_receipt' AND outcome = 'denied' AND object_id = $1`, id); n != 1 {
		t.Errorf("%d denied print audits", n)
	}
}

func TestPrintoutExportXLSX(t *testing.T) {
	fx := newPrintoutFixture(t)
	var docs []printoutRegistered
	for i := 1; i <= 3; i++ {
		docs = append(docs, printoutRegister(t, fx.app, fx.token, printoutMeta(100+i, fmt.Sprintf("Báo cáo số %d", i))))
	}
	printoutRegister(t, fx.app, fx.stray, printoutMeta(999, "Văn bản của đơn vị khác"))
	// Arrival order is the reverse of registration order here.
	for i, d := range docs {
		fx.app.Exec(`UPDATE documents SET arrived_at = $2 WHERE id = $1`, d.ID, time.Date(2026, 4, 10-i, 3, 0, 0, 0, time.UTC))
	}
	fx.app.Exec(`UPDATE documents SET receivers = 'Đồng chí Bí thư' WHERE id = $1`, docs[2].ID)
	// The second document was forwarded to a unit on 11 April.
	fx.app.Exec(`INSERT INTO assignments (document_id, assignee_unit_id, role, status, created_at)
		VALUES ($1, $2, 'lead', 'assigned', '2026-04-11 02:00+00')`, docs[1].ID, fx.unit)

	status, h, body := printoutGet(t, fx.app, fx.token, "/incoming/export.xlsx?from=01/04/2026&to=30/04/2026&sort=due_asc")
	if status != http.StatusOK {
		t.Fatalf("export: status %d: %s", status, body)
	}
	if ct := h.Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Errorf("Content-Type %q", ct)
	}
	if _, params, _ := mime.ParseMediaType(h.Get("Content-Disposition")); params["filename"] != "Sổ văn bản đến từ 01-04-2026 đến 30-04-2026.xlsx" {
		t.Errorf("Content-Disposition = %q", h.Get("Content-Disposition"))
	}
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Sổ văn bản đến")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 {
		t.Fatalf("%d rows, want header + 3: %q", len(rows), rows)
	}
	for i := range rows {
		rows[i] = append(rows[i], make([]string, 10-len(rows[i]))...)
	}
	// Row 2 is the earliest arrival: the last registered.
	for i, want := range []struct{ day, symbol, receivers, forwarded string }{
		{"08/04/2026", "103-CV/VPTU", "Đồng chí Bí thư", ""},
		{"09/04/2026", "102-CV/VPTU", "Đảng ủy phường Ba Đình", "11/04/2026"},
		{"10/04/2026", "101-CV/VPTU", "", ""},
	} {
		got := rows[i+1]
		if got[0] != want.day || got[3] != want.symbol || got[6] != want.receivers || got[7] != want.forwarded ||
			got[2] != "Văn phòng Thành ủy Hà Nội" || got[4] != "20/04/2026" {
			t.Errorf("row %d = %q, want %+v", i+2, got, want)
		}
	}
	if n := fx.app.QueryInt(`SELECT count(*) FROM audit_log WHERE action = 'document.export' AND details->>'format' = 'xlsx' AND (details->>'rows')::int = 3`); n != 1 {
		t.Errorf("%d export audits", n)
	}

	// Too many rows at once: a Vietnamese 422, not a 100 MB file.
	fx.app.Exec(`INSERT INTO documents (direction, unit_id, status, type_name, organ_name, subject, arrived_at)
		SELECT 'incoming', $1, '03', 'Công văn', 'Văn phòng', 'Văn bản ' || g, '2026-05-01'::timestamptz + g * interval '1 second'
		FROM generate_series(1, 20001) g`, fx.unit)
	status, _, body = printoutGet(t, fx.app, fx.token, "/incoming/export.xlsx")
	if status != http.StatusUnprocessableEntity || !strings.Contains(string(body), "thu hẹp khoảng thời gian") {
		t.Errorf("oversized export: status %d: %.300s", status, body)
	}
}

func TestPrintoutRegisterPDF(t *testing.T) {
	fx := newPrintoutFixture(t)
	at := []string{"2026-03-31 23:30+07", "2026-04-01 00:10+07", "2026-04-30 23:50+07", "2026-05-01 00:05+07"}
	var reg int64
	for i, when := range at {
		d := printoutRegister(t, fx.app, fx.token, printoutMeta(200+i, fmt.Sprintf("Thông báo kết luận số %d", i)))
		fx.app.Exec(`UPDATE documents SET arrived_at = $2::timestamptz WHERE id = $1`, d.ID, when)
		reg = d.RegisterID
	}
	printoutRegister(t, fx.app, fx.stray, printoutMeta(299, "Văn bản của đơn vị khác"))

	// The clerk has one unit: its default incoming register is the one.
	status, h, body := printoutGet(t, fx.app, fx.token, "/incoming/register.pdf?from=01/04/2026&to=30/04/2026")
	if status != http.StatusOK || h.Get("Content-Type") != "application/pdf" {
		t.Fatalf("register: status %d: %.300s", status, body)
	}
	text := printoutText(t, body)
	for _, want := range []string{"ĐẢNG ỦY PHƯỜNG BA ĐÌNH", "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN", "Từ ngày 01/04/2026 đến ngày 30/04/2026",
		"201-CV/VPTU", "202-CV/VPTU", "Trang 1/1"} {
		if !strings.Contains(text, want) {
			t.Errorf("register lacks %q:\n%s", want, text)
		}
	}
	for _, outside := range []string{"200-CV/VPTU", "203-CV/VPTU", "299-CV/VPTU"} {
		if strings.Contains(text, outside) {
			t.Errorf("register for April shows %s", outside)
		}
	}
	if i, j := strings.Index(text, "201-CV/VPTU"), strings.Index(text, "202-CV/VPTU"); i > j {
		t.Error("rows are not in arrival order")
	}
	if n := fx.app.QueryInt(`SELECT count(*) FROM audit_log WHERE action = 'document.export' AND object_type = 'register'
		AND object_id = $1 AND details->>'format' = 'pdf' AND (details->>'rows')::int = 2`, strconv.FormatInt(reg, 10)); n != 1 {
		t.Errorf("%d register audits", n)
	}

	// The same register asked by id; another unit's register is not found.
	if status, _, _ := printoutGet(t, fx.app, fx.token, fmt.Sprintf("/incoming/register.pdf?from=01/04/2026&to=30/04/2026&register_id=%d", reg)); status != http.StatusOK {
		t.Errorf("by register_id: status %d", status)
	}
	if status, _, _ := printoutGet(t, fx.app, fx.stray, fmt.Sprintf("/incoming/register.pdf?register_id=%d", reg)); status != http.StatusNotFound {
		t.Errorf("other unit's register: status %d, want 404", status)
	}
	// Bad input is explained in Vietnamese.
	for _, q := range []string{"from=30/04/2026&to=01/04/2026", "from=hôm-qua", "register_id=abc"} {
		status, _, body := printoutGet(t, fx.app, fx.token, "/incoming/register.pdf?"+q)
		if status != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d, want 422", q, status)
		}
		if !strings.Contains(string(body), "Dữ liệu chưa hợp lệ") {
			t.Errorf("%s: %.300s", q, body)
		}
	}
	// Someone in two units must say which register.
	both := fx.app.User("lanhdao", fx.unit, identity.RoleLeader, identity.ClearanceNone)
	if err := fx.app.Users.AddMembership(t.Context(), fx.app.DB, both.ID, fx.other, identity.RoleLeader, ""); err != nil {
		t.Fatal(err)
	}
	status, _, body = printoutGet(t, fx.app, fx.app.Token(both), "/incoming/register.pdf")
	if status != http.StatusUnprocessableEntity || !strings.Contains(string(body), "vui lòng chọn sổ văn bản đến") {
		t.Errorf("two units without register_id: status %d: %.300s", status, body)
	}
}
