package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"vanthu/internal/access"
	"vanthu/internal/documents"
	"vanthu/internal/identity"
	"vanthu/internal/registry"
)

func runtimeCPUs() int { return runtime.NumCPU() }

// capture records the statements a pool runs, so the plans we print are
// those of the very SQL the server's documents package builds.
type capture struct {
	mu    sync.Mutex
	stmts []captured
}

type captured struct {
	sql  string
	args []any
}

func (c *capture) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	c.mu.Lock()
	c.stmts = append(c.stmts, captured{d.SQL, d.Args})
	c.mu.Unlock()
	return ctx
}
func (c *capture) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (c *capture) take() []captured {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.stmts
	c.stmts = nil
	return s
}

// literal renders a parameter for EXECUTE … (…) as a quoted literal the
// prepared statement's parameter type parses.
func literal(v any) string {
	var s string
	switch x := v.(type) {
	case nil:
		return "NULL"
	case string:
		s = x
	case time.Time:
		s = x.Format(time.RFC3339Nano)
	case []int64:
		parts := make([]string, len(x))
		for i, n := range x {
			parts[i] = fmt.Sprint(n)
		}
		s = "{" + strings.Join(parts, ",") + "}"
	case fmt.Stringer:
		s = x.String()
	default:
		s = fmt.Sprint(x)
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// explainReads prints EXPLAIN (ANALYZE, BUFFERS) of the list, the search
// and the document read as the leader, with a custom plan (what the first
// five executions of a prepared statement get) and the generic plan
// (what PostgreSQL may switch to after that, as pgx prepares statements).
func explainReads(ctx context.Context, cfg *benchConfig, st seedState, listValues url.Values, docID int64, path string) error {
	capt := &capture{}
	pc, err := pgxpool.ParseConfig(cfg.dbURL)
	if err != nil {
		return err
	}
	pc.MaxConns = 2
	pc.ConnConfig.RuntimeParams["timezone"] = "UTC"
	pc.ConnConfig.Tracer = capt
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return err
	}
	defer pool.Close()
	users := identity.NewStore(pool)
	subject := func(login string) (access.Subject, error) {
		u, err := users.GetByLogin(ctx, login)
		if err != nil {
			return access.Subject{}, fmt.Errorf("%s: %w", login, err)
		}
		ms, err := users.Memberships(ctx, u.ID)
		if err != nil {
			return access.Subject{}, err
		}
		return access.Load(ctx, pool, u, ms, 0)
	}
	leader, err := subject("bithu.tinh")
	if err != nil {
		return err
	}
	svc := documents.NewService(pool, nil, registry.NewStore(pool), "party", false)

	var out strings.Builder
	fmt.Fprintf(&out, "Plans of the benchmark's read queries, %d documents, %s\n\n", st.Docs, time.Now().Format(time.RFC3339))
	listFilter := documents.Filter{Status: listValues.Get("status"), TypeName: listValues.Get("type_name"), Priority: listValues.Get("priority"), Q: listValues.Get("q")}
	type explainCase struct {
		name string
		run  func() error
	}
	list := func(sub access.Subject, f documents.Filter) func() error {
		return func() error { _, err := svc.List(ctx, sub, f); return err }
	}
	cases := []explainCase{
		{fmt.Sprintf("list ?%s as bithu.tinh (%d units in scope)", listValues.Encode(), len(leader.ViewUnits())), list(leader, listFilter)},
		{"search ?q=" + cfg.search + " as bithu.tinh", list(leader, documents.Filter{Q: cfg.search})},
		{fmt.Sprintf("document %d as bithu.tinh", docID), func() error { _, err := svc.Get(ctx, leader, docID); return err }},
	}
	if cfg.extra {
		for _, login := range []string{"vanthu.xa1", "vanthu.tinh"} {
			sub, err := subject(login)
			if err != nil {
				return err
			}
			cases = append(cases, explainCase{fmt.Sprintf("list (no filter) as %s (%d units in scope)", login, len(sub.ViewUnits())), list(sub, documents.Filter{})})
		}
		cases = append(cases, explainCase{"search ?q=" + cfg.broad + " as bithu.tinh", list(leader, documents.Filter{Q: cfg.broad})})
	}
	for _, c := range cases {
		capt.take()
		if err := c.run(); err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
		stmts := capt.take()
		if len(stmts) == 0 {
			return fmt.Errorf("%s: no statement captured", c.name)
		}
		q := stmts[len(stmts)-1]
		fmt.Fprintf(&out, "=== %s\n%s\n-- args: %v\n\n", c.name, strings.TrimSpace(q.sql), q.args)
		plan, err := explainCustom(ctx, pool, q)
		if err != nil {
			return err
		}
		fmt.Fprintf(&out, "--- custom plan (parameters known)\n%s\n", plan)
		plan, err = explainGeneric(ctx, pool, q)
		if err != nil {
			return err
		}
		fmt.Fprintf(&out, "--- generic plan (plan_cache_mode = force_generic_plan)\n%s\n", plan)
	}
	capt.take()
	if err := os.WriteFile(path, []byte(abbreviate(out.String())), 0o644); err != nil {
		return err
	}
	logf("query plans written to %s", path)
	return nil
}

// longIDs are the unit lists of the access predicate: a hundred ids make
// a plan unreadable.
var longIDs = regexp.MustCompile(`\{(\d+,){9,}\d+\}|\[(\d+ ){9,}\d+\]`)

func abbreviate(s string) string {
	return longIDs.ReplaceAllStringFunc(s, func(m string) string {
		n := strings.Count(m, ",") + strings.Count(m, " ") + 1
		return fmt.Sprintf("%c…%d ids…%c", m[0], n, m[len(m)-1])
	})
}

func collectPlan(rows pgx.Rows) (string, error) {
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return strings.Join(lines, "\n") + "\n", err
}

func explainCustom(ctx context.Context, pool *pgxpool.Pool, q captured) (string, error) {
	rows, err := pool.Query(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+q.sql, q.args...)
	if err != nil {
		return "", err
	}
	return collectPlan(rows)
}

func explainGeneric(ctx context.Context, pool *pgxpool.Pool, q captured) (string, error) {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Release()
	c := conn.Conn()
	if _, err := c.Exec(ctx, "SET plan_cache_mode = force_generic_plan"); err != nil {
		return "", err
	}
	defer c.Exec(context.WithoutCancel(ctx), "RESET plan_cache_mode")
	if _, err := c.Exec(ctx, "PREPARE bench_explain AS "+q.sql, pgx.QueryExecModeSimpleProtocol); err != nil {
		return "", fmt.Errorf("prepare: %w", err)
	}
	defer c.Exec(context.WithoutCancel(ctx), "DEALLOCATE bench_explain", pgx.QueryExecModeSimpleProtocol)
	lits := make([]string, len(q.args))
	for i, a := range q.args {
		lits[i] = literal(a)
	}
	rows, err := c.Query(ctx, "EXPLAIN (ANALYZE, BUFFERS) EXECUTE bench_explain("+strings.Join(lits, ", ")+")", pgx.QueryExecModeSimpleProtocol)
	if err != nil {
		return "", err
	}
	return collectPlan(rows)
}
