package server

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"vanthu/internal/access"
	"vanthu/internal/apperr"
	"vanthu/internal/audit"
	"vanthu/internal/documents"
	"vanthu/internal/platform/objectstore"
	"vanthu/internal/printout"
	"vanthu/internal/registry"
)

// printoutRoutes serve the paper artefacts of the incoming flow: the
// "ĐẾN" slip of a document, the incoming register to print and bind, and
// the list as a spreadsheet. Mounted in the signed-in page group.
func (s *Server) printoutRoutes(r chi.Router) {
	r.Get("/documents/{id:[0-9]+}/receipt.pdf", s.receiptPDF)
	r.Get("/incoming/register.pdf", s.incomingRegisterPDF)
	r.Get("/incoming/export.xlsx", s.incomingExportXLSX)
}

const (
	// maxExportRows bounds one register or export: about a large
	// committee's year of incoming documents.
	maxExportRows  = 20000
	exportPageSize = 200
)

var errExportTooLarge = apperr.Invalid(fmt.Sprintf(
	"Có hơn %s văn bản phù hợp, vượt quá giới hạn của một lần in hoặc xuất. Vui lòng thu hẹp khoảng thời gian (từ ngày, đến ngày) hoặc thêm điều kiện lọc.",
	groupThousands(maxExportRows)), map[string]string{"from": "Vui lòng chọn khoảng thời gian ngắn hơn."})

// groupThousands writes 20000 as 20.000, the Vietnamese way.
func groupThousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "." + s[i:]
	}
	return s
}

func (s *Server) receiptPDF(w http.ResponseWriter, r *http.Request) {
	id, ok := s.documentID(w, r, "id")
	if !ok {
		return
	}
	d, err := s.docs.Get(r.Context(), subjectFrom(r.Context()), id)
	if err != nil {
		if errors.Is(err, documents.ErrNotFound) {
			s.recordAudit(r, audit.Entry{Action: "document.print_receipt", Outcome: audit.OutcomeDenied,
				ObjectType: "document", ObjectID: strconv.FormatInt(id, 10)})
		}
		s.writeError(w, r, err)
		return
	}
	if d.Direction != "incoming" || d.ArrivalNumber == nil || d.ArrivedAt == nil {
		s.writeError(w, r, apperr.Invalid("Văn bản này chưa được vào sổ văn bản đến nên chưa có dấu “ĐẾN” để in.", nil))
		return
	}
	var buf bytes.Buffer
	err = printout.ReceiptPDF(&buf, printout.Receipt{
		UnitName: d.UnitName, ArrivalNumber: *d.ArrivalNumber, ArrivedAt: *d.ArrivedAt,
		Symbol: d.Symbol, OrganName: d.OrganName, Subject: d.Subject, TypeName: d.TypeName, IssuedDate: d.IssuedDate,
	})
	if err != nil {
		s.serverError(w, r, fmt.Errorf("receipt of document %d: %w", id, err))
		return
	}
	s.recordAudit(r, audit.Entry{Action: "document.print_receipt", Outcome: audit.OutcomeSuccess,
		ObjectType: "document", ObjectID: strconv.FormatInt(id, 10), Details: map[string]any{"arrival_number": *d.ArrivalNumber}})
	writeDownload(w, "application/pdf", fmt.Sprintf("Dấu đến số %d.pdf", *d.ArrivalNumber), true, buf.Bytes())
}

// incomingRegisterPDF prints the incoming register of one register over a
// date range: ?from=dd/mm/yyyy&to=dd/mm/yyyy (default: this month in
// Vietnam) &register_id= (default: the default incoming register of the
// user's only unit).
func (s *Server) incomingRegisterPDF(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sub := subjectFrom(ctx)
	q := r.URL.Query()
	fields := apperr.Fields{}
	now := time.Now().In(vietnam)
	from := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(0, 1, -1)
	for key, dst := range map[string]*time.Time{"from": &from, "to": &to} {
		if v := strings.TrimSpace(q.Get(key)); v != "" {
			d, ok := parseDate(v)
			if !ok {
				fields.Add(key, "Ngày phải có dạng dd/mm/yyyy.")
				continue
			}
			*dst = d
		}
	}
	if to.Before(from) {
		fields.Add("to", "“Đến ngày” phải bằng hoặc sau “Từ ngày”.")
	}
	if err := fields.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	reg, err := s.printoutRegister(ctx, sub, strings.TrimSpace(q.Get("register_id")))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	unit, err := s.units.Get(ctx, s.db, reg.UnitID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	f := documents.Filter{Direction: "incoming", From: &from, To: &to, RegisterID: reg.ID}
	if !s.checkExportSize(w, r, f) {
		return
	}
	var buf bytes.Buffer
	rows := 0
	err = printout.RegisterPDF(&buf, printout.RegisterBook{UnitName: unit.Name, RegisterName: reg.Name, From: from, To: to,
		Rows: counted(s.exportRows(ctx, sub, f), &rows)})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.recordAudit(r, audit.Entry{Action: "document.export", Outcome: audit.OutcomeSuccess, ObjectType: "register",
		ObjectID: strconv.FormatInt(reg.ID, 10), Details: map[string]any{"format": "pdf", "rows": rows,
			"from": from.Format(time.DateOnly), "to": to.Format(time.DateOnly)}})
	name := fmt.Sprintf("Sổ văn bản đến từ %s đến %s.pdf", from.Format("02-01-2006"), to.Format("02-01-2006"))
	writeDownload(w, "application/pdf", name, true, buf.Bytes())
}

// printoutRegister resolves the register to print: the one asked for, if
// it is an incoming register of a unit in the subject's scope, or else the
// default incoming register of the subject's only unit.
func (s *Server) printoutRegister(ctx context.Context, sub access.Subject, param string) (registry.Register, error) {
	if param != "" {
		id, err := strconv.ParseInt(param, 10, 64)
		if err != nil {
			return registry.Register{}, apperr.Invalid("Mã sổ (register_id) phải là số.", map[string]string{"register_id": "Phải là số."})
		}
		reg, err := s.registers.Get(ctx, s.db, id)
		if err != nil {
			return registry.Register{}, err
		}
		if reg.Kind != registry.KindIncoming || !sub.CanViewUnitRecords(reg.UnitID) {
			return registry.Register{}, registry.ErrRegisterNotFound
		}
		return reg, nil
	}
	var units []int64
	for _, m := range sub.Memberships {
		if !slices.Contains(units, m.UnitID) {
			units = append(units, m.UnitID)
		}
	}
	if len(units) != 1 {
		return registry.Register{}, apperr.Invalid("Bạn thuộc nhiều đơn vị (hoặc không thuộc đơn vị nào): vui lòng chọn sổ văn bản đến cần in.",
			map[string]string{"register_id": "Vui lòng chọn sổ văn bản đến."})
	}
	regs, err := s.registers.ForUnit(ctx, units[0])
	if err != nil {
		return registry.Register{}, err
	}
	for _, reg := range regs {
		if reg.Kind == registry.KindIncoming && reg.IsDefault {
			return reg, nil
		}
	}
	return registry.Register{}, apperr.Invalid("Đơn vị chưa có sổ văn bản đến: chưa có văn bản nào được vào sổ.",
		map[string]string{"register_id": "Đơn vị chưa có sổ văn bản đến."})
}

// incomingExportXLSX exports the incoming list, with the list's filters,
// as a spreadsheet in arrival order.
func (s *Server) incomingExportXLSX(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sub := subjectFrom(ctx)
	f, err := filterFromQuery(r.URL.Query())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f.Direction = "incoming"
	if !s.checkExportSize(w, r, f) {
		return
	}
	book := printout.RegisterBook{}
	for _, m := range sub.Memberships {
		if m.UnitID == sub.ActingUnit {
			book.UnitName = m.UnitName
		}
	}
	if f.From != nil {
		book.From = *f.From
	}
	if f.To != nil {
		book.To = *f.To
	}
	rows := 0
	book.Rows = counted(s.exportRows(ctx, sub, f), &rows)
	var buf bytes.Buffer
	if err := printout.RegisterXLSX(&buf, book); err != nil {
		s.writeError(w, r, err)
		return
	}
	details := map[string]any{"format": "xlsx", "rows": rows}
	for _, k := range []string{"q", "from", "to", "register_id", "unit_id", "type_name", "organ", "priority", "confidentiality", "status", "assignee", "overdue"} {
		if v := strings.TrimSpace(r.URL.Query().Get(k)); v != "" {
			if len(v) > 200 {
				v = v[:200]
			}
			details[k] = v
		}
	}
	s.recordAudit(r, audit.Entry{Action: "document.export", Outcome: audit.OutcomeSuccess, ObjectType: "document", Details: details})
	name := "Sổ văn bản đến.xlsx"
	if f.From != nil && f.To != nil {
		name = fmt.Sprintf("Sổ văn bản đến từ %s đến %s.xlsx", f.From.Format("02-01-2006"), f.To.Format("02-01-2006"))
	}
	writeDownload(w, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", name, false, buf.Bytes())
}

// checkExportSize refuses, with a Vietnamese 422, a selection too large to
// print or export at once.
func (s *Server) checkExportSize(w http.ResponseWriter, r *http.Request, f documents.Filter) bool {
	n, err := s.docs.Count(r.Context(), subjectFrom(r.Context()), f, maxExportRows+1)
	if err != nil {
		s.writeError(w, r, err)
		return false
	}
	if n > maxExportRows {
		s.writeError(w, r, errExportTooLarge)
		return false
	}
	return true
}

// exportRows pages through the visible documents matching f in arrival
// order, at most maxExportRows of them, adding to each page in one query
// what the list leaves out: receivers, notes and the first forwarding. A
// search ranks by relevance first, so its rows are gathered and put back
// in arrival order.
func (s *Server) exportRows(ctx context.Context, sub access.Subject, f documents.Filter) iter.Seq2[printout.RegisterRow, error] {
	return func(yield func(printout.RegisterRow, error) bool) {
		f.Sort, f.Limit, f.Cursor = "arrived_asc", exportPageSize, ""
		ranked := strings.TrimSpace(f.Q) != ""
		var gathered []printout.RegisterRow
		var order []documents.Item
		seen := map[int64]bool{}
		for len(seen) < maxExportRows {
			page, err := s.docs.List(ctx, sub, f)
			if err != nil {
				yield(printout.RegisterRow{}, err)
				return
			}
			extras, err := s.exportExtras(ctx, page.Items)
			if err != nil {
				yield(printout.RegisterRow{}, err)
				return
			}
			for _, it := range page.Items {
				// The list's cursor cannot step past a document without an
				// arrival time; stop rather than start over.
				if seen[it.ID] || len(seen) == maxExportRows {
					page.NextCursor = ""
					break
				}
				seen[it.ID] = true
				row := registerRow(it, extras[it.ID])
				if ranked {
					gathered, order = append(gathered, row), append(order, it)
					continue
				}
				if !yield(row, nil) {
					return
				}
			}
			if page.NextCursor == "" {
				break
			}
			f.Cursor = page.NextCursor
		}
		if ranked {
			idx := make([]int, len(order))
			for i := range idx {
				idx[i] = i
			}
			slices.SortStableFunc(idx, func(a, b int) int {
				ta, tb := order[a].ArrivedAt, order[b].ArrivedAt
				switch {
				case ta == nil && tb == nil:
				case ta == nil:
					return 1
				case tb == nil:
					return -1
				default:
					if c := ta.Compare(*tb); c != 0 {
						return c
					}
				}
				return cmp.Compare(order[a].ID, order[b].ID)
			})
			for _, i := range idx {
				if !yield(gathered[i], nil) {
					return
				}
			}
		}
	}
}

// exportExtra is what the register shows beyond the list's columns.
type exportExtra struct {
	Receivers   string
	Notes       string
	ForwardedAt *time.Time
	ForwardedTo string
}

func (s *Server) exportExtras(ctx context.Context, items []documents.Item) (map[int64]exportExtra, error) {
	out := make(map[int64]exportExtra, len(items))
	if len(items) == 0 {
		return out, nil
	}
	ids := make([]int64, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	rows, err := s.db.Query(ctx, `
		SELECT d.id, d.receivers, d.notes, fa.created_at, coalesce(fa.assignee, '')
		FROM documents d
		LEFT JOIN LATERAL (
			SELECT a.created_at, coalesce(au.name, u.full_name) AS assignee
			FROM assignments a
			LEFT JOIN units au ON au.id = a.assignee_unit_id
			LEFT JOIN users u ON u.id = a.assignee_user_id
			WHERE a.document_id = d.id
			ORDER BY a.created_at, a.id
			LIMIT 1
		) fa ON true
		WHERE d.id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("export extras: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var e exportExtra
		if err := rows.Scan(&id, &e.Receivers, &e.Notes, &e.ForwardedAt, &e.ForwardedTo); err != nil {
			return nil, fmt.Errorf("export extras: %w", err)
		}
		out[id] = e
	}
	return out, rows.Err()
}

func registerRow(it documents.Item, e exportExtra) printout.RegisterRow {
	row := printout.RegisterRow{OrganName: it.OrganName, Symbol: it.Symbol, IssuedDate: it.IssuedDate,
		TypeName: it.TypeName, Subject: it.Subject, Receivers: e.Receivers, ForwardedAt: e.ForwardedAt, Notes: e.Notes}
	if it.ArrivedAt != nil {
		row.ArrivedAt = *it.ArrivedAt
	}
	if it.ArrivalNumber != nil {
		row.ArrivalNumber = *it.ArrivalNumber
	}
	if strings.TrimSpace(row.Receivers) == "" {
		row.Receivers = e.ForwardedTo
	}
	return row
}

// counted counts the rows that pass through.
func counted[T any](seq iter.Seq2[T, error], n *int) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for v, err := range seq {
			if err == nil {
				*n++
			}
			if !yield(v, err) {
				return
			}
		}
	}
}

// writeDownload sends a generated file whole, with a safe Vietnamese file
// name; it may be shown in our own frame (print preview).
func writeDownload(w http.ResponseWriter, contentType, name string, inline bool, body []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("Content-Disposition", objectstore.ContentDisposition(name, inline))
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'")
	h.Set("X-Frame-Options", "SAMEORIGIN")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}
