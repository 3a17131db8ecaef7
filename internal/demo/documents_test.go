package demo_test

import (
	"context"
	"testing"
	"time"

	"vanthu/internal/demo"
	"vanthu/internal/platform/postgres/pgtest"
)

// The demo documents go in once, numbered without gaps per register and
// year, and the dashboards' aggregates follow them.
func TestSeedDocuments(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	if _, err := demo.Seed(ctx, pool); err != nil {
		t.Fatal(err)
	}
	// The rest of the demo (outgoing documents delivered on the platform)
	// already registered some documents: count what this seed adds.
	var before int
	if err := pool.QueryRow(ctx, `SELECT coalesce(sum(received), 0) FROM dash_doc_agg WHERE grain = 'd'`).Scan(&before); err != nil {
		t.Fatal(err)
	}
	n, err := demo.SeedDocuments(ctx, pool, time.Now())
	if err != nil || n < 200 {
		t.Fatalf("first seed: %d documents, %v", n, err)
	}
	again, err := demo.SeedDocuments(ctx, pool, time.Now())
	if err != nil || again != 0 {
		t.Fatalf("second seed: %d documents, %v", again, err)
	}
	var gaps, states, received, open, assigned int
	if err := pool.QueryRow(ctx, `
		SELECT (SELECT count(*) FROM (SELECT register_id, number_period, max(arrival_number) - count(*) AS gap FROM documents
				WHERE direction = 'incoming' GROUP BY 1, 2) g WHERE gap <> 0),
			(SELECT count(DISTINCT status) FROM documents WHERE direction = 'incoming'),
			(SELECT sum(received) FROM dash_doc_agg WHERE grain = 'd'), (SELECT sum(n) FROM dash_open_now), (SELECT sum(n) FROM dash_asg_open)`).
		Scan(&gaps, &states, &received, &open, &assigned); err != nil {
		t.Fatal(err)
	}
	if gaps != 0 || states < 4 || received-before != n-60 || open == 0 || assigned == 0 { // 60 outgoing
		t.Fatalf("gaps %d, states %d, received %d, open %d, open assignments %d", gaps, states, received, open, assigned)
	}
}
