// Command vanthu-bench is the load benchmark behind `make bench`: it seeds
// a database with 1,000,000 incoming documents of a provincial Party
// committee (kept between runs), starts `vanthu serve` as a child process,
// and measures over HTTP the registry list with a filter, a search typed
// without diacritics, the document page and registration with a 200 KB PDF
// at 1, 8 and 32 concurrent clients, and the server's peak RSS. It prints a
// table and writes it as JSON.
//
// deploy/local/bench.sh starts PostgreSQL and versitygw and passes them in
// VANTHU_BENCH_* variables; run it through `make bench`.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

type benchConfig struct {
	dbURL, adminURL, dbName string
	s3Endpoint, s3Access    string
	s3Secret                string
	vanthu                  string
	dir                     string
	out                     string

	docs      int
	reseed    bool
	seedOnly  bool
	requests  int
	warmup    int
	regPlan   []regStep
	explain   string // auto, always, never
	listQuery string
	search    string
	extra     bool   // also measure the clerks' lists and a broad search
	broad     string // the broad search
	serverDB  string // extra query parameters for the server's database URL
}

type regStep struct{ clients, requests int }

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "\033[1;34m[bench]\033[0m "+format+"\n", args...)
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "vanthu-bench:", err)
		os.Exit(1)
	}
}

func envInt(name string, def int) int {
	if v := os.Getenv(name); v != "" {
		if n, err := strconv.Atoi(strings.ReplaceAll(v, "_", "")); err == nil {
			return n
		}
	}
	return def
}

func run(ctx context.Context, args []string) error {
	cfg := &benchConfig{
		dbURL:      os.Getenv("VANTHU_BENCH_DATABASE_URL"),
		adminURL:   os.Getenv("VANTHU_BENCH_ADMIN_URL"),
		s3Endpoint: os.Getenv("VANTHU_BENCH_S3_ENDPOINT"),
		s3Access:   os.Getenv("VANTHU_BENCH_S3_ACCESS_KEY"),
		s3Secret:   os.Getenv("VANTHU_BENCH_S3_SECRET_KEY"),
		vanthu:     os.Getenv("VANTHU_BENCH_VANTHU"),
		dir:        os.Getenv("VANTHU_BENCH_DIR"),
	}
	fs := flag.NewFlagSet("vanthu-bench", flag.ContinueOnError)
	fs.IntVar(&cfg.docs, "docs", envInt("BENCH_DOCS", 1_000_000), "incoming documents to seed (env BENCH_DOCS)")
	fs.BoolVar(&cfg.reseed, "reseed", os.Getenv("BENCH_RESEED") == "1", "drop the bench database and seed again (env BENCH_RESEED=1)")
	fs.BoolVar(&cfg.seedOnly, "seed-only", false, "seed (or check the seed) and stop")
	fs.IntVar(&cfg.requests, "requests", 200, "measured requests per read scenario")
	fs.IntVar(&cfg.warmup, "warmup", 20, "warm-up requests per read scenario")
	reg := fs.String("register", "1:100,8:400,32:640", "registration runs as clients:requests,…")
	fs.StringVar(&cfg.explain, "explain", "auto", "EXPLAIN (ANALYZE, BUFFERS) the read queries: auto (when a target is missed), always, never")
	fs.StringVar(&cfg.listQuery, "list", "status=04", "query string of the filtered list")
	fs.StringVar(&cfg.search, "q", "ke hoach chuyen doi so", "search typed without diacritics")
	fs.BoolVar(&cfg.extra, "extra", true, "also measure, without targets, the registry list of a commune clerk and of the province clerk, and a broad search")
	fs.StringVar(&cfg.broad, "broad", "chuyen doi so", "the broad search of -extra")
	fs.StringVar(&cfg.serverDB, "server-db-params", "", "query parameters added to the server's database URL, e.g. pool_max_conns=16")
	fs.StringVar(&cfg.out, "out", "", "JSON results file (default $VANTHU_BENCH_DIR/results.json)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	for _, s := range strings.Split(*reg, ",") {
		c, n, ok := strings.Cut(strings.TrimSpace(s), ":")
		ci, err1 := strconv.Atoi(c)
		ni, err2 := strconv.Atoi(n)
		if !ok || err1 != nil || err2 != nil || ci < 1 || ni < 1 || ci > 256 || ni > 100000 {
			return fmt.Errorf("-register: %q is not clients:requests", s)
		}
		cfg.regPlan = append(cfg.regPlan, regStep{ci, ni})
	}
	if cfg.docs < 1000 || cfg.docs > 20_000_000 {
		return fmt.Errorf("-docs %d: between 1000 and 20,000,000", cfg.docs)
	}
	if cfg.requests < 1 || cfg.requests > 100000 || cfg.warmup < 0 || cfg.warmup > 10000 {
		return errors.New("-requests 1..100000, -warmup 0..10000")
	}
	if cfg.dbURL == "" || cfg.adminURL == "" || cfg.s3Endpoint == "" || cfg.vanthu == "" {
		return errors.New("VANTHU_BENCH_DATABASE_URL, VANTHU_BENCH_ADMIN_URL, VANTHU_BENCH_S3_ENDPOINT and VANTHU_BENCH_VANTHU must be set: run it with `make bench`")
	}
	u, err := url.Parse(cfg.dbURL)
	if err != nil || strings.Trim(u.Path, "/") == "" {
		return fmt.Errorf("VANTHU_BENCH_DATABASE_URL has no database name")
	}
	cfg.dbName = strings.Trim(u.Path, "/")
	if cfg.dir == "" {
		cfg.dir = ".local/bench"
	}
	if err := os.MkdirAll(cfg.dir, 0o755); err != nil {
		return err
	}
	if cfg.out == "" {
		cfg.out = filepath.Join(cfg.dir, "results.json")
	}

	st, err := prepareDatabase(ctx, cfg)
	if err != nil {
		return err
	}
	if cfg.seedOnly {
		return nil
	}
	return measure(ctx, cfg, st)
}
