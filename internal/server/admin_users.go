package server

import "github.com/go-chi/chi/v5"

// userAdminRoutes: people, memberships, locks and resets.
func (s *Server) userAdminRoutes(r chi.Router) {}
