package server

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"vanthu/internal/audit"
)

// adminRoutes are the administration screens. Only people who administer
// something see them; anyone else gets the same 404 as for a missing page.
func (s *Server) adminRoutes(r chi.Router) {
	r.Route("/admin", func(r chi.Router) {
		r.Use(s.requireAnyAdmin)
		r.Get("/", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/admin/units", http.StatusSeeOther)
		})
		s.unitAdminRoutes(r)
		s.userAdminRoutes(r)
		s.auditAdminRoutes(r)
		s.registerAdminRoutes(r)
		s.calendarAdminRoutes(r)
		s.exchangeAdminRoutes(r)
	})
}

func (s *Server) requireAnyAdmin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !subjectFrom(r.Context()).IsAnyAdmin() {
			s.recordAudit(r, audit.Entry{Action: "admin.access", Outcome: audit.OutcomeDenied, ObjectType: "route", ObjectID: r.URL.Path})
			s.writeProblem(w, r, http.StatusNotFound, "", nil)
			return
		}
		next.ServeHTTP(w, r)
	})
}
