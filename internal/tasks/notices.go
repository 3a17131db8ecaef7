package tasks

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"

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
// to skip (the person who acted); it returns those created, for e-mail.
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

// mailLater e-mails copies of delivered notices in the background, so a
// slow relay never holds up the request that made them.
func (s *Service) mailLater(ctx context.Context, notes []notice) {
	if m := s.Mailer; m != nil && len(notes) > 0 {
		go s.mail(context.WithoutCancel(ctx), m, notes)
	}
}

// mail e-mails copies of delivered notices through m, to people with an
// address; a failure is logged and the rest still go (the in-app
// notifications are stored already). It returns how many went.
func (s *Service) mail(ctx context.Context, m Mailer, notes []notice) int {
	if m == nil || len(notes) == 0 {
		return 0
	}
	log := s.Log
	if log == nil {
		log = slog.Default()
	}
	ids := make([]int64, 0, len(notes))
	for _, n := range notes {
		if !slices.Contains(ids, n.userID) {
			ids = append(ids, n.userID)
		}
	}
	rows, _ := s.db.Query(ctx, `SELECT id, email FROM users WHERE id = ANY($1) AND email <> '' AND disabled_at IS NULL`, ids)
	emails := map[int64]string{}
	var id int64
	var email string
	if _, err := pgx.ForEachRow(rows, []any{&id, &email}, func() error {
		emails[id] = email
		return nil
	}); err != nil {
		log.ErrorContext(ctx, "task e-mails: read addresses", "err", err)
		return 0
	}
	sent := 0
	for _, n := range notes {
		to, ok := emails[n.userID]
		if !ok {
			continue
		}
		body := n.title + "\n\nXem công việc: " + strings.TrimSuffix(s.BaseURL, "/") + n.link + "\n\n— Vanthu"
		if err := m.Send(ctx, to, "[Vanthu] "+n.title, body); err != nil {
			log.WarnContext(ctx, "task e-mail not sent", "err", err, "user_id", n.userID, "kind", n.kind)
			continue
		}
		sent++
	}
	return sent
}
