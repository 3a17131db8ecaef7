package server

import "github.com/go-chi/chi/v5"

// auditAdminRoutes: the audit log search.
func (s *Server) auditAdminRoutes(r chi.Router) {}
