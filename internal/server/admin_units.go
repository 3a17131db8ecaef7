package server

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"vanthu/internal/apperr"
	"vanthu/internal/audit"
	"vanthu/internal/org"
	"vanthu/internal/platform/vntime"
	"vanthu/web"
)

// unitAdminRoutes: unit directory, unit pages, changes, merge and split.
func (s *Server) unitAdminRoutes(r chi.Router) {
	r.Get("/units", s.unitDirectory)
	r.Get("/units/merge", s.unitMergeForm)
	r.Post("/units/merge", s.unitMergeSubmit)
	r.Get("/units/split", s.unitSplitForm)
	r.Post("/units/split", s.unitSplitSubmit)
	r.Get("/units/{id:[0-9]+}", s.unitPage)
	r.Get("/units/{id:[0-9]+}/add-child", s.unitChildForm)
	r.Post("/units/{id:[0-9]+}/add-child", s.unitChildSubmit)
	r.Get("/units/{id:[0-9]+}/rename", s.unitRenameForm)
	r.Post("/units/{id:[0-9]+}/rename", s.unitRenameSubmit)
	r.Get("/units/{id:[0-9]+}/move", s.unitMoveForm)
	r.Post("/units/{id:[0-9]+}/move", s.unitMoveSubmit)
	r.Get("/units/{id:[0-9]+}/dissolve", s.unitDissolveForm)
	r.Post("/units/{id:[0-9]+}/dissolve", s.unitDissolveSubmit)
	r.Get("/events/{id:[0-9]+}", s.unitEventPage)
}

// unitFlash is the message shown after a change redirects to a page; the
// query carries only a key, never text.
var unitFlash = map[string]string{
	"created":   "Đã thành lập đơn vị.",
	"renamed":   "Đã đổi tên đơn vị.",
	"moved":     "Đã chuyển đơn vị sang đơn vị cấp trên mới.",
	"dissolved": "Đã giải thể đơn vị.",
	"merged":    "Đã sáp nhập đơn vị. Biên bản kết quả được lưu dưới đây.",
	"split":     "Đã chia tách đơn vị. Biên bản kết quả được lưu dưới đây.",
}

func (s *Server) unitAdminPage(r *http.Request, title string) web.Page {
	p := s.page(r, title, "admin")
	if msg, ok := unitFlash[r.URL.Query().Get("ok")]; ok {
		p.Flash = &web.Flash{Kind: "ok", Message: msg}
	}
	return p
}

// unitToday is the current day in Vietnam as a date (UTC midnight), the
// form the unit queries compare with, whatever the server's own zone.
func unitToday() time.Time { return vntime.Today() }

// unitCanOpen tells templates which units the viewer may open.
func unitCanOpen(r *http.Request) func(int64) bool {
	sub := subjectFrom(r.Context())
	return sub.CanManageUnit
}

// ---- Directory ----

func (s *Server) unitDirectory(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	vals := map[string]string{
		"q": strings.TrimSpace(q.Get("q")), "level": q.Get("level"), "valid_on": strings.TrimSpace(q.Get("valid_on")),
	}
	all := q.Get("all") == "1"
	if all {
		vals["all"] = "1"
	}
	f := org.ListFilter{Q: vals["q"], AllTime: all, Cursor: q.Get("cursor"), Limit: 50}
	fields := apperr.Fields{}
	if l := org.Level(vals["level"]); l != "" {
		if l.Valid() {
			f.Level = l
		} else {
			fields.Add("level", "Cấp đơn vị không hợp lệ.")
			vals["level"] = ""
		}
	}
	if vals["valid_on"] != "" && !all {
		d, ok := parseDate(vals["valid_on"])
		if !ok {
			fields.Add("valid_on", "Ngày không hợp lệ; hãy nhập theo dạng dd/mm/yyyy, ví dụ 01/07/2025.")
		} else {
			f.ValidOn = d
		}
	}
	v := web.UnitDirectoryView{Form: web.Form{Values: vals, Errors: map[string]string{}}, CanOpen: unitCanOpen(r)}
	status := http.StatusOK
	if err := fields.Err(); err != nil {
		v.Form = formFromError(err, vals)
		status = http.StatusUnprocessableEntity
	} else {
		page, err := s.units.List(r.Context(), f)
		if err != nil {
			if e, ok := apperr.As(err); ok && e.Kind == apperr.KindInvalid {
				s.render(w, r, http.StatusUnprocessableEntity, web.UnitDirectoryPage(s.unitAdminPage(r, "Đơn vị"), web.UnitDirectoryView{
					Form: formFromError(err, vals), CanOpen: v.CanOpen}))
				return
			}
			s.serverError(w, r, err)
			return
		}
		v.Items = page.Items
		v.Paged = f.Cursor != ""
		if page.NextCursor != "" {
			next := url.Values{}
			for k, val := range vals {
				if val != "" {
					next.Set(k, val)
				}
			}
			next.Set("cursor", page.NextCursor)
			v.NextURL = "/admin/units?" + next.Encode()
		}
		first := url.Values{}
		for k, val := range vals {
			if val != "" {
				first.Set(k, val)
			}
		}
		v.FirstURL = "/admin/units"
		if len(first) > 0 {
			v.FirstURL += "?" + first.Encode()
		}
	}
	s.render(w, r, status, web.UnitDirectoryPage(s.unitAdminPage(r, "Đơn vị"), v))
}

// ---- Unit page ----

// unitParam reads {id}.
func unitParam(r *http.Request) int64 {
	id, _ := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	return id
}

// viewableUnit loads the unit of a GET page. A unit the viewer does not
// administer answers 404, exactly as a missing one.
func (s *Server) viewableUnit(w http.ResponseWriter, r *http.Request) (org.Unit, bool) {
	id := unitParam(r)
	if !s.allowManage(r, "unit.view", []int64{id}) {
		s.writeProblem(w, r, http.StatusNotFound, "", nil)
		return org.Unit{}, false
	}
	u, err := s.units.Get(r.Context(), s.db, id)
	if err != nil {
		s.writeError(w, r, err)
		return org.Unit{}, false
	}
	return u, true
}

// managedUnit authorises a POST on the unit in {id}: a refusal is the
// Vietnamese 403 problem.
func (s *Server) managedUnit(w http.ResponseWriter, r *http.Request, action string) (org.Unit, bool) {
	id := unitParam(r)
	if !s.allowManage(r, action, []int64{id}) {
		s.writeError(w, r, apperr.Forbidden("Bạn không có quyền quản trị đơn vị này."))
		return org.Unit{}, false
	}
	if err := r.ParseForm(); err != nil {
		s.writeError(w, r, err)
		return org.Unit{}, false
	}
	u, err := s.units.Get(r.Context(), s.db, id)
	if err != nil {
		s.writeError(w, r, err)
		return org.Unit{}, false
	}
	return u, true
}

func (s *Server) unitPage(w http.ResponseWriter, r *http.Request) {
	u, ok := s.viewableUnit(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	v := web.UnitPageView{Unit: u, Today: unitToday(), CanOpen: unitCanOpen(r)}
	v.Current = u.Current(v.Today)
	v.CanManage = v.Current
	var err error
	if v.Ancestors, err = s.units.Ancestors(ctx, u.ID); err == nil {
		if v.Children, err = s.units.Children(ctx, u.ID, v.Today); err == nil {
			if v.Members, v.MemberTotal, err = s.units.Members(ctx, u.ID, 500); err == nil {
				if v.Predecessors, err = s.units.Predecessors(ctx, u.ID); err == nil {
					if v.Successors, err = s.units.Successors(ctx, u.ID); err == nil {
						v.Events, err = s.units.History(ctx, u.ID)
					}
				}
			}
		}
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.recordAudit(r, audit.Entry{Action: "unit.view", Outcome: audit.OutcomeSuccess, ObjectType: "unit", ObjectID: strconv.FormatInt(u.ID, 10)})
	s.render(w, r, http.StatusOK, web.UnitPage(s.unitAdminPage(r, u.Name), v))
}

// ---- Form helpers ----

// unitFormValues reads trimmed form values.
func unitFormValues(r *http.Request, names ...string) map[string]string {
	vals := make(map[string]string, len(names))
	for _, n := range names {
		vals[n] = strings.TrimSpace(r.PostFormValue(n))
	}
	return vals
}

// unitFormDate parses a dd/mm/yyyy field, adding a Vietnamese message when it
// is missing or malformed; notFuture refuses days after today.
func unitFormDate(f apperr.Fields, vals map[string]string, name string, notFuture bool) time.Time {
	v := vals[name]
	if v == "" {
		f.Add(name, "Vui lòng nhập ngày (dd/mm/yyyy).")
		return time.Time{}
	}
	d, ok := parseDate(v)
	if !ok {
		f.Add(name, "Ngày không hợp lệ; hãy nhập theo dạng dd/mm/yyyy, ví dụ 01/07/2025.")
		return time.Time{}
	}
	if notFuture && d.After(unitToday()) {
		f.Add(name, "Ngày có hiệu lực không được sau ngày hôm nay; hãy thực hiện khi quyết định đã có hiệu lực.")
	}
	return d
}

func unitRequireLegal(f apperr.Fields, vals map[string]string) {
	if vals["legal_basis"] == "" {
		f.Add("legal_basis", "Vui lòng nhập căn cứ pháp lý (số, ký hiệu văn bản quyết định).")
	}
}

// unitFormFailure shows a validation or state error on the form again, and
// answers anything else (403, 404, 500) as a problem.
func (s *Server) unitFormFailure(w http.ResponseWriter, r *http.Request, err error, vals map[string]string, show func(web.Form, int)) {
	if e, ok := apperr.As(err); ok && (e.Kind == apperr.KindInvalid || e.Kind == apperr.KindConflict) {
		show(formFromError(err, vals), statusOf(e.Kind))
		return
	}
	s.writeError(w, r, err)
}

func unitURL(id int64, ok string) string {
	u := "/admin/units/" + strconv.FormatInt(id, 10)
	if ok != "" {
		u += "?ok=" + ok
	}
	return u
}

// ---- Unit picker (server side) ----

// unitPickerLabel names a unit the way the picker shows it.
func unitPickerLabel(u org.Unit) string {
	if c := u.CodeString(); c != "" {
		return u.Name + " (" + c + ")"
	}
	return u.Name
}

func unitPicked(us []org.Unit) []web.PickedUnit {
	out := make([]web.PickedUnit, 0, len(us))
	for _, u := range us {
		out = append(out, web.PickedUnit{ID: u.ID, Label: unitPickerLabel(u)})
	}
	return out
}

func unitIDs(us []org.Unit) []int64 {
	out := make([]int64, 0, len(us))
	for _, u := range us {
		out = append(out, u.ID)
	}
	return out
}

// unitResolvePicker reads a unit picker: ids from the hidden inputs the script
// adds (name), and the text field (name_text) where a person without
// JavaScript types codes or ids ("#123") separated by commas. Codes resolve
// to units existing today. Unresolvable entries get a Vietnamese message on
// the field; vals[name_text] is rewritten so the form shows what was
// understood.
func (s *Server) unitResolvePicker(r *http.Request, name string, multi bool, f apperr.Fields, vals map[string]string) ([]org.Unit, error) {
	var ids []int64
	var problems []string
	for _, raw := range r.PostForm[name] {
		raw = strings.TrimSpace(raw)
		if raw == "" {
			continue
		}
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || id <= 0 {
			problems = append(problems, fmt.Sprintf("Giá trị %q không phải là đơn vị hợp lệ.", raw))
			continue
		}
		ids = append(ids, id)
	}
	text := r.PostFormValue(name + "_text")
	tokens := strings.FieldsFunc(text, func(c rune) bool { return c == ',' || c == ';' || c == '\n' || c == '\r' })
	var unresolved []string
	var codes []string
	type tok struct {
		raw  string
		id   int64
		code string
	}
	var toks []tok
	for _, t := range tokens {
		t = strings.TrimSpace(t)
		if t == "" {
			continue
		}
		if rest, ok := strings.CutPrefix(t, "#"); ok {
			id, err := strconv.ParseInt(strings.TrimSpace(rest), 10, 64)
			if err != nil || id <= 0 {
				problems = append(problems, fmt.Sprintf("%q không phải là ID đơn vị hợp lệ.", t))
				unresolved = append(unresolved, t)
				continue
			}
			toks = append(toks, tok{raw: t, id: id})
			continue
		}
		toks = append(toks, tok{raw: t, code: t})
		codes = append(codes, t)
	}
	byCode := map[string][]org.Unit{}
	if len(codes) > 0 {
		us, err := s.units.CurrentByCode(r.Context(), codes, unitToday())
		if err != nil {
			return nil, err
		}
		for _, u := range us {
			byCode[u.CodeString()] = append(byCode[u.CodeString()], u)
		}
	}
	for _, t := range toks {
		if t.code == "" {
			ids = append(ids, t.id)
			continue
		}
		switch m := byCode[t.code]; {
		case len(m) == 1:
			ids = append(ids, m[0].ID)
		case len(m) > 1:
			names := make([]string, 0, len(m))
			for _, u := range m {
				names = append(names, fmt.Sprintf("%s (#%d)", u.Name, u.ID))
			}
			problems = append(problems, fmt.Sprintf("Mã %q ứng với nhiều đơn vị: %s; hãy nhập ID có dấu #, ví dụ #%d.",
				t.code, strings.Join(names, ", "), m[0].ID))
			unresolved = append(unresolved, t.raw)
		default:
			// A number that is no current code may be an id typed without "#".
			if id, err := strconv.ParseInt(t.code, 10, 64); err == nil && id > 0 {
				ids = append(ids, id)
				continue
			}
			problems = append(problems, fmt.Sprintf("Không tìm thấy đơn vị đang hoạt động có mã %q.", t.code))
			unresolved = append(unresolved, t.raw)
		}
	}
	// Keep the order chosen, without repeats.
	var uniq []int64
	for _, id := range ids {
		if !slices.Contains(uniq, id) {
			uniq = append(uniq, id)
		}
	}
	found, err := s.units.GetMany(r.Context(), uniq)
	if err != nil {
		return nil, err
	}
	byID := map[int64]org.Unit{}
	for _, u := range found {
		byID[u.ID] = u
	}
	var units []org.Unit
	for _, id := range uniq {
		u, ok := byID[id]
		if !ok {
			problems = append(problems, fmt.Sprintf("Không tìm thấy đơn vị có ID %d.", id))
			unresolved = append(unresolved, "#"+strconv.FormatInt(id, 10))
			continue
		}
		units = append(units, u)
	}
	if !multi && len(units)+len(unresolved) > 1 {
		problems = append(problems, "Chỉ chọn một đơn vị.")
	}
	shown := make([]string, 0, len(units)+len(unresolved))
	for _, u := range units {
		shown = append(shown, "#"+strconv.FormatInt(u.ID, 10))
	}
	shown = append(shown, unresolved...)
	vals[name+"_text"] = strings.Join(shown, ", ")
	if len(problems) > 0 {
		f.Add(name, strings.Join(problems, " "))
	}
	return units, nil
}

// unitPickerField builds the template data of a picker.
func unitPickerField(name, label, hint string, multi bool, chosen []org.Unit) web.UnitPickerField {
	return web.UnitPickerField{Name: name, Label: label, Hint: hint, Multi: multi, Chosen: unitPicked(chosen)}
}

// ---- Create a child unit ----

var unitChildLevel = map[org.Level]org.Level{
	org.LevelCentral: org.LevelProvince, org.LevelProvince: org.LevelCommune, org.LevelDistrict: org.LevelCommune,
	org.LevelCommune: org.LevelGrassroots, org.LevelBody: org.LevelGrassroots, org.LevelGrassroots: org.LevelCell,
	org.LevelCell: org.LevelCell,
}

func (s *Server) unitChildForm(w http.ResponseWriter, r *http.Request) {
	u, ok := s.viewableUnit(w, r)
	if !ok {
		return
	}
	vals := map[string]string{"level": string(unitChildLevel[u.Level]), "valid_from": web.Date(unitToday())}
	s.render(w, r, http.StatusOK, web.UnitChildPage(s.unitAdminPage(r, "Thêm đơn vị trực thuộc"), u, web.Form{Values: vals}))
}

func (s *Server) unitChildSubmit(w http.ResponseWriter, r *http.Request) {
	parent, ok := s.managedUnit(w, r, "unit.create")
	if !ok {
		return
	}
	vals := unitFormValues(r, "name", "code", "symbol", "level", "kind", "valid_from", "legal_basis")
	show := func(f web.Form, status int) {
		s.render(w, r, status, web.UnitChildPage(s.unitAdminPage(r, "Thêm đơn vị trực thuộc"), parent, f))
	}
	f := apperr.Fields{}
	if vals["name"] == "" {
		f.Add("name", "Vui lòng nhập tên đơn vị.")
	}
	if !org.Level(vals["level"]).Valid() {
		f.Add("level", "Vui lòng chọn cấp đơn vị hợp lệ.")
	}
	from := unitFormDate(f, vals, "valid_from", false)
	unitRequireLegal(f, vals)
	if err := f.Err(); err != nil {
		show(formFromError(err, vals), http.StatusUnprocessableEntity)
		return
	}
	n := org.NewUnit{Name: vals["name"], Code: vals["code"], Symbol: vals["symbol"], Level: org.Level(vals["level"]),
		Kind: vals["kind"], ParentID: parent.ID}
	u, err := s.units.Create(r.Context(), s.actor(r), n, from, vals["legal_basis"])
	if err != nil {
		s.unitFormFailure(w, r, err, vals, show)
		return
	}
	http.Redirect(w, r, unitURL(u.ID, "created"), http.StatusSeeOther)
}

// ---- Rename ----

func (s *Server) unitRenameForm(w http.ResponseWriter, r *http.Request) {
	u, ok := s.viewableUnit(w, r)
	if !ok {
		return
	}
	vals := map[string]string{"name": u.Name, "effective_date": web.Date(unitToday())}
	s.render(w, r, http.StatusOK, web.UnitRenamePage(s.unitAdminPage(r, "Đổi tên đơn vị"), u, web.Form{Values: vals}))
}

func (s *Server) unitRenameSubmit(w http.ResponseWriter, r *http.Request) {
	u, ok := s.managedUnit(w, r, "unit.rename")
	if !ok {
		return
	}
	vals := unitFormValues(r, "name", "effective_date", "legal_basis")
	show := func(f web.Form, status int) {
		s.render(w, r, status, web.UnitRenamePage(s.unitAdminPage(r, "Đổi tên đơn vị"), u, f))
	}
	f := apperr.Fields{}
	if strings.Join(strings.Fields(vals["name"]), " ") == "" {
		f.Add("name", "Vui lòng nhập tên mới.")
	}
	d := unitFormDate(f, vals, "effective_date", true)
	unitRequireLegal(f, vals)
	if err := f.Err(); err != nil {
		show(formFromError(err, vals), http.StatusUnprocessableEntity)
		return
	}
	if err := s.units.Rename(r.Context(), s.actor(r), u.ID, vals["name"], d, vals["legal_basis"]); err != nil {
		s.unitFormFailure(w, r, err, vals, show)
		return
	}
	http.Redirect(w, r, unitURL(u.ID, "renamed"), http.StatusSeeOther)
}

// ---- Move under another parent ----

const unitParentHint = "Gõ tên hoặc mã để tìm đơn vị cấp trên."

func (s *Server) unitMoveForm(w http.ResponseWriter, r *http.Request) {
	u, ok := s.viewableUnit(w, r)
	if !ok {
		return
	}
	vals := map[string]string{"effective_date": web.Date(unitToday())}
	s.render(w, r, http.StatusOK, web.UnitMovePage(s.unitAdminPage(r, "Chuyển đơn vị cấp trên"), u, web.Form{Values: vals},
		unitPickerField("parent_id", "Đơn vị cấp trên mới", unitParentHint, false, nil)))
}

func (s *Server) unitMoveSubmit(w http.ResponseWriter, r *http.Request) {
	u, ok := s.managedUnit(w, r, "unit.move")
	if !ok {
		return
	}
	vals := unitFormValues(r, "effective_date", "legal_basis")
	f := apperr.Fields{}
	parents, err := s.unitResolvePicker(r, "parent_id", false, f, vals)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	show := func(fm web.Form, status int) {
		s.render(w, r, status, web.UnitMovePage(s.unitAdminPage(r, "Chuyển đơn vị cấp trên"), u, fm,
			unitPickerField("parent_id", "Đơn vị cấp trên mới", unitParentHint, false, parents)))
	}
	if len(parents) == 0 && f["parent_id"] == "" {
		f.Add("parent_id", "Vui lòng chọn đơn vị cấp trên mới.")
	}
	d := unitFormDate(f, vals, "effective_date", true)
	unitRequireLegal(f, vals)
	if err := f.Err(); err != nil {
		show(formFromError(err, vals), http.StatusUnprocessableEntity)
		return
	}
	parent := parents[0]
	if !s.allowManage(r, "unit.move", []int64{parent.ID}) {
		s.writeError(w, r, apperr.Forbidden("Bạn không có quyền chuyển đơn vị vào đơn vị cấp trên này."))
		return
	}
	if !parent.Current(unitToday()) {
		f.Add("parent_id", fmt.Sprintf("Đơn vị %q không còn hiệu lực.", parent.Name))
		show(formFromError(f.Err(), vals), http.StatusUnprocessableEntity)
		return
	}
	if err := s.units.MoveUnder(r.Context(), s.actor(r), u.ID, parent.ID, d, vals["legal_basis"]); err != nil {
		s.unitFormFailure(w, r, err, vals, show)
		return
	}
	http.Redirect(w, r, unitURL(u.ID, "moved"), http.StatusSeeOther)
}

// ---- Dissolve ----

func (s *Server) unitDissolveForm(w http.ResponseWriter, r *http.Request) {
	u, ok := s.viewableUnit(w, r)
	if !ok {
		return
	}
	vals := map[string]string{"effective_date": web.Date(unitToday())}
	s.render(w, r, http.StatusOK, web.UnitDissolvePage(s.unitAdminPage(r, "Giải thể đơn vị"), u, web.Form{Values: vals}))
}

func (s *Server) unitDissolveSubmit(w http.ResponseWriter, r *http.Request) {
	u, ok := s.managedUnit(w, r, "unit.dissolve")
	if !ok {
		return
	}
	vals := unitFormValues(r, "effective_date", "legal_basis", "confirm")
	show := func(f web.Form, status int) {
		s.render(w, r, status, web.UnitDissolvePage(s.unitAdminPage(r, "Giải thể đơn vị"), u, f))
	}
	f := apperr.Fields{}
	d := unitFormDate(f, vals, "effective_date", true)
	unitRequireLegal(f, vals)
	if vals["confirm"] != "1" {
		f.Add("confirm", "Vui lòng đánh dấu xác nhận giải thể đơn vị.")
	}
	if err := f.Err(); err != nil {
		show(formFromError(err, vals), http.StatusUnprocessableEntity)
		return
	}
	if err := s.units.Dissolve(r.Context(), s.actor(r), u.ID, d, vals["legal_basis"]); err != nil {
		s.unitFormFailure(w, r, err, vals, show)
		return
	}
	http.Redirect(w, r, unitURL(u.ID, "dissolved"), http.StatusSeeOther)
}

// ---- Merge ----

var unitMergeFields = []string{"target_mode", "target.name", "target.code", "target.symbol", "target.level", "target.kind",
	"effective_date", "legal_basis", "action", "previewed"}

func (s *Server) unitMergeForm(w http.ResponseWriter, r *http.Request) {
	// ?sources=ID… pre-selects units, e.g. from a unit's page.
	var ids []int64
	for _, v := range r.URL.Query()["sources"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	sources, err := s.units.GetMany(r.Context(), ids)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	vals := map[string]string{"target_mode": "existing", "effective_date": web.Date(unitToday())}
	s.unitRenderMerge(w, r, http.StatusOK, web.Form{Values: vals}, sources, nil, nil, nil)
}

func (s *Server) unitRenderMerge(w http.ResponseWriter, r *http.Request, status int, f web.Form, sources, target, parent []org.Unit, report *org.MoveReport) {
	v := web.MergeView{
		Form:      f,
		Sources:   unitPickerField("sources", "Các đơn vị được sáp nhập", "Chọn một hoặc nhiều đơn vị sẽ chấm dứt hoạt động.", true, sources),
		Target:    unitPickerField("target_id", "Đơn vị tiếp nhận", "Đơn vị đang hoạt động sẽ kế thừa các đơn vị trên.", false, target),
		NewParent: unitPickerField("target.parent_id", "Đơn vị cấp trên của đơn vị mới", "Để trống: cùng đơn vị cấp trên với các đơn vị được sáp nhập.", false, parent),
		Report:    report,
		CanOpen:   unitCanOpen(r),
	}
	s.render(w, r, status, web.MergePage(s.unitAdminPage(r, "Sáp nhập đơn vị"), v))
}

// unitCommonParent is the parent all units share, or 0.
func unitCommonParent(us []org.Unit) int64 {
	var p int64
	for i, u := range us {
		if u.ParentID == nil {
			return 0
		}
		if i == 0 {
			p = *u.ParentID
		} else if *u.ParentID != p {
			return 0
		}
	}
	return p
}

// unitPreviewToken fingerprints a request, so "apply" only runs what the
// administrator saw in the preview.
func unitPreviewToken(v any) string {
	b, _ := json.Marshal(v)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:12])
}

func (s *Server) unitMergeSubmit(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.writeError(w, r, err)
		return
	}
	vals := unitFormValues(r, unitMergeFields...)
	if vals["target_mode"] != "new" {
		vals["target_mode"] = "existing"
	}
	f := apperr.Fields{}
	sources, err := s.unitResolvePicker(r, "sources", true, f, vals)
	// Only the picker of the chosen target mode may hold the form back.
	targetF, parentF := f, apperr.Fields{}
	if vals["target_mode"] == "new" {
		targetF, parentF = apperr.Fields{}, f
	}
	var target, parent []org.Unit
	if err == nil {
		target, err = s.unitResolvePicker(r, "target_id", false, targetF, vals)
	}
	if err == nil {
		parent, err = s.unitResolvePicker(r, "target.parent_id", false, parentF, vals)
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	show := func(fm web.Form, status int) { s.unitRenderMerge(w, r, status, fm, sources, target, parent, nil) }

	if len(sources) == 0 && f["sources"] == "" {
		f.Add("sources", "Vui lòng chọn ít nhất một đơn vị được sáp nhập.")
	}
	req := org.MergeRequest{Sources: unitIDs(sources), LegalBasis: vals["legal_basis"]}
	if vals["target_mode"] == "new" {
		n := &org.NewUnit{Name: vals["target.name"], Code: vals["target.code"], Symbol: vals["target.symbol"],
			Level: org.Level(vals["target.level"]), Kind: vals["target.kind"]}
		if len(parent) == 1 {
			n.ParentID = parent[0].ID
		} else if f["target.parent_id"] == "" {
			n.ParentID = unitCommonParent(sources)
		}
		if n.Name == "" {
			f.Add("target.name", "Vui lòng nhập tên đơn vị mới.")
		}
		if !n.Level.Valid() {
			f.Add("target.level", "Vui lòng chọn cấp đơn vị hợp lệ.")
		}
		req.Target = n
	} else {
		if len(target) == 1 {
			req.TargetID = target[0].ID
		} else if f["target_id"] == "" {
			f.Add("target_id", "Vui lòng chọn đơn vị tiếp nhận hoặc khai báo đơn vị mới.")
		}
	}
	req.EffectiveDate = unitFormDate(f, vals, "effective_date", true)
	unitRequireLegal(f, vals)
	if err := f.Err(); err != nil {
		show(formFromError(err, vals), http.StatusUnprocessableEntity)
		return
	}
	token := unitPreviewToken(req)
	apply := vals["action"] == "apply" && vals["previewed"] == token
	req.DryRun = !apply
	report, err := s.merge(r, req)
	if err != nil {
		s.unitFormFailure(w, r, err, vals, show)
		return
	}
	if report.DryRun {
		fm := web.Form{Values: vals, Errors: map[string]string{}}
		fm.Values["previewed"] = token
		if vals["action"] == "apply" {
			fm.Error = "Thông tin đã thay đổi so với bản xem trước. Vui lòng kiểm tra lại bản xem trước mới rồi bấm “Áp dụng sáp nhập”."
		}
		s.unitRenderMerge(w, r, http.StatusOK, fm, sources, target, parent, &report)
		return
	}
	http.Redirect(w, r, "/admin/events/"+strconv.FormatInt(report.EventID, 10)+"?ok=merged", http.StatusSeeOther)
}

// ---- Split ----

const (
	splitMinParts = 2
	splitMaxParts = 10
)

func splitPartFields(i int) []string {
	p := fmt.Sprintf("parts[%d].", i)
	return []string{p + "mode", p + "target.name", p + "target.code", p + "target.symbol", p + "target.level", p + "target.kind"}
}

func (s *Server) unitSplitForm(w http.ResponseWriter, r *http.Request) {
	var source []org.Unit
	if id, err := strconv.ParseInt(r.URL.Query().Get("source"), 10, 64); err == nil {
		var err error
		if source, err = s.units.GetMany(r.Context(), []int64{id}); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	vals := map[string]string{"effective_date": web.Date(unitToday()), "parts": strconv.Itoa(splitMinParts)}
	parts := make([]splitPartInput, splitMinParts)
	for i := range parts {
		vals[fmt.Sprintf("parts[%d].mode", i)] = "new"
	}
	s.unitRenderSplit(w, r, http.StatusOK, web.Form{Values: vals}, source, parts, nil)
}

type splitPartInput struct {
	target, parent []org.Unit
}

func (s *Server) unitRenderSplit(w http.ResponseWriter, r *http.Request, status int, f web.Form, source []org.Unit, parts []splitPartInput, report *org.MoveReport) {
	v := web.SplitView{
		Form:    f,
		Source:  unitPickerField("source", "Đơn vị được chia tách", "Đơn vị sẽ chấm dứt hoạt động và được chia cho các đơn vị kế thừa.", false, source),
		Report:  report,
		CanOpen: unitCanOpen(r),
	}
	for i, p := range parts {
		prefix := fmt.Sprintf("parts[%d].", i)
		part := web.SplitPartView{
			Index:  i,
			Prefix: prefix,
			Target: unitPickerField(prefix+"target_id", "Đơn vị kế thừa có sẵn", "", false, p.target),
			Parent: unitPickerField(prefix+"target.parent_id", "Đơn vị cấp trên của đơn vị mới", "Để trống: cùng đơn vị cấp trên với đơn vị bị chia tách.", false, p.parent),
		}
		part.Label = fmt.Sprintf("Phần %d", i+1)
		if f.Get(prefix+"mode") == "existing" && len(p.target) == 1 {
			part.Label += ": " + p.target[0].Name
		} else if n := f.Get(prefix + "target.name"); f.Get(prefix+"mode") != "existing" && n != "" {
			part.Label += ": " + n
		}
		v.Parts = append(v.Parts, part)
	}
	if len(source) == 1 {
		ctx := r.Context()
		members, _, err := s.units.Members(ctx, source[0].ID, 1000)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		// One row per person, whatever roles they hold.
		seen := map[int64]int{}
		for _, m := range members {
			if i, ok := seen[m.UserID]; ok {
				v.Members[i].Roles = append(v.Members[i].Roles, m.Role)
				continue
			}
			seen[m.UserID] = len(v.Members)
			v.Members = append(v.Members, web.SplitMember{UserID: m.UserID, Name: m.FullName, Login: m.Login, Roles: []string{m.Role}})
		}
		if v.Children, err = s.units.Children(ctx, source[0].ID, unitToday()); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	s.render(w, r, status, web.SplitPage(s.unitAdminPage(r, "Chia tách đơn vị"), v))
}

func (s *Server) unitSplitSubmit(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.writeError(w, r, err)
		return
	}
	n, _ := strconv.Atoi(r.PostFormValue("parts"))
	n = max(splitMinParts, min(n, splitMaxParts))
	action := r.PostFormValue("action")
	if action == "add_part" && n < splitMaxParts {
		n++
	}
	names := []string{"effective_date", "legal_basis", "action", "previewed"}
	for i := range n {
		names = append(names, splitPartFields(i)...)
	}
	vals := unitFormValues(r, names...)
	vals["parts"] = strconv.Itoa(n)
	for k, vs := range r.PostForm {
		if strings.HasPrefix(k, "member_part.") || strings.HasPrefix(k, "child_part.") {
			vals[k] = strings.TrimSpace(vs[0])
		}
	}
	f := apperr.Fields{}
	source, err := s.unitResolvePicker(r, "source", false, f, vals)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	parts := make([]splitPartInput, n)
	for i := range parts {
		prefix := fmt.Sprintf("parts[%d].", i)
		if vals[prefix+"mode"] != "existing" {
			vals[prefix+"mode"] = "new"
		}
		targetF, parentF := apperr.Fields{}, f
		if vals[prefix+"mode"] == "existing" {
			targetF, parentF = f, apperr.Fields{}
		}
		if parts[i].target, err = s.unitResolvePicker(r, prefix+"target_id", false, targetF, vals); err == nil {
			parts[i].parent, err = s.unitResolvePicker(r, prefix+"target.parent_id", false, parentF, vals)
		}
		if err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	show := func(fm web.Form, status int) { s.unitRenderSplit(w, r, status, fm, source, parts, nil) }
	if action == "add_part" {
		show(web.Form{Values: vals, Errors: map[string]string{}}, http.StatusOK)
		return
	}

	req := org.SplitRequest{LegalBasis: vals["legal_basis"]}
	if len(source) == 1 {
		req.Source = source[0].ID
	} else if f["source"] == "" {
		f.Add("source", "Vui lòng chọn đơn vị được chia tách.")
	}
	for i, p := range parts {
		prefix := fmt.Sprintf("parts[%d].", i)
		var part org.SplitPart
		if vals[prefix+"mode"] == "existing" {
			if len(p.target) == 1 {
				part.TargetID = p.target[0].ID
			} else if f[prefix+"target_id"] == "" {
				f.Add(prefix+"target_id", "Vui lòng chọn đơn vị kế thừa.")
			}
		} else {
			nu := &org.NewUnit{Name: vals[prefix+"target.name"], Code: vals[prefix+"target.code"], Symbol: vals[prefix+"target.symbol"],
				Level: org.Level(vals[prefix+"target.level"]), Kind: vals[prefix+"target.kind"]}
			if len(p.parent) == 1 {
				nu.ParentID = p.parent[0].ID
			} else if f[prefix+"target.parent_id"] == "" && len(source) == 1 && source[0].ParentID != nil {
				nu.ParentID = *source[0].ParentID
			}
			if nu.Name == "" {
				f.Add(prefix+"target.name", "Vui lòng nhập tên đơn vị mới.")
			}
			if !nu.Level.Valid() {
				f.Add(prefix+"target.level", "Vui lòng chọn cấp đơn vị hợp lệ.")
			}
			part.Target = nu
		}
		req.Parts = append(req.Parts, part)
	}
	// Optional mappings: people and sub-units not mapped go to the first part.
	mapping := func(prefix string, add func(part int, id int64)) {
		keys := make([]string, 0)
		for k := range vals {
			if strings.HasPrefix(k, prefix) {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			id, err1 := strconv.ParseInt(strings.TrimPrefix(k, prefix), 10, 64)
			part, err2 := strconv.Atoi(vals[k])
			if err1 != nil || err2 != nil || part < 0 || part >= n {
				continue
			}
			add(part, id)
		}
	}
	mapping("member_part.", func(p int, id int64) { req.Parts[p].Members = append(req.Parts[p].Members, id) })
	mapping("child_part.", func(p int, id int64) { req.Parts[p].Children = append(req.Parts[p].Children, id) })
	req.EffectiveDate = unitFormDate(f, vals, "effective_date", true)
	unitRequireLegal(f, vals)
	if err := f.Err(); err != nil {
		show(formFromError(err, vals), http.StatusUnprocessableEntity)
		return
	}
	token := unitPreviewToken(req)
	apply := action == "apply" && vals["previewed"] == token
	req.DryRun = !apply
	report, err := s.unitSplit(r, req)
	if err != nil {
		s.unitFormFailure(w, r, err, vals, show)
		return
	}
	if report.DryRun {
		fm := web.Form{Values: vals, Errors: map[string]string{}}
		fm.Values["previewed"] = token
		if action == "apply" {
			fm.Error = "Thông tin đã thay đổi so với bản xem trước. Vui lòng kiểm tra lại bản xem trước mới rồi bấm “Áp dụng chia tách”."
		}
		s.unitRenderSplit(w, r, http.StatusOK, fm, source, parts, &report)
		return
	}
	http.Redirect(w, r, "/admin/events/"+strconv.FormatInt(report.EventID, 10)+"?ok=split", http.StatusSeeOther)
}

// split authorises and runs a split for the admin screens, with the rule
// of the API: the subject administers the source, every existing part and
// every new part's parent (a new top-level unit needs a system
// administrator).
func (s *Server) unitSplit(r *http.Request, req org.SplitRequest) (org.MoveReport, error) {
	units := []int64{req.Source}
	for _, p := range req.Parts {
		if p.TargetID != 0 {
			units = append(units, p.TargetID)
		}
		if p.Target != nil {
			units = append(units, p.Target.ParentID)
		}
	}
	if !s.allowManage(r, "unit.split", units) {
		return org.MoveReport{}, apperr.Forbidden("Bạn không có quyền chia tách đơn vị này.")
	}
	return s.units.Split(r.Context(), s.actor(r), req)
}

// ---- Stored merge/split report and other events ----

func (s *Server) unitEventPage(w http.ResponseWriter, r *http.Request) {
	id := unitParam(r)
	e, err := s.units.GetEvent(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v := web.UnitEventView{Event: e, CanOpen: unitCanOpen(r)}
	var involved []int64
	if e.UnitID != nil {
		involved = append(involved, *e.UnitID)
	}
	if len(e.Report) > 0 {
		var rep org.MoveReport
		if err := json.Unmarshal(e.Report, &rep); err != nil {
			s.serverError(w, r, fmt.Errorf("decode report of event %d: %w", id, err))
			return
		}
		v.Report = &rep
		for _, refs := range [][]org.UnitRef{rep.Sources, rep.Targets, rep.NewTargets} {
			for _, u := range refs {
				involved = append(involved, u.ID)
			}
		}
	}
	sub := subjectFrom(r.Context())
	if !slices.ContainsFunc(involved, sub.CanManageUnit) {
		s.recordAudit(r, audit.Entry{Action: "unit_event.view", Outcome: audit.OutcomeDenied, ObjectType: "unit_event", ObjectID: strconv.FormatInt(id, 10)})
		s.writeProblem(w, r, http.StatusNotFound, "", nil)
		return
	}
	if e.UnitID != nil {
		u, err := s.units.Get(r.Context(), s.db, *e.UnitID)
		if err != nil && !errors.Is(err, apperr.ErrNotFound) {
			s.serverError(w, r, err)
			return
		}
		if err == nil {
			v.Unit = &u
		}
	}
	s.recordAudit(r, audit.Entry{Action: "unit_event.view", Outcome: audit.OutcomeSuccess, ObjectType: "unit_event", ObjectID: strconv.FormatInt(id, 10)})
	title := "Sự kiện: " + org.EventLabel(e.Kind)
	if e.Kind == "merge" || e.Kind == "split" {
		title = "Biên bản " + strings.ToLower(org.EventLabel(e.Kind))
	}
	s.render(w, r, http.StatusOK, web.UnitEventPage(s.unitAdminPage(r, title), v))
}
