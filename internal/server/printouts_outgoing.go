package server

import (
	"bytes"
	"context"
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
	"vanthu/internal/outgoing"
	"vanthu/internal/printout"
	"vanthu/internal/registry"
	"vanthu/web"
)

// outgoingPrintoutRoutes serve the outgoing register (sổ đăng ký văn bản
// đi) to print and bind, and the same as a spreadsheet:
// ?from=dd/mm/yyyy&to=dd/mm/yyyy (default: this month in Vietnam)
// &register_id= (default: the default outgoing register of the user's only
// unit).
func (s *Server) outgoingPrintoutRoutes(r chi.Router) {
	r.Get("/outgoing/register.pdf", s.outgoingRegisterPrintout("pdf"))
	r.Get("/outgoing/register.xlsx", s.outgoingRegisterPrintout("xlsx"))
}

func (s *Server) outgoingRegisterPrintout(format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
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
		reg, err := s.outgoingPrintoutRegister(ctx, sub, strings.TrimSpace(q.Get("register_id")))
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		unit, err := s.units.Get(ctx, s.db, reg.UnitID)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		n, err := s.outgoing.CountRegister(ctx, sub, reg.ID, from, to, maxExportRows+1)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if n > maxExportRows {
			s.writeError(w, r, errExportTooLarge)
			return
		}
		rows := 0
		book := printout.OutgoingBook{UnitName: unit.Name, RegisterName: reg.Name, From: from, To: to,
			Rows: counted(outgoingRegisterRows(s.outgoing.RegisterEntries(ctx, sub, reg.ID, from, to)), &rows)}
		var buf bytes.Buffer
		contentType := "application/pdf"
		if format == "pdf" {
			err = printout.OutgoingRegisterPDF(&buf, book)
		} else {
			contentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
			err = printout.OutgoingRegisterXLSX(&buf, book)
		}
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		s.recordAudit(r, audit.Entry{Action: "document.export", Outcome: audit.OutcomeSuccess, ObjectType: "register",
			ObjectID: strconv.FormatInt(reg.ID, 10), Details: map[string]any{"format": format, "rows": rows, "kind": "outgoing",
				"from": from.Format(time.DateOnly), "to": to.Format(time.DateOnly)}})
		name := fmt.Sprintf("Sổ văn bản đi từ %s đến %s.%s", from.Format("02-01-2006"), to.Format("02-01-2006"), format)
		writeDownload(w, contentType, name, format == "pdf", buf.Bytes())
	}
}

// outgoingRegisterRows turns register entries into printed lines.
func outgoingRegisterRows(entries iter.Seq2[outgoing.RegisterEntry, error]) iter.Seq2[printout.OutgoingRow, error] {
	return func(yield func(printout.OutgoingRow, error) bool) {
		for e, err := range entries {
			if err != nil {
				yield(printout.OutgoingRow{}, err)
				return
			}
			sent := e.IssuedAt
			row := printout.OutgoingRow{Symbol: e.Symbol, IssuedDate: e.IssuedDate, TypeName: e.TypeName, Subject: e.Subject,
				Signer:     strings.TrimSpace(e.SignerPosition + " " + e.SignerFullName),
				Recipients: e.Recipients, CopyKeeper: e.UnitName, SentAt: &sent, Notes: e.Notes,
				// One copy for each recipient and the one kept (lưu).
				Copies: e.RecipientCount + 1}
			if e.Drafter != "" {
				row.CopyKeeper += " – " + e.Drafter
			}
			if e.State == outgoing.StateRecalled {
				recalled := "Đã thu hồi"
				if e.RecalledAt != nil {
					recalled += " ngày " + e.RecalledAt.In(vietnam).Format("02/01/2006")
				}
				row.Notes = strings.TrimSpace(strings.TrimSpace(row.Notes) + " " + recalled + ".")
			}
			if !yield(row, nil) {
				return
			}
		}
	}
}

// outgoingPrintoutRegister resolves the register to print: the one asked
// for, if it is an outgoing register of a unit in the subject's scope, or
// else the default outgoing register of the subject's only unit.
func (s *Server) outgoingPrintoutRegister(ctx context.Context, sub access.Subject, param string) (registry.Register, error) {
	if param != "" {
		id, err := strconv.ParseInt(param, 10, 64)
		if err != nil {
			return registry.Register{}, apperr.Invalid("Mã sổ (register_id) phải là số.", map[string]string{"register_id": "Phải là số."})
		}
		reg, err := s.registers.Get(ctx, s.db, id)
		if err != nil {
			return registry.Register{}, err
		}
		if reg.Kind != registry.KindOutgoing || !sub.CanViewUnitRecords(reg.UnitID) {
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
		return registry.Register{}, apperr.Invalid("Bạn thuộc nhiều đơn vị (hoặc không thuộc đơn vị nào): vui lòng chọn sổ văn bản đi cần in.",
			map[string]string{"register_id": "Vui lòng chọn sổ văn bản đi."})
	}
	regs, err := s.registers.ForUnit(ctx, units[0])
	if err != nil {
		return registry.Register{}, err
	}
	for _, reg := range regs {
		if reg.Kind == registry.KindOutgoing && reg.IsDefault {
			return reg, nil
		}
	}
	return registry.Register{}, apperr.Invalid("Đơn vị chưa có sổ văn bản đi: chưa có văn bản nào được phát hành.",
		map[string]string{"register_id": "Đơn vị chưa có sổ văn bản đi."})
}

// outgoingPrintChoices are the outgoing registers of the subject's units
// for the list's print form: none when the default one is meant (one unit,
// at most one register).
func (s *Server) outgoingPrintChoices(ctx context.Context, sub access.Subject) ([]web.Option, error) {
	units, names := draftUnits(sub)
	if len(units) == 0 {
		return nil, nil
	}
	regs, err := s.registers.InUnits(ctx, units, registry.KindOutgoing)
	if err != nil {
		return nil, err
	}
	if len(units) == 1 && len(regs) <= 1 {
		return nil, nil
	}
	out := make([]web.Option, 0, len(regs))
	for _, rg := range regs {
		label := rg.Name
		if len(units) > 1 {
			label = names[strconv.FormatInt(rg.UnitID, 10)] + " — " + rg.Name
		}
		out = append(out, web.Option{Value: strconv.FormatInt(rg.ID, 10), Label: label})
	}
	return out, nil
}
