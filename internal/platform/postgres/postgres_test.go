package postgres_test

import (
	"context"
	"errors"
	"io/fs"
	"testing"

	"vanthu/internal/platform/postgres"
	"vanthu/internal/platform/postgres/pgtest"
	"vanthu/migrations"
)

func TestMigrationsUpDownAndCurrent(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	m, err := postgres.NewMigrator(pool)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	latest, err := postgres.LatestVersion()
	if err != nil || latest == 0 {
		t.Fatalf("latest version = %d, %v", latest, err)
	}
	if v, dirty, err := m.Version(); err != nil || dirty || v != latest {
		t.Fatalf("template database at %d dirty=%v err=%v, want %d", v, dirty, err, latest)
	}
	if err := m.CheckCurrent(); err != nil {
		t.Fatalf("CheckCurrent on a current schema: %v", err)
	}
	// Every down migration must work, and up must rebuild the same schema.
	// Numbers are handed out per branch and may skip, so count the files.
	ups, err := fs.Glob(migrations.FS, "*.up.sql")
	if err != nil || len(ups) == 0 {
		t.Fatalf("migrations: %v %v", ups, err)
	}
	if err := m.Down(len(ups)); err != nil {
		t.Fatalf("down: %v", err)
	}
	if err := m.CheckCurrent(); !errors.Is(err, postgres.ErrSchemaBehind) {
		t.Fatalf("CheckCurrent on an empty schema = %v, want ErrSchemaBehind", err)
	}
	if err := m.Up(); err != nil {
		t.Fatalf("up again: %v", err)
	}
	if err := m.Up(); err != nil {
		t.Fatalf("up with nothing to do must succeed: %v", err)
	}
	var folded string
	if err := pool.QueryRow(ctx, "SELECT vn_fold('Đảng ủy xã Ba Chẽ')").Scan(&folded); err != nil {
		t.Fatal(err)
	}
	if folded != "dang uy xa ba che" {
		t.Fatalf("vn_fold = %q", folded)
	}
}

func TestUniqueViolationIsRecognised(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	if _, err := pool.Exec(ctx, "CREATE TABLE t (id int CONSTRAINT t_pk PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, "INSERT INTO t VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	_, err := pool.Exec(ctx, "INSERT INTO t VALUES (1)")
	if !postgres.IsUniqueViolation(err, "t_pk") || !postgres.IsUniqueViolation(err, "") {
		t.Fatalf("unique violation not recognised: %v", err)
	}
	if postgres.IsUniqueViolation(err, "other") || postgres.IsForeignKeyViolation(err, "") {
		t.Fatalf("wrong constraint or code matched: %v", err)
	}
}
