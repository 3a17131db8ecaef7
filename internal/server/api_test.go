package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"vanthu/internal/identity"
	"vanthu/internal/org"
	"vanthu/internal/testkit"
)

// apiProblem is an RFC 9457 document as clients see it.
type apiProblem struct {
	Type      string            `json:"type"`
	Title     string            `json:"title"`
	Status    int               `json:"status"`
	Detail    string            `json:"detail"`
	Instance  string            `json:"instance"`
	RequestID string            `json:"request_id"`
	Errors    map[string]string `json:"errors"`
}

type apiUnit struct {
	ID           int64     `json:"id"`
	Code         *string   `json:"code"`
	Name         string    `json:"name"`
	Level        string    `json:"level"`
	Kind         string    `json:"kind"`
	ParentID     *int64    `json:"parent_id"`
	ValidFrom    string    `json:"valid_from"`
	ValidTo      *string   `json:"valid_to"`
	Predecessors []apiLink `json:"predecessors"`
	Successors   []apiLink `json:"successors"`
}

type apiLink struct {
	ID            int64  `json:"id"`
	Name          string `json:"name"`
	Event         string `json:"event"`
	EventID       int64  `json:"event_id"`
	EffectiveDate string `json:"effective_date"`
	LegalBasis    string `json:"legal_basis"`
}

type apiUnitList struct {
	Items      []apiUnit `json:"items"`
	NextCursor string    `json:"next_cursor"`
}

// vietnamese reports whether s has Vietnamese letters (a message meant for
// people, not a Go error string).
func isVietnamese(s string) bool {
	return strings.ContainsAny(s, "ăâđêôơưàáảãạèéẻẽẹìíỉĩịòóỏõọùúủũụỳýỷỹỵĂÂĐÊÔƠƯầấẩẫậằắẳẵặềếểễệồốổỗộờớởỡợừứửữựạ")
}

// readProblem checks that resp is a problem document with status and a
// Vietnamese detail, and returns it.
func readProblem(t *testing.T, resp *http.Response, status int) apiProblem {
	t.Helper()
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != status {
		t.Fatalf("%s %s = %d, want %d: %s", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, status, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Fatalf("Content-Type = %q, want application/problem+json: %s", ct, body)
	}
	var p apiProblem
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("problem %s: %v", body, err)
	}
	if p.Status != status || !isVietnamese(p.Detail) || !isVietnamese(p.Title) {
		t.Fatalf("problem = %+v, want status %d with a Vietnamese title and detail", p, status)
	}
	return p
}

func jsonBody(v any) io.Reader {
	if s, ok := v.(string); ok {
		return strings.NewReader(s)
	}
	b, _ := json.Marshal(v)
	return bytes.NewReader(b)
}

// listAll pages through /api/v1/units with the query and returns every item.
func listAllUnits(t *testing.T, app *testkit.App, token string, q url.Values) []apiUnit {
	t.Helper()
	var all []apiUnit
	seen := map[int64]bool{}
	for page := 0; ; page++ {
		if page > 100 {
			t.Fatal("more than 100 pages: the cursor does not advance")
		}
		resp := app.Do(http.MethodGet, "/api/v1/units?"+q.Encode(), token, nil)
		if resp.StatusCode != http.StatusOK {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			t.Fatalf("GET units %s = %d: %s", q.Encode(), resp.StatusCode, b)
		}
		var l apiUnitList
		testkit.DecodeJSON(t, resp, &l)
		for _, u := range l.Items {
			if seen[u.ID] {
				t.Fatalf("unit %d (%s) listed twice while paging %s", u.ID, u.Name, q.Encode())
			}
			seen[u.ID] = true
		}
		all = append(all, l.Items...)
		if l.NextCursor == "" {
			return all
		}
		q.Set("cursor", l.NextCursor)
	}
}

func TestAPIUnitsOnRealData(t *testing.T) {
	app := testkit.Start(t)
	if _, err := org.ImportUnits(context.Background(), app.DB, org.UnitData); err != nil {
		t.Fatal(err)
	}
	u := app.User("vanthu", 0, "", identity.ClearanceNone)
	tok := app.Token(u)

	provinces := listAllUnits(t, app, tok, url.Values{"level": {"province"}, "limit": {"500"}})
	if len(provinces) != 34 {
		t.Fatalf("%d current provinces, want 34", len(provinces))
	}
	for _, p := range provinces {
		if p.Level != "province" || p.ValidTo != nil || p.Code == nil {
			t.Errorf("province item %+v", p)
		}
	}
	// Small pages give the same list in the same order.
	small := listAllUnits(t, app, tok, url.Values{"level": {"province"}, "limit": {"7"}})
	if !slices.EqualFunc(small, provinces, func(a, b apiUnit) bool { return a.ID == b.ID }) {
		t.Errorf("paging by 7 gives a different list than one page of 500")
	}
	communes := listAllUnits(t, app, tok, url.Values{"level": {"commune"}, "limit": {"500"}})
	if len(communes) != 3321 {
		t.Fatalf("%d current communes, want 3,321", len(communes))
	}
	// History is a filter away: the 63 former provinces existed on 2025-06-30.
	former := listAllUnits(t, app, tok, url.Values{"level": {"province"}, "limit": {"500"}, "valid_on": {"2025-06-30"}})
	if len(former) != 63 {
		t.Errorf("%d provinces on 2025-06-30, want 63", len(former))
	}

	// Search without diacritics, exact-ish match first.
	found := listAllUnits(t, app, tok, url.Values{"q": {"ho chi minh"}, "limit": {"500"}})
	if len(found) == 0 || found[0].Name != "Thành ủy Hồ Chí Minh" || found[0].Level != "province" {
		t.Fatalf("q=ho chi minh: first %+v", found)
	}
	// Paging a ranked search keeps its order.
	ranked := listAllUnits(t, app, tok, url.Values{"q": {"ha"}, "limit": {"500"}})
	rankedSmall := listAllUnits(t, app, tok, url.Values{"q": {"ha"}, "limit": {"9"}})
	if len(ranked) < 20 || !slices.EqualFunc(ranked, rankedSmall, func(a, b apiUnit) bool { return a.ID == b.ID }) {
		t.Errorf("q=ha: %d results in one page, %d paging by 9, or a different order", len(ranked), len(rankedSmall))
	}

	resp := app.Do(http.MethodGet, fmt.Sprintf("/api/v1/units/%d", found[0].ID), tok, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET unit = %d", resp.StatusCode)
	}
	var hcm apiUnit
	testkit.DecodeJSON(t, resp, &hcm)
	if hcm.Code == nil || *hcm.Code != "79" || hcm.ValidFrom != "2025-07-01" || hcm.ValidTo != nil {
		t.Errorf("HCMC = %+v", hcm)
	}
	if len(hcm.Predecessors) != 3 {
		t.Fatalf("HCMC predecessors = %+v, want 3", hcm.Predecessors)
	}
	var names []string
	for _, p := range hcm.Predecessors {
		names = append(names, p.Name)
		if !strings.HasPrefix(p.EffectiveDate, "2025-07-01") || p.Event != "merge" || !strings.Contains(p.LegalBasis, "202/2025/QH15") {
			t.Errorf("predecessor link %+v", p)
		}
	}
	slices.Sort(names)
	if want := []string{"Thành ủy Hồ Chí Minh", "Tỉnh ủy Bà Rịa - Vũng Tàu", "Tỉnh ủy Bình Dương"}; !slices.Equal(names, want) {
		t.Errorf("predecessors %v, want %v", names, want)
	}
	if len(hcm.Successors) != 0 {
		t.Errorf("HCMC successors = %+v", hcm.Successors)
	}
	// A former province points to its successor.
	old := hcm.Predecessors[0]
	resp = app.Do(http.MethodGet, fmt.Sprintf("/api/v1/units/%d", old.ID), tok, nil)
	var former79 apiUnit
	testkit.DecodeJSON(t, resp, &former79)
	if former79.ValidTo == nil || *former79.ValidTo != "2025-06-30" || len(former79.Successors) != 1 || former79.Successors[0].ID != hcm.ID {
		t.Errorf("former unit %+v", former79)
	}

	// Bad parameters are 422 with field messages.
	for q, field := range map[string]string{
		"level=tinh": "level", "limit=0": "limit", "limit=501": "limit", "limit=x": "limit",
		"parent_id=x": "parent_id", "valid_on=30-06-2025x": "valid_on", "cursor=%25%25": "cursor",
	} {
		p := readProblem(t, app.Do(http.MethodGet, "/api/v1/units?"+q, tok, nil), http.StatusUnprocessableEntity)
		if !isVietnamese(p.Errors[field]) && !strings.Contains(p.Errors[field], field) {
			t.Errorf("%s: errors = %v, want a message for %s", q, p.Errors, field)
		}
	}
	readProblem(t, app.Do(http.MethodGet, "/api/v1/units/999999999", tok, nil), http.StatusNotFound)
	readProblem(t, app.Do(http.MethodGet, "/api/v1/units/abc", tok, nil), http.StatusNotFound)
}

type apiMe struct {
	ID        int64  `json:"id"`
	Login     string `json:"login"`
	Name      string `json:"name"`
	Clearance string `json:"clearance"`
	Units     []struct {
		UnitID int64  `json:"unit_id"`
		Name   string `json:"name"`
		Role   string `json:"role"`
	} `json:"units"`
}

func TestAPIMeAndAuthentication(t *testing.T) {
	app := testkit.Start(t)
	p := app.Unit("Tỉnh ủy Thử", "province", 0)
	o := app.Unit("Văn phòng Tỉnh ủy Thử", "body", p)
	u := app.User("chanhvp", p, identity.RoleLeader, identity.ClearanceToiMat)
	if err := app.Users.AddMembership(context.Background(), app.DB, u.ID, o, identity.RoleLeader, "Chánh Văn phòng"); err != nil {
		t.Fatal(err)
	}
	tok := app.Token(u)

	resp := app.Do(http.MethodGet, "/api/v1/me", tok, nil)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("GET /me = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("API Cache-Control = %q, want no-store", cc)
	}
	var me apiMe
	testkit.DecodeJSON(t, resp, &me)
	if me.ID != u.ID || me.Login != "chanhvp" || me.Name != "Người dùng chanhvp" || me.Clearance != "toi_mat" || len(me.Units) != 2 {
		t.Fatalf("me = %+v", me)
	}
	got := map[int64]string{}
	for _, m := range me.Units {
		got[m.UnitID] = m.Name + "/" + m.Role
	}
	if got[p] != "Tỉnh ủy Thử/leader" || got[o] != "Văn phòng Tỉnh ủy Thử/leader" {
		t.Fatalf("me.units = %+v", me.Units)
	}

	// No credentials.
	resp = app.Do(http.MethodGet, "/api/v1/me", "", nil)
	if h := resp.Header.Get("WWW-Authenticate"); !strings.HasPrefix(h, "Bearer") {
		t.Errorf("WWW-Authenticate = %q", h)
	}
	pr := readProblem(t, resp, http.StatusUnauthorized)
	if !strings.Contains(pr.Detail, "đăng nhập") || pr.Instance != "/api/v1/me" || pr.RequestID == "" {
		t.Errorf("401 problem = %+v", pr)
	}
	// Bad, malformed and revoked tokens.
	for _, bad := range []string{"vt_khongcomatruycapnay", "khongco", tok + "x"} {
		pr := readProblem(t, app.Do(http.MethodGet, "/api/v1/me", bad, nil), http.StatusUnauthorized)
		if !strings.Contains(pr.Detail, "Mã truy cập API không hợp lệ") {
			t.Errorf("token %q: detail %q", bad, pr.Detail)
		}
	}
	list, err := app.Users.Tokens(context.Background(), u.ID)
	if err != nil || len(list) != 1 {
		t.Fatal(list, err)
	}
	if err := app.Users.RevokeToken(context.Background(), u.ID, list[0].ID); err != nil {
		t.Fatal(err)
	}
	readProblem(t, app.Do(http.MethodGet, "/api/v1/me", tok, nil), http.StatusUnauthorized)
	if n := app.QueryInt(`SELECT count(*) FROM audit_log WHERE action = 'api_token.reject' AND outcome = 'failure'`); n != 4 {
		t.Errorf("%d api_token.reject audit entries, want 4", n)
	}
	// A token of a disabled account is refused.
	tok2 := app.Token(u)
	if err := app.Users.SetDisabled(context.Background(), u.ID, true); err != nil {
		t.Fatal(err)
	}
	readProblem(t, app.Do(http.MethodGet, "/api/v1/me", tok2, nil), http.StatusForbidden)

	// A session that has not passed the second factor is not signed in.
	adm := app.User("quantri", p, identity.RoleAdmin, identity.ClearanceNone)
	app.EnableTOTP(adm)
	c := app.NewClient()
	r := c.PostForm("/login", url.Values{"login": {"quantri"}, "password": {testkit.Password}})
	r.Body.Close()
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login/totp") {
		t.Fatalf("password step = %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	readProblem(t, c.Get("/api/v1/me"), http.StatusUnauthorized)
}

type apiReport struct {
	Kind          string `json:"kind"`
	DryRun        bool   `json:"dry_run"`
	EventID       int64  `json:"event_id"`
	EffectiveDate string `json:"effective_date"`
	LegalBasis    string `json:"legal_basis"`
	Sources       []struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	} `json:"sources"`
	Targets []struct {
		ID int64 `json:"id"`
	} `json:"targets"`
	Children []struct {
		ID int64 `json:"id"`
	} `json:"children_moved"`
	Moved []struct {
		Hook  string `json:"hook"`
		Moved int    `json:"moved"`
	} `json:"moved"`
}

func tableCounts(app *testkit.App) string {
	var parts []string
	for _, table := range []string{"units", "memberships", "unit_events", "unit_succession"} {
		parts = append(parts, fmt.Sprintf("%s=%d", table, app.QueryInt("SELECT count(*) FROM "+table)))
	}
	parts = append(parts, fmt.Sprintf("open=%d", app.QueryInt("SELECT count(*) FROM units WHERE valid_to IS NULL")))
	return strings.Join(parts, " ")
}

func TestAPIMerge(t *testing.T) {
	app := testkit.Start(t)
	root := app.Unit("Ban Chấp hành Trung ương Đảng", "central", 0)
	p := app.Unit("Tỉnh ủy Thử", "province", root)
	a := app.Unit("Đảng ủy xã A", "commune", p)
	b := app.Unit("Đảng ủy xã B", "commune", p)
	target := app.Unit("Đảng ủy xã Mới", "commune", p)
	grassroots := app.Unit("Chi bộ thôn 1", "grassroots", a)
	admin := app.User("admin", root, identity.RoleAdmin, identity.ClearanceNone)
	app.User("vanthu.a", a, identity.RoleClerk, identity.ClearanceNone)
	leader := app.User("bithu.tinh", p, identity.RoleLeader, identity.ClearanceTuyetMat)
	adminTok, leaderTok := app.Token(admin), app.Token(leader)
	today := time.Now().UTC().Format(time.DateOnly)
	body := map[string]any{"sources": []int64{a, b}, "target_id": target, "effective_date": today,
		"legal_basis": "Quyết định 1-QĐ/TU", "dry_run": true}

	before := tableCounts(app)
	resp := app.Do(http.MethodPost, "/api/v1/units/merge", adminTok, jsonBody(body))
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("dry run = %d: %s", resp.StatusCode, b)
	}
	var preview apiReport
	testkit.DecodeJSON(t, resp, &preview)
	if !preview.DryRun || preview.EventID != 0 || preview.Kind != "merge" || len(preview.Sources) != 2 ||
		len(preview.Targets) != 1 || preview.Targets[0].ID != target || len(preview.Children) != 1 || preview.Children[0].ID != grassroots ||
		movedBy(preview, "Thành viên") != 1 || preview.EffectiveDate != today {
		t.Fatalf("preview = %+v", preview)
	}
	if after := tableCounts(app); after != before {
		t.Fatalf("dry run changed the database: %s → %s", before, after)
	}

	// A non-administrator is refused, and the refusal is audited.
	pr := readProblem(t, app.Do(http.MethodPost, "/api/v1/units/merge", leaderTok, jsonBody(body)), http.StatusForbidden)
	if !strings.Contains(pr.Detail, "không có quyền") {
		t.Errorf("403 detail %q", pr.Detail)
	}
	if n := app.QueryInt(`SELECT count(*) FROM audit_log WHERE action = 'unit.merge' AND outcome = 'denied' AND actor_id = $1`, leader.ID); n != 1 {
		t.Errorf("%d denied unit.merge entries, want 1", n)
	}

	body["dry_run"] = false
	resp = app.Do(http.MethodPost, "/api/v1/units/merge", adminTok, jsonBody(body))
	if resp.StatusCode != http.StatusCreated {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("apply = %d: %s", resp.StatusCode, b)
	}
	var applied apiReport
	testkit.DecodeJSON(t, resp, &applied)
	if applied.DryRun || applied.EventID == 0 {
		t.Fatalf("applied = %+v", applied)
	}
	yesterday := time.Now().UTC().AddDate(0, 0, -1).Format(time.DateOnly)
	for _, id := range []int64{a, b} {
		resp = app.Do(http.MethodGet, fmt.Sprintf("/api/v1/units/%d", id), adminTok, nil)
		var u apiUnit
		testkit.DecodeJSON(t, resp, &u)
		if u.ValidTo == nil || *u.ValidTo != yesterday {
			t.Errorf("source %d valid_to = %v, want %s", id, u.ValidTo, yesterday)
		}
		if len(u.Successors) != 1 || u.Successors[0].ID != target || u.Successors[0].Event != "merge" || u.Successors[0].EventID != applied.EventID {
			t.Errorf("source %d successors = %+v", id, u.Successors)
		}
	}
	if n := app.QueryInt(`SELECT count(*) FROM audit_log WHERE action = 'unit.merge' AND outcome = 'success' AND object_id = $1`, fmt.Sprint(applied.EventID)); n != 1 {
		t.Errorf("%d unit.merge success entries", n)
	}
	// The same merge again: the sources have ended.
	pr = readProblem(t, app.Do(http.MethodPost, "/api/v1/units/merge", adminTok, jsonBody(body)), http.StatusUnprocessableEntity)
	if !strings.Contains(pr.Errors["sources"], "không còn hiệu lực") {
		t.Errorf("second merge errors = %v", pr.Errors)
	}
}

func TestAPIMergeRefusesBadInput(t *testing.T) {
	app := testkit.Start(t)
	root := app.Unit("Ban Chấp hành Trung ương Đảng", "central", 0)
	a := app.Unit("Đảng ủy xã A", "commune", root)
	b := app.Unit("Đảng ủy xã B", "commune", root)
	tok := app.Token(app.User("admin", root, identity.RoleAdmin, identity.ClearanceNone))
	today := time.Now().UTC().Format(time.DateOnly)
	before := tableCounts(app)

	for _, c := range []struct {
		name, body, field, detail string
	}{
		{"malformed JSON", `{"sources": [1, 2`, "", "JSON"},
		{"syntax error", `{"sources": x}`, "", "JSON không hợp lệ"},
		{"empty body", ``, "", "Thiếu nội dung JSON"},
		{"two objects", `{"dry_run": true} {}`, "", "một đối tượng JSON"},
		{"unknown field", `{"source": [1, 2], "dry_run": true}`, "source", "không được hỗ trợ"},
		{"sources as a string", `{"sources": "1,2", "dry_run": true}`, "sources", "kiểu dữ liệu"},
		{"target_id as a string", `{"sources": [1], "target_id": "2"}`, "target_id", "kiểu dữ liệu"},
		{"dry_run as a string", `{"dry_run": "yes"}`, "dry_run", "kiểu dữ liệu"},
		{"bad date", fmt.Sprintf(`{"sources": [%d], "target_id": %d, "effective_date": "01/13/2026", "legal_basis": "x"}`, a, b), "effective_date", "YYYY-MM-DD"},
		{"no legal basis", fmt.Sprintf(`{"sources": [%d], "target_id": %d, "effective_date": %q}`, a, b, today), "legal_basis", "căn cứ pháp lý"},
		{"future date", fmt.Sprintf(`{"sources": [%d], "target_id": %d, "effective_date": "2999-01-01", "legal_basis": "x"}`, a, b), "effective_date", "hiệu lực"},
		{"both targets", fmt.Sprintf(`{"sources": [%d], "target_id": %d, "target": {"name": "Mới", "level": "commune"}, "effective_date": %q, "legal_basis": "x"}`, a, b, today), "target", "Chỉ chọn một"},
	} {
		t.Run(c.name, func(t *testing.T) {
			pr := readProblem(t, app.Do(http.MethodPost, "/api/v1/units/merge", tok, strings.NewReader(c.body)), http.StatusUnprocessableEntity)
			if !strings.Contains(strings.ToLower(pr.Detail+" "+pr.Errors[c.field]), strings.ToLower(c.detail)) {
				t.Errorf("detail %q, errors %v: want %q", pr.Detail, pr.Errors, c.detail)
			}
			if c.field != "" && !isVietnamese(pr.Errors[c.field]) {
				t.Errorf("errors = %v, want a Vietnamese message for %q", pr.Errors, c.field)
			}
		})
	}
	// Not JSON at all.
	req, _ := http.NewRequest(http.MethodPost, app.URL+"/api/v1/units/merge", strings.NewReader("sources=1"))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if pr := readProblem(t, resp, http.StatusUnprocessableEntity); !strings.Contains(pr.Detail, "application/json") {
		t.Errorf("form body: %q", pr.Detail)
	}
	// Too large.
	big := `{"legal_basis": "` + strings.Repeat("x", 2<<20) + `"}`
	readProblem(t, app.Do(http.MethodPost, "/api/v1/units/merge", tok, strings.NewReader(big)), http.StatusRequestEntityTooLarge)
	if after := tableCounts(app); after != before {
		t.Fatalf("refused requests changed the database: %s → %s", before, after)
	}
}

// A browser session cookie must not let another site post for the user.
func TestAPICrossSiteRequestsRefused(t *testing.T) {
	app := testkit.Start(t)
	root := app.Unit("Ban Chấp hành Trung ương Đảng", "central", 0)
	a := app.Unit("Đảng ủy xã A", "commune", root)
	b := app.Unit("Đảng ủy xã B", "commune", root)
	admin := app.User("admin", root, identity.RoleAdmin, identity.ClearanceNone)
	c := app.Login("admin", app.EnableTOTP(admin))
	body := fmt.Sprintf(`{"sources": [%d], "target_id": %d, "effective_date": %q, "legal_basis": "x", "dry_run": true}`,
		a, b, time.Now().UTC().Format(time.DateOnly))

	post := func(path, ct, body string, crossSite bool) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, app.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", ct)
		if crossSite {
			req.Header.Set("Origin", "https://evil.example")
			req.Header.Set("Sec-Fetch-Site", "cross-site")
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	pr := readProblem(t, post("/api/v1/units/merge", "application/json", body, true), http.StatusForbidden)
	if !strings.Contains(pr.Detail, "chống giả mạo yêu cầu") {
		t.Errorf("cross-site merge detail %q", pr.Detail)
	}
	resp := post("/logout", "application/x-www-form-urlencoded", "", true)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site logout = %d, want 403", resp.StatusCode)
	}
	// The session survived, and the same requests from the site itself work.
	if r := c.Get("/api/v1/me"); r.StatusCode != http.StatusOK {
		t.Fatalf("session after refused logout: %d", r.StatusCode)
	} else {
		r.Body.Close()
	}
	resp = post("/api/v1/units/merge", "application/json", body, false)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("same-site merge dry run with the session = %d", resp.StatusCode)
	}
	resp = post("/logout", "application/x-www-form-urlencoded", "", false)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("same-site logout = %d", resp.StatusCode)
	}
	readProblem(t, c.Get("/api/v1/me"), http.StatusUnauthorized)
}

// A unit administrator manages their province and everything under it, so
// the API lets them merge the province into one of its own sub-units. That
// must be a 422 with a field message; today "into a grandchild" answers 201
// and leaves a cycle in the tree, "into a child" answers 500 (CHECK
// units_not_own_parent). See TestMergeIntoOwnSubtreeRefused in internal/org.
func TestAPIMergeIntoOwnSubtreeRefused(t *testing.T) {
	app := testkit.Start(t)
	root := app.Unit("Ban Chấp hành Trung ương Đảng", "central", 0)
	p := app.Unit("Tỉnh ủy P", "province", root)
	o := app.Unit("Văn phòng Tỉnh ủy P", "body", p)
	d := app.Unit("Phòng Tổng hợp", "body", o)
	tok := app.Token(app.User("quantri.tinh", p, identity.RoleUnitAdmin, identity.ClearanceNone))
	today := time.Now().UTC().Format(time.DateOnly)
	for _, target := range []int64{o, d} {
		body := fmt.Sprintf(`{"sources": [%d], "target_id": %d, "effective_date": %q, "legal_basis": "Quyết định 1-QĐ/TU"}`, p, target, today)
		resp := app.Do(http.MethodPost, "/api/v1/units/merge", tok, strings.NewReader(body))
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("merge province into its sub-unit %d = %d, want 422: %s", target, resp.StatusCode, b)
		}
	}
	if n := app.QueryInt(`SELECT count(*) FROM units WHERE valid_to IS NOT NULL`); n != 0 {
		t.Errorf("%d units ended by refused merges", n)
	}
}

// movedBy is how many records a merge hook moved, by the hook's name.
func movedBy(r apiReport, hook string) int {
	for _, m := range r.Moved {
		if m.Hook == hook {
			return m.Moved
		}
	}
	return -1
}
