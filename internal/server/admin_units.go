package server

import "github.com/go-chi/chi/v5"

// unitAdminRoutes: unit directory, unit pages, changes, merge and split.
func (s *Server) unitAdminRoutes(r chi.Router) {}
