package server

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"vanthu/internal/config"
	"vanthu/internal/identity"
	"vanthu/internal/platform/objectstore"
	"vanthu/internal/platform/objectstore/s3test"
	"vanthu/internal/platform/postgres/pgtest"
)

type testServer struct {
	URL    string
	s3     *s3test.Server
	cfg    config.Config
	db     *pgxpool.Pool
	client *http.Client
}

// newTestServer serves the full handler against a fresh database and a
// private S3 server the test may stop and start.
func newTestServer(t *testing.T) *testServer {
	t.Helper()
	cfg, err := config.Load(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	s3srv := s3test.StartServer(t)
	store, err := objectstore.New(s3srv.Config("vanthu-test"))
	if err != nil {
		t.Fatal(err)
	}
	if err := store.EnsureBucket(context.Background()); err != nil {
		t.Fatalf("EnsureBucket: %v", err)
	}
	db := pgtest.NewPool(t)
	srv := New(Deps{
		Log:     slog.New(slog.NewTextHandler(t.Output(), nil)),
		Config:  cfg,
		DB:      db,
		Store:   store,
		Version: "test",
	})
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	// No transparent decompression: the tests look at Content-Encoding.
	// Redirects are not followed: the tests look at them.
	client := &http.Client{Transport: &http.Transport{DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	t.Cleanup(client.CloseIdleConnections)
	return &testServer{URL: hs.URL, s3: s3srv, cfg: cfg, db: db, client: client}
}

// login creates a clerk with an active session (as after a completed
// login) and returns the Cookie header that carries it. Pages need it:
// everything but the login page and the health checks requires a user.
func (ts *testServer) login(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	var unit int64
	if err := ts.db.QueryRow(ctx, `INSERT INTO units (name, level) VALUES ('Văn phòng Tỉnh ủy Thử', 'body') RETURNING id`).Scan(&unit); err != nil {
		t.Fatal(err)
	}
	users := identity.NewStore(ts.db)
	u, err := users.Create(ctx, ts.db, identity.NewUser{Login: "vanthu", FullName: "Phạm Thị Thư", Password: "Kiem-thu-trang-2026"})
	if err != nil {
		t.Fatal(err)
	}
	if err := users.AddMembership(ctx, ts.db, u.ID, unit, identity.RoleClerk, ""); err != nil {
		t.Fatal(err)
	}
	token, err := users.CreateSession(ctx, u.ID, identity.SessionActive,
		identity.SessionPolicy{Idle: ts.cfg.SessionIdleTimeout, Absolute: ts.cfg.SessionAbsoluteTimeout}, identity.ClientInfo{})
	if err != nil {
		t.Fatal(err)
	}
	return sessionCookie + "=" + token
}

type response struct {
	status int
	header http.Header
	body   string
}

func (ts *testServer) do(t *testing.T, method, path string, body io.Reader, header map[string]string) response {
	t.Helper()
	req, err := http.NewRequest(method, ts.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := ts.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s %s: %v", method, path, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

func (ts *testServer) get(t *testing.T, path string) response {
	t.Helper()
	return ts.do(t, http.MethodGet, path, nil, nil)
}

func TestHomePage(t *testing.T) {
	ts := newTestServer(t)
	// Anonymous visitors are sent to the login page, remembering where they were going.
	for path, next := range map[string]string{"/": "%2F", "/incoming": "%2Fincoming", "/account": "%2Faccount"} {
		r := ts.get(t, path)
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/login?next="+next {
			t.Fatalf("anonymous GET %s = %d to %q, want 303 to /login?next=%s", path, r.status, r.header.Get("Location"), next)
		}
	}
	r := ts.get(t, "/login")
	if r.status != http.StatusOK || !strings.Contains(r.body, `data-testid="login-form"`) || !strings.Contains(r.body, "Đăng nhập") {
		t.Fatalf("GET /login = %d:\n%s", r.status, r.body)
	}

	r = ts.do(t, http.MethodGet, "/", nil, map[string]string{"Cookie": ts.login(t)})
	if r.status != http.StatusOK {
		t.Fatalf("GET / = %d: %s", r.status, r.body)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Fatalf("Content-Type = %q", ct)
	}
	if !strings.Contains(r.body, `<html lang="vi">`) {
		t.Fatalf("home page lacks <html lang=\"vi\">:\n%s", r.body)
	}
	if !strings.Contains(r.body, "<h1>Trang chủ</h1>") {
		t.Fatalf("home page lacks its Vietnamese title:\n%s", r.body)
	}
	if !strings.Contains(r.body, "Phạm Thị Thư") || !strings.Contains(r.body, "Văn thư") {
		t.Fatalf("home page does not show who is signed in:\n%s", r.body)
	}
	if cc := r.header.Get("Cache-Control"); cc != "no-store" {
		t.Fatalf("page Cache-Control = %q, want no-store", cc)
	}
}

func TestSecurityHeaders(t *testing.T) {
	ts := newTestServer(t)
	for _, path := range []string{"/", "/login", "/healthz", "/nope", "/static/app.css", "/api/v1/me"} {
		r := ts.get(t, path)
		h := r.header
		if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") ||
			!strings.Contains(csp, "default-src 'self'") {
			t.Errorf("%s: Content-Security-Policy = %q", path, csp)
		}
		if v := h.Get("X-Content-Type-Options"); v != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options = %q", path, v)
		}
		if v := h.Get("Referrer-Policy"); v != "same-origin" {
			t.Errorf("%s: Referrer-Policy = %q", path, v)
		}
		if v := h.Get("X-Frame-Options"); v != "DENY" {
			t.Errorf("%s: X-Frame-Options = %q", path, v)
		}
		if id := h.Get("X-Request-Id"); len(id) != 24 {
			t.Errorf("%s: X-Request-Id = %q, want 24 hex characters", path, id)
		}
		if v := h.Get("Strict-Transport-Security"); v != "" {
			t.Errorf("%s: HSTS %q sent over plain HTTP", path, v)
		}
	}
}

func TestRequestIDIsEchoedWhenSane(t *testing.T) {
	ts := newTestServer(t)
	r := ts.do(t, http.MethodGet, "/healthz", nil, map[string]string{"X-Request-Id": "lb-abc_123"})
	if got := r.header.Get("X-Request-Id"); got != "lb-abc_123" {
		t.Fatalf("X-Request-Id = %q, want the load balancer's id echoed", got)
	}
	r = ts.do(t, http.MethodGet, "/healthz", nil, map[string]string{"X-Request-Id": "<script>"})
	if got := r.header.Get("X-Request-Id"); got == "<script>" || len(got) != 24 {
		t.Fatalf("X-Request-Id = %q, want a fresh id instead of an unsafe one", got)
	}
}

func TestNotFound(t *testing.T) {
	ts := newTestServer(t)
	r := ts.get(t, "/khong-co-trang-nay")
	if r.status != http.StatusNotFound {
		t.Fatalf("status = %d, want 404", r.status)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Fatalf("Content-Type = %q, want text/html", ct)
	}
	if !strings.Contains(r.body, "Không tìm thấy trang") || !strings.Contains(r.body, `<html lang="vi">`) {
		t.Fatalf("404 page is not the Vietnamese error page:\n%s", r.body)
	}
	if id := r.header.Get("X-Request-Id"); !strings.Contains(r.body, id) {
		t.Errorf("404 page does not show the request id %q", id)
	}

	r = ts.get(t, "/api/v1/nope")
	if r.status != http.StatusNotFound {
		t.Fatalf("API status = %d, want 404", r.status)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Fatalf("API Content-Type = %q, want application/problem+json", ct)
	}
	var p Problem
	if err := json.Unmarshal([]byte(r.body), &p); err != nil {
		t.Fatalf("problem document %q: %v", r.body, err)
	}
	if p.Status != 404 || p.Title != "Không tìm thấy trang" || p.Instance != "/api/v1/nope" ||
		p.Detail != defaultDetail[http.StatusNotFound] || p.RequestID != r.header.Get("X-Request-Id") {
		t.Fatalf("problem = %+v", p)
	}
	if !strings.Contains(p.Detail, "không tồn tại") {
		t.Fatalf("detail %q is not the Vietnamese explanation", p.Detail)
	}
	var raw map[string]any
	_ = json.Unmarshal([]byte(r.body), &raw)
	if raw["status"] != float64(404) {
		t.Fatalf(`"status" = %v, want 404`, raw["status"])
	}

	// A JSON client gets JSON on page routes too.
	r = ts.do(t, http.MethodGet, "/nope", nil, map[string]string{"Accept": "application/json"})
	if r.status != http.StatusNotFound || !strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") {
		t.Fatalf("Accept: application/json → %d %q", r.status, r.header.Get("Content-Type"))
	}
}

func TestHealthAndReadiness(t *testing.T) {
	ts := newTestServer(t)
	r := ts.get(t, "/healthz")
	if r.status != http.StatusOK || !strings.Contains(r.body, `"status":"ok"`) {
		t.Fatalf("/healthz = %d %s", r.status, r.body)
	}

	type ready struct {
		Status string            `json:"status"`
		Checks map[string]string `json:"checks"`
	}
	readyz := func() (int, ready) {
		t.Helper()
		r := ts.get(t, "/readyz")
		var v ready
		if err := json.Unmarshal([]byte(r.body), &v); err != nil {
			t.Fatalf("/readyz body %q: %v", r.body, err)
		}
		return r.status, v
	}

	status, v := readyz()
	if status != http.StatusOK || v.Status != "ok" || v.Checks["database"] != "ok" || v.Checks["object_store"] != "ok" {
		t.Fatalf("/readyz = %d %+v", status, v)
	}

	ts.s3.Stop(t)
	status, v = readyz()
	if status != http.StatusServiceUnavailable || v.Status != "unavailable" {
		t.Fatalf("/readyz with S3 stopped = %d %+v, want 503", status, v)
	}
	if !strings.HasPrefix(v.Checks["object_store"], "unavailable") {
		t.Fatalf("object_store check = %q, want it named unavailable", v.Checks["object_store"])
	}
	if v.Checks["database"] != "ok" {
		t.Fatalf("database check = %q while only S3 is down", v.Checks["database"])
	}
	// /healthz stays up: a lost dependency is not a reason to restart.
	if r := ts.get(t, "/healthz"); r.status != http.StatusOK {
		t.Fatalf("/healthz with S3 stopped = %d", r.status)
	}

	ts.s3.Start(t)
	status, v = readyz()
	if status != http.StatusOK || v.Checks["object_store"] != "ok" {
		t.Fatalf("/readyz after S3 restart = %d %+v", status, v)
	}
}

func TestMetrics(t *testing.T) {
	ts := newTestServer(t)
	ts.do(t, http.MethodGet, "/", nil, map[string]string{"Cookie": ts.login(t)})
	ts.get(t, "/")
	ts.get(t, "/no/such/page/zq7xunmatched")
	r := ts.get(t, "/metrics")
	if r.status != http.StatusOK {
		t.Fatalf("/metrics = %d", r.status)
	}
	for _, want := range []string{
		`vanthu_http_requests_total{method="GET",route="/",status="200"} 1`,
		`vanthu_http_requests_total{method="GET",route="/",status="303"} 1`,
		`vanthu_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		"vanthu_http_request_duration_seconds_bucket",
		"go_goroutines",
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	// Raw paths never become labels.
	if strings.Contains(r.body, "zq7xunmatched") {
		t.Errorf("/metrics contains a raw path")
	}
}

func TestCrossOriginPostRefused(t *testing.T) {
	ts := newTestServer(t)
	r := ts.do(t, http.MethodPost, "/", strings.NewReader("a=1"), map[string]string{
		"Content-Type":   "application/x-www-form-urlencoded",
		"Sec-Fetch-Site": "cross-site",
		"Origin":         "https://evil.example",
	})
	if r.status != http.StatusForbidden {
		t.Fatalf("cross-site POST = %d, want 403", r.status)
	}
	if !strings.Contains(r.body, "Không có quyền thực hiện") || !strings.Contains(r.body, "chống giả mạo yêu cầu") {
		t.Fatalf("403 page is not the Vietnamese refusal:\n%s", r.body)
	}

	// Origin alone (older browsers) is enough to refuse.
	r = ts.do(t, http.MethodPost, "/", strings.NewReader("a=1"), map[string]string{
		"Content-Type": "application/x-www-form-urlencoded",
		"Origin":       "https://evil.example",
	})
	if r.status != http.StatusForbidden {
		t.Fatalf("POST with a foreign Origin = %d, want 403", r.status)
	}

	// The same POST without browser cross-origin signals is not refused
	// (no POST route exists yet, so it is 405).
	r = ts.do(t, http.MethodPost, "/", strings.NewReader("a=1"), map[string]string{
		"Content-Type": "application/x-www-form-urlencoded",
	})
	if r.status == http.StatusForbidden {
		t.Fatalf("same-origin POST refused: %s", r.body)
	}
	if r.status != http.StatusMethodNotAllowed {
		t.Fatalf("POST / = %d, want 405", r.status)
	}
	// Same-origin fetch metadata is allowed too.
	r = ts.do(t, http.MethodPost, "/", strings.NewReader("a=1"), map[string]string{"Sec-Fetch-Site": "same-origin"})
	if r.status == http.StatusForbidden {
		t.Fatalf("Sec-Fetch-Site: same-origin POST refused")
	}
	// Safe methods are never refused.
	r = ts.do(t, http.MethodGet, "/", nil, map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example",
		"Cookie": ts.login(t)})
	if r.status != http.StatusOK {
		t.Fatalf("cross-site GET = %d, want 200", r.status)
	}
}

func TestGzip(t *testing.T) {
	ts := newTestServer(t)
	cookie := ts.login(t)
	r := ts.do(t, http.MethodGet, "/", nil, map[string]string{"Accept-Encoding": "gzip", "Cookie": cookie})
	if r.status != http.StatusOK {
		t.Fatalf("status = %d", r.status)
	}
	if ce := r.header.Get("Content-Encoding"); ce != "gzip" {
		t.Fatalf("Content-Encoding = %q, want gzip", ce)
	}
	zr, err := gzip.NewReader(strings.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	html, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(html), `<html lang="vi">`) {
		t.Fatalf("decompressed page lacks <html lang=\"vi\">")
	}

	r = ts.do(t, http.MethodGet, "/", nil, map[string]string{"Cookie": cookie})
	if r.status != http.StatusOK {
		t.Fatalf("status = %d", r.status)
	}
	if ce := r.header.Get("Content-Encoding"); ce != "" {
		t.Fatalf("Content-Encoding = %q without Accept-Encoding", ce)
	}
}

func TestStaticAsset(t *testing.T) {
	ts := newTestServer(t)
	r := ts.get(t, "/static/app.css")
	if r.status != http.StatusOK {
		t.Fatalf("/static/app.css = %d", r.status)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/css") {
		t.Fatalf("Content-Type = %q, want text/css", ct)
	}
	if cc := r.header.Get("Cache-Control"); !strings.Contains(cc, "max-age=31536000") || !strings.Contains(cc, "immutable") {
		t.Fatalf("Cache-Control = %q, want a year and immutable", cc)
	}
	if len(r.body) == 0 {
		t.Fatal("empty stylesheet")
	}
	if r := ts.get(t, "/static/app.js"); r.status != http.StatusOK ||
		!strings.Contains(r.header.Get("Content-Type"), "javascript") {
		t.Fatalf("/static/app.js = %d %q", r.status, r.header.Get("Content-Type"))
	}
}
