package server

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"

	"vanthu/internal/access"
	"vanthu/internal/apperr"
	"vanthu/internal/audit"
	"vanthu/internal/identity"
	"vanthu/internal/platform/postgres"
	"vanthu/web"
)

// userAdminRoutes: people, memberships, locks and resets. Every route acts
// only on users the subject manages (access.ManagedUsersPredicate, in SQL);
// anyone else's id answers 404 like a missing one.
func (s *Server) userAdminRoutes(r chi.Router) {
	r.Get("/users", s.adminUsers)
	r.Get("/users/new", s.adminUserNewForm)
	r.Post("/users/new", s.adminUserCreate)
	r.Get("/users/{id:[0-9]+}", s.adminUser)
	r.Post("/users/{id:[0-9]+}/disable", s.adminUserDisable)
	r.Post("/users/{id:[0-9]+}/enable", s.adminUserEnable)
	r.Post("/users/{id:[0-9]+}/unlock", s.adminUserUnlock)
	r.Post("/users/{id:[0-9]+}/password", s.adminUserResetPassword)
	r.Post("/users/{id:[0-9]+}/totp-reset", s.adminUserResetTOTP)
	r.Post("/users/{id:[0-9]+}/clearance", s.adminUserClearance)
	r.Post("/users/{id:[0-9]+}/logout-all", s.adminUserLogoutAll)
	r.Post("/users/{id:[0-9]+}/memberships", s.adminUserAddMembership)
	r.Post("/users/{id:[0-9]+}/memberships/remove", s.adminUserRemoveMembership)
}

// maxUnitOptions bounds the unit select; beyond it the form asks for an id.
const maxUnitOptions = 500

// userFlashes are the messages shown after an action redirects back. The
// redirect carries only the key, so nothing typed is reflected.
var userFlashes = map[string]string{
	"created":        "Đã tạo người dùng.",
	"disabled":       "Đã vô hiệu hóa tài khoản; mọi phiên đăng nhập của người dùng đã kết thúc.",
	"enabled":        "Đã kích hoạt lại tài khoản.",
	"unlocked":       "Đã mở khóa đăng nhập cho tài khoản.",
	"password":       "Đã đặt mật khẩu tạm thời. Người dùng phải đổi mật khẩu ở lần đăng nhập tới; mọi phiên đăng nhập đã kết thúc.",
	"totp":           "Đã đặt lại xác thực hai lớp; người dùng sẽ thiết lập lại ở lần đăng nhập tới. Mọi phiên đăng nhập đã kết thúc.",
	"clearance":      "Đã cập nhật mức tiếp cận bí mật.",
	"sessions":       "Đã đăng xuất người dùng khỏi mọi phiên.",
	"member_added":   "Đã thêm vai trò tại đơn vị.",
	"member_removed": "Đã gỡ vai trò tại đơn vị.",
}

func flashFrom(r *http.Request) *web.Flash {
	if msg, ok := userFlashes[r.URL.Query().Get("done")]; ok {
		return &web.Flash{Kind: "ok", Message: msg}
	}
	return nil
}

// managedUnitOptions lists the current units the subject may put people in.
func (s *Server) managedUnitOptions(r *http.Request, sub access.Subject) ([]identity.UnitOption, bool, error) {
	if sub.IsAdmin {
		return s.users.UnitOptions(r.Context(), true, nil, maxUnitOptions)
	}
	var ids []int64
	for _, id := range sub.ViewUnits() {
		if sub.CanManageUnit(id) {
			ids = append(ids, id)
		}
	}
	return s.users.UnitOptions(r.Context(), false, ids, maxUnitOptions)
}

// grantableRoles are the roles the subject may give: only system
// administrators make system administrators.
func grantableRoles(sub access.Subject) []identity.Role {
	var out []identity.Role
	for _, role := range identity.Roles {
		if role != identity.RoleAdmin || sub.IsAdmin {
			out = append(out, role)
		}
	}
	return out
}

// grantableClearances are the levels the subject may give: no higher than
// their own unless they administer the system.
func grantableClearances(sub access.Subject) []identity.Clearance {
	var out []identity.Clearance
	for _, c := range identity.Clearances {
		if sub.IsAdmin || sub.CanSee(c) {
			out = append(out, c)
		}
	}
	return out
}

// Refusal messages.
const (
	msgGrantAdmin     = "Chỉ quản trị hệ thống mới được cấp hoặc gỡ vai trò Quản trị hệ thống."
	msgUnitNotManaged = "Bạn chỉ được quản lý người dùng trong các đơn vị mình quản trị."
	msgClearanceAbove = "Bạn không được cấp mức tiếp cận bí mật cao hơn mức của chính mình."
)

// deny records a refused action and answers 403 with the reason.
func (s *Server) deny(w http.ResponseWriter, r *http.Request, action string, userID int64, reason string) {
	e := audit.Entry{Action: action, Outcome: audit.OutcomeDenied, ObjectType: "user", Details: map[string]any{"reason": reason}}
	if userID != 0 {
		e.ObjectID = strconv.FormatInt(userID, 10)
	}
	s.recordAudit(r, e)
	s.writeProblem(w, r, http.StatusForbidden, reason, nil)
}

// --- list ---------------------------------------------------------------

func (s *Server) adminUsers(w http.ResponseWriter, r *http.Request) {
	sub := subjectFrom(r.Context())
	q := r.URL.Query()
	v := web.UserListView{
		Q: strings.TrimSpace(q.Get("q")), UnitID: strings.TrimSpace(q.Get("unit_id")), Role: q.Get("role"),
		Status: q.Get("status"), Roles: identity.Roles, Now: time.Now(), IsSystemAdmin: sub.IsAdmin,
	}
	v.Filtered = v.Q != "" || v.UnitID != "" || v.Role != "" || v.Status != ""
	var err error
	if v.Units, v.UnitsTruncated, err = s.managedUnitOptions(r, sub); err != nil {
		s.serverError(w, r, err)
		return
	}
	f := identity.ListFilter{Q: v.Q, Role: identity.Role(v.Role), Status: v.Status, Cursor: q.Get("cursor")}
	if utf8.RuneCountInString(f.Q) > 200 {
		f.Q = string([]rune(f.Q)[:200])
	}
	if v.UnitID != "" {
		if f.UnitID, err = strconv.ParseInt(v.UnitID, 10, 64); err != nil || f.UnitID <= 0 {
			v.Error = "Mã đơn vị phải là số nguyên dương."
			s.render(w, r, http.StatusUnprocessableEntity, web.UserListPage(s.page(r, "Người dùng", "admin"), v))
			return
		}
	}
	items, next, err := s.users.List(r.Context(), f, sub.ManagedUsersPredicate("u.id"))
	if err != nil {
		if e, ok := apperr.As(err); ok && e.Kind == apperr.KindInvalid {
			v.Error = e.Message
			s.render(w, r, http.StatusUnprocessableEntity, web.UserListPage(s.page(r, "Người dùng", "admin"), v))
			return
		}
		s.serverError(w, r, err)
		return
	}
	v.Items = items
	base := url.Values{}
	for _, k := range []string{"q", "unit_id", "role", "status"} {
		if val := strings.TrimSpace(q.Get(k)); val != "" {
			base.Set(k, val)
		}
	}
	if next != "" {
		nq := url.Values{}
		for k, vals := range base {
			nq[k] = vals
		}
		nq.Set("cursor", next)
		v.NextURL = "/admin/users?" + nq.Encode()
	}
	if f.Cursor != "" {
		v.FirstURL = "/admin/users"
		if len(base) > 0 {
			v.FirstURL += "?" + base.Encode()
		}
	}
	details := map[string]any{"results": len(items)}
	for k, vals := range base {
		details[k] = vals[0]
	}
	s.recordAudit(r, audit.Entry{Action: "user.list", Outcome: audit.OutcomeSuccess, ObjectType: "user", Details: details})
	p := s.page(r, "Người dùng", "admin")
	p.Flash = flashFrom(r)
	s.render(w, r, http.StatusOK, web.UserListPage(p, v))
}

// --- create -------------------------------------------------------------

func (s *Server) userFormView(r *http.Request, f web.Form) (web.UserFormView, error) {
	sub := subjectFrom(r.Context())
	v := web.UserFormView{Form: f, Roles: grantableRoles(sub), Clearances: grantableClearances(sub), IsSystemAdmin: sub.IsAdmin}
	var err error
	v.Units, v.UnitsTruncated, err = s.managedUnitOptions(r, sub)
	return v, err
}

func (s *Server) renderUserForm(w http.ResponseWriter, r *http.Request, status int, f web.Form) {
	v, err := s.userFormView(r, f)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, status, web.UserNewPage(s.page(r, "Thêm người dùng", "admin"), v))
}

func (s *Server) adminUserNewForm(w http.ResponseWriter, r *http.Request) {
	f := web.Form{Values: map[string]string{"must_change": "on", "clearance": string(identity.ClearanceNone)}}
	if u := r.URL.Query().Get("unit_id"); u != "" {
		f.Values["unit_id"] = u
	}
	s.renderUserForm(w, r, http.StatusOK, f)
}

// checkUnit reports a field message unless unitID names a unit that exists
// today.
func (s *Server) checkUnit(r *http.Request, unitID int64) (string, error) {
	u, err := s.units.Get(r.Context(), s.db, unitID)
	if errors.Is(err, apperr.ErrNotFound) {
		return "Đơn vị không tồn tại.", nil
	}
	if err != nil {
		return "", err
	}
	if !u.Current(today()) {
		return "Đơn vị đã ngừng hoạt động; hãy chọn đơn vị kế thừa.", nil
	}
	return "", nil
}

func today() time.Time {
	y, m, d := time.Now().In(vietnam).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func (s *Server) adminUserCreate(w http.ResponseWriter, r *http.Request) {
	sub := subjectFrom(r.Context())
	if err := r.ParseForm(); err != nil {
		s.writeError(w, r, err)
		return
	}
	vals := map[string]string{}
	for _, k := range []string{"login", "full_name", "email", "clearance", "unit_id", "role", "title", "must_change"} {
		vals[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	role := identity.Role(vals["role"])
	clearance := identity.Clearance(vals["clearance"])
	unitID, unitErr := strconv.ParseInt(vals["unit_id"], 10, 64)

	// Authorisation before validation: a refusal is a refusal whatever else
	// is wrong with the form.
	switch {
	case role == identity.RoleAdmin && !sub.IsAdmin:
		s.deny(w, r, "user.create", 0, msgGrantAdmin)
		return
	case unitErr == nil && unitID > 0 && !sub.CanManageUnit(unitID):
		s.deny(w, r, "user.create", 0, msgUnitNotManaged)
		return
	case clearance.Valid() && !sub.IsAdmin && !sub.CanSee(clearance):
		s.deny(w, r, "user.create", 0, msgClearanceAbove)
		return
	}

	n := identity.NewUser{Login: vals["login"], FullName: vals["full_name"], Email: vals["email"],
		Password: r.PostFormValue("password"), Clearance: clearance, MustChangePassword: vals["must_change"] == "on"}
	fields := apperr.Fields{}
	if err := n.Validate(); err != nil {
		e, _ := apperr.As(err)
		for k, m := range e.Fields {
			fields.Add(k, m)
		}
	}
	if unitErr != nil || unitID <= 0 {
		fields.Add("unit_id", "Vui lòng chọn đơn vị.")
	} else if msg, err := s.checkUnit(r, unitID); err != nil {
		s.serverError(w, r, err)
		return
	} else if msg != "" {
		fields.Add("unit_id", msg)
	}
	if !role.Valid() {
		fields.Add("role", "Vui lòng chọn vai trò.")
	}
	if utf8.RuneCountInString(vals["title"]) > 200 {
		fields.Add("title", "Chức vụ dài tối đa 200 ký tự.")
	}
	if err := fields.Err(); err != nil {
		s.renderUserForm(w, r, http.StatusUnprocessableEntity, formFromError(err, vals))
		return
	}

	var created identity.User
	err := postgres.InTx(r.Context(), s.db, func(tx pgx.Tx) error {
		var err error
		if created, err = s.users.Create(r.Context(), tx, n); err != nil {
			return err
		}
		return s.users.AddMembership(r.Context(), tx, created.ID, unitID, role, vals["title"])
	})
	if err != nil {
		if e, ok := apperr.As(err); ok && e.Kind == apperr.KindInvalid {
			s.renderUserForm(w, r, http.StatusUnprocessableEntity, formFromError(err, vals))
			return
		}
		s.writeError(w, r, err)
		return
	}
	s.recordAudit(r, audit.Entry{Action: "user.create", Outcome: audit.OutcomeSuccess, ObjectType: "user",
		ObjectID: strconv.FormatInt(created.ID, 10), Details: map[string]any{
			"login": created.Login, "unit_id": unitID, "role": string(role), "clearance": string(created.Clearance),
			"must_change_password": created.MustChangePassword,
		}})
	http.Redirect(w, r, fmt.Sprintf("/admin/users/%d?done=created", created.ID), http.StatusSeeOther)
}

// --- one user -----------------------------------------------------------

// target is a user the subject may see, with their memberships.
type target struct {
	user        identity.User
	memberships []identity.Membership
}

// loadTarget finds the {id} user among those the subject manages. Anyone
// else, existing or not, is a 404 and a refused decision in the log.
func (s *Server) loadTarget(w http.ResponseWriter, r *http.Request, action string) (target, bool) {
	sub := subjectFrom(r.Context())
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id <= 0 {
		s.writeProblem(w, r, http.StatusNotFound, "", nil)
		return target{}, false
	}
	u, err := s.users.GetVisible(r.Context(), id, sub.ManagedUsersPredicate("u.id"))
	if errors.Is(err, identity.ErrUserNotFound) {
		s.recordAudit(r, audit.Entry{Action: action, Outcome: audit.OutcomeDenied, ObjectType: "user", ObjectID: strconv.FormatInt(id, 10),
			Details: map[string]any{"reason": "không tồn tại hoặc ngoài phạm vi quản trị"}})
		s.writeProblem(w, r, http.StatusNotFound, identity.ErrUserNotFound.Message, nil)
		return target{}, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return target{}, false
	}
	ms, err := s.users.Memberships(r.Context(), u.ID)
	if err != nil {
		s.serverError(w, r, err)
		return target{}, false
	}
	return target{user: u, memberships: ms}, true
}

// accountRefusal says why the subject may not act on the whole account
// (password, TOTP, lock, disable, clearance, sessions), or "". Those
// actions reach every unit the person works in, so a unit administrator
// needs all of them in scope, and only system administrators act on system
// administrators.
func accountRefusal(sub access.Subject, t target) string {
	if sub.IsAdmin {
		return ""
	}
	for _, m := range t.memberships {
		if m.Role == identity.RoleAdmin {
			return "Chỉ quản trị hệ thống mới được thao tác trên tài khoản quản trị hệ thống."
		}
	}
	for _, m := range t.memberships {
		if !sub.CanManageUnit(m.UnitID) {
			return "Người dùng này còn làm việc ở đơn vị ngoài phạm vi bạn quản trị; chỉ quản trị cấp trên hoặc quản trị hệ thống mới được thao tác trên toàn bộ tài khoản."
		}
	}
	return ""
}

func (s *Server) renderUserDetail(w http.ResponseWriter, r *http.Request, status int, t target, f web.Form, flash *web.Flash) {
	sub := subjectFrom(r.Context())
	v := web.UserDetailView{
		User: t.user, Status: t.user.Status(time.Now()), Roles: grantableRoles(sub), Clearances: grantableClearances(sub),
		IsSelf: t.user.ID == sub.UserID, IsSystemAdmin: sub.IsAdmin,
	}
	if f.Values == nil {
		f.Values = map[string]string{}
	}
	if _, ok := f.Values["clearance"]; !ok {
		f.Values["clearance"] = string(t.user.Clearance)
	}
	v.Form = f
	v.AccountNote = accountRefusal(sub, t)
	v.CanManageAccount = v.AccountNote == ""
	for _, m := range t.memberships {
		v.Memberships = append(v.Memberships, web.MembershipRow{Membership: m, CanRemove: membershipRefusal(sub, t.user.ID, m.UnitID, m.Role) == ""})
	}
	var err error
	if v.Sessions, err = s.users.CountSessions(r.Context(), t.user.ID); err != nil {
		s.serverError(w, r, err)
		return
	}
	if v.Units, v.UnitsTruncated, err = s.managedUnitOptions(r, sub); err != nil {
		s.serverError(w, r, err)
		return
	}
	p := s.page(r, t.user.FullName, "admin")
	p.Flash = flash
	s.render(w, r, status, web.UserDetailPage(p, v))
}

func (s *Server) adminUser(w http.ResponseWriter, r *http.Request) {
	t, ok := s.loadTarget(w, r, "user.view")
	if !ok {
		return
	}
	s.recordAudit(r, audit.Entry{Action: "user.view", Outcome: audit.OutcomeSuccess, ObjectType: "user", ObjectID: strconv.FormatInt(t.user.ID, 10)})
	s.renderUserDetail(w, r, http.StatusOK, t, web.Form{}, flashFrom(r))
}

// accountAction runs an account-wide action on the {id} user: found among
// those the subject manages, authorised, done, audited, redirected back.
func (s *Server) accountAction(w http.ResponseWriter, r *http.Request, action, done string,
	run func(t target) (details map[string]any, refusal string, err error)) {
	t, ok := s.loadTarget(w, r, action)
	if !ok {
		return
	}
	if reason := accountRefusal(subjectFrom(r.Context()), t); reason != "" {
		s.deny(w, r, action, t.user.ID, reason)
		return
	}
	details, refusal, err := run(t)
	if refusal != "" {
		s.deny(w, r, action, t.user.ID, refusal)
		return
	}
	if err != nil {
		if e, ok := apperr.As(err); ok && e.Kind == apperr.KindInvalid {
			s.recordAudit(r, audit.Entry{Action: action, Outcome: audit.OutcomeFailure, ObjectType: "user",
				ObjectID: strconv.FormatInt(t.user.ID, 10), Details: map[string]any{"reason": e.Message}})
			s.renderUserDetail(w, r, http.StatusUnprocessableEntity, t, formFromError(err, nil), nil)
			return
		}
		s.writeError(w, r, err)
		return
	}
	s.recordAudit(r, audit.Entry{Action: action, Outcome: audit.OutcomeSuccess, ObjectType: "user",
		ObjectID: strconv.FormatInt(t.user.ID, 10), Details: details})
	http.Redirect(w, r, fmt.Sprintf("/admin/users/%d?done=%s", t.user.ID, done), http.StatusSeeOther)
}

func (s *Server) adminUserDisable(w http.ResponseWriter, r *http.Request) {
	s.accountAction(w, r, "user.disable", "disabled", func(t target) (map[string]any, string, error) {
		if t.user.ID == subjectFrom(r.Context()).UserID {
			return nil, "Bạn không thể tự vô hiệu hóa tài khoản của mình.", nil
		}
		return nil, "", s.users.SetDisabled(r.Context(), t.user.ID, true)
	})
}

func (s *Server) adminUserEnable(w http.ResponseWriter, r *http.Request) {
	s.accountAction(w, r, "user.enable", "enabled", func(t target) (map[string]any, string, error) {
		return nil, "", s.users.SetDisabled(r.Context(), t.user.ID, false)
	})
}

func (s *Server) adminUserUnlock(w http.ResponseWriter, r *http.Request) {
	s.accountAction(w, r, "user.unlock", "unlocked", func(t target) (map[string]any, string, error) {
		return map[string]any{"failed_logins": t.user.FailedLogins}, "", s.users.Unlock(r.Context(), t.user.ID)
	})
}

func (s *Server) adminUserResetPassword(w http.ResponseWriter, r *http.Request) {
	s.accountAction(w, r, "user.password_reset", "password", func(t target) (map[string]any, string, error) {
		pw, confirm := r.PostFormValue("password"), r.PostFormValue("password_confirm")
		fields := apperr.Fields{}
		if msg := identity.CheckPasswordPolicy(pw, t.user.Login); msg != "" {
			fields.Add("password", msg)
		}
		if pw != confirm {
			fields.Add("password_confirm", "Hai lần nhập mật khẩu không khớp.")
		}
		if err := fields.Err(); err != nil {
			return nil, "", err
		}
		// SetPassword also clears a lock and ends every session.
		return map[string]any{"must_change_password": true}, "", s.users.SetPassword(r.Context(), t.user.ID, t.user.Login, pw, true)
	})
}

func (s *Server) adminUserResetTOTP(w http.ResponseWriter, r *http.Request) {
	s.accountAction(w, r, "user.totp_reset", "totp", func(t target) (map[string]any, string, error) {
		if err := s.users.ResetTOTP(r.Context(), t.user.ID); err != nil {
			return nil, "", err
		}
		// Whoever holds the old authenticator may hold a session too.
		n, err := s.users.DeleteUserSessions(r.Context(), t.user.ID)
		return map[string]any{"sessions_ended": n}, "", err
	})
}

func (s *Server) adminUserClearance(w http.ResponseWriter, r *http.Request) {
	s.accountAction(w, r, "user.clearance", "clearance", func(t target) (map[string]any, string, error) {
		sub := subjectFrom(r.Context())
		c := identity.Clearance(r.PostFormValue("clearance"))
		if c.Valid() && !sub.IsAdmin && !sub.CanSee(c) {
			return nil, msgClearanceAbove, nil
		}
		details := map[string]any{"old": string(t.user.Clearance), "new": string(c)}
		return details, "", s.users.SetClearance(r.Context(), t.user.ID, c)
	})
}

func (s *Server) adminUserLogoutAll(w http.ResponseWriter, r *http.Request) {
	s.accountAction(w, r, "user.logout_all", "sessions", func(t target) (map[string]any, string, error) {
		n, err := s.users.DeleteUserSessions(r.Context(), t.user.ID)
		return map[string]any{"sessions_ended": n}, "", err
	})
}

// --- memberships ----------------------------------------------------------

// membershipRefusal says why the subject may not give or take role in unit
// for userID, or "".
func membershipRefusal(sub access.Subject, userID, unitID int64, role identity.Role) string {
	switch {
	case role == identity.RoleAdmin && !sub.IsAdmin:
		return msgGrantAdmin
	case !sub.CanManageUnit(unitID):
		return msgUnitNotManaged
	case userID == sub.UserID && (role == identity.RoleAdmin || role == identity.RoleUnitAdmin):
		return "Bạn không thể tự cấp hoặc gỡ quyền quản trị của chính mình."
	}
	return ""
}

// membershipForm reads unit_id, role and title, with field messages.
func membershipForm(r *http.Request) (unitID int64, role identity.Role, title string, vals map[string]string, fields apperr.Fields) {
	vals = map[string]string{}
	for _, k := range []string{"unit_id", "role", "title"} {
		vals[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	fields = apperr.Fields{}
	unitID, err := strconv.ParseInt(vals["unit_id"], 10, 64)
	if err != nil || unitID <= 0 {
		fields.Add("unit_id", "Vui lòng chọn đơn vị.")
	}
	role = identity.Role(vals["role"])
	if !role.Valid() {
		fields.Add("role", "Vui lòng chọn vai trò.")
	}
	title = vals["title"]
	if utf8.RuneCountInString(title) > 200 {
		fields.Add("title", "Chức vụ dài tối đa 200 ký tự.")
	}
	return unitID, role, title, vals, fields
}

func (s *Server) adminUserAddMembership(w http.ResponseWriter, r *http.Request) {
	const action = "user.membership_add"
	t, ok := s.loadTarget(w, r, action)
	if !ok {
		return
	}
	sub := subjectFrom(r.Context())
	unitID, role, title, vals, fields := membershipForm(r)
	if len(fields) == 0 {
		if reason := membershipRefusal(sub, t.user.ID, unitID, role); reason != "" {
			s.deny(w, r, action, t.user.ID, reason)
			return
		}
		msg, err := s.checkUnit(r, unitID)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if msg != "" {
			fields.Add("unit_id", msg)
		}
	}
	if err := fields.Err(); err != nil {
		s.renderUserDetail(w, r, http.StatusUnprocessableEntity, t, formFromError(err, vals), nil)
		return
	}
	if err := s.users.AddMembership(r.Context(), s.db, t.user.ID, unitID, role, title); err != nil {
		if e, ok := apperr.As(err); ok && e.Kind == apperr.KindInvalid {
			s.renderUserDetail(w, r, http.StatusUnprocessableEntity, t, formFromError(err, vals), nil)
			return
		}
		s.writeError(w, r, err)
		return
	}
	s.recordAudit(r, audit.Entry{Action: action, Outcome: audit.OutcomeSuccess, ObjectType: "user",
		ObjectID: strconv.FormatInt(t.user.ID, 10), Details: map[string]any{"unit_id": unitID, "role": string(role), "title": title}})
	http.Redirect(w, r, fmt.Sprintf("/admin/users/%d?done=member_added", t.user.ID), http.StatusSeeOther)
}

func (s *Server) adminUserRemoveMembership(w http.ResponseWriter, r *http.Request) {
	const action = "user.membership_remove"
	t, ok := s.loadTarget(w, r, action)
	if !ok {
		return
	}
	sub := subjectFrom(r.Context())
	unitID, _ := strconv.ParseInt(r.PostFormValue("unit_id"), 10, 64)
	role := identity.Role(r.PostFormValue("role"))
	if reason := membershipRefusal(sub, t.user.ID, unitID, role); reason != "" {
		s.deny(w, r, action, t.user.ID, reason)
		return
	}
	if err := s.users.RemoveMembership(r.Context(), s.db, t.user.ID, unitID, role); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.recordAudit(r, audit.Entry{Action: action, Outcome: audit.OutcomeSuccess, ObjectType: "user",
		ObjectID: strconv.FormatInt(t.user.ID, 10), Details: map[string]any{"unit_id": unitID, "role": string(role)}})
	// Taking away the last role in the subject's units takes the person
	// out of their scope: go back to the list then.
	if _, err := s.users.GetVisible(r.Context(), t.user.ID, sub.ManagedUsersPredicate("u.id")); err != nil {
		http.Redirect(w, r, "/admin/users?done=member_removed", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/users/%d?done=member_removed", t.user.ID), http.StatusSeeOther)
}
