package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"vanthu/internal/platform/objectstore/s3test"
	"vanthu/internal/platform/postgres"
	"vanthu/internal/platform/postgres/pgtest"
	"vanthu/migrations"
)

// syncBuffer is a bytes.Buffer safe to write from the serving goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type result struct {
	err            error
	stdout, stderr string
}

func runWith(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	var stdout, stderr syncBuffer
	err := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr, func(k string) string { return env[k] })
	return result{err: err, stdout: stdout.String(), stderr: stderr.String()}
}

func TestNoArgsIsUsageError(t *testing.T) {
	r := runWith(t, nil)
	if !errors.Is(r.err, errUsage) {
		t.Fatalf("run() = %v, want errUsage", r.err)
	}
	for _, c := range []string{"serve", "migrate", "version"} {
		if !strings.Contains(r.stderr, c) {
			t.Errorf("usage does not list %q:\n%s", c, r.stderr)
		}
	}
}

func TestUnknownCommand(t *testing.T) {
	r := runWith(t, nil, "frobnicate")
	if !errors.Is(r.err, errUsage) {
		t.Fatalf("run(frobnicate) = %v, want errUsage", r.err)
	}
	if !strings.Contains(r.err.Error(), "frobnicate") {
		t.Errorf("error %q does not name the command", r.err)
	}
	for _, c := range []string{"serve", "migrate", "version", "Usage: vanthu"} {
		if !strings.Contains(r.stderr, c) {
			t.Errorf("stderr does not list %q:\n%s", c, r.stderr)
		}
	}
	if r.stdout != "" {
		t.Errorf("stdout = %q, want nothing", r.stdout)
	}
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}, {"migrate", "--help"}, {"serve", "--help"}, {"version", "-h"}} {
		r := runWith(t, nil, args...)
		if r.err != nil {
			t.Errorf("run(%q) = %v, want nil", args, r.err)
		}
		if !strings.Contains(r.stderr, "Usage:") {
			t.Errorf("run(%q) printed no usage:\n%s", args, r.stderr)
		}
	}
	r := runWith(t, nil, "migrate", "--help")
	for _, c := range []string{"up", "down", "version", "vanthu migrate"} {
		if !strings.Contains(r.stderr, c) {
			t.Errorf("migrate --help does not list %q:\n%s", c, r.stderr)
		}
	}
}

func TestBadArguments(t *testing.T) {
	for _, args := range [][]string{
		{"migrate"},
		{"migrate", "sideways"},
		{"migrate", "down"},
		{"migrate", "down", "x"},
		{"migrate", "down", "0"},
		{"migrate", "down", "-1"},
		{"migrate", "down", "1", "2"},
		{"migrate", "up", "extra"},
		{"migrate", "version", "extra"},
		{"version", "--bogus-flag"},
		{"serve", "extra"},
	} {
		r := runWith(t, nil, args...)
		if !errors.Is(r.err, errUsage) {
			t.Errorf("run(%q) = %v, want errUsage", args, r.err)
		}
	}
}

func TestVersion(t *testing.T) {
	r := runWith(t, nil, "version")
	if r.err != nil {
		t.Fatal(r.err)
	}
	if r.stdout != "vanthu dev\n" {
		t.Fatalf("stdout = %q, want %q", r.stdout, "vanthu dev\n")
	}
}

func TestMigrateCommands(t *testing.T) {
	env := map[string]string{"VANTHU_DATABASE_URL": pgtest.NewDatabase(t)}
	latest, err := postgres.LatestVersion()
	if err != nil || latest == 0 {
		t.Fatalf("LatestVersion = %d, %v", latest, err)
	}
	r := runWith(t, env, "migrate", "version")
	if r.err != nil {
		t.Fatalf("migrate version: %v\n%s", r.err, r.stderr)
	}
	if want := fmt.Sprintf("%d; this binary's latest is %d\n", latest, latest); r.stdout != want {
		t.Fatalf("migrate version printed %q, want %q", r.stdout, want)
	}

	r = runWith(t, env, "migrate", "down", "1")
	if r.err != nil {
		t.Fatalf("migrate down 1: %v\n%s", r.err, r.stderr)
	}
	previous := previousMigration(t, latest)
	if want := fmt.Sprintf("schema at version %d\n", previous); r.stdout != want {
		t.Fatalf("migrate down 1 printed %q, want %q", r.stdout, want)
	}
	r = runWith(t, env, "migrate", "version")
	if want := fmt.Sprintf("%d; this binary's latest is %d\n", previous, latest); r.err != nil || r.stdout != want {
		t.Fatalf("migrate version after down = %q, %v; want %q", r.stdout, r.err, want)
	}

	r = runWith(t, env, "migrate", "up")
	if r.err != nil {
		t.Fatalf("migrate up: %v\n%s", r.err, r.stderr)
	}
	if want := fmt.Sprintf("schema at version %d\n", latest); r.stdout != want {
		t.Fatalf("migrate up printed %q, want %q", r.stdout, want)
	}
	r = runWith(t, env, "migrate", "version")
	if want := fmt.Sprintf("%d; this binary's latest is %d\n", latest, latest); r.err != nil || r.stdout != want {
		t.Fatalf("migrate version after up = %q, %v; want %q", r.stdout, r.err, want)
	}
	// Up with nothing to do succeeds.
	if r := runWith(t, env, "migrate", "up"); r.err != nil {
		t.Fatalf("second migrate up: %v", r.err)
	}
}

func TestInvalidConfigurationIsReported(t *testing.T) {
	r := runWith(t, map[string]string{"VANTHU_HTTP_ADDR": "not-an-address"}, "serve")
	if r.err == nil {
		t.Fatal("serve accepted VANTHU_HTTP_ADDR=not-an-address")
	}
	if !strings.Contains(r.err.Error(), "VANTHU_HTTP_ADDR") {
		t.Fatalf("error %q does not name VANTHU_HTTP_ADDR", r.err)
	}
	if errors.Is(r.err, errUsage) {
		t.Fatalf("bad configuration reported as a usage error: %v", r.err)
	}
	// migrate reads the same configuration.
	r = runWith(t, map[string]string{"VANTHU_DATABASE_URL": "mysql://x/y"}, "migrate", "version")
	if r.err == nil || !strings.Contains(r.err.Error(), "VANTHU_DATABASE_URL") {
		t.Fatalf("migrate version with a mysql URL = %v", r.err)
	}
}

// previousMigration is the version before latest; numbers may have gaps
// while branches that each add one are merged.
func previousMigration(t *testing.T, latest uint) uint {
	t.Helper()
	ups, err := fs.Glob(migrations.FS, "*.up.sql")
	if err != nil {
		t.Fatal(err)
	}
	var prev uint
	for _, name := range ups {
		var n uint
		if _, err := fmt.Sscanf(name, "%d_", &n); err == nil && n < latest && n > prev {
			prev = n
		}
	}
	return prev
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func TestServeStartsAndStops(t *testing.T) {
	s3 := s3test.StartServer(t)
	addr := freePort(t)
	env := map[string]string{
		"VANTHU_HTTP_ADDR":     addr,
		"VANTHU_BASE_URL":      "http://" + addr,
		"VANTHU_DATABASE_URL":  pgtest.NewDatabase(t),
		"VANTHU_S3_ENDPOINT":   s3.Endpoint,
		"VANTHU_S3_ACCESS_KEY": s3.AccessKey,
		"VANTHU_S3_SECRET_KEY": s3.SecretKey,
		"VANTHU_S3_BUCKET":     "vanthu-serve-test",
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve"}, strings.NewReader(""), &stdout, &stderr, func(k string) string { return env[k] })
	}()

	client := &http.Client{Timeout: 2 * time.Second}
	healthy := false
	for i := 0; i < 200 && !healthy; i++ {
		select {
		case err := <-done:
			t.Fatalf("serve returned early: %v\n%s", err, stderr.String())
		default:
		}
		resp, err := client.Get("http://" + addr + "/healthz")
		if err == nil {
			healthy = resp.StatusCode == http.StatusOK
			resp.Body.Close()
		}
		if !healthy {
			time.Sleep(50 * time.Millisecond)
		}
	}
	if !healthy {
		cancel()
		t.Fatalf("/healthz never answered 200\n%s", stderr.String())
	}
	resp, err := client.Get("http://" + addr + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/readyz = %d\n%s", resp.StatusCode, stderr.String())
	}
	client.CloseIdleConnections()

	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve after cancel = %v, want nil\n%s", err, stderr.String())
	}
	log := stderr.String()
	for _, want := range []string{"starting vanthu", "listening", "shutting down", "e-mail off"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
	if strings.Contains(log, s3.SecretKey) {
		t.Errorf("log reveals the S3 secret key")
	}
	if stdout.String() != "" {
		t.Errorf("serve wrote to stdout: %q", stdout.String())
	}
	// The listener is closed.
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Errorf("still listening on %s after serve returned", addr)
	}
}

func TestSeedUnits(t *testing.T) {
	env := map[string]string{"VANTHU_DATABASE_URL": pgtest.NewDatabase(t)}
	r := runWith(t, env, "seed", "units")
	if r.err != nil {
		t.Fatalf("seed units: %v\n%s", r.err, r.stderr)
	}
	want := "units: 34 current provinces, 3321 current communes, 52 former provinces, 10 central bodies; 3417 created, 34 events recorded\n"
	if r.stdout != want {
		t.Fatalf("seed units printed %q, want %q", r.stdout, want)
	}
	// Again: the same counts, nothing created.
	r = runWith(t, env, "seed", "units")
	if r.err != nil {
		t.Fatalf("second seed units: %v", r.err)
	}
	if want := "units: 34 current provinces, 3321 current communes, 52 former provinces, 10 central bodies; 0 created, 0 events recorded\n"; r.stdout != want {
		t.Fatalf("second seed units printed %q, want %q", r.stdout, want)
	}

	for _, args := range [][]string{{"seed"}, {"seed", "extra"}, {"seed", "units", "extra"}, {"seed", "units", "--dir", t.TempDir() + "/missing"}} {
		if r := runWith(t, env, args...); !errors.Is(r.err, errUsage) {
			t.Errorf("run(%q) = %v, want errUsage", args, r.err)
		}
	}
	// A folder without the data files is an error, not a usage error, and imports nothing new.
	r = runWith(t, env, "seed", "units", "--dir", t.TempDir())
	if r.err == nil || errors.Is(r.err, errUsage) {
		t.Fatalf("seed units from an empty folder = %v", r.err)
	}
}

func TestSeedDemoIsIdempotent(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	env := map[string]string{"VANTHU_DATABASE_URL": url}
	pool, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	state := func() string {
		t.Helper()
		var users, memberships, units, events int
		if err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM memberships),
			(SELECT count(*) FROM units), (SELECT count(*) FROM unit_events)`).Scan(&users, &memberships, &units, &events); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("users=%d memberships=%d units=%d events=%d", users, memberships, units, events)
	}

	r := runWith(t, env, "seed", "--demo")
	if r.err != nil {
		t.Fatalf("seed --demo: %v\n%s", r.err, r.stderr)
	}
	for _, want := range []string{"Demo@Vanthu2026", "admin", "quantri.tinh", "bithu.tinh", "vanthu.tinh", "chuyenvien.th", "Văn thư", "two-factor"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("seed --demo output lacks %q:\n%s", want, r.stdout)
		}
	}
	first := state()
	// 12 users with one membership each, and two office staff who also
	// draft for the provincial committee (demo/outgoing.go).
	if !strings.HasPrefix(first, "users=12 memberships=14 ") {
		t.Errorf("after the first demo seed: %s, want 12 users and 14 memberships", first)
	}
	r2 := runWith(t, env, "seed", "--demo")
	if r2.err != nil {
		t.Fatalf("second seed --demo: %v\n%s", r2.err, r2.stderr)
	}
	if second := state(); second != first {
		t.Fatalf("second demo seed changed the database: %s → %s", first, second)
	}
	if r2.stdout != r.stdout {
		t.Errorf("second run printed something else:\n%s\nvs\n%s", r2.stdout, r.stdout)
	}
	// Outgoing documents at four stages, seeded once (demo/outgoing.go).
	var drafts, rounds, copies int
	if err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM documents WHERE direction = 'outgoing'),
		(SELECT count(*) FROM outgoing_rounds WHERE stage = 'format'),
		(SELECT count(*) FROM documents WHERE source_document_id IS NOT NULL)`).Scan(&drafts, &rounds, &copies); err != nil {
		t.Fatal(err)
	}
	// At least the four of demo/outgoing.go (the dashboard demo adds issued ones).
	if drafts < 4 || rounds != 1 || copies != 2 {
		t.Errorf("demo outgoing: %d documents, %d at the format check, %d delivered copies", drafts, rounds, copies)
	}
}
