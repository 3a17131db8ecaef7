package main

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"vanthu/internal/identity"
	"vanthu/internal/platform/postgres"
	"vanthu/internal/platform/postgres/pgtest"
)

const cliPassword = "Mat-khau-rat-manh-2026"

// runStdin runs the program with stdin as its standard input.
func runStdin(t *testing.T, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	var stdout, stderr syncBuffer
	err := run(context.Background(), args, strings.NewReader(stdin), &stdout, &stderr, func(k string) string { return env[k] })
	return result{err: err, stdout: stdout.String(), stderr: stderr.String()}
}

// seededDB returns the environment and a pool of a database holding the
// real unit tree.
func seededDB(t *testing.T) (map[string]string, *pgxpool.Pool) {
	t.Helper()
	url := pgtest.NewDatabase(t)
	env := map[string]string{"VANTHU_DATABASE_URL": url}
	if r := runWith(t, env, "seed", "units"); r.err != nil {
		t.Fatalf("seed units: %v\n%s", r.err, r.stderr)
	}
	pool, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return env, pool
}

func TestUserCreate(t *testing.T) {
	ctx := context.Background()
	env, pool := seededDB(t)
	// Logins have 2 to 63 characters, so the brief's "--login x" is
	// refused (see below); the same command with a real login.
	args := []string{"user", "create", "--login", "nguyenvanx", "--name", "Nguyễn Văn X", "--unit", "79", "--role", "clerk", "--password-stdin"}

	r := runStdin(t, env, cliPassword+"\n", args...)
	if r.err != nil {
		t.Fatalf("user create: %v\n%s", r.err, r.stderr)
	}
	if !strings.HasPrefix(r.stdout, "created user nguyenvanx (id ") {
		t.Fatalf("stdout = %q", r.stdout)
	}
	if strings.Contains(r.stdout+r.stderr, cliPassword) {
		t.Fatal("the password was echoed")
	}
	users := identity.NewStore(pool)
	u, err := users.Authenticate(ctx, "nguyenvanx", cliPassword, identity.LoginPolicy{MaxFailures: 5})
	if err != nil {
		t.Fatalf("the new user cannot log in: %v", err)
	}
	if u.FullName != "Nguyễn Văn X" || u.Clearance != identity.ClearanceNone || u.MustChangePassword {
		t.Errorf("user = %+v", u)
	}
	ms, err := users.Memberships(ctx, u.ID)
	if err != nil || len(ms) != 1 || ms[0].Role != identity.RoleClerk || ms[0].UnitName != "Thành ủy Hồ Chí Minh" {
		t.Fatalf("memberships = %+v, %v; want clerk of the current Thành ủy Hồ Chí Minh (code 79)", ms, err)
	}

	// The same login again: a clear refusal, nothing changed.
	r = runStdin(t, env, cliPassword+"\n", args...)
	if r.err == nil || !strings.Contains(r.err.Error(), "Tên đăng nhập đã được dùng") {
		t.Fatalf("second user create = %v, want a message that the login is taken", r.err)
	}
	if errors.Is(r.err, errUsage) {
		t.Errorf("a taken login is reported as a usage error")
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM users WHERE login = 'nguyenvanx'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d users named nguyenvanx, %v", n, err)
	}
	// A one-letter login is refused with the rule in Vietnamese.
	short := slices.Clone(args)
	short[3] = "x"
	if r := runStdin(t, env, cliPassword+"\n", short...); r.err == nil || !strings.Contains(r.err.Error(), "Tên đăng nhập gồm 2–63 ký tự") {
		t.Fatalf("--login x = %v, want the login rule", r.err)
	}

	// Options, a unit by id, a Windows line ending.
	var office int64
	if err := pool.QueryRow(ctx, `SELECT id FROM units WHERE level = 'central' AND symbol = 'VPTW'`).Scan(&office); err != nil {
		t.Fatal(err)
	}
	r = runStdin(t, env, cliPassword+"\r\n", "user", "create", "--login", "Tran.Thi-Y", "--name", "  Trần   Thị Y ", "--unit", "id:"+itoa(office),
		"--role", "leader", "--title", "Chánh Văn phòng", "--clearance", "toi_mat", "--must-change", "--password-stdin")
	if r.err != nil {
		t.Fatalf("user create with options: %v", r.err)
	}
	y, err := users.Authenticate(ctx, "tran.thi-y", cliPassword, identity.LoginPolicy{MaxFailures: 5})
	if err != nil {
		t.Fatalf("password with CRLF not trimmed: %v", err)
	}
	if y.FullName != "Trần Thị Y" || y.Clearance != identity.ClearanceToiMat || !y.MustChangePassword {
		t.Errorf("user y = %+v", y)
	}
	if ms, _ := users.Memberships(ctx, y.ID); len(ms) != 1 || ms[0].UnitID != office || ms[0].Title != "Chánh Văn phòng" || ms[0].Role != identity.RoleLeader {
		t.Errorf("memberships of y = %+v", ms)
	}
}

func TestUserCreateRefusals(t *testing.T) {
	env, pool := seededDB(t)
	base := func(extra ...string) []string {
		return append([]string{"user", "create", "--login", "z", "--name", "Lê Văn Z", "--unit", "79", "--role", "clerk"}, extra...)
	}
	for _, c := range []struct {
		name  string
		stdin string
		args  []string
	}{
		{"no --password-stdin", cliPassword + "\n", base()},
		{"password as an argument", cliPassword + "\n", base("--password", cliPassword)},
		{"no login", cliPassword + "\n", []string{"user", "create", "--name", "A", "--unit", "79", "--role", "clerk", "--password-stdin"}},
		{"unknown role", cliPassword + "\n", []string{"user", "create", "--login", "z", "--name", "A", "--unit", "79", "--role", "boss", "--password-stdin"}},
		{"unknown clearance", cliPassword + "\n", base("--clearance", "secret", "--password-stdin")},
		{"empty stdin", "", base("--password-stdin")},
		{"stray argument", cliPassword + "\n", base("--password-stdin", "extra")},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := runStdin(t, env, c.stdin, c.args...)
			if !errors.Is(r.err, errUsage) {
				t.Fatalf("err = %v, want errUsage", r.err)
			}
		})
	}
	for _, c := range []struct {
		name, stdin, want string
		args              []string
	}{
		{"weak password", "ngan1\n", "Mật khẩu phải có ít nhất 12 ký tự", base("--password-stdin")},
		{"unknown unit", cliPassword + "\n", `no current unit has code "999"`,
			[]string{"user", "create", "--login", "z", "--name", "A", "--unit", "999", "--role", "clerk", "--password-stdin"}},
		{"ended unit", cliPassword + "\n", "no current unit has id",
			[]string{"user", "create", "--login", "z", "--name", "A", "--unit", "id:" + itoa(endedProvince(t, pool)), "--role", "clerk", "--password-stdin"}},
		{"bad login", cliPassword + "\n", "Tên đăng nhập gồm",
			[]string{"user", "create", "--login", "Không Dấu", "--name", "A", "--unit", "79", "--role", "clerk", "--password-stdin"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := runStdin(t, env, c.stdin, c.args...)
			if r.err == nil || !strings.Contains(r.err.Error(), c.want) {
				t.Fatalf("err = %v, want one containing %q", r.err, c.want)
			}
		})
	}
	var n int
	if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM users`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("refused commands created %d users (%v)", n, err)
	}
}

func endedProvince(t *testing.T, pool *pgxpool.Pool) int64 {
	t.Helper()
	var id int64
	if err := pool.QueryRow(context.Background(), `SELECT id FROM units WHERE level = 'province' AND valid_to IS NOT NULL ORDER BY id LIMIT 1`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestUserUnlock(t *testing.T) {
	ctx := context.Background()
	env, pool := seededDB(t)
	if r := runStdin(t, env, cliPassword+"\n", "user", "create", "--login", "nguyenvanx", "--name", "Nguyễn Văn X", "--unit", "79", "--role", "clerk", "--password-stdin"); r.err != nil {
		t.Fatal(r.err)
	}
	users := identity.NewStore(pool)
	pol := identity.LoginPolicy{MaxFailures: 5, LockDuration: time.Hour}
	for range 5 {
		_, _ = users.Authenticate(ctx, "nguyenvanx", "sai-mat-khau-1", pol)
	}
	if _, err := users.Authenticate(ctx, "nguyenvanx", cliPassword, pol); !errors.Is(err, identity.ErrAccountLocked) {
		t.Fatalf("account not locked: %v", err)
	}
	r := runWith(t, env, "user", "unlock", "--login", "nguyenvanx")
	if r.err != nil || r.stdout != "unlocked nguyenvanx\n" {
		t.Fatalf("user unlock = %q, %v", r.stdout, r.err)
	}
	if _, err := users.Authenticate(ctx, "nguyenvanx", cliPassword, pol); err != nil {
		t.Fatalf("after unlock: %v", err)
	}
	if r := runWith(t, env, "user", "unlock"); !errors.Is(r.err, errUsage) {
		t.Errorf("unlock without --login = %v", r.err)
	}
	if r := runWith(t, env, "user", "unlock", "--login", "khong-co"); r.err == nil || !strings.Contains(r.err.Error(), "Không tìm thấy người dùng") {
		t.Errorf("unlock of a missing user = %v", r.err)
	}
}

func TestTokenCreate(t *testing.T) {
	ctx := context.Background()
	env, pool := seededDB(t)
	if r := runStdin(t, env, cliPassword+"\n", "user", "create", "--login", "nguyenvanx", "--name", "Nguyễn Văn X", "--unit", "79", "--role", "clerk", "--password-stdin"); r.err != nil {
		t.Fatal(r.err)
	}
	r := runWith(t, env, "token", "create", "--login", "nguyenvanx", "--name", "đồng bộ")
	if r.err != nil {
		t.Fatalf("token create: %v\n%s", r.err, r.stderr)
	}
	lines := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
	token := lines[len(lines)-1]
	if !strings.HasPrefix(token, "vt_") || strings.ContainsAny(token, " \t") {
		t.Fatalf("last line %q is not the token alone (stdout %q)", token, r.stdout)
	}
	if !strings.HasSuffix(r.stdout, token+"\n") {
		t.Fatalf("stdout %q does not end with the token line", r.stdout)
	}
	users := identity.NewStore(pool)
	u, err := users.AuthenticateToken(ctx, token)
	if err != nil || u.Login != "nguyenvanx" {
		t.Fatalf("printed token does not authenticate: %v %v", u.Login, err)
	}
	list, err := users.Tokens(ctx, u.ID)
	if err != nil || len(list) != 1 || list[0].Name != "đồng bộ" {
		t.Fatalf("tokens = %+v, %v", list, err)
	}
	// Two tokens differ.
	r2 := runWith(t, env, "token", "create", "--login", "NguyenVanX")
	if r2.err != nil || strings.HasSuffix(r2.stdout, token+"\n") {
		t.Fatalf("second token: %v %q", r2.err, r2.stdout)
	}

	if r := runWith(t, env, "token", "create"); !errors.Is(r.err, errUsage) {
		t.Errorf("token create without --login = %v, want errUsage", r.err)
	}
	if r := runWith(t, env, "token", "create", "--login", "khong-co"); r.err == nil || !strings.Contains(r.err.Error(), "Không tìm thấy người dùng") || r.stdout != "" {
		t.Errorf("token for a missing user = %v, stdout %q", r.err, r.stdout)
	}
	if r := runWith(t, env, "token"); !errors.Is(r.err, errUsage) {
		t.Errorf("token without a command = %v", r.err)
	}
}
