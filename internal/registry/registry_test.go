package registry_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"vanthu/internal/apperr"
	"vanthu/internal/platform/postgres"
	"vanthu/internal/platform/postgres/pgtest"
	"vanthu/internal/registry"
)

func TestParseSymbol(t *testing.T) {
	for _, c := range []struct{ in, number, notation string }{
		{"204-QĐ/TW", "204", "QĐ/TW"},
		{"Số 57-NQ/TW", "57", "NQ/TW"},
		{"số: 42-CT/TU", "42", "CT/TU"},
		{"96-CV/VPTU", "96", "CV/VPTU"},
		{"05-KH/ĐU", "05", "KH/ĐU"},
		{"10-HD/BTGDVTU", "10", "HD/BTGDVTU"},
		{"12-CTr/TU", "12", "CTr/TU"},
		{"3-QĐi/TW", "3", "QĐi/TW"},
		{"15/TTg-KGVX", "15", "TTg-KGVX"},
		{"30/2020/NĐ-CP", "30", "2020/NĐ-CP"},
		{"  7-TB/ĐUP ", "7", "TB/ĐUP"},
	} {
		got, err := registry.ParseSymbol(c.in)
		if err != nil || got.Number != c.number || got.Notation != c.notation {
			t.Errorf("ParseSymbol(%q) = %+v, %v; want %s / %s", c.in, got, err, c.number, c.notation)
		}
	}
	for _, bad := range []string{"", "57 NQ/TW", "57-nq/tw", "NQ/TW", "57-NQ", "57-NQ/", "abc", "57--NQ/TW"} {
		if _, err := registry.ParseSymbol(bad); !errors.Is(err, apperr.ErrInvalid) {
			t.Errorf("ParseSymbol(%q) accepted", bad)
		}
	}
	if _, err := registry.ParseSymbol("57-nq/tw"); err == nil || !strings.Contains(err.Error(), "viết hoa") {
		t.Errorf("lower-case symbol message: %v", err)
	}
	for _, c := range []struct{ number, notation, want string }{
		{"57", "NQ/TW", "57-NQ/TW"}, {"15", "TTg-KGVX", "15/TTg-KGVX"}, {"30", "2020/NĐ-CP", "30/2020/NĐ-CP"},
	} {
		got, err := registry.ComposeSymbol(c.number, c.notation)
		if err != nil || got.Text != c.want {
			t.Errorf("ComposeSymbol(%q, %q) = %q, %v", c.number, c.notation, got.Text, err)
		}
	}
}

func TestPresetsAndSequences(t *testing.T) {
	term := time.Date(2025, 10, 15, 0, 0, 0, 0, time.UTC)
	at := time.Date(2026, 12, 31, 20, 0, 0, 0, time.UTC) // already 2027 in Vietnam
	party := registry.Preset("party", registry.KindOutgoing, &term)
	if p, s := party.Sequence(at, "NQ", true); p != "term:2025-10-15" || s != "NQ" {
		t.Errorf("party outgoing: %s %s (confidential shares its type's sequence)", p, s)
	}
	state := registry.Preset("state", registry.KindOutgoing, nil)
	if p, s := state.Sequence(at, "CV", true); p != "2027" || s != "/mat" {
		t.Errorf("state outgoing confidential: %s %s", p, s)
	}
	if p, s := state.Sequence(at, "CV", false); p != "2027" || s != "" {
		t.Errorf("state outgoing: %s %s", p, s)
	}
	incoming := registry.Preset("party", registry.KindIncoming, nil)
	if p, s := incoming.Sequence(at, "NQ", true); p != "2027" || s != "" {
		t.Errorf("incoming: %s %s (one sequence per year)", p, s)
	}
}

func TestTakeIsGapFreeAcrossRollback(t *testing.T) {
	ctx := context.Background()
	db := pgtest.NewPool(t)
	var unit int64
	if err := db.QueryRow(ctx, `INSERT INTO units (name, level) VALUES ('Đơn vị', 'province') RETURNING id`).Scan(&unit); err != nil {
		t.Fatal(err)
	}
	store := registry.NewStore(db)
	var reg registry.Register
	err := postgres.InTx(ctx, db, func(tx pgx.Tx) (err error) {
		reg, err = store.DefaultFor(ctx, tx, unit, registry.KindIncoming, "party")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	take := func(commit bool) int {
		var n int
		err := postgres.InTx(ctx, db, func(tx pgx.Tx) (err error) {
			n, _, _, err = registry.Take(ctx, tx, reg, time.Now(), "", false)
			if err == nil && !commit {
				return errors.New("rollback")
			}
			return err
		})
		if commit && err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := take(true); n != 1 {
		t.Fatalf("first = %d", n)
	}
	take(false)
	if n := take(true); n != 2 {
		t.Fatalf("after a rolled-back take, next = %d, want 2", n)
	}
}
