package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Handling and outgoing documents for the dashboards: handlers in every
// receiving unit, a direction and a lead assignment on every assigned,
// in-progress or finished document (some finished ones were filed
// without one), a cooperating handler on a quarter of them, and outgoing
// documents issued by the province's units over the same years. All of
// it is written with triggers off (like the COPY), then the dashboard
// aggregates are rebuilt once.

const (
	handlersPerUnit = 3
	outgoingShare   = 0.06 // outgoing documents per incoming one
)

// seedHandling writes the rows on conn, whose session already runs with
// session_replication_role = replica.
func seedHandling(ctx context.Context, conn *pgxpool.Conn, w *world, docs int, now time.Time) error {
	t0 := time.Now()
	r := rand.New(rand.NewPCG(2026, 9))
	// Handlers: three per receiving unit, with Vietnamese names; they
	// never sign in (the hash is not a valid argon2id one).
	var logins, names []string
	var units []int64
	for i, u := range w.recipients {
		for k := range handlersPerUnit {
			logins = append(logins, fmt.Sprintf("bench.cv%03d.%d", i, k))
			names = append(names, oneOf(r, surnames)+" "+oneOf(r, middles)+" "+oneOf(r, givens))
			units = append(units, u.id)
		}
	}
	if _, err := conn.Exec(ctx, `
		INSERT INTO users (login, full_name, password_hash, clearance)
		SELECT l, n, '!bench', 'mat' FROM unnest($1::text[], $2::text[]) AS x(l, n)
		ON CONFLICT (login) DO NOTHING`, logins, names); err != nil {
		return fmt.Errorf("bench handlers: %w", err)
	}
	if _, err := conn.Exec(ctx, `
		INSERT INTO memberships (user_id, unit_id, role, title)
		SELECT u.id, x.unit, 'handler', 'Chuyên viên' FROM unnest($1::text[], $2::bigint[]) AS x(l, unit) JOIN users u ON u.login = x.l
		ON CONFLICT DO NOTHING`, logins, units); err != nil {
		return fmt.Errorf("bench handler memberships: %w", err)
	}
	if _, err := conn.Exec(ctx, `
		CREATE TEMPORARY TABLE bench_handlers AS
		SELECT m.unit_id, (row_number() OVER (PARTITION BY m.unit_id ORDER BY u.login) - 1)::int AS k, u.id AS user_id
		FROM users u JOIN memberships m ON m.user_id = u.id WHERE u.login LIKE 'bench.cv%'`); err != nil {
		return fmt.Errorf("bench handler table: %w", err)
	}

	// Directions: the leader's, two hours after arrival, with the due date
	// as the deadline; 30 % of finished documents were filed without one.
	tag, err := conn.Exec(ctx, `
		INSERT INTO directions (document_id, author_id, body, deadline, created_at)
		SELECT d.id, $1, 'Giao chuyên viên chủ trì tham mưu xử lý, báo cáo kết quả.', d.due_date, d.arrived_at + interval '2 hours'
		FROM documents d
		WHERE d.direction = 'incoming' AND (d.status IN ('04', '05') OR d.status = '06' AND (d.id * 7919) % 100 >= 30)
		ORDER BY d.id`, w.leader)
	if err != nil {
		return fmt.Errorf("bench directions: %w", err)
	}
	logf("  %d directions", tag.RowsAffected())
	// The lead handler; a cooperating one on a quarter. Finished leads
	// closed with the document; cooperating parts a little before it, or
	// still open (one in ten) when their document is done.
	tag, err = conn.Exec(ctx, `
		INSERT INTO assignments (document_id, direction_id, assignee_user_id, role, status, deadline, progress, result,
			assigned_by, created_at, accepted_at, completed_at)
		SELECT d.id, r.id, h.user_id, x.role,
			CASE WHEN d.status = '04' OR x.role = 'cooperate' AND d.status = '06' AND d.id % 10 = 0 THEN 'assigned'
				WHEN d.status = '05' THEN 'in_progress' ELSE 'done' END,
			r.deadline,
			CASE WHEN d.status = '06' AND NOT (x.role = 'cooperate' AND d.id % 10 = 0) THEN 100 WHEN d.status = '05' THEN 40 ELSE 0 END,
			CASE WHEN d.status = '06' THEN 'Đã tham mưu xử lý xong.' ELSE '' END,
			$1, r.created_at,
			CASE WHEN d.status IN ('05', '06') THEN r.created_at + interval '1 hour' END,
			CASE WHEN d.status = '06' AND NOT (x.role = 'cooperate' AND d.id % 10 = 0)
				THEN greatest(r.created_at, d.completed_at - CASE x.role WHEN 'lead' THEN interval '0' ELSE interval '3 hours' END) END
		FROM directions r
		JOIN documents d ON d.id = r.document_id
		CROSS JOIN LATERAL (SELECT 'lead' AS role, 0 AS shift UNION ALL SELECT 'cooperate', 1 WHERE d.id % 4 = 0) x
		JOIN bench_handlers h ON h.unit_id = d.unit_id AND h.k = (d.id + x.shift) % `+fmt.Sprint(handlersPerUnit)+`
		ORDER BY d.id, x.shift`, w.leader)
	if err != nil {
		return fmt.Errorf("bench assignments: %w", err)
	}
	logf("  %d assignments", tag.RowsAffected())

	// Outgoing documents of the province's units, issued on working hours
	// of the same days as the incoming ones.
	n := int(float64(docs) * outgoingShare)
	ids := make([]int64, 0, len(w.recipients))
	unitNames := make([]string, 0, len(w.recipients))
	symbols := make([]string, 0, len(w.recipients))
	for _, u := range w.recipients {
		ids, unitNames, symbols = append(ids, u.id), append(unitNames, u.name), append(symbols, u.symbol)
	}
	start := d(2024, 1, 2)
	span := int64(now.Sub(start) / time.Second)
	subjects := make([]string, 0, 64)
	for i := range 64 {
		rr := rand.New(rand.NewPCG(uint64(i), 77))
		subjects = append(subjects, w.subject(rr, docTypes[0], now))
	}
	tag, err = conn.Exec(ctx, `
		INSERT INTO documents (direction, unit_id, status, outgoing_state, outgoing_number, issued_at, issued_date, type_name, type_code,
			code_number, code_notation, symbol, organ_name, organ_unit_id, subject, confidentiality, created_by, created_at, updated_at)
		SELECT 'outgoing', u.id, '01', CASE WHEN g % 97 = 0 THEN 'recalled' ELSE 'issued' END, g, x.at, (x.at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date,
			'Công văn', 'CV', g::text, 'CV/' || coalesce(nullif(u.symbol, ''), 'ĐU'), g || '-CV/' || coalesce(nullif(u.symbol, ''), 'ĐU'),
			u.name, u.id, ($6::text[])[1 + g % 64], CASE WHEN g % 40 = 0 THEN 'mat'::clearance_level ELSE 'none' END, $5, x.at, x.at
		FROM generate_series(1, $1::int) g
		CROSS JOIN LATERAL (SELECT $2::bigint[] AS ids, $3::text[] AS names, $4::text[] AS syms) a
		CROSS JOIN LATERAL (SELECT a.ids[1 + (g * 7) % array_length(a.ids, 1)] AS id, a.names[1 + (g * 7) % array_length(a.ids, 1)] AS name,
			a.syms[1 + (g * 7) % array_length(a.ids, 1)] AS symbol) u
		CROSS JOIN LATERAL (SELECT $7::timestamptz + ((g::bigint * 104729) % $8::bigint) * interval '1 second' AS at) x`,
		n, ids, unitNames, symbols, w.clerk, subjects, start, span)
	if err != nil {
		return fmt.Errorf("bench outgoing: %w", err)
	}
	logf("  %d outgoing documents; handling seeded in %s", tag.RowsAffected(), time.Since(t0).Round(time.Second))
	_, err = conn.Exec(ctx, `DROP TABLE bench_handlers`)
	return err
}

// rebuildDashboards computes the dashboard aggregates of the whole seed.
func rebuildDashboards(ctx context.Context, pool *pgxpool.Pool) error {
	t0 := time.Now()
	if _, err := pool.Exec(ctx, `SELECT dash_rebuild()`); err != nil {
		return fmt.Errorf("dashboard aggregates: %w", err)
	}
	var rows int64
	_ = pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM dash_doc_agg) + (SELECT count(*) FROM dash_open_now) + (SELECT count(*) FROM dash_asg_open)`).Scan(&rows)
	logf("dashboard aggregates rebuilt in %s (%d rows)", time.Since(t0).Round(time.Second), rows)
	return nil
}
