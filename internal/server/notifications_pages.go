package server

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/go-chi/chi/v5"

	"vanthu/internal/notify"
	"vanthu/internal/platform/vntime"
	"vanthu/web"
)

// notificationPageSize is how many notifications a page of the centre shows.
const notificationPageSize = 30

// notificationPageRoutes: the notification centre. Opening a notification
// and marking all read are POST forms that redirect.
func (s *Server) notificationPageRoutes(r chi.Router) {
	r.Get("/notifications", s.notificationsPage)
	r.Post("/notifications/{id:[0-9]+}/open", s.notificationOpen)
	r.Post("/notifications/read-all", s.notificationsReadAll)
}

// viewerWithUnread is the signed-in person with their unread count for the
// header's bell: one count on the unread partial index per rendered page of
// a browser session (API calls render no page). A failed count leaves the
// bell without a number rather than failing the page.
func (s *Server) viewerWithUnread(r *http.Request) *web.Viewer {
	v := viewerFrom(r.Context())
	a := authFrom(r.Context())
	if v == nil || a == nil || a.session == nil {
		return v
	}
	n, err := s.notifications().UnreadCount(r.Context(), a.user.ID)
	if err != nil {
		s.log.WarnContext(r.Context(), "unread notification count", "err", err, "request_id", RequestID(r.Context()))
		return v
	}
	c := *v
	c.Unread = n
	return &c
}

// notificationFilter is "unread" or "all" (the default).
func notificationFilter(q url.Values) string {
	if q.Get("filter") == "unread" {
		return "unread"
	}
	return "all"
}

func notificationsURL(filter string, extra url.Values) string {
	v := url.Values{}
	if filter == "unread" {
		v.Set("filter", "unread")
	}
	for k, vs := range extra {
		v[k] = vs
	}
	if len(v) == 0 {
		return "/notifications"
	}
	return "/notifications?" + v.Encode()
}

func (s *Server) notificationsPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	user := subjectFrom(ctx).UserID
	q := r.URL.Query()
	filter := notificationFilter(q)
	store := s.notifications()
	list, err := store.List(ctx, user, filter == "all", q.Get("cursor"), notificationPageSize)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	unread, newest, err := store.UnreadSummary(ctx, user)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := web.NotificationsView{
		Filter:    filter,
		Unread:    unread,
		UpTo:      newest,
		AllURL:    notificationsURL("all", nil),
		UnreadURL: notificationsURL("unread", nil),
		FirstURL:  notificationsURL(filter, nil),
		Sections:  notificationSections(list.Items, time.Now()),
		Paged:     q.Get("cursor") != "",
	}
	if list.NextCursor != "" {
		v.NextURL = notificationsURL(filter, url.Values{"cursor": {list.NextCursor}})
	}
	p := s.page(r, "Thông báo", "notifications")
	if m := q.Get("marked"); m != "" {
		if n, err := strconv.Atoi(m); err == nil && n >= 0 {
			msg := fmt.Sprintf("Đã đánh dấu %d thông báo là đã đọc.", n)
			if n == 0 {
				msg = "Không còn thông báo chưa đọc nào."
			}
			p.Flash = &web.Flash{Kind: "ok", Message: msg}
		}
	}
	s.render(w, r, http.StatusOK, web.NotificationsPage(p, v))
}

// notificationSections puts unread notifications first, then read ones,
// each grouped by day in Vietnam's time.
func notificationSections(items []notify.Notification, now time.Time) []web.NotificationSection {
	today := now.In(vntime.Zone).Format(time.DateOnly)
	yesterday := now.In(vntime.Zone).AddDate(0, 0, -1).Format(time.DateOnly)
	var out []web.NotificationSection
	for _, n := range items {
		key, heading := "unread", "Chưa đọc"
		if n.ReadAt != nil {
			key, heading = "read", "Đã đọc"
		}
		if len(out) == 0 || out[len(out)-1].Key != key {
			out = append(out, web.NotificationSection{Key: key, Heading: heading})
		}
		sec := &out[len(out)-1]
		at := n.CreatedAt.In(vntime.Zone)
		day := at.Format(time.DateOnly)
		if len(sec.Days) == 0 || sec.Days[len(sec.Days)-1].Date != day {
			label := at.Format("02/01/2006")
			switch day {
			case today:
				label = "Hôm nay"
			case yesterday:
				label = "Hôm qua"
			}
			sec.Days = append(sec.Days, web.NotificationDay{Date: day, Label: label})
		}
		d := &sec.Days[len(sec.Days)-1]
		kind := notify.Describe(n.Kind)
		d.Items = append(d.Items, web.NotificationItem{
			ID: n.ID, Kind: n.Kind, Label: kind.Label, Category: string(kind.Category),
			Title: n.Title, HasLink: localLink(n.Link), Read: n.ReadAt != nil,
			Time: at.Format("15:04"), At: at.Format(time.RFC3339), Full: at.Format("02/01/2006 15:04"),
		})
	}
	return out
}

// localLink reports whether link is a path on this site that a redirect may
// follow: it starts with one "/", and carries no backslash, whitespace or
// control character (browsers drop tabs and newlines, turning "/\t/x" into
// "//x", and read "/\x" as "//x").
func localLink(link string) bool {
	if !strings.HasPrefix(link, "/") || strings.HasPrefix(link, "//") {
		return false
	}
	for _, r := range link {
		if r == '\\' || unicode.IsSpace(r) || unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// notificationOpen marks a notification read and goes where it points; one
// without a local link (or with a link that is not a local path) leads
// back to the centre.
func (s *Server) notificationOpen(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil {
		s.writeError(w, r, notify.ErrNotFound)
		return
	}
	link, err := s.notifications().Open(r.Context(), subjectFrom(r.Context()).UserID, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if !localLink(link) {
		_ = r.ParseForm()
		link = notificationsURL(notificationFilter(r.PostForm), nil)
	}
	http.Redirect(w, r, link, http.StatusSeeOther)
}

// notificationsReadAll marks read every unread notification up to the
// newest the page showed, so one that arrived since stays unread.
func (s *Server) notificationsReadAll(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.writeError(w, r, err)
		return
	}
	upTo, _ := strconv.ParseInt(r.PostForm.Get("up_to"), 10, 64)
	if upTo <= 0 {
		// Nothing was unread when the page was shown.
		http.Redirect(w, r, notificationsURL(notificationFilter(r.PostForm), url.Values{"marked": {"0"}}), http.StatusSeeOther)
		return
	}
	n, err := s.notifications().MarkAllReadUpTo(r.Context(), subjectFrom(r.Context()).UserID, upTo)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, notificationsURL(notificationFilter(r.PostForm), url.Values{"marked": {strconv.Itoa(n)}}), http.StatusSeeOther)
}
