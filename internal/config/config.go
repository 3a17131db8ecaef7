// Package config reads Vanthu's settings from the environment.
//
// Every setting is declared once in Settings with its type, default and
// description; the README table and the masked start-up print come from that
// list, so a new variable cannot be documented in one place and forgotten in
// another. Secrets may be given as NAME_FILE, pointing at a file.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config is the typed, validated configuration of one process.
type Config struct {
	DatabaseURL string
	AutoMigrate bool

	S3Endpoint  string
	S3UseTLS    bool
	S3Region    string
	S3Bucket    string
	S3AccessKey string
	S3SecretKey string

	HTTPAddr       string
	BaseURL        string
	MaxBodyBytes   int64
	MaxUploadBytes int64
	MaxFileBytes   int64

	NumberingProfile string
	IsolatedSystem   bool

	SessionIdleTimeout     time.Duration
	SessionAbsoluteTimeout time.Duration
	LoginMaxFailures       int
	LoginLockDuration      time.Duration
	AccountInactiveAfter   time.Duration
	TOTPIssuer             string

	SignatureTrustRootsFile string
	AgencyP12File           string
	AgencyP12Password       string

	SMTPAddr     string
	SMTPFrom     string
	SMTPUsername string
	SMTPPassword string

	LogLevel  string
	LogFormat string
}

// Setting declares one environment variable.
type Setting struct {
	Name        string
	Default     string
	Secret      bool
	Description string
	apply       func(c *Config, raw string) error
}

// Settings is the single declaration of every variable Vanthu reads.
var Settings = []Setting{
	{Name: "VANTHU_DATABASE_URL", Default: "postgres://postgres@127.0.0.1:54329/vanthu?sslmode=disable", Secret: true,
		Description: "PostgreSQL connection URL (the password part is masked in logs).",
		apply:       func(c *Config, v string) error { c.DatabaseURL = v; return requireURL(v, "postgres", "postgresql") }},
	{Name: "VANTHU_AUTOMIGRATE", Default: "true",
		Description: "Apply embedded migrations at start; when false the server refuses to run on an older schema.",
		apply:       func(c *Config, v string) (err error) { c.AutoMigrate, err = strconv.ParseBool(v); return err }},
	{Name: "VANTHU_S3_ENDPOINT", Default: "127.0.0.1:59000",
		Description: "S3-compatible object store as host:port.",
		apply:       func(c *Config, v string) error { c.S3Endpoint = v; return requireHostPort(v) }},
	{Name: "VANTHU_S3_USE_TLS", Default: "false",
		Description: "Use HTTPS to reach the object store.",
		apply:       func(c *Config, v string) (err error) { c.S3UseTLS, err = strconv.ParseBool(v); return err }},
	{Name: "VANTHU_S3_REGION", Default: "us-east-1",
		Description: "Region name sent to the object store.",
		apply:       func(c *Config, v string) error { c.S3Region = v; return nil }},
	{Name: "VANTHU_S3_BUCKET", Default: "vanthu",
		Description: "Bucket that holds every file; created when missing.",
		apply:       func(c *Config, v string) error { c.S3Bucket = v; return requireBucketName(v) }},
	{Name: "VANTHU_S3_ACCESS_KEY", Default: "vanthu-dev", Secret: true,
		Description: "Object store access key.",
		apply:       func(c *Config, v string) error { c.S3AccessKey = v; return requireNonEmpty(v) }},
	{Name: "VANTHU_S3_SECRET_KEY", Default: "vanthu-dev-secret", Secret: true,
		Description: "Object store secret key.",
		apply:       func(c *Config, v string) error { c.S3SecretKey = v; return requireNonEmpty(v) }},
	{Name: "VANTHU_HTTP_ADDR", Default: "127.0.0.1:8080",
		Description: "Address the HTTP server listens on.",
		apply:       func(c *Config, v string) error { c.HTTPAddr = v; return requireHostPort(v) }},
	{Name: "VANTHU_BASE_URL", Default: "http://127.0.0.1:8080",
		Description: "Public URL of the platform, used in links, cookies and TOTP enrolment.",
		apply: func(c *Config, v string) error {
			c.BaseURL = strings.TrimRight(v, "/")
			return requireURL(v, "http", "https")
		}},
	{Name: "VANTHU_MAX_BODY_BYTES", Default: "1048576",
		Description: "Largest request body for ordinary forms and JSON, in bytes.",
		apply:       func(c *Config, v string) (err error) { c.MaxBodyBytes, err = positiveInt64(v); return err }},
	{Name: "VANTHU_MAX_UPLOAD_BYTES", Default: "104857600",
		Description: "Largest upload request (all files of one form), in bytes.",
		apply:       func(c *Config, v string) (err error) { c.MaxUploadBytes, err = positiveInt64(v); return err }},
	{Name: "VANTHU_MAX_FILE_BYTES", Default: "52428800",
		Description: "Largest single attached file, in bytes.",
		apply:       func(c *Config, v string) (err error) { c.MaxFileBytes, err = positiveInt64(v); return err }},
	{Name: "VANTHU_NUMBERING_PROFILE", Default: "party",
		Description: "Preset for registers created automatically: party (Hướng dẫn 36-HD/VPTW) or state (Nghị định 30/2020/NĐ-CP).",
		apply: func(c *Config, v string) error {
			c.NumberingProfile = v
			return oneOf(v, "party", "state")
		}},
	{Name: "VANTHU_ISOLATED_SYSTEM", Default: "false",
		Description: "true only on an installation approved for state secrets: then Mật-or-higher documents may carry file content.",
		apply:       func(c *Config, v string) (err error) { c.IsolatedSystem, err = strconv.ParseBool(v); return err }},
	{Name: "VANTHU_SESSION_IDLE_TIMEOUT", Default: "15m",
		Description: "A session unused this long is closed.",
		apply:       func(c *Config, v string) (err error) { c.SessionIdleTimeout, err = positiveDuration(v); return err }},
	{Name: "VANTHU_SESSION_ABSOLUTE_TIMEOUT", Default: "12h",
		Description: "A session ends this long after login, however active.",
		apply:       func(c *Config, v string) (err error) { c.SessionAbsoluteTimeout, err = positiveDuration(v); return err }},
	{Name: "VANTHU_LOGIN_MAX_FAILURES", Default: "5",
		Description: "Failed logins in a row that lock an account.",
		apply:       func(c *Config, v string) (err error) { c.LoginMaxFailures, err = positiveInt(v); return err }},
	{Name: "VANTHU_LOGIN_LOCK_DURATION", Default: "30m",
		Description: "How long a locked account stays locked unless an administrator unlocks it.",
		apply:       func(c *Config, v string) (err error) { c.LoginLockDuration, err = positiveDuration(v); return err }},
	{Name: "VANTHU_ACCOUNT_INACTIVE_AFTER", Default: "1080h",
		Description: "Accounts not used for this long (default 45 days) are disabled at their next login attempt.",
		apply:       func(c *Config, v string) (err error) { c.AccountInactiveAfter, err = positiveDuration(v); return err }},
	{Name: "VANTHU_TOTP_ISSUER", Default: "Vanthu",
		Description: "Issuer name shown in authenticator apps.",
		apply:       func(c *Config, v string) error { c.TOTPIssuer = v; return requireNonEmpty(v) }},
	{Name: "VANTHU_SIGNATURE_TRUST_ROOTS_FILE", Default: "",
		Description: "PEM file of the root certificates trusted for PDF signatures (e.g. the Government Cipher Committee's root CA); empty: every signature is reported as not trusted.",
		apply:       func(c *Config, v string) error { c.SignatureTrustRootsFile = v; return nil }},
	{Name: "VANTHU_AGENCY_P12_FILE", Default: "",
		Description: "PKCS#12 file with the agency's signing certificate and key; when set, issued electronic copies get the agency's signature.",
		apply:       func(c *Config, v string) error { c.AgencyP12File = v; return nil }},
	{Name: "VANTHU_AGENCY_P12_PASSWORD", Default: "", Secret: true,
		Description: "Password of the agency's PKCS#12 file.",
		apply:       func(c *Config, v string) error { c.AgencyP12Password = v; return nil }},
	{Name: "VANTHU_SMTP_ADDR", Default: "",
		Description: "SMTP relay as host:port: every notification is also e-mailed to its person (once, from an outbox; on switching on, only those of the last 3 days); empty: in-app notifications only.",
		apply: func(c *Config, v string) error {
			c.SMTPAddr = v
			if v == "" {
				return nil
			}
			return requireHostPort(v)
		}},
	{Name: "VANTHU_SMTP_FROM", Default: "vanthu@localhost",
		Description: "Sender address of notification e-mails.",
		apply:       func(c *Config, v string) error { c.SMTPFrom = v; return nil }},
	{Name: "VANTHU_SMTP_USERNAME", Default: "",
		Description: "SMTP user name, when the relay needs one (the connection is upgraded with STARTTLS).",
		apply:       func(c *Config, v string) error { c.SMTPUsername = v; return nil }},
	{Name: "VANTHU_SMTP_PASSWORD", Default: "", Secret: true,
		Description: "SMTP password.",
		apply:       func(c *Config, v string) error { c.SMTPPassword = v; return nil }},
	{Name: "VANTHU_LOG_LEVEL", Default: "info",
		Description: "debug, info, warn or error.",
		apply: func(c *Config, v string) error {
			c.LogLevel = v
			return oneOf(v, "debug", "info", "warn", "error")
		}},
	{Name: "VANTHU_LOG_FORMAT", Default: "text",
		Description: "text or json.",
		apply: func(c *Config, v string) error {
			c.LogFormat = v
			return oneOf(v, "text", "json")
		}},
}

// Load reads every setting through getenv (os.Getenv in production, a map
// in tests) and reports every invalid one at once.
func Load(getenv func(string) string) (Config, error) {
	var c Config
	var errs []error
	for _, s := range Settings {
		raw, err := lookup(getenv, s)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if err := s.apply(&c, raw); err != nil {
			errs = append(errs, fmt.Errorf("%s=%q: %w", s.Name, mask(s, raw), err))
		}
	}
	return c, errors.Join(errs...)
}

func lookup(getenv func(string) string, s Setting) (string, error) {
	if path := getenv(s.Name + "_FILE"); path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return "", fmt.Errorf("%s_FILE: %w", s.Name, err)
		}
		return strings.TrimRight(string(b), "\r\n"), nil
	}
	if v := getenv(s.Name); v != "" {
		return v, nil
	}
	return s.Default, nil
}

// Masked lists every setting as NAME=value with secrets hidden, for the
// start-up log.
func Masked(getenv func(string) string) []string {
	out := make([]string, 0, len(Settings))
	for _, s := range Settings {
		raw, err := lookup(getenv, s)
		if err != nil {
			raw = "<unreadable>"
		}
		out = append(out, s.Name+"="+mask(s, raw))
	}
	return out
}

func mask(s Setting, raw string) string {
	if !s.Secret {
		return raw
	}
	if u, err := url.Parse(raw); err == nil && u.Scheme != "" && u.Host != "" {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
		// pgx also takes passwords as query parameters.
		q := u.Query()
		for _, k := range []string{"password", "sslpassword"} {
			if q.Has(k) {
				q.Set(k, "xxxxx")
			}
		}
		u.RawQuery = q.Encode()
		return u.Redacted()
	}
	if raw == "" {
		return ""
	}
	return "xxxxx"
}

func requireNonEmpty(v string) error {
	if strings.TrimSpace(v) == "" {
		return errors.New("must not be empty")
	}
	return nil
}

func requireURL(v string, schemes ...string) error {
	u, err := url.Parse(v)
	if err != nil {
		return errors.New("not a valid URL")
	}
	for _, s := range schemes {
		if u.Scheme == s && u.Host != "" {
			return nil
		}
	}
	return fmt.Errorf("must be a %s URL with a host", strings.Join(schemes, " or "))
}

func requireHostPort(v string) error {
	_, port, err := net.SplitHostPort(v)
	if err != nil {
		return errors.New("must be host:port")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return errors.New("port must be a number from 0 to 65535")
	}
	return nil
}

func requireBucketName(v string) error {
	if len(v) < 3 || len(v) > 63 {
		return errors.New("bucket names have 3 to 63 characters")
	}
	for _, r := range v {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '.') {
			return errors.New("bucket names use lower-case letters, digits, '-' and '.'")
		}
	}
	return nil
}

func positiveInt(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return 0, errors.New("must be a positive whole number")
	}
	return n, nil
}

func positiveInt64(v string) (int64, error) {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, errors.New("must be a positive whole number")
	}
	return n, nil
}

func positiveDuration(v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, errors.New("must be a positive duration such as 15m or 12h")
	}
	return d, nil
}

func oneOf(v string, allowed ...string) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return fmt.Errorf("must be one of %s", strings.Join(allowed, ", "))
}
