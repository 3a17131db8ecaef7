package demo_test

import (
	"context"
	"testing"

	"vanthu/internal/demo"
	"vanthu/internal/platform/postgres/pgtest"
)

// The demo's tasks cover the states the pages show, once.
func TestSeedTasks(t *testing.T) {
	pool := pgtest.NewPool(t)
	ctx := context.Background()
	if _, err := demo.Seed(ctx, pool); err != nil {
		t.Fatal(err)
	}
	n, err := demo.SeedTasks(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	var states, overdue, pending, directing int
	if err := pool.QueryRow(ctx, `SELECT count(DISTINCT status),
		count(*) FILTER (WHERE status IN ('new', 'in_progress', 'returned') AND due_date < current_date),
		(SELECT count(*) FROM task_extensions WHERE status = 'pending'),
		(SELECT count(*) FROM directing_documents) FROM tasks`).Scan(&states, &overdue, &pending, &directing); err != nil {
		t.Fatal(err)
	}
	if n < 7 || states < 4 || overdue < 1 || pending != 1 || directing != 1 {
		t.Fatalf("demo tasks: %d made, %d states, %d overdue, %d pending extensions, %d directing documents", n, states, overdue, pending, directing)
	}
	if again, err := demo.SeedTasks(ctx, pool); err != nil || again != 0 {
		t.Fatalf("second run made %d tasks, %v", again, err)
	}
}
