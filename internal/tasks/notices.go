package tasks

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"vanthu/internal/notify"
	"vanthu/internal/platform/postgres"
)

// Notification kinds.
const (
	KindAssigned           = "task_assigned"
	KindExtensionRequested = "task_extension_requested"
	KindExtensionDecided   = "task_extension_decided"
	KindCompleted          = "task_completed"
	KindAccepted           = "task_accepted"
	KindReturned           = "task_returned"
	KindCancelled          = "task_cancelled"
	KindNearDue            = "task_near_due"
	KindOverdue            = "task_overdue"
	KindNearDueEscalation  = "task_near_due_escalation"
	KindOverdueEscalation  = "task_overdue_escalation"
)

// notice is one notification to create.
type notice struct {
	userID      int64
	kind, title string
	link        string
}

// recipients are the people who act for an assignee: the person, or the
// leaders of the unit (all its members when it has none).
func recipients(ctx context.Context, q postgres.Querier, a Assignee) ([]int64, error) {
	if a.UserID != nil {
		return []int64{*a.UserID}, nil
	}
	if a.UnitID == nil {
		return nil, nil
	}
	rows, _ := q.Query(ctx, `
		WITH r AS (
			SELECT m.user_id, m.role FROM memberships m JOIN users u ON u.id = m.user_id
			WHERE m.unit_id = $1 AND m.role <> 'admin' AND u.disabled_at IS NULL
		)
		SELECT DISTINCT user_id FROM r
		WHERE role = 'leader' OR NOT EXISTS (SELECT 1 FROM r WHERE role = 'leader')
		ORDER BY user_id`, *a.UnitID)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("task notification recipients: %w", err)
	}
	return ids, nil
}

// toAssignees addresses a notice to whoever acts for each assignee of
// role ("" for every role).
func toAssignees(ctx context.Context, q postgres.Querier, as []Assignee, role, kind, title, link string) ([]notice, error) {
	var out []notice
	for _, a := range as {
		if role != "" && a.Role != role {
			continue
		}
		ids, err := recipients(ctx, q, a)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			out = append(out, notice{id, kind, title, link})
		}
	}
	return out, nil
}

// deliver creates the notices inside tx, once per person and kind, never
// to skip (the person who acted); it returns those created. The outbox
// (notify.Outbox) e-mails them.
func deliver(ctx context.Context, tx pgx.Tx, notes []notice, skip int64) ([]notice, error) {
	var out []notice
	seen := map[string]bool{}
	for _, n := range notes {
		key := fmt.Sprint(n.userID, n.kind, n.link)
		if n.userID == 0 || n.userID == skip || seen[key] {
			continue
		}
		seen[key] = true
		if _, err := notify.Create(ctx, tx, n.userID, n.kind, n.title, n.link); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}
