package server

import (
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"

	"vanthu/internal/apperr"
	"vanthu/internal/audit"
	"vanthu/internal/registry"
	"vanthu/web"
)

// registerAdminRoutes: a unit's registers and their numbering policies.
func (s *Server) registerAdminRoutes(r chi.Router) {
	r.Get("/registers", s.registersPage)
	r.Post("/registers", s.createRegister)
}

// managedUnitChoices lists current units the subject administers (all
// top-level and provincial units for a system administrator), by name.
func (s *Server) managedUnitChoices(r *http.Request) ([]web.UnitChoice, error) {
	sub := subjectFrom(r.Context())
	rows, _ := s.db.Query(r.Context(), `
		SELECT id, name FROM units
		WHERE valid_to IS NULL AND ($1::bigint[] IS NULL OR id = ANY($1))
		  AND ($1::bigint[] IS NOT NULL OR level IN ('central', 'province', 'body'))
		ORDER BY level, name LIMIT 500`, sub.ManageUnits())
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (web.UnitChoice, error) {
		var c web.UnitChoice
		err := row.Scan(&c.ID, &c.Name)
		return c, err
	})
}

func (s *Server) registersView(r *http.Request, unitID int64) (web.RegistersView, error) {
	sub := subjectFrom(r.Context())
	v := web.RegistersView{IsSystemAdmin: sub.IsAdmin, UnitID: unitID}
	var err error
	if v.Units, err = s.managedUnitChoices(r); err != nil {
		return v, err
	}
	if v.UnitID == 0 {
		if sub.CanManageUnit(sub.ActingUnit) {
			v.UnitID = sub.ActingUnit
		} else if len(v.Units) > 0 {
			v.UnitID = v.Units[0].ID
		}
	}
	if v.UnitID == 0 {
		return v, nil
	}
	regs, err := s.registers.ForUnit(r.Context(), v.UnitID)
	if err != nil {
		return v, err
	}
	u, err := s.units.Get(r.Context(), s.db, v.UnitID)
	if err != nil {
		return v, err
	}
	for _, reg := range regs {
		v.Registers = append(v.Registers, web.RegisterRow{Register: reg, UnitName: u.Name})
	}
	return v, nil
}

func (s *Server) registersPage(w http.ResponseWriter, r *http.Request) {
	unitID, _ := strconv.ParseInt(r.URL.Query().Get("unit_id"), 10, 64)
	if unitID != 0 && !subjectFrom(r.Context()).CanManageUnit(unitID) {
		s.recordAudit(r, audit.Entry{Action: "register.view", Outcome: audit.OutcomeDenied, ObjectType: "unit", ObjectID: strconv.FormatInt(unitID, 10)})
		s.writeProblem(w, r, http.StatusNotFound, "", nil)
		return
	}
	v, err := s.registersView(r, unitID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if r.URL.Query().Get("ok") == "created" {
		v.Done = "Đã thêm sổ văn bản."
	}
	s.render(w, r, http.StatusOK, web.RegistersPage(s.page(r, "Sổ văn bản", "admin"), v))
}

func (s *Server) createRegister(w http.ResponseWriter, r *http.Request) {
	unitID, _ := strconv.ParseInt(r.PostFormValue("unit_id"), 10, 64)
	if !subjectFrom(r.Context()).CanManageUnit(unitID) {
		s.recordAudit(r, audit.Entry{Action: "register.create", Outcome: audit.OutcomeDenied, ObjectType: "unit", ObjectID: strconv.FormatInt(unitID, 10)})
		s.writeError(w, r, apperr.Forbidden("Bạn không quản trị đơn vị này."))
		return
	}
	values := map[string]string{}
	for _, k := range []string{"name", "kind", "preset", "reset_period", "term_start", "per_type", "confidential_series"} {
		values[k] = r.PostFormValue(k)
	}
	n := registry.NewRegister{UnitID: unitID, Kind: values["kind"], Name: values["name"], IsDefault: r.PostFormValue("is_default") == "1"}
	var ts *time.Time
	if values["term_start"] != "" {
		if d, ok := parseDate(values["term_start"]); ok {
			ts = &d
		}
	}
	if values["term_start"] != "" && ts == nil {
		s.renderRegisterForm(w, r, unitID, values, apperr.Invalid("Ngày bắt đầu nhiệm kỳ phải có dạng dd/mm/yyyy.", map[string]string{"term_start": "Ngày phải có dạng dd/mm/yyyy."}))
		return
	}
	switch values["preset"] {
	case "party", "state":
		n.Policy = registry.Preset(values["preset"], n.Kind, ts)
	default:
		n.Policy = registry.Policy{Preset: "custom", ResetPeriod: values["reset_period"], PerType: values["per_type"] == "1",
			ConfidentialSeries: values["confidential_series"] == "1", TermStart: ts}
	}
	reg, err := s.registers.Create(r.Context(), n)
	if err != nil {
		s.renderRegisterForm(w, r, unitID, values, err)
		return
	}
	s.recordAudit(r, audit.Entry{Action: "register.create", Outcome: audit.OutcomeSuccess, ObjectType: "register", ObjectID: strconv.FormatInt(reg.ID, 10), UnitID: unitID,
		Details: map[string]any{"name": reg.Name, "kind": reg.Kind, "reset_period": reg.ResetPeriod, "per_type": reg.PerType, "confidential_series": reg.ConfidentialSeries}})
	http.Redirect(w, r, "/admin/registers?ok=created&unit_id="+strconv.FormatInt(unitID, 10), http.StatusSeeOther)
}

func (s *Server) renderRegisterForm(w http.ResponseWriter, r *http.Request, unitID int64, values map[string]string, cause error) {
	v, err := s.registersView(r, unitID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v.Form = formFromError(cause, values)
	s.render(w, r, http.StatusUnprocessableEntity, web.RegistersPage(s.page(r, "Sổ văn bản", "admin"), v))
}
