package config_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vanthu/internal/config"
)

// env returns a getenv backed by m; missing names read as "".
func env(m map[string]string) func(string) string {
	return func(name string) string { return m[name] }
}

func TestDefaultsLoadWithEmptyEnvironment(t *testing.T) {
	c, err := config.Load(env(nil))
	if err != nil {
		t.Fatalf("Load with no variables: %v", err)
	}
	want := config.Config{
		DatabaseURL:            "postgres://postgres@127.0.0.1:54329/vanthu?sslmode=disable",
		AutoMigrate:            true,
		S3Endpoint:             "127.0.0.1:59000",
		S3UseTLS:               false,
		S3Region:               "us-east-1",
		S3Bucket:               "vanthu",
		S3AccessKey:            "vanthu-dev",
		S3SecretKey:            "vanthu-dev-secret",
		HTTPAddr:               "127.0.0.1:8080",
		BaseURL:                "http://127.0.0.1:8080",
		MaxBodyBytes:           1 << 20,
		MaxUploadBytes:         100 << 20,
		SessionIdleTimeout:     15 * time.Minute,
		SessionAbsoluteTimeout: 12 * time.Hour,
		LoginMaxFailures:       5,
		LoginLockDuration:      30 * time.Minute,
		AccountInactiveAfter:   45 * 24 * time.Hour,
		MaxFileBytes:           50 << 20,
		NumberingProfile:       "party",
		SMTPFrom:               "vanthu@localhost",
		TOTPIssuer:             "Vanthu",
		LogLevel:               "info",
		LogFormat:              "text",
	}
	if c != want {
		t.Fatalf("defaults:\n got %+v\nwant %+v", c, want)
	}
}

func TestValuesAreParsed(t *testing.T) {
	c, err := config.Load(env(map[string]string{
		"VANTHU_AUTOMIGRATE":          "false",
		"VANTHU_S3_USE_TLS":           "true",
		"VANTHU_BASE_URL":             "https://vanthu.example.gov.vn/",
		"VANTHU_MAX_BODY_BYTES":       "2048",
		"VANTHU_SESSION_IDLE_TIMEOUT": "90s",
		"VANTHU_LOGIN_MAX_FAILURES":   "3",
		"VANTHU_LOG_LEVEL":            "debug",
		"VANTHU_LOG_FORMAT":           "json",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.AutoMigrate || !c.S3UseTLS || c.BaseURL != "https://vanthu.example.gov.vn" || c.MaxBodyBytes != 2048 ||
		c.SessionIdleTimeout != 90*time.Second || c.LoginMaxFailures != 3 || c.LogLevel != "debug" || c.LogFormat != "json" {
		t.Fatalf("parsed config = %+v", c)
	}
}

func TestEachInvalidValueNamesItsVariable(t *testing.T) {
	cases := []struct{ name, value string }{
		{"VANTHU_DATABASE_URL", "mysql://u@h/db"},
		{"VANTHU_DATABASE_URL", "not a url"},
		{"VANTHU_BASE_URL", "ftp://example.com"},
		{"VANTHU_BASE_URL", "http://"},
		{"VANTHU_S3_ENDPOINT", "no-port-here"},
		{"VANTHU_S3_ENDPOINT", "127.0.0.1:99999"},
		{"VANTHU_HTTP_ADDR", "127.0.0.1:http-ish"},
		{"VANTHU_AUTOMIGRATE", "maybe"},
		{"VANTHU_S3_USE_TLS", "yes please"},
		{"VANTHU_S3_BUCKET", "Bad_Bucket"},
		{"VANTHU_S3_BUCKET", "ab"},
		{"VANTHU_MAX_BODY_BYTES", "-1"},
		{"VANTHU_MAX_UPLOAD_BYTES", "0"},
		{"VANTHU_MAX_UPLOAD_BYTES", "10MB"},
		{"VANTHU_LOGIN_MAX_FAILURES", "-3"},
		{"VANTHU_SESSION_IDLE_TIMEOUT", "fifteen minutes"},
		{"VANTHU_SESSION_ABSOLUTE_TIMEOUT", "-1h"},
		{"VANTHU_LOGIN_LOCK_DURATION", "30"},
		{"VANTHU_TOTP_ISSUER", "   "},
		{"VANTHU_LOG_LEVEL", "verbose"},
		{"VANTHU_LOG_FORMAT", "xml"},
	}
	for _, tc := range cases {
		t.Run(tc.name+"="+tc.value, func(t *testing.T) {
			_, err := config.Load(env(map[string]string{tc.name: tc.value}))
			if err == nil {
				t.Fatalf("Load accepted %s=%q", tc.name, tc.value)
			}
			if !strings.Contains(err.Error(), tc.name) {
				t.Fatalf("error %q does not name %s", err, tc.name)
			}
			// Only the bad variable is reported.
			for _, s := range config.Settings {
				if s.Name != tc.name && strings.Contains(err.Error(), s.Name+"=") {
					t.Fatalf("error %q also blames %s", err, s.Name)
				}
			}
		})
	}
}

func TestAllErrorsAreReportedAtOnce(t *testing.T) {
	bad := map[string]string{
		"VANTHU_HTTP_ADDR":      "nonsense",
		"VANTHU_AUTOMIGRATE":    "perhaps",
		"VANTHU_S3_BUCKET":      "UPPER",
		"VANTHU_MAX_BODY_BYTES": "-5",
		"VANTHU_LOG_LEVEL":      "loud",
	}
	_, err := config.Load(env(bad))
	if err == nil {
		t.Fatal("Load accepted five invalid values")
	}
	msg := err.Error()
	for name := range bad {
		if !strings.Contains(msg, name) {
			t.Errorf("error does not mention %s:\n%s", name, msg)
		}
	}
	if n := len(strings.Split(strings.TrimSpace(msg), "\n")); n != len(bad) {
		t.Errorf("error has %d lines, want %d:\n%s", n, len(bad), msg)
	}
}

func TestSecretFromFile(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "s3-secret")
	if err := os.WriteFile(secret, []byte("from-the-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	dbURL := filepath.Join(dir, "db-url")
	if err := os.WriteFile(dbURL, []byte("postgres://app:pa55@db.internal:5432/vanthu\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := config.Load(env(map[string]string{
		"VANTHU_S3_SECRET_KEY_FILE": secret,
		"VANTHU_S3_SECRET_KEY":      "ignored-when-file-given",
		"VANTHU_DATABASE_URL_FILE":  dbURL,
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.S3SecretKey != "from-the-file" {
		t.Errorf("S3SecretKey = %q, want %q", c.S3SecretKey, "from-the-file")
	}
	if c.DatabaseURL != "postgres://app:pa55@db.internal:5432/vanthu" {
		t.Errorf("DatabaseURL = %q", c.DatabaseURL)
	}
}

func TestMissingSecretFileErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "does-not-exist")
	_, err := config.Load(env(map[string]string{"VANTHU_S3_ACCESS_KEY_FILE": missing}))
	if err == nil {
		t.Fatal("Load accepted a _FILE pointing nowhere")
	}
	if !strings.Contains(err.Error(), "VANTHU_S3_ACCESS_KEY_FILE") {
		t.Fatalf("error %q does not name VANTHU_S3_ACCESS_KEY_FILE", err)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("error %q does not wrap fs.ErrNotExist", err)
	}
}

func TestEmptySecretFileIsInvalid(t *testing.T) {
	empty := filepath.Join(t.TempDir(), "empty")
	if err := os.WriteFile(empty, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := config.Load(env(map[string]string{"VANTHU_S3_SECRET_KEY_FILE": empty}))
	if err == nil || !strings.Contains(err.Error(), "VANTHU_S3_SECRET_KEY") {
		t.Fatalf("Load with an empty secret file: %v", err)
	}
}

func TestMaskedHidesSecretsAndShowsTheRest(t *testing.T) {
	secretFile := filepath.Join(t.TempDir(), "access")
	if err := os.WriteFile(secretFile, []byte("AKIAFILESECRET\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	lines := config.Masked(env(map[string]string{
		"VANTHU_DATABASE_URL":       "postgres://u:hunter2@h/db",
		"VANTHU_S3_SECRET_KEY":      "sup3r-s3cret-key",
		"VANTHU_S3_ACCESS_KEY_FILE": secretFile,
		"VANTHU_HTTP_ADDR":          "0.0.0.0:9090",
		"VANTHU_S3_BUCKET":          "ho-so",
	}))
	if len(lines) != len(config.Settings) {
		t.Fatalf("Masked gave %d lines for %d settings", len(lines), len(config.Settings))
	}
	all := strings.Join(lines, "\n")
	for _, secret := range []string{"hunter2", "sup3r-s3cret-key", "AKIAFILESECRET", "vanthu-dev-secret"} {
		if strings.Contains(all, secret) {
			t.Errorf("Masked output reveals %q:\n%s", secret, all)
		}
	}
	for i, s := range config.Settings {
		if !strings.HasPrefix(lines[i], s.Name+"=") {
			t.Errorf("line %d = %q, want it to start with %s=", i, lines[i], s.Name)
		}
	}
	for _, want := range []string{
		"VANTHU_HTTP_ADDR=0.0.0.0:9090",
		"VANTHU_S3_BUCKET=ho-so",
		"VANTHU_LOG_LEVEL=info",
		"VANTHU_S3_ENDPOINT=127.0.0.1:59000",
		"VANTHU_S3_SECRET_KEY=xxxxx",
		"VANTHU_S3_ACCESS_KEY=xxxxx",
	} {
		if !containsLine(lines, want) {
			t.Errorf("Masked output lacks %q:\n%s", want, all)
		}
	}
	// The database URL keeps user and host so operators can check it.
	var dbLine string
	for _, l := range lines {
		if strings.HasPrefix(l, "VANTHU_DATABASE_URL=") {
			dbLine = l
		}
	}
	if !strings.Contains(dbLine, "u:") || !strings.Contains(dbLine, "@h/db") {
		t.Errorf("masked database URL %q lost user or host", dbLine)
	}
}

// pgx also reads a password from the URL's query string; that must be
// hidden too.
func TestMaskedHidesPasswordInQuery(t *testing.T) {
	all := strings.Join(config.Masked(env(map[string]string{
		"VANTHU_DATABASE_URL": "postgres://u@h/db?sslmode=disable&password=hunter2",
	})), "\n")
	if strings.Contains(all, "hunter2") {
		t.Errorf("Masked output reveals the password given as a query parameter:\n%s", all)
	}
}

func TestInvalidSecretIsMaskedInError(t *testing.T) {
	_, err := config.Load(env(map[string]string{"VANTHU_DATABASE_URL": "mysql://u:hunter2@h/db"}))
	if err == nil {
		t.Fatal("Load accepted a mysql URL")
	}
	if strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("error reveals the password: %v", err)
	}
	if !strings.Contains(err.Error(), "VANTHU_DATABASE_URL") {
		t.Fatalf("error does not name VANTHU_DATABASE_URL: %v", err)
	}
}

func containsLine(lines []string, want string) bool {
	for _, l := range lines {
		if l == want {
			return true
		}
	}
	return false
}

// The README documents every variable (its table is generated from
// Settings).
func TestReadmeMentionsEverySetting(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatalf("read README: %v", err)
	}
	readme := string(b)
	for _, s := range config.Settings {
		if !strings.Contains(readme, s.Name) {
			t.Errorf("README.md does not mention %s", s.Name)
		}
	}
}
