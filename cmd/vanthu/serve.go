package main

import (
	"context"
	"fmt"

	"vanthu/internal/config"
	"vanthu/internal/server"
)

func cmdServe(ctx context.Context, a *app, args []string) error {
	fs := a.flags("serve", "vanthu serve")
	if err := parse(fs, args); err != nil {
		return helpOK(err)
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	cfg, err := a.config()
	if err != nil {
		return err
	}
	log := a.logger()
	log.Info("starting vanthu", "version", version, "config", config.Masked(a.getenv))

	pool, err := a.db(ctx)
	if err != nil {
		return err
	}
	defer a.close()
	m, err := a.migrator(ctx)
	if err != nil {
		return err
	}
	if cfg.AutoMigrate {
		err = m.Up()
	} else {
		err = m.CheckCurrent()
	}
	m.Close()
	if err != nil {
		return err
	}
	store, err := a.objectStore(ctx)
	if err != nil {
		return err
	}
	srv := server.New(server.Deps{Log: log, Config: cfg, DB: pool, Store: store, Version: version})
	if err := srv.Serve(ctx, cfg.HTTPAddr); err != nil {
		return fmt.Errorf("http server: %w", err)
	}
	return nil
}
