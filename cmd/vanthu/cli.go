package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"

	"vanthu/internal/config"
	"vanthu/internal/platform/objectstore"
	"vanthu/internal/platform/postgres"
)

// errUsage marks bad arguments; main exits 2 for them.
var errUsage = errors.New("usage error")

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// command is one subcommand; either run or sub is set.
type command struct {
	summary string
	run     func(ctx context.Context, a *app, args []string) error
	sub     map[string]command
}

// app carries the process's streams and lazily opened resources.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string

	cfg  *config.Config
	log  *slog.Logger
	pool *pgxpool.Pool
}

func commands() map[string]command {
	return map[string]command{
		"serve":   {summary: "run the web server", run: cmdServe},
		"migrate": {summary: "apply or revert database migrations", sub: migrateCommands()},
		"audit":   {summary: "verify the audit log", sub: auditCommands()},
		"version": {summary: "print the version", run: cmdVersion},
		"seed":    {summary: "seed data: 'seed --demo', 'seed units' or 'seed calendar'", run: cmdSeed},
		"user":    {summary: "manage users", sub: userCommands()},
		"token":   {summary: "manage API tokens", sub: tokenCommands()},
	}
}

func (a *app) dispatch(ctx context.Context, cmds map[string]command, args []string, path string) error {
	if len(args) == 0 || isHelp(args[0]) {
		a.usage(cmds, path)
		if len(args) == 0 {
			return fmt.Errorf("%w: %s needs a command", errUsage, path)
		}
		return nil
	}
	c, ok := cmds[args[0]]
	if !ok {
		a.usage(cmds, path)
		return fmt.Errorf("%w: unknown command %q for %s", errUsage, args[0], path)
	}
	if c.sub != nil {
		return a.dispatch(ctx, c.sub, args[1:], path+" "+args[0])
	}
	return c.run(ctx, a, args[1:])
}

func (a *app) usage(cmds map[string]command, path string) {
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintf(a.stderr, "Usage: %s <command> [flags]\n\nCommands:\n", path)
	for _, n := range names {
		fmt.Fprintf(a.stderr, "  %-10s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintf(a.stderr, "\nRun '%s <command> --help' for a command's flags. Settings come from VANTHU_* environment variables (see README).\n", path)
}

func isHelp(s string) bool { return s == "-h" || s == "--help" || s == "help" }

// flags makes a flag set that reports errors instead of exiting.
func (a *app) flags(name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	fs.Usage = func() {
		fmt.Fprintf(a.stderr, "Usage: %s\n", usage)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags; --help succeeds with errHelp so the caller returns nil.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelp
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	return nil
}

var errHelp = errors.New("help shown")

// helpOK turns errHelp into success.
func helpOK(err error) error {
	if errors.Is(err, errHelp) {
		return nil
	}
	return err
}

func (a *app) config() (config.Config, error) {
	if a.cfg != nil {
		return *a.cfg, nil
	}
	c, err := config.Load(a.getenv)
	if err != nil {
		return c, fmt.Errorf("invalid configuration:\n%w", err)
	}
	a.cfg = &c
	return c, nil
}

func (a *app) logger() *slog.Logger {
	if a.log != nil {
		return a.log
	}
	cfg, _ := a.config()
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewTextHandler(a.stderr, opts)
	if cfg.LogFormat == "json" {
		h = slog.NewJSONHandler(a.stderr, opts)
	}
	a.log = slog.New(h)
	return a.log
}

func (a *app) db(ctx context.Context) (*pgxpool.Pool, error) {
	if a.pool != nil {
		return a.pool, nil
	}
	cfg, err := a.config()
	if err != nil {
		return nil, err
	}
	pool, err := postgres.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	a.pool = pool
	return pool, nil
}

func (a *app) close() {
	if a.pool != nil {
		a.pool.Close()
	}
}

// objectStoreClient builds the store client; it does not contact the store.
func (a *app) objectStoreClient() (*objectstore.Store, error) {
	cfg, err := a.config()
	if err != nil {
		return nil, err
	}
	return objectstore.New(objectstore.Config{
		Endpoint: cfg.S3Endpoint, UseTLS: cfg.S3UseTLS, Region: cfg.S3Region, Bucket: cfg.S3Bucket,
		AccessKey: cfg.S3AccessKey, SecretKey: cfg.S3SecretKey,
	})
}

// noArgs rejects stray positional arguments.
func noArgs(fs *flag.FlagSet) error {
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, strings.Join(fs.Args(), " "))
	}
	return nil
}

func cmdVersion(ctx context.Context, a *app, args []string) error {
	fs := a.flags("version", "vanthu version")
	if err := parse(fs, args); err != nil {
		return helpOK(err)
	}
	fmt.Fprintln(a.stdout, "vanthu", version)
	return nil
}
