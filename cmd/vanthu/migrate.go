package main

import (
	"context"
	"fmt"
	"strconv"

	"vanthu/internal/platform/postgres"
)

func migrateCommands() map[string]command {
	return map[string]command{
		"up":      {summary: "apply every pending migration", run: cmdMigrateUp},
		"down":    {summary: "revert the last N migrations: migrate down N", run: cmdMigrateDown},
		"version": {summary: "print the applied schema version", run: cmdMigrateVersion},
	}
}

func (a *app) migrator(ctx context.Context) (*postgres.Migrator, error) {
	pool, err := a.db(ctx)
	if err != nil {
		return nil, err
	}
	return postgres.NewMigrator(pool)
}

func cmdMigrateUp(ctx context.Context, a *app, args []string) error {
	fs := a.flags("migrate up", "vanthu migrate up")
	if err := parse(fs, args); err != nil {
		return helpOK(err)
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	defer a.close()
	m, err := a.migrator(ctx)
	if err != nil {
		return err
	}
	defer m.Close()
	if err := m.Up(); err != nil {
		return err
	}
	v, _, err := m.Version()
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "schema at version %d\n", v)
	return nil
}

func cmdMigrateDown(ctx context.Context, a *app, args []string) error {
	fs := a.flags("migrate down", "vanthu migrate down N")
	if err := parse(fs, args); err != nil {
		return helpOK(err)
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: migrate down needs the number of steps, e.g. 'vanthu migrate down 1'", errUsage)
	}
	n, err := strconv.Atoi(fs.Arg(0))
	if err != nil || n <= 0 {
		return fmt.Errorf("%w: %q is not a positive number of steps", errUsage, fs.Arg(0))
	}
	defer a.close()
	m, err := a.migrator(ctx)
	if err != nil {
		return err
	}
	defer m.Close()
	if err := m.Down(n); err != nil {
		return err
	}
	v, _, err := m.Version()
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "schema at version %d\n", v)
	return nil
}

func cmdMigrateVersion(ctx context.Context, a *app, args []string) error {
	fs := a.flags("migrate version", "vanthu migrate version")
	if err := parse(fs, args); err != nil {
		return helpOK(err)
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	defer a.close()
	m, err := a.migrator(ctx)
	if err != nil {
		return err
	}
	defer m.Close()
	v, dirty, err := m.Version()
	if err != nil {
		return err
	}
	latest, _ := postgres.LatestVersion()
	state := ""
	if dirty {
		state = " (dirty: a migration failed half-way)"
	}
	fmt.Fprintf(a.stdout, "%d%s; this binary's latest is %d\n", v, state, latest)
	return nil
}
