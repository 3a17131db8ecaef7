package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"vanthu/internal/audit"
	"vanthu/internal/platform/postgres"
	"vanthu/internal/platform/postgres/pgtest"
)

func TestAuditVerify(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	getenv := func(k string) string {
		if k == "VANTHU_DATABASE_URL" {
			return url
		}
		return ""
	}
	pool, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	for i := range 7 {
		err := audit.Record(ctx, pool, audit.Entry{ActorLogin: "clerk", Action: "document.view",
			Outcome: audit.OutcomeSuccess, ObjectType: "document", ObjectID: fmt.Sprint(i)})
		if err != nil {
			t.Fatal(err)
		}
	}

	var stdout, stderr bytes.Buffer
	if err := run(ctx, []string{"audit", "verify"}, nil, &stdout, &stderr, getenv); err != nil {
		t.Fatalf("verify an intact log: %v\n%s", err, stderr.String())
	}
	if got := stdout.String(); got != "audit log intact: 7 entries checked\n" {
		t.Fatalf("stdout = %q", got)
	}

	var victim int64
	err = postgres.InTx(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SET LOCAL session_replication_role = replica"); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `UPDATE audit_log SET object_id = 'other'
			WHERE id = (SELECT id FROM audit_log ORDER BY id OFFSET 3 LIMIT 1) RETURNING id`).Scan(&victim)
	})
	if err != nil {
		t.Fatal(err)
	}
	stdout.Reset()
	err = run(ctx, []string{"audit", "verify"}, nil, &stdout, &stderr, getenv)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprint(victim)) {
		t.Fatalf("verify a tampered log: err = %v, want one naming entry %d", err, victim)
	}
	if !strings.Contains(stdout.String(), fmt.Sprintf("entry %d: hash does not match its contents", victim)) {
		t.Fatalf("stdout = %q", stdout.String())
	}

	if err := run(ctx, []string{"audit", "verify", "extra"}, nil, &stdout, &stderr, getenv); err == nil {
		t.Fatal("stray argument accepted")
	}
}
