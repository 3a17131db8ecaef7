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
	"sync"
	"testing"

	"vanthu/internal/identity"
	"vanthu/internal/testkit"
)

var ogPDF = []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")

type ogEnv struct {
	t                              *testing.T
	app                            *testkit.App
	unit, a, b                     int64
	drafter, leader, clerk, cA, cB string // tokens
	outsider                       string
	clerkAID                       int64
}

func newOgEnv(t *testing.T, opts ...testkit.Option) *ogEnv {
	app := testkit.Start(t, opts...)
	e := &ogEnv{t: t, app: app}
	e.unit = app.Unit("Tỉnh ủy Thử nghiệm", "province", 0)
	e.a = app.Unit("Huyện ủy A", "district", e.unit)
	e.b = app.Unit("Huyện ủy B", "district", e.unit)
	app.Exec(`UPDATE units SET symbol = 'TU' WHERE id = $1`, e.unit)
	app.Exec(`UPDATE units SET symbol = 'HU' WHERE id = ANY($1)`, []int64{e.a, e.b})
	tok := func(login string, unit int64, role identity.Role) string {
		return app.Token(app.User(login, unit, role, identity.ClearanceNone))
	}
	e.drafter = tok("chuyenvien", e.unit, identity.RoleHandler)
	e.leader = tok("lanhdao", e.unit, identity.RoleLeader)
	e.clerk = tok("vanthu", e.unit, identity.RoleClerk)
	e.cA = tok("vanthua", e.a, identity.RoleClerk)
	e.cB = tok("vanthub", e.b, identity.RoleClerk)
	e.outsider = tok("ngoai", e.b, identity.RoleHandler)
	return e
}

// call sends JSON (or nothing) and decodes the answer into v, checking the
// status; problem details must be Vietnamese.
func (e *ogEnv) call(token, method, path string, body any, status int, v any) {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	resp := e.app.Do(method, path, token, rd)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != status {
		e.t.Fatalf("%s %s = %d, want %d: %s", method, path, resp.StatusCode, status, raw)
	}
	if status >= 400 {
		var p apiProblem
		if err := json.Unmarshal(raw, &p); err != nil || !isVietnamese(p.Detail) {
			e.t.Fatalf("%s %s: problem %s", method, path, raw)
		}
	}
	if v != nil {
		if err := json.Unmarshal(raw, v); err != nil {
			e.t.Fatalf("decode %s: %v", raw, err)
		}
	}
}

type ogDraft struct {
	ID         int64  `json:"id"`
	Status     string `json:"status"`
	Number     *int   `json:"number"`
	Symbol     string `json:"symbol"`
	IssuedDate string `json:"issued_date"`
	Files      []struct {
		ID      int64  `json:"id"`
		SHA256  string `json:"sha256"`
		Version int    `json:"version"`
	} `json:"files"`
}

type ogRecipient struct {
	UnitID              *int64  `json:"unit_id"`
	OrganName           string  `json:"organ_name"`
	DeliveredDocumentID *int64  `json:"delivered_document_id"`
	Status              *string `json:"status"`
	RejectReason        string  `json:"reject_reason"`
	RecalledAt          *string `json:"recalled_at"`
}

func (e *ogEnv) create(token string, meta map[string]any, status int) ogDraft {
	e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	m, _ := json.Marshal(meta)
	_ = mw.WriteField("metadata", string(m))
	fw, _ := mw.CreateFormFile("file", "du-thao.pdf")
	_, _ = fw.Write(ogPDF)
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
	if resp.StatusCode != status {
		e.t.Fatalf("POST /api/v1/outgoing = %d, want %d: %s", resp.StatusCode, status, raw)
	}
	var d ogDraft
	_ = json.Unmarshal(raw, &d)
	return d
}

func (e *ogEnv) meta() map[string]any {
	return map[string]any{"type_name": "Công văn", "subject": "V/v báo cáo sơ kết 6 tháng", "priority": "khan",
		"signer":     map[string]string{"position": "Bí thư", "full_name": "Nguyễn Văn A"},
		"recipients": []map[string]any{{"unit_id": e.a}, {"unit_id": e.b}, {"organ_name": "Bộ Nội vụ"}}, "unit_id": e.unit}
}

func TestAPIOutgoingFlow(t *testing.T) {
	e := newOgEnv(t)
	d := e.create(e.drafter, e.meta(), http.StatusCreated)
	if d.Status != "draft" || len(d.Files) != 1 || d.Files[0].Version != 1 {
		t.Fatalf("draft = %+v", d)
	}
	sum := sha256.Sum256(ogPDF)
	if d.Files[0].SHA256 != hex.EncodeToString(sum[:]) {
		t.Fatalf("sha256 = %s", d.Files[0].SHA256)
	}
	p := fmt.Sprintf("/api/v1/outgoing/%d", d.ID)

	e.call(e.clerk, "POST", p+"/issue", nil, http.StatusConflict, nil)      // not approved
	e.call(e.drafter, "POST", p+"/approve", nil, http.StatusForbidden, nil) // not a leader
	e.call(e.outsider, "POST", p+"/approve", nil, http.StatusNotFound, nil) // not visible
	e.call(e.leader, "POST", p+"/approve", nil, http.StatusOK, nil)
	e.call(e.leader, "POST", p+"/issue", nil, http.StatusForbidden, nil) // not a clerk
	var iss ogDraft
	e.call(e.clerk, "POST", p+"/issue", nil, http.StatusOK, &iss)
	if iss.Status != "issued" || iss.Number == nil || *iss.Number != 1 || iss.Symbol != "1-CV/TU" || iss.IssuedDate == "" {
		t.Fatalf("issued = %+v", iss)
	}

	var rs struct{ Items []ogRecipient }
	e.call(e.drafter, "GET", p+"/recipients", nil, http.StatusOK, &rs)
	if len(rs.Items) != 3 || *rs.Items[0].Status != "01" || *rs.Items[1].Status != "01" || rs.Items[2].Status != nil {
		t.Fatalf("recipients = %+v", rs.Items)
	}
	copyA, copyB := *rs.Items[0].DeliveredDocumentID, *rs.Items[1].DeliveredDocumentID

	// Each recipient clerk sees the copy, with the same bytes.
	for _, c := range []struct {
		tok string
		id  int64
	}{{e.cA, copyA}, {e.cB, copyB}} {
		var doc struct {
			Status    string `json:"status"`
			Direction string `json:"direction"`
			OrganName string `json:"organ_name"`
			Files     []struct {
				ID     int64  `json:"id"`
				SHA256 string `json:"sha256"`
			} `json:"files"`
		}
		e.call(c.tok, "GET", fmt.Sprintf("/api/v1/documents/%d", c.id), nil, http.StatusOK, &doc)
		if doc.Status != "01" || doc.Direction != "incoming" || doc.OrganName != "Tỉnh ủy Thử nghiệm" || len(doc.Files) != 1 ||
			doc.Files[0].SHA256 != d.Files[0].SHA256 || doc.Files[0].ID != d.Files[0].ID {
			t.Fatalf("copy %d = %+v", c.id, doc)
		}
	}
	if n := e.app.QueryInt(`SELECT count(*) FROM files`); n != 1 {
		t.Fatalf("%d files rows, want 1 (copies reference, never copy)", n)
	}

	e.call(e.cB, "POST", fmt.Sprintf("/api/v1/incoming/%d/register", copyA), nil, http.StatusNotFound, nil)
	var reg struct {
		Status        string `json:"status"`
		ArrivalNumber *int   `json:"arrival_number"`
	}
	e.call(e.cA, "POST", fmt.Sprintf("/api/v1/incoming/%d/register", copyA), nil, http.StatusOK, &reg)
	if reg.Status != "03" || reg.ArrivalNumber == nil || *reg.ArrivalNumber != 1 {
		t.Fatalf("register = %+v", reg)
	}
	e.call(e.drafter, "GET", p+"/recipients", nil, http.StatusOK, &rs)
	if *rs.Items[0].Status != "03" || *rs.Items[1].Status != "01" {
		t.Fatalf("after register: %s %s", *rs.Items[0].Status, *rs.Items[1].Status)
	}
	e.call(e.cB, "POST", fmt.Sprintf("/api/v1/incoming/%d/reject", copyB), map[string]string{"reason": ""}, http.StatusUnprocessableEntity, nil)
	e.call(e.cB, "POST", fmt.Sprintf("/api/v1/incoming/%d/reject", copyB), map[string]string{"reason": "Không thuộc thẩm quyền"}, http.StatusOK, nil)
	e.call(e.drafter, "GET", p+"/recipients", nil, http.StatusOK, &rs)
	if *rs.Items[0].Status != "03" || *rs.Items[1].Status != "02" || rs.Items[1].RejectReason != "Không thuộc thẩm quyền" {
		t.Fatalf("after reject: %+v", rs.Items)
	}

	e.call(e.cA, "POST", p+"/recall", nil, http.StatusNotFound, nil)
	e.call(e.clerk, "POST", p+"/recall", map[string]string{"reason": "Sai sót nội dung"}, http.StatusOK, nil)
	e.call(e.drafter, "GET", p+"/recipients", nil, http.StatusOK, &rs)
	if rs.Items[0].RecalledAt == nil || rs.Items[1].RecalledAt == nil {
		t.Fatalf("after recall: %+v", rs.Items)
	}
	var got ogDraft
	e.call(e.drafter, "GET", p, nil, http.StatusOK, &got)
	if got.Status != "recalled" {
		t.Fatalf("status = %s", got.Status)
	}
}

func TestAPIOutgoingReturnAndValidation(t *testing.T) {
	e := newOgEnv(t)
	bad := e.meta()
	delete(bad, "subject")
	bad["recipients"] = []map[string]any{}
	e.create(e.drafter, bad, http.StatusUnprocessableEntity)
	d := e.create(e.drafter, e.meta(), http.StatusCreated)
	p := fmt.Sprintf("/api/v1/outgoing/%d", d.ID)
	e.call(e.leader, "POST", p+"/return", map[string]string{"reason": " "}, http.StatusUnprocessableEntity, nil)
	var r ogDraft
	e.call(e.leader, "POST", p+"/return", map[string]string{"reason": "Bổ sung số liệu"}, http.StatusOK, &r)
	if r.Status != "returned" {
		t.Fatalf("status = %s", r.Status)
	}
	e.call(e.clerk, "POST", p+"/issue", nil, http.StatusConflict, nil)
	e.call(e.drafter, "GET", "/api/v1/outgoing/abc", nil, http.StatusNotFound, nil)
}

// Twenty issues at once over the API: numbers 1…20 in the one register.
func TestAPIOutgoingConcurrentIssue(t *testing.T) {
	e := newOgEnv(t)
	const n = 20
	ids := make([]int64, n)
	for i := range ids {
		d := e.create(e.drafter, e.meta(), http.StatusCreated)
		e.call(e.leader, "POST", fmt.Sprintf("/api/v1/outgoing/%d/approve", d.ID), nil, http.StatusOK, nil)
		ids[i] = d.ID
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	seen := map[string]bool{}
	for _, id := range ids {
		wg.Go(func() {
			resp := e.app.Do("POST", fmt.Sprintf("/api/v1/outgoing/%d/issue", id), e.clerk, nil)
			defer resp.Body.Close()
			var d ogDraft
			raw, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusOK || json.Unmarshal(raw, &d) != nil {
				t.Errorf("issue %d: %d %s", id, resp.StatusCode, raw)
				return
			}
			mu.Lock()
			seen[d.Symbol] = true
			mu.Unlock()
		})
	}
	wg.Wait()
	for i := 1; i <= n; i++ {
		if !seen[fmt.Sprintf("%d-CV/TU", i)] {
			t.Fatalf("symbols = %v", seen)
		}
	}
	if got := e.app.QueryInt(`SELECT count(*) FROM documents WHERE direction = 'incoming' AND status = '01' AND source_document_id IS NOT NULL`); got != 2*n {
		t.Fatalf("%d delivered copies, want %d", got, 2*n)
	}
}
