package demo_test

import (
	"context"
	"testing"

	"vanthu/internal/demo"
	"vanthu/internal/platform/postgres/pgtest"
)

// The demo installation has reports to look at, and seeding again changes
// nothing.
func TestSeedReports(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	if _, err := demo.Seed(ctx, pool); err != nil {
		t.Fatal(err)
	}
	count := func(sql string) int {
		t.Helper()
		var n int
		if err := pool.QueryRow(ctx, sql).Scan(&n); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return n
	}
	if n := count(`SELECT count(*) FROM report_templates`); n != 2 {
		t.Fatalf("templates = %d", n)
	}
	if n := count(`SELECT count(*) FROM report_periods p JOIN report_templates t ON t.id = p.template_id WHERE t.period_kind = 'month'`); n != 4 {
		t.Fatalf("monthly periods = %d", n)
	}
	if n := count(`SELECT count(*) FROM report_submissions WHERE status = 'accepted'`); n < 24 {
		t.Fatalf("accepted reports = %d", n)
	}
	if n := count(`SELECT count(*) FROM report_submissions WHERE draft_saved_at IS NOT NULL AND revision = 0`); n != 1 {
		t.Fatalf("drafts = %d", n)
	}
	before := count(`SELECT count(*) FROM report_events`)
	if _, err := demo.Seed(ctx, pool); err != nil {
		t.Fatal(err)
	}
	if count(`SELECT count(*) FROM report_templates`) != 2 || count(`SELECT count(*) FROM report_events`) != before {
		t.Fatal("seeding again changed the reports")
	}
}
