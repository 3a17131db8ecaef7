package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"vanthu/internal/platform/vntime"
)

// Mailer sends one plain-text e-mail (mail.Sender implements it).
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// Outbox e-mails a copy of every notification, once, to its recipient's
// address. Capabilities only create notifications (Create, inside their
// transactions); the outbox finds those not yet mailed (mailed_at IS NULL,
// migration 0014) and sends them, so a notification is mailed exactly when
// it exists and a slow relay never holds up the change that made it.
//
// Several replicas may deliver at once: each claims one notification at a
// time (FOR UPDATE SKIP LOCKED) and holds it for longer than a send may
// take, so no two send the same one. A send that fails is tried again
// later, backing off, up to MaxAttempts; a crash between sending and
// marking can send one twice (at least once, never silently lost).
//
// Without SMTP the outbox does not run and notifications stay unmailed;
// when it starts, those older than MaxAge are given up unsent, so switching
// e-mail on later mails only recent ones.
type Outbox struct {
	db      *pgxpool.Pool
	mailer  Mailer
	baseURL string
	// MaxAge: older notifications are given up unsent (DefaultMaxAge when 0).
	MaxAge time.Duration
	// MaxAttempts: failed sends before giving up (DefaultMaxAttempts when 0).
	MaxAttempts int
	// Log records what was sent and failures; slog.Default when nil.
	Log *slog.Logger
}

// Defaults of the outbox.
const (
	DefaultMaxAge      = 72 * time.Hour
	DefaultMaxAttempts = 10
	// sendTimeout bounds one send; claimHold, the time a claimed
	// notification is kept from other deliverers, must be longer.
	sendTimeout = time.Minute
	claimHold   = 5 * time.Minute
	// Backoff after a failed send: a minute, doubling, at most an hour.
	firstBackoff = time.Minute
	maxBackoff   = time.Hour
	expireBatch  = 5000
	// MaxSubjectRunes bounds the subject; the body has the whole title.
	MaxSubjectRunes = 150
)

// Reasons recorded in mail_error when a notification is given up unsent.
const (
	reasonNoAddress = "no e-mail address"
	reasonDisabled  = "user disabled"
	reasonTooOld    = "too old to mail"
)

// NewOutbox mails notifications through m; baseURL (VANTHU_BASE_URL) makes
// the links in the e-mails absolute ("" leaves them as paths).
func NewOutbox(db *pgxpool.Pool, m Mailer, baseURL string) *Outbox {
	return &Outbox{db: db, mailer: m, baseURL: strings.TrimRight(baseURL, "/")}
}

// Delivery counts what one pass did.
type Delivery struct {
	Sent    int // e-mailed
	Skipped int // recipient without an address, or disabled
	Expired int // older than MaxAge, given up
	Failed  int // the relay refused or could not be reached (kept for a retry, or given up after MaxAttempts)
}

func (o *Outbox) log() *slog.Logger {
	if o.Log != nil {
		return o.Log
	}
	return slog.Default()
}

func (o *Outbox) maxAge() time.Duration {
	if o.MaxAge > 0 {
		return o.MaxAge
	}
	return DefaultMaxAge
}

func (o *Outbox) maxAttempts() int {
	if o.MaxAttempts > 0 {
		return o.MaxAttempts
	}
	return DefaultMaxAttempts
}

// seconds passes a duration to SQL as a number of seconds.
func seconds(d time.Duration) float64 { return d.Seconds() }

// Deliver gives up notifications too old to mail, then sends up to max
// waiting ones, oldest first. A send that fails ends the pass (a relay in
// trouble is not hammered with the rest); the notification is kept for a
// retry. Errors are the database's or ctx's; mail failures are counted.
func (o *Outbox) Deliver(ctx context.Context, max int) (Delivery, error) {
	var res Delivery
	for {
		tag, err := o.db.Exec(ctx, `
			UPDATE notifications SET mailed_at = now(), mail_error = $3
			WHERE id IN (SELECT id FROM notifications
				WHERE mailed_at IS NULL AND mail_next_at <= now() AND created_at < now() - $1 * interval '1 second'
				LIMIT $2 FOR UPDATE SKIP LOCKED)`, seconds(o.maxAge()), expireBatch, reasonTooOld)
		if err != nil {
			return res, fmt.Errorf("notify outbox: expire: %w", err)
		}
		res.Expired += int(tag.RowsAffected())
		if tag.RowsAffected() < expireBatch {
			break
		}
	}
	for range max {
		done, err := o.deliverOne(ctx, &res)
		if err != nil || done {
			return res, err
		}
	}
	return res, nil
}

// waiting is a claimed notification with its recipient.
type waiting struct {
	id, userID int64
	kind       string
	title      string
	link       string
	createdAt  time.Time
	attempts   int
	email      string
	fullName   string
	disabled   bool
}

// deliverOne claims the next waiting notification and sends it. done says
// the pass should end: nothing is waiting, or the send failed.
func (o *Outbox) deliverOne(ctx context.Context, res *Delivery) (done bool, err error) {
	var w waiting
	err = o.db.QueryRow(ctx, `
		WITH next AS (
			SELECT id FROM notifications
			WHERE mailed_at IS NULL AND mail_next_at <= now() AND created_at >= now() - $1 * interval '1 second'
			ORDER BY mail_next_at, id
			LIMIT 1
			FOR UPDATE SKIP LOCKED)
		UPDATE notifications n SET mail_attempts = n.mail_attempts + 1, mail_next_at = now() + $2 * interval '1 second'
		FROM next, users u
		WHERE n.id = next.id AND u.id = n.user_id
		RETURNING n.id, n.user_id, n.kind, n.title, n.link, n.created_at, n.mail_attempts, u.email, u.full_name, u.disabled_at IS NOT NULL`,
		seconds(o.maxAge()), seconds(claimHold)).
		Scan(&w.id, &w.userID, &w.kind, &w.title, &w.link, &w.createdAt, &w.attempts, &w.email, &w.fullName, &w.disabled)
	if errors.Is(err, pgx.ErrNoRows) {
		return true, nil
	}
	if err != nil {
		return true, fmt.Errorf("notify outbox: claim: %w", err)
	}
	to := strings.TrimSpace(w.email)
	switch {
	case w.disabled:
		res.Skipped++
		return false, o.finish(ctx, w.id, reasonDisabled)
	case to == "":
		res.Skipped++
		return false, o.finish(ctx, w.id, reasonNoAddress)
	}
	subject, body := o.compose(w)
	sendCtx, cancel := context.WithTimeout(ctx, sendTimeout)
	sendErr := o.mailer.Send(sendCtx, to, subject, body)
	cancel()
	if sendErr == nil {
		res.Sent++
		return false, o.finish(ctx, w.id, "")
	}
	if ctx.Err() != nil {
		// Stopping, not failing: hand the notification back untouched.
		bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		_, err := o.db.Exec(bg, `UPDATE notifications SET mail_attempts = mail_attempts - 1, mail_next_at = now() WHERE id = $1 AND mailed_at IS NULL`, w.id)
		return true, errors.Join(ctx.Err(), err)
	}
	res.Failed++
	reason := truncate(sendErr.Error(), 500)
	if w.attempts >= o.maxAttempts() {
		o.log().ErrorContext(ctx, "notification e-mail given up", "err", sendErr, "notification_id", w.id, "user_id", w.userID, "attempts", w.attempts)
		return true, o.finish(ctx, w.id, reason)
	}
	wait := min(firstBackoff<<min(w.attempts-1, 10), maxBackoff)
	o.log().WarnContext(ctx, "notification e-mail not sent; will retry", "err", sendErr, "notification_id", w.id, "user_id", w.userID,
		"attempts", w.attempts, "retry_in", wait.String())
	if _, err := o.db.Exec(ctx, `UPDATE notifications SET mail_next_at = now() + $2 * interval '1 second', mail_error = $3 WHERE id = $1 AND mailed_at IS NULL`,
		w.id, seconds(wait), reason); err != nil {
		return true, fmt.Errorf("notify outbox: back off: %w", err)
	}
	return true, nil
}

// finish marks a notification done: sent (reason "") or given up. It
// completes even when ctx is ending, so a message just sent is not sent
// again.
func (o *Outbox) finish(ctx context.Context, id int64, reason string) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	var r any
	if reason != "" {
		r = reason
	}
	if _, err := o.db.Exec(ctx, `UPDATE notifications SET mailed_at = now(), mail_error = $2 WHERE id = $1`, id, r); err != nil {
		return fmt.Errorf("notify outbox: mark %d: %w", id, err)
	}
	return nil
}

// compose writes the e-mail: the title as the subject, and a body with the
// kind, the title, an absolute link and when it happened, in Vietnamese.
func (o *Outbox) compose(w waiting) (subject, body string) {
	info := Describe(w.kind)
	title := w.title
	if title == "" {
		title = info.Label
	}
	subject = "[Vanthu] " + truncate(title, MaxSubjectRunes)
	link := w.link
	if link == "" {
		link = "/notifications"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Kính gửi đồng chí %s,\n\n", w.fullName)
	fmt.Fprintf(&b, "%s:\n%s\n\n", info.Label, w.title)
	fmt.Fprintf(&b, "Xem chi tiết: %s%s\n", o.baseURL, link)
	fmt.Fprintf(&b, "Thời điểm: %s\n\n", w.createdAt.In(vntime.Zone).Format("15:04 02/01/2006"))
	b.WriteString("--\nThư này do hệ thống Vanthu gửi tự động, vui lòng không trả lời.\n")
	fmt.Fprintf(&b, "Mọi thông báo của đồng chí: %s/notifications\n", o.baseURL)
	return subject, b.String()
}

// truncate cuts s to n runes, with an ellipsis when cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// runBatch is how many notifications a pass of Run sends before checking
// again whether it should stop.
const runBatch = 100

// Run delivers now and then every interval until ctx ends: each time until
// nothing is waiting or a send fails. serve runs it when VANTHU_SMTP_ADDR
// is set.
func (o *Outbox) Run(ctx context.Context, every time.Duration) {
	if every <= 0 {
		every = 30 * time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		for ctx.Err() == nil {
			res, err := o.Deliver(ctx, runBatch)
			if err != nil && ctx.Err() == nil {
				o.log().ErrorContext(ctx, "notification e-mails failed", "err", err)
			}
			if res.Sent+res.Skipped+res.Expired > 0 {
				o.log().InfoContext(ctx, "notification e-mails", "sent", res.Sent, "skipped", res.Skipped, "expired", res.Expired)
			}
			if err != nil || res.Failed > 0 || res.Sent+res.Skipped < runBatch {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
