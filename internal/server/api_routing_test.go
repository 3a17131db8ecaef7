package server

// An internal test (package server): testkit imports this package, so
// these tests build the server themselves. The form handlers are served by
// their own router too, so they are tested whether or not pageRoutes
// mounts routingPageRoutes yet.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"vanthu/internal/access"
	"vanthu/internal/audit"
	"vanthu/internal/calendar"
	"vanthu/internal/config"
	"vanthu/internal/documents"
	"vanthu/internal/identity"
	"vanthu/internal/platform/objectstore/s3test"
	"vanthu/internal/platform/postgres/pgtest"
	"vanthu/internal/routing"
)

type routingEnv struct {
	t   *testing.T
	ctx context.Context
	srv *Server
	url string
}

// routingPagePaths are the paths routingPageRoutes serves.
var routingPagePaths = regexp.MustCompile(`^/(documents/[0-9]+/(handling|present|directions|close)|assignments/[0-9]+/[a-z]+)$`)

func newRoutingEnv(t *testing.T) *routingEnv {
	t.Helper()
	cfg, err := config.Load(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	srv := New(Deps{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Config: cfg, DB: pgtest.NewPool(t),
		Store: s3test.NewStore(t), Version: "test-routing"})
	full := srv.Handler()
	pages := chi.NewRouter()
	pages.Use(srv.authenticate, srv.requireUser)
	srv.routingPageRoutes(pages)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if routingPagePaths.MatchString(r.URL.Path) {
			pages.ServeHTTP(w, r)
			return
		}
		full.ServeHTTP(w, r)
	}))
	t.Cleanup(hs.Close)
	return &routingEnv{t: t, ctx: context.Background(), srv: srv, url: hs.URL}
}

func (e *routingEnv) unit(name, level string, parent int64) int64 {
	e.t.Helper()
	var p any
	if parent != 0 {
		p = parent
	}
	var id int64
	if err := e.srv.db.QueryRow(e.ctx, `INSERT INTO units (name, level, parent_id, valid_from) VALUES ($1, $2, $3, '2020-01-01') RETURNING id`,
		name, level, p).Scan(&id); err != nil {
		e.t.Fatal(err)
	}
	return id
}

// actorT is a person with an API token and a browser session.
type actorT struct {
	id      int64
	login   string
	token   string
	session string
}

func (e *routingEnv) person(login string, unit int64, role identity.Role) actorT {
	e.t.Helper()
	u, err := e.srv.users.Create(e.ctx, e.srv.db, identity.NewUser{Login: login, FullName: "Đồng chí " + login, Password: "mat-khau-thu-2026",
		Clearance: identity.ClearanceNone})
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.srv.users.AddMembership(e.ctx, e.srv.db, u.ID, unit, role, ""); err != nil {
		e.t.Fatal(err)
	}
	tok, _, err := e.srv.users.CreateToken(e.ctx, u.ID, "test")
	if err != nil {
		e.t.Fatal(err)
	}
	sess, err := e.srv.users.CreateSession(e.ctx, u.ID, identity.SessionActive, e.srv.sessionPolicy(), identity.ClientInfo{})
	if err != nil {
		e.t.Fatal(err)
	}
	return actorT{id: u.ID, login: login, token: tok, session: sess}
}

func (e *routingEnv) subject(a actorT) access.Subject {
	e.t.Helper()
	u, err := e.srv.users.Get(e.ctx, a.id)
	if err != nil {
		e.t.Fatal(err)
	}
	ms, err := e.srv.users.Memberships(e.ctx, a.id)
	if err != nil {
		e.t.Fatal(err)
	}
	sub, err := access.Load(e.ctx, e.srv.db, u, ms, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	return sub
}

func (e *routingEnv) register(clerk actorT, unit int64, subject string) int64 {
	e.t.Helper()
	sub := e.subject(clerk)
	reg, err := e.srv.docs.RegisterIncoming(e.ctx, sub, audit.Actor{UserID: clerk.id, Login: clerk.login}, documents.IncomingInput{UnitID: unit, TypeName: "Công văn",
		OrganName: "Ủy ban nhân dân tỉnh", Subject: subject, Priority: "thuong", Confidentiality: identity.ClearanceNone}, nil, true)
	if err != nil {
		e.t.Fatal(err)
	}
	return reg.Document.ID
}

// api calls the JSON API as a and returns the status and body.
func (e *routingEnv) api(a actorT, method, path string, body any) (int, []byte) {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		if s, ok := body.(string); ok {
			rd = strings.NewReader(s)
		} else {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
	}
	req, _ := http.NewRequest(method, e.url+"/api/v1"+path, rd)
	req.Header.Set("Authorization", "Bearer "+a.token)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// want checks the status and decodes the body into v (when not nil); a
// problem must carry a Vietnamese detail.
func (e *routingEnv) want(a actorT, method, path string, body any, status int, v any) Problem {
	e.t.Helper()
	got, b := e.api(a, method, path, body)
	if got != status {
		e.t.Fatalf("%s %s as %s = %d, want %d: %s", method, path, a.login, got, status, b)
	}
	var p Problem
	if status >= 400 {
		if err := json.Unmarshal(b, &p); err != nil || p.Status != status || !vietnamese(p.Detail) {
			e.t.Fatalf("%s %s: problem %s", method, path, b)
		}
		return p
	}
	if v != nil {
		if err := json.Unmarshal(b, v); err != nil {
			e.t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
	return p
}

func vietnamese(s string) bool {
	return strings.ContainsAny(s, "ăâđêôơưàáảãạèéẻẽẹìíỉĩịòóỏõọùúủũụỳýỷỹỵĐ")
}

// page posts a form (or gets a page, form nil) as a's browser session.
func (e *routingEnv) page(a actorT, path string, form url.Values) (int, string, string) {
	e.t.Helper()
	var req *http.Request
	if form == nil {
		req, _ = http.NewRequest(http.MethodGet, e.url+path, nil)
	} else {
		req, _ = http.NewRequest(http.MethodPost, e.url+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Accept", "text/html")
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: a.session})
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

type routingFixture struct {
	*routingEnv
	province, board, other                               int64
	clerk, leader, handler, boardLeader, staff, stranger actorT
}

func newRoutingFixture(t *testing.T) *routingFixture {
	e := newRoutingEnv(t)
	f := &routingFixture{routingEnv: e}
	f.province = e.unit("Tỉnh ủy Thử nghiệm", "province", 0)
	f.board = e.unit("Ban Tuyên giáo Tỉnh ủy", "body", f.province)
	organisation := e.unit("Ban Tổ chức Tỉnh ủy", "body", f.province)
	f.other = e.unit("Tỉnh ủy Khác", "province", 0)
	f.clerk = e.person("vanthu", f.province, identity.RoleClerk)
	f.leader = e.person("lanhdao", f.province, identity.RoleLeader)
	f.handler = e.person("chuyenvien", organisation, identity.RoleHandler)
	f.boardLeader = e.person("truongban", f.board, identity.RoleLeader)
	f.staff = e.person("canbo", f.board, identity.RoleHandler)
	f.stranger = e.person("nguoingoai", f.other, identity.RoleHandler)
	return f
}

func TestRoutingAPI(t *testing.T) {
	f := newRoutingFixture(t)
	doc := f.register(f.clerk, f.province, "Về việc tổng kết công tác năm")
	d := fmt.Sprintf("/documents/%d", doc)

	// Present.
	f.want(f.stranger, "POST", d+"/present", map[string]any{"leader_id": f.leader.id}, 404, nil)
	f.want(f.leader, "POST", d+"/present", map[string]any{"leader_id": f.leader.id}, 403, nil)
	p := f.want(f.clerk, "POST", d+"/present", map[string]any{"leader_id": f.handler.id}, 422, nil)
	if p.Errors["leader_id"] == "" {
		t.Fatalf("problem = %+v", p)
	}
	f.want(f.clerk, "POST", d+"/present", `{"leader": 1}`, 422, nil)
	var st apiRoutingState
	f.want(f.clerk, "POST", d+"/present", map[string]any{"leader_id": f.leader.id}, 200, &st)
	if st.Status != "03" || st.PresentedTo == nil || *st.PresentedTo != f.leader.id {
		t.Fatalf("state after present = %+v", st)
	}

	// Direct.
	good := map[string]any{"body": "Giao đồng chí chuyên viên chủ trì, Ban Tuyên giáo phối hợp.",
		"lead": map[string]any{"user_id": f.handler.id}, "cooperate": []any{map[string]any{"unit_id": f.board}},
		"deadline_working_days": 3}
	f.want(f.clerk, "POST", d+"/directions", good, 403, nil)
	f.want(f.stranger, "POST", d+"/directions", good, 404, nil)
	p = f.want(f.leader, "POST", d+"/directions", map[string]any{"body": "Thiếu chủ trì"}, 422, nil)
	if p.Errors["lead"] == "" {
		t.Fatalf("problem = %+v", p)
	}
	p = f.want(f.leader, "POST", d+"/directions", map[string]any{"lead": map[string]any{"user_id": f.handler.id}, "deadline": "2020-01-01"}, 422, nil)
	if p.Errors["deadline"] == "" {
		t.Fatalf("problem = %+v", p)
	}
	f.want(f.leader, "POST", d+"/directions", map[string]any{"lead": map[string]any{"user_id": f.handler.id}, "deadline": "mai"}, 422, nil)
	p = f.want(f.leader, "POST", d+"/directions", map[string]any{"lead": map[string]any{"unit_id": 987654}}, 422, nil)
	if p.Errors["lead"] == "" {
		t.Fatalf("problem = %+v", p)
	}
	var dir apiDirection
	f.want(f.leader, "POST", d+"/directions", good, 201, &dir)
	due, err := calendar.New(f.srv.db).AddWorkingDays(f.ctx, routing.Today(), 3)
	if err != nil {
		t.Fatal(err)
	}
	if dir.Deadline == nil || *dir.Deadline != due.Format("2006-01-02") || len(dir.Assignments) != 2 {
		t.Fatalf("direction = %+v", dir)
	}
	lead, coop := dir.Assignments[0], dir.Assignments[1]
	if lead.Role != "lead" || coop.Role != "cooperate" || *lead.AssigneeUserID != f.handler.id || *coop.AssigneeUnitID != f.board {
		t.Fatalf("assignments = %+v", dir.Assignments)
	}
	f.want(f.leader, "POST", d+"/directions", good, 409, nil)

	// The handler sees the document through the grant; a stranger does not.
	f.want(f.handler, "GET", d, nil, 200, nil)
	f.want(f.handler, "GET", d+"/routing", nil, 200, &st)
	if st.Status != "04" || len(st.Directions) != 1 {
		t.Fatalf("state = %+v", st)
	}
	f.want(f.stranger, "GET", d+"/routing", nil, 404, nil)

	// Inboxes.
	var inbox listResponse[apiInboxItem]
	f.want(f.handler, "GET", "/inbox?box=cho_xu_ly", nil, 200, &inbox)
	if len(inbox.Items) != 1 || inbox.Items[0].ID != doc || !slices.Equal(inbox.Items[0].Roles, []string{"lead"}) ||
		inbox.Items[0].Deadline == nil || *inbox.Items[0].Deadline != due.Format("2006-01-02") {
		t.Fatalf("inbox = %+v", inbox)
	}
	f.want(f.boardLeader, "GET", "/inbox?box=cho_xu_ly", nil, 200, &inbox)
	if len(inbox.Items) != 1 {
		t.Fatalf("board leader's inbox = %+v", inbox)
	}
	p = f.want(f.handler, "GET", "/inbox?box=thung_rac", nil, 422, nil)
	if p.Errors["box"] == "" {
		t.Fatalf("problem = %+v", p)
	}
	f.want(f.handler, "GET", "/inbox", nil, 422, nil)
	f.want(f.handler, "GET", "/inbox?box=cho_xu_ly&limit=0", nil, 422, nil)
	var counts map[string]int
	f.want(f.handler, "GET", "/inbox/counts", nil, 200, &counts)
	if counts["cho_xu_ly"] != 1 || counts["cho_y_kien"] != 0 || len(counts) != 6 {
		t.Fatalf("counts = %v", counts)
	}

	// Assignment actions.
	a := func(id int64, action string) string { return fmt.Sprintf("/assignments/%d/%s", id, action) }
	f.want(f.stranger, "POST", a(lead.ID, "accept"), nil, 404, nil)
	f.want(f.staff, "POST", a(coop.ID, "accept"), nil, 403, nil)
	f.want(f.handler, "POST", "/assignments/abc/accept", nil, 404, nil)
	f.want(f.handler, "POST", "/assignments/999999/accept", nil, 404, nil)
	var asg apiAssignment
	f.want(f.handler, "POST", a(lead.ID, "accept"), nil, 200, &asg)
	if asg.Status != "in_progress" || asg.AcceptedAt == nil {
		t.Fatalf("accepted = %+v", asg)
	}
	f.want(f.handler, "POST", a(lead.ID, "accept"), nil, 409, nil)
	p = f.want(f.handler, "POST", a(lead.ID, "progress"), map[string]any{"percent": 101}, 422, nil)
	if p.Errors["percent"] == "" {
		t.Fatalf("problem = %+v", p)
	}
	f.want(f.stranger, "POST", a(lead.ID, "progress"), map[string]any{"percent": 101}, 404, nil)
	f.want(f.handler, "POST", a(lead.ID, "progress"), map[string]any{"percent": 50, "note": "Đã xong dự thảo"}, 200, &asg)
	if asg.Progress != 50 || asg.ProgressNote != "Đã xong dự thảo" {
		t.Fatalf("progress = %+v", asg)
	}
	// The board's leader passes the cooperating part on.
	f.want(f.boardLeader, "POST", a(coop.ID, "reassign"), map[string]any{"user_id": f.stranger.id}, 422, nil)
	f.want(f.handler, "POST", a(coop.ID, "reassign"), map[string]any{"user_id": f.staff.id}, 403, nil)
	var child apiAssignment
	f.want(f.boardLeader, "POST", a(coop.ID, "reassign"), map[string]any{"user_id": f.staff.id, "body": "Đồng chí cán bộ làm."}, 201, &child)
	if child.ParentID == nil || *child.ParentID != coop.ID || *child.AssigneeUserID != f.staff.id {
		t.Fatalf("child = %+v", child)
	}
	// Complete.
	p = f.want(f.handler, "POST", a(lead.ID, "complete"), map[string]any{"result": " "}, 422, nil)
	if p.Errors["result"] == "" {
		t.Fatalf("problem = %+v", p)
	}
	strangerClerk := f.person("vanthukhac", f.other, identity.RoleClerk)
	hidden := f.register(strangerClerk, f.other, "Văn bản tỉnh khác")
	p = f.want(f.handler, "POST", a(lead.ID, "complete"), map[string]any{"result": "Xong", "reply_document_id": hidden}, 422, nil)
	if p.Errors["reply_document_id"] == "" {
		t.Fatalf("problem = %+v", p)
	}
	f.want(f.handler, "POST", a(lead.ID, "complete"), map[string]any{"result": "Đã báo cáo Thường trực"}, 200, &asg)
	if asg.Status != "done" || asg.Progress != 100 {
		t.Fatalf("completed = %+v", asg)
	}
	f.want(f.leader, "GET", d+"/routing", nil, 200, &st)
	if st.Status != "06" || st.CompletedAt == nil {
		t.Fatalf("state after completion = %+v", st)
	}
	if c := st.Directions[0].Assignments[1].Children; len(c) != 1 || c[0].Note != "Đồng chí cán bộ làm." {
		t.Fatalf("cooperating part's children = %+v", st.Directions[0].Assignments[1])
	}

	// Refusals are audited.
	var denied int
	f.srv.db.QueryRow(f.ctx, `SELECT count(*) FROM audit_log WHERE outcome = 'denied' AND action LIKE 'document.%'`).Scan(&denied)
	if denied < 5 {
		t.Errorf("%d denied entries, want at least 5", denied)
	}

	// Notifications.
	var notes apiNotificationList
	f.want(f.leader, "GET", "/notifications", nil, 200, &notes)
	if notes.UnreadCount != 2 || len(notes.Items) != 2 || notes.Items[0].Kind != "completed" || notes.Items[1].Kind != "presented" {
		t.Fatalf("leader notifications = %+v", notes)
	}
	f.want(f.handler, "POST", fmt.Sprintf("/notifications/%d/read", notes.Items[0].ID), nil, 404, nil)
	f.want(f.leader, "POST", "/notifications/x/read", nil, 404, nil)
	var unread map[string]int
	f.want(f.leader, "POST", fmt.Sprintf("/notifications/%d/read", notes.Items[0].ID), nil, 200, &unread)
	if unread["unread_count"] != 1 {
		t.Fatalf("after read = %v", unread)
	}
	f.want(f.leader, "GET", "/notifications?limit=500", nil, 422, nil)
}

func TestRoutingAPIReturnAndClose(t *testing.T) {
	f := newRoutingFixture(t)
	doc := f.register(f.clerk, f.province, "Về việc góp ý dự thảo")
	d := fmt.Sprintf("/documents/%d", doc)
	var dir apiDirection
	f.want(f.leader, "POST", d+"/directions", map[string]any{"lead": map[string]any{"user_id": f.handler.id}}, 201, &dir)
	ret := fmt.Sprintf("/assignments/%d/return", dir.Assignments[0].ID)
	p := f.want(f.handler, "POST", ret, map[string]any{"reason": ""}, 422, nil)
	if p.Errors["reason"] == "" {
		t.Fatalf("problem = %+v", p)
	}
	f.want(f.leader, "POST", ret, map[string]any{"reason": "Không phải việc của tôi"}, 403, nil)
	var asg apiAssignment
	f.want(f.handler, "POST", ret, map[string]any{"reason": "Đề nghị giao Ban Tổ chức."}, 200, &asg)
	if asg.Status != "returned" || asg.ReturnReason != "Đề nghị giao Ban Tổ chức." {
		t.Fatalf("returned = %+v", asg)
	}
	var st apiRoutingState
	f.want(f.leader, "GET", d+"/routing", nil, 200, &st)
	if st.Status != "03" || st.PresentedTo == nil || *st.PresentedTo != f.leader.id {
		t.Fatalf("state after return = %+v", st)
	}
	var inbox listResponse[apiInboxItem]
	f.want(f.leader, "GET", "/inbox?box=cho_y_kien", nil, 200, &inbox)
	if len(inbox.Items) != 1 || inbox.Items[0].ID != doc {
		t.Fatalf("leader's chờ cho ý kiến = %+v", inbox)
	}
	// The handler still sees it (history), but acts no more.
	f.want(f.handler, "POST", fmt.Sprintf("/assignments/%d/accept", dir.Assignments[0].ID), nil, 409, nil)
	// The leader files it instead.
	p = f.want(f.leader, "POST", d+"/close", map[string]any{"result": "vut_di"}, 422, nil)
	if p.Errors["result"] == "" {
		t.Fatalf("problem = %+v", p)
	}
	f.want(f.clerk, "POST", d+"/close", map[string]any{"result": "luu_ho_so"}, 403, nil)
	f.want(f.leader, "POST", d+"/close", map[string]any{"result": "luu_ho_so", "note": "Lưu hồ sơ góp ý"}, 200, &st)
	if st.Status != "06" || st.Directions[len(st.Directions)-1].Body != "Lưu hồ sơ. Lưu hồ sơ góp ý" {
		t.Fatalf("state after close = %+v", st)
	}
	f.want(f.leader, "POST", d+"/close", map[string]any{"result": "de_biet"}, 409, nil)
}

func TestRoutingPages(t *testing.T) {
	f := newRoutingFixture(t)
	doc := f.register(f.clerk, f.province, "Về việc chuẩn bị hội nghị")
	h := fmt.Sprintf("/documents/%d/handling", doc)

	status, _, body := f.page(f.clerk, h, nil)
	if status != 200 || !strings.Contains(body, `data-testid="present-form"`) || !strings.Contains(body, "Đồng chí lanhdao") ||
		strings.Contains(body, `data-testid="direction-form"`) {
		t.Fatalf("clerk's panel: %d\n%s", status, body)
	}
	status, _, _ = f.page(f.stranger, h, nil)
	if status != 404 {
		t.Fatalf("stranger's panel: %d", status)
	}
	status, loc, _ := f.page(f.clerk, fmt.Sprintf("/documents/%d/present", doc), url.Values{"leader_id": {fmt.Sprint(f.leader.id)}})
	if status != 303 || loc != fmt.Sprintf("/documents/%d?done=presented#xu-ly", doc) {
		t.Fatalf("present: %d %q", status, loc)
	}
	status, _, body = f.page(f.leader, h+"?done=presented", nil)
	if status != 200 || !strings.Contains(body, "Đã trình lãnh đạo.") || !strings.Contains(body, `data-testid="direction-form"`) ||
		!strings.Contains(body, fmt.Sprintf(`value="unit:%d"`, f.board)) || !strings.Contains(body, fmt.Sprintf(`value="user:%d"`, f.handler.id)) ||
		!strings.Contains(body, `data-testid="routing-presented">Đồng chí lanhdao`) {
		t.Fatalf("leader's panel: %d\n%s", status, body)
	}
	// A refused direction says what to fix and leads back.
	status, _, body = f.page(f.leader, fmt.Sprintf("/documents/%d/directions", doc), url.Values{"body": {"Chưa chọn chủ trì"}})
	if status != 422 || !strings.Contains(body, "Vui lòng chọn một người hoặc một đơn vị chủ trì.") ||
		!strings.Contains(body, fmt.Sprintf(`href="/documents/%d#xu-ly"`, doc)) {
		t.Fatalf("refused direction: %d\n%s", status, body)
	}
	status, _, body = f.page(f.clerk, fmt.Sprintf("/documents/%d/directions", doc), url.Values{"lead": {fmt.Sprintf("user:%d", f.handler.id)}})
	if status != 403 || !strings.Contains(body, "Chỉ lãnh đạo") {
		t.Fatalf("clerk directing: %d\n%s", status, body)
	}
	status, _, _ = f.page(f.leader, fmt.Sprintf("/documents/%d/directions", doc), url.Values{"lead": {"nguoi:1"}})
	if status != 422 {
		t.Fatalf("bad assignee value: %d", status)
	}
	status, loc, body = f.page(f.leader, fmt.Sprintf("/documents/%d/directions", doc), url.Values{
		"body": {"Giao chuyên viên chủ trì."}, "lead": {fmt.Sprintf("user:%d", f.handler.id)},
		"cooperate": {fmt.Sprintf("unit:%d", f.board)}, "deadline_working_days": {"3"}})
	if status != 303 || loc != fmt.Sprintf("/documents/%d?done=directed#xu-ly", doc) {
		t.Fatalf("direct: %d %q %s", status, loc, body)
	}

	// The handler's panel offers their actions, and only theirs.
	status, _, body = f.page(f.handler, h, nil)
	m := regexp.MustCompile(`action="/assignments/([0-9]+)/accept"`).FindStringSubmatch(body)
	if status != 200 || m == nil || !strings.Contains(body, "Chủ trì") || !strings.Contains(body, "Phối hợp") ||
		strings.Contains(body, "/reassign") || strings.Contains(body, `data-testid="direction-form"`) {
		t.Fatalf("handler's panel: %d\n%s", status, body)
	}
	aid := m[1]
	status, _, body = f.page(f.boardLeader, h, nil)
	if status != 200 || !strings.Contains(body, "/reassign") || !strings.Contains(body, "Đồng chí canbo") {
		t.Fatalf("board leader's panel: %d\n%s", status, body)
	}
	status, _, _ = f.page(f.stranger, "/assignments/"+aid+"/accept", url.Values{})
	if status != 404 {
		t.Fatalf("stranger accepting: %d", status)
	}
	status, _, body = f.page(f.staff, "/assignments/"+aid+"/accept", url.Values{})
	if status != 403 || !strings.Contains(body, fmt.Sprintf(`href="/documents/%d#xu-ly"`, doc)) {
		t.Fatalf("staff accepting the lead's part: %d\n%s", status, body)
	}
	for _, step := range []struct {
		action string
		form   url.Values
		done   string
	}{
		{"accept", url.Values{}, "accepted"},
		{"progress", url.Values{"percent": {"50"}, "note": {"Một nửa"}}, "progress"},
		{"complete", url.Values{"result": {"Đã có báo cáo"}}, "completed"},
	} {
		status, loc, body := f.page(f.handler, "/assignments/"+aid+"/"+step.action, step.form)
		if status != 303 || loc != fmt.Sprintf("/documents/%d?done=%s#xu-ly", doc, step.done) {
			t.Fatalf("%s: %d %q %s", step.action, status, loc, body)
		}
	}
	status, _, body = f.page(f.handler, "/assignments/"+aid+"/progress", url.Values{"percent": {"nhiều"}})
	if status != 422 && status != 409 {
		t.Fatalf("progress on a finished part: %d\n%s", status, body)
	}
	status, _, body = f.page(f.leader, h, nil)
	if status != 200 || !strings.Contains(body, `data-testid="routing-status">Hoàn thành`) || !strings.Contains(body, "Kết quả: Đã có báo cáo") ||
		!strings.Contains(body, `value="100"`) {
		t.Fatalf("finished panel: %d\n%s", status, body)
	}
}
