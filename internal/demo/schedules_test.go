package demo_test

import (
	"context"
	"testing"

	"vanthu/internal/demo"
	"vanthu/internal/platform/postgres/pgtest"
	"vanthu/internal/platform/vntime"
	"vanthu/internal/schedules"
)

// The demo shows this week's published schedules of the provincial
// committee and its office, and next week's draft; seeding again adds
// nothing.
func TestDemoSchedules(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	if _, err := demo.Seed(ctx, pool); err != nil {
		t.Fatal(err)
	}
	week := schedules.WeekOf(vntime.Today())
	count := func() map[string]int {
		t.Helper()
		out := map[string]int{}
		rows, err := pool.Query(ctx, `
			SELECT u.name || ' ' || s.status || ' ' || CASE WHEN s.week_start = $1 THEN 'this' ELSE 'next' END, count(e.id)
			FROM schedules s JOIN units u ON u.id = s.unit_id JOIN schedule_entries e ON e.schedule_id = s.id
			GROUP BY 1`, week.Start())
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var k string
			var n int
			if err := rows.Scan(&k, &n); err != nil {
				t.Fatal(err)
			}
			out[k] = n
		}
		return out
	}
	first := count()
	want := map[string]int{
		"Tỉnh ủy Lào Cai published this": 6, "Văn phòng Tỉnh ủy Lào Cai published this": 2,
		"Tỉnh ủy Lào Cai draft next": 2, "Văn phòng Tỉnh ủy Lào Cai draft next": 1,
	}
	if len(first) != len(want) {
		t.Fatalf("schedules = %v, want %v", first, want)
	}
	for k, n := range want {
		if first[k] != n {
			t.Errorf("%s: %d entries, want %d (all: %v)", k, first[k], n, first)
		}
	}
	if _, err := demo.Seed(ctx, pool); err != nil {
		t.Fatal(err)
	}
	again := count()
	for k, n := range first {
		if again[k] != n {
			t.Errorf("seeding again changed %s: %d → %d", k, n, again[k])
		}
	}
}
