package org

// The importer that seeds the real unit tree: the central bodies, the 34
// provincial party committees since 1 July 2025 with the 63 former ones as
// history, and the 3,321 commune-level party committees. The data is the
// embedded folder unitdata (see unitdata/LICENSE-DATA.md).

import (
	"context"
	"embed"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"vanthu/internal/platform/postgres"
)

//go:embed unitdata
var seedFiles embed.FS

// UnitData is the embedded unit data: provinces_63_to_34.csv,
// communes_3321.csv, gso_915_provinces_34.csv, gso_1027_communes_3321.csv
// and their licence, LICENSE-DATA.md. Pass it to ImportUnits.
var UnitData fs.FS = seedSub(seedFiles, "unitdata")

func seedSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err)
	}
	return sub
}

// ImportReport says what exists after an import and what the run created.
type ImportReport struct {
	CurrentProvinces int // province-level units that exist now (valid_to NULL)
	CurrentCommunes  int // commune-level units that exist now
	FormerProvinces  int // province-level units that have ended: the ones merged on 1 July 2025
	CentralBodies    int // central-level units that exist now, the Central Committee included
	Created          int // units this run created
	Events           int // unit_events rows this run created (merge and reclassify)
}

// Dates of the data.
var (
	seedFounding   = time.Date(1930, 2, 3, 0, 0, 0, 0, time.UTC)  // the schema's default valid_from
	seedMergeDay   = time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)  // provinces and communes rearranged
	seedLastOldDay = time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC) // last day of the former provinces
	seedReclassDay = time.Date(2026, 4, 30, 0, 0, 0, 0, time.UTC) // Đồng Nai a centrally-run city
)

const (
	seedMergeBasis    = "Nghị quyết 60-NQ/TW; Nghị quyết 202/2025/QH15"
	seedNoBasisNote   = "dữ liệu nguồn không ghi số văn bản"
	seedCentralName   = "Ban Chấp hành Trung ương Đảng"
	seedNotRearranged = "không sắp xếp"
	seedMerged        = "hợp nhất"
	seedTypeProvince  = "Tỉnh"
	seedTypeCity      = "Thành phố trực thuộc trung ương"
)

// seedCentralBody is a central body under the Central Committee.
type seedCentralBody struct {
	name, symbol, kind string
}

var seedCentralBodies = []seedCentralBody{
	{"Bộ Chính trị", "BCT", "Bộ Chính trị"},
	{"Ban Bí thư", "BBT", "Ban Bí thư"},
	{"Văn phòng Trung ương Đảng", "VPTW", "Văn phòng"},
	{"Ban Tổ chức Trung ương", "BTCTW", "Ban Tổ chức"},
	{"Ban Tuyên giáo và Dân vận Trung ương", "BTGDVTW", "Ban Tuyên giáo và Dân vận"},
	{"Ủy ban Kiểm tra Trung ương", "UBKTTW", "Ủy ban Kiểm tra"},
	{"Ban Nội chính Trung ương", "BNCTW", "Ban Nội chính"},
	{"Ban Chính sách, chiến lược Trung ương", "BCSCLTW", "Ban Chính sách, chiến lược"},
	{"Đảng ủy các cơ quan Đảng Trung ương", "ĐUCCQĐTW", "Đảng ủy các cơ quan Đảng"},
}

// seedCodeFix corrects or annotates a commune whose code is wrong or
// disputed in communes_3321.csv. It applies only while the row still
// carries the code and name below, so a corrected data file needs no change.
type seedCodeFix struct {
	province, name, code string
	fixed                string // the right code; empty keeps the data's code
	note                 string
}

var seedCodeFixes = []seedCodeFix{
	{
		province: "22", name: "Xã Ba Chẽ", code: "06978", fixed: "06970",
		note: "Mã đã sửa từ 06978 thành 06970: dữ liệu nguồn (communes_3321.csv) ghi sai 06978; " +
			"mã đúng 06970 theo Công văn 1027/CTK-CSCL ngày 25/6/2025 của Cục Thống kê " +
			"và bản sửa của nguồn thanglequoc/vietnamese-provinces-database (PR #202).",
	},
	{
		province: "52", name: "Xã Ia Mơ", code: "23938",
		note: "Mã đang có hai giá trị: dữ liệu nguồn ghi 23938 (giữ mã trước ngày 01/7/2025), " +
			"bản chép Công văn 1027/CTK-CSCL của Cục Thống kê ghi 23737. Giữ 23938 cho đến khi " +
			"đối chiếu được Quyết định 19/2025/QĐ-TTg bản đã ký.",
	},
}

var seedCommuneTypes = []string{"Xã", "Phường", "Đặc khu"}

// seedKey identifies a unit of one level: codes are reused, so the key
// includes the first day.
type seedKey struct {
	code string
	from time.Time
}

// seedUnit is a province or commune to create.
type seedUnit struct {
	key          seedKey
	name, symbol string
	level, kind  string
	parent       seedKey // communes: their province; provinces hang under the Central Committee
	validTo      *time.Time
	note         string
}

// seedMerge is one new province and the former ones merged into it.
type seedMerge struct {
	successor    seedKey
	predecessors []seedKey
	oldValue     string
	newValue     string
	report       seedMergeReport
}

type seedMergeReport struct {
	Source                       string             `json:"source"`
	Successor                    seedReportUnit     `json:"successor"`
	Predecessors                 []seedReportFormer `json:"predecessors"`
	Centre                       string             `json:"centre"`
	CentreFormerCapital          string             `json:"centre_former_capital"`
	CommuneCount                 int                `json:"commune_count"`
	CommuneArrangementResolution string             `json:"commune_arrangement_resolution"`
}

type seedReportUnit struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

type seedReportFormer struct {
	Code           string `json:"code"`
	Name           string `json:"name"`
	Districts      int    `json:"districts"`
	Communes       int    `json:"communes"`
	HostedCentre   bool   `json:"hosted_centre"`
	KeptItsOwnCode bool   `json:"kept_its_code"`
}

// seedReclass is a change of type (tỉnh → thành phố, xã → phường).
type seedReclass struct {
	key                seedKey
	level              string
	oldValue, newValue string
	legalBasis         string
}

// seedPlan is everything the data asks for, before touching the database.
type seedPlan struct {
	provinces []seedUnit // current first, then former
	communes  []seedUnit
	merges    []seedMerge
	reclasses []seedReclass
}

// ImportUnits creates the unit tree from data (normally UnitData) in one
// transaction. It only adds what is missing: units are recognised by
// (code, level, valid_from), central bodies by name, merge events by their
// successor and reclassify events by unit and date, so running it again
// creates nothing.
func ImportUnits(ctx context.Context, pool *pgxpool.Pool, data fs.FS) (ImportReport, error) {
	plan, err := seedLoad(data)
	if err != nil {
		return ImportReport{}, fmt.Errorf("import units: %w", err)
	}
	var rep ImportReport
	err = postgres.InTx(ctx, pool, func(tx pgx.Tx) error {
		rep = ImportReport{}
		// Two imports at once would both find a unit missing.
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtextextended('vanthu.org.seed', 0))"); err != nil {
			return err
		}
		return seedApply(ctx, tx, plan, &rep)
	})
	if err != nil {
		return ImportReport{}, fmt.Errorf("import units: %w", err)
	}
	return rep, nil
}

func seedApply(ctx context.Context, tx pgx.Tx, plan seedPlan, rep *ImportReport) error {
	rootID, err := seedCentral(ctx, tx, rep)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE seed_units_in (
		code text NOT NULL, name text NOT NULL, symbol text NOT NULL, level text NOT NULL,
		kind text NOT NULL, parent_id bigint, valid_from date NOT NULL, valid_to date,
		note text NOT NULL) ON COMMIT DROP`); err != nil {
		return err
	}
	provinceIDs, err := seedUnits(ctx, tx, plan.provinces, func(seedKey) (int64, bool) { return rootID, true }, rep)
	if err != nil {
		return fmt.Errorf("provinces: %w", err)
	}
	communeIDs, err := seedUnits(ctx, tx, plan.communes, func(k seedKey) (int64, bool) {
		id, ok := provinceIDs[k]
		return id, ok
	}, rep)
	if err != nil {
		return fmt.Errorf("communes: %w", err)
	}
	if err := seedMerges(ctx, tx, plan.merges, provinceIDs, rep); err != nil {
		return fmt.Errorf("merges: %w", err)
	}
	if err := seedReclasses(ctx, tx, plan.reclasses, map[string]map[seedKey]int64{
		"province": provinceIDs, "commune": communeIDs,
	}, rep); err != nil {
		return fmt.Errorf("reclassifications: %w", err)
	}
	return tx.QueryRow(ctx, `SELECT
		count(*) FILTER (WHERE level = 'province' AND valid_to IS NULL),
		count(*) FILTER (WHERE level = 'commune' AND valid_to IS NULL),
		count(*) FILTER (WHERE level = 'province' AND valid_to IS NOT NULL),
		count(*) FILTER (WHERE level = 'central' AND valid_to IS NULL)
		FROM units`).Scan(&rep.CurrentProvinces, &rep.CurrentCommunes, &rep.FormerProvinces, &rep.CentralBodies)
}

// seedCentral finds or creates the Central Committee and its bodies and
// returns the Central Committee's id.
func seedCentral(ctx context.Context, tx pgx.Tx, rep *ImportReport) (int64, error) {
	var rootID int64
	err := tx.QueryRow(ctx, `SELECT id FROM units
		WHERE level = 'central' AND code IS NULL AND parent_id IS NULL AND name = $1
		ORDER BY id LIMIT 1`, seedCentralName).Scan(&rootID)
	if errors.Is(err, pgx.ErrNoRows) {
		err = tx.QueryRow(ctx, `INSERT INTO units (name, symbol, level, kind, valid_from)
			VALUES ($1, 'TW', 'central', 'Trung ương', $2) RETURNING id`, seedCentralName, seedFounding).Scan(&rootID)
		rep.Created++
	}
	if err != nil {
		return 0, fmt.Errorf("central committee: %w", err)
	}
	batch := &pgx.Batch{}
	for _, b := range seedCentralBodies {
		batch.Queue(`INSERT INTO units (name, symbol, level, kind, parent_id, valid_from)
			SELECT $1, $2, 'central', $3, $4, $5
			WHERE NOT EXISTS (SELECT 1 FROM units WHERE level = 'central' AND code IS NULL AND name = $1)`,
			b.name, b.symbol, b.kind, rootID, seedFounding)
	}
	res := tx.SendBatch(ctx, batch)
	for _, b := range seedCentralBodies {
		tag, err := res.Exec()
		if err != nil {
			res.Close()
			return 0, fmt.Errorf("%s: %w", b.name, err)
		}
		rep.Created += int(tag.RowsAffected())
	}
	return rootID, res.Close()
}

// seedUnits copies units into the temporary table, inserts the missing
// ones and returns the ids of all of them, existing or new.
func seedUnits(ctx context.Context, tx pgx.Tx, units []seedUnit, parentOf func(seedKey) (int64, bool), rep *ImportReport) (map[seedKey]int64, error) {
	if len(units) == 0 {
		return map[seedKey]int64{}, nil
	}
	if _, err := tx.Exec(ctx, "TRUNCATE seed_units_in"); err != nil {
		return nil, err
	}
	rows := make([][]any, len(units))
	for i, u := range units {
		parentID, ok := parentOf(u.parent)
		if !ok {
			return nil, fmt.Errorf("%s %s: parent %s not found", u.level, u.key.code, u.parent.code)
		}
		var validTo any
		if u.validTo != nil {
			validTo = *u.validTo
		}
		rows[i] = []any{u.key.code, u.name, u.symbol, u.level, u.kind, parentID, u.key.from, validTo, u.note}
	}
	cols := []string{"code", "name", "symbol", "level", "kind", "parent_id", "valid_from", "valid_to", "note"}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"seed_units_in"}, cols, pgx.CopyFromRows(rows)); err != nil {
		return nil, err
	}
	tag, err := tx.Exec(ctx, `INSERT INTO units (code, name, symbol, level, kind, parent_id, valid_from, valid_to, note)
		SELECT code, name, symbol, level::unit_level, kind, parent_id, valid_from, valid_to, note
		FROM seed_units_in ORDER BY level, valid_from, code
		ON CONFLICT (code, level, valid_from) WHERE code IS NOT NULL DO NOTHING`)
	if err != nil {
		return nil, err
	}
	rep.Created += int(tag.RowsAffected())
	res, err := tx.Query(ctx, `SELECT u.id, u.code, u.valid_from FROM units u
		JOIN seed_units_in t ON u.code = t.code AND u.level = t.level::unit_level AND u.valid_from = t.valid_from`)
	if err != nil {
		return nil, err
	}
	ids := make(map[seedKey]int64, len(units))
	var (
		id   int64
		code string
		from time.Time
	)
	_, err = pgx.ForEachRow(res, []any{&id, &code, &from}, func() error {
		ids[seedKey{code, time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, time.UTC)}] = id
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(ids) != len(units) {
		return nil, fmt.Errorf("found %d of %d units after inserting", len(ids), len(units))
	}
	return ids, nil
}

// seedMerges records each merger that is not yet recorded: one merge event
// and a succession row per former province.
func seedMerges(ctx context.Context, tx pgx.Tx, merges []seedMerge, ids map[seedKey]int64, rep *ImportReport) error {
	successors := make([]int64, len(merges))
	for i, m := range merges {
		successors[i] = ids[m.successor]
	}
	rows, err := tx.Query(ctx, `SELECT DISTINCT s.successor_id FROM unit_succession s
		JOIN unit_events e ON e.id = s.event_id
		WHERE e.kind = 'merge' AND e.effective_date = $1 AND s.successor_id = ANY($2)`, seedMergeDay, successors)
	if err != nil {
		return err
	}
	done, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return err
	}
	batch := &pgx.Batch{}
	for i, m := range merges {
		if slices.Contains(done, successors[i]) {
			continue
		}
		preds := make([]int64, len(m.predecessors))
		for j, p := range m.predecessors {
			preds[j] = ids[p]
		}
		report, err := json.Marshal(m.report)
		if err != nil {
			return err
		}
		batch.Queue(`WITH e AS (
				INSERT INTO unit_events (kind, effective_date, legal_basis, old_value, new_value, report)
				VALUES ('merge', $1, $2, $3, $4, $5::jsonb) RETURNING id)
			INSERT INTO unit_succession (event_id, predecessor_id, successor_id)
			SELECT e.id, p, $6 FROM e, unnest($7::bigint[]) AS p`,
			seedMergeDay, seedMergeBasis, m.oldValue, m.newValue, string(report), successors[i], preds)
	}
	if batch.Len() == 0 {
		return nil
	}
	res := tx.SendBatch(ctx, batch)
	for range batch.Len() {
		if _, err := res.Exec(); err != nil {
			res.Close()
			return err
		}
		rep.Events++
	}
	return res.Close()
}

// seedReclasses records the changes of type not yet recorded.
func seedReclasses(ctx context.Context, tx pgx.Tx, reclasses []seedReclass, ids map[string]map[seedKey]int64, rep *ImportReport) error {
	if len(reclasses) == 0 {
		return nil
	}
	var (
		unitIDs           []int64
		olds, news, bases []string
	)
	for _, r := range reclasses {
		id, ok := ids[r.level][r.key]
		if !ok {
			return fmt.Errorf("%s %s not found", r.level, r.key.code)
		}
		unitIDs = append(unitIDs, id)
		olds = append(olds, r.oldValue)
		news = append(news, r.newValue)
		bases = append(bases, r.legalBasis)
	}
	tag, err := tx.Exec(ctx, `INSERT INTO unit_events (kind, unit_id, effective_date, legal_basis, old_value, new_value)
		SELECT 'reclassify', x.unit_id, $1, x.basis, x.old_value, x.new_value
		FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[]) AS x(unit_id, old_value, new_value, basis)
		WHERE NOT EXISTS (SELECT 1 FROM unit_events e
			WHERE e.kind = 'reclassify' AND e.unit_id = x.unit_id AND e.effective_date = $1)
		ORDER BY x.unit_id`, seedReclassDay, unitIDs, olds, news, bases)
	if err != nil {
		return err
	}
	rep.Events += int(tag.RowsAffected())
	return nil
}

// seedLoad reads and checks the data and works out what to create.
func seedLoad(data fs.FS) (seedPlan, error) {
	var plan seedPlan
	provinces, err := seedReadCSV(data, "provinces_63_to_34.csv", "new_code", "new_full_name",
		"new_type_2025_07_01", "new_type_2026_04_30", "new_full_name_2026_04_30", "arrangement",
		"centre_per_60-NQ/TW", "centre_former_capital", "new_commune_count", "old_code", "old_full_name",
		"old_type", "old_district_count", "old_commune_count", "old_is_centre_seat",
		"new_code_equals_old_code", "commune_arrangement_resolution")
	if err != nil {
		return plan, err
	}
	gso, err := seedReadCSV(data, "gso_915_provinces_34.csv", "Mã số", "Tên 34 tỉnh sau sáp nhập")
	if err != nil {
		return plan, err
	}
	communes, err := seedReadCSV(data, "communes_3321.csv", "code", "full_name_2025_07_01",
		"unit_type_2025_07_01", "province_code", "full_name_2026_04_30", "unit_type_2026_04_30", "note")
	if err != nil {
		return plan, err
	}

	// Group the former provinces by the province they went into.
	var order []string
	groups := map[string][]seedRow{}
	for _, r := range provinces.rows {
		code := r.get("new_code")
		if !seedProvinceCode.MatchString(code) || !seedProvinceCode.MatchString(r.get("old_code")) {
			return plan, fmt.Errorf("provinces_63_to_34.csv line %d: bad province code", r.line)
		}
		if _, ok := groups[code]; !ok {
			order = append(order, code)
		}
		groups[code] = append(groups[code], r)
	}
	if err := seedCheckGSO(gso, groups); err != nil {
		return plan, err
	}

	current := map[string]seedKey{} // new province code → key of its current unit
	var formers []seedUnit
	oldSeen := map[string]bool{}
	for _, code := range order {
		group := groups[code]
		first := group[0]
		for _, r := range group[1:] {
			for _, col := range []string{"new_full_name", "new_type_2025_07_01", "new_type_2026_04_30", "new_full_name_2026_04_30", "arrangement"} {
				if r.get(col) != first.get(col) {
					return plan, fmt.Errorf("provinces_63_to_34.csv line %d: %s differs within province %s", r.line, col, code)
				}
			}
		}
		for _, r := range group {
			if oldSeen[r.get("old_code")] {
				return plan, fmt.Errorf("provinces_63_to_34.csv line %d: former province %s listed twice", r.line, r.get("old_code"))
			}
			oldSeen[r.get("old_code")] = true
		}
		name25, _, err := seedCommittee(first.get("new_full_name"), first.get("new_type_2025_07_01"))
		if err != nil {
			return plan, fmt.Errorf("provinces_63_to_34.csv line %d: %w", first.line, err)
		}
		name, kind, err := seedCommittee(first.get("new_full_name_2026_04_30"), first.get("new_type_2026_04_30"))
		if err != nil {
			return plan, fmt.Errorf("provinces_63_to_34.csv line %d: %w", first.line, err)
		}
		key := seedKey{code, seedMergeDay}
		switch first.get("arrangement") {
		case seedNotRearranged:
			if len(group) != 1 || first.get("old_code") != code {
				return plan, fmt.Errorf("provinces_63_to_34.csv: province %s is not rearranged but has %d former provinces", code, len(group))
			}
			key.from = seedFounding
		case seedMerged:
			if len(group) < 2 {
				return plan, fmt.Errorf("provinces_63_to_34.csv: province %s is a merger of one province", code)
			}
			m := seedMerge{successor: key, newValue: name25}
			m.report = seedMergeReport{
				Source:                       "provinces_63_to_34.csv",
				Successor:                    seedReportUnit{code, name25},
				Centre:                       first.get("centre_per_60-NQ/TW"),
				CentreFormerCapital:          first.get("centre_former_capital"),
				CommuneArrangementResolution: first.get("commune_arrangement_resolution"),
			}
			m.report.CommuneCount, _ = strconv.Atoi(first.get("new_commune_count"))
			var oldNames []string
			for _, r := range group {
				oldName, oldKind, err := seedCommittee(r.get("old_full_name"), r.get("old_type"))
				if err != nil {
					return plan, fmt.Errorf("provinces_63_to_34.csv line %d: %w", r.line, err)
				}
				oldKey := seedKey{r.get("old_code"), seedFounding}
				formers = append(formers, seedUnit{
					key: oldKey, name: oldName, symbol: "TU", level: "province", kind: oldKind,
					validTo: &seedLastOldDay,
				})
				m.predecessors = append(m.predecessors, oldKey)
				oldNames = append(oldNames, oldName)
				districts, _ := strconv.Atoi(r.get("old_district_count"))
				communes, _ := strconv.Atoi(r.get("old_commune_count"))
				m.report.Predecessors = append(m.report.Predecessors, seedReportFormer{
					Code: oldKey.code, Name: oldName, Districts: districts, Communes: communes,
					HostedCentre: r.get("old_is_centre_seat") == "yes", KeptItsOwnCode: r.get("old_code") == code,
				})
			}
			m.oldValue = strings.Join(oldNames, "; ")
			plan.merges = append(plan.merges, m)
		default:
			return plan, fmt.Errorf("provinces_63_to_34.csv line %d: unknown arrangement %q", first.line, first.get("arrangement"))
		}
		current[code] = key
		plan.provinces = append(plan.provinces, seedUnit{
			key: key, name: name, symbol: "TU", level: "province", kind: kind,
		})
		if t25, t26 := first.get("new_type_2025_07_01"), first.get("new_type_2026_04_30"); t25 != t26 {
			plan.reclasses = append(plan.reclasses, seedReclass{
				key: key, level: "province", oldValue: name25, newValue: name,
				legalBasis: seedReclassBasis(t25, t26),
			})
		}
	}
	plan.provinces = append(plan.provinces, formers...)

	// Communes.
	codes := map[string]int{}
	for _, r := range communes.rows {
		code, province := r.get("code"), r.get("province_code")
		name25 := r.get("full_name_2025_07_01")
		var note string
		for _, f := range seedCodeFixes {
			if code == f.code && province == f.province && name25 == f.name {
				if f.fixed != "" {
					code = f.fixed
				}
				note = f.note
			}
		}
		if note == "" && r.get("note") != "" {
			note = "Ghi chú dữ liệu nguồn: " + r.get("note")
		}
		if !seedCommuneCode.MatchString(code) {
			return plan, fmt.Errorf("communes_3321.csv line %d: bad commune code %q", r.line, code)
		}
		if prev, dup := codes[code]; dup {
			return plan, fmt.Errorf("communes_3321.csv line %d: code %s already on line %d", r.line, code, prev)
		}
		codes[code] = r.line
		parent, ok := current[province]
		if !ok {
			return plan, fmt.Errorf("communes_3321.csv line %d: unknown province %q", r.line, province)
		}
		t25, t26 := r.get("unit_type_2025_07_01"), r.get("unit_type_2026_04_30")
		place25, err := seedCommunePlace(name25, t25)
		if err != nil {
			return plan, fmt.Errorf("communes_3321.csv line %d: %w", r.line, err)
		}
		place, err := seedCommunePlace(r.get("full_name_2026_04_30"), t26)
		if err != nil {
			return plan, fmt.Errorf("communes_3321.csv line %d: %w", r.line, err)
		}
		if place != place25 {
			// A spelling fixed after 1 July 2025 in the data (Phó Bảng → Phố Bảng).
			note = strings.TrimSpace(fmt.Sprintf("Dữ liệu nguồn ghi tên ngày 01/7/2025 là “%s”, ngày 30/4/2026 là “%s”; dùng tên sau. %s",
				name25, r.get("full_name_2026_04_30"), note))
		}
		key := seedKey{code, seedMergeDay}
		name, kind := seedCommuneName(t26, place), seedCommuneKind(t26)
		plan.communes = append(plan.communes, seedUnit{
			key: key, name: name, symbol: "ĐU", level: "commune", kind: kind, parent: parent, note: note,
		})
		if t25 != t26 {
			plan.reclasses = append(plan.reclasses, seedReclass{
				key: key, level: "commune", oldValue: seedCommuneName(t25, place25), newValue: name,
				legalBasis: seedReclassBasis(t25, t26),
			})
		}
	}
	return plan, nil
}

var (
	seedProvinceCode = regexp.MustCompile(`^[0-9]{2}$`)
	seedCommuneCode  = regexp.MustCompile(`^[0-9]{5}$`)
)

// seedCheckGSO checks the provinces against the statistics office's list
// of the 34 province codes.
func seedCheckGSO(gso seedTable, groups map[string][]seedRow) error {
	if len(gso.rows) != len(groups) {
		return fmt.Errorf("gso_915_provinces_34.csv lists %d provinces, provinces_63_to_34.csv %d", len(gso.rows), len(groups))
	}
	for _, r := range gso.rows {
		code := r.get("Mã số")
		group, ok := groups[code]
		if !ok {
			return fmt.Errorf("gso_915_provinces_34.csv line %d: province %s missing from provinces_63_to_34.csv", r.line, code)
		}
		want := seedOldTone(strings.TrimPrefix(r.get("Tên 34 tỉnh sau sáp nhập"), "Thành phố "))
		got := seedOldTone(strings.TrimPrefix(strings.TrimPrefix(group[0].get("new_full_name"), "Tỉnh "), "Thành phố "))
		if got != want {
			return fmt.Errorf("province %s is %q in gso_915_provinces_34.csv but %q in provinces_63_to_34.csv", code, want, got)
		}
	}
	return nil
}

// seedCommittee names the party committee of a province or city:
// "Tỉnh Lào Cai" → "Tỉnh ủy Lào Cai", "Thành phố Hà Nội" → "Thành ủy Hà Nội".
func seedCommittee(fullName, typ string) (name, kind string, err error) {
	var prefix string
	switch typ {
	case seedTypeProvince:
		prefix, kind = "Tỉnh ", "Tỉnh ủy"
	case seedTypeCity:
		prefix, kind = "Thành phố ", "Thành ủy"
	default:
		return "", "", fmt.Errorf("unknown province type %q", typ)
	}
	place, ok := strings.CutPrefix(fullName, prefix)
	place = strings.TrimSpace(place)
	if !ok || place == "" {
		return "", "", fmt.Errorf("%q does not start with %q", fullName, prefix)
	}
	return kind + " " + seedOldTone(place), kind, nil
}

// seedCommunePlace is the name of a commune without its type:
// ("Phường Ba Đình", "Phường") → "Ba Đình".
func seedCommunePlace(fullName, typ string) (string, error) {
	if !slices.Contains(seedCommuneTypes, typ) {
		return "", fmt.Errorf("unknown commune type %q", typ)
	}
	words, n := strings.Fields(fullName), len(strings.Fields(typ))
	if len(words) <= n || !strings.EqualFold(strings.Join(words[:n], " "), typ) {
		return "", fmt.Errorf("%q does not start with %q", fullName, typ)
	}
	return seedOldTone(strings.Join(words[n:], " ")), nil
}

func seedCommuneKind(typ string) string { return "Đảng ủy " + strings.ToLower(typ) }

func seedCommuneName(typ, place string) string { return seedCommuneKind(typ) + " " + place }

func seedReclassBasis(from, to string) string {
	return fmt.Sprintf("Chuyển từ %s thành %s, hiệu lực 30/4/2026 (%s)",
		strings.ToLower(from), strings.ToLower(to), seedNoBasisNote)
}

// seedNewTone maps the "new style" tone placement (hoà, thuỷ) to the
// traditional one the project and the official lists use (hòa, thủy).
var seedNewTone = map[string]string{
	"oà": "òa", "oá": "óa", "oả": "ỏa", "oã": "õa", "oạ": "ọa",
	"oè": "òe", "oé": "óe", "oẻ": "ỏe", "oẽ": "õe", "oẹ": "ọe",
	"uỳ": "ùy", "uý": "úy", "uỷ": "ủy", "uỹ": "ũy", "uỵ": "ụy",
}

// seedOldTone rewrites words ending in a new-style oa/oe/uy with the
// traditional tone placement, leaving "qu" syllables (quý) alone. The
// 2026-04-30 names in the data use the new style; without this the same
// commune would be "Hòa An" in the official list and "Hoà An" here.
func seedOldTone(s string) string {
	rs := []rune(s)
	var out []rune
	for i := 0; i < len(rs); {
		if !unicode.IsLetter(rs[i]) {
			out = append(out, rs[i])
			i++
			continue
		}
		j := i
		for j < len(rs) && unicode.IsLetter(rs[j]) {
			j++
		}
		w := rs[i:j]
		n := len(w)
		if n >= 2 {
			a, b := w[n-2], w[n-1]
			old, ok := seedNewTone[string([]rune{unicode.ToLower(a), unicode.ToLower(b)})]
			if ok && !(unicode.ToLower(a) == 'u' && n >= 3 && unicode.ToLower(w[n-3]) == 'q') {
				o := []rune(old)
				if unicode.IsUpper(a) {
					o[0] = unicode.ToUpper(o[0])
				}
				if unicode.IsUpper(b) {
					o[1] = unicode.ToUpper(o[1])
				}
				w = append(slices.Clone(w[:n-2]), o...)
			}
		}
		out = append(out, w...)
		i = j
	}
	return string(out)
}

// seedTable is a CSV file read whole, with its columns by name.
type seedTable struct {
	rows []seedRow
}

type seedRow struct {
	line   int
	fields []string
	cols   map[string]int
}

func (r seedRow) get(col string) string {
	i, ok := r.cols[col]
	if !ok {
		return ""
	}
	return strings.TrimSpace(r.fields[i])
}

// seedReadCSV reads a CSV file with a header line, requiring the columns.
func seedReadCSV(data fs.FS, name string, required ...string) (seedTable, error) {
	f, err := data.Open(name)
	if err != nil {
		return seedTable{}, err
	}
	defer f.Close()
	rd := csv.NewReader(f)
	header, err := rd.Read()
	if err != nil {
		return seedTable{}, fmt.Errorf("%s: header: %w", name, err)
	}
	cols := map[string]int{}
	for i, h := range header {
		cols[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	for _, c := range required {
		if _, ok := cols[c]; !ok {
			return seedTable{}, fmt.Errorf("%s: no column %q", name, c)
		}
	}
	var t seedTable
	for {
		rec, err := rd.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return seedTable{}, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := rd.FieldPos(0)
		t.rows = append(t.rows, seedRow{line: line, fields: rec, cols: cols})
	}
	if len(t.rows) == 0 {
		return seedTable{}, fmt.Errorf("%s: no rows", name)
	}
	return t, nil
}
