package audit_test

import (
	"context"
	"testing"

	"vanthu/internal/platform/postgres/pgtest"
)

// Rows that reached the default partition because maintenance had not run
// are moved into their month's partition when it is created, instead of
// making its creation fail forever.
func TestEnsurePartitionMovesRowsOutOfDefault(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	_, err := pool.Exec(ctx, `
		INSERT INTO audit_log (id, at, action, outcome, prev_hash, hash)
		VALUES (nextval('audit_log_id_seq'), '2033-03-15 10:00:00+00', 'test.stray', 'success', '\x', '\x')`)
	if err != nil {
		t.Fatal(err)
	}
	var inDefault int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM audit_log_default`).Scan(&inDefault); err != nil || inDefault != 1 {
		t.Fatalf("row in default partition = %d, %v", inDefault, err)
	}
	if _, err := pool.Exec(ctx, `SELECT audit_ensure_partition(DATE '2033-03-01')`); err != nil {
		t.Fatalf("create partition over a populated default: %v", err)
	}
	var moved, left int
	if err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM audit_log_2033_03), (SELECT count(*) FROM audit_log_default)`).Scan(&moved, &left); err != nil {
		t.Fatal(err)
	}
	if moved != 1 || left != 0 {
		t.Fatalf("after creating the partition: %d in it, %d left in default", moved, left)
	}
	// The maintenance switch was local to that call: deletes are refused again.
	if _, err := pool.Exec(ctx, `DELETE FROM audit_log WHERE action = 'test.stray'`); err == nil {
		t.Fatal("delete from audit_log was allowed after maintenance")
	}
	if _, err := pool.Exec(ctx, `TRUNCATE audit_log`); err == nil {
		t.Fatal("truncate of audit_log was allowed")
	}
}
