package reports

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"vanthu/internal/access"
	"vanthu/internal/apperr"
	"vanthu/internal/audit"
	"vanthu/internal/org"
	"vanthu/internal/platform/postgres"
)

// Template is a report template with its current version.
type Template struct {
	ID              int64     `db:"id" json:"id"`
	IssuerUnitID    int64     `db:"issuer_unit_id" json:"issuer_unit_id"`
	IssuerName      string    `db:"issuer_name" json:"issuer_name"`
	Name            string    `db:"name" json:"name"`
	Description     string    `db:"description" json:"description"`
	PeriodKind      string    `db:"period_kind" json:"period_kind"`
	DueRule         string    `db:"due_rule" json:"due_rule"`
	DueN            int       `db:"due_n" json:"due_n"`
	RecipientsKind  string    `db:"recipients_kind" json:"recipients_kind"`
	RecipientsLevel *string   `db:"recipients_level" json:"recipients_level"`
	StartsOn        time.Time `db:"starts_on" json:"starts_on"`
	CurrentVersion  int       `db:"current_version" json:"current_version"`
	Active          bool      `db:"active" json:"active"`
	CreatedAt       time.Time `db:"created_at" json:"created_at"`
	Fields          []Field   `db:"fields" json:"fields"`
	RecipientUnits  []UnitRef `db:"-" json:"recipient_units,omitempty"`
	// What the subject may do, filled by Get.
	CanManage bool `db:"-" json:"-"`
	CanDecide bool `db:"-" json:"-"`
}

// RecipientsText describes the recipients in Vietnamese.
func (t Template) RecipientsText() string {
	if t.RecipientsKind == "subtree" && t.RecipientsLevel != nil {
		return "Tất cả đơn vị cấp “" + org.Level(*t.RecipientsLevel).Label() + "” trực thuộc " + t.IssuerName
	}
	return fmt.Sprintf("%d đơn vị được chọn", len(t.RecipientUnits))
}

// TemplateInput is what a manager fills in.
type TemplateInput struct {
	IssuerUnitID    int64     `json:"issuer_unit_id"`
	Name            string    `json:"name"`
	Description     string    `json:"description"`
	PeriodKind      string    `json:"period_kind"`
	DueRule         string    `json:"due_rule"`
	DueN            int       `json:"due_n"`
	RecipientsKind  string    `json:"recipients_kind"`
	RecipientsLevel string    `json:"recipients_level"`
	RecipientUnits  []int64   `json:"recipient_units"`
	StartsOn        time.Time `json:"starts_on"`
	Fields          []Field   `json:"fields"`
}

const maxRecipientUnits = 5000

// normalise checks the input; usedKeys are the keys of earlier versions.
func (in *TemplateInput) normalise(today time.Time, usedKeys []string) error {
	f := apperr.Fields{}
	in.Name = clean(in.Name)
	in.Description = strings.TrimSpace(strings.ReplaceAll(in.Description, "\r\n", "\n"))
	switch {
	case in.Name == "":
		f.Add("name", "Vui lòng nhập tên báo cáo.")
	case utf8.RuneCountInString(in.Name) > MaxLabelRunes:
		f.Add("name", fmt.Sprintf("Tên báo cáo dài tối đa %d ký tự.", MaxLabelRunes))
	}
	if utf8.RuneCountInString(in.Description) > 5000 {
		f.Add("description", "Mô tả dài tối đa 5.000 ký tự.")
	}
	validKind := false
	for _, k := range PeriodKinds {
		validKind = validKind || k == in.PeriodKind
	}
	if !validKind {
		f.Add("period_kind", "Vui lòng chọn kỳ báo cáo: hằng tuần, tháng, quý, 6 tháng, năm hoặc đột xuất.")
	}
	switch {
	case in.PeriodKind == PeriodAdHoc:
		in.DueRule, in.DueN = DueManual, 0
	case in.DueRule == DueWorkingDays:
		if in.DueN < 0 || in.DueN > 60 {
			f.Add("due_n", "Số ngày làm việc sau kỳ từ 0 đến 60.")
		}
	case in.DueRule == DueMonthDay:
		if in.PeriodKind == PeriodWeek {
			f.Add("due_rule", "Báo cáo tuần tính hạn theo số ngày làm việc sau kỳ.")
		}
		if in.DueN < 1 || in.DueN > 28 {
			f.Add("due_n", "Ngày trong tháng từ 1 đến 28.")
		}
	default:
		f.Add("due_rule", "Vui lòng chọn cách tính hạn nộp.")
	}
	switch in.RecipientsKind {
	case "subtree":
		lv := org.Level(in.RecipientsLevel)
		if !lv.Valid() || lv == org.LevelCentral || lv == org.LevelDistrict {
			f.Add("recipients_level", "Vui lòng chọn cấp của các đơn vị phải báo cáo.")
		}
		in.RecipientUnits = nil
	case "list":
		in.RecipientsLevel = ""
		var uniq []int64
		for _, id := range in.RecipientUnits {
			if id > 0 && !containsID(uniq, id) {
				uniq = append(uniq, id)
			}
		}
		in.RecipientUnits = uniq
		switch {
		case len(uniq) == 0:
			f.Add("recipient_units", "Vui lòng chọn ít nhất một đơn vị phải báo cáo.")
		case len(uniq) > maxRecipientUnits:
			f.Add("recipient_units", fmt.Sprintf("Chọn tối đa %d đơn vị; hãy chọn theo cấp đơn vị.", maxRecipientUnits))
		case containsID(uniq, in.IssuerUnitID):
			f.Add("recipient_units", "Đơn vị ban hành không tự báo cáo cho mình.")
		}
	default:
		f.Add("recipients_kind", "Vui lòng chọn đơn vị phải báo cáo: theo cấp hoặc danh sách.")
	}
	if in.StartsOn.IsZero() {
		in.StartsOn = today
	}
	in.StartsOn = dateOnly(in.StartsOn)
	if in.StartsOn.Before(today.Add(-maxPeriodsBack)) || in.StartsOn.After(today.Add(maxPeriodsBack)) {
		f.Add("starts_on", "Kỳ đầu tiên phải trong vòng một năm trước hoặc sau hôm nay.")
	}
	in.Fields = normaliseFields(in.Fields, usedKeys, f)
	return f.Err()
}

func containsID(list []int64, id int64) bool {
	for _, v := range list {
		if v == id {
			return true
		}
	}
	return false
}

const templateColumns = `t.id, t.issuer_unit_id, iu.name AS issuer_name, t.name, v.description, t.period_kind, t.due_rule,
	t.due_n, t.recipients_kind, t.recipients_level::text AS recipients_level, t.starts_on, t.current_version, t.active,
	t.created_at, v.fields`

const templateFrom = ` FROM report_templates t JOIN units iu ON iu.id = t.issuer_unit_id
	JOIN report_template_versions v ON v.template_id = t.id AND v.version = t.current_version `

func loadTemplate(ctx context.Context, q postgres.Querier, id int64) (Template, error) {
	rows, _ := q.Query(ctx, `SELECT `+templateColumns+templateFrom+`WHERE t.id = $1`, id)
	t, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Template])
	if err != nil {
		return Template{}, notFoundAs(err, ErrTemplateNotFound)
	}
	if t.RecipientsKind == "list" {
		rows, _ := q.Query(ctx, `SELECT u.id, u.name FROM report_template_units r JOIN units u ON u.id = r.unit_id
			WHERE r.template_id = $1 ORDER BY u.name, u.id`, id)
		if t.RecipientUnits, err = pgx.CollectRows(rows, pgx.RowToStructByName[UnitRef]); err != nil {
			return Template{}, err
		}
	}
	return t, nil
}

// CreateTemplate stores a template (version 1) and opens its periods up
// to today's.
func (s *Service) CreateTemplate(ctx context.Context, sub access.Subject, actor audit.Actor, in TemplateInput) (Template, error) {
	today := s.today()
	if in.IssuerUnitID == 0 {
		in.IssuerUnitID = sub.ActingUnit
	}
	err := in.normalise(today, nil)
	if in.IssuerUnitID == 0 {
		return Template{}, apperr.Invalid("Vui lòng chọn đơn vị ban hành.", map[string]string{"issuer_unit_id": "Vui lòng chọn đơn vị ban hành."})
	}
	ok, aerr := s.CanIssue(ctx, sub, in.IssuerUnitID)
	if aerr != nil {
		return Template{}, aerr
	}
	if !ok {
		return Template{}, ErrNotManager
	}
	if err != nil {
		return Template{}, err
	}
	var id int64
	err = postgres.InTx(ctx, s.db, func(tx pgx.Tx) error {
		if err := checkRecipientUnits(ctx, tx, in.RecipientUnits, today); err != nil {
			return err
		}
		var level any
		if in.RecipientsLevel != "" {
			level = in.RecipientsLevel
		}
		err := tx.QueryRow(ctx, `
			INSERT INTO report_templates (issuer_unit_id, name, period_kind, due_rule, due_n, recipients_kind, recipients_level, starts_on, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7::unit_level, $8, $9) RETURNING id`,
			in.IssuerUnitID, in.Name, in.PeriodKind, in.DueRule, in.DueN, in.RecipientsKind, level, in.StartsOn, actor.UserID).Scan(&id)
		if err != nil {
			return fmt.Errorf("insert template: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO report_template_versions (template_id, version, name, description, fields, created_by)
			VALUES ($1, 1, $2, $3, $4, $5)`, id, in.Name, in.Description, in.Fields, actor.UserID); err != nil {
			return fmt.Errorf("insert version: %w", err)
		}
		if err := setRecipientUnits(ctx, tx, id, in.RecipientUnits); err != nil {
			return err
		}
		t, err := loadTemplate(ctx, tx, id)
		if err != nil {
			return err
		}
		opened, err := s.openPeriods(ctx, tx, t)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Entry("report_template.create", "report_template", strconv.FormatInt(id, 10),
			map[string]any{"name": in.Name, "issuer_unit_id": in.IssuerUnitID, "period_kind": in.PeriodKind, "fields": len(in.Fields), "periods_opened": opened}))
	})
	if err != nil {
		return Template{}, err
	}
	return s.GetTemplate(ctx, sub, id)
}

func checkRecipientUnits(ctx context.Context, tx pgx.Tx, ids []int64, today time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	rows, _ := tx.Query(ctx, `SELECT id FROM units WHERE id = ANY($1) AND (valid_to IS NULL OR valid_to >= $2)`, ids, today)
	found, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return err
	}
	for _, id := range ids {
		if !containsID(found, id) {
			msg := fmt.Sprintf("Không có đơn vị đang hoạt động với ID %d.", id)
			return apperr.Invalid(msg, map[string]string{"recipient_units": msg})
		}
	}
	return nil
}

func setRecipientUnits(ctx context.Context, tx pgx.Tx, id int64, units []int64) error {
	if _, err := tx.Exec(ctx, `DELETE FROM report_template_units WHERE template_id = $1`, id); err != nil {
		return err
	}
	if len(units) == 0 {
		return nil
	}
	_, err := tx.Exec(ctx, `INSERT INTO report_template_units (template_id, unit_id) SELECT $1, unnest($2::bigint[])`, id, units)
	return err
}

// GetTemplate returns a template the subject oversees.
func (s *Service) GetTemplate(ctx context.Context, sub access.Subject, id int64) (Template, error) {
	var a postgres.Args
	var manage, decide bool
	sql := `SELECT ` + sub.ReportManagePredicate("t.issuer_unit_id")(&a) + `, ` + sub.ReportDecidePredicate("t.issuer_unit_id")(&a) +
		` FROM report_templates t WHERE t.id = ` + a.Add(id) + ` AND ` + sub.ReportOverseePredicate("t.issuer_unit_id")(&a)
	if err := s.db.QueryRow(ctx, sql, a.Values()...).Scan(&manage, &decide); err != nil {
		return Template{}, notFoundAs(err, ErrTemplateNotFound)
	}
	t, err := loadTemplate(ctx, s.db, id)
	t.CanManage, t.CanDecide = manage, decide
	return t, err
}

// UpdateTemplate changes a template. Name, description and fields change
// the current version in place while no unit has filled it in; otherwise
// they make a new version (submissions keep theirs, and untouched ones
// move to the new one). The period kind is fixed once periods exist;
// recipients and the due-date rule apply to periods opened from now on.
func (s *Service) UpdateTemplate(ctx context.Context, sub access.Subject, actor audit.Actor, id int64, in TemplateInput) (Template, error) {
	err := postgres.InTx(ctx, s.db, func(tx pgx.Tx) error {
		t, err := s.lockManaged(ctx, tx, sub, id)
		if err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `SELECT DISTINCT f->>'key' FROM report_template_versions v, jsonb_array_elements(v.fields) f WHERE v.template_id = $1`, id)
		used, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		in.IssuerUnitID = t.IssuerUnitID
		today := s.today()
		if in.StartsOn.IsZero() {
			in.StartsOn = t.StartsOn
		}
		var periods int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM report_periods WHERE template_id = $1`, id).Scan(&periods); err != nil {
			return err
		}
		if periods > 0 {
			// Periods already opened fix where the series starts.
			in.StartsOn = t.StartsOn
		}
		if err := in.normalise(minDate(today, in.StartsOn), used); err != nil {
			return err
		}
		if periods > 0 && in.PeriodKind != t.PeriodKind {
			msg := "Mẫu đã có kỳ báo cáo nên không đổi được loại kỳ; hãy tạo mẫu báo cáo mới."
			return apperr.Invalid(msg, map[string]string{"period_kind": msg})
		}
		if err := checkRecipientUnits(ctx, tx, in.RecipientUnits, today); err != nil {
			return err
		}
		var level any
		if in.RecipientsLevel != "" {
			level = in.RecipientsLevel
		}
		version := t.CurrentVersion
		changed := t.Name != in.Name || t.Description != in.Description || !reflect.DeepEqual(t.Fields, in.Fields)
		if changed {
			var inUse bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM report_submissions WHERE template_id = $1 AND version = $2
				AND (draft_saved_at IS NOT NULL OR revision > 0))`, id, version).Scan(&inUse); err != nil {
				return err
			}
			if inUse {
				version++
				if _, err := tx.Exec(ctx, `INSERT INTO report_template_versions (template_id, version, name, description, fields, created_by)
					VALUES ($1, $2, $3, $4, $5, $6)`, id, version, in.Name, in.Description, in.Fields, actor.UserID); err != nil {
					return fmt.Errorf("insert version: %w", err)
				}
			} else if _, err := tx.Exec(ctx, `UPDATE report_template_versions SET name = $3, description = $4, fields = $5, created_by = $6, created_at = now()
				WHERE template_id = $1 AND version = $2`, id, version, in.Name, in.Description, in.Fields, actor.UserID); err != nil {
				return fmt.Errorf("update version: %w", err)
			}
		}
		if _, err := tx.Exec(ctx, `
			UPDATE report_templates SET name = $2, period_kind = $3, due_rule = $4, due_n = $5, recipients_kind = $6,
				recipients_level = $7::unit_level, starts_on = $8, current_version = $9, updated_at = now()
			WHERE id = $1`, id, in.Name, in.PeriodKind, in.DueRule, in.DueN, in.RecipientsKind, level, in.StartsOn, version); err != nil {
			return fmt.Errorf("update template: %w", err)
		}
		if version != t.CurrentVersion {
			// Nobody has typed into these yet: they take the new fields.
			if _, err := tx.Exec(ctx, `UPDATE report_submissions SET version = $2, updated_at = now()
				WHERE template_id = $1 AND status = 'pending' AND draft_saved_at IS NULL AND revision = 0`, id, version); err != nil {
				return err
			}
		}
		if err := setRecipientUnits(ctx, tx, id, in.RecipientUnits); err != nil {
			return err
		}
		nt, err := loadTemplate(ctx, tx, id)
		if err != nil {
			return err
		}
		opened, err := s.openPeriods(ctx, tx, nt)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Entry("report_template.update", "report_template", strconv.FormatInt(id, 10),
			map[string]any{"name": in.Name, "version": version, "new_version": version != t.CurrentVersion, "periods_opened": opened}))
	})
	if err != nil {
		return Template{}, err
	}
	return s.GetTemplate(ctx, sub, id)
}

func minDate(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// SetActive stops a template (no new periods open) or starts it again.
func (s *Service) SetActive(ctx context.Context, sub access.Subject, actor audit.Actor, id int64, active bool) error {
	return postgres.InTx(ctx, s.db, func(tx pgx.Tx) error {
		t, err := s.lockManaged(ctx, tx, sub, id)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE report_templates SET active = $2, updated_at = now() WHERE id = $1`, id, active); err != nil {
			return err
		}
		if active {
			t.Active = true
			if _, err := s.openPeriods(ctx, tx, t); err != nil {
				return err
			}
		}
		action := "report_template.stop"
		if active {
			action = "report_template.start"
		}
		return audit.Record(ctx, tx, actor.Entry(action, "report_template", strconv.FormatInt(id, 10), nil))
	})
}

// lockManaged locks a template the subject manages: a template they cannot
// see is ErrTemplateNotFound, one they see but do not manage ErrNotManager.
func (s *Service) lockManaged(ctx context.Context, tx pgx.Tx, sub access.Subject, id int64) (Template, error) {
	var a postgres.Args
	var manage bool
	sql := `SELECT ` + sub.ReportManagePredicate("t.issuer_unit_id")(&a) + ` FROM report_templates t WHERE t.id = ` + a.Add(id) +
		` AND ` + sub.ReportOverseePredicate("t.issuer_unit_id")(&a) + ` FOR UPDATE OF t`
	if err := tx.QueryRow(ctx, sql, a.Values()...).Scan(&manage); err != nil {
		return Template{}, notFoundAs(err, ErrTemplateNotFound)
	}
	if !manage {
		return Template{}, ErrNotManager
	}
	return loadTemplate(ctx, tx, id)
}

// Version is one version of a template's fields.
type Version struct {
	Version       int       `db:"version" json:"version"`
	Name          string    `db:"name" json:"name"`
	Description   string    `db:"description" json:"description"`
	Fields        []Field   `db:"fields" json:"fields"`
	CreatedAt     time.Time `db:"created_at" json:"created_at"`
	CreatedByName *string   `db:"created_by_name" json:"created_by_name"`
	Submissions   int       `db:"submissions" json:"submissions"` // filled in or submitted with this version
}

// Versions lists a template's versions, newest first.
func (s *Service) Versions(ctx context.Context, sub access.Subject, id int64) ([]Version, error) {
	if _, err := s.GetTemplate(ctx, sub, id); err != nil {
		return nil, err
	}
	rows, _ := s.db.Query(ctx, `
		SELECT v.version, v.name, v.description, v.fields, v.created_at, u.full_name AS created_by_name,
			(SELECT count(*) FROM report_submissions s WHERE s.template_id = v.template_id AND s.version = v.version
				AND (s.draft_saved_at IS NOT NULL OR s.revision > 0))::int AS submissions
		FROM report_template_versions v LEFT JOIN users u ON u.id = v.created_by
		WHERE v.template_id = $1 ORDER BY v.version DESC`, id)
	return pgx.CollectRows(rows, pgx.RowToStructByName[Version])
}

// TemplateItem is a template in a list, with how its latest period stands.
type TemplateItem struct {
	ID           int64      `db:"id" json:"id"`
	Name         string     `db:"name" json:"name"`
	IssuerUnitID int64      `db:"issuer_unit_id" json:"issuer_unit_id"`
	IssuerName   string     `db:"issuer_name" json:"issuer_name"`
	PeriodKind   string     `db:"period_kind" json:"period_kind"`
	Active       bool       `db:"active" json:"active"`
	Version      int        `db:"current_version" json:"current_version"`
	PeriodID     *int64     `db:"period_id" json:"latest_period_id"`
	PeriodLabel  *string    `db:"period_label" json:"latest_period_label"`
	DueDate      *time.Time `db:"due_date" json:"latest_due_date"`
	Expected     int        `db:"expected" json:"expected"`
	Submitted    int        `db:"submitted" json:"submitted"` // submitted or accepted
}

// TemplateFilter selects templates.
type TemplateFilter struct {
	Q      string
	Cursor string
	Limit  int
}

// TemplatePage is one page of templates.
type TemplatePage struct {
	Items      []TemplateItem
	NextCursor string
}

type nameCursor struct {
	Name string `json:"n"`
	ID   int64  `json:"i"`
}

func encodeCursor(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(b, v)
	}
	if err != nil {
		return apperr.Invalid("Tham số phân trang (cursor) không hợp lệ.", map[string]string{"cursor": "Tham số phân trang không hợp lệ."})
	}
	return nil
}

// ListTemplates lists the templates the subject oversees, by name.
func (s *Service) ListTemplates(ctx context.Context, sub access.Subject, f TemplateFilter) (TemplatePage, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	var a postgres.Args
	where := []string{sub.ReportOverseePredicate("t.issuer_unit_id")(&a)}
	if q := strings.TrimSpace(f.Q); q != "" {
		where = append(where, "t.search LIKE '%' || vn_fold("+a.Add(q)+") || '%'")
	}
	if f.Cursor != "" {
		var c nameCursor
		if err := decodeCursor(f.Cursor, &c); err != nil {
			return TemplatePage{}, err
		}
		where = append(where, "(t.name, t.id) > ("+a.Add(c.Name)+"::text COLLATE vi, "+a.Add(c.ID)+")")
	}
	rows, _ := s.db.Query(ctx, `
		SELECT t.id, t.name, t.issuer_unit_id, iu.name AS issuer_name, t.period_kind, t.active, t.current_version,
			p.id AS period_id, p.label AS period_label, p.due_date,
			coalesce(c.expected, 0) AS expected, coalesce(c.submitted, 0) AS submitted
		FROM report_templates t JOIN units iu ON iu.id = t.issuer_unit_id
		LEFT JOIN LATERAL (SELECT id, label, due_date FROM report_periods WHERE template_id = t.id ORDER BY starts_on DESC, id DESC LIMIT 1) p ON true
		LEFT JOIN LATERAL (SELECT count(*)::int AS expected, (count(*) FILTER (WHERE status IN ('submitted', 'accepted')))::int AS submitted
			FROM report_submissions WHERE period_id = p.id) c ON true
		WHERE `+strings.Join(where, " AND ")+`
		ORDER BY t.name, t.id LIMIT `+a.Add(f.Limit+1), a.Values()...)
	items, err := pgx.CollectRows(rows, pgx.RowToStructByName[TemplateItem])
	if err != nil {
		return TemplatePage{}, fmt.Errorf("list templates: %w", err)
	}
	var page TemplatePage
	if len(items) > f.Limit {
		last := items[f.Limit-1]
		page.NextCursor = encodeCursor(nameCursor{Name: last.Name, ID: last.ID})
		items = items[:f.Limit]
	}
	page.Items = items
	if page.Items == nil {
		page.Items = []TemplateItem{}
	}
	return page, nil
}

// ---- Periods ----

// Period is one reporting period of a template with how it stands.
type Period struct {
	ID         int64     `db:"id" json:"id"`
	TemplateID int64     `db:"template_id" json:"template_id"`
	Label      string    `db:"label" json:"label"`
	StartsOn   time.Time `db:"starts_on" json:"starts_on"`
	EndsOn     time.Time `db:"ends_on" json:"ends_on"`
	DueDate    time.Time `db:"due_date" json:"due_date"`
	Counts
}

// Counts sums up a period's submissions.
type Counts struct {
	Expected  int `db:"expected" json:"expected"`
	Pending   int `db:"pending" json:"pending"`     // not sent up yet (including awaiting the unit's leader)
	Submitted int `db:"submitted" json:"submitted"` // sent, waiting for a decision
	Returned  int `db:"returned" json:"returned"`
	Accepted  int `db:"accepted" json:"accepted"`
	Late      int `db:"late" json:"late"`       // first sent after the due date
	Overdue   int `db:"overdue" json:"overdue"` // not sent and the due date has passed
}

const countColumns = `count(s.id)::int AS expected,
	(count(s.id) FILTER (WHERE s.status IN ('pending', 'awaiting_approval')))::int AS pending,
	(count(s.id) FILTER (WHERE s.status = 'submitted'))::int AS submitted,
	(count(s.id) FILTER (WHERE s.status = 'returned'))::int AS returned,
	(count(s.id) FILTER (WHERE s.status = 'accepted'))::int AS accepted,
	(count(s.id) FILTER (WHERE (s.first_submitted_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date > p.due_date))::int AS late,
	(count(s.id) FILTER (WHERE s.first_submitted_at IS NULL AND p.due_date < $1::date))::int AS overdue`

// Periods lists a template's periods, newest first.
func (s *Service) Periods(ctx context.Context, sub access.Subject, templateID int64) ([]Period, error) {
	if _, err := s.GetTemplate(ctx, sub, templateID); err != nil {
		return nil, err
	}
	rows, _ := s.db.Query(ctx, `
		SELECT p.id, p.template_id, p.label, p.starts_on, p.ends_on, p.due_date, `+countColumns+`
		FROM report_periods p LEFT JOIN report_submissions s ON s.period_id = p.id
		WHERE p.template_id = $2
		GROUP BY p.id ORDER BY p.starts_on DESC, p.id DESC LIMIT 500`, s.today(), templateID)
	return pgx.CollectRows(rows, pgx.RowToStructByName[Period])
}

// GetPeriod returns a period of a template the subject oversees.
func (s *Service) GetPeriod(ctx context.Context, sub access.Subject, id int64) (Period, Template, error) {
	var tid int64
	if err := s.db.QueryRow(ctx, `SELECT template_id FROM report_periods WHERE id = $1`, id).Scan(&tid); err != nil {
		return Period{}, Template{}, notFoundAs(err, ErrPeriodNotFound)
	}
	t, err := s.GetTemplate(ctx, sub, tid)
	if errors.Is(err, ErrTemplateNotFound) {
		return Period{}, Template{}, ErrPeriodNotFound
	}
	if err != nil {
		return Period{}, Template{}, err
	}
	rows, _ := s.db.Query(ctx, `
		SELECT p.id, p.template_id, p.label, p.starts_on, p.ends_on, p.due_date, `+countColumns+`
		FROM report_periods p LEFT JOIN report_submissions s ON s.period_id = p.id
		WHERE p.id = $2 GROUP BY p.id`, s.today(), id)
	p, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Period])
	return p, t, notFoundAs(err, ErrPeriodNotFound)
}

// openPeriods opens every period of a recurring template from its first
// up to the one holding today (at least the first one), with its due date
// and a submission row for each unit expected to report. It says how many
// periods it opened. Call it inside a transaction that locked the template.
func (s *Service) openPeriods(ctx context.Context, tx pgx.Tx, t Template) (int, error) {
	if t.PeriodKind == PeriodAdHoc || !t.Active {
		return 0, nil
	}
	rows, _ := tx.Query(ctx, `SELECT label FROM report_periods WHERE template_id = $1`, t.ID)
	labels, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return 0, err
	}
	have := map[string]bool{}
	for _, l := range labels {
		have[l] = true
	}
	today := s.today()
	limit := today
	if t.StartsOn.After(limit) {
		limit = t.StartsOn
	}
	opened := 0
	for day := t.StartsOn; ; {
		start, end, label := periodOf(t.PeriodKind, day)
		if start.IsZero() || start.After(limit) {
			break
		}
		day = end.AddDate(0, 0, 1)
		if have[label] {
			continue
		}
		due, err := s.dueDate(ctx, t.DueRule, t.DueN, end)
		if err != nil {
			return opened, err
		}
		if _, err := s.insertPeriod(ctx, tx, t, label, start, end, due, 0); err != nil {
			return opened, err
		}
		opened++
	}
	return opened, nil
}

// insertPeriod adds a period and its expected submissions; the recipients
// are resolved on its last day (or today while it runs).
func (s *Service) insertPeriod(ctx context.Context, tx pgx.Tx, t Template, label string, start, end, due time.Time, by int64) (int64, error) {
	var creator any
	if by != 0 {
		creator = by
	}
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO report_periods (template_id, label, starts_on, ends_on, due_date, created_by)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, t.ID, label, start, end, due, creator).Scan(&id)
	if err != nil {
		if postgres.IsUniqueViolation(err, "") {
			msg := "Mẫu báo cáo đã có kỳ này."
			return 0, apperr.Invalid(msg, map[string]string{"label": msg})
		}
		return 0, fmt.Errorf("insert period: %w", err)
	}
	on := minDate(end, s.today())
	if on.Before(start) {
		on = start
	}
	units, err := resolveRecipients(ctx, tx, t, on)
	if err != nil {
		return 0, err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO report_submissions (period_id, template_id, unit_id, version)
		SELECT $1, $2, unnest($3::bigint[]), $4 ON CONFLICT DO NOTHING`, id, t.ID, units, t.CurrentVersion); err != nil {
		return 0, fmt.Errorf("insert submissions: %w", err)
	}
	return id, nil
}

// resolveRecipients lists the units expected to report on day: every unit
// of the level below the issuer (through units existing that day), or the
// listed units — a listed unit that no longer exists is replaced by its
// successors existing that day. The issuer never reports to itself.
func resolveRecipients(ctx context.Context, q postgres.Querier, t Template, day time.Time) ([]int64, error) {
	var rows pgx.Rows
	if t.RecipientsKind == "subtree" && t.RecipientsLevel != nil {
		rows, _ = q.Query(ctx, `
			WITH RECURSIVE sub(id, level, depth) AS (
				SELECT u.id, u.level, 1 FROM units u
				WHERE u.parent_id = $1 AND u.valid_from <= $2 AND (u.valid_to IS NULL OR u.valid_to >= $2)
				UNION ALL
				SELECT u.id, u.level, sub.depth + 1 FROM units u JOIN sub ON u.parent_id = sub.id
				WHERE u.valid_from <= $2 AND (u.valid_to IS NULL OR u.valid_to >= $2) AND sub.depth < 20
			)
			SELECT DISTINCT id FROM sub WHERE level = $3::unit_level ORDER BY id`, t.IssuerUnitID, day, *t.RecipientsLevel)
	} else {
		rows, _ = q.Query(ctx, `
			WITH RECURSIVE r(id, depth) AS (
				SELECT unit_id, 0 FROM report_template_units WHERE template_id = $1
				UNION
				SELECT l.successor_id, r.depth + 1 FROM r
				JOIN units u ON u.id = r.id AND NOT (u.valid_from <= $2 AND (u.valid_to IS NULL OR u.valid_to >= $2))
				JOIN unit_succession l ON l.predecessor_id = r.id
				WHERE r.depth < 20
			)
			SELECT DISTINCT r.id FROM r JOIN units u ON u.id = r.id
			WHERE u.valid_from <= $2 AND (u.valid_to IS NULL OR u.valid_to >= $2) AND u.id <> $3
			ORDER BY r.id`, t.ID, day, t.IssuerUnitID)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("resolve recipients: %w", err)
	}
	if ids == nil {
		ids = []int64{}
	}
	return ids, nil
}

// AdHocInput opens one period of an ad hoc template.
type AdHocInput struct {
	Label    string    `json:"label"`
	StartsOn time.Time `json:"starts_on"`
	EndsOn   time.Time `json:"ends_on"`
	DueDate  time.Time `json:"due_date"`
}

// OpenAdHoc opens a period of an ad hoc template (đợt báo cáo đột xuất).
func (s *Service) OpenAdHoc(ctx context.Context, sub access.Subject, actor audit.Actor, templateID int64, in AdHocInput) (Period, error) {
	f := apperr.Fields{}
	in.Label = clean(in.Label)
	switch {
	case in.Label == "":
		f.Add("label", "Vui lòng đặt tên đợt báo cáo, ví dụ “Đợt 1/2026”.")
	case utf8.RuneCountInString(in.Label) > 200:
		f.Add("label", "Tên đợt dài tối đa 200 ký tự.")
	}
	if in.StartsOn.IsZero() {
		f.Add("starts_on", "Vui lòng nhập ngày bắt đầu kỳ số liệu.")
	}
	if in.EndsOn.IsZero() {
		f.Add("ends_on", "Vui lòng nhập ngày kết thúc kỳ số liệu.")
	} else if !in.StartsOn.IsZero() && in.EndsOn.Before(in.StartsOn) {
		f.Add("ends_on", "Ngày kết thúc không được trước ngày bắt đầu.")
	}
	if in.DueDate.IsZero() {
		f.Add("due_date", "Vui lòng nhập hạn nộp.")
	} else if in.DueDate.Before(s.today()) {
		f.Add("due_date", "Hạn nộp không được trước hôm nay.")
	}
	if err := f.Err(); err != nil {
		return Period{}, err
	}
	var id int64
	err := postgres.InTx(ctx, s.db, func(tx pgx.Tx) error {
		t, err := s.lockManaged(ctx, tx, sub, templateID)
		if err != nil {
			return err
		}
		if t.PeriodKind != PeriodAdHoc {
			return apperr.Conflict("Kỳ của báo cáo định kỳ được mở tự động theo lịch; chỉ báo cáo đột xuất mới mở đợt bằng tay.")
		}
		if !t.Active {
			return apperr.Conflict("Mẫu báo cáo đã ngừng sử dụng.")
		}
		if id, err = s.insertPeriod(ctx, tx, t, in.Label, dateOnly(in.StartsOn), dateOnly(in.EndsOn), dateOnly(in.DueDate), actor.UserID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Entry("report_period.open", "report_period", strconv.FormatInt(id, 10),
			map[string]any{"template_id": templateID, "label": in.Label, "due_date": in.DueDate.Format(time.DateOnly)}))
	})
	if err != nil {
		return Period{}, err
	}
	p, _, err := s.GetPeriod(ctx, sub, id)
	return p, err
}

// OpenDuePeriods opens the periods that have begun for every active
// recurring template (the schedule runs it; safe on many replicas: each
// template is locked while its periods open). It says how many opened.
func (s *Service) OpenDuePeriods(ctx context.Context) (int, error) {
	rows, _ := s.db.Query(ctx, `SELECT id FROM report_templates WHERE active AND period_kind <> 'ad_hoc' ORDER BY id`)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, fmt.Errorf("reports: list templates: %w", err)
	}
	total := 0
	for _, id := range ids {
		err := postgres.InTx(ctx, s.db, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `SELECT 1 FROM report_templates WHERE id = $1 FOR UPDATE`, id); err != nil {
				return err
			}
			t, err := loadTemplate(ctx, tx, id)
			if err != nil {
				return err
			}
			n, err := s.openPeriods(ctx, tx, t)
			total += n
			return err
		})
		if err != nil {
			return total, fmt.Errorf("reports: open periods of template %d: %w", id, err)
		}
	}
	return total, nil
}

// RunSchedule opens the periods that have begun now and then every
// interval until ctx ends, logging what it opened and any failure (retried
// at the next tick).
func (s *Service) RunSchedule(ctx context.Context, every time.Duration, log *slog.Logger) {
	if every <= 0 {
		every = time.Hour
	}
	if log == nil {
		log = s.log()
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		n, err := s.OpenDuePeriods(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			log.ErrorContext(ctx, "opening report periods failed", "err", err)
		case n > 0:
			log.InfoContext(ctx, "report periods opened", "periods", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
