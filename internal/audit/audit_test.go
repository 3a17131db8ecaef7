package audit_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"vanthu/internal/audit"
	"vanthu/internal/platform/postgres"
	"vanthu/internal/platform/postgres/pgtest"
)

func entry(i int) audit.Entry {
	return audit.Entry{
		ActorID: int64(i%3 + 1), ActorLogin: fmt.Sprintf("user%d", i%3), Action: "document.view",
		Outcome: audit.OutcomeSuccess, ObjectType: "document", ObjectID: fmt.Sprint(i),
		IP: "10.0.0.1", UserAgent: "test", RequestID: fmt.Sprintf("req-%d", i),
		Details: map[string]any{"n": i},
	}
}

// setup gives the test an audit log on its own fresh database.
func setup(t *testing.T) (*audit.Log, *pgxpool.Pool) {
	t.Helper()
	pool := pgtest.NewPool(t)
	return audit.New(pool), pool
}

// seed records n entries serially and returns the ids in the log, in order.
func seed(t *testing.T, log *audit.Log, pool *pgxpool.Pool, n int) []int64 {
	t.Helper()
	for i := range n {
		if err := log.Record(context.Background(), entry(i)); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := pool.Query(context.Background(), "SELECT id FROM audit_log ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func mustVerify(t *testing.T, log *audit.Log) audit.Verification {
	t.Helper()
	v, err := log.Verify(context.Background())
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	return v
}

// asAttacker runs sql with the append-only trigger bypassed, as someone
// with direct database access would.
func asAttacker(t *testing.T, pool *pgxpool.Pool, how, sql string, args ...any) {
	t.Helper()
	ctx := context.Background()
	err := postgres.InTx(ctx, pool, func(tx pgx.Tx) error {
		switch how {
		case "replica":
			if _, err := tx.Exec(ctx, "SET LOCAL session_replication_role = replica"); err != nil {
				return err
			}
		case "disable":
			if _, err := tx.Exec(ctx, "ALTER TABLE audit_log DISABLE TRIGGER USER"); err != nil {
				return err
			}
		}
		tag, err := tx.Exec(ctx, sql, args...)
		if err != nil {
			return err
		}
		if tag.RowsAffected() != 1 {
			return fmt.Errorf("%s affected %d rows", sql, tag.RowsAffected())
		}
		if how == "disable" {
			_, err = tx.Exec(ctx, "ALTER TABLE audit_log ENABLE TRIGGER USER")
		}
		return err
	})
	if err != nil {
		t.Fatalf("tamper: %v", err)
	}
}

func TestRecordConcurrentlyAndVerify(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	log, pool := setup(t)

	if v := mustVerify(t, log); !v.OK || v.Checked != 0 {
		t.Fatalf("empty log: %+v", v)
	}
	seed(t, log, pool, 5)

	var wg sync.WaitGroup
	errs := make(chan error, 20*5)
	for g := range 20 {
		wg.Go(func() {
			for i := range 5 {
				e := entry(g*100 + i)
				e.Outcome = []string{audit.OutcomeSuccess, audit.OutcomeFailure, audit.OutcomeDenied}[i%3]
				if err := log.Record(ctx, e); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	// An entry recorded in a transaction that rolls back leaves a gap in the
	// ids; a gap is not tampering.
	_ = postgres.InTx(ctx, pool, func(tx pgx.Tx) error {
		if err := audit.Record(ctx, tx, entry(999)); err != nil {
			t.Fatal(err)
		}
		return errors.New("roll back")
	})
	// One recorded with the change it describes commits with it.
	err := postgres.InTx(ctx, pool, func(tx pgx.Tx) error {
		return audit.Record(ctx, tx, audit.Entry{Action: "system.check", Outcome: audit.OutcomeSuccess})
	})
	if err != nil {
		t.Fatal(err)
	}

	v := mustVerify(t, log)
	if !v.OK || v.Checked != 5+100+1 || v.FirstBrokenID != 0 || v.Reason != "" {
		t.Fatalf("intact log: %+v", v)
	}
	var nulls int
	if err := pool.QueryRow(ctx, "SELECT count(*) FROM audit_log WHERE actor_id IS NULL AND unit_id IS NULL AND details = '{}'").Scan(&nulls); err != nil || nulls != 1 {
		t.Fatalf("zero ids and nil details must be stored as NULL and {}: %d rows, %v", nulls, err)
	}
}

func TestRecordValidatesAndCleans(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	log, pool := setup(t)
	for _, e := range []audit.Entry{
		{Action: "login", Outcome: "ok"},
		{Action: "login", Outcome: ""},
		{Action: " ", Outcome: audit.OutcomeSuccess},
	} {
		if err := log.Record(ctx, e); err == nil {
			t.Errorf("Record(%+v) accepted", e)
		}
	}
	if err := log.Record(ctx, audit.Entry{Action: "x", Outcome: audit.OutcomeSuccess,
		Details: map[string]any{"bad": make(chan int)}}); err == nil {
		t.Error("details that are not JSON accepted")
	}
	// Hostile input must not stop an entry being written.
	hostile := audit.Entry{
		ActorLogin: "ad\x00min\xff", Action: "login.failure", Outcome: audit.OutcomeFailure,
		UserAgent: strings.Repeat("é", 5000),
		Details:   map[string]any{"typed\x00": "a\x00b", "list": []any{"\x00", 1}, "big": int64(1) << 60},
	}
	if err := log.Record(ctx, hostile); err != nil {
		t.Fatalf("hostile entry refused: %v", err)
	}
	var login, ua, details string
	if err := pool.QueryRow(ctx, "SELECT actor_login, user_agent, details::text FROM audit_log").Scan(&login, &ua, &details); err != nil {
		t.Fatal(err)
	}
	if login != "admin\uFFFD" || len(ua) > 1024 || !strings.HasPrefix(ua, "éé") || strings.Contains(ua, "\uFFFD") {
		t.Errorf("cleaned login %q, user agent of %d bytes", login, len(ua))
	}
	if details != `{"big": 1152921504606846976, "list": ["", 1], "typed": "ab"}` {
		t.Errorf("details = %s", details)
	}
	if v := mustVerify(t, log); !v.OK || v.Checked != 1 {
		t.Fatalf("%+v", v)
	}
}

func TestAppendOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	log, pool := setup(t)
	seed(t, log, pool, 2)
	for _, sql := range []string{
		"UPDATE audit_log SET action = 'nothing' WHERE id = (SELECT min(id) FROM audit_log)",
		"DELETE FROM audit_log WHERE id = (SELECT min(id) FROM audit_log)",
	} {
		if _, err := pool.Exec(ctx, sql); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: err = %v, want append-only refusal", sql, err)
		}
	}
	if v := mustVerify(t, log); !v.OK {
		t.Fatalf("%+v", v)
	}
}

func TestVerifyFindsAlteredEntry(t *testing.T) {
	t.Parallel()
	log, pool := setup(t)
	got := seed(t, log, pool, 10)
	victim := got[4]
	asAttacker(t, pool, "replica", "UPDATE audit_log SET action = 'document.nothing' WHERE id = $1", victim)
	v := mustVerify(t, log)
	if v.OK || v.FirstBrokenID != victim || v.Checked != 5 ||
		v.Reason != fmt.Sprintf("entry %d: hash does not match its contents", victim) {
		t.Fatalf("after altering entry %d: %+v", victim, v)
	}
}

func TestVerifyFindsAlteredEntryWithRecomputedHash(t *testing.T) {
	t.Parallel()
	log, pool := setup(t)
	got := seed(t, log, pool, 10)
	victim := got[6]
	asAttacker(t, pool, "disable", `UPDATE audit_log SET outcome = 'denied',
		hash = audit_digest(prev_hash, id, at, actor_id, actor_login, action, 'denied', object_type, object_id,
		                    unit_id, ip, user_agent, request_id, details)
		WHERE id = $1`, victim)
	v := mustVerify(t, log)
	if v.OK || v.FirstBrokenID != got[7] || !strings.Contains(v.Reason, "previous-hash link broken") {
		t.Fatalf("after rewriting entry %d and its hash: %+v", victim, v)
	}
}

func TestVerifyFindsRemovedMiddleEntry(t *testing.T) {
	t.Parallel()
	log, pool := setup(t)
	got := seed(t, log, pool, 10)
	asAttacker(t, pool, "disable", "DELETE FROM audit_log WHERE id = $1", got[3])
	v := mustVerify(t, log)
	want := fmt.Sprintf("entry %d: previous-hash link broken (an entry before it was removed or altered)", got[4])
	if v.OK || v.FirstBrokenID != got[4] || v.Reason != want {
		t.Fatalf("after deleting entry %d: %+v", got[3], v)
	}
}

func TestVerifyFindsRemovedLastEntry(t *testing.T) {
	t.Parallel()
	log, pool := setup(t)
	got := seed(t, log, pool, 10)
	last := got[len(got)-1]
	asAttacker(t, pool, "replica", "DELETE FROM audit_log WHERE id = $1", last)
	v := mustVerify(t, log)
	if v.OK || v.FirstBrokenID != last || v.Checked != 9 ||
		!strings.HasPrefix(v.Reason, "chain head does not match the last entry (entries removed at the end") {
		t.Fatalf("after deleting the last entry %d: %+v", last, v)
	}
}

func TestVerifyFindsEntryAddedPastTheHead(t *testing.T) {
	t.Parallel()
	log, pool := setup(t)
	got := seed(t, log, pool, 3)
	last := got[len(got)-1]
	// A well-formed entry inserted directly, without moving the head.
	asAttacker(t, pool, "", `INSERT INTO audit_log (id, at, actor_login, action, outcome, prev_hash, hash)
		SELECT $1::bigint, now(), 'ghost', 'login.success', 'success', h.last_hash,
		       audit_digest(h.last_hash, $1::bigint, now(), NULL, 'ghost', 'login.success', 'success', '', '',
		                    NULL, '', '', '', '{}')
		FROM audit_head h`, last+1)
	v := mustVerify(t, log)
	if v.OK || v.FirstBrokenID != last+1 || !strings.HasPrefix(v.Reason, "chain head does not match the last entry") {
		t.Fatalf("after inserting past the head: %+v", v)
	}
}

func TestSearch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	log, _ := setup(t)
	start := time.Now().Add(-time.Minute)
	for i := range 120 {
		e := entry(i)
		switch {
		case i%10 == 0:
			e.Action, e.Outcome, e.ActorLogin = "login.failure", audit.OutcomeFailure, "Nguyen.Van.A"
		case i%10 == 1:
			e.Action, e.ActorLogin = "login.success", "nguyen.van.a"
		case i%10 == 2:
			e.Action, e.Outcome = "authz.denied", audit.OutcomeDenied
		}
		if err := log.Record(ctx, e); err != nil {
			t.Fatal(err)
		}
	}

	// Three pages, newest first, no duplicates or gaps.
	seen := map[int64]bool{}
	var all []audit.Recorded
	f := audit.Filter{Limit: 50}
	for pageNo := 1; ; pageNo++ {
		p, err := log.Search(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		wantLen := map[int]int{1: 50, 2: 50, 3: 20}[pageNo]
		if len(p.Items) != wantLen {
			t.Fatalf("page %d has %d items, want %d", pageNo, len(p.Items), wantLen)
		}
		for _, r := range p.Items {
			if seen[r.ID] {
				t.Fatalf("entry %d on two pages", r.ID)
			}
			seen[r.ID] = true
			if r.At.Location() != time.UTC {
				t.Fatalf("time %v is not UTC", r.At)
			}
		}
		all = append(all, p.Items...)
		if p.NextCursor == "" {
			if pageNo != 3 {
				t.Fatalf("last page is %d, want 3", pageNo)
			}
			break
		}
		f.Cursor = p.NextCursor
	}
	if len(seen) != 120 {
		t.Fatalf("%d distinct entries, want 120", len(seen))
	}
	for i := 1; i < len(all); i++ {
		a, b := all[i-1], all[i]
		if a.At.Before(b.At) || (a.At.Equal(b.At) && a.ID < b.ID) {
			t.Fatalf("not newest first at %d: %d@%v then %d@%v", i, a.ID, a.At, b.ID, b.At)
		}
	}
	newest := all[0]
	if newest.ObjectID != "119" || newest.ActorID == 0 || newest.Details["n"] != float64(119) ||
		newest.RequestID != "req-119" || newest.IP != "10.0.0.1" || newest.UserAgent != "test" {
		t.Fatalf("newest entry read back as %+v", newest)
	}

	count := func(f audit.Filter) int {
		t.Helper()
		f.Limit = audit.MaxLimit
		p, err := log.Search(ctx, f)
		if err != nil {
			t.Fatalf("search %+v: %v", f, err)
		}
		return len(p.Items)
	}
	for _, c := range []struct {
		f    audit.Filter
		want int
	}{
		{audit.Filter{}, 120},
		{audit.Filter{Action: "login"}, 24},
		{audit.Filter{Action: "login.fail"}, 12},
		{audit.Filter{Action: "LOGIN"}, 0},
		{audit.Filter{Actor: "NGUYEN.van"}, 24},
		{audit.Filter{Actor: "%"}, 0},
		{audit.Filter{Actor: "nguyen", Outcome: audit.OutcomeSuccess}, 12},
		{audit.Filter{Outcome: audit.OutcomeDenied}, 12},
		{audit.Filter{ObjectType: "document", ObjectID: "37"}, 1},
		{audit.Filter{ObjectType: "user"}, 0},
		{audit.Filter{ObjectID: "1' OR '1'='1"}, 0},
		{audit.Filter{From: start, To: time.Now().Add(time.Minute)}, 120},
		{audit.Filter{From: time.Now().Add(time.Minute)}, 0},
		{audit.Filter{To: start}, 0},
	} {
		if got := count(c.f); got != c.want {
			t.Errorf("search %+v: %d entries, want %d", c.f, got, c.want)
		}
	}
	if p, err := log.Search(ctx, audit.Filter{}); err != nil || len(p.Items) != audit.DefaultLimit {
		t.Errorf("default page: %d items, %v", len(p.Items), err)
	}
	if p, err := log.Search(ctx, audit.Filter{Limit: 10000}); err != nil || len(p.Items) != 120 || p.NextCursor != "" {
		t.Errorf("oversized limit: %d items, next %q, %v", len(p.Items), p.NextCursor, err)
	}
	if _, err := log.Search(ctx, audit.Filter{Outcome: "maybe"}); err == nil {
		t.Error("unknown outcome accepted")
	}
	for _, c := range []string{"!!!", "djE", "eDEuMi4z", "djEuMTIz", "djEuYWJjLjE"} {
		if _, err := log.Search(ctx, audit.Filter{Cursor: c}); !errors.Is(err, audit.ErrBadCursor) {
			t.Errorf("cursor %q: err = %v, want ErrBadCursor", c, err)
		}
	}
}

func TestEnsurePartitions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	log, pool := setup(t)
	partitions := func() []string {
		rows, err := pool.Query(ctx, `SELECT relname FROM pg_class WHERE relname LIKE 'audit_log_2031%' AND relkind = 'r' ORDER BY relname`)
		if err != nil {
			t.Fatal(err)
		}
		names, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		return names
	}
	now := time.Date(2031, 5, 31, 23, 30, 0, 0, time.FixedZone("ICT", 7*3600)) // 16:30 UTC
	for range 2 {
		if err := log.EnsurePartitions(ctx, now); err != nil {
			t.Fatal(err)
		}
		got := strings.Join(partitions(), " ")
		if got != "audit_log_2031_04 audit_log_2031_05 audit_log_2031_06 audit_log_2031_07" {
			t.Fatalf("partitions: %s", got)
		}
	}
	// Bounds are midnight UTC.
	var bound string
	if err := pool.QueryRow(ctx, `SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE relname = 'audit_log_2031_05'`).Scan(&bound); err != nil {
		t.Fatal(err)
	}
	if bound != "FOR VALUES FROM ('2031-05-01 00:00:00+00') TO ('2031-06-01 00:00:00+00')" {
		t.Fatalf("bound: %s", bound)
	}
	// Year boundaries.
	if err := log.EnsurePartitions(ctx, time.Date(2032, 1, 15, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"audit_log_2031_12", "audit_log_2032_01", "audit_log_2032_03"} {
		var ok bool
		if err := pool.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", name).Scan(&ok); err != nil || !ok {
			t.Errorf("partition %s missing (%v)", name, err)
		}
	}
}

func TestRunMaintenance(t *testing.T) {
	t.Parallel()
	log, _ := setup(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		log.RunMaintenance(ctx, 10*time.Millisecond, slog.New(slog.DiscardHandler))
		close(done)
	}()
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("RunMaintenance did not stop with its context")
	}

	// Failures are logged, not fatal.
	broken, pool := setup(t)
	pool.Close()
	var buf bytes.Buffer
	ctx, cancel = context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	broken.RunMaintenance(ctx, time.Hour, slog.New(slog.NewTextHandler(&buf, nil)))
	if out := buf.String(); !strings.Contains(out, "audit partition maintenance failed") || !strings.Contains(out, "error=") {
		t.Fatalf("log: %q", out)
	}
}
