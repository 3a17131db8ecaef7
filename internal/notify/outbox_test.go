package notify_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"vanthu/internal/identity"
	"vanthu/internal/notify"
	"vanthu/internal/platform/mail"
	"vanthu/internal/platform/mail/smtptest"
	"vanthu/internal/platform/postgres"
	"vanthu/internal/platform/postgres/pgtest"
	"vanthu/internal/platform/vntime"
)

const base = "https://vanthu.tinhuy.test"

func mailUser(t *testing.T, db *pgxpool.Pool, login, email string) int64 {
	t.Helper()
	u, err := identity.NewStore(db).Create(context.Background(), db, identity.NewUser{
		Login: login, FullName: "Nguyễn Văn " + strings.ToUpper(login[:1]) + login[1:], Email: email, Password: "Kiem-thu-2026-mat-khau"})
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

func outbox(db *pgxpool.Pool, relay *smtptest.Server) *notify.Outbox {
	return notify.NewOutbox(db, mail.New(mail.Config{Addr: relay.Addr, From: "vanthu@tinhuy.test"}), base)
}

type mailState struct {
	MailedAt *time.Time
	Attempts int
	Error    *string
	NextAt   time.Time
}

func state(t *testing.T, db *pgxpool.Pool, id int64) mailState {
	t.Helper()
	var s mailState
	if err := db.QueryRow(context.Background(), `SELECT mailed_at, mail_attempts, mail_error, mail_next_at FROM notifications WHERE id = $1`, id).
		Scan(&s.MailedAt, &s.Attempts, &s.Error, &s.NextAt); err != nil {
		t.Fatal(err)
	}
	return s
}

// A notification goes out once, to its person's address, with the title as
// the subject and a Vietnamese body with the kind, the absolute link and
// when it happened; a second pass sends nothing.
func TestOutboxMailsEachNotificationOnce(t *testing.T) {
	db := pgtest.NewPool(t)
	ctx := context.Background()
	relay := smtptest.Start(t)
	an := mailUser(t, db, "an", "an@tinhuy.test")
	binh := mailUser(t, db, "binh", "binh@tinhuy.test")
	store := notify.New(db)
	id, err := store.Create(ctx, an, "assigned", "Được phân công xử lý: Về việc tổng kết năm 2025", "/documents/7")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Create(ctx, binh, "schedule.published", "Lịch công tác tuần 18 đã công bố", ""); err != nil {
		t.Fatal(err)
	}
	if s := state(t, db, id); s.MailedAt != nil || s.Attempts != 0 {
		t.Fatalf("a new notification is not waiting: %+v", s)
	}

	res, err := outbox(db, relay).Deliver(ctx, 50)
	if err != nil || res != (notify.Delivery{Sent: 2}) {
		t.Fatalf("Deliver = %+v, %v", res, err)
	}
	msgs := relay.Messages()
	if len(msgs) != 2 {
		t.Fatalf("%d e-mails, want 2", len(msgs))
	}
	var created time.Time
	db.QueryRow(ctx, `SELECT created_at FROM notifications WHERE id = $1`, id).Scan(&created)
	m := msgs[0]
	if m.To != "an@tinhuy.test" || m.From != "vanthu@tinhuy.test" || m.Subject != "[Vanthu] Được phân công xử lý: Về việc tổng kết năm 2025" {
		t.Fatalf("first e-mail = %+v", m)
	}
	for _, want := range []string{"Kính gửi đồng chí Nguyễn Văn An,", "Phân công xử lý văn bản đến:\nĐược phân công xử lý: Về việc tổng kết năm 2025",
		"Xem chi tiết: " + base + "/documents/7\n", "Thời điểm: " + created.In(vntime.Zone).Format("15:04 02/01/2006"), base + "/notifications"} {
		if !strings.Contains(m.Body, want) {
			t.Errorf("body lacks %q:\n%s", want, m.Body)
		}
	}
	// Without a link the e-mail leads to the notification centre.
	if m := msgs[1]; m.To != "binh@tinhuy.test" || !strings.Contains(m.Body, "Xem chi tiết: "+base+"/notifications\n") ||
		!strings.Contains(m.Body, "Lịch công tác đã công bố:") {
		t.Fatalf("second e-mail = %+v", m)
	}
	if s := state(t, db, id); s.MailedAt == nil || s.Attempts != 1 || s.Error != nil {
		t.Fatalf("after sending: %+v", s)
	}
	if res, err := outbox(db, relay).Deliver(ctx, 50); err != nil || res != (notify.Delivery{}) {
		t.Fatalf("second pass = %+v, %v", res, err)
	}
	if n := len(relay.Messages()); n != 2 {
		t.Fatalf("%d e-mails after a second pass, want 2", n)
	}
}

// Long titles make a short subject; the body keeps the whole title.
func TestOutboxShortensLongSubjects(t *testing.T) {
	db := pgtest.NewPool(t)
	ctx := context.Background()
	relay := smtptest.Start(t)
	an := mailUser(t, db, "an", "an@tinhuy.test")
	title := strings.TrimSpace(strings.Repeat("Về việc triển khai thực hiện nghị quyết ", 6))
	if _, err := notify.New(db).Create(ctx, an, "presented", title, "/documents/1"); err != nil {
		t.Fatal(err)
	}
	if res, err := outbox(db, relay).Deliver(ctx, 50); err != nil || res.Sent != 1 {
		t.Fatalf("Deliver = %+v, %v", res, err)
	}
	m := relay.Messages()[0]
	subject := strings.TrimPrefix(m.Subject, "[Vanthu] ")
	if n := len([]rune(subject)); n != notify.MaxSubjectRunes || !strings.HasSuffix(subject, "…") || !strings.HasPrefix(title, strings.TrimSuffix(subject, "…")) {
		t.Fatalf("subject of %d runes: %q", n, m.Subject)
	}
	if !strings.Contains(m.Body, title) {
		t.Fatalf("body lacks the whole title:\n%s", m.Body)
	}
}

// People without an address, and disabled accounts, are passed over: the
// notification is done, nothing is sent, the reason is kept.
func TestOutboxSkipsPeopleWithoutAddress(t *testing.T) {
	db := pgtest.NewPool(t)
	ctx := context.Background()
	relay := smtptest.Start(t)
	users := identity.NewStore(db)
	none := mailUser(t, db, "khongthu", "")
	gone := mailUser(t, db, "danghi", "danghi@tinhuy.test")
	if err := users.SetDisabled(ctx, gone, true); err != nil {
		t.Fatal(err)
	}
	store := notify.New(db)
	a, _ := store.Create(ctx, none, "assigned", "Được phân công xử lý", "/documents/1")
	b, _ := store.Create(ctx, gone, "assigned", "Được phân công xử lý", "/documents/2")
	res, err := outbox(db, relay).Deliver(ctx, 50)
	if err != nil || res != (notify.Delivery{Skipped: 2}) {
		t.Fatalf("Deliver = %+v, %v", res, err)
	}
	if len(relay.Messages()) != 0 {
		t.Fatalf("e-mails sent: %+v", relay.Messages())
	}
	for id, reason := range map[int64]string{a: "no e-mail address", b: "user disabled"} {
		if s := state(t, db, id); s.MailedAt == nil || s.Error == nil || *s.Error != reason {
			t.Errorf("notification %d: %+v, want done with %q", id, s, reason)
		}
	}
	// The in-app notification is untouched.
	if n, _ := store.UnreadCount(ctx, none); n != 1 {
		t.Fatalf("unread = %d", n)
	}
}

// A relay that refuses leaves the notification waiting with the error, to
// be tried again after a backoff (not at once), and sent when the relay
// recovers; after MaxAttempts refusals it is given up.
func TestOutboxRetriesFailedSends(t *testing.T) {
	db := pgtest.NewPool(t)
	ctx := context.Background()
	relay := smtptest.Start(t)
	an := mailUser(t, db, "an", "an@tinhuy.test")
	store := notify.New(db)
	id, _ := store.Create(ctx, an, "returned", "Văn bản đến bị trả lại: Về việc tổng kết", "/documents/3")
	later, _ := store.Create(ctx, an, "completed", "Văn bản đến đã xử lý xong", "/documents/4")
	ob := outbox(db, relay)
	ob.MaxAttempts = 3

	relay.Refuse("451 4.3.0 Thu lai sau")
	res, err := ob.Deliver(ctx, 50)
	if err != nil || res != (notify.Delivery{Failed: 1}) {
		t.Fatalf("refused pass = %+v, %v (a failure ends the pass)", res, err)
	}
	s := state(t, db, id)
	if s.MailedAt != nil || s.Attempts != 1 || s.Error == nil || !strings.Contains(*s.Error, "451") || !s.NextAt.After(time.Now().Add(30*time.Second)) {
		t.Fatalf("after a refusal: %+v", s)
	}
	if s := state(t, db, later); s.MailedAt != nil || s.Attempts != 0 {
		t.Fatalf("the next notification was touched: %+v", s)
	}

	// Backing off: the refused one waits; the next one goes once the relay works.
	relay.Refuse("")
	res, err = ob.Deliver(ctx, 50)
	if err != nil || res != (notify.Delivery{Sent: 1}) {
		t.Fatalf("pass during the backoff = %+v, %v", res, err)
	}
	if m := relay.Messages(); len(m) != 1 || !strings.Contains(m[0].Body, "/documents/4") {
		t.Fatalf("e-mails = %+v", m)
	}
	// The backoff over, it goes.
	db.Exec(ctx, `UPDATE notifications SET mail_next_at = now() WHERE id = $1`, id)
	if res, err := ob.Deliver(ctx, 50); err != nil || res != (notify.Delivery{Sent: 1}) {
		t.Fatalf("retry = %+v, %v", res, err)
	}
	if s := state(t, db, id); s.MailedAt == nil || s.Attempts != 2 || s.Error != nil {
		t.Fatalf("after the retry: %+v", s)
	}
	if m := relay.Messages(); len(m) != 2 || !strings.Contains(m[1].Body, "/documents/3") || m[1].Subject != "[Vanthu] Văn bản đến bị trả lại: Về việc tổng kết" {
		t.Fatalf("e-mails = %+v", m)
	}

	// Refused every time: given up after three attempts, the error kept.
	doomed, _ := store.Create(ctx, an, "returned", "Văn bản đến bị trả lại lần nữa", "/documents/5")
	relay.Refuse("450 4.2.1 Hop thu tam khoa")
	for attempt := 1; attempt <= 3; attempt++ {
		if res, err := ob.Deliver(ctx, 50); err != nil || res != (notify.Delivery{Failed: 1}) {
			t.Fatalf("attempt %d = %+v, %v", attempt, res, err)
		}
		s := state(t, db, doomed)
		if (attempt < 3) != (s.MailedAt == nil) || s.Attempts != attempt || s.Error == nil || !strings.Contains(*s.Error, "450") {
			t.Fatalf("after attempt %d: %+v", attempt, s)
		}
		db.Exec(ctx, `UPDATE notifications SET mail_next_at = now() WHERE id = $1 AND mailed_at IS NULL`, doomed)
	}
	relay.Refuse("")
	if res, err := ob.Deliver(ctx, 50); err != nil || res != (notify.Delivery{}) {
		t.Fatalf("after giving up = %+v, %v", res, err)
	}
	if n := len(relay.Messages()); n != 2 {
		t.Fatalf("%d e-mails, want 2", n)
	}
}

// Notifications older than MaxAge (say SMTP was switched on long after
// they were made) are given up unsent; recent ones go.
func TestOutboxGivesUpOldNotifications(t *testing.T) {
	db := pgtest.NewPool(t)
	ctx := context.Background()
	relay := smtptest.Start(t)
	an := mailUser(t, db, "an", "an@tinhuy.test")
	store := notify.New(db)
	old, _ := store.Create(ctx, an, "assigned", "Thông báo cũ", "/documents/1")
	recent, _ := store.Create(ctx, an, "assigned", "Thông báo hôm qua", "/documents/2")
	db.Exec(ctx, `UPDATE notifications SET created_at = now() - interval '4 days', mail_next_at = now() - interval '4 days' WHERE id = $1`, old)
	db.Exec(ctx, `UPDATE notifications SET created_at = now() - interval '1 day', mail_next_at = now() - interval '1 day' WHERE id = $1`, recent)
	res, err := outbox(db, relay).Deliver(ctx, 50)
	if err != nil || res != (notify.Delivery{Sent: 1, Expired: 1}) {
		t.Fatalf("Deliver = %+v, %v", res, err)
	}
	if m := relay.Messages(); len(m) != 1 || !strings.Contains(m[0].Subject, "Thông báo hôm qua") {
		t.Fatalf("e-mails = %+v", m)
	}
	if s := state(t, db, old); s.MailedAt == nil || s.Error == nil || *s.Error != "too old to mail" || s.Attempts != 0 {
		t.Fatalf("old notification: %+v", s)
	}
}

// meetingMailer sends through the real mail client, but its first sends
// wait until `parties` of them have started, so deliverers are provably
// sending at the same time when they claim.
type meetingMailer struct {
	real    *mail.Sender
	mu      sync.Mutex
	started int
	parties int
	all     chan struct{}
}

func (m *meetingMailer) Send(ctx context.Context, to, subject, body string) error {
	m.mu.Lock()
	m.started++
	if m.started == m.parties {
		close(m.all)
	}
	first := m.started <= m.parties
	m.mu.Unlock()
	if first {
		select {
		case <-m.all:
		case <-time.After(30 * time.Second):
			return fmt.Errorf("the other deliverers never sent at the same time")
		}
	}
	return m.real.Send(ctx, to, subject, body)
}

// Replicas delivering at the same time (each its own pool) never send one
// notification twice, and together send all of them.
func TestOutboxConcurrentDeliverersSendEachOnce(t *testing.T) {
	db := pgtest.NewPool(t)
	ctx := context.Background()
	relay := smtptest.Start(t)
	store := notify.New(db)
	var people []int64
	for _, login := range []string{"an", "binh", "chi", "dung"} {
		people = append(people, mailUser(t, db, login, login+"@tinhuy.test"))
	}
	const total = 60
	for i := range total {
		if _, err := store.Create(ctx, people[i%len(people)], "assigned", fmt.Sprintf("Thông báo số %d", i), fmt.Sprintf("/documents/%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	const replicas = 3
	mailer := &meetingMailer{real: mail.New(mail.Config{Addr: relay.Addr, From: "vanthu@tinhuy.test"}), parties: replicas, all: make(chan struct{})}
	results := make([]notify.Delivery, replicas)
	errs := make([]error, replicas)
	var wg sync.WaitGroup
	for r := range replicas {
		pool, err := postgres.Open(ctx, db.Config().ConnString())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(pool.Close)
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[r], errs[r] = notify.NewOutbox(pool, mailer, base).Deliver(ctx, total)
		}()
	}
	wg.Wait()
	sent := 0
	for r := range replicas {
		if errs[r] != nil || results[r].Failed != 0 || results[r].Sent == 0 {
			t.Fatalf("replica %d: %+v, %v", r, results[r], errs[r])
		}
		sent += results[r].Sent
	}
	msgs := relay.Messages()
	seen := map[string]int{}
	for _, m := range msgs {
		seen[m.Subject]++
	}
	if sent != total || len(msgs) != total || len(seen) != total {
		t.Fatalf("sent %d, %d e-mails, %d different; want %d of each", sent, len(msgs), len(seen), total)
	}
	for i := range total {
		if seen[fmt.Sprintf("[Vanthu] Thông báo số %d", i)] != 1 {
			t.Errorf("notification %d e-mailed %d times", i, seen[fmt.Sprintf("[Vanthu] Thông báo số %d", i)])
		}
	}
	var waiting int
	db.QueryRow(ctx, `SELECT count(*) FROM notifications WHERE mailed_at IS NULL`).Scan(&waiting)
	if waiting != 0 {
		t.Fatalf("%d notifications still waiting", waiting)
	}
}

// Run delivers at once when started and stops with its context.
func TestOutboxRunDeliversAndStops(t *testing.T) {
	db := pgtest.NewPool(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	relay := smtptest.Start(t)
	an := mailUser(t, db, "an", "an@tinhuy.test")
	if _, err := notify.New(db).Create(ctx, an, "assigned", "Được phân công xử lý", "/documents/1"); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { outbox(db, relay).Run(ctx, time.Hour); close(done) }()
	if m := relay.Wait(t, 1, 30*time.Second); m[0].To != "an@tinhuy.test" {
		t.Fatalf("e-mail = %+v", m[0])
	}
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop")
	}
}

// Migration 0014 counts the notifications that exist when it runs as done,
// so an upgrade mails nothing old; new ones wait for the outbox.
func TestMigrationMarksExistingNotificationsMailed(t *testing.T) {
	db := pgtest.NewPool(t)
	ctx := context.Background()
	m, err := postgres.NewMigrator(db)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	for {
		v, _, err := m.Version()
		if err != nil {
			t.Fatal(err)
		}
		if v < 14 {
			break
		}
		if err := m.Down(1); err != nil {
			t.Fatal(err)
		}
	}
	an := mailUser(t, db, "an", "an@tinhuy.test")
	var old int64
	if err := db.QueryRow(ctx, `INSERT INTO notifications (user_id, kind, title, link) VALUES ($1, 'assigned', 'Trước khi nâng cấp', '/documents/1') RETURNING id`, an).
		Scan(&old); err != nil {
		t.Fatal(err)
	}
	if err := m.Up(); err != nil {
		t.Fatal(err)
	}
	if s := state(t, db, old); s.MailedAt == nil || s.Attempts != 0 {
		t.Fatalf("existing notification after the upgrade: %+v", s)
	}
	fresh, err := notify.New(db).Create(ctx, an, "assigned", "Sau khi nâng cấp", "/documents/2")
	if err != nil {
		t.Fatal(err)
	}
	if s := state(t, db, fresh); s.MailedAt != nil {
		t.Fatalf("new notification after the upgrade: %+v", s)
	}
	relay := smtptest.Start(t)
	if res, err := outbox(db, relay).Deliver(ctx, 50); err != nil || res != (notify.Delivery{Sent: 1}) {
		t.Fatalf("Deliver = %+v, %v", res, err)
	}
	if m := relay.Messages(); len(m) != 1 || m[0].Subject != "[Vanthu] Sau khi nâng cấp" {
		t.Fatalf("e-mails = %+v", m)
	}
}
