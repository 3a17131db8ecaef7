package postgres

import (
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"strconv"

	"github.com/golang-migrate/migrate/v4"
	migratepgx "github.com/golang-migrate/migrate/v4/database/pgx/v5"
	"github.com/golang-migrate/migrate/v4/source/iofs"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"vanthu/migrations"
)

// ErrSchemaBehind means the database has not been migrated to the schema
// this binary was built with.
var ErrSchemaBehind = errors.New("database schema is older than this binary")

// Migrator applies the embedded migrations. The pgx driver takes an advisory
// lock, so replicas starting together do not race.
type Migrator struct {
	m *migrate.Migrate
}

// NewMigrator prepares a migrator over the pool.
func NewMigrator(pool *pgxpool.Pool) (*Migrator, error) {
	src, err := iofs.New(migrations.FS, ".")
	if err != nil {
		return nil, fmt.Errorf("read embedded migrations: %w", err)
	}
	db := stdlib.OpenDBFromPool(pool)
	driver, err := migratepgx.WithInstance(db, &migratepgx.Config{})
	if err != nil {
		return nil, fmt.Errorf("migration driver: %w", err)
	}
	m, err := migrate.NewWithInstance("iofs", src, "pgx5", driver)
	if err != nil {
		return nil, fmt.Errorf("migrator: %w", err)
	}
	return &Migrator{m: m}, nil
}

// Close releases the connection the migrator holds; the pool stays open.
func (mg *Migrator) Close() error {
	srcErr, dbErr := mg.m.Close()
	return errors.Join(srcErr, dbErr)
}

// Up applies every pending migration; nothing to do is success.
func (mg *Migrator) Up() error {
	if err := mg.m.Up(); err != nil && !errors.Is(err, migrate.ErrNoChange) {
		return fmt.Errorf("migrate up: %w", err)
	}
	return nil
}

// Down reverts the last n migrations.
func (mg *Migrator) Down(n int) error {
	if n <= 0 {
		return errors.New("migrate down needs a positive number of steps")
	}
	if err := mg.m.Steps(-n); err != nil && !errors.Is(err, migrate.ErrNoChange) {
		return fmt.Errorf("migrate down: %w", err)
	}
	return nil
}

// Version reports the applied version (0 when none) and whether the last
// migration failed half-way.
func (mg *Migrator) Version() (version uint, dirty bool, err error) {
	v, d, err := mg.m.Version()
	if errors.Is(err, migrate.ErrNilVersion) {
		return 0, false, nil
	}
	return v, d, err
}

// CheckCurrent fails with ErrSchemaBehind unless the database is exactly at
// the newest embedded version and clean.
func (mg *Migrator) CheckCurrent() error {
	want, err := LatestVersion()
	if err != nil {
		return err
	}
	got, dirty, err := mg.Version()
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if dirty {
		return fmt.Errorf("%w: version %d is dirty (a migration failed half-way)", ErrSchemaBehind, got)
	}
	if got < want {
		return fmt.Errorf("%w: database at %d, binary needs %d; run 'vanthu migrate up'", ErrSchemaBehind, got, want)
	}
	return nil
}

var migrationName = regexp.MustCompile(`^(\d+)_.*\.up\.sql$`)

// LatestVersion is the highest version among the embedded migrations.
func LatestVersion() (uint, error) {
	entries, err := fs.ReadDir(migrations.FS, ".")
	if err != nil {
		return 0, err
	}
	var latest uint
	for _, e := range entries {
		if m := migrationName.FindStringSubmatch(e.Name()); m != nil {
			n, _ := strconv.ParseUint(m[1], 10, 64)
			latest = max(latest, uint(n))
		}
	}
	return latest, nil
}
