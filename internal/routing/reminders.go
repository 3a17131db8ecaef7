package routing

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"vanthu/internal/notify"
	"vanthu/internal/platform/postgres"
)

// ReminderResult counts what one reminder pass did.
type ReminderResult struct {
	NearDue       int // assignments reminded as due within one working day
	Overdue       int // assignments reminded as overdue
	Notifications int
}

const reminderBatch = 200

// Remind notifies, once per state, whoever handles an open assignment that
// is due within one working day (near-due) or past its deadline (overdue);
// overdue ones also go to whoever assigned them. reminded_at remembers the
// last reminder: an assignment reminded on or before its deadline day is
// reminded once more when it becomes overdue, never again after that.
// Informed parts are not chased. The outbox (notify.Outbox) e-mails the
// reminders when SMTP is configured.
func (s *Service) Remind(ctx context.Context) (ReminderResult, error) {
	var res ReminderResult
	today := Today()
	soon, err := s.days.AddWorkingDays(ctx, today, 1)
	if err != nil {
		return res, fmt.Errorf("reminders: next working day: %w", err)
	}
	soon = dateOf(soon)
	for {
		n := 0
		err := postgres.InTx(ctx, s.db, func(tx pgx.Tx) error {
			rows, _ := tx.Query(ctx, `
				SELECT a.id, a.document_id, a.assignee_user_id, a.assignee_unit_id, a.assigned_by, a.deadline, d.subject, a.deadline < $1 AS overdue
				FROM assignments a JOIN documents d ON d.id = a.document_id
				WHERE a.status IN ('assigned', 'in_progress') AND a.role <> 'inform' AND d.recalled_at IS NULL
				AND a.deadline IS NOT NULL AND a.deadline <= $2
				AND (a.reminded_at IS NULL
					OR (a.deadline < $1 AND (a.reminded_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date <= a.deadline))
				ORDER BY a.id
				LIMIT $3
				FOR UPDATE OF a SKIP LOCKED`, today, soon, reminderBatch)
			type due struct {
				id, docID          int64
				userID, unitID, by *int64
				deadline           time.Time
				subject            string
				overdue            bool
			}
			var list []due
			var d due
			if _, err := pgx.ForEachRow(rows, []any{&d.id, &d.docID, &d.userID, &d.unitID, &d.by, &d.deadline, &d.subject, &d.overdue}, func() error {
				list = append(list, d)
				return nil
			}); err != nil {
				return err
			}
			n = len(list)
			for _, d := range list {
				to, err := recipients(ctx, tx, d.userID, d.unitID)
				if err != nil {
					return err
				}
				kind, state := "reminder_due", "near_due"
				title := fmt.Sprintf("Sắp đến hạn xử lý (%s): %s", d.deadline.Format("02/01/2006"), short(d.subject))
				if d.overdue {
					kind, state = "reminder_overdue", "overdue"
					title = fmt.Sprintf("Quá hạn xử lý (hạn %s): %s", d.deadline.Format("02/01/2006"), short(d.subject))
					res.Overdue++
				} else {
					res.NearDue++
				}
				link := docLink(d.docID)
				for _, uid := range to {
					if _, err := notify.Create(ctx, tx, uid, kind, title, link); err != nil {
						return err
					}
					res.Notifications++
				}
				if d.overdue && d.by != nil && !slices.Contains(to, *d.by) {
					esc := fmt.Sprintf("Việc đã giao quá hạn (hạn %s): %s", d.deadline.Format("02/01/2006"), short(d.subject))
					if _, err := notify.Create(ctx, tx, *d.by, "overdue_escalation", esc, link); err != nil {
						return err
					}
					res.Notifications++
				}
				if _, err := tx.Exec(ctx, `UPDATE assignments SET reminded_at = now() WHERE id = $1`, d.id); err != nil {
					return fmt.Errorf("mark reminded: %w", err)
				}
				if err := addEvent(ctx, tx, d.docID, 0, "reminded", map[string]any{"assignment_id": d.id, "state": state}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return res, fmt.Errorf("reminders: %w", err)
		}
		if n < reminderBatch {
			break
		}
	}
	return res, nil
}

// RunReminders runs Remind now and then every interval until ctx ends,
// logging what it sent and any failure (a failed pass is retried at the
// next tick).
func (s *Service) RunReminders(ctx context.Context, every time.Duration, log *slog.Logger) {
	if every <= 0 {
		every = time.Hour
	}
	if log == nil {
		log = slog.Default()
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		res, err := s.Remind(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			log.ErrorContext(ctx, "deadline reminders failed", "err", err)
		case res.Notifications > 0:
			log.InfoContext(ctx, "deadline reminders sent", "near_due", res.NearDue, "overdue", res.Overdue,
				"notifications", res.Notifications)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
