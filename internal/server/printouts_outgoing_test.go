package server_test

import (
	"bytes"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"vanthu/internal/identity"
)

func TestPrintoutOutgoingRegister(t *testing.T) {
	e := newOgEnv(t)
	var docs []ogDraft
	for range 3 {
		docs = append(docs, e.issue(e.meta()))
	}
	e.call(e.clerk, "POST", fmt.Sprintf("/api/v1/outgoing/%d/recall", docs[1].ID), map[string]string{"reason": "Sai sót"}, http.StatusOK, nil)
	for i, at := range []string{"2026-04-10 09:00+07", "2026-04-30 23:30+07", "2026-05-01 08:00+07"} {
		e.app.Exec(`UPDATE documents SET issued_at = $2::timestamptz, issued_date = ($2::timestamptz AT TIME ZONE 'Asia/Ho_Chi_Minh')::date WHERE id = $1`,
			docs[i].ID, at)
	}
	e.app.Exec(`UPDATE document_events SET at = '2026-05-02 03:00+00' WHERE document_id = $1 AND kind = 'recalled'`, docs[1].ID)
	reg := e.app.QueryInt(`SELECT register_id FROM documents WHERE id = $1`, docs[0].ID)

	status, h, body := printoutGet(t, e.app, e.clerk, "/outgoing/register.pdf?from=01/04/2026&to=30/04/2026")
	if status != http.StatusOK || h.Get("Content-Type") != "application/pdf" {
		t.Fatalf("register: status %d: %.300s", status, body)
	}
	if _, params, _ := mime.ParseMediaType(h.Get("Content-Disposition")); params["filename"] != "Sổ văn bản đi từ 01-04-2026 đến 30-04-2026.pdf" {
		t.Errorf("Content-Disposition = %q", h.Get("Content-Disposition"))
	}
	text := printoutText(t, body)
	for _, want := range []string{"TỈNH ỦY THỬ NGHIỆM", "SỔ ĐĂNG KÝ VĂN BẢN ĐI", "Từ ngày 01/04/2026 đến ngày 30/04/2026",
		"1-CV/TU", "2-CV/TU", "10/04/2026", "30/04/2026", "Công văn v/v báo cáo sơ kết 6 tháng", "Bí thư Nguyễn Văn A",
		"Huyện ủy A; Huyện ủy B; Bộ Nội vụ", "Tỉnh ủy Thử nghiệm – Người dùng chuyenvien", "Đã thu hồi ngày 02/05/2026", "Trang 1/1"} {
		if !strings.Contains(text, want) {
			t.Errorf("register lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "3-CV/TU") {
		t.Error("the register for April shows a document of May")
	}
	if i, j := strings.Index(text, "1-CV/TU"), strings.Index(text, "2-CV/TU"); i > j {
		t.Error("rows are not in issue order")
	}
	if n := e.app.QueryInt(`SELECT count(*) FROM audit_log WHERE action = 'document.export' AND object_type = 'register'
		AND object_id = $1 AND details->>'format' = 'pdf' AND (details->>'rows')::int = 2`, strconv.FormatInt(reg, 10)); n != 1 {
		t.Errorf("%d register audits", n)
	}

	status, h, body = printoutGet(t, e.app, e.clerk, fmt.Sprintf("/outgoing/register.xlsx?from=01/04/2026&to=31/05/2026&register_id=%d", reg))
	if status != http.StatusOK || h.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Fatalf("xlsx: status %d: %.300s", status, body)
	}
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Sổ văn bản đi")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 {
		t.Fatalf("%d rows, want header + 3: %q", len(rows), rows)
	}
	for i := range rows {
		rows[i] = append(rows[i], make([]string, 9-len(rows[i]))...)
	}
	if got := rows[2]; got[0] != "2-CV/TU" || got[1] != "30/04/2026" || got[6] != "4" || got[7] != "30/04/2026" ||
		!strings.Contains(got[8], "Đã thu hồi") || got[4] != "Huyện ủy A; Huyện ủy B; Bộ Nội vụ" {
		t.Errorf("row 3 = %q", got)
	}

	// Another unit's clerk cannot print the register; bad input is explained.
	if status, _, _ := printoutGet(t, e.app, e.cB, fmt.Sprintf("/outgoing/register.pdf?register_id=%d", reg)); status != http.StatusNotFound {
		t.Errorf("other unit's register: status %d, want 404", status)
	}
	for _, q := range []string{"from=30/04/2026&to=01/04/2026", "to=mai", "register_id=abc"} {
		if status, _, body := printoutGet(t, e.app, e.clerk, "/outgoing/register.pdf?"+q); status != http.StatusUnprocessableEntity ||
			!strings.Contains(string(body), "Dữ liệu chưa hợp lệ") {
			t.Errorf("%s: status %d: %.200s", q, status, body)
		}
	}
	// A clerk whose unit never issued has no outgoing register yet.
	status, _, body = printoutGet(t, e.app, e.cB, "/outgoing/register.pdf")
	if status != http.StatusUnprocessableEntity || !strings.Contains(string(body), "chưa có sổ văn bản đi") {
		t.Errorf("no register: status %d: %.300s", status, body)
	}
	// An incoming register is not an outgoing one.
	doc := printoutRegister(t, e.app, e.clerk, printoutMeta(7, "Văn bản đến"))
	if status, _, _ := printoutGet(t, e.app, e.clerk, fmt.Sprintf("/outgoing/register.pdf?register_id=%d", doc.RegisterID)); status != http.StatusNotFound {
		t.Errorf("incoming register as outgoing: status %d", status)
	}
	// A reader above the clearance of a classified entry does not see it.
	e.app.Exec(`UPDATE documents SET confidentiality = 'mat' WHERE id = $1`, docs[0].ID)
	_, _, body = printoutGet(t, e.app, e.clerk, "/outgoing/register.pdf?from=01/04/2026&to=30/04/2026")
	if strings.Contains(printoutText(t, body), "1-CV/TU") {
		t.Error("a clerk without clearance sees a Mật entry")
	}
	secret := e.app.Token(e.app.User("vanthu.mat", e.unit, identity.RoleClerk, identity.ClearanceMat))
	_, _, body = printoutGet(t, e.app, secret, "/outgoing/register.pdf?from=01/04/2026&to=30/04/2026")
	if !strings.Contains(printoutText(t, body), "1-CV/TU") {
		t.Error("a cleared clerk does not see the Mật entry")
	}
}
