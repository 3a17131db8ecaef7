package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"vanthu/internal/identity"
	"vanthu/internal/notify"
	"vanthu/internal/platform/mail/smtptest"
	"vanthu/internal/platform/objectstore/s3test"
	"vanthu/internal/platform/postgres"
	"vanthu/internal/platform/postgres/pgtest"
)

// With VANTHU_SMTP_ADDR set, serve runs the outbox: a waiting notification
// is e-mailed (authenticated with the configured user), and the SMTP
// password never reaches the log.
func TestServeMailsNotifications(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dbURL := pgtest.NewDatabase(t)
	pool, err := postgres.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	u, err := identity.NewStore(pool).Create(ctx, pool, identity.NewUser{Login: "chuyenvien", FullName: "Trần Thị Bình",
		Email: "chuyenvien@tinhuy.test", Password: "Kiem-thu-2026-mat-khau"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := notify.Create(ctx, pool, u.ID, "assigned", "Được phân công xử lý: Về việc tổng kết năm", "/documents/1"); err != nil {
		t.Fatal(err)
	}

	relay := smtptest.Start(t)
	s3 := s3test.StartServer(t)
	addr := freePort(t)
	const password = "mat-khau-smtp-bi-mat-2026"
	env := map[string]string{
		"VANTHU_HTTP_ADDR":     addr,
		"VANTHU_BASE_URL":      "https://vanthu.tinhuy.test",
		"VANTHU_DATABASE_URL":  dbURL,
		"VANTHU_S3_ENDPOINT":   s3.Endpoint,
		"VANTHU_S3_ACCESS_KEY": s3.AccessKey,
		"VANTHU_S3_SECRET_KEY": s3.SecretKey,
		"VANTHU_S3_BUCKET":     "vanthu-serve-mail-test",
		"VANTHU_SMTP_ADDR":     relay.Addr,
		"VANTHU_SMTP_FROM":     "vanthu@tinhuy.test",
		"VANTHU_SMTP_USERNAME": "vanthu",
		"VANTHU_SMTP_PASSWORD": password,
	}
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve"}, strings.NewReader(""), &stdout, &stderr, func(k string) string { return env[k] })
	}()
	msgs := relay.Wait(t, 1, 60*time.Second)
	if m := msgs[0]; m.To != "chuyenvien@tinhuy.test" || m.From != "vanthu@tinhuy.test" ||
		m.Subject != "[Vanthu] Được phân công xử lý: Về việc tổng kết năm" || !strings.Contains(m.Body, "https://vanthu.tinhuy.test/documents/1") {
		t.Fatalf("e-mail = %+v", m)
	}
	if users := relay.Users(); len(users) != 1 || users[0] != "vanthu" {
		t.Fatalf("authenticated as %v", users)
	}
	// The outbox marks it once it is sent.
	deadline := time.Now().Add(30 * time.Second)
	for {
		var mailed bool
		if err := pool.QueryRow(ctx, `SELECT mailed_at IS NOT NULL FROM notifications WHERE user_id = $1`, u.ID).Scan(&mailed); err != nil {
			t.Fatal(err)
		}
		if mailed {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the notification was never marked mailed")
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve = %v\n%s", err, stderr.String())
	}
	log := stderr.String()
	if strings.Contains(log, password) {
		t.Errorf("the log reveals the SMTP password:\n%s", log)
	}
	if !strings.Contains(log, "notification e-mails") {
		t.Errorf("the log does not say e-mails were sent:\n%s", log)
	}
}
