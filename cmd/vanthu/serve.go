package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"vanthu/internal/audit"
	"vanthu/internal/calendar"
	"vanthu/internal/config"
	"vanthu/internal/documents"
	"vanthu/internal/identity"
	"vanthu/internal/notify"
	"vanthu/internal/platform/mail"
	"vanthu/internal/platform/objectstore"
	"vanthu/internal/registry"
	"vanthu/internal/reports"
	"vanthu/internal/routing"
	"vanthu/internal/server"
	"vanthu/internal/signature"
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
	sigs, err := loadSignatures(cfg, log)
	if err != nil {
		return err
	}

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
	store, err := a.objectStoreClient()
	if err != nil {
		return err
	}
	// An object store that is down at start must not stop the server from
	// starting: /readyz reports it and the bucket is made once it answers.
	go ensureBucket(ctx, store, log)
	// Background upkeep; every replica runs it, and each task is safe to
	// run concurrently.
	go audit.New(pool).RunMaintenance(ctx, 6*time.Hour, log)
	go purgeSessions(ctx, identity.NewStore(pool), identity.SessionPolicy{Idle: cfg.SessionIdleTimeout, Absolute: cfg.SessionAbsoluteTimeout}, log)
	docs := documents.NewService(pool, store, registry.NewStore(pool), cfg.NumberingProfile, cfg.IsolatedSystem)
	go routing.New(pool, docs, calendar.New(pool)).RunReminders(ctx, 15*time.Minute, log)
	// Near-due and overdue tasks escalate to their assigners (each once).
	go server.NewTaskService(server.Deps{Log: log, Config: cfg, DB: pool, Store: store}).RunEscalations(ctx, 15*time.Minute, log)
	// Report periods open on schedule (each template locked while it opens).
	go reports.New(pool, store, calendar.New(pool)).RunSchedule(ctx, time.Hour, log)
	// Every notification also goes by e-mail, once, through the outbox.
	// Without SMTP notifications stay unmailed; switching it on later
	// mails only recent ones (notify.DefaultMaxAge).
	if cfg.SMTPAddr != "" {
		outbox := notify.NewOutbox(pool, mail.New(mail.Config{Addr: cfg.SMTPAddr, From: cfg.SMTPFrom,
			Username: cfg.SMTPUsername, Password: cfg.SMTPPassword, StartTLS: cfg.SMTPUsername != ""}), cfg.BaseURL)
		outbox.Log = log
		go outbox.Run(ctx, 30*time.Second)
	} else {
		log.Info("e-mail off: VANTHU_SMTP_ADDR is not set, notifications stay in-app")
	}

	srv := server.New(server.Deps{Log: log, Config: cfg, DB: pool, Store: store, Version: version, Signatures: sigs})
	if err := srv.Serve(ctx, cfg.HTTPAddr); err != nil {
		return fmt.Errorf("http server: %w", err)
	}
	return nil
}

// purgeSessions deletes expired sessions every ten minutes until ctx ends.
func purgeSessions(ctx context.Context, users *identity.Store, pol identity.SessionPolicy, log *slog.Logger) {
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		if _, err := users.PurgeExpiredSessions(ctx, pol); err != nil && ctx.Err() == nil {
			log.Warn("purge expired sessions", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// ensureBucket creates the bucket, retrying every few seconds until the
// object store answers or ctx ends.
func ensureBucket(ctx context.Context, store *objectstore.Store, log *slog.Logger) {
	delay := time.Second
	for {
		err := store.EnsureBucket(ctx)
		if err == nil {
			log.Info("object store ready", "bucket", store.Bucket())
			return
		}
		if ctx.Err() != nil {
			return
		}
		log.Warn("object store not ready; retrying", "err", err, "retry_in", delay.String())
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
		delay = min(delay*2, 30*time.Second)
	}
}

// loadSignatures reads the trusted roots and the agency certificate once;
// an unreadable file or a wrong password stops the start with a clear error.
func loadSignatures(cfg config.Config, log *slog.Logger) (*signature.Setup, error) {
	sigs, err := signature.LoadSetup(cfg.SignatureTrustRootsFile, cfg.AgencyP12File, cfg.AgencyP12Password)
	if err != nil {
		return nil, err
	}
	agency := ""
	if c := sigs.AgencyCertificate(); c != nil {
		agency = c.Subject.String()
	}
	log.Info("signatures", "trusted_roots", sigs.RootSubjects(), "agency_certificate", agency)
	for _, w := range sigs.Warnings(time.Now()) {
		log.Warn("signatures: " + w)
	}
	return sigs, nil
}
