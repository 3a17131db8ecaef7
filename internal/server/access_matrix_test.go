package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"vanthu/internal/identity"
	"vanthu/internal/testkit"
)

// TestAccessMatrix checks every route that decides on role or unit scope,
// for every role, on units of the caller's own province and of another
// province, through a browser session and (for the API) a bearer token.
//
// No route here depends on clearance yet: the units directory, merges and
// the outgoing document below are not confidential. Clearance filtering is
// covered in internal/access/access_test.go (RecordPredicate).
//
// The outgoing routes read one document issued by the own province to one
// of its communes: the province's people and the administrators see it; the
// commune's handler (who only gets a delivered copy) and a clerk of the
// other province are outsiders and get 404, never 403.
func TestAccessMatrix(t *testing.T) {
	app := testkit.Start(t)
	root := app.Unit("Ban Chấp hành Trung ương Đảng", "central", 0)
	own := app.Unit("Tỉnh ủy Một", "province", root)
	ownA := app.Unit("Đảng ủy xã Một A", "commune", own)
	ownB := app.Unit("Đảng ủy xã Một B", "commune", own)
	ownC := app.Unit("Đảng ủy xã Một C", "commune", own)
	other := app.Unit("Tỉnh ủy Hai", "province", root)
	otherA := app.Unit("Đảng ủy xã Hai A", "commune", other)
	otherB := app.Unit("Đảng ủy xã Hai B", "commune", other)
	otherC := app.Unit("Đảng ủy xã Hai C", "commune", other)

	type who struct {
		role    identity.Role
		unit    int64
		session *testkit.Client
		token   string
	}
	people := map[string]*who{
		"admin":      {role: identity.RoleAdmin, unit: root},
		"unit_admin": {role: identity.RoleUnitAdmin, unit: own},
		"leader":     {role: identity.RoleLeader, unit: own},
		"clerk":      {role: identity.RoleClerk, unit: own},
		"handler":    {role: identity.RoleHandler, unit: ownA},
		"outsider":   {role: identity.RoleClerk, unit: other},
	}
	for name, p := range people {
		login := strings.ReplaceAll(name, "_", ".")
		u := app.User(login, p.unit, p.role, identity.ClearanceTuyetMat)
		secret := ""
		if p.role == identity.RoleAdmin || p.role == identity.RoleUnitAdmin {
			secret = app.EnableTOTP(u)
		}
		p.session = app.Login(login, secret)
		p.token = app.Token(u)
	}
	people["anonymous"] = &who{session: app.NewClient()}

	today := time.Now().UTC().Format(time.DateOnly)
	merge := func(sources []int64, target int64) string {
		return fmt.Sprintf(`{"sources": [%d, %d], "target_id": %d, "effective_date": %q, "legal_basis": "Quyết định 1-QĐ/TW", "dry_run": true}`,
			sources[0], sources[1], target, today)
	}
	app.Exec(`UPDATE units SET symbol = 'TU' WHERE id = $1`, own)
	doc := issueForMatrix(t, app, people["leader"].token, people["clerk"].token, ownA)
	type route struct {
		name, method, path, body string
		api                      bool
		download                 bool // a page route answering a file, not HTML
	}
	var (
		adminUnits    = route{name: "admin units", method: "GET", path: "/admin/units"}
		adminUsers    = route{name: "admin users", method: "GET", path: "/admin/users"}
		adminAudit    = route{name: "admin audit", method: "GET", path: "/admin/audit"}
		unitOwn       = route{name: "unit of own province", method: "GET", path: fmt.Sprintf("/api/v1/units/%d", ownA), api: true}
		unitOther     = route{name: "unit of other province", method: "GET", path: fmt.Sprintf("/api/v1/units/%d", otherA), api: true}
		mergeOwn      = route{name: "merge in own province", method: "POST", path: "/api/v1/units/merge", body: merge([]int64{ownA, ownB}, ownC), api: true}
		mergeOther    = route{name: "merge in other province", method: "POST", path: "/api/v1/units/merge", body: merge([]int64{otherA, otherB}, otherC), api: true}
		mergeAcross   = route{name: "merge own units into other province", method: "POST", path: "/api/v1/units/merge", body: merge([]int64{ownA, ownB}, otherC), api: true}
		mergeProvince = route{name: "merge own province itself", method: "POST", path: "/api/v1/units/merge", body: merge([]int64{own, other}, root), api: true}

		og            = fmt.Sprintf("/outgoing/%d", doc)
		ogAPI         = fmt.Sprintf("/api/v1/outgoing/%d", doc)
		ogPage        = route{name: "outgoing page", method: "GET", path: og}
		ogTracking    = route{name: "outgoing tracking fragment", method: "GET", path: og + "/tracking"}
		ogEDXML       = route{name: "outgoing edXML download", method: "GET", path: fmt.Sprintf("/documents/%d/edxml", doc), download: true}
		ogGet         = route{name: "outgoing API", method: "GET", path: ogAPI, api: true}
		ogVersions    = route{name: "outgoing versions API", method: "GET", path: ogAPI + "/versions", api: true}
		ogTrackingAPI = route{name: "outgoing tracking API", method: "GET", path: ogAPI + "/tracking", api: true}
		ogRecipients  = route{name: "outgoing recipients API", method: "GET", path: ogAPI + "/recipients", api: true}
		ogEDXMLAPI    = route{name: "outgoing edXML API", method: "GET", path: fmt.Sprintf("/api/v1/documents/%d/edxml", doc), api: true}
	)
	const (
		ok   = http.StatusOK
		no   = http.StatusNotFound // admin screens hide from those who may not use them
		deny = http.StatusForbidden
		auth = http.StatusUnauthorized
		away = http.StatusSeeOther // a browser without a session goes to /login
	)
	matrix := []struct {
		route route
		want  map[string]int
	}{
		{adminUnits, map[string]int{"admin": ok, "unit_admin": ok, "leader": no, "clerk": no, "handler": no, "anonymous": away}},
		{adminUsers, map[string]int{"admin": ok, "unit_admin": ok, "leader": no, "clerk": no, "handler": no, "anonymous": away}},
		{adminAudit, map[string]int{"admin": ok, "unit_admin": no, "leader": no, "clerk": no, "handler": no, "anonymous": away}},
		{unitOwn, map[string]int{"admin": ok, "unit_admin": ok, "leader": ok, "clerk": ok, "handler": ok, "anonymous": auth}},
		{unitOther, map[string]int{"admin": ok, "unit_admin": ok, "leader": ok, "clerk": ok, "handler": ok, "anonymous": auth}},
		{mergeOwn, map[string]int{"admin": ok, "unit_admin": ok, "leader": deny, "clerk": deny, "handler": deny, "anonymous": auth}},
		{mergeOther, map[string]int{"admin": ok, "unit_admin": deny, "leader": deny, "clerk": deny, "handler": deny, "anonymous": auth}},
		{mergeAcross, map[string]int{"admin": ok, "unit_admin": deny, "leader": deny, "clerk": deny, "handler": deny, "anonymous": auth}},
		// The unit admin manages the province but not its parent or siblings.
		{mergeProvince, map[string]int{"admin": ok, "unit_admin": deny, "leader": deny, "clerk": deny, "handler": deny, "anonymous": auth}},
		// An outgoing document of the own province (see above).
		{ogPage, map[string]int{"admin": ok, "unit_admin": ok, "leader": ok, "clerk": ok, "handler": no, "outsider": no, "anonymous": away}},
		{ogTracking, map[string]int{"admin": ok, "unit_admin": ok, "leader": ok, "clerk": ok, "handler": no, "outsider": no, "anonymous": away}},
		{ogEDXML, map[string]int{"admin": ok, "unit_admin": ok, "leader": ok, "clerk": ok, "handler": no, "outsider": no, "anonymous": away}},
		{ogGet, map[string]int{"admin": ok, "unit_admin": ok, "leader": ok, "clerk": ok, "handler": no, "outsider": no, "anonymous": auth}},
		{ogVersions, map[string]int{"admin": ok, "unit_admin": ok, "leader": ok, "clerk": ok, "handler": no, "outsider": no, "anonymous": auth}},
		{ogTrackingAPI, map[string]int{"admin": ok, "unit_admin": ok, "leader": ok, "clerk": ok, "handler": no, "outsider": no, "anonymous": auth}},
		{ogRecipients, map[string]int{"admin": ok, "unit_admin": ok, "leader": ok, "clerk": ok, "handler": no, "outsider": no, "anonymous": auth}},
		{ogEDXMLAPI, map[string]int{"admin": ok, "unit_admin": ok, "leader": ok, "clerk": ok, "handler": no, "outsider": no, "anonymous": auth}},
	}

	send := func(c *http.Client, token string, r route) (int, string, http.Header) {
		t.Helper()
		var body io.Reader
		if r.body != "" {
			body = strings.NewReader(r.body)
		}
		req, _ := http.NewRequest(r.method, app.URL+r.path, body)
		if r.body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), resp.Header
	}
	before := tableCounts(app)
	for _, m := range matrix {
		for name, want := range m.want {
			p := people[name]
			t.Run(m.route.name+"/"+name+"/session", func(t *testing.T) {
				status, body, h := send(p.session.Client, "", m.route)
				if status != want {
					t.Fatalf("%s %s as %s = %d, want %d: %.300s", m.route.method, m.route.path, name, status, want, body)
				}
				switch {
				case status == away && !strings.HasPrefix(h.Get("Location"), "/login?next="):
					t.Errorf("redirect to %q, want the login page", h.Get("Location"))
				case status >= 400 && m.route.api && !strings.HasPrefix(h.Get("Content-Type"), "application/problem+json"):
					t.Errorf("API refusal Content-Type %q", h.Get("Content-Type"))
				case status == ok && !m.route.api && !m.route.download && !strings.HasPrefix(h.Get("Content-Type"), "text/html"):
					t.Errorf("page Content-Type %q", h.Get("Content-Type"))
				case status == ok && m.route.download && !strings.HasPrefix(h.Get("Content-Disposition"), "attachment"):
					t.Errorf("download Content-Disposition %q", h.Get("Content-Disposition"))
				}
			})
			if m.route.api && p.token != "" {
				t.Run(m.route.name+"/"+name+"/token", func(t *testing.T) {
					if status, body, _ := send(http.DefaultClient, p.token, m.route); status != want {
						t.Fatalf("%s %s as %s with a token = %d, want %d: %.300s", m.route.method, m.route.path, name, status, want, body)
					}
				})
			}
		}
	}
	if after := tableCounts(app); after != before {
		t.Errorf("dry runs changed the database: %s → %s", before, after)
	}
	// Refusals are audited: admin screens and merges alike.
	if n := app.QueryInt(`SELECT count(*) FROM audit_log WHERE action = 'admin.access' AND outcome = 'denied'`); n < 9 {
		t.Errorf("%d denied admin.access entries, want at least 9 (3 roles × 3 screens)", n)
	}
	if n := app.QueryInt(`SELECT count(*) FROM audit_log WHERE action = 'unit.merge' AND outcome = 'denied'`); n != 2*(3*4+3) {
		t.Errorf("%d denied unit.merge entries, want %d", n, 2*(3*4+3))
	}
	// Outsiders opening the outgoing page or its edXML are audited too.
	if n := app.QueryInt(`SELECT count(*) FROM audit_log WHERE action IN ('document.view', 'exchange.export') AND outcome = 'denied'
		AND object_id = $1`, fmt.Sprint(doc)); n < 2*2 {
		t.Errorf("%d denied views of the outgoing document audited, want at least 4", n)
	}
}

// issueForMatrix drafts (as leader, who approves it directly) and issues
// (as clerk) an outgoing document with one PDF to the unit to.
func issueForMatrix(t *testing.T, app *testkit.App, leader, clerk string, to int64) int64 {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	meta, _ := json.Marshal(map[string]any{"type_name": "Công văn", "subject": "Về việc kiểm tra quyền truy cập",
		"signer": map[string]string{"position": "Bí thư", "full_name": "Nguyễn Văn Một"}, "recipients": []map[string]any{{"unit_id": to}}})
	_ = mw.WriteField("metadata", string(meta))
	fw, _ := mw.CreateFormFile("file", "cong-van.pdf")
	_, _ = fw.Write(ogPDF)
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, app.URL+"/api/v1/outgoing", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+leader)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var d struct{ ID int64 }
	if resp.StatusCode != http.StatusCreated || json.Unmarshal(raw, &d) != nil {
		t.Fatalf("create outgoing = %d: %s", resp.StatusCode, raw)
	}
	for _, step := range []struct{ token, action string }{{leader, "approve"}, {clerk, "issue"}} {
		resp := app.Do(http.MethodPost, fmt.Sprintf("/api/v1/outgoing/%d/%s", d.ID, step.action), step.token, nil)
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s = %d: %s", step.action, resp.StatusCode, raw)
		}
	}
	return d.ID
}
