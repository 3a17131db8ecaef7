package server_test

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"vanthu/internal/identity"
	"vanthu/internal/testkit"
)

func TestAdminSeesLoginEntriesFilteredByActor(t *testing.T) {
	a := startWithAdmin(t)
	vp := a.Unit("Văn phòng Tỉnh ủy", "body", 0)
	a.User("chuyenvien", vp, identity.RoleHandler, identity.ClearanceNone)
	a.User("vanthu", vp, identity.RoleClerk, identity.ClearanceNone)
	a.Login("chuyenvien", "")
	a.Login("vanthu", "")
	resp := a.NewClient().PostForm("/login", url.Values{"login": {"chuyenvien"}, "password": {"sai-mat-khau"}})
	expectStatus(t, resp, http.StatusUnauthorized)

	body := expectStatus(t, a.c.Get("/admin/audit?actor=chuyen&action=login"), http.StatusOK)
	for _, want := range []string{`data-testid="audit-table"`, `data-action="login.success" data-actor="chuyenvien"`,
		`data-action="login.failure" data-actor="chuyenvien"`, "Thành công", "Thất bại", "Người thực hiện", "Địa chỉ IP"} {
		if !strings.Contains(body, want) {
			t.Errorf("audit page lacks %q", want)
		}
	}
	if strings.Contains(body, `data-actor="vanthu"`) || strings.Contains(body, `data-actor="quantri"`) {
		t.Fatal("the actor filter lets other people's entries through")
	}
	// Timestamps are shown dd/mm/yyyy HH:MM:SS.
	if !strings.Contains(body, "/20") || !strings.Contains(body, `<time datetime="`) {
		t.Fatal("no formatted timestamp")
	}

	// Outcome filter and a date range that excludes everything.
	body = expectStatus(t, a.c.Get("/admin/audit?actor=chuyenvien&outcome=failure"), http.StatusOK)
	if strings.Contains(body, `data-action="login.success"`) || !strings.Contains(body, `data-action="login.failure"`) {
		t.Fatal("outcome filter does not filter")
	}
	body = expectStatus(t, a.c.Get("/admin/audit?from=01/01/2020&to=31/12/2020"), http.StatusOK)
	if !strings.Contains(body, `data-testid="audit-empty"`) {
		t.Fatal("a range without entries must show the empty state")
	}
	body = expectStatus(t, a.c.Get("/admin/audit?from=31/02/2026"), http.StatusUnprocessableEntity)
	if !strings.Contains(body, `data-testid="from-error"`) || !strings.Contains(body, "dd/mm/yyyy") {
		t.Fatal("a bad date needs a field message")
	}
	body = expectStatus(t, a.c.Get("/admin/audit?cursor=rac"), http.StatusUnprocessableEntity)
	if !strings.Contains(body, "phân trang") {
		t.Fatal("a bad cursor needs a Vietnamese message")
	}

	// Paging: more than one page gives "Trang sau", which leads on.
	for range 30 {
		expectStatus(t, a.NewClient().PostForm("/login", url.Values{"login": {"khongai"}, "password": {"x"}}), http.StatusUnauthorized)
	}
	body = expectStatus(t, a.c.Get("/admin/audit?actor=khongai"), http.StatusOK)
	if strings.Count(body, `data-testid="audit-row"`) != 30 || strings.Contains(body, "Trang sau") {
		t.Fatalf("30 entries should fit on one page")
	}
	for range 30 {
		expectStatus(t, a.NewClient().PostForm("/login", url.Values{"login": {"khongai"}, "password": {"x"}}), http.StatusUnauthorized)
	}
	body = expectStatus(t, a.c.Get("/admin/audit?actor=khongai"), http.StatusOK)
	i := strings.Index(body, `href="/admin/audit?`)
	if strings.Count(body, `data-testid="audit-row"`) != 50 || !strings.Contains(body, "Trang sau") || i < 0 {
		t.Fatal("60 entries: want 50 and a next page")
	}
	next := body[i+len(`href="`):]
	next = strings.ReplaceAll(next[:strings.Index(next, `"`)], "&amp;", "&")
	body = expectStatus(t, a.c.Get(next), http.StatusOK)
	if n := strings.Count(body, `data-testid="audit-row"`); n != 10 {
		t.Fatalf("second page has %d rows, want 10", n)
	}

	if n := a.QueryInt(`SELECT count(*) FROM audit_log WHERE action = 'audit.view' AND outcome = 'success' AND actor_login = 'quantri'`); n < 4 {
		t.Fatalf("audit views audited %d times", n)
	}
}

func TestLeaderGetsNotFoundForTheAuditLog(t *testing.T) {
	app := testkit.Start(t)
	vp := app.Unit("Văn phòng Tỉnh ủy", "body", 0)
	app.User("lanhdao", vp, identity.RoleLeader, identity.ClearanceMat)
	c := app.Login("lanhdao", "")
	expectStatus(t, c.Get("/admin/audit"), http.StatusNotFound)
	expectStatus(t, c.Get("/admin/audit.csv"), http.StatusNotFound)
	if n := app.QueryInt(`SELECT count(*) FROM audit_log WHERE actor_login = 'lanhdao' AND outcome = 'denied'`); n != 2 {
		t.Fatalf("refusals audited %d times, want 2", n)
	}
}

func TestAuditCSVExport(t *testing.T) {
	a := startWithAdmin(t)
	vp := a.Unit("Văn phòng Tỉnh ủy", "body", 0)
	a.User("chuyenvien", vp, identity.RoleHandler, identity.ClearanceNone)
	a.User("vanthu", vp, identity.RoleClerk, identity.ClearanceNone)
	a.Login("chuyenvien", "")
	a.Login("vanthu", "")
	expectStatus(t, a.NewClient().PostForm("/login", url.Values{"login": {"chuyenvien"}, "password": {"sai"}}), http.StatusUnauthorized)
	// A typed login that a spreadsheet would run as a formula.
	expectStatus(t, a.NewClient().PostForm("/login", url.Values{"login": {"=HYPERLINK(\"x\")"}, "password": {"sai"}}), http.StatusUnauthorized)

	resp := a.c.Get("/admin/audit.csv?actor=chuyenvien")
	body := expectStatus(t, resp, http.StatusOK)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") || !strings.Contains(ct, "utf-8") {
		t.Fatalf("Content-Type = %q", ct)
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, ".csv") {
		t.Fatalf("Content-Disposition = %q", cd)
	}
	if !strings.HasPrefix(body, "\xEF\xBB\xBF") {
		t.Fatal("no UTF-8 byte-order mark")
	}
	records, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\xEF\xBB\xBF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(records) < 1 || records[0][0] != "Thời gian (giờ Việt Nam)" || records[0][3] != "Người thực hiện" || records[0][5] != "Hành động" {
		t.Fatalf("header row = %v", records[0])
	}
	rows := records[1:]
	want := a.QueryInt(`SELECT count(*) FROM audit_log WHERE actor_login LIKE 'chuyenvien%'`)
	if int64(len(rows)) != want || want < 2 {
		t.Fatalf("%d rows, want %d", len(rows), want)
	}
	var actions []string
	for _, r := range rows {
		if r[3] != "chuyenvien" {
			t.Fatalf("row of another actor: %v", r)
		}
		actions = append(actions, r[5])
		if len(r[0]) != len("02/01/2006 15:04:05") {
			t.Fatalf("time %q is not dd/mm/yyyy HH:MM:SS", r[0])
		}
	}
	// Newest first: the failed login came after the successful one.
	if actions[0] != "login.failure" || actions[len(actions)-1] != "login.success" {
		t.Fatalf("actions in order %v", actions)
	}
	if n := a.QueryInt(`SELECT count(*) FROM audit_log WHERE action = 'audit.export' AND outcome = 'success'
		AND details->>'actor' = 'chuyenvien' AND (details->>'rows')::int = $1`, len(rows)); n != 1 {
		t.Fatal("export not audited")
	}

	// Cells that look like formulas are neutralised.
	body = expectStatus(t, a.c.Get("/admin/audit.csv?action=login.failure"), http.StatusOK)
	if !bytes.Contains([]byte(body), []byte(`'=HYPERLINK(`)) {
		t.Fatalf("formula not neutralised:\n%s", body)
	}
	// A bad filter is refused before anything is sent.
	expectStatus(t, a.c.Get("/admin/audit.csv?outcome=maybe"), http.StatusUnprocessableEntity)
}
