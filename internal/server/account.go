package server

import (
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"vanthu/internal/apperr"
	"vanthu/internal/audit"
	"vanthu/internal/identity"
	"vanthu/web"
)

func (s *Server) accountRoutes(r chi.Router) {
	r.Get("/account", s.account)
	r.Get("/account/password", s.passwordForm)
	r.Post("/account/password", s.changePassword)
	r.Post("/account/logout-all", s.logoutAll)
	r.Post("/account/unit", s.switchUnit)
	r.Post("/account/tokens", s.createToken)
	r.Post("/account/tokens/{id}/revoke", s.revokeToken)
}

func (s *Server) accountView(r *http.Request) (web.AccountView, error) {
	a := authFrom(r.Context())
	v := web.AccountView{User: a.user, Memberships: a.subject.Memberships, ActingUnit: a.subject.ActingUnit}
	var err error
	if v.Sessions, err = s.users.CountSessions(r.Context(), a.user.ID); err != nil {
		return v, err
	}
	if v.Tokens, err = s.users.Tokens(r.Context(), a.user.ID); err != nil {
		return v, err
	}
	v.Calendar, err = s.calendarFeedView(r)
	return v, err
}

func (s *Server) account(w http.ResponseWriter, r *http.Request) {
	v, err := s.accountView(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, web.AccountPage(s.page(r, "Tài khoản", ""), v))
}

func (s *Server) passwordForm(w http.ResponseWriter, r *http.Request) {
	a := authFrom(r.Context())
	s.render(w, r, http.StatusOK, web.PasswordPage(s.page(r, "Đổi mật khẩu", ""), web.Form{}, a.user.MustChangePassword))
}

func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) {
	a := authFrom(r.Context())
	if a.session == nil {
		s.writeProblem(w, r, http.StatusForbidden, "Đổi mật khẩu cần đăng nhập bằng trình duyệt.", nil)
		return
	}
	current, pw, confirm := r.PostFormValue("current"), r.PostFormValue("password"), r.PostFormValue("confirm")
	f := apperr.Fields{}
	if ok, err := identity.VerifyPassword(a.user.PasswordHash, current); err != nil || !ok {
		f.Add("current", "Mật khẩu hiện tại không đúng.")
	}
	if msg := identity.CheckPasswordPolicy(pw, a.user.Login); msg != "" {
		f.Add("password", msg)
	} else if pw == current {
		f.Add("password", "Mật khẩu mới phải khác mật khẩu hiện tại.")
	}
	if pw != confirm {
		f.Add("confirm", "Hai lần nhập mật khẩu mới không khớp.")
	}
	if err := f.Err(); err != nil {
		s.render(w, r, http.StatusUnprocessableEntity, web.PasswordPage(s.page(r, "Đổi mật khẩu", ""), formFromError(err, nil), a.user.MustChangePassword))
		return
	}
	// Changing the password ends every session; this browser gets a new one.
	if err := s.users.SetPassword(r.Context(), a.user.ID, a.user.Login, pw, false); err != nil {
		s.writeError(w, r, err)
		return
	}
	token, err := s.users.CreateSession(r.Context(), a.user.ID, identity.SessionActive, s.sessionPolicy(), clientInfo(r))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.setSessionCookie(w, token)
	s.recordAudit(r, audit.Entry{Action: "user.password_change", Outcome: audit.OutcomeSuccess, ObjectType: "user", ObjectID: strconv.FormatInt(a.user.ID, 10)})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (s *Server) logoutAll(w http.ResponseWriter, r *http.Request) {
	a := authFrom(r.Context())
	n, err := s.users.DeleteUserSessions(r.Context(), a.user.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.recordAudit(r, audit.Entry{Action: "logout.all", Outcome: audit.OutcomeSuccess, Details: map[string]any{"sessions": n}})
	s.clearSessionCookie(w)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

func (s *Server) switchUnit(w http.ResponseWriter, r *http.Request) {
	a := authFrom(r.Context())
	unit, err := strconv.ParseInt(r.PostFormValue("unit_id"), 10, 64)
	if err != nil || !a.subject.MemberOf(unit) || a.session == nil {
		s.writeProblem(w, r, http.StatusUnprocessableEntity, "Vui lòng chọn một đơn vị mà bạn là thành viên.", nil)
		return
	}
	if err := s.users.SetActingUnit(r.Context(), a.token, unit); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request) {
	a := authFrom(r.Context())
	token, t, err := s.users.CreateToken(r.Context(), a.user.ID, r.PostFormValue("name"))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.recordAudit(r, audit.Entry{Action: "api_token.create", Outcome: audit.OutcomeSuccess, ObjectType: "api_token", ObjectID: strconv.FormatInt(t.ID, 10)})
	v, err := s.accountView(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v.NewToken = token
	s.render(w, r, http.StatusOK, web.AccountPage(s.page(r, "Tài khoản", ""), v))
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) {
	a := authFrom(r.Context())
	id, _ := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err := s.users.RevokeToken(r.Context(), a.user.ID, id); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.recordAudit(r, audit.Entry{Action: "api_token.revoke", Outcome: audit.OutcomeSuccess, ObjectType: "api_token", ObjectID: strconv.FormatInt(id, 10)})
	http.Redirect(w, r, "/account", http.StatusSeeOther)
}
