package tasks

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"

	"vanthu/internal/platform/postgres"
	"vanthu/internal/platform/vntime"
)

// EscalationResult counts what one escalation pass did.
type EscalationResult struct {
	NearDue       int // tasks escalated as due within one working day
	Overdue       int // tasks escalated as past their due date
	Notifications int
}

const escalationBatch = 200

// Escalate looks at open tasks as of the instant now (its day in Vietnam)
// and tells the assigner, and whoever acts for the lead, about each task
// due by the next working day (near-due) and each task past its due date
// (overdue). Each escalation is sent once per due date: the task remembers
// the due date it was about, so running again changes nothing, and an
// approved extension lets them come again for the new date. Concurrent
// runs on several replicas skip each other's rows.
func (s *Service) Escalate(ctx context.Context, now time.Time) (EscalationResult, error) {
	var res EscalationResult
	today := vntime.DateOf(now)
	soon, err := s.days.AddWorkingDays(ctx, today, 1)
	if err != nil {
		return res, fmt.Errorf("escalations: next working day: %w", err)
	}
	soon = dateOf(soon)
	for {
		var n int
		err := postgres.InTx(ctx, s.db, func(tx pgx.Tx) error {
			rows, _ := tx.Query(ctx, `
				SELECT t.id, t.title, t.due_date, t.assigner_id, t.due_date < $1 AS overdue
				FROM tasks t
				WHERE t.status IN ('new', 'in_progress', 'returned') AND t.due_date <= $2
				AND ((t.due_date < $1 AND t.overdue_sent_for IS DISTINCT FROM t.due_date)
					OR (t.due_date >= $1 AND t.near_due_sent_for IS DISTINCT FROM t.due_date))
				ORDER BY t.due_date, t.id
				LIMIT $3
				FOR UPDATE OF t SKIP LOCKED`, today, soon, escalationBatch)
			type due struct {
				id, assigner int64
				title        string
				dueDate      time.Time
				overdue      bool
			}
			var list []due
			var d due
			if _, err := pgx.ForEachRow(rows, []any{&d.id, &d.title, &d.dueDate, &d.assigner, &d.overdue}, func() error {
				list = append(list, d)
				return nil
			}); err != nil {
				return err
			}
			n = len(list)
			var notes []notice
			for _, d := range list {
				as, err := assignees(ctx, tx, d.id)
				if err != nil {
					return err
				}
				link := taskLink(d.id)
				day := d.dueDate.Format("02/01/2006")
				kind, escKind, state := KindNearDue, KindNearDueEscalation, "near_due"
				title := fmt.Sprintf("Sắp đến hạn công việc (hạn %s): %s", day, short(d.title))
				esc := fmt.Sprintf("Việc đã giao sắp đến hạn (hạn %s): %s", day, short(d.title))
				set := `near_due_sent_for = due_date`
				if d.overdue {
					kind, escKind, state = KindOverdue, KindOverdueEscalation, "overdue"
					title = fmt.Sprintf("Quá hạn công việc (hạn %s): %s", day, short(d.title))
					esc = fmt.Sprintf("Việc đã giao quá hạn (hạn %s): %s", day, short(d.title))
					set = `overdue_sent_for = due_date, near_due_sent_for = due_date`
					res.Overdue++
				} else {
					res.NearDue++
				}
				notes = append(notes, notice{d.assigner, escKind, esc, link})
				lead, err := toAssignees(ctx, tx, as, RoleLead, kind, title, link)
				if err != nil {
					return err
				}
				for _, l := range lead {
					if l.userID != d.assigner {
						notes = append(notes, l)
					}
				}
				if _, err := tx.Exec(ctx, `UPDATE tasks SET `+set+` WHERE id = $1`, d.id); err != nil {
					return fmt.Errorf("mark escalated: %w", err)
				}
				if err := addTaskEvent(ctx, tx, d.id, 0, state, map[string]any{"due_date": d.dueDate.Format(time.DateOnly)}); err != nil {
					return err
				}
			}
			sent, err := deliver(ctx, tx, notes, 0)
			if err != nil {
				return err
			}
			res.Notifications += len(sent)
			return nil
		})
		if err != nil {
			return res, fmt.Errorf("escalations: %w", err)
		}
		if n < escalationBatch {
			break
		}
	}
	return res, nil
}

// RunEscalations runs Escalate now and then every interval until ctx ends,
// logging what it sent and any failure (retried at the next tick).
func (s *Service) RunEscalations(ctx context.Context, every time.Duration, log *slog.Logger) {
	if every <= 0 {
		every = time.Hour
	}
	if log == nil {
		log = slog.Default()
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		res, err := s.Escalate(ctx, time.Now())
		switch {
		case err != nil && ctx.Err() == nil:
			log.ErrorContext(ctx, "task escalations failed", "err", err)
		case res.Notifications > 0:
			log.InfoContext(ctx, "task escalations sent", "near_due", res.NearDue, "overdue", res.Overdue,
				"notifications", res.Notifications)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
