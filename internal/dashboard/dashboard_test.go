package dashboard_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"vanthu/internal/access"
	"vanthu/internal/apperr"
	"vanthu/internal/audit"
	"vanthu/internal/calendar"
	"vanthu/internal/dashboard"
	"vanthu/internal/documents"
	"vanthu/internal/identity"
	"vanthu/internal/org"
	"vanthu/internal/platform/postgres/pgtest"
	"vanthu/internal/registry"
	"vanthu/internal/routing"
)

// world is two provinces with bodies and communes, people in every role,
// and documents in every state, spread over the last seven months.
type world struct {
	t     *testing.T
	ctx   context.Context
	db    *pgxpool.Pool
	users *identity.Store
	docs  *documents.Service
	rt    *routing.Service
	cal   *calendar.Calendar
	svc   *dashboard.Service

	province, office, commune1, commune2, merged, other, otherCommune int64

	clerk, leader, handler                map[int64]access.Subject // by unit
	admin, viewC1, viewC1Mat, bodyHandler access.Subject
}

func newWorld(t *testing.T) *world {
	t.Helper()
	db := pgtest.NewPool(t)
	docs := documents.NewService(db, nil, registry.NewStore(db), "party", false)
	cal := calendar.New(db)
	w := &world{t: t, ctx: context.Background(), db: db, users: identity.NewStore(db), docs: docs,
		rt: routing.New(db, docs, cal), cal: cal, svc: dashboard.New(db),
		clerk: map[int64]access.Subject{}, leader: map[int64]access.Subject{}, handler: map[int64]access.Subject{}}
	w.province = w.unit("Tỉnh ủy Thử nghiệm", "province", 0)
	w.office = w.unit("Văn phòng Tỉnh ủy", "body", w.province)
	w.commune1 = w.unit("Đảng ủy xã Một", "commune", w.province)
	w.commune2 = w.unit("Đảng ủy xã Hai", "commune", w.province)
	w.merged = w.unit("Đảng ủy xã Sáp Nhập", "commune", w.province)
	w.other = w.unit("Tỉnh ủy Khác", "province", 0)
	w.otherCommune = w.unit("Đảng ủy xã Tỉnh Khác", "commune", w.other)
	for i, u := range []int64{w.province, w.office, w.commune1, w.commune2, w.merged, w.other, w.otherCommune} {
		w.clerk[u] = w.person(fmt.Sprintf("vanthu%d", i), u, identity.RoleClerk, identity.ClearanceTuyetMat)
		w.leader[u] = w.person(fmt.Sprintf("lanhdao%d", i), u, identity.RoleLeader, identity.ClearanceTuyetMat)
		w.handler[u] = w.person(fmt.Sprintf("chuyenvien%d", i), u, identity.RoleHandler, identity.ClearanceTuyetMat)
	}
	w.admin = w.person("quantri", w.province, identity.RoleAdmin, identity.ClearanceNone)
	w.viewC1 = w.person("xemxa", w.commune1, identity.RoleLeader, identity.ClearanceNone)
	w.viewC1Mat = w.person("xemxamat", w.commune1, identity.RoleLeader, identity.ClearanceMat)
	return w
}

func (w *world) unit(name, level string, parent int64) int64 {
	w.t.Helper()
	var p any
	if parent != 0 {
		p = parent
	}
	var id int64
	if err := w.db.QueryRow(w.ctx, `INSERT INTO units (name, level, parent_id, valid_from) VALUES ($1, $2, $3, '2020-01-01') RETURNING id`,
		name, level, p).Scan(&id); err != nil {
		w.t.Fatal(err)
	}
	return id
}

func (w *world) person(login string, unit int64, role identity.Role, clearance identity.Clearance) access.Subject {
	w.t.Helper()
	u, err := w.users.Create(w.ctx, w.db, identity.NewUser{Login: login, FullName: "Người " + login, Password: "mat-khau-thu-2026", Clearance: clearance})
	if err != nil {
		w.t.Fatal(err)
	}
	if err := w.users.AddMembership(w.ctx, w.db, u.ID, unit, role, ""); err != nil {
		w.t.Fatal(err)
	}
	return w.reload(access.Subject{UserID: u.ID})
}

func (w *world) reload(s access.Subject) access.Subject {
	w.t.Helper()
	u, err := w.users.Get(w.ctx, s.UserID)
	if err != nil {
		w.t.Fatal(err)
	}
	ms, err := w.users.Memberships(w.ctx, u.ID)
	if err != nil {
		w.t.Fatal(err)
	}
	sub, err := access.Load(w.ctx, w.db, u, ms, 0)
	if err != nil {
		w.t.Fatal(err)
	}
	return sub
}

func actor(s access.Subject) audit.Actor {
	return audit.Actor{UserID: s.UserID, Login: s.Login, UnitID: s.ActingUnit}
}

func (w *world) exec(sql string, args ...any) {
	w.t.Helper()
	if _, err := w.db.Exec(w.ctx, sql, args...); err != nil {
		w.t.Fatalf("%s: %v", sql, err)
	}
}

func (w *world) must(err error) {
	w.t.Helper()
	if err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) register(unit int64, subject string, conf identity.Clearance) documents.Document {
	w.t.Helper()
	clerk := w.clerk[unit]
	reg, err := w.docs.RegisterIncoming(w.ctx, clerk, actor(clerk), documents.IncomingInput{UnitID: unit, TypeName: "Công văn",
		OrganName: "Ủy ban nhân dân tỉnh", Subject: subject, Priority: "thuong", Confidentiality: conf}, nil, true)
	if err != nil {
		w.t.Fatal(err)
	}
	return reg.Document
}

func (w *world) direct(doc documents.Document, in routing.DirectionInput) routing.Direction {
	w.t.Helper()
	if in.Deadline == nil {
		d := routing.Today().AddDate(0, 0, 5)
		in.Deadline = &d
	}
	leader := w.leader[doc.UnitID]
	dir, err := w.rt.Direct(w.ctx, leader, actor(leader), doc.ID, in)
	if err != nil {
		w.t.Fatalf("direct %d: %v", doc.ID, err)
	}
	return dir
}

func person(s access.Subject) routing.Assignee { return routing.Assignee{UserID: s.UserID} }

// populate registers and handles documents through the real services,
// then moves their dates into the past, adds outgoing documents, edits the
// calendar and merges a commune, so the aggregates have seen every kind of
// change.
func (w *world) populate() {
	t, ctx := w.t, w.ctx
	units := []int64{w.province, w.office, w.commune1, w.commune2, w.merged, w.other, w.otherCommune}
	confs := []identity.Clearance{identity.ClearanceNone, identity.ClearanceNone, identity.ClearanceNone, identity.ClearanceMat,
		identity.ClearanceNone, identity.ClearanceToiMat}
	r := rand.New(rand.NewPCG(57, 2026))
	var ids []int64
	for i := range 84 {
		u := units[i%len(units)]
		doc := w.register(u, fmt.Sprintf("Văn bản thử số %d", i), confs[i%len(confs)])
		ids = append(ids, doc.ID)
		h := w.handler[u]
		switch i % 8 {
		case 0: // registered, waiting
		case 1: // assigned
			w.direct(doc, routing.DirectionInput{Lead: person(h)})
		case 2: // in progress
			co := w.handler[w.office]
			if u == w.office {
				co = w.handler[w.commune2]
			}
			dir := w.direct(doc, routing.DirectionInput{Lead: person(h), Cooperate: []routing.Assignee{person(co)}})
			_, err := w.rt.Accept(ctx, h, actor(h), dir.Assignments[0].ID)
			w.must(err)
		case 3: // done
			dir := w.direct(doc, routing.DirectionInput{Lead: person(h)})
			_, err := w.rt.Complete(ctx, h, actor(h), dir.Assignments[0].ID, routing.CompleteInput{Result: "Đã xử lý"})
			w.must(err)
		case 4: // filed without assignments
			l := w.leader[u]
			w.must(w.rt.Close(ctx, l, actor(l), doc.ID, routing.CloseFile, ""))
		case 5: // a unit leads and passes it on; the cooperating person stays open
			lead := w.office
			if u == w.office || u == w.other || u == w.otherCommune {
				lead = w.commune2
			}
			dir := w.direct(doc, routing.DirectionInput{Lead: routing.Assignee{UnitID: lead}, Cooperate: []routing.Assignee{person(h)}})
			ul := w.leader[lead]
			child, err := w.rt.Reassign(ctx, ul, actor(ul), dir.Assignments[0].ID, routing.ReassignInput{UserID: w.handler[lead].UserID})
			w.must(err)
			if i%16 == 5 {
				hl := w.handler[lead]
				_, err = w.rt.Complete(ctx, hl, actor(hl), child.ID, routing.CompleteInput{Result: "Xong"})
				w.must(err)
			}
		case 6: // given back: registered again
			dir := w.direct(doc, routing.DirectionInput{Lead: person(h)})
			_, err := w.rt.Return(ctx, h, actor(h), dir.Assignments[0].ID, "Không thuộc thẩm quyền")
			w.must(err)
		case 7: // another province's document led by one of our people
			lead := w.handler[w.province]
			if u == w.province {
				lead = w.handler[w.other]
			}
			dir := w.direct(doc, routing.DirectionInput{Lead: person(lead), Inform: []routing.Assignee{person(h)}})
			if i%16 == 15 {
				_, err := w.rt.Complete(ctx, lead, actor(lead), dir.Assignments[0].ID, routing.CompleteInput{Result: "Đã trả lời"})
				w.must(err)
			}
		}
	}

	// Spread the documents over the last 200 days, 07:00–17:59 Vietnam
	// time, some completed the same day, some weeks later; due dates
	// before, on and after completion; some open work past its deadline.
	now := time.Now()
	for _, id := range ids {
		arrived := now.Add(-time.Duration(r.IntN(200*24)) * time.Hour)
		arrived = time.Date(arrived.Year(), arrived.Month(), arrived.Day(), 0, 0, 0, 0, time.UTC).
			Add(time.Duration(r.IntN(11*60)) * time.Minute) // 00:00–10:59 UTC is 07:00–17:59 in Vietnam
		completed := arrived.Add(time.Duration(r.IntN(25*24)) * time.Hour)
		if completed.After(now) {
			completed = now
		}
		var due any
		if r.IntN(3) > 0 {
			day := time.Date(arrived.Year(), arrived.Month(), arrived.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(20))
			due = day
		}
		w.exec(`UPDATE documents SET arrived_at = $2, due_date = $3,
			completed_at = CASE WHEN status = '06' THEN $4::timestamptz END WHERE id = $1`, id, arrived, due, completed)
	}
	// Edges: finished on the due date (on time), the day after (late).
	w.exec(`WITH done AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM documents WHERE status = '06' AND id = ANY($1))
		UPDATE documents d SET due_date = (d.completed_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date - (done.n % 2)::int
		FROM done WHERE done.id = d.id AND done.n <= 6`, ids)
	w.exec(`UPDATE assignments SET deadline = CASE WHEN id % 3 = 0 THEN current_date - (id % 9)::int
		WHEN id % 3 = 1 THEN current_date + 4 END`)

	// A fold at an older watermark in the middle of the changes: rows due
	// before it merge, later changes to those documents land beside them.
	w.exec(`SELECT dash_fold($1)`, dashboard.Today().AddDate(0, 0, -60))

	// Documents never counted as received: delivered and not registered,
	// refused.
	w.exec(`INSERT INTO documents (direction, unit_id, arrived_at, status, type_name, organ_name, subject)
		VALUES ('incoming', $1, now() - interval '3 days', '01', 'Công văn', 'Tỉnh ủy', 'Chờ vào sổ'),
		       ('incoming', $2, now() - interval '4 days', '02', 'Công văn', 'Tỉnh ủy', 'Bị từ chối')`, w.commune1, w.province)
	// Outgoing documents: drafts are not counted, issued ones are (also
	// when recalled later), on the day of issue in Vietnam.
	for i := range 30 {
		u := units[i%len(units)]
		state, issued := "issued", any(now.Add(-time.Duration(r.IntN(200*24))*time.Hour))
		switch i % 6 {
		case 0:
			state, issued = "draft", nil
		case 5:
			state = "recalled"
		}
		w.exec(`INSERT INTO documents (direction, unit_id, status, outgoing_state, issued_at, type_name, organ_name, subject, confidentiality)
			VALUES ('outgoing', $1, '01', $2, $3, 'Công văn', 'Tỉnh ủy', 'Văn bản đi thử', $4)`, u, state, issued, confs[i%len(confs)])
	}
	// An issue date just after midnight Vietnam time belongs to that day.
	w.exec(`INSERT INTO documents (direction, unit_id, status, outgoing_state, issued_at, type_name, organ_name, subject)
		VALUES ('outgoing', $1, '01', 'issued', date_trunc('day', now() - interval '10 days') + interval '17 hours 30 minutes', 'Công văn', 'Tỉnh ủy', 'Phát hành lúc nửa đêm')`, w.province)

	// The calendar changes under finished documents: a weekday off, a
	// weekend worked, one changed back and one removed.
	var days []time.Time
	for d := dashboard.Today().AddDate(0, 0, -150); len(days) < 4; d = d.AddDate(0, 0, 1) {
		if len(days)%2 == 0 && d.Weekday() == time.Wednesday || len(days)%2 == 1 && d.Weekday() == time.Saturday {
			days = append(days, d)
		}
	}
	w.must(w.cal.Set(ctx, days[0], calendar.Holiday, "Nghỉ bù"))
	w.must(w.cal.Set(ctx, days[1], calendar.Workday, "Làm bù"))
	w.must(w.cal.Set(ctx, days[2], calendar.Holiday, "Nghỉ lễ"))
	w.must(w.cal.Set(ctx, days[3], calendar.Workday, "Làm bù"))
	w.must(w.cal.Set(ctx, days[1], calendar.Workday, "Làm bù (đổi tên)"))
	w.must(w.cal.Delete(ctx, days[3]))
	w.exec(`UPDATE calendar_days SET kind = 'workday' WHERE day = $1`, days[2]) // a Wednesday listed as worked: no change

	// A document deleted (the benchmark removes its runs' documents).
	gone := w.register(w.commune2, "Văn bản sẽ bị xóa", identity.ClearanceNone)
	w.exec(`DELETE FROM document_events WHERE document_id = $1`, gone.ID)
	w.exec(`DELETE FROM documents WHERE id = $1`, gone.ID)

	// The merged commune joins commune 1: its open documents and the open
	// assignments on them move; finished ones stay.
	units0 := org.NewStore(w.db)
	units0.RegisterMoveHook(routing.MergeHook{})
	if _, err := units0.Merge(ctx, actor(w.admin), org.MergeRequest{Sources: []int64{w.merged}, TargetID: w.commune1,
		// Yesterday: org compares the date with the current instant, which
		// refuses Vietnam's today before 07:00.
		EffectiveDate: routing.Today().AddDate(0, 0, -1), LegalBasis: "Nghị quyết 1/NQ-TU"}); err != nil {
		t.Fatal(err)
	}
	var moved int64
	w.must(w.db.QueryRow(ctx, `SELECT count(*) FROM documents WHERE unit_id = $1 AND subject LIKE 'Văn bản thử%' AND id IN (
		SELECT document_id FROM document_events WHERE kind = 'registered' AND actor_id = $2)`, w.commune1, w.clerk[w.merged].UserID).Scan(&moved))
	if moved == 0 {
		t.Fatal("the merge moved no document: the test data is wrong")
	}
	// After the merge a moved document is completed by its handler.
	var asg int64
	w.must(w.db.QueryRow(ctx, `SELECT a.id FROM assignments a JOIN documents d ON d.id = a.document_id
		WHERE d.unit_id = $1 AND a.assignee_user_id = $2 AND a.role = 'lead' AND a.status IN ('assigned', 'in_progress') LIMIT 1`,
		w.commune1, w.handler[w.merged].UserID).Scan(&asg))
	hm := w.handler[w.merged]
	_, err := w.rt.Complete(ctx, hm, actor(hm), asg, routing.CompleteInput{Result: "Hoàn thành sau sáp nhập"})
	w.must(err)
	// Reclassifying a document moves its figures between clearances.
	w.exec(`UPDATE documents SET confidentiality = 'mat' WHERE id = $1`, ids[2])

	// Scopes are read at sign-in: people sign in again after the merge.
	for _, m := range []map[int64]access.Subject{w.clerk, w.leader, w.handler} {
		for u, s := range m {
			m[u] = w.reload(s)
		}
	}
	w.admin, w.viewC1, w.viewC1Mat = w.reload(w.admin), w.reload(w.viewC1), w.reload(w.viewC1Mat)
}

// subtree lists, independently of the service, the units a dashboard of
// unit counts for sub.
func (w *world) subtree(sub access.Subject, unit int64) []int64 {
	w.t.Helper()
	children := map[int64][]int64{}
	var id, parent int64
	rows, _ := w.db.Query(w.ctx, `SELECT id, parent_id FROM units WHERE parent_id IS NOT NULL`)
	_, err := pgx.ForEachRow(rows, []any{&id, &parent}, func() error {
		children[parent] = append(children[parent], id)
		return nil
	})
	w.must(err)
	rows, _ = w.db.Query(w.ctx, `SELECT successor_id, predecessor_id FROM unit_succession`)
	_, err = pgx.ForEachRow(rows, []any{&parent, &id}, func() error {
		children[parent] = append(children[parent], id) // a successor carries its predecessors
		return nil
	})
	w.must(err)
	seen := map[int64]bool{unit: true}
	for queue := []int64{unit}; len(queue) > 0; queue = queue[1:] {
		for _, c := range children[queue[0]] {
			if !seen[c] {
				seen[c] = true
				queue = append(queue, c)
			}
		}
	}
	var all []int64
	for id := range seen {
		all = append(all, id)
	}
	slices.Sort(all)
	if sub.IsAdmin {
		return all
	}
	var out []int64
	for _, id := range all {
		if sub.CanViewUnitRecords(id) {
			out = append(out, id)
		}
	}
	return out
}

// expected computes every figure of d straight from documents, assignments
// and the calendar.
func (w *world) expected(sub access.Subject, units []int64, q dashboard.Dashboard) (totals dashboard.Figures, openNow, overdueNow int64,
	byUnit map[int64]dashboard.UnitFigures, byBucket map[time.Time]dashboard.Figures, people []dashboard.PersonFigures) {
	t, ctx := w.t, w.ctx
	today := dashboard.Today()

	// Per unit and in total, by SQL counts.
	rows, _ := w.db.Query(ctx, `
		WITH docs AS (
			SELECT d.*, (d.arrived_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS arrival,
				(d.completed_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS finished,
				(d.issued_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS issue_day
			FROM documents d WHERE d.unit_id = ANY($1) AND d.confidentiality <= $2::clearance_level
		)
		SELECT unit_id,
			count(*) FILTER (WHERE direction = 'incoming' AND status IN ('03', '04', '05', '06') AND arrival BETWEEN $3 AND $4),
			count(*) FILTER (WHERE direction = 'outgoing' AND issued_at IS NOT NULL AND issue_day BETWEEN $3 AND $4),
			count(*) FILTER (WHERE direction = 'incoming' AND status = '06' AND arrival BETWEEN $3 AND $4),
			count(*) FILTER (WHERE direction = 'incoming' AND status = '06' AND arrival BETWEEN $3 AND $4 AND finished <= due_date),
			count(*) FILTER (WHERE direction = 'incoming' AND status = '06' AND arrival BETWEEN $3 AND $4 AND finished > due_date),
			count(*) FILTER (WHERE direction = 'incoming' AND status = '06' AND arrival BETWEEN $3 AND $4 AND (due_date IS NULL OR completed_at IS NULL)),
			count(*) FILTER (WHERE direction = 'incoming' AND status IN ('03', '04', '05') AND arrival BETWEEN $3 AND $4),
			count(*) FILTER (WHERE direction = 'incoming' AND status = '06' AND arrival BETWEEN $3 AND $4 AND completed_at IS NOT NULL),
			coalesce(sum(round(extract(epoch FROM completed_at - arrived_at))::bigint)
				FILTER (WHERE direction = 'incoming' AND status = '06' AND arrival BETWEEN $3 AND $4 AND completed_at IS NOT NULL), 0),
			count(*) FILTER (WHERE direction = 'incoming' AND status IN ('03', '04', '05')),
			count(*) FILTER (WHERE direction = 'incoming' AND status IN ('03', '04', '05') AND due_date < $5)
		FROM docs GROUP BY unit_id`, units, string(sub.Clearance), q.From, q.To, today)
	byUnit = map[int64]dashboard.UnitFigures{}
	var u dashboard.UnitFigures
	_, err := pgx.ForEachRow(rows, []any{&u.ID, &u.Received, &u.Issued, &u.Done, &u.DoneOnTime, &u.DoneLate, &u.DoneNoDeadline,
		&u.Open, &u.Timed, &u.HandlingSeconds, &u.OpenNow, &u.OverdueNow}, func() error {
		byUnit[u.ID] = u
		return nil
	})
	w.must(err)

	// Per period, by SQL counts over the same documents.
	rows, _ = w.db.Query(ctx, `
		WITH docs AS (
			SELECT d.*, (d.arrived_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS arrival,
				(d.completed_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS finished,
				(d.issued_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS issue_day
			FROM documents d WHERE d.unit_id = ANY($1) AND d.confidentiality <= $2::clearance_level
		), incoming AS (
			SELECT date_trunc($5, arrival::timestamp)::date AS b,
				count(*) FILTER (WHERE status IN ('03', '04', '05', '06')) AS received,
				count(*) FILTER (WHERE status = '06') AS done,
				count(*) FILTER (WHERE status = '06' AND finished <= due_date) AS on_time,
				count(*) FILTER (WHERE status = '06' AND finished > due_date) AS late,
				count(*) FILTER (WHERE status IN ('03', '04', '05')) AS open,
				count(*) FILTER (WHERE status = '06' AND completed_at IS NOT NULL) AS timed,
				coalesce(sum(round(extract(epoch FROM completed_at - arrived_at))::bigint) FILTER (WHERE status = '06' AND completed_at IS NOT NULL), 0) AS secs
			FROM docs WHERE direction = 'incoming' AND arrival BETWEEN $3 AND $4 GROUP BY 1
		), outgoing AS (
			SELECT date_trunc($5, issue_day::timestamp)::date AS b, count(*) AS issued
			FROM docs WHERE direction = 'outgoing' AND issue_day BETWEEN $3 AND $4 GROUP BY 1
		)
		SELECT coalesce(i.b, o.b), coalesce(i.received, 0), coalesce(o.issued, 0), coalesce(i.done, 0), coalesce(i.on_time, 0),
			coalesce(i.late, 0), coalesce(i.open, 0), coalesce(i.timed, 0), coalesce(i.secs, 0)
		FROM incoming i FULL JOIN outgoing o ON o.b = i.b`, units, string(sub.Clearance), q.From, q.To, string(q.Period))
	byBucket = map[time.Time]dashboard.Figures{}
	var b time.Time
	var f dashboard.Figures
	_, err = pgx.ForEachRow(rows, []any{&b, &f.Received, &f.Issued, &f.Done, &f.DoneOnTime, &f.DoneLate, &f.Open,
		&f.Timed, &f.HandlingSeconds}, func() error {
		f.DoneNoDeadline = f.Done - f.DoneOnTime - f.DoneLate
		byBucket[b] = f
		return nil
	})
	w.must(err)

	// Working days of each finished document, on the calendar package.
	rows, _ = w.db.Query(ctx, `
		SELECT unit_id, (arrived_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, (completed_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date,
			date_trunc($5, (arrived_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date::timestamp)::date
		FROM documents WHERE unit_id = ANY($1) AND confidentiality <= $2::clearance_level AND direction = 'incoming' AND status = '06'
			AND completed_at IS NOT NULL AND (arrived_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date BETWEEN $3 AND $4`,
		units, string(sub.Clearance), q.From, q.To, string(q.Period))
	var unit int64
	var arrival, finished, key time.Time
	_, err = pgx.ForEachRow(rows, []any{&unit, &arrival, &finished, &key}, func() error {
		n, err := w.cal.WorkingDaysBetween(ctx, arrival, finished)
		if err != nil {
			return err
		}
		uf := byUnit[unit]
		uf.HandlingWorkingDays += int64(n)
		byUnit[unit] = uf
		bf := byBucket[key]
		bf.HandlingWorkingDays += int64(n)
		byBucket[key] = bf
		return nil
	})
	w.must(err)

	for id, uf := range byUnit {
		if uf.Figures == (dashboard.Figures{}) && uf.OpenNow == 0 {
			delete(byUnit, id)
			continue
		}
		totals.Received += uf.Received
		totals.Issued += uf.Issued
		totals.Done += uf.Done
		totals.DoneOnTime += uf.DoneOnTime
		totals.DoneLate += uf.DoneLate
		totals.DoneNoDeadline += uf.DoneNoDeadline
		totals.Open += uf.Open
		totals.Timed += uf.Timed
		totals.HandlingSeconds += uf.HandlingSeconds
		totals.HandlingWorkingDays += uf.HandlingWorkingDays
		openNow += uf.OpenNow
		overdueNow += uf.OverdueNow
	}

	// People's open work.
	rows, _ = w.db.Query(ctx, `
		SELECT a.assignee_user_id, u.full_name, count(*), count(*) FILTER (WHERE a.deadline < $3)
		FROM assignments a JOIN documents d ON d.id = a.document_id JOIN users u ON u.id = a.assignee_user_id
		WHERE d.unit_id = ANY($1) AND d.confidentiality <= $2::clearance_level
			AND a.role <> 'inform' AND a.status IN ('assigned', 'in_progress')
		GROUP BY 1, 2 ORDER BY 4 DESC, 3 DESC, 2, 1`, units, string(sub.Clearance), today)
	people, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (dashboard.PersonFigures, error) {
		var p dashboard.PersonFigures
		err := r.Scan(&p.UserID, &p.Name, &p.Open, &p.Overdue)
		return p, err
	})
	if err != nil {
		t.Fatal(err)
	}
	return
}

// check builds the dashboard and compares every figure with the direct
// computation.
func (w *world) check(name string, sub access.Subject, q dashboard.Query) dashboard.Dashboard {
	w.t.Helper()
	t := w.t
	d, err := w.svc.Build(w.ctx, sub, q)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	units := w.subtree(sub, d.Unit.ID)
	if !slices.Equal(d.Scope.Units, units) {
		t.Fatalf("%s: units counted %v, want %v", name, d.Scope.Units, units)
	}
	totals, openNow, overdueNow, byUnit, byBucket, people := w.expected(sub, units, d)
	if d.Totals != totals {
		t.Errorf("%s: totals\n got %+v\nwant %+v", name, d.Totals, totals)
	}
	if d.OpenNow != openNow || d.OverdueNow != overdueNow {
		t.Errorf("%s: open now %d/%d, want %d/%d", name, d.OpenNow, d.OverdueNow, openNow, overdueNow)
	}
	if len(d.ByUnit) != len(byUnit) {
		t.Errorf("%s: %d units listed, want %d", name, len(d.ByUnit), len(byUnit))
	}
	for _, u := range d.ByUnit {
		want, ok := byUnit[u.ID]
		if !ok || u.Figures != want.Figures || u.OpenNow != want.OpenNow || u.OverdueNow != want.OverdueNow {
			t.Errorf("%s: unit %d %s\n got %+v now %d/%d\nwant %+v now %d/%d", name, u.ID, u.Name, u.Figures, u.OpenNow, u.OverdueNow,
				want.Figures, want.OpenNow, want.OverdueNow)
		}
	}
	var sum dashboard.Figures
	seen := 0
	for _, b := range d.Series {
		key := periodStart(d.Period, b.Start)
		want := byBucket[key]
		if _, ok := byBucket[key]; ok {
			seen++
		}
		if b.Figures != want {
			t.Errorf("%s: period %s (%s–%s)\n got %+v\nwant %+v", name, b.Label, b.Start.Format(time.DateOnly), b.End.Format(time.DateOnly), b.Figures, want)
		}
		sum.Received += b.Received
		sum.Issued += b.Issued
	}
	if seen != len(byBucket) {
		t.Errorf("%s: %d periods with figures shown, %d expected", name, seen, len(byBucket))
	}
	if sum.Received != totals.Received || sum.Issued != totals.Issued {
		t.Errorf("%s: periods add up to %d received, %d issued; totals %d, %d", name, sum.Received, sum.Issued, totals.Received, totals.Issued)
	}
	if d.PeopleTotal != len(people) {
		t.Errorf("%s: %d people with open work, want %d", name, d.PeopleTotal, len(people))
	}
	if len(people) > dashboard.MaxPeople {
		people = people[:dashboard.MaxPeople]
	}
	if !slices.Equal(d.ByPerson, people) {
		t.Errorf("%s: people\n got %+v\nwant %+v", name, d.ByPerson, people)
	}
	return d
}

// periodStart is the first day of the period holding day, as
// date_trunc computes it (weeks start on Monday).
func periodStart(p dashboard.Period, day time.Time) time.Time {
	y, m, d := day.Date()
	switch p {
	case dashboard.Week:
		for day.Weekday() != time.Monday {
			day = day.AddDate(0, 0, -1)
		}
		return day
	case dashboard.Month:
		return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	case dashboard.Quarter:
		return time.Date(y, []time.Month{1, 1, 1, 4, 4, 4, 7, 7, 7, 10, 10, 10}[m-1], 1, 0, 0, 0, 0, time.UTC)
	case dashboard.Year:
		return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// apperrFields returns the field messages of a validation error.
func apperrFields(err error) (map[string]string, bool) {
	e, ok := apperr.As(err)
	if !ok || e.Kind != apperr.KindInvalid {
		return nil, false
	}
	return e.Fields, true
}

func TestFiguresEqualDirectCounts(t *testing.T) {
	w := newWorld(t)
	w.populate()
	today := dashboard.Today()
	long := dashboard.Query{From: today.AddDate(0, 0, -210), To: today}
	viewers := []struct {
		name string
		sub  access.Subject
		unit int64
	}{
		{"province leader", w.leader[w.province], 0},
		{"province leader, commune 1", w.leader[w.province], w.commune1},
		{"commune 1 leader without clearance", w.viewC1, 0},
		{"commune 1 leader with Mật clearance", w.viewC1Mat, 0},
		{"other province leader", w.leader[w.other], 0},
		{"administrator", w.admin, w.province},
		{"office handler", w.handler[w.office], 0},
	}
	for _, v := range viewers {
		for _, p := range dashboard.Periods {
			q := long
			q.UnitID, q.Period = v.unit, p
			w.check(fmt.Sprintf("%s by %s", v.name, p), v.sub, q)
		}
		q := dashboard.Query{UnitID: v.unit, From: today.AddDate(0, 0, -95), To: today.AddDate(0, 0, -31), Period: dashboard.Week}
		w.check(v.name+", a past stretch by week", v.sub, q)
		w.check(v.name+", defaults", v.sub, dashboard.Query{UnitID: v.unit})
	}

	// The figures are not empty: the test would prove little otherwise.
	d := w.check("province leader", w.leader[w.province], long)
	if d.Totals.Received < 40 || d.Totals.Issued < 10 || d.Totals.DoneOnTime == 0 || d.Totals.DoneLate == 0 ||
		d.Totals.Open == 0 || d.OverdueNow == 0 || d.Totals.HandlingWorkingDays == 0 || len(d.ByPerson) < 3 || len(d.ByUnit) < 5 {
		t.Fatalf("figures too thin to prove anything: %+v, now %d/%d, %d people, %d units", d.Totals, d.OpenNow, d.OverdueNow, len(d.ByPerson), len(d.ByUnit))
	}

	// The aggregates kept by the triggers equal a rebuild from scratch.
	tables := []string{"dash_doc_agg", "dash_open_now", "dash_asg_open"}
	snapshot := func() map[string][]string {
		out := map[string][]string{}
		for _, tab := range tables {
			// Rows whose counts are all zero are left out.
			const keys = `'grain' - 'unit_id' - 'day' - 'due' - 'conf' - 'user_id' - 'deadline'`
			rows, _ := w.db.Query(w.ctx, `SELECT t::text FROM `+tab+` t WHERE to_jsonb(t) - `+keys+`
				<> (SELECT jsonb_object_agg(k, 0) FROM jsonb_object_keys(to_jsonb(t) - `+keys+`) k)
				ORDER BY 1`)
			vals, err := pgx.CollectRows(rows, pgx.RowTo[string])
			w.must(err)
			out[tab] = vals
		}
		return out
	}
	w.exec(`SELECT dash_fold($1)`, today)
	kept := snapshot()
	w.exec(`SELECT dash_rebuild()`)
	rebuilt := snapshot()
	for _, tab := range tables {
		if !slices.Equal(kept[tab], rebuilt[tab]) {
			var onlyKept, onlyRebuilt []string
			for _, r := range kept[tab] {
				if !slices.Contains(rebuilt[tab], r) {
					onlyKept = append(onlyKept, r)
				}
			}
			for _, r := range rebuilt[tab] {
				if !slices.Contains(kept[tab], r) {
					onlyRebuilt = append(onlyRebuilt, r)
				}
			}
			t.Errorf("%s kept by triggers differs from a rebuild:\n only kept    %v\n only rebuilt %v", tab, onlyKept, onlyRebuilt)
		}
		if len(kept[tab]) == 0 {
			t.Errorf("%s is empty", tab)
		}
	}
}

func TestScope(t *testing.T) {
	w := newWorld(t)
	w.populate()
	ctx := w.ctx
	today := dashboard.Today()
	q := dashboard.Query{From: today.AddDate(0, 0, -210), To: today}

	// A commune leader sees their commune (and the commune merged into it),
	// never the province or a sister commune.
	d, err := w.svc.Build(ctx, w.viewC1, q)
	w.must(err)
	if d.Unit.ID != w.commune1 || !slices.Equal(d.Scope.Units, []int64{w.commune1, w.merged}) {
		t.Fatalf("commune leader's dashboard covers %d %v", d.Unit.ID, d.Scope.Units)
	}
	for _, unit := range []int64{w.province, w.commune2, w.other, 999999} {
		qq := q
		qq.UnitID = unit
		if _, err := w.svc.Build(ctx, w.viewC1, qq); !errors.Is(err, dashboard.ErrUnitNotFound) {
			t.Fatalf("commune leader asking for unit %d: %v", unit, err)
		}
	}
	for _, u := range d.ByUnit {
		if u.ID != w.commune1 && u.ID != w.merged {
			t.Fatalf("commune leader counts unit %d %s", u.ID, u.Name)
		}
	}
	// Without clearance, Mật documents are left out; with it, counted.
	dm, err := w.svc.Build(ctx, w.viewC1Mat, q)
	w.must(err)
	var secret int64
	w.must(w.db.QueryRow(ctx, `SELECT count(*) FROM documents WHERE unit_id = ANY($1) AND confidentiality = 'mat'
		AND direction = 'incoming' AND status IN ('03', '04', '05', '06')`, []int64{w.commune1, w.merged}).Scan(&secret))
	if secret == 0 || dm.Totals.Received-d.Totals.Received != secret {
		t.Fatalf("Mật documents: %d with clearance, %d without, %d secret", dm.Totals.Received, d.Totals.Received, secret)
	}

	// The province leader's dashboard never counts the other province,
	// even where one of the province's people works on its documents.
	dp, err := w.svc.Build(ctx, w.leader[w.province], q)
	w.must(err)
	for _, id := range dp.Scope.Units {
		if id == w.other || id == w.otherCommune {
			t.Fatalf("province dashboard counts unit %d of the other province", id)
		}
	}
	var otherOpen int64
	w.must(w.db.QueryRow(ctx, `SELECT count(*) FROM assignments a JOIN documents d ON d.id = a.document_id
		WHERE d.unit_id = ANY($1) AND a.assignee_user_id = $2 AND a.status IN ('assigned', 'in_progress') AND a.role <> 'inform'`,
		[]int64{w.other, w.otherCommune}, w.handler[w.province].UserID).Scan(&otherOpen))
	if otherOpen == 0 {
		t.Fatal("test data: no open work of the province's handler on the other province's documents")
	}
	var mine int64
	w.must(w.db.QueryRow(ctx, `SELECT count(*) FROM assignments a JOIN documents d ON d.id = a.document_id
		WHERE d.unit_id = ANY($1) AND d.confidentiality <= 'tuyet_mat' AND a.assignee_user_id = $2 AND a.status IN ('assigned', 'in_progress') AND a.role <> 'inform'`,
		dp.Scope.Units, w.handler[w.province].UserID).Scan(&mine))
	for _, p := range dp.ByPerson {
		if p.UserID == w.handler[w.province].UserID && p.Open != mine {
			t.Fatalf("province handler's open work %d, want %d (without the other province's %d)", p.Open, mine, otherOpen)
		}
	}
	// The other province's leader cannot open the province's dashboard.
	qq := q
	qq.UnitID = w.province
	if _, err := w.svc.Build(ctx, w.leader[w.other], qq); !errors.Is(err, dashboard.ErrUnitNotFound) {
		t.Fatalf("other province's leader: %v", err)
	}

	// The picker offers the viewer's units, the chosen unit's parents and
	// children in scope.
	cs, err := w.svc.Choices(ctx, w.leader[w.province], w.commune1)
	w.must(err)
	groups := map[string][]int64{}
	for _, c := range cs {
		groups[c.Group] = append(groups[c.Group], c.ID)
	}
	if !slices.Equal(groups["Đơn vị của bạn"], []int64{w.province}) || !slices.Equal(groups["Cấp trên"], []int64{w.province}) ||
		!slices.Equal(groups["Đang xem"], []int64{w.commune1}) {
		t.Fatalf("choices around commune 1: %+v", cs)
	}
	cs, err = w.svc.Choices(ctx, w.leader[w.province], w.province)
	w.must(err)
	var children []int64
	for _, c := range cs {
		if c.Group == "Trực thuộc" {
			children = append(children, c.ID)
		}
	}
	slices.Sort(children)
	if !slices.Equal(children, []int64{w.office, w.commune1, w.commune2}) { // the merged commune is closed
		t.Fatalf("children of the province offered: %v", children)
	}
	cs, err = w.svc.Choices(ctx, w.viewC1, w.commune1)
	w.must(err)
	for _, c := range cs {
		if c.ID == w.province {
			t.Fatalf("the commune leader is offered the province: %+v", cs)
		}
	}
}

func TestQueryValidation(t *testing.T) {
	w := newWorld(t)
	sub := w.leader[w.province]
	today := dashboard.Today()
	for _, c := range []struct {
		q     dashboard.Query
		field string
	}{
		{dashboard.Query{Period: "decade"}, "period"},
		{dashboard.Query{From: today, To: today.AddDate(0, 0, -1)}, "to"},
		{dashboard.Query{From: time.Date(1999, 12, 31, 0, 0, 0, 0, time.UTC)}, "from"},
		{dashboard.Query{From: today.AddDate(-2, 0, 0), To: today, Period: dashboard.Day}, "period"},
	} {
		_, err := w.svc.Build(w.ctx, sub, c.q)
		if e, ok := apperrFields(err); !ok || e[c.field] == "" {
			t.Errorf("%+v: %v, want a message for %s", c.q, err, c.field)
		}
	}
	// Defaults: this year to today, by month, the acting unit.
	d, err := w.svc.Build(w.ctx, sub, dashboard.Query{})
	w.must(err)
	if d.Unit.ID != w.province || d.Period != dashboard.Month || !d.To.Equal(today) || d.From.Month() != time.January || d.From.Day() != 1 {
		t.Fatalf("defaults: unit %d %s %s–%s", d.Unit.ID, d.Period, d.From, d.To)
	}
	if len(d.Series) != int(today.Month()) || d.Series[0].Label != "01/"+fmt.Sprint(today.Year()) {
		t.Fatalf("months of this year: %d, first %q", len(d.Series), d.Series[0].Label)
	}
}
