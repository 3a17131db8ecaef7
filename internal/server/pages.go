package server

import (
	"context"
	"net/http"

	"github.com/go-chi/chi/v5"

	"vanthu/web"
)

func (s *Server) pageRoutes(r chi.Router) {
	r.Get("/", s.home)
	for _, item := range web.MainNav {
		r.Get(item.Href, s.placeholder(item))
	}
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	var tiles []web.HomeTile
	for _, item := range web.MainNav {
		tiles = append(tiles, web.HomeTile{Label: item.Label, Href: item.Href})
	}
	s.render(w, r, http.StatusOK, web.Home(s.page(r, "Trang chủ", ""), tiles))
}

func (s *Server) placeholder(item web.NavItem) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.render(w, r, http.StatusOK, web.Placeholder(s.page(r, item.Label, item.Key), item.Label))
	}
}

// viewerFrom returns the signed-in person, or nil on public pages.
func viewerFrom(ctx context.Context) *web.Viewer {
	v, _ := ctx.Value(viewerKey).(*web.Viewer)
	return v
}
