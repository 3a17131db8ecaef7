package outgoing

// Replacing and correcting an issued document (domain §5). A content error
// needs a new document that replaces (thay thế) the original; a format
// error a document that corrects it (đính chính). Either is an ordinary
// draft of the same unit, linked to the original, that goes through the
// circuit and is issued with its own number. When a replacement is issued
// the original and every recipient's copy of it are marked replaced
// (replaced_at, replaced_by_id); a correction adds an entry to their
// timelines. The recipients' clerks are told.

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"vanthu/internal/access"
	"vanthu/internal/apperr"
	"vanthu/internal/audit"
	"vanthu/internal/documents"
	"vanthu/internal/platform/postgres"
)

// Link kinds.
const (
	LinkReplaces = "replaces"
	LinkCorrects = "corrects"
)

// LinkInput links a new draft to the issued document it replaces or
// corrects, with the reason (the error found).
type LinkInput struct {
	Kind     string `json:"kind"`
	TargetID int64  `json:"target_id"`
	Reason   string `json:"reason"`
}

// LinkKindLabel names a link kind in Vietnamese.
func LinkKindLabel(kind string) string {
	switch kind {
	case LinkReplaces:
		return "Thay thế"
	case LinkCorrects:
		return "Đính chính"
	}
	return kind
}

// afterCreate stores what CreateDraft's first slice did not know: the
// signer and the link (in CreateDraft's transaction).
func afterCreate(ctx context.Context, tx pgx.Tx, sub access.Subject, actor audit.Actor, id int64, in DraftInput) error {
	f := apperr.Fields{}
	if in.SignerUserID != 0 {
		if err := checkSigner(ctx, tx, in.SignerUserID, in.UnitID, in.Confidentiality, f); err != nil {
			return err
		}
	}
	var target *linkTarget
	if in.Link != nil {
		t, err := checkLink(ctx, tx, sub, in.UnitID, *in.Link, f)
		if err != nil {
			return err
		}
		target = t
	}
	if err := f.Err(); err != nil {
		return err
	}
	if in.SignerUserID != 0 {
		if _, err := tx.Exec(ctx, `UPDATE documents SET signer_user_id = $2 WHERE id = $1`, id, in.SignerUserID); err != nil {
			return err
		}
	}
	if target == nil {
		return nil
	}
	l := *in.Link
	if _, err := tx.Exec(ctx, `INSERT INTO outgoing_links (document_id, target_id, kind, reason, created_by) VALUES ($1, $2, $3, $4, $5)`,
		id, l.TargetID, l.Kind, strings.TrimSpace(l.Reason), actor.UserID); err != nil {
		return fmt.Errorf("link draft: %w", err)
	}
	kind := "replacement_drafted"
	if l.Kind == LinkCorrects {
		kind = "correction_drafted"
	}
	return addEvent(ctx, tx, l.TargetID, actor.UserID, kind, map[string]any{"document_id": id, "reason": strings.TrimSpace(l.Reason)})
}

type linkTarget struct {
	UnitID     int64      `db:"unit_id"`
	State      string     `db:"outgoing_state"`
	ReplacedAt *time.Time `db:"replaced_at"`
}

// checkLink validates a link: an issued (or recalled) document of the same
// unit the subject sees, not already replaced, and a reason.
func checkLink(ctx context.Context, q postgres.Querier, sub access.Subject, unit int64, l LinkInput, f apperr.Fields) (*linkTarget, error) {
	if l.Kind != LinkReplaces && l.Kind != LinkCorrects {
		f.Add("link_kind", "Chỉ thay thế (replaces) hoặc đính chính (corrects) một văn bản.")
		return nil, nil
	}
	reason := strings.TrimSpace(l.Reason)
	if reason == "" {
		f.Add("link_reason", "Vui lòng nêu sai sót cần "+strings.ToLower(LinkKindLabel(l.Kind))+".")
	} else if utf8.RuneCountInString(reason) > maxNoteRunes {
		f.Add("link_reason", "Lý do dài tối đa 2.000 ký tự.")
	}
	var a postgres.Args
	sql := `SELECT d.unit_id, d.outgoing_state, d.replaced_at FROM documents d WHERE d.id = ` + a.Add(l.TargetID) +
		` AND d.direction = 'outgoing' AND ` + documents.Visible(sub)(&a)
	rows, _ := q.Query(ctx, sql, a.Values()...)
	t, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[linkTarget])
	if errors.Is(err, pgx.ErrNoRows) {
		f.Add("link_target", "Không tìm thấy văn bản gốc.")
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	switch {
	case t.State != StateIssued && t.State != StateRecalled:
		f.Add("link_target", "Chỉ thay thế hoặc đính chính văn bản đã phát hành.")
	case t.UnitID != unit:
		f.Add("link_target", "Văn bản thay thế, đính chính do chính đơn vị đã ban hành văn bản gốc ban hành.")
	case l.Kind == LinkReplaces && t.ReplacedAt != nil:
		f.Add("link_target", "Văn bản gốc đã bị thay thế.")
	}
	return &t, nil
}

// afterIssue runs in Issue's transaction once the copies are delivered:
// it tells the recipients' clerks and the drafter, and carries out a
// replacement or correction.
func afterIssue(ctx context.Context, tx pgx.Tx, actor audit.Actor, id int64, symbol string, now time.Time) error {
	var subject string
	var drafter *int64
	if err := tx.QueryRow(ctx, `SELECT subject, created_by FROM documents WHERE id = $1`, id).Scan(&subject, &drafter); err != nil {
		return err
	}
	rows, _ := tx.Query(ctx, `SELECT delivered_document_id FROM outgoing_recipients WHERE document_id = $1 AND delivered_document_id IS NOT NULL ORDER BY position`, id)
	copies, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return err
	}
	if err := notifyCopyClerks(ctx, tx, copies, "incoming_arrived", "Văn bản đến chờ vào sổ: "+symbol+" — "+short(subject)); err != nil {
		return err
	}
	if drafter != nil && *drafter != actor.UserID {
		if err := notifyUsers(ctx, tx, []int64{*drafter}, "outgoing_issued", "Đã phát hành văn bản "+symbol+": "+short(subject), id); err != nil {
			return err
		}
	}
	var target int64
	var kind string
	err = tx.QueryRow(ctx, `SELECT target_id, kind FROM outgoing_links WHERE document_id = $1`, id).Scan(&target, &kind)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	var targetSymbol, targetSubject string
	var replaced *time.Time
	if err := tx.QueryRow(ctx, `SELECT symbol, subject, replaced_at FROM documents WHERE id = $1 FOR UPDATE`, target).Scan(&targetSymbol, &targetSubject, &replaced); err != nil {
		return err
	}
	rows, _ = tx.Query(ctx, `SELECT id, unit_id FROM documents WHERE source_document_id = $1 ORDER BY id FOR UPDATE`, target)
	type cp struct{ id, unit int64 }
	var old []cp
	var c cp
	if _, err := pgx.ForEachRow(rows, []any{&c.id, &c.unit}, func() error { old = append(old, c); return nil }); err != nil {
		return err
	}
	details := map[string]any{"document_id": id, "symbol": symbol}
	event := "corrected"
	title := "Văn bản " + targetSymbol + " được đính chính bởi văn bản " + symbol
	if kind == LinkReplaces {
		if replaced != nil {
			return apperr.Conflict("Văn bản gốc " + targetSymbol + " đã bị thay thế bởi một văn bản khác; không phát hành văn bản thay thế thứ hai.")
		}
		event = "replaced"
		title = "Văn bản " + targetSymbol + " đã bị thay thế bởi văn bản " + symbol
		if _, err := tx.Exec(ctx, `UPDATE documents SET replaced_at = $2, replaced_by_id = $3, updated_at = now() WHERE id = $1`, target, now, id); err != nil {
			return err
		}
		for _, o := range old {
			// The recipient's own copy of the replacement, when it got one.
			var by *int64
			err := tx.QueryRow(ctx, `SELECT id FROM documents WHERE source_document_id = $1 AND unit_id = $2 ORDER BY id LIMIT 1`, id, o.unit).Scan(&by)
			if err != nil && !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE documents SET replaced_at = $2, replaced_by_id = $3, updated_at = now() WHERE id = $1`, o.id, now, by); err != nil {
				return err
			}
		}
	}
	if err := addEvent(ctx, tx, target, actor.UserID, event, details); err != nil {
		return err
	}
	ids := make([]int64, 0, len(old))
	for _, o := range old {
		ids = append(ids, o.id)
		if err := addEvent(ctx, tx, o.id, actor.UserID, event, map[string]any{"symbol": symbol}); err != nil {
			return err
		}
	}
	if err := notifyCopyClerks(ctx, tx, ids, "incoming_"+event, title); err != nil {
		return err
	}
	return audit.Record(ctx, tx, actor.Entry("outgoing."+event, "document", strconv.FormatInt(target, 10), details))
}

// LinkedDoc is a document at the other end of a link.
type LinkedDoc struct {
	ID         int64      `db:"id" json:"id"`
	Kind       string     `db:"kind" json:"kind"`
	Reason     string     `db:"reason" json:"reason"`
	State      string     `db:"outgoing_state" json:"status"`
	Symbol     string     `db:"symbol" json:"symbol"`
	IssuedDate *time.Time `db:"issued_date" json:"issued_date"`
	Subject    string     `db:"subject" json:"subject"`
	Visible    bool       `db:"visible" json:"-"`
}

// Links are a document's links: the original it replaces or corrects, and
// the documents that replace or correct it.
type Links struct {
	Original *LinkedDoc  `json:"original"`
	By       []LinkedDoc `json:"by"`
}

// LinksOf returns a visible outgoing document's links. Linked documents
// the subject may not open are named but not linked (Visible false).
func (s *Service) LinksOf(ctx context.Context, sub access.Subject, id int64) (Links, error) {
	var out Links
	if _, err := s.Get(ctx, sub, id); err != nil {
		return out, err
	}
	var a postgres.Args
	visible := documents.Visible(sub)(&a)
	p := a.Add(id)
	rows, _ := s.db.Query(ctx, `
		SELECT d.id, l.kind, l.reason, d.outgoing_state, d.symbol, d.issued_date, d.subject, `+visible+` AS visible
		FROM outgoing_links l JOIN documents d ON d.id = l.target_id WHERE l.document_id = `+p, a.Values()...)
	orig, err := pgx.CollectRows(rows, pgx.RowToStructByName[LinkedDoc])
	if err != nil {
		return out, err
	}
	if len(orig) == 1 {
		out.Original = &orig[0]
	}
	rows, _ = s.db.Query(ctx, `
		SELECT d.id, l.kind, l.reason, d.outgoing_state, d.symbol, d.issued_date, d.subject, `+visible+` AS visible
		FROM outgoing_links l JOIN documents d ON d.id = l.document_id WHERE l.target_id = `+p+`
		ORDER BY d.created_at, d.id`, a.Values()...)
	out.By, err = pgx.CollectRows(rows, pgx.RowToStructByName[LinkedDoc])
	if out.By == nil {
		out.By = []LinkedDoc{}
	}
	return out, err
}

// CopyNotice is what a recipient's copy shows about its original: recalled,
// replaced (and by which document) or corrected.
type CopyNotice struct {
	SourceID     *int64     `json:"source_document_id"`
	RecalledAt   *time.Time `json:"recalled_at"`
	ReplacedAt   *time.Time `json:"replaced_at"`
	ReplacedByID *int64     `json:"replaced_by_id"` // the recipient's copy of the replacement, if any
	ReplacedBy   string     `json:"replaced_by"`    // its number and symbol
	Corrections  []string   `json:"corrections"`    // symbols of issued corrections
	RejectReason string     `json:"reject_reason"`  // when the recipient refused it (02)
}

// CopyNoticeOf describes a document delivered on the platform; ok is false
// for any other document. The caller has checked visibility.
func (s *Service) CopyNoticeOf(ctx context.Context, docID int64) (CopyNotice, bool, error) {
	var n CopyNotice
	err := s.db.QueryRow(ctx, `SELECT source_document_id, recalled_at, replaced_at, replaced_by_id, reject_reason FROM documents WHERE id = $1`, docID).
		Scan(&n.SourceID, &n.RecalledAt, &n.ReplacedAt, &n.ReplacedByID, &n.RejectReason)
	if err != nil || n.SourceID == nil {
		return n, false, err
	}
	err = s.db.QueryRow(ctx, `
		SELECT coalesce((SELECT d.symbol FROM documents o JOIN documents d ON d.id = o.replaced_by_id WHERE o.id = $1), '')`,
		*n.SourceID).Scan(&n.ReplacedBy)
	if err != nil {
		return n, true, err
	}
	rows, _ := s.db.Query(ctx, `
		SELECT d.symbol FROM outgoing_links l JOIN documents d ON d.id = l.document_id
		WHERE l.target_id = $1 AND l.kind = 'corrects' AND d.outgoing_state IN ('issued', 'recalled') ORDER BY d.issued_at, d.id`, *n.SourceID)
	n.Corrections, err = pgx.CollectRows(rows, pgx.RowTo[string])
	return n, true, err
}
