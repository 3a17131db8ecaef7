package server

import (
	"context"
	"net/http"
	"time"
)

// healthz answers while the process runs; the load balancer restarts it
// otherwise.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz answers 200 only when PostgreSQL and the object store both answer,
// so a replica that lost either stops getting traffic; 503 names the reason.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	checks := map[string]string{"database": "ok", "object_store": "ok"}
	status := http.StatusOK
	if err := s.db.Ping(ctx); err != nil {
		checks["database"] = "unavailable: " + err.Error()
		status = http.StatusServiceUnavailable
	}
	if err := s.store.Ping(ctx); err != nil {
		checks["object_store"] = "unavailable: " + err.Error()
		status = http.StatusServiceUnavailable
	}
	overall := "ok"
	if status != http.StatusOK {
		overall = "unavailable"
	}
	writeJSON(w, status, map[string]any{"status": overall, "checks": checks})
}
