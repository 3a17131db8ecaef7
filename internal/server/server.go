// Package server is Vanthu's HTTP layer: the chi router, middleware, and the
// handlers (HTML pages and the /api/v1 JSON API) that call the capability
// packages. Handlers translate; rules live in the capabilities.
package server

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"vanthu/internal/audit"
	"vanthu/internal/calendar"
	"vanthu/internal/config"
	"vanthu/internal/dashboard"
	"vanthu/internal/documents"
	"vanthu/internal/edxml"
	"vanthu/internal/exchange"
	"vanthu/internal/identity"
	"vanthu/internal/org"
	"vanthu/internal/outgoing"
	"vanthu/internal/platform/objectstore"
	"vanthu/internal/registry"
	"vanthu/internal/reports"
	"vanthu/internal/routing"
	"vanthu/internal/schedules"
	"vanthu/internal/signature"
	"vanthu/internal/tasks"
	"vanthu/web"
)

// Deps is everything the HTTP layer needs, built once in main's run.
type Deps struct {
	Log     *slog.Logger
	Config  config.Config
	DB      *pgxpool.Pool
	Store   *objectstore.Store
	Version string

	// Signatures: trusted roots and the agency certificate; nil trusts no
	// root and signs nothing.
	Signatures *signature.Setup
}

// Server holds the dependencies the handlers share.
type Server struct {
	log      *slog.Logger
	cfg      config.Config
	db       *pgxpool.Pool
	store    *objectstore.Store
	version  string
	registry *prometheus.Registry
	metrics  *httpMetrics

	users     *identity.Store
	units     *org.Store
	audit     *audit.Log
	registers *registry.Store
	docs      *documents.Service
	routing   *routing.Service
	outgoing  *outgoing.Service
	exchange  *exchange.Service

	signatures *signature.Service // PDF signatures: reports, verify again, the agency's signature
	schedules  *schedules.Service
	tasks      *tasks.Service
	reports    *reports.Service
	// dashboards: tasks and reports add their figures as sections here.
	dashboards *dashboard.Service
}

// New builds the server and its router.
func New(d Deps) *Server {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	units := org.NewStore(d.DB)
	// Capabilities with open records carry them to successor units.
	units.RegisterMoveHook(identity.MembershipsHook{})
	units.RegisterMoveHook(routing.MergeHook{})
	units.RegisterMoveHook(outgoing.MergeHook{})
	units.RegisterMoveHook(schedules.MergeHook{})
	units.RegisterMoveHook(tasks.MergeHook{})
	units.RegisterMoveHook(reports.MergeHook{})
	registers := registry.NewStore(d.DB)
	docs := documents.NewService(d.DB, d.Store, registers, d.Config.NumberingProfile, d.Config.IsolatedSystem)
	srv := &Server{
		log: d.Log, cfg: d.Config, db: d.DB, store: d.Store, version: d.Version,
		registry: reg, metrics: newHTTPMetrics(reg),
		users: identity.NewStore(d.DB), units: units, audit: audit.New(d.DB),
		registers: registers,
		docs:      docs,
		routing:   routing.New(d.DB, docs, calendar.New(d.DB)),
		outgoing:  outgoing.New(d.DB, d.Store, registers, d.Config.NumberingProfile, d.Config.IsolatedSystem),
		exchange: exchange.New(d.DB, d.Store, registers,
			edxml.Limits{MaxBytes: d.Config.MaxUploadBytes, MaxAttachmentBytes: d.Config.MaxFileBytes}, d.Config.MaxFileBytes),
		schedules: schedules.New(d.DB),
		tasks:     NewTaskService(d),
		reports:   newReportsService(d),
	}
	// Every received PDF is verified; issued copies get the agency's signature.
	srv.signatures = signature.NewService(d.DB, d.Store, d.Signatures)
	docs.SetInspector(srv.signatures)
	srv.outgoing.SetSignatures(srv.signatures, srv.signatures)
	srv.exchange.SetInspector(srv.signatures)
	srv.dashboards = dashboard.New(d.DB, taskSection(srv.tasks), reportSection(srv.reports))
	return srv
}

// Handler returns the complete HTTP handler.
func (s *Server) Handler() http.Handler {
	r := chi.NewRouter()
	r.Use(requestID, s.recoverPanics, s.observe, securityHeaders)

	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.log.WarnContext(r.Context(), "cross-origin request refused", "request_id", RequestID(r.Context()),
			"method", r.Method, "path", r.URL.Path, "origin", r.Header.Get("Origin"))
		s.writeProblem(w, r, http.StatusForbidden,
			"Yêu cầu bị từ chối vì được gửi từ một trang web khác (chống giả mạo yêu cầu).", nil)
	}))
	r.Use(csrf.Handler)
	r.Use(middleware.Compress(5, "text/html", "text/css", "application/javascript", "application/json",
		"application/problem+json", "image/svg+xml", "text/plain"))

	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		s.writeProblem(w, r, http.StatusNotFound, "", nil)
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		s.writeProblem(w, r, http.StatusMethodNotAllowed, "", nil)
	})

	r.Get("/healthz", s.healthz)
	r.Get("/readyz", s.readyz)
	r.Handle("/metrics", promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{}))
	r.Handle("/static/*", http.StripPrefix("/static/", staticHandler()))

	r.Group(func(r chi.Router) {
		r.Use(s.limitBody, noStore, s.authenticate)
		s.authRoutes(r)
		s.scheduleFeedRoutes(r)
		r.Group(func(r chi.Router) {
			r.Use(s.requireUser)
			s.pageRoutes(r)
			s.accountRoutes(r)
			s.adminRoutes(r)
		})
		r.Route("/api/v1", func(r chi.Router) {
			r.Get("/openapi.json", s.openAPI)
			r.Group(func(r chi.Router) {
				r.Use(s.requireUser)
				s.apiRoutes(r)
			})
		})
	})
	return r
}

func staticHandler() http.Handler {
	files := http.FileServerFS(web.Static)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// URLs carry a content version (web.Asset), so they may be cached long.
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		files.ServeHTTP(w, r)
	})
}

// Serve listens on addr until ctx ends, then drains requests for up to 20 s.
func (s *Server) Serve(ctx context.Context, addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return s.ServeListener(ctx, ln)
}

// ServeListener serves on an open listener; tests use a random port.
func (s *Server) ServeListener(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       10 * time.Minute, // large scans over slow links
		WriteTimeout:      10 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	s.log.Info("listening", "addr", ln.Addr().String(), "base_url", s.cfg.BaseURL, "version", s.version)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
