package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"vanthu/internal/demo"
	"vanthu/internal/platform/postgres"
	"vanthu/migrations"
)

var vnZone = func() *time.Location {
	if loc, err := time.LoadLocation("Asia/Ho_Chi_Minh"); err == nil {
		return loc
	}
	return time.FixedZone("ICT", 7*3600)
}()

// seedState is what the last complete load left in bench.state.
type seedState struct {
	Docs        int64
	FirstID     int64 // the seed's documents are FirstID..MaxID; the demo's own come before
	MaxID       int64
	LoadSeconds float64
	LoadedAt    time.Time
	SchemaHash  string // of the migrations the seed was made with
	Reused      bool   // this run found the seed in place
}

// schemaHash fingerprints the embedded migrations: a seed made with other
// migrations (an edited index, say) is not reused.
func schemaHash() (string, error) {
	names, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil {
		return "", err
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		b, err := fs.ReadFile(migrations.FS, n)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s %d\n", n, len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// openPool opens a pool; loader pools know the clearance_level enum so
// COPY can send it.
func openPool(ctx context.Context, url string, maxConns int32) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, err
	}
	cfg.MaxConns = maxConns
	cfg.ConnConfig.RuntimeParams["timezone"] = "UTC"
	cfg.ConnConfig.RuntimeParams["application_name"] = "vanthu-bench"
	cfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
		t, err := c.LoadType(ctx, "clearance_level")
		if err != nil {
			return nil // before the migrations
		}
		c.TypeMap().RegisterType(t)
		return nil
	}
	return pgxpool.NewWithConfig(ctx, cfg)
}

// prepareDatabase makes sure the bench database holds cfg.docs seeded
// documents and nothing from earlier runs; it seeds when needed.
func prepareDatabase(ctx context.Context, cfg *benchConfig) (seedState, error) {
	admin, err := pgx.Connect(ctx, cfg.adminURL)
	if err != nil {
		return seedState{}, fmt.Errorf("connect to the postgres database: %w", err)
	}
	defer admin.Close(ctx)
	dbName := cfg.dbName
	fresh := false
	recreate := func(why string) error {
		logf("%s: creating database %s afresh", why, dbName)
		fresh = true
		if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{dbName}.Sanitize()+" WITH (FORCE)"); err != nil {
			return err
		}
		_, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{dbName}.Sanitize())
		return err
	}
	var exists bool
	if err := admin.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", dbName).Scan(&exists); err != nil {
		return seedState{}, err
	}
	switch {
	case cfg.reseed:
		err = recreate("BENCH_RESEED=1")
	case !exists:
		err = recreate("no bench database yet")
	}
	if err != nil {
		return seedState{}, err
	}

	for attempt := 0; attempt < 2; attempt++ {
		pool, err := openPool(ctx, cfg.dbURL, 4)
		if err != nil {
			return seedState{}, err
		}
		st, state, err := checkSeeded(ctx, pool, cfg.docs)
		if err != nil {
			pool.Close()
			return seedState{}, err
		}
		switch state {
		case "ok":
			st.Reused = true
			err = cleanupRuns(ctx, pool, st)
			if err == nil {
				err = seedWork(ctx, pool, cfg.docs, time.Now())
			}
			pool.Close()
			return st, err
		case "empty":
			if !fresh {
				// An interrupted seed may have dropped indexes already.
				pool.Close()
				if err := recreate("no completed load"); err != nil {
					return seedState{}, err
				}
				continue
			}
			st, err = seed(ctx, pool, cfg)
			if err == nil {
				err = seedWork(ctx, pool, cfg.docs, time.Now())
			}
			pool.Close()
			return st, err
		default:
			pool.Close()
			if err := recreate(state); err != nil {
				return seedState{}, err
			}
		}
	}
	return seedState{}, errors.New("could not prepare the bench database")
}

// checkSeeded migrates, adds the demo and reports "ok" (a complete load of
// want documents), "empty" (no documents yet) or why the database must be
// made again.
func checkSeeded(ctx context.Context, pool *pgxpool.Pool, want int) (seedState, string, error) {
	t0 := time.Now()
	m, err := postgres.NewMigrator(pool)
	if err != nil {
		return seedState{}, "", err
	}
	err = m.Up()
	m.Close()
	if err != nil {
		return seedState{}, "", err
	}
	if _, err := demo.Seed(ctx, pool); err != nil {
		return seedState{}, "", fmt.Errorf("demo seed: %w", err)
	}
	logf("schema migrated, units and demo accounts in place (%s)", time.Since(t0).Round(time.Millisecond))
	if _, err := pool.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS bench`); err != nil {
		return seedState{}, "", err
	}
	if _, err := pool.Exec(ctx, `CREATE TABLE IF NOT EXISTS bench.state (docs bigint NOT NULL, max_id bigint NOT NULL, load_seconds float8 NOT NULL, loaded_at timestamptz NOT NULL)`); err != nil {
		return seedState{}, "", err
	}
	if _, err := pool.Exec(ctx, `ALTER TABLE bench.state ADD COLUMN IF NOT EXISTS schema_hash text NOT NULL DEFAULT '',
		ADD COLUMN IF NOT EXISTS first_id bigint NOT NULL DEFAULT 1`); err != nil {
		return seedState{}, "", err
	}
	// A seed writes this before its first document and the state after
	// its last: documents with the marker and no state are an interrupted
	// seed (the demo's own documents are neither).
	if _, err := pool.Exec(ctx, `CREATE TABLE IF NOT EXISTS bench.loading (started_at timestamptz NOT NULL)`); err != nil {
		return seedState{}, "", err
	}
	hash, err := schemaHash()
	if err != nil {
		return seedState{}, "", err
	}
	var st seedState
	err = pool.QueryRow(ctx, `SELECT docs, first_id, max_id, load_seconds, loaded_at, schema_hash FROM bench.state`).Scan(&st.Docs, &st.FirstID, &st.MaxID, &st.LoadSeconds, &st.LoadedAt, &st.SchemaHash)
	var loading bool
	if err2 := pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM bench.loading)`).Scan(&loading); err2 != nil {
		return st, "", err2
	}
	if errors.Is(err, pgx.ErrNoRows) {
		if !loading {
			return st, "empty", nil
		}
		return st, "documents without a completed load (an interrupted seed?)", nil
	}
	if err != nil {
		return st, "", err
	}
	if st.SchemaHash != hash {
		return st, "the migrations changed since the seed (or it predates this check)", nil
	}
	if st.Docs != int64(want) {
		return st, fmt.Sprintf("the database holds %d seeded documents, %d wanted", st.Docs, want), nil
	}
	var seeded int64
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM documents WHERE id BETWEEN $1 AND $2 AND direction = 'incoming'`, st.FirstID, st.MaxID).Scan(&seeded); err != nil {
		return st, "", err
	}
	if seeded != st.Docs {
		return st, fmt.Sprintf("row count %d differs from the %d seeded", seeded, st.Docs), nil
	}
	logf("reusing the seeded database: %d documents loaded %s in %.0f s (BENCH_RESEED=1 seeds again)",
		seeded, st.LoadedAt.In(vnZone).Format("2006-01-02 15:04"), st.LoadSeconds)
	return st, "ok", nil
}

// cleanupRuns removes what earlier runs registered or viewed, so every
// run measures the same data, and puts the counters back.
func cleanupRuns(ctx context.Context, pool *pgxpool.Pool, st seedState) error {
	return postgres.InTx(ctx, pool, func(tx pgx.Tx) error {
		for _, q := range []string{
			`DELETE FROM document_events WHERE document_id > $1 OR kind = 'viewed'`,
			`DELETE FROM document_comments WHERE document_id > $1`,
			`DELETE FROM assignments WHERE document_id > $1 OR reply_document_id > $1`,
			`DELETE FROM directions WHERE document_id > $1`,
			`DELETE FROM document_files WHERE document_id > $1`,
			`DELETE FROM file_signatures s WHERE NOT EXISTS (SELECT 1 FROM document_files df WHERE df.file_id = s.file_id) AND $1::bigint > 0`,
			`DELETE FROM files f WHERE NOT EXISTS (SELECT 1 FROM document_files df WHERE df.file_id = f.id) AND $1::bigint > 0`,
			`DELETE FROM documents WHERE id > $1`,
		} {
			tag, err := tx.Exec(ctx, q, st.MaxID)
			if err != nil {
				return fmt.Errorf("clean up earlier runs: %w", err)
			}
			if strings.Contains(q, "FROM documents") && tag.RowsAffected() > 0 {
				logf("removed %d documents registered by earlier runs", tag.RowsAffected())
			}
		}
		return resetCounters(ctx, tx)
	})
}

func resetCounters(ctx context.Context, q postgres.Querier) error {
	if _, err := q.Exec(ctx, `DELETE FROM register_counters`); err != nil {
		return err
	}
	_, err := q.Exec(ctx, `
		INSERT INTO register_counters (register_id, period, series, last_number)
		SELECT register_id, number_period, number_series, max(arrival_number) FROM documents
		WHERE register_id IS NOT NULL AND arrival_number IS NOT NULL GROUP BY 1, 2, 3`)
	return err
}

// loadWorld reads the demo province's units and people and gives each
// receiving unit its default incoming register.
func loadWorld(ctx context.Context, pool *pgxpool.Pool) (*world, error) {
	w := &world{merger: d(2025, 7, 1), topicByDay: newTopicIndex()}
	if err := pool.QueryRow(ctx, `SELECT id FROM users WHERE login = 'vanthu.tinh'`).Scan(&w.clerk); err != nil {
		return nil, fmt.Errorf("demo clerk: %w", err)
	}
	if err := pool.QueryRow(ctx, `SELECT id FROM users WHERE login = 'bithu.tinh'`).Scan(&w.leader); err != nil {
		return nil, fmt.Errorf("demo leader: %w", err)
	}
	var province issuer
	if err := pool.QueryRow(ctx, `SELECT id, name, symbol FROM units WHERE level = 'province' AND code = $1 AND valid_to IS NULL`,
		demo.ProvinceCode).Scan(&province.unitID, &province.name, &province.symbol); err != nil {
		return nil, fmt.Errorf("demo province: %w", err)
	}
	province.position = "Bí thư"
	w.provinces = []issuer{province}
	collect := func(sql string, args ...any) ([]issuer, error) {
		rows, _ := pool.Query(ctx, sql, args...)
		var out []issuer
		var it issuer
		_, err := pgx.ForEachRow(rows, []any{&it.unitID, &it.name, &it.symbol}, func() error {
			out = append(out, it)
			return nil
		})
		return out, err
	}
	var err error
	if w.central, err = collect(`SELECT id, name, symbol FROM units WHERE level = 'central' AND valid_to IS NULL ORDER BY id`); err != nil {
		return nil, err
	}
	old, err := collect(`SELECT u.id, u.name, u.symbol FROM unit_succession s JOIN units u ON u.id = s.predecessor_id
		WHERE s.successor_id = $1 AND u.level = 'province' ORDER BY u.id`, province.unitID)
	if err != nil {
		return nil, err
	}
	if len(old) < 2 {
		return nil, fmt.Errorf("the demo province has %d predecessors, 2 expected", len(old))
	}
	w.oldProv = [2]issuer{old[0], old[1]}
	if w.bodies, err = collect(`WITH RECURSIVE t AS (
			SELECT id, name, symbol FROM units WHERE parent_id = $1 AND level = 'body' AND valid_to IS NULL
			UNION ALL SELECT u.id, u.name, u.symbol FROM units u JOIN t ON u.parent_id = t.id WHERE u.level = 'body' AND u.valid_to IS NULL)
		SELECT id, name, symbol FROM t ORDER BY id`, province.unitID); err != nil {
		return nil, err
	}
	if w.communes, err = collect(`SELECT id, name, symbol FROM units WHERE parent_id = $1 AND level = 'commune' AND valid_to IS NULL ORDER BY code`,
		province.unitID); err != nil {
		return nil, err
	}
	if len(w.communes) == 0 || len(w.bodies) == 0 {
		return nil, errors.New("the demo province has no communes or bodies")
	}
	for i := range w.central {
		w.central[i].position = oneOf(rand.New(rand.NewPCG(uint64(i), 1)), []string{"Trưởng ban", "Phó Trưởng ban", "Chánh Văn phòng", "Phó Chánh Văn phòng"})
	}
	for i := range w.central {
		if w.central[i].symbol == "" {
			w.central[i].symbol = "TW"
		}
	}
	for i := range w.communes {
		w.communes[i].position = "Bí thư"
	}
	for i := range w.bodies {
		w.bodies[i].position = "Trưởng ban"
		if strings.HasPrefix(w.bodies[i].name, "Văn phòng") {
			w.bodies[i].position = "Chánh Văn phòng"
		}
	}
	for i := range w.oldProv {
		w.oldProv[i].position = "Phó Bí thư Thường trực"
	}
	// Parties with symbols; Phòng … of the office do not send documents out.
	var senders []issuer
	for _, b := range w.bodies {
		if !strings.HasPrefix(b.name, "Phòng") {
			senders = append(senders, b)
		}
	}

	far := d(2100, 1, 1)
	early := d(2000, 1, 1)
	add := func(is issuer, level string, from, to time.Time, weight float64) {
		w.recipients = append(w.recipients, unitRef{id: is.unitID, name: is.name, symbol: is.symbol, level: level, from: from, to: to, weight: weight})
	}
	for _, o := range w.oldProv {
		add(o, "province", early, w.merger, 10)
	}
	add(province, "province", w.merger, far, 12)
	for _, b := range w.bodies {
		weight := 4.0
		switch {
		case strings.HasPrefix(b.name, "Phòng"):
			weight = 0.5
		case strings.HasPrefix(b.name, "Văn phòng"):
			weight = 2
		case strings.HasPrefix(b.name, "Ban Nội chính"):
			weight = 3
		}
		add(b, "body", w.merger, far, weight)
	}
	for _, c := range w.communes {
		add(c, "commune", early, far, 0.6)
	}
	w.bodies = senders

	// Default incoming registers, as the server would make them.
	ids := make([]int64, len(w.recipients))
	for i, u := range w.recipients {
		ids[i] = u.id
	}
	if _, err := pool.Exec(ctx, `
		INSERT INTO registers (unit_id, kind, name, preset, reset_period, per_type, confidential_series, is_default)
		SELECT u, 'incoming', 'Sổ văn bản đến', 'party', 'year', false, false, true FROM unnest($1::bigint[]) u
		ON CONFLICT DO NOTHING`, ids); err != nil {
		return nil, fmt.Errorf("registers: %w", err)
	}
	regs := map[int64]int64{}
	rows, _ := pool.Query(ctx, `SELECT unit_id, id FROM registers WHERE kind = 'incoming' AND is_default AND unit_id = ANY($1)`, ids)
	var unit, reg int64
	if _, err := pgx.ForEachRow(rows, []any{&unit, &reg}, func() error { regs[unit] = reg; return nil }); err != nil {
		return nil, err
	}
	for i := range w.recipients {
		w.recipients[i].register = regs[w.recipients[i].id]
		if w.recipients[i].register == 0 {
			return nil, fmt.Errorf("no default incoming register for unit %d", w.recipients[i].id)
		}
	}
	ws := make([]float64, len(docTypes))
	for i, t := range docTypes {
		ws[i] = t.weight
	}
	w.typeCum = cumulative(ws)
	return w, nil
}

// plan is when each document arrived, where, and its arrival number, in
// arrival order.
type plan struct {
	at     []int64 // unix seconds
	unit   []uint16
	number []int32
}

// makePlan spreads n arrivals over working days from 2 January 2024 to
// yesterday, a little more each year, 7:30–17:00 Vietnam time, and
// numbers them per register and year after the numbers taken already (the
// demo's own documents).
func makePlan(w *world, n int, now time.Time, taken map[registerYear]int32) plan {
	r := rand.New(rand.NewPCG(2026, 57))
	var days []time.Time
	var dw []float64
	for day := d(2024, 1, 2); day.Before(now.In(vnZone).Truncate(24 * time.Hour).Add(-24 * time.Hour)); day = day.AddDate(0, 0, 1) {
		wd := day.Weekday()
		if wd == time.Sunday {
			continue
		}
		weight := 1.0 + 0.1*float64(day.Year()-2024)
		if wd == time.Saturday {
			weight = 0.05
		}
		if wd == time.Monday {
			weight *= 1.2
		}
		days = append(days, day)
		dw = append(dw, weight)
	}
	dayCum := cumulative(dw)
	p := plan{at: make([]int64, n), unit: make([]uint16, n), number: make([]int32, n)}
	for i := range p.at {
		day := days[pick(r, dayCum)]
		sec := 7*3600 + 1800 + r.IntN(9*3600+1800)
		p.at[i] = day.Unix() + int64(sec)
	}
	slices.Sort(p.at)
	var pre, post []float64
	for _, u := range w.recipients {
		wPre, wPost := 0.0, 0.0
		if u.from.Before(w.merger) {
			wPre = u.weight
		}
		if u.to.After(w.merger) {
			wPost = u.weight
		}
		pre, post = append(pre, wPre), append(post, wPost)
	}
	preCum, postCum := cumulative(pre), cumulative(post)
	type key struct {
		unit uint16
		year int
	}
	counters := map[key]int32{}
	for i, at := range p.at {
		cum := postCum
		t := time.Unix(at, 0).In(vnZone)
		if t.Before(w.merger) {
			cum = preCum
		}
		u := uint16(pick(r, cum))
		k := key{u, t.Year()}
		if _, ok := counters[k]; !ok {
			counters[k] = taken[registerYear{w.recipients[u].register, strconv.Itoa(t.Year())}]
		}
		counters[k]++
		p.unit[i], p.number[i] = u, counters[k]
	}
	return p
}

// registerYear is a register's numbering period (a year).
type registerYear struct {
	register int64
	period   string
}

// docSource streams generated rows [i, end) of the plan to COPY.
type docSource struct {
	w      *world
	p      *plan
	i, end int
	now    time.Time
	row    []any
	err    error
}

func (s *docSource) Next() bool {
	if s.i >= s.end {
		return false
	}
	r := rand.New(rand.NewPCG(uint64(s.i), 0x7a6e))
	u := s.w.recipients[s.p.unit[s.i]]
	dr := s.w.generate(r, u, time.Unix(s.p.at[s.i], 0).UTC(), s.p.number[s.i], s.now)
	s.row = dr.values()
	s.i++
	return true
}
func (s *docSource) Values() ([]any, error) { return s.row, nil }
func (s *docSource) Err() error             { return s.err }

// seed loads cfg.docs documents: secondary indexes are dropped and built
// again after COPY (faster than maintaining them row by row), foreign keys
// are not re-checked for generated ids (session_replication_role), two
// COPY streams keep both cores busy.
func seed(ctx context.Context, pool *pgxpool.Pool, cfg *benchConfig) (seedState, error) {
	start := time.Now()
	now := time.Now()
	w, err := loadWorld(ctx, pool)
	if err != nil {
		return seedState{}, err
	}
	logf("seeding %d incoming documents over %d units of %s (2024 to today)…", cfg.docs, len(w.recipients), w.provinces[0].name)
	taken := map[registerYear]int32{}
	rows, _ := pool.Query(ctx, `SELECT register_id, number_period, max(arrival_number) FROM documents
		WHERE register_id IS NOT NULL AND arrival_number IS NOT NULL AND number_series = '' GROUP BY 1, 2`)
	var ry registerYear
	var last int32
	if _, err := pgx.ForEachRow(rows, []any{&ry.register, &ry.period, &last}, func() error {
		taken[ry] = last
		return nil
	}); err != nil {
		return seedState{}, fmt.Errorf("numbers taken: %w", err)
	}
	p := makePlan(w, cfg.docs, now, taken)

	type index struct{ Name, Def string }
	rows, _ = pool.Query(ctx, `
		SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
		WHERE x.indrelid IN ('documents'::regclass, 'assignments'::regclass, 'directions'::regclass)
		  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)`)
	indexes, err := pgx.CollectRows(rows, pgx.RowToStructByPos[index])
	if err != nil {
		return seedState{}, err
	}
	for _, ix := range indexes {
		if _, err := pool.Exec(ctx, "DROP INDEX "+pgx.Identifier{ix.Name}.Sanitize()); err != nil {
			return seedState{}, err
		}
	}
	var firstID int64
	if err := pool.QueryRow(ctx, `SELECT coalesce(max(id), 0) + 1 FROM documents`).Scan(&firstID); err != nil {
		return seedState{}, err
	}
	if _, err := pool.Exec(ctx, `INSERT INTO bench.loading VALUES (now())`); err != nil {
		return seedState{}, err
	}

	const chunk = 20000
	chunks := make(chan int)
	var done atomic.Int64
	var wg sync.WaitGroup
	errc := make(chan error, 2)
	tCopy := time.Now()
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn, err := pool.Acquire(ctx)
			if err != nil {
				errc <- err
				return
			}
			defer conn.Release()
			if _, err := conn.Exec(ctx, "SET session_replication_role = replica"); err != nil {
				errc <- err
				return
			}
			defer conn.Exec(context.WithoutCancel(ctx), "RESET session_replication_role")
			for c := range chunks {
				end := min(c+chunk, cfg.docs)
				src := &docSource{w: w, p: &p, i: c, end: end, now: now}
				if _, err := conn.CopyFrom(ctx, pgx.Identifier{"documents"}, copyColumns, src); err != nil {
					errc <- fmt.Errorf("copy documents %d–%d: %w", c, end, err)
					for range chunks {
					}
					return
				}
				n := done.Add(int64(end - c))
				if n/100000 != (n-int64(end-c))/100000 || n == int64(cfg.docs) {
					el := time.Since(tCopy)
					logf("  %7d documents copied (%s, %.0f rows/s)", n, el.Round(time.Second), float64(n)/el.Seconds())
				}
			}
		}()
	}
	for c := 0; c < cfg.docs; c += chunk {
		select {
		case chunks <- c:
		case err := <-errc:
			close(chunks)
			wg.Wait()
			return seedState{}, err
		}
	}
	close(chunks)
	wg.Wait()
	select {
	case err := <-errc:
		return seedState{}, err
	default:
	}
	copyTime := time.Since(tCopy)

	// Directions, assignments and outgoing documents for the dashboards,
	// also before the indexes and with triggers off.
	if err := func() error {
		conn, err := pool.Acquire(ctx)
		if err != nil {
			return err
		}
		defer conn.Release()
		if _, err := conn.Exec(ctx, "SET session_replication_role = replica"); err != nil {
			return err
		}
		defer conn.Exec(context.WithoutCancel(ctx), "RESET session_replication_role")
		return seedHandling(ctx, conn, w, cfg.docs, now)
	}(); err != nil {
		return seedState{}, err
	}

	// Indexes, longest first, two at a time.
	tIdx := time.Now()
	sort.SliceStable(indexes, func(i, j int) bool {
		return strings.Contains(indexes[i].Def, "gin") && !strings.Contains(indexes[j].Def, "gin")
	})
	jobs := make(chan index)
	var iwg sync.WaitGroup
	ierr := make(chan error, len(indexes))
	for range 2 {
		iwg.Add(1)
		go func() {
			defer iwg.Done()
			for ix := range jobs {
				t := time.Now()
				if _, err := pool.Exec(ctx, ix.Def); err != nil {
					ierr <- fmt.Errorf("%s: %w", ix.Def, err)
					continue
				}
				logf("  index %s built in %s", ix.Name, time.Since(t).Round(100*time.Millisecond))
			}
		}()
	}
	for _, ix := range indexes {
		jobs <- ix
	}
	close(jobs)
	iwg.Wait()
	close(ierr)
	for err := range ierr {
		return seedState{}, err
	}
	idxTime := time.Since(tIdx)

	tFin := time.Now()
	if err := resetCounters(ctx, pool); err != nil {
		return seedState{}, err
	}
	if err := rebuildDashboards(ctx, pool); err != nil {
		return seedState{}, err
	}
	if _, err := pool.Exec(ctx, `INSERT INTO organisations (name)
		SELECT DISTINCT organ_name FROM documents WHERE organ_unit_id IS NULL ON CONFLICT DO NOTHING`); err != nil {
		return seedState{}, fmt.Errorf("organisations: %w", err)
	}
	for _, q := range []string{"VACUUM (ANALYZE) documents", "VACUUM (ANALYZE) assignments", "ANALYZE", "CHECKPOINT"} {
		if _, err := pool.Exec(ctx, q); err != nil {
			return seedState{}, fmt.Errorf("%s: %w", q, err)
		}
	}
	st := seedState{Docs: int64(cfg.docs), FirstID: firstID, LoadedAt: time.Now()}
	if st.SchemaHash, err = schemaHash(); err != nil {
		return st, err
	}
	if err := pool.QueryRow(ctx, `SELECT coalesce(max(id), 0) FROM documents`).Scan(&st.MaxID); err != nil {
		return st, err
	}
	st.LoadSeconds = time.Since(start).Seconds()
	if _, err := pool.Exec(ctx, `DELETE FROM bench.state`); err != nil {
		return st, err
	}
	if _, err := pool.Exec(ctx, `INSERT INTO bench.state (docs, first_id, max_id, load_seconds, loaded_at, schema_hash) VALUES ($1, $2, $3, $4, $5, $6)`,
		st.Docs, st.FirstID, st.MaxID, st.LoadSeconds, st.LoadedAt, st.SchemaHash); err != nil {
		return st, err
	}
	if _, err := pool.Exec(ctx, `DELETE FROM bench.loading`); err != nil {
		return st, err
	}
	var size string
	_ = pool.QueryRow(ctx, `SELECT pg_size_pretty(pg_total_relation_size('documents'))`).Scan(&size)
	logf("seeded %d documents in %s (COPY %s, indexes %s, counters+VACUUM ANALYZE %s); documents table with indexes: %s",
		cfg.docs, time.Since(start).Round(time.Second), copyTime.Round(time.Second), idxTime.Round(time.Second),
		time.Since(tFin).Round(time.Second), size)
	return st, nil
}
