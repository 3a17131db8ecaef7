package org

import (
	"context"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"vanthu/internal/platform/postgres/pgtest"
)

func TestSeedImportUnits(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewPool(t)

	start := time.Now()
	rep, err := ImportUnits(ctx, pool, UnitData)
	elapsed := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("first import: %v, %+v", elapsed, rep)
	if elapsed > 10*time.Second {
		t.Errorf("import took %v, want well under 10 s", elapsed)
	}
	want := ImportReport{
		CurrentProvinces: 34, CurrentCommunes: 3321, FormerProvinces: 52, CentralBodies: 10,
		Created: 10 + 34 + 52 + 3321, Events: 23 + 1 + 10,
	}
	if rep != want {
		t.Errorf("report = %+v, want %+v", rep, want)
	}

	q := seedQuerier{t, ctx, pool}
	q.count(34, "SELECT count(*) FROM units WHERE level = 'province' AND valid_to IS NULL")
	q.count(3321, "SELECT count(*) FROM units WHERE level = 'commune' AND valid_to IS NULL")
	q.count(52, "SELECT count(*) FROM units WHERE level = 'province' AND valid_to = '2025-06-30'")
	q.count(11, "SELECT count(*) FROM units WHERE level = 'province' AND valid_to IS NULL AND valid_from = '1930-02-03'")
	q.count(23, "SELECT count(*) FROM units WHERE level = 'province' AND valid_to IS NULL AND valid_from = '2025-07-01'")
	// The 63 former provincial committees: 52 ended plus 11 that continue, all distinct codes.
	q.count(63, `SELECT count(DISTINCT code) FROM units WHERE level = 'province' AND valid_from = '1930-02-03'`)
	q.count(0, "SELECT count(*) FROM units WHERE valid_to IS NOT NULL AND valid_to <> '2025-06-30'")

	// The central tree.
	var rootID int64
	q.scan("SELECT id FROM units WHERE level = 'central' AND parent_id IS NULL AND symbol = 'TW' AND name = 'Ban Chấp hành Trung ương Đảng' AND code IS NULL", &rootID)
	var symbols []string
	q.scan("SELECT array_agg(symbol ORDER BY id) FROM units WHERE level = 'central' AND parent_id = $1", &symbols, rootID)
	if want := []string{"BCT", "BBT", "VPTW", "BTCTW", "BTGDVTW", "UBKTTW", "BNCTW", "BCSCLTW", "ĐUCCQĐTW"}; !slices.Equal(symbols, want) {
		t.Errorf("central bodies = %v, want %v", symbols, want)
	}
	q.count(86, "SELECT count(*) FROM units WHERE level = 'province' AND parent_id = $1 AND symbol = 'TU'", rootID)

	// HCMC: a new unit with three predecessors merged on 2025-07-01.
	var hcmc int64
	q.scan("SELECT id FROM units WHERE level = 'province' AND code = '79' AND valid_to IS NULL AND name = 'Thành ủy Hồ Chí Minh' AND kind = 'Thành ủy' AND valid_from = '2025-07-01'", &hcmc)
	var preds []string
	q.scan(`SELECT array_agg(p.code || ' ' || p.name ORDER BY p.code) FROM unit_succession s
		JOIN unit_events e ON e.id = s.event_id JOIN units p ON p.id = s.predecessor_id
		WHERE s.successor_id = $1 AND e.kind = 'merge' AND e.effective_date = '2025-07-01' AND p.valid_to = '2025-06-30'`, &preds, hcmc)
	if want := []string{"74 Tỉnh ủy Bình Dương", "77 Tỉnh ủy Bà Rịa - Vũng Tàu", "79 Thành ủy Hồ Chí Minh"}; !slices.Equal(preds, want) {
		t.Errorf("HCMC predecessors = %v, want %v", preds, want)
	}
	var basis string
	q.scan("SELECT e.legal_basis FROM unit_events e JOIN unit_succession s ON s.event_id = e.id WHERE s.successor_id = $1 LIMIT 1", &basis, hcmc)
	if !strings.Contains(basis, "202/2025/QH15") || !strings.Contains(basis, "60-NQ/TW") {
		t.Errorf("merge legal basis = %q", basis)
	}

	// Every merger: 23 events, each former province has exactly one successor, current.
	q.count(23, "SELECT count(*) FROM unit_events WHERE kind = 'merge' AND effective_date = '2025-07-01' AND report IS NOT NULL")
	q.count(52, "SELECT count(*) FROM unit_succession")
	q.count(52, `SELECT count(DISTINCT s.predecessor_id) FROM unit_succession s JOIN units n ON n.id = s.successor_id
		WHERE n.valid_to IS NULL AND n.valid_from = '2025-07-01'`)
	q.count(0, `SELECT count(*) FROM units u WHERE u.level = 'province' AND u.valid_to IS NOT NULL
		AND NOT EXISTS (SELECT 1 FROM unit_succession s WHERE s.predecessor_id = u.id)`)

	// Code reuse: 15 was Yên Bái, is Lào Cai; 24 was Bắc Giang, is Bắc Ninh.
	for _, c := range []struct{ code, old, now string }{
		{"15", "Tỉnh ủy Yên Bái", "Tỉnh ủy Lào Cai"},
		{"24", "Tỉnh ủy Bắc Giang", "Tỉnh ủy Bắc Ninh"},
		{"91", "Tỉnh ủy Kiên Giang", "Tỉnh ủy An Giang"},
	} {
		var now, old string
		q.scan("SELECT name FROM units WHERE level = 'province' AND code = $1 AND valid_to IS NULL", &now, c.code)
		q.scan("SELECT name FROM units WHERE level = 'province' AND code = $1 AND valid_to = '2025-06-30'", &old, c.code)
		if now != c.now || old != c.old {
			t.Errorf("code %s: current %q, former %q; want %q, %q", c.code, now, old, c.now, c.old)
		}
	}
	// Lào Cai's own former committee (code 10) went into the new Lào Cai.
	q.count(1, `SELECT count(*) FROM unit_succession s JOIN units p ON p.id = s.predecessor_id JOIN units n ON n.id = s.successor_id
		WHERE p.code = '10' AND p.name = 'Tỉnh ủy Lào Cai' AND n.code = '15' AND n.valid_to IS NULL`)
	// Names in the project's spelling, not the data's 2026 "Thanh Hoá".
	q.count(1, "SELECT count(*) FROM units WHERE level = 'province' AND valid_to IS NULL AND name = 'Tỉnh ủy Thanh Hóa'")
	q.count(1, "SELECT count(*) FROM units WHERE level = 'province' AND valid_to IS NULL AND name = 'Thành ủy Hà Nội' AND valid_from = '1930-02-03'")
	q.count(0, "SELECT count(*) FROM units WHERE name ~ '[^qQ](oà|oá|oả|oã|oạ|oè|oé|oẻ|oẽ|oẹ|uỳ|uý|uỷ|uỹ|uỵ)( |$)'")

	// Known data errors.
	var note string
	q.scan("SELECT note FROM units WHERE level = 'commune' AND code = '06970' AND name = 'Đảng ủy xã Ba Chẽ'", &note)
	if !strings.Contains(note, "06978") || !strings.Contains(note, "1027/CTK-CSCL") {
		t.Errorf("Ba Chẽ note = %q", note)
	}
	q.count(0, "SELECT count(*) FROM units WHERE code = '06978'")
	q.scan("SELECT note FROM units WHERE level = 'commune' AND code = '23938' AND name = 'Đảng ủy xã Ia Mơ'", &note)
	if !strings.Contains(note, "23737") {
		t.Errorf("Ia Mơ note = %q", note)
	}
	q.scan("SELECT note FROM units WHERE level = 'commune' AND code = '00745' AND name = 'Đảng ủy xã Phố Bảng'", &note)
	if !strings.Contains(note, "Phó Bảng") {
		t.Errorf("Phố Bảng note = %q", note)
	}

	// Đồng Nai: the same unit, a city since 2026-04-30.
	var dongNai int64
	var dnName, dnKind string
	q.scanAll("SELECT id, name, kind FROM units WHERE level = 'province' AND code = '75' AND valid_to IS NULL", []any{&dongNai, &dnName, &dnKind})
	if dnName != "Thành ủy Đồng Nai" || dnKind != "Thành ủy" {
		t.Errorf("Đồng Nai = %q (%q)", dnName, dnKind)
	}
	q.count(1, `SELECT count(*) FROM unit_events WHERE kind = 'reclassify' AND unit_id = $1 AND effective_date = '2026-04-30'
		AND old_value = 'Tỉnh ủy Đồng Nai' AND new_value = 'Thành ủy Đồng Nai' AND legal_basis <> ''`, dongNai)
	q.count(2, "SELECT count(*) FROM unit_succession WHERE successor_id = $1", dongNai)
	q.count(1, "SELECT count(*) FROM unit_events WHERE kind = 'reclassify' AND unit_id IN (SELECT id FROM units WHERE level = 'province')")

	// Communes.
	for code, name := range map[string]string{
		"00004": "Đảng ủy phường Ba Đình",
		"06970": "Đảng ủy xã Ba Chẽ",
		"01654": "Đảng ủy xã Hòa An",
		"06325": "Đảng ủy xã Bắc Sơn",
		"26248": "Đảng ủy phường Trảng Bom",
	} {
		q.count(1, "SELECT count(*) FROM units WHERE level = 'commune' AND code = $1 AND name = $2 AND symbol = 'ĐU' AND valid_from = '2025-07-01' AND valid_to IS NULL", code, name)
	}
	q.count(1, "SELECT count(*) FROM units WHERE level = 'commune' AND name = 'Đảng ủy đặc khu Phú Quốc' AND kind = 'Đảng ủy đặc khu'")
	var kinds []string
	q.scan(`SELECT array_agg(kind || ' ' || n ORDER BY kind) FROM
		(SELECT kind, count(*) AS n FROM units WHERE level = 'commune' GROUP BY kind) k`, &kinds)
	if want := []string{"Đảng ủy phường 697", "Đảng ủy xã 2611", "Đảng ủy đặc khu 13"}; !slices.Equal(kinds, want) {
		t.Errorf("commune kinds = %v, want %v", kinds, want)
	}
	q.count(10, `SELECT count(*) FROM unit_events e JOIN units u ON u.id = e.unit_id
		WHERE e.kind = 'reclassify' AND e.effective_date = '2026-04-30' AND u.level = 'commune'
		AND e.old_value = replace(u.name, 'Đảng ủy phường ', 'Đảng ủy xã ') AND u.kind = 'Đảng ủy phường'`)
	q.count(1, "SELECT count(*) FROM unit_events e JOIN units u ON u.id = e.unit_id WHERE u.code = '26248' AND e.old_value = 'Đảng ủy xã Trảng Bom'")
	// Every commune hangs under a current province; Trảng Bom under Đồng Nai.
	q.count(3321, `SELECT count(*) FROM units c JOIN units p ON p.id = c.parent_id
		WHERE c.level = 'commune' AND p.level = 'province' AND p.valid_to IS NULL`)
	q.count(1, "SELECT count(*) FROM units WHERE code = '26248' AND parent_id = $1", dongNai)
	q.count(1, "SELECT count(*) FROM units WHERE code = '06970' AND parent_id = (SELECT id FROM units WHERE code = '22' AND level = 'province')")

	// Against the statistics office's list of 3,321 communes (letter 1027):
	// every code but Ia Mơ's disputed one, and the same names.
	gso, err := seedReadCSV(UnitData, "gso_1027_communes_3321.csv", "ma_xa", "ten_don_vi")
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{}
	rows, err := pool.Query(ctx, "SELECT code, name FROM units WHERE level = 'commune'")
	if err != nil {
		t.Fatal(err)
	}
	var code, name string
	if _, err := pgx.ForEachRow(rows, []any{&code, &name}, func() error { names[code] = name; return nil }); err != nil {
		t.Fatal(err)
	}
	var missing []string
	for _, r := range gso.rows {
		got, ok := names[r.get("ma_xa")]
		if !ok {
			missing = append(missing, r.get("ma_xa"))
			continue
		}
		_, place, _ := strings.Cut(r.get("ten_don_vi"), " ")
		if !strings.HasSuffix(got, " "+place) {
			t.Errorf("commune %s is %q, the statistics office lists %q", r.get("ma_xa"), got, r.get("ten_don_vi"))
		}
	}
	if !slices.Equal(missing, []string{"23737"}) {
		t.Errorf("codes of the official list not imported: %v, want only the disputed 23737", missing)
	}

	// A second run changes nothing.
	var before, after [3]int
	tables := "SELECT (SELECT count(*) FROM units), (SELECT count(*) FROM unit_events), (SELECT count(*) FROM unit_succession)"
	q.scanAll(tables, []any{&before[0], &before[1], &before[2]})
	start = time.Now()
	rep2, err := ImportUnits(ctx, pool, UnitData)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("second import: %v, %+v", time.Since(start), rep2)
	want.Created, want.Events = 0, 0
	if rep2 != want {
		t.Errorf("second report = %+v, want %+v", rep2, want)
	}
	q.scanAll(tables, []any{&after[0], &after[1], &after[2]})
	if before != after {
		t.Errorf("second run changed row counts: %v → %v", before, after)
	}
}

func TestSeedImportRefusesBadData(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	read := func(name string) []byte {
		data, err := fs.ReadFile(UnitData, name)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	bad := fstest.MapFS{
		"provinces_63_to_34.csv":   {Data: read("provinces_63_to_34.csv")},
		"gso_915_provinces_34.csv": {Data: read("gso_915_provinces_34.csv")},
		"communes_3321.csv": {Data: []byte("code,full_name_2025_07_01,unit_type_2025_07_01,province_code,full_name_2026_04_30,unit_type_2026_04_30,note\n" +
			"00004,Phường Ba Đình,Phường,01,Phường Ba Đình,Phường,\n" +
			"99999,Xã Không Có,Xã,99,Xã Không Có,Xã,\n")},
	}
	if _, err := ImportUnits(ctx, pool, bad); err == nil || !strings.Contains(err.Error(), "unknown province") {
		t.Fatalf("import of a commune in an unknown province: %v", err)
	}
	if _, err := ImportUnits(ctx, pool, fstest.MapFS{}); err == nil {
		t.Fatal("import of no data succeeded")
	}
	seedQuerier{t, ctx, pool}.count(0, "SELECT count(*) FROM units")
}

func TestSeedOldTone(t *testing.T) {
	for in, want := range map[string]string{
		"Hoà An":        "Hòa An",
		"Thanh Hoá":     "Thanh Hóa",
		"Điềm Thuỵ":     "Điềm Thụy",
		"Đàm Thuỷ":      "Đàm Thủy",
		"Khoẻ":          "Khỏe",
		"Quý Hòa":       "Quý Hòa",
		"Hoàn Kiếm":     "Hoàn Kiếm",
		"Hoài Nhơn":     "Hoài Nhơn",
		"Thuỵ-Hoà":      "Thụy-Hòa",
		"Bà Rịa - Vũng": "Bà Rịa - Vũng",
	} {
		if got := seedOldTone(in); got != want {
			t.Errorf("seedOldTone(%q) = %q, want %q", in, got, want)
		}
	}
}

// seedQuerier runs checking queries for a test.
type seedQuerier struct {
	t   *testing.T
	ctx context.Context
	db  *pgxpool.Pool
}

func (q seedQuerier) scan(sql string, dest any, args ...any) {
	q.t.Helper()
	q.scanAll(sql, []any{dest}, args...)
}

func (q seedQuerier) scanAll(sql string, dests []any, args ...any) {
	q.t.Helper()
	if err := q.db.QueryRow(q.ctx, sql, args...).Scan(dests...); err != nil {
		q.t.Fatalf("%s: %v", sql, err)
	}
}

func (q seedQuerier) count(want int, sql string, args ...any) {
	q.t.Helper()
	var n int
	q.scan(sql, &n, args...)
	if n != want {
		q.t.Errorf("%s = %d, want %d", strings.Join(strings.Fields(sql), " "), n, want)
	}
}
