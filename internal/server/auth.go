package server

import (
	"context"
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-chi/chi/v5"

	"vanthu/internal/access"
	"vanthu/internal/apperr"
	"vanthu/internal/audit"
	"vanthu/internal/identity"
	"vanthu/web"
)

const sessionCookie = "vanthu_session"

// auth is what authentication found for a request.
type auth struct {
	user    identity.User
	subject access.Subject
	// session is nil for API-token requests.
	session *identity.Session
	token   string
}

const authKey ctxKey = 100

func authFrom(ctx context.Context) *auth {
	a, _ := ctx.Value(authKey).(*auth)
	return a
}

// subjectFrom returns the signed-in subject; handlers behind requireUser
// always have one.
func subjectFrom(ctx context.Context) access.Subject {
	if a := authFrom(ctx); a != nil {
		return a.subject
	}
	return access.Subject{}
}

func (s *Server) sessionPolicy() identity.SessionPolicy {
	return identity.SessionPolicy{Idle: s.cfg.SessionIdleTimeout, Absolute: s.cfg.SessionAbsoluteTimeout}
}

func (s *Server) loginPolicy() identity.LoginPolicy {
	return identity.LoginPolicy{MaxFailures: s.cfg.LoginMaxFailures, LockDuration: s.cfg.LoginLockDuration,
		InactiveFor: s.cfg.AccountInactiveAfter}
}

// authenticate finds the user from a Bearer token or the session cookie.
// It never refuses: requireUser decides.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		var a *auth
		if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
			u, err := s.users.AuthenticateToken(ctx, strings.TrimSpace(strings.TrimPrefix(h, "Bearer ")))
			if err != nil {
				s.recordAudit(r, audit.Entry{Action: "api_token.reject", Outcome: audit.OutcomeFailure})
				s.writeError(w, r, err)
				return
			}
			a = &auth{user: u}
		} else if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
			sess, err := s.users.LookupSession(ctx, c.Value, s.sessionPolicy())
			switch {
			case errors.Is(err, identity.ErrNoSession):
				s.clearSessionCookie(w)
			case err != nil:
				s.serverError(w, r, err)
				return
			default:
				u, err := s.users.Get(ctx, sess.UserID)
				if err != nil {
					s.serverError(w, r, err)
					return
				}
				a = &auth{user: u, session: &sess, token: c.Value}
			}
		}
		if a != nil && (a.session == nil || a.session.State == identity.SessionActive) {
			ms, err := s.users.Memberships(ctx, a.user.ID)
			if err != nil {
				s.serverError(w, r, err)
				return
			}
			var acting int64
			if a.session != nil && a.session.ActingUnitID != nil {
				acting = *a.session.ActingUnitID
			}
			if a.subject, err = access.Load(ctx, s.db, a.user, ms, acting); err != nil {
				s.serverError(w, r, err)
				return
			}
			ctx = context.WithValue(ctx, viewerKey, viewerOf(a.subject))
		}
		if a != nil {
			ctx = context.WithValue(ctx, authKey, a)
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func viewerOf(sub access.Subject) *web.Viewer {
	v := &web.Viewer{Name: sub.Name, Login: sub.Login, IsAdmin: sub.IsAnyAdmin()}
	for _, m := range sub.Memberships {
		if m.UnitID == sub.ActingUnit {
			v.UnitName = m.UnitName
			v.RoleLabel = m.Role.Label()
			break
		}
	}
	return v
}

// requireUser lets only fully signed-in users through: a browser without a
// session goes to the login page, an API client gets 401.
func (s *Server) requireUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := authFrom(r.Context())
		if a == nil || (a.session != nil && a.session.State != identity.SessionActive) {
			if wantsJSON(r) {
				w.Header().Set("WWW-Authenticate", `Bearer realm="vanthu"`)
				s.writeProblem(w, r, http.StatusUnauthorized, "Vui lòng đăng nhập hoặc gửi mã truy cập API hợp lệ.", nil)
				return
			}
			if a != nil && a.session.State == identity.SessionMFAPending {
				http.Redirect(w, r, "/login/totp", http.StatusSeeOther)
				return
			}
			if a != nil && a.session.State == identity.SessionMFAEnroll {
				http.Redirect(w, r, "/login/totp/setup", http.StatusSeeOther)
				return
			}
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if a.session != nil && a.user.MustChangePassword && r.URL.Path != "/account/password" && !wantsJSON(r) {
			http.Redirect(w, r, "/account/password", http.StatusSeeOther)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) authRoutes(r chi.Router) {
	r.Get("/login", s.loginForm)
	r.Post("/login", s.login)
	r.Get("/login/totp", s.totpForm)
	r.Post("/login/totp", s.totpSubmit)
	r.Get("/login/totp/setup", s.totpSetupForm)
	r.Post("/login/totp/setup", s.totpSetupSubmit)
	r.Post("/logout", s.logout)
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	if a := authFrom(r.Context()); a != nil && a.session != nil && a.session.State == identity.SessionActive {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, web.LoginPage(s.page(r, "Đăng nhập", ""), web.Form{}, safeNext(r.URL.Query().Get("next"))))
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.writeError(w, r, err)
		return
	}
	login := strings.TrimSpace(r.PostFormValue("login"))
	password := r.PostFormValue("password")
	next := safeNext(r.PostFormValue("next"))
	form := web.Form{Values: map[string]string{"login": login}, Errors: map[string]string{}}
	if login == "" {
		form.Errors["login"] = "Vui lòng nhập tên đăng nhập."
	}
	if password == "" {
		form.Errors["password"] = "Vui lòng nhập mật khẩu."
	}
	if len(form.Errors) > 0 {
		s.render(w, r, http.StatusUnprocessableEntity, web.LoginPage(s.page(r, "Đăng nhập", ""), form, next))
		return
	}
	u, err := s.users.Authenticate(r.Context(), login, password, s.loginPolicy())
	if err != nil {
		e, ok := apperr.As(err)
		if !ok {
			s.serverError(w, r, err)
			return
		}
		action := "login.failure"
		if errors.Is(err, identity.ErrAccountLocked) {
			action = "login.locked"
		}
		s.recordAudit(r, audit.Entry{ActorID: u.ID, ActorLogin: login, Action: action, Outcome: audit.OutcomeFailure,
			Details: map[string]any{"reason": e.Message}})
		form.Error = e.Message
		s.render(w, r, http.StatusUnauthorized, web.LoginPage(s.page(r, "Đăng nhập", ""), form, next))
		return
	}
	ms, err := s.users.Memberships(r.Context(), u.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	state := identity.SessionActive
	switch {
	case u.TOTPEnabled():
		state = identity.SessionMFAPending
	case hasAdminRole(ms):
		state = identity.SessionMFAEnroll
	}
	token, err := s.users.CreateSession(r.Context(), u.ID, state, s.sessionPolicy(), clientInfo(r))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.setSessionCookie(w, token)
	entry := audit.Entry{ActorID: u.ID, ActorLogin: u.Login, Action: "login.success", Outcome: audit.OutcomeSuccess}
	switch state {
	case identity.SessionMFAPending:
		entry.Action = "login.password_ok"
		s.recordAudit(r, entry)
		http.Redirect(w, r, "/login/totp?next="+url.QueryEscape(next), http.StatusSeeOther)
	case identity.SessionMFAEnroll:
		entry.Action = "login.password_ok"
		s.recordAudit(r, entry)
		http.Redirect(w, r, "/login/totp/setup", http.StatusSeeOther)
	default:
		s.recordAudit(r, entry)
		http.Redirect(w, r, next, http.StatusSeeOther)
	}
}

func hasAdminRole(ms []identity.Membership) bool {
	for _, m := range ms {
		if m.Role == identity.RoleAdmin || m.Role == identity.RoleUnitAdmin {
			return true
		}
	}
	return false
}

// pendingUser returns the user of a half-authenticated session in state.
func (s *Server) pendingUser(w http.ResponseWriter, r *http.Request, state string) (*auth, bool) {
	a := authFrom(r.Context())
	if a == nil || a.session == nil || a.session.State != state {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return nil, false
	}
	return a, true
}

func (s *Server) totpForm(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.pendingUser(w, r, identity.SessionMFAPending); !ok {
		return
	}
	s.render(w, r, http.StatusOK, web.TOTPPage(s.page(r, "Xác thực hai lớp", ""), web.Form{}))
}

func (s *Server) totpSubmit(w http.ResponseWriter, r *http.Request) {
	a, ok := s.pendingUser(w, r, identity.SessionMFAPending)
	if !ok {
		return
	}
	if err := s.users.VerifyTOTP(r.Context(), a.user, r.PostFormValue("code")); err != nil {
		s.recordAudit(r, audit.Entry{ActorID: a.user.ID, ActorLogin: a.user.Login, Action: "login.mfa_failure", Outcome: audit.OutcomeFailure})
		locked, lerr := s.users.RecordFailedAttempt(r.Context(), a.user.ID, s.loginPolicy())
		if lerr != nil {
			s.serverError(w, r, lerr)
			return
		}
		if locked {
			_ = s.users.DeleteSession(r.Context(), a.token)
			s.clearSessionCookie(w)
			s.render(w, r, http.StatusUnauthorized, web.LoginPage(s.page(r, "Đăng nhập", ""), web.Form{Error: identity.ErrAccountLocked.Message}, "/"))
			return
		}
		s.render(w, r, http.StatusUnauthorized, web.TOTPPage(s.page(r, "Xác thực hai lớp", ""), formFromError(err, nil)))
		return
	}
	s.finishLogin(w, r, a, safeNext(r.URL.Query().Get("next")))
}

func (s *Server) totpSetupForm(w http.ResponseWriter, r *http.Request) {
	a, ok := s.pendingUser(w, r, identity.SessionMFAEnroll)
	if !ok {
		return
	}
	s.renderTOTPSetup(w, r, a, web.Form{}, http.StatusOK)
}

func (s *Server) renderTOTPSetup(w http.ResponseWriter, r *http.Request, a *auth, f web.Form, status int) {
	enr, ok := identity.PendingTOTP(a.user, s.cfg.TOTPIssuer)
	if !ok {
		var err error
		if enr, err = s.users.BeginTOTP(r.Context(), a.user, s.cfg.TOTPIssuer); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	qr := "data:image/png;base64," + base64.StdEncoding.EncodeToString(enr.QRPNG)
	s.render(w, r, status, web.TOTPSetupPage(s.page(r, "Thiết lập xác thực hai lớp", ""), f, enr.Secret, qr, true))
}

func (s *Server) totpSetupSubmit(w http.ResponseWriter, r *http.Request) {
	a, ok := s.pendingUser(w, r, identity.SessionMFAEnroll)
	if !ok {
		return
	}
	if err := s.users.ConfirmTOTP(r.Context(), a.user, r.PostFormValue("code")); err != nil {
		s.recordAudit(r, audit.Entry{ActorID: a.user.ID, ActorLogin: a.user.Login, Action: "mfa.enroll_failure", Outcome: audit.OutcomeFailure})
		s.renderTOTPSetup(w, r, a, formFromError(err, nil), http.StatusUnprocessableEntity)
		return
	}
	s.recordAudit(r, audit.Entry{ActorID: a.user.ID, ActorLogin: a.user.Login, Action: "mfa.enroll", Outcome: audit.OutcomeSuccess})
	s.finishLogin(w, r, a, "/")
}

// finishLogin swaps the half-authenticated session for an active one.
func (s *Server) finishLogin(w http.ResponseWriter, r *http.Request, a *auth, next string) {
	token, err := s.users.ActivateSession(r.Context(), a.token, a.user.ID, s.sessionPolicy(), clientInfo(r))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.setSessionCookie(w, token)
	s.recordAudit(r, audit.Entry{ActorID: a.user.ID, ActorLogin: a.user.Login, Action: "login.success", Outcome: audit.OutcomeSuccess,
		Details: map[string]any{"mfa": true}})
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if a := authFrom(r.Context()); a != nil && a.session != nil {
		if err := s.users.DeleteSession(r.Context(), a.token); err != nil {
			s.serverError(w, r, err)
			return
		}
		s.recordAudit(r, audit.Entry{ActorID: a.user.ID, ActorLogin: a.user.Login, Action: "logout", Outcome: audit.OutcomeSuccess})
	}
	s.clearSessionCookie(w)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

func (s *Server) setSessionCookie(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: token, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: strings.HasPrefix(s.cfg.BaseURL, "https://"),
		MaxAge: int(s.cfg.SessionAbsoluteTimeout.Seconds()),
	})
}

func (s *Server) clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: strings.HasPrefix(s.cfg.BaseURL, "https://"), MaxAge: -1})
}

// safeNext keeps redirects after login on this site.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return "/"
	}
	return next
}

func clientInfo(r *http.Request) identity.ClientInfo {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return identity.ClientInfo{IP: host, UserAgent: r.UserAgent()}
}

// recordAudit writes an audit entry for this request, filling in the actor
// and where the request came from. A failed audit write is logged; the
// request it describes has already happened.
func (s *Server) recordAudit(r *http.Request, e audit.Entry) {
	if a := authFrom(r.Context()); a != nil && e.ActorID == 0 {
		e.ActorID, e.ActorLogin = a.user.ID, a.user.Login
	}
	if e.UnitID == 0 {
		e.UnitID = subjectFrom(r.Context()).ActingUnit
	}
	ci := clientInfo(r)
	e.IP, e.UserAgent, e.RequestID = ci.IP, ci.UserAgent, RequestID(r.Context())
	if err := s.audit.Record(context.WithoutCancel(r.Context()), e); err != nil {
		s.log.ErrorContext(r.Context(), "audit write failed", "err", err, "action", e.Action, "request_id", e.RequestID)
	}
}
