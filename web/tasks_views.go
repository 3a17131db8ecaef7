package web

import (
	"strconv"
	"time"

	"github.com/a-h/templ"

	"vanthu/internal/tasks"
)

// TaskListView is the task list, board or calendar: tabs with counts,
// filters, and the view's own body.
type TaskListView struct {
	Mode     string // list, board, calendar
	Form     Form   // filter values and messages
	Tab      string
	Tabs     []IncomingTab
	TabHint  string
	Items    []tasks.Item // list
	Today    time.Time
	NextURL  string
	FirstURL string
	Paged    bool
	Filtered bool
	Query    string // the filters (tab included, no cursor), for export and the other views
	ClearURL string
	Columns  []TaskColumn // board
	Month    *TaskMonth   // calendar
	CanGive  bool
}

// TaskColumn is one status column of the board.
type TaskColumn struct {
	Status  string
	Label   string
	Count   int
	Items   []tasks.Item
	MoreURL string // the list filtered to this status, when the column holds more
}

// TaskMonth is a month of the calendar view, weeks from Monday.
type TaskMonth struct {
	Label    string // "Tháng 5/2026"
	Value    string // "2026-05"
	PrevURL  string
	NextURL  string
	TodayURL string
	Weeks    [][]TaskDay
	Count    int
}

// TaskDay is one day of the calendar view with the tasks due on it.
type TaskDay struct {
	Date    time.Time
	InMonth bool
	Today   bool
	Off     bool   // not a working day
	OffName string // the holiday, when listed
	Items   []tasks.Item
}

// TaskFormView is the new-task form.
type TaskFormView struct {
	Form      Form
	Assignees []RoutingOption // "user:ID" / "unit:ID" grouped
	Parent    *tasks.Task
	Document  *TaskSourceDoc
	Direction string // the direction's words, shown above the form
	Today     time.Time
}

// TaskSourceDoc is the document a task comes from, as the form and the
// task page show it.
type TaskSourceDoc struct {
	ID      int64
	Label   string // type, symbol
	Subject string
	Visible bool // the viewer may open it
}

// TaskPageView is one task with everything the viewer may do on it.
type TaskPageView struct {
	Task        tasks.Task
	Today       time.Time
	Role        string // lead, cooperate or "" (the viewer's part)
	IsAssigner  bool
	Updates     []tasks.Update
	Extensions  []tasks.Extension
	Events      []tasks.Event
	Subtasks    []tasks.Item
	Source      *TaskSourceDoc
	Forms       map[string]Form // a refused form comes back with its messages
	Error       string          // a refused action that is not about a field
	CanSubtask  bool
	MaxFile     string
	MaxFileSize int64
}

// Form returns the named action form (empty when not submitted).
func (v TaskPageView) Form(name string) Form {
	if f, ok := v.Forms[name]; ok {
		return f
	}
	return Form{Values: map[string]string{}, Errors: map[string]string{}}
}

// TaskDirectingView lists directing documents with their progress.
type TaskDirectingView struct {
	Items   []tasks.Directing
	Q       string
	NextURL string
	Paged   bool
}

// TaskDirectingPage is one directing document's implementation.
type TaskDirectingPageView struct {
	Doc     tasks.Directing
	Items   []tasks.Item
	Hidden  int // tasks of the document the viewer may not see
	Today   time.Time
	CanGive bool
}

// TaskPanel is the work part of a document's handling panel: its tasks,
// and buttons to give tasks from its directions or the document itself,
// and to track it as a directing document.
type TaskPanel struct {
	DocumentID int64
	Directing  bool
	CanMark    bool
	CanCreate  bool
	Directions []Option // direction id → "Ý kiến của … (dd/mm/yyyy)"
	Tasks      []tasks.Item
	Hidden     int
	Today      time.Time
	Flash      string // after marking or unmarking as directing
}

// TaskDoneMessage is the message after a task action redirects back with
// ?ok=key; "" for an unknown key.
func TaskDoneMessage(key string) string {
	switch key {
	case "created":
		return "Đã giao việc."
	case "progress":
		return "Đã cập nhật tiến độ."
	case "extension_requested":
		return "Đã gửi đề nghị gia hạn đến người giao việc."
	case "extension_approved":
		return "Đã đồng ý gia hạn."
	case "extension_rejected":
		return "Đã không đồng ý gia hạn."
	case "completed":
		return "Đã báo cáo hoàn thành, chờ người giao việc nghiệm thu."
	case "accepted":
		return "Đã nghiệm thu: công việc hoàn thành."
	case "returned":
		return "Đã trả lại công việc để làm tiếp."
	case "cancelled":
		return "Đã hủy công việc."
	case "directing_on":
		return "Đã đánh dấu là văn bản chỉ đạo cần theo dõi thực hiện."
	case "directing_off":
		return "Đã bỏ theo dõi văn bản chỉ đạo."
	}
	return ""
}

var taskPriorityOptions = []Option{{"low", "Thấp"}, {"normal", "Bình thường"}, {"high", "Cao"}, {"urgent", "Khẩn"}}

var taskStatusOptions = func() []Option {
	out := []Option{{"open", "Đang mở (chưa xong)"}}
	for _, s := range tasks.Statuses {
		out = append(out, Option{s, tasks.StatusLabel(s)})
	}
	return out
}()

var taskSourceOptions = []Option{
	{tasks.SourceStandalone, tasks.SourceLabel(tasks.SourceStandalone)},
	{tasks.SourceDirection, tasks.SourceLabel(tasks.SourceDirection)},
	{tasks.SourceDirecting, tasks.SourceLabel(tasks.SourceDirecting)},
}

func taskSortOptions() []Option {
	out := make([]Option, 0, len(tasks.Sorts))
	for _, s := range tasks.Sorts {
		out = append(out, Option{s.Key, s.Label})
	}
	return out
}

func taskHref(id int64) templ.SafeURL { return templ.SafeURL("/tasks/" + i64(id)) }

func taskAction(id int64, action string) templ.SafeURL {
	return templ.SafeURL("/tasks/" + i64(id) + "/" + action)
}

func taskStatusClass(status string, overdue bool) string {
	switch {
	case overdue:
		return "badge bad"
	case status == tasks.StatusAccepted:
		return "badge ok"
	case status == tasks.StatusCompleted:
		return "badge warn"
	case status == tasks.StatusReturned:
		return "badge bad"
	}
	return "badge"
}

func taskPriorityClass(p string) string {
	switch p {
	case "urgent":
		return "badge bad"
	case "high":
		return "badge warn"
	}
	return "badge"
}

func pct(n int) string { return strconv.Itoa(n) + "%" }

func viewPath(mode string) string {
	switch mode {
	case "board":
		return "/tasks/board"
	case "calendar":
		return "/tasks/calendar"
	}
	return "/tasks"
}

func withQuery(path, q string) templ.SafeURL {
	if q == "" {
		return templ.SafeURL(path)
	}
	return templ.SafeURL(path + "?" + q)
}

var calendarWeekdays = []string{"Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"}
