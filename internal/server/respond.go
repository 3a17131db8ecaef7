package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/a-h/templ"

	"vanthu/internal/apperr"
	"vanthu/web"
)

// Problem is an RFC 9457 problem document; Detail is Vietnamese for the user.
type Problem struct {
	Type      string            `json:"type"`
	Title     string            `json:"title"`
	Status    int               `json:"status"`
	Detail    string            `json:"detail"`
	Instance  string            `json:"instance,omitempty"`
	RequestID string            `json:"request_id,omitempty"`
	Errors    map[string]string `json:"errors,omitempty"` // field → Vietnamese message
}

// statusText gives the Vietnamese heading of an error page.
var statusText = map[int]string{
	http.StatusBadRequest:            "Yêu cầu không hợp lệ",
	http.StatusUnauthorized:          "Cần đăng nhập",
	http.StatusForbidden:             "Không có quyền thực hiện",
	http.StatusNotFound:              "Không tìm thấy trang",
	http.StatusMethodNotAllowed:      "Phương thức không được hỗ trợ",
	http.StatusConflict:              "Xung đột dữ liệu",
	http.StatusRequestEntityTooLarge: "Dữ liệu gửi lên quá lớn",
	http.StatusUnsupportedMediaType:  "Định dạng không được hỗ trợ",
	http.StatusUnprocessableEntity:   "Dữ liệu chưa hợp lệ",
	http.StatusTooManyRequests:       "Quá nhiều yêu cầu",
	http.StatusInternalServerError:   "Lỗi hệ thống",
	http.StatusServiceUnavailable:    "Dịch vụ tạm thời không sẵn sàng",
}

// defaultDetail explains a status when the handler has nothing better.
var defaultDetail = map[int]string{
	http.StatusNotFound:              "Trang hoặc bản ghi bạn tìm không tồn tại, hoặc bạn không có quyền xem.",
	http.StatusMethodNotAllowed:      "Địa chỉ này không nhận phương thức yêu cầu đã gửi.",
	http.StatusForbidden:             "Bạn không có quyền thực hiện thao tác này.",
	http.StatusRequestEntityTooLarge: "Dữ liệu gửi lên vượt quá giới hạn cho phép.",
	http.StatusInternalServerError:   "Đã có lỗi ngoài ý muốn. Dữ liệu của bạn không bị thay đổi; vui lòng thử lại sau ít phút.",
	http.StatusServiceUnavailable:    "Hệ thống đang tạm thời không sẵn sàng. Vui lòng thử lại sau ít phút.",
}

// Title returns the Vietnamese title for status.
func Title(status int) string {
	if t, ok := statusText[status]; ok {
		return t
	}
	return http.StatusText(status)
}

// wantsJSON decides between a problem document and an HTML error page.
func wantsJSON(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/api/") ||
		strings.Contains(r.Header.Get("Accept"), "application/json") && !strings.Contains(r.Header.Get("Accept"), "text/html")
}

// writeJSON sends v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}

// writeProblem answers an error as JSON problem details or an HTML page.
func (s *Server) writeProblem(w http.ResponseWriter, r *http.Request, status int, detail string, fields map[string]string) {
	if detail == "" {
		detail = defaultDetail[status]
	}
	if detail == "" {
		detail = Title(status)
	}
	reqID := RequestID(r.Context())
	if wantsJSON(r) {
		w.Header().Set("Content-Type", "application/problem+json; charset=utf-8")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(Problem{
			Type: "about:blank", Title: Title(status), Status: status, Detail: detail,
			Instance: r.URL.Path, RequestID: reqID, Errors: fields,
		})
		return
	}
	s.render(w, r, status, web.ErrorPage(s.page(r, Title(status), ""), status, Title(status), detail, reqID))
}

// serverError logs err once, with the request id, and answers 500 without
// revealing internals.
func (s *Server) serverError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, http.ErrAbortHandler) {
		panic(err)
	}
	s.log.ErrorContext(r.Context(), "request failed", "err", err, "request_id", RequestID(r.Context()),
		"method", r.Method, "path", r.URL.Path)
	s.writeProblem(w, r, http.StatusInternalServerError, "", nil)
}

// render writes a templ component as an HTML response.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := c.Render(r.Context(), w); err != nil {
		s.log.ErrorContext(r.Context(), "render page", "err", err, "request_id", RequestID(r.Context()))
	}
}

// page builds the layout data shared by every page.
func (s *Server) page(r *http.Request, title, active string) web.Page {
	return web.Page{Title: title, Active: active, Viewer: s.viewerWithUnread(r)}
}

// statusOf maps an error kind to its HTTP status.
func statusOf(k apperr.Kind) int {
	switch k {
	case apperr.KindInvalid:
		return http.StatusUnprocessableEntity
	case apperr.KindNotFound:
		return http.StatusNotFound
	case apperr.KindConflict:
		return http.StatusConflict
	case apperr.KindForbidden:
		return http.StatusForbidden
	case apperr.KindUnauthenticated:
		return http.StatusUnauthorized
	case apperr.KindLocked:
		return http.StatusLocked
	case apperr.KindUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// writeError is the one place errors become responses: a user-facing error
// keeps its Vietnamese message, an oversized body says so, anything else is
// logged and answered with a generic 500.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		s.writeProblem(w, r, http.StatusRequestEntityTooLarge,
			fmt.Sprintf("Dữ liệu gửi lên vượt quá giới hạn %s.", humanBytes(tooBig.Limit)), nil)
		return
	}
	if e, ok := apperr.As(err); ok && e.Kind != apperr.KindInternal {
		s.writeProblem(w, r, statusOf(e.Kind), e.Message, e.Fields)
		return
	}
	s.serverError(w, r, err)
}

// formFromError turns a validation error into messages on a form.
func formFromError(err error, values map[string]string) web.Form {
	f := web.Form{Values: values, Errors: map[string]string{}}
	if e, ok := apperr.As(err); ok {
		for k, v := range e.Fields {
			f.Errors[k] = v
		}
		f.Error = e.Message
		return f
	}
	f.Error = "Đã có lỗi ngoài ý muốn. Vui lòng thử lại."
	return f
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d byte", n)
}
