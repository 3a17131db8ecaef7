// Package testkit starts the whole application for tests: a fresh
// migrated database, a bucket on the real S3 server, the HTTP server on a
// random port, and helpers to create units and people, sign in and call the
// API. Browser tests drive it with Chromium (browser.go).
package testkit

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/pquerna/otp/totp"

	"vanthu/internal/config"
	"vanthu/internal/identity"
	"vanthu/internal/platform/objectstore/s3test"
	"vanthu/internal/platform/postgres/pgtest"
	"vanthu/internal/server"
	"vanthu/internal/signature"
)

// Password is the password of every user the kit creates.
const Password = "Kiem-thu-2026-mat-khau"

// App is a running Vanthu.
type App struct {
	T      testing.TB
	URL    string
	DB     *pgxpool.Pool
	Config config.Config
	Users  *identity.Store
}

// Option adjusts the configuration before the server starts.
type Option func(*config.Config)

// Start runs the application until the test ends.
func Start(t testing.TB, opts ...Option) *App {
	t.Helper()
	dbURL := pgtest.NewDatabase(t)
	s3 := s3test.Config(t)
	env := map[string]string{
		"VANTHU_DATABASE_URL":  dbURL,
		"VANTHU_S3_ENDPOINT":   s3.Endpoint,
		"VANTHU_S3_BUCKET":     s3.Bucket,
		"VANTHU_S3_ACCESS_KEY": s3.AccessKey,
		"VANTHU_S3_SECRET_KEY": s3.SecretKey,
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range opts {
		o(&cfg)
	}
	sigs, err := signature.LoadSetup(cfg.SignatureTrustRootsFile, cfg.AgencyP12File, cfg.AgencyP12Password)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg.BaseURL = "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	store := s3test.NewStoreFor(t, s3)
	srv := server.New(server.Deps{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Config: cfg, DB: pool, Store: store, Version: "test", Signatures: sigs})
	done := make(chan error, 1)
	go func() { done <- srv.ServeListener(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("server: %v", err)
		}
		pool.Close()
	})
	return &App{T: t, URL: cfg.BaseURL, DB: pool, Config: cfg, Users: identity.NewStore(pool)}
}

// Unit creates a current unit and returns its id.
func (a *App) Unit(name, level string, parent int64) int64 {
	a.T.Helper()
	var p any
	if parent != 0 {
		p = parent
	}
	var id int64
	err := a.DB.QueryRow(context.Background(), `
		INSERT INTO units (name, level, parent_id, valid_from) VALUES ($1, $2, $3, DATE '2020-01-01') RETURNING id`,
		name, level, p).Scan(&id)
	if err != nil {
		a.T.Fatalf("create unit %s: %v", name, err)
	}
	return id
}

// User creates a user with a role in a unit (role "" for no membership).
func (a *App) User(login string, unit int64, role identity.Role, clearance identity.Clearance) identity.User {
	a.T.Helper()
	ctx := context.Background()
	u, err := a.Users.Create(ctx, a.DB, identity.NewUser{Login: login, FullName: "Người dùng " + login, Password: Password, Clearance: clearance})
	if err != nil {
		a.T.Fatalf("create user %s: %v", login, err)
	}
	if role != "" {
		if err := a.Users.AddMembership(ctx, a.DB, u.ID, unit, role, ""); err != nil {
			a.T.Fatalf("membership %s: %v", login, err)
		}
	}
	return u
}

// EnableTOTP enrols an authenticator for u and returns its secret.
func (a *App) EnableTOTP(u identity.User) string {
	a.T.Helper()
	enr, err := a.Users.BeginTOTP(context.Background(), u, "Vanthu")
	if err != nil {
		a.T.Fatal(err)
	}
	if _, err := a.DB.Exec(context.Background(), `UPDATE users SET totp_enabled_at = now() WHERE id = $1`, u.ID); err != nil {
		a.T.Fatal(err)
	}
	return enr.Secret
}

// Client is an HTTP client with its own cookie jar, not following
// redirects so tests see them.
type Client struct {
	*http.Client
	app *App
}

// NewClient returns a client with an empty cookie jar.
func (a *App) NewClient() *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{app: a, Client: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// Login signs in with the kit's password (and a TOTP code when secret is
// given) and fails the test unless it succeeds.
func (a *App) Login(login, totpSecret string) *Client {
	a.T.Helper()
	c := a.NewClient()
	resp := c.PostForm("/login", url.Values{"login": {login}, "password": {Password}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		a.T.Fatalf("login %s: status %d", login, resp.StatusCode)
	}
	if loc := resp.Header.Get("Location"); strings.HasPrefix(loc, "/login/totp") {
		if totpSecret == "" {
			a.T.Fatalf("login %s needs a TOTP code", login)
		}
		code, err := totp.GenerateCode(totpSecret, time.Now())
		if err != nil {
			a.T.Fatal(err)
		}
		resp = c.PostForm("/login/totp", url.Values{"code": {code}})
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
			a.T.Fatalf("totp for %s: status %d location %q", login, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	return c
}

// Token creates an API token for user.
func (a *App) Token(u identity.User) string {
	a.T.Helper()
	tok, _, err := a.Users.CreateToken(context.Background(), u.ID, "test")
	if err != nil {
		a.T.Fatal(err)
	}
	return tok
}

// Get fetches path.
func (c *Client) Get(path string) *http.Response {
	c.app.T.Helper()
	resp, err := c.Client.Get(c.app.URL + path)
	if err != nil {
		c.app.T.Fatal(err)
	}
	return resp
}

// PostForm posts a same-origin form.
func (c *Client) PostForm(path string, v url.Values) *http.Response {
	c.app.T.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.app.URL+path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.Do(req)
	if err != nil {
		c.app.T.Fatal(err)
	}
	return resp
}

// Do sends req, with a bearer token when token is not "".
func (a *App) Do(method, path, token string, body io.Reader) *http.Response {
	a.T.Helper()
	req, _ := http.NewRequest(method, a.URL+path, body)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.T.Fatal(err)
	}
	return resp
}

// DecodeJSON reads a JSON response into v and closes it.
func DecodeJSON(t testing.TB, resp *http.Response, v any) {
	t.Helper()
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("decode %s: %v", resp.Request.URL, err)
	}
}

// Exec runs SQL against the app's database.
func (a *App) Exec(sql string, args ...any) {
	a.T.Helper()
	if _, err := a.DB.Exec(context.Background(), sql, args...); err != nil {
		a.T.Fatalf("%s: %v", sql, err)
	}
}

// QueryInt runs a query returning one integer.
func (a *App) QueryInt(sql string, args ...any) int64 {
	a.T.Helper()
	var n int64
	if err := a.DB.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil && err != pgx.ErrNoRows {
		a.T.Fatalf("%s: %v", sql, err)
	}
	return n
}
