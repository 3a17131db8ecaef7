// Package audit records who did what, when and with what outcome, in an
// append-only, hash-chained log kept in PostgreSQL.
//
// Every login (successful or not), refused authorisation, view, download,
// change and deletion is recorded. Each entry's hash covers the previous
// entry's hash and its own fields; the SQL function audit_digest is the one
// definition used both when writing (audit_append) and when verifying, so an
// entry altered or removed after the fact breaks the chain and Verify finds
// it. Timestamps are set by the database and are UTC. The log is partitioned
// by month; partitions are kept at least twelve months.
//
// Actions are lowercase, dotted, general to specific, such as
// "login.success", "login.failure", "document.view", "document.download",
// "document.update", "document.delete", "authz.denied", so that a prefix
// ("login", "document") selects a family in Search.
package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"vanthu/internal/platform/postgres"
)

// Outcomes of an audited action.
const (
	OutcomeSuccess = "success" // the action was carried out
	OutcomeFailure = "failure" // the action was attempted and failed (wrong password, invalid input…)
	OutcomeDenied  = "denied"  // authorisation refused the action
)

// Entry is one audited event as the caller describes it. The database adds
// the id, the timestamp and the hashes.
type Entry struct {
	ActorID    int64  // the acting user; 0 = none (anonymous, system)
	ActorLogin string // the login as known or as typed (failed logins)
	Action     string // e.g. "document.view"; required
	Outcome    string // OutcomeSuccess, OutcomeFailure or OutcomeDenied
	ObjectType string // e.g. "document", "user"
	ObjectID   string
	UnitID     int64 // the unit the actor acted for; 0 = none
	IP         string
	UserAgent  string
	RequestID  string
	// Details holds further facts as JSON (old and new values of a change,
	// the reason of a refusal…). Never put secrets here: no passwords,
	// password hashes, session or API tokens, TOTP secrets or codes.
	Details map[string]any
}

// maxFieldBytes bounds each free-text field; a client controls some of them
// (user agent, a typed login) and must not be able to bloat the log.
const maxFieldBytes = 1024

// Record appends e to the audit log through q. Pass the transaction that
// makes the audited change so that the change and its entry commit or roll
// back together; pass a pool for events that change nothing (a view, a
// refused request).
//
// Appending locks the chain head until q's transaction ends, which
// serialises audit writers: record as late as possible in a transaction, and
// keep transactions that record short.
//
// Details are stored as JSON and are readable by every auditor: never put
// secrets in them (passwords, password hashes, tokens, TOTP secrets or
// codes). Text fields are cleaned before storage: invalid UTF-8 is replaced,
// NUL characters are dropped and each field is cut to 1 KiB, so that hostile
// input cannot make recording fail.
func Record(ctx context.Context, q postgres.Querier, e Entry) error {
	if err := validate(e); err != nil {
		return err
	}
	details, err := marshalDetails(e.Details)
	if err != nil {
		return err
	}
	var id int64
	err = q.QueryRow(ctx,
		`SELECT audit_append($1::bigint, $2::text, $3::text, $4::text, $5::text, $6::text, $7::bigint,
		                     $8::text, $9::text, $10::text, $11::jsonb)`,
		nullID(e.ActorID), clean(e.ActorLogin), clean(e.Action), e.Outcome, clean(e.ObjectType),
		clean(e.ObjectID), nullID(e.UnitID), clean(e.IP), clean(e.UserAgent), clean(e.RequestID),
		details,
	).Scan(&id)
	if err != nil {
		return fmt.Errorf("audit: record %s: %w", e.Action, err)
	}
	return nil
}

func validate(e Entry) error {
	if strings.TrimSpace(e.Action) == "" {
		return errors.New("audit: entry has no action")
	}
	if !validOutcome(e.Outcome) {
		return fmt.Errorf("audit: unknown outcome %q (want %q, %q or %q)",
			e.Outcome, OutcomeSuccess, OutcomeFailure, OutcomeDenied)
	}
	return nil
}

func validOutcome(s string) bool {
	return s == OutcomeSuccess || s == OutcomeFailure || s == OutcomeDenied
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// clean makes s storable as PostgreSQL text: valid UTF-8, no NUL, bounded.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\x00", "")
	if len(s) > maxFieldBytes {
		cut := maxFieldBytes
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut]
	}
	return s
}

// marshalDetails encodes details as a JSON object; jsonb refuses the \u0000
// escape, so strings holding NUL are cleaned first.
func marshalDetails(d map[string]any) (string, error) {
	if len(d) == 0 {
		return "{}", nil
	}
	b, err := json.Marshal(d)
	if err != nil {
		return "", fmt.Errorf("audit: encode details: %w", err)
	}
	if !bytes.Contains(b, []byte(`\u0000`)) {
		return string(b), nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "", fmt.Errorf("audit: encode details: %w", err)
	}
	b, err = json.Marshal(stripNUL(v))
	if err != nil {
		return "", fmt.Errorf("audit: encode details: %w", err)
	}
	return string(b), nil
}

func stripNUL(v any) any {
	switch x := v.(type) {
	case string:
		return strings.ReplaceAll(x, "\x00", "")
	case []any:
		for i := range x {
			x[i] = stripNUL(x[i])
		}
		return x
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, val := range x {
			out[strings.ReplaceAll(k, "\x00", "")] = stripNUL(val)
		}
		return out
	default:
		return v
	}
}

// Log is the audit log over a pool: recording outside a transaction,
// verification, search and partition upkeep.
type Log struct {
	pool *pgxpool.Pool
}

// New returns the audit log stored in pool's database.
func New(pool *pgxpool.Pool) *Log {
	return &Log{pool: pool}
}

// Record appends e outside any transaction; see the package-level Record.
func (l *Log) Record(ctx context.Context, e Entry) error {
	return Record(ctx, l.pool, e)
}

// partitionLockKey serialises partition creation between replicas.
const partitionLockKey = 0x7661_6e74_6875_0001 // "vanthu" + 1

// EnsurePartitions creates the monthly partitions for the month before
// now's through two months after (four months); existing ones are left
// alone. Creating a partition briefly locks the whole log, so it gives up
// after a few seconds rather than stall every writer behind a long reader
// (such as Verify); the next run tries again.
func (l *Log) EnsurePartitions(ctx context.Context, now time.Time) error {
	now = now.UTC()
	err := postgres.InTx(ctx, l.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SET LOCAL lock_timeout = '5s'"); err != nil {
			return err
		}
		// audit_ensure_partition turns its date into timestamptz bounds in
		// the session's time zone; months must start at midnight UTC.
		if _, err := tx.Exec(ctx, "SET LOCAL TIME ZONE 'UTC'"); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", int64(partitionLockKey)); err != nil {
			return err
		}
		for m := -1; m <= 2; m++ {
			month := time.Date(now.Year(), now.Month()+time.Month(m), 1, 0, 0, 0, 0, time.UTC)
			if _, err := tx.Exec(ctx, "SELECT audit_ensure_partition($1::date)", month); err != nil {
				return fmt.Errorf("month %s: %w", month.Format("2006-01"), err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("audit: ensure partitions: %w", err)
	}
	return nil
}

// RunMaintenance keeps the partitions ahead of time: it calls
// EnsurePartitions now and then every interval until ctx ends. Failures are
// logged and retried at the next tick. Run it in its own goroutine.
func (l *Log) RunMaintenance(ctx context.Context, every time.Duration, log *slog.Logger) {
	if every <= 0 {
		every = time.Hour
	}
	if log == nil {
		log = slog.Default()
	}
	run := func() {
		if err := l.EnsurePartitions(ctx, time.Now()); err != nil && ctx.Err() == nil {
			log.Error("audit partition maintenance failed", "error", err, "retry_in", every.String())
		}
	}
	run()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			run()
		}
	}
}
