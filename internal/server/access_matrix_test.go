package server_test

import (
	"fmt"
	"io"
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
// No route here depends on clearance yet: the units directory and merges
// are not confidential. Clearance filtering is covered in
// internal/access/access_test.go (RecordPredicate) and belongs in this
// matrix once document routes exist.
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
	type route struct {
		name, method, path, body string
		api                      bool
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
				case status == ok && !m.route.api && !strings.HasPrefix(h.Get("Content-Type"), "text/html"):
					t.Errorf("admin page Content-Type %q", h.Get("Content-Type"))
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
}
