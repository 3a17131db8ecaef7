package reports

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"vanthu/internal/access"
	"vanthu/internal/apperr"
	"vanthu/internal/audit"
	"vanthu/internal/identity"
	"vanthu/internal/notify"
	"vanthu/internal/platform/postgres"
	"vanthu/internal/platform/vntime"
)

// Row is one expected unit of a period, as the upper unit sees it.
type Row struct {
	SubmissionID     int64      `db:"id" json:"submission_id"`
	UnitID           int64      `db:"unit_id" json:"unit_id"`
	UnitName         string     `db:"unit_name" json:"unit_name"`
	UnitCode         *string    `db:"unit_code" json:"unit_code"`
	Status           string     `db:"status" json:"status"`
	Revision         int        `db:"revision" json:"revision"`
	DueDate          time.Time  `db:"due_date" json:"due_date"`
	DraftSavedAt     *time.Time `db:"draft_saved_at" json:"draft_saved_at"`
	FirstSubmittedAt *time.Time `db:"first_submitted_at" json:"first_submitted_at"`
	SubmittedAt      *time.Time `db:"submitted_at" json:"submitted_at"`
	DecidedAt        *time.Time `db:"decided_at" json:"decided_at"`
	Reminders        int        `db:"reminders" json:"reminders"`
	LastRemindedAt   *time.Time `db:"last_reminded_at" json:"last_reminded_at"`
}

// Late reports whether the unit first sent the report after the due date.
func (r Row) Late() bool {
	return r.FirstSubmittedAt != nil && vntime.DateOf(*r.FirstSubmittedAt).After(r.DueDate)
}

// Overdue reports whether the unit has sent nothing and the due date has
// passed.
func (r Row) Overdue(today time.Time) bool {
	return r.FirstSubmittedAt == nil && today.After(r.DueDate)
}

// States of the matrix filter.
const (
	StateAll       = ""
	StateMissing   = "missing"   // not sent (pending or awaiting the unit's leader)
	StateLate      = "late"      // first sent after the due date
	StateSubmitted = "submitted" // sent, waiting for a decision
	StateReturned  = "returned"
	StateAccepted  = "accepted"
)

// RowStates lists the matrix filters in display order.
var RowStates = []string{StateAll, StateMissing, StateLate, StateSubmitted, StateReturned, StateAccepted}

func stateWhere(state string) (string, bool) {
	switch state {
	case StateAll:
		return "TRUE", true
	case StateMissing:
		return "s.status IN ('pending', 'awaiting_approval')", true
	case StateLate:
		return "(s.first_submitted_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date > p.due_date", true
	case StateSubmitted, StateReturned, StateAccepted:
		return "s.status = '" + state + "'", true
	}
	return "", false
}

// RowFilter selects rows of a period.
type RowFilter struct {
	State  string
	Q      string // unit name or code, with or without diacritics
	Cursor string
	Limit  int
}

// RowPage is one page of a period's rows, by unit name.
type RowPage struct {
	Items      []Row
	NextCursor string
}

// Rows lists a period's expected units with the state of their reports.
func (s *Service) Rows(ctx context.Context, sub access.Subject, periodID int64, f RowFilter) (RowPage, error) {
	if _, _, err := s.GetPeriod(ctx, sub, periodID); err != nil {
		return RowPage{}, err
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 200
	}
	state, ok := stateWhere(f.State)
	if !ok {
		return RowPage{}, apperr.Invalid("Trạng thái lọc không hợp lệ.", map[string]string{"state": "Trạng thái phải là một trong: missing, late, submitted, returned, accepted."})
	}
	var a postgres.Args
	where := []string{"s.period_id = " + a.Add(periodID), state}
	if q := strings.TrimSpace(f.Q); q != "" {
		where = append(where, "u.search LIKE '%' || vn_fold("+a.Add(q)+") || '%'")
	}
	if f.Cursor != "" {
		var c nameCursor
		if err := decodeCursor(f.Cursor, &c); err != nil {
			return RowPage{}, err
		}
		where = append(where, "(u.name, u.id) > ("+a.Add(c.Name)+"::text COLLATE vi, "+a.Add(c.ID)+")")
	}
	rows, _ := s.db.Query(ctx, `
		SELECT s.id, s.unit_id, u.name AS unit_name, u.code AS unit_code, s.status, s.revision, p.due_date, s.draft_saved_at,
			s.first_submitted_at, s.submitted_at, s.decided_at,
			coalesce(r.n, 0) AS reminders, r.last AS last_reminded_at
		FROM report_submissions s
		JOIN report_periods p ON p.id = s.period_id
		JOIN units u ON u.id = s.unit_id
		LEFT JOIN LATERAL (SELECT count(*)::int AS n, max(e.at) AS last FROM report_events e
			WHERE e.submission_id = s.id AND e.kind = 'reminded') r ON true
		WHERE `+strings.Join(where, " AND ")+`
		ORDER BY u.name, u.id LIMIT `+a.Add(f.Limit+1), a.Values()...)
	items, err := pgx.CollectRows(rows, pgx.RowToStructByName[Row])
	if err != nil {
		return RowPage{}, fmt.Errorf("period rows: %w", err)
	}
	var page RowPage
	if len(items) > f.Limit {
		last := items[f.Limit-1]
		page.NextCursor = encodeCursor(nameCursor{Name: last.UnitName, ID: last.UnitID})
		items = items[:f.Limit]
	}
	page.Items = items
	if page.Items == nil {
		page.Items = []Row{}
	}
	return page, nil
}

// RemindResult counts what a reminder did.
type RemindResult struct {
	Units         int `json:"units"`
	Notifications int `json:"notifications"`
}

// Remind notifies the leaders and clerks (and whoever last worked on the
// draft) of every unit of the period that has not sent its report — or
// of the given submissions only — and records each reminder on the
// submission, so repeated reminders show. The outbox (notify.Outbox)
// e-mails them when SMTP is configured. A manager of the template.
func (s *Service) Remind(ctx context.Context, sub access.Subject, actor audit.Actor, periodID int64, only []int64) (RemindResult, error) {
	var res RemindResult
	err := postgres.InTx(ctx, s.db, func(tx pgx.Tx) error {
		var tid int64
		var label string
		var due time.Time
		if err := tx.QueryRow(ctx, `SELECT template_id, label, due_date FROM report_periods WHERE id = $1`, periodID).Scan(&tid, &label, &due); err != nil {
			return notFoundAs(err, ErrPeriodNotFound)
		}
		t, err := s.lockManaged(ctx, tx, sub, tid)
		if err == ErrTemplateNotFound {
			return ErrPeriodNotFound
		}
		if err != nil {
			return err
		}
		var a postgres.Args
		where := "s.period_id = " + a.Add(periodID) + " AND s.status IN ('pending', 'awaiting_approval', 'returned')"
		if only != nil {
			where += " AND s.id = ANY(" + a.Add(only) + "::bigint[])"
		}
		rows, _ := tx.Query(ctx, `SELECT s.id, s.unit_id, s.draft_saved_by FROM report_submissions s WHERE `+where+
			` ORDER BY s.id FOR UPDATE`, a.Values()...)
		type target struct {
			id, unit int64
			drafter  *int64
		}
		var targets []target
		var tg target
		if _, err := pgx.ForEachRow(rows, []any{&tg.id, &tg.unit, &tg.drafter}, func() error {
			targets = append(targets, tg)
			return nil
		}); err != nil {
			return err
		}
		if only != nil && len(targets) != len(only) {
			return apperr.Conflict("Chỉ nhắc được đơn vị chưa nộp báo cáo của kỳ này.")
		}
		overdue := s.today().After(due)
		title := fmt.Sprintf("Nhắc nộp báo cáo (hạn %s): %s — %s", due.Format("02/01/2006"), t.Name, label)
		if overdue {
			title = fmt.Sprintf("Quá hạn nộp báo cáo (hạn %s): %s — %s", due.Format("02/01/2006"), t.Name, label)
		}
		for _, tg := range targets {
			people, err := unitPeople(ctx, tx, tg.unit, identity.RoleLeader, identity.RoleClerk)
			if err != nil {
				return err
			}
			if tg.drafter != nil && !containsID(people, *tg.drafter) {
				people = append(people, *tg.drafter)
			}
			link := SubmissionLink(tg.id)
			for _, uid := range people {
				if _, err := notify.Create(ctx, tx, uid, "report_reminder", title, link); err != nil {
					return err
				}
			}
			if err := addEvent(ctx, tx, tg.id, actor.UserID, "reminded", nil, "", map[string]any{"notified": len(people), "overdue": overdue}); err != nil {
				return err
			}
			res.Units++
			res.Notifications += len(people)
		}
		if res.Units == 0 {
			return nil
		}
		return audit.Record(ctx, tx, actor.Entry("report.remind", "report_period", strconv.FormatInt(periodID, 10),
			map[string]any{"units": res.Units, "notifications": res.Notifications, "overdue": overdue}))
	})
	if err != nil {
		return RemindResult{}, err
	}
	return res, nil
}
