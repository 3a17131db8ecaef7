package outgoing

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"vanthu/internal/identity"
	"vanthu/internal/notify"
	"vanthu/internal/platform/postgres"
)

// Notifications go to whoever must act next, in the transaction of the
// change: reviewers of the step that starts, the clerks for the format
// check and the issue, the signer, the drafter on a return, the recipient
// units' clerks when a document arrives, is recalled, replaced or corrected.

// Link is the page of an outgoing document.
func Link(id int64) string { return fmt.Sprintf("/outgoing/%d", id) }

func short(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > 120 {
		return string([]rune(s)[:119]) + "…"
	}
	return s
}

func notifyUsers(ctx context.Context, q postgres.Querier, users []int64, kind, title string, docID int64) error {
	for _, u := range users {
		if _, err := notify.Create(ctx, q, u, kind, title, Link(docID)); err != nil {
			return err
		}
	}
	return nil
}

// usersWithRole lists the active people holding role in unit.
func usersWithRole(ctx context.Context, q postgres.Querier, unit int64, role identity.Role) ([]int64, error) {
	rows, _ := q.Query(ctx, `
		SELECT DISTINCT m.user_id FROM memberships m JOIN users u ON u.id = m.user_id AND u.disabled_at IS NULL
		WHERE m.unit_id = $1 AND m.role = $2 ORDER BY m.user_id`, unit, role)
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

func notifyRole(ctx context.Context, q postgres.Querier, unit int64, role identity.Role, kind, title string, docID int64) error {
	users, err := usersWithRole(ctx, q, unit, role)
	if err != nil {
		return err
	}
	return notifyUsers(ctx, q, users, kind, title, docID)
}

// notifyCopyClerks tells the clerks of each copy's unit about that copy
// (links go to the copy's page in their incoming register).
func notifyCopyClerks(ctx context.Context, q postgres.Querier, copies []int64, kind, title string) error {
	for _, c := range copies {
		var unit int64
		if err := q.QueryRow(ctx, `SELECT unit_id FROM documents WHERE id = $1`, c).Scan(&unit); err != nil {
			return err
		}
		users, err := usersWithRole(ctx, q, unit, identity.RoleClerk)
		if err != nil {
			return err
		}
		for _, u := range users {
			if _, err := notify.Create(ctx, q, u, kind, title, fmt.Sprintf("/documents/%d", c)); err != nil {
				return err
			}
		}
	}
	return nil
}

// notifyRecalled tells the recipients' clerks their copies were recalled.
func notifyRecalled(ctx context.Context, q postgres.Querier, copies []int64, subject, reason string) error {
	title := "Văn bản đã bị thu hồi: " + short(subject)
	if reason != "" {
		title += " (lý do: " + short(reason) + ")"
	}
	return notifyCopyClerks(ctx, q, copies, "incoming_recalled", title)
}
