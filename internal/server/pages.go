package server

import (
	"context"
	"net/http"

	"github.com/go-chi/chi/v5"

	"vanthu/web"
)

func (s *Server) pageRoutes(r chi.Router) {
	r.Get("/", s.home)
	s.incomingRoutes(r)
	s.outgoingRoutes(r)
	// Sections not built yet show a placeholder; a section with its own
	// routes is listed here.
	built := map[string]bool{"incoming": true, "outgoing": true, "tasks": true, "reports": true}
	for _, item := range web.MainNav {
		if !built[item.Key] {
			r.Get(item.Href, s.placeholder(item))
		}
	}
	s.printoutRoutes(r)
	s.routingPageRoutes(r)
	s.exchangePageRoutes(r)
	s.scheduleRoutes(r)
	s.taskPageRoutes(r)
	s.reportRoutes(r)
	s.notificationPageRoutes(r)
	s.dashboardRoutes(r)
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	notes := map[string]string{
		"incoming": "Vào sổ, trình lãnh đạo, phân công và theo dõi xử lý văn bản đến.",
		"outgoing": "Soạn thảo, trình ký, cấp số và phát hành văn bản đi.",
		"tasks":    "Giao việc, cập nhật tiến độ, lịch công tác.",
		"reports":  "Báo cáo số định kỳ và bảng điều hành.",
		"admin":    "Đơn vị, người dùng, sáp nhập và nhật ký hệ thống.",
	}
	admin := subjectFrom(r.Context()).IsAnyAdmin()
	var tiles []web.HomeTile
	for _, item := range web.MainNav {
		if item.Key == "admin" && !admin {
			continue
		}
		tiles = append(tiles, web.HomeTile{Label: item.Label, Href: item.Href, Note: notes[item.Key]})
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
