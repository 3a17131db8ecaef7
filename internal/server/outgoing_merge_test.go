package server_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"vanthu/internal/identity"
)

type mergeReport struct {
	DryRun bool `json:"dry_run"`
	Moved  []struct {
		Hook  string   `json:"hook"`
		Moved int      `json:"moved"`
		Items []string `json:"items"`
	} `json:"moved"`
}

func (r mergeReport) items(hook string) []string {
	for _, m := range r.Moved {
		if m.Hook == hook {
			return m.Items
		}
	}
	return nil
}

// A real merge of unit A into unit B: A's drafts in progress go to B, its
// issued document stays A's, its outgoing register moves once (numbering
// continues at B), and drafts elsewhere addressed to A now name B.
func TestOutgoingDraftsMoveOnMerge(t *testing.T) {
	e := newOgEnv(t)
	tok := func(login string, unit int64, role identity.Role) string {
		return e.app.Token(e.app.User(login, unit, role, identity.ClearanceNone))
	}
	hA, lA := tok("chuyenviena", e.a, identity.RoleHandler), tok("lanhdaoa", e.a, identity.RoleLeader)
	admin := tok("quantri", e.unit, identity.RoleAdmin)
	metaA := func(subject string) map[string]any {
		return map[string]any{"type_name": "Công văn", "subject": subject, "unit_id": e.a,
			"signer":     map[string]string{"position": "Bí thư", "full_name": "Trần Văn B"},
			"recipients": []map[string]any{{"unit_id": e.unit}, {"organ_name": "Bộ Nội vụ"}}}
	}
	draft := e.create(hA, metaA("Dự thảo chưa duyệt của A"), http.StatusCreated)
	approved := e.create(hA, metaA("Dự thảo đã duyệt của A"), http.StatusCreated)
	e.call(lA, "POST", fmt.Sprintf("/api/v1/outgoing/%d/approve", approved.ID), nil, http.StatusOK, nil)
	issued := e.create(hA, metaA("Văn bản A đã phát hành"), http.StatusCreated)
	e.call(lA, "POST", fmt.Sprintf("/api/v1/outgoing/%d/approve", issued.ID), nil, http.StatusOK, nil)
	var iss ogDraft
	e.call(e.cA, "POST", fmt.Sprintf("/api/v1/outgoing/%d/issue", issued.ID), nil, http.StatusOK, &iss)
	if iss.Symbol != "1-CV/HU" {
		t.Fatalf("issued in A = %+v", iss)
	}
	// The province issued to A before (that stays history) and drafts to
	// A and B, and to A alone.
	e.issue(e.meta())
	both := e.create(e.drafter, e.meta(), http.StatusCreated)
	onlyA := e.meta()
	onlyA["recipients"] = []map[string]any{{"unit_id": e.a}}
	toA := e.create(e.drafter, onlyA, http.StatusCreated)

	unitOf := func(id int64) int64 { return e.app.QueryInt(`SELECT unit_id FROM documents WHERE id = $1`, id) }
	state := func() string {
		return fmt.Sprintf("%d %d %d %d", unitOf(draft.ID), unitOf(approved.ID), unitOf(issued.ID),
			e.app.QueryInt(`SELECT count(*) FROM registers WHERE unit_id = $1 AND kind = 'outgoing'`, e.b))
	}
	before := state()
	body := map[string]any{"sources": []int64{e.a}, "target_id": e.b, "effective_date": time.Now().UTC().Format(time.DateOnly),
		"legal_basis": "Quyết định 5-QĐ/TU", "dry_run": true}
	var preview mergeReport
	e.call(admin, "POST", "/api/v1/units/merge", body, http.StatusOK, &preview)
	drafts := preview.items("Dự thảo văn bản đi")
	want := []string{
		"Dự thảo “Dự thảo chưa duyệt của A” (Dự thảo chờ duyệt) → Huyện ủy B",
		"Dự thảo “Dự thảo đã duyệt của A” (Đã duyệt) → Huyện ủy B",
		"Nơi nhận “Huyện ủy A” của dự thảo “V/v báo cáo sơ kết 6 tháng” được bỏ vì đã hợp nhất vào Huyện ủy B",
		"Nơi nhận “Huyện ủy A” của dự thảo “V/v báo cáo sơ kết 6 tháng” → Huyện ủy B",
	}
	if !slices.Equal(drafts, want) {
		t.Fatalf("preview of drafts = %q", drafts)
	}
	var registers []string
	for _, it := range preview.items("Văn bản đang xử lý, sổ văn bản") {
		if strings.HasPrefix(it, "Sổ ") {
			registers = append(registers, it)
		}
	}
	if len(registers) != 1 || !strings.Contains(registers[0], "Huyện ủy A → Huyện ủy B") {
		t.Fatalf("registers in the preview = %q", registers)
	}
	for _, it := range preview.items("Văn bản đang xử lý, sổ văn bản") {
		if strings.Contains(it, "Văn bản A đã phát hành") || strings.Contains(it, "Dự thảo") {
			t.Errorf("routing's hook moves an outgoing document: %q", it)
		}
	}
	if after := state(); after != before {
		t.Fatalf("the preview changed the database: %s → %s", before, after)
	}

	body["dry_run"] = false
	var applied mergeReport
	e.call(admin, "POST", "/api/v1/units/merge", body, http.StatusCreated, &applied)
	if !slices.Equal(applied.items("Dự thảo văn bản đi"), want) {
		t.Fatalf("applied drafts = %q", applied.items("Dự thảo văn bản đi"))
	}
	if unitOf(draft.ID) != e.b || unitOf(approved.ID) != e.b || unitOf(issued.ID) != e.a {
		t.Fatalf("units after merge: %s", state())
	}
	if n := e.app.QueryInt(`SELECT count(*) FROM documents WHERE id = $1 AND organ_name = 'Huyện ủy B' AND organ_unit_id = $2`, approved.ID, e.b); n != 1 {
		t.Error("a moved draft still names A as its issuer")
	}
	if n := e.app.QueryInt(`SELECT count(*) FROM registers WHERE kind = 'outgoing' AND unit_id = $1`, e.b); n != 1 {
		t.Errorf("B has %d outgoing registers", n)
	}
	if n := e.app.QueryInt(`SELECT count(*) FROM outgoing_recipients WHERE unit_id = $1`, e.a); n != 1 {
		t.Errorf("%d recipient rows still name A (only the issued document's may)", n)
	}
	if got := e.app.QueryInt(`SELECT count(*) FROM outgoing_recipients WHERE document_id = $1 AND unit_id = $2`, toA.ID, e.b); got != 1 {
		t.Error("the draft addressed to A does not name B")
	}
	var receivers string
	if err := e.app.DB.QueryRow(t.Context(), `SELECT receivers FROM documents WHERE id = $1`, both.ID).Scan(&receivers); err != nil || receivers != "Huyện ủy B; Bộ Nội vụ" {
		t.Errorf("receivers of the draft to A and B = %q (%v)", receivers, err)
	}

	// B's clerk issues A's approved draft from the moved register: the
	// numbering continues.
	e.call(e.cB, "POST", fmt.Sprintf("/api/v1/outgoing/%d/issue", approved.ID), nil, http.StatusOK, &iss)
	if iss.Symbol != "2-CV/HU" {
		t.Fatalf("issued at B = %+v", iss)
	}
}
