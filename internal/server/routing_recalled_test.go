package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"vanthu/internal/edxml"
	"vanthu/internal/identity"
)

// A copy its sender recalled is frozen: once registered, it can be
// neither presented, directed, closed, nor its assignments accepted,
// progressed, completed or re-assigned — a Vietnamese 409 each time,
// nothing written — and the page offers none of these. The same holds for
// a document imported by edXML and then recalled by a business code 1
// envelope.
func TestRecalledCopiesCannotBeHandled(t *testing.T) {
	e := newOgEnv(t)
	tok := func(login string, unit int64, role identity.Role) string {
		return e.app.Token(e.app.User(login, unit, role, identity.ClearanceNone))
	}
	leaderA, handlerA := tok("lanhdaoa", e.a, identity.RoleLeader), tok("chuyenviena", e.a, identity.RoleHandler)
	leaderB := tok("lanhdaob", e.b, identity.RoleLeader)
	handlerAID := (e.app.QueryInt(`SELECT id FROM users WHERE login = 'chuyenviena'`))
	leaderBID := (e.app.QueryInt(`SELECT id FROM users WHERE login = 'lanhdaob'`))

	iss := e.issue(e.meta())
	var rs struct{ Items []ogRecipient }
	e.call(e.drafter, "GET", fmt.Sprintf("/api/v1/outgoing/%d/recipients", iss.ID), nil, http.StatusOK, &rs)
	copyA, copyB := *rs.Items[0].DeliveredDocumentID, *rs.Items[1].DeliveredDocumentID
	e.call(e.cA, "POST", fmt.Sprintf("/api/v1/incoming/%d/register", copyA), nil, http.StatusOK, nil)
	e.call(e.cB, "POST", fmt.Sprintf("/api/v1/incoming/%d/register", copyB), nil, http.StatusOK, nil)
	var dir struct {
		Assignments []struct {
			ID int64 `json:"id"`
		} `json:"assignments"`
	}
	e.call(leaderA, "POST", fmt.Sprintf("/api/v1/documents/%d/directions", copyA),
		map[string]any{"body": "Đồng chí nghiên cứu, đề xuất.", "lead": map[string]int64{"user_id": handlerAID}}, http.StatusCreated, &dir)
	assignment := dir.Assignments[0].ID

	e.call(e.clerk, "POST", fmt.Sprintf("/api/v1/outgoing/%d/recall", iss.ID), map[string]string{"reason": "Ban hành nhầm"}, http.StatusOK, nil)

	refused := func(token, path string, body any) {
		t.Helper()
		var p apiProblem
		e.call(token, "POST", path, body, http.StatusConflict, &p)
		if !strings.Contains(p.Detail, "thu hồi") {
			t.Fatalf("POST %s: %q does not say the copy was recalled", path, p.Detail)
		}
	}
	before := e.app.QueryInt(`SELECT count(*) FROM document_events WHERE document_id IN ($1, $2)`, copyA, copyB)
	refused(e.cB, fmt.Sprintf("/api/v1/documents/%d/present", copyB), map[string]int64{"leader_id": leaderBID})
	refused(leaderB, fmt.Sprintf("/api/v1/documents/%d/directions", copyB),
		map[string]any{"body": "Giao phòng nghiên cứu", "lead": map[string]int64{"unit_id": e.b}})
	refused(leaderB, fmt.Sprintf("/api/v1/documents/%d/close", copyB), map[string]string{"result": "luu_ho_so"})
	a := fmt.Sprintf("/api/v1/assignments/%d", assignment)
	refused(handlerA, a+"/accept", nil)
	refused(handlerA, a+"/progress", map[string]any{"percent": 50, "note": "Đang làm"})
	refused(handlerA, a+"/complete", map[string]string{"result": "Đã xong"})
	refused(handlerA, a+"/return", map[string]string{"reason": "Không thuộc lĩnh vực"})
	if after := e.app.QueryInt(`SELECT count(*) FROM document_events WHERE document_id IN ($1, $2)`, copyA, copyB); after != before {
		t.Fatalf("refused actions wrote %d timeline entries", after-before)
	}
	if n := e.app.QueryInt(`SELECT count(*) FROM assignments WHERE id = $1 AND status = 'assigned' AND progress = 0`, assignment); n != 1 {
		t.Fatal("the refused actions changed the assignment")
	}

	// The pages offer nothing and say why.
	_, body := getPage(t, e.app.Login("vanthub", ""), fmt.Sprintf("/documents/%d", copyB))
	if !testID(body, "routing-recalled") || testID(body, "present-form") || testID(body, "close-form") {
		t.Fatal("the clerk's page of a recalled copy still offers handling")
	}
	_, body = getPage(t, e.app.Login("chuyenviena", ""), fmt.Sprintf("/documents/%d", copyA))
	if !testID(body, "routing-recalled") || strings.Contains(body, fmt.Sprintf("/assignments/%d/accept", assignment)) {
		t.Fatal("the handler's page of a recalled copy still offers the assignment's actions")
	}

	// An imported document, registered, then recalled by its sender.
	m := richMessage("x")
	m.Attachments = m.Attachments[:1]
	got, _ := e.importEnvelope(e.cB, "", build(t, m), http.StatusCreated)
	e.call(e.cB, "POST", fmt.Sprintf("/api/v1/incoming/%d/register", got.ID), nil, http.StatusOK, nil)
	rc := m
	rc.Business = edxml.Business{DocType: edxml.BusinessRecall, DocReason: "Ban hành nhầm"}
	rc.Attachments = nil
	e.importEnvelope(e.cB, "", build(t, rc), http.StatusOK)
	refused(e.cB, fmt.Sprintf("/api/v1/documents/%d/present", got.ID), map[string]int64{"leader_id": leaderBID})
	refused(leaderB, fmt.Sprintf("/api/v1/documents/%d/directions", got.ID),
		map[string]any{"body": "Giao phòng nghiên cứu", "lead": map[string]int64{"unit_id": e.b}})
}
