package server

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"vanthu/internal/apperr"
	"vanthu/web"
)

// exchangeAdminRoutes: a unit's identifier on the edXML exchange axis
// (mã định danh), viewed and set by its administrators. The exchange
// capability validates and audits the change (as POST
// /api/v1/exchange/organs/{unit_id} does).
func (s *Server) exchangeAdminRoutes(r chi.Router) {
	r.Get("/units/{id:[0-9]+}/exchange", s.unitExchangeForm)
	r.Post("/units/{id:[0-9]+}/exchange", s.unitExchangeSubmit)
}

func (s *Server) unitExchangeForm(w http.ResponseWriter, r *http.Request) {
	u, ok := s.viewableUnit(w, r)
	if !ok {
		return
	}
	o, err := s.exchange.Organ(r.Context(), subjectFrom(r.Context()), u.ID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	vals := map[string]string{}
	if o.Declared {
		vals["organ_id"] = o.OrganID
	}
	p := s.unitAdminPage(r, "Mã định danh liên thông")
	if r.URL.Query().Get("ok") == "exchange" {
		p.Flash = &web.Flash{Kind: "ok", Message: "Đã lưu mã định danh liên thông của đơn vị."}
	}
	s.render(w, r, http.StatusOK, web.UnitExchangePage(p, u, o, web.Form{Values: vals, Errors: map[string]string{}}))
}

func (s *Server) unitExchangeSubmit(w http.ResponseWriter, r *http.Request) {
	u, ok := s.managedUnit(w, r, "exchange.organ_id")
	if !ok {
		return
	}
	ctx := r.Context()
	sub := subjectFrom(ctx)
	vals := unitFormValues(r, "organ_id")
	_, err := s.exchange.SetOrganID(ctx, sub, s.actor(r), u.ID, vals["organ_id"])
	if err == nil {
		http.Redirect(w, r, "/admin/units/"+strconv.FormatInt(u.ID, 10)+"/exchange?ok=exchange", http.StatusSeeOther)
		return
	}
	e, isApp := apperr.As(err)
	if !isApp || (e.Kind != apperr.KindInvalid && e.Kind != apperr.KindConflict) {
		s.writeError(w, r, err)
		return
	}
	o, oerr := s.exchange.Organ(ctx, sub, u.ID)
	if oerr != nil {
		s.writeError(w, r, oerr)
		return
	}
	f := formFromError(err, vals)
	if f.Errors["organ_id"] == "" {
		// A duplicate is a conflict without fields: put it by the box.
		f.Errors["organ_id"] = strings.TrimSpace(e.Message)
	}
	s.render(w, r, statusOf(e.Kind), web.UnitExchangePage(s.unitAdminPage(r, "Mã định danh liên thông"), u, o, f))
}
