package main

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Tasks and a monthly report for the dashboards' task and report
// sections: one task per ten documents, given by the province leader to a
// handler of a receiving unit (a cooperating unit on a quarter), spread
// over the seed's years in every state; and a monthly report the province
// asks of every receiving unit since January 2024, mostly sent on time,
// some late, some never. Added once, on a fresh or a reused seed.

const workTitle = "Bench: "

func seedWork(ctx context.Context, pool *pgxpool.Pool, docs int, now time.Time) error {
	var have int64
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM tasks WHERE title LIKE $1 || '%'`, workTitle).Scan(&have); err != nil {
		return fmt.Errorf("bench tasks: %w", err)
	}
	if have > 0 {
		return nil
	}
	t0 := time.Now()
	start := d(2024, 1, 2)
	days := int(now.Sub(start).Hours() / 24)
	tag, err := pool.Exec(ctx, `
		WITH h AS (
			SELECT m.unit_id, u.id AS user_id, row_number() OVER (ORDER BY m.unit_id, u.login) - 1 AS k
			FROM users u JOIN memberships m ON m.user_id = u.id WHERE u.login LIKE 'bench.cv%'),
		n AS (SELECT count(*) AS c FROM h),
		t AS (
			INSERT INTO tasks (unit_id, source, title, description, priority, status, start_date, due_date, progress, assigner_id, created_at)
			SELECT p.unit_id, 'standalone', $1 || 'Tham mưu triển khai nhiệm vụ số ' || g, '', (ARRAY['low', 'normal', 'normal', 'high', 'urgent'])[1 + g % 5],
				s.status, s.start_date, s.start_date + (5 + g % 26), CASE s.status WHEN 'accepted' THEN 100 WHEN 'completed' THEN 100
					WHEN 'in_progress' THEN 50 ELSE 0 END, (SELECT id FROM users WHERE login = 'bithu.tinh'), s.start_date::timestamptz
			FROM generate_series(1, $2::int) g
			CROSS JOIN n
			JOIN h p ON p.k = (g * 7) % n.c
			CROSS JOIN LATERAL (SELECT $3::date + ((g::bigint * 7919) % $4::int)::int AS start_date,
				CASE g % 20 WHEN 0 THEN 'cancelled' WHEN 1 THEN 'new' WHEN 2 THEN 'returned' WHEN 3 THEN 'in_progress'
					WHEN 4 THEN 'in_progress' WHEN 5 THEN 'completed' ELSE 'accepted' END AS status) s
			RETURNING id, unit_id)
		INSERT INTO task_assignees (task_id, user_id, unit_id, role)
		SELECT t.id, h.user_id, NULL, 'lead' FROM t JOIN h ON h.unit_id = t.unit_id AND h.k % 3 = t.id % 3
		UNION ALL
		SELECT t.id, NULL, (SELECT unit_id FROM h ORDER BY k OFFSET ((t.id * 13) % (SELECT c FROM n)) LIMIT 1), 'cooperate'
		FROM t WHERE t.id % 4 = 0`, workTitle, docs/10, start, days)
	if err != nil {
		return fmt.Errorf("bench tasks: %w", err)
	}
	logf("  %d task assignees", tag.RowsAffected())

	_, err = pool.Exec(ctx, `
		WITH prov AS (SELECT unit_id FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.login = 'bithu.tinh' LIMIT 1),
		tpl AS (
			INSERT INTO report_templates (issuer_unit_id, name, period_kind, due_rule, due_n, recipients_kind, starts_on)
			SELECT unit_id, $1 || 'Báo cáo tình hình tháng', 'month', 'working_days', 5, 'list', '2024-01-01' FROM prov
			RETURNING id, issuer_unit_id),
		ver AS (INSERT INTO report_template_versions (template_id, version, name, fields)
			SELECT id, 1, $1 || 'Báo cáo tình hình tháng', '[]' FROM tpl RETURNING template_id),
		units AS (SELECT DISTINCT m.unit_id FROM memberships m JOIN users u ON u.id = m.user_id
			WHERE u.login LIKE 'bench.cv%' AND m.unit_id <> (SELECT unit_id FROM prov)),
		tu AS (INSERT INTO report_template_units (template_id, unit_id) SELECT tpl.id, units.unit_id FROM tpl, units RETURNING unit_id),
		per AS (
			INSERT INTO report_periods (template_id, label, starts_on, ends_on, due_date)
			SELECT tpl.id, to_char(m, '"Tháng" MM/YYYY'), m, (m + interval '1 month - 1 day')::date, (m + interval '1 month + 6 days')::date
			FROM tpl, generate_series('2024-01-01'::date, date_trunc('month', $2::date) - interval '1 month', interval '1 month') m
			RETURNING id, template_id, due_date)
		INSERT INTO report_submissions (period_id, template_id, unit_id, version, status, revision, first_submitted_at, submitted_at)
		SELECT per.id, per.template_id, units.unit_id, 1, x.status, CASE WHEN x.sent IS NULL THEN 0 ELSE 1 END, x.sent, x.sent
		FROM per CROSS JOIN units
		CROSS JOIN LATERAL (SELECT CASE WHEN (per.id * 31 + units.unit_id) % 10 = 0 THEN NULL
				WHEN (per.id * 31 + units.unit_id) % 10 = 1 THEN per.due_date + 3
				ELSE per.due_date - 2 END::timestamptz + interval '9 hours' AS sent) y
		CROSS JOIN LATERAL (SELECT y.sent, CASE WHEN y.sent IS NULL THEN 'pending' ELSE 'accepted' END AS status) x`,
		workTitle, now)
	if err != nil {
		return fmt.Errorf("bench report: %w", err)
	}
	// The seed is a steady state: the escalations and reminders of the
	// past were sent when they were due (else the server's jobs spend the
	// benchmark catching up on them).
	if _, err := pool.Exec(ctx, `UPDATE tasks SET near_due_sent_for = due_date, overdue_sent_for = CASE WHEN due_date < $1 THEN due_date END
		WHERE title LIKE $2 || '%' AND status IN ('new', 'in_progress', 'returned') AND due_date <= $1::date + 3`, now, workTitle); err != nil {
		return fmt.Errorf("bench task escalations: %w", err)
	}
	if _, err := pool.Exec(ctx, `UPDATE assignments SET reminded_at = CASE WHEN deadline < $1::date THEN deadline + interval '1 day 2 hours' ELSE now() END
		WHERE status IN ('assigned', 'in_progress') AND deadline IS NOT NULL AND deadline <= $1::date + 3 AND reminded_at IS NULL`, now); err != nil {
		return fmt.Errorf("bench reminders: %w", err)
	}
	for _, q := range []string{"ANALYZE assignments", "ANALYZE tasks", "ANALYZE task_assignees", "ANALYZE report_submissions", "ANALYZE report_periods"} {
		if _, err := pool.Exec(ctx, q); err != nil {
			return err
		}
	}
	var tasks, subs int64
	if err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM tasks), (SELECT count(*) FROM report_submissions)`).Scan(&tasks, &subs); err != nil {
		return err
	}
	logf("work for the dashboards: %d tasks, %d report submissions (%s)", tasks, subs, time.Since(t0).Round(time.Millisecond))
	return nil
}
