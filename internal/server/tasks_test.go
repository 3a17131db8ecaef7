package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"vanthu/internal/access"
	"vanthu/internal/audit"
	"vanthu/internal/calendar"
	"vanthu/internal/documents"
	"vanthu/internal/identity"
	"vanthu/internal/registry"
	"vanthu/internal/testkit"
)

type apiTaskJSON struct {
	ID          int64  `json:"id"`
	Title       string `json:"title"`
	Status      string `json:"status"`
	StartDate   string `json:"start_date"`
	DueDate     string `json:"due_date"`
	WorkingDays *int   `json:"working_days"`
	Progress    int    `json:"progress"`
	Overdue     bool   `json:"overdue"`
	AssignerID  int64  `json:"assigner_id"`
	DocumentID  *int64 `json:"document_id"`
	Source      string `json:"source"`
	Assignees   []struct {
		UserID int64  `json:"user_id"`
		UnitID int64  `json:"unit_id"`
		Name   string `json:"name"`
		Role   string `json:"role"`
	} `json:"assignees"`
	PendingExtension *struct {
		ID           int64  `json:"id"`
		RequestedDue string `json:"requested_due"`
	} `json:"pending_extension"`
}

// taskEnv is a province with a leader, a department with its leader and
// a handler, and an outsider in another province, with the official
// working-day calendar.
type taskEnv struct {
	app                                    *testkit.App
	province, dept, other                  int64
	leader, deptLead, handler, outsider    identity.User
	leaderTok, deptTok, handlerTok, outTok string
	leaderC, handlerC, outC                *testkit.Client
}

func newTaskEnv(t *testing.T) *taskEnv {
	t.Helper()
	app := testkit.Start(t)
	if _, err := calendar.Seed(context.Background(), app.DB); err != nil {
		t.Fatal(err)
	}
	root := app.Unit("Ban Chấp hành Trung ương Đảng", "central", 0)
	e := &taskEnv{app: app}
	e.province = app.Unit("Tỉnh ủy Thử nghiệm", "province", root)
	e.dept = app.Unit("Ban Tuyên giáo Tỉnh ủy", "body", e.province)
	e.other = app.Unit("Tỉnh ủy Khác", "province", root)
	e.leader = app.User("bithu", e.province, identity.RoleLeader, identity.ClearanceNone)
	e.deptLead = app.User("truongban", e.dept, identity.RoleLeader, identity.ClearanceNone)
	e.handler = app.User("chuyenvien", e.dept, identity.RoleHandler, identity.ClearanceNone)
	e.outsider = app.User("nguoingoai", e.other, identity.RoleLeader, identity.ClearanceNone)
	e.leaderTok, e.deptTok, e.handlerTok, e.outTok = app.Token(e.leader), app.Token(e.deptLead), app.Token(e.handler), app.Token(e.outsider)
	e.leaderC, e.handlerC, e.outC = app.Login("bithu", ""), app.Login("chuyenvien", ""), app.Login("nguoingoai", "")
	return e
}

// call sends JSON and decodes the answer into out (when not nil),
// failing unless the status is want.
func (e *taskEnv) call(t *testing.T, method, path, token string, body any, want int, out any) {
	t.Helper()
	var r io.Reader
	if body != nil {
		r = jsonBody(body)
	}
	resp := e.app.Do(method, path, token, r)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s = %d, want %d: %s", method, path, resp.StatusCode, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
}

// The acceptance check: five working days from Thursday 23/4/2026 on the
// official 2026 calendar is Tuesday 5/5/2026 (Monday 27/4 off in lieu of
// Giỗ Tổ, 30/4 and 1/5 holidays); then the API's whole flow.
func TestTaskAPI(t *testing.T) {
	e := newTaskEnv(t)
	var task apiTaskJSON
	e.call(t, http.MethodPost, "/api/v1/tasks", e.leaderTok, map[string]any{
		"title": "Xây dựng kế hoạch tuyên truyền", "description": "Theo Kết luận của Ban Thường vụ.",
		"assignees": []map[string]any{{"user_id": e.handler.ID, "role": "lead"}, {"unit_id": e.dept, "role": "cooperate"}},
		"priority":  "high", "start_date": "2026-04-23", "due_in_working_days": 5,
	}, http.StatusCreated, &task)
	if task.DueDate != "2026-05-05" || task.StartDate != "2026-04-23" || task.WorkingDays == nil || *task.WorkingDays != 5 {
		t.Fatalf("task = %+v, want due 2026-05-05", task)
	}
	if task.Status != "new" || task.AssignerID != e.leader.ID || len(task.Assignees) != 2 || task.Assignees[0].Role != "lead" ||
		task.Assignees[0].UserID != e.handler.ID || task.Assignees[0].Name != "Người dùng chuyenvien" {
		t.Fatalf("task = %+v", task)
	}
	// Without start_date the count starts today.
	var fromToday apiTaskJSON
	e.call(t, http.MethodPost, "/api/v1/tasks", e.leaderTok, map[string]any{"title": "Việc tính từ hôm nay",
		"assignees": []map[string]any{{"unit_id": e.dept, "role": "lead"}}, "due_in_working_days": 3}, http.StatusCreated, &fromToday)
	want, err := calendar.New(e.app.DB).AddWorkingDays(context.Background(), calendar.DateOf(time.Now().In(time.FixedZone("ICT", 7*3600))), 3)
	if err != nil || fromToday.DueDate != want.Format(time.DateOnly) {
		t.Fatalf("due from today = %s, want %s (%v)", fromToday.DueDate, want.Format(time.DateOnly), err)
	}

	// Bad input: problem details with field messages in Vietnamese.
	pr := readProblem(t, e.app.Do(http.MethodPost, "/api/v1/tasks", e.leaderTok, jsonBody(map[string]any{
		"title": "", "assignees": []map[string]any{}, "due_date": "2026-05-05", "due_in_working_days": 2})), http.StatusUnprocessableEntity)
	for _, f := range []string{"title", "lead", "due_date"} {
		if !isVietnamese(pr.Errors[f]) {
			t.Errorf("no Vietnamese message on %s: %+v", f, pr.Errors)
		}
	}
	readProblem(t, e.app.Do(http.MethodPost, "/api/v1/tasks", e.leaderTok, jsonBody(`{"title":"x","bogus":1}`)), http.StatusUnprocessableEntity)

	// Access: the outsider gets 404, as for a task that does not exist.
	path := fmt.Sprintf("/api/v1/tasks/%d", task.ID)
	readProblem(t, e.app.Do(http.MethodGet, path, e.outTok, nil), http.StatusNotFound)
	readProblem(t, e.app.Do(http.MethodGet, "/api/v1/tasks/999999", e.leaderTok, nil), http.StatusNotFound)
	readProblem(t, e.app.Do(http.MethodPost, path+"/progress", e.outTok, jsonBody(map[string]any{"percent": 10})), http.StatusNotFound)
	if n := e.app.QueryInt(`SELECT count(*) FROM audit_log WHERE action = 'task.view' AND outcome = 'denied' AND object_id = $1`, fmt.Sprint(task.ID)); n != 1 {
		t.Fatalf("refused views audited = %d", n)
	}
	var seen apiTaskJSON
	e.call(t, http.MethodGet, path, e.deptTok, nil, http.StatusOK, &seen) // the leader of the person's unit
	if seen.ID != task.ID {
		t.Fatalf("department leader sees %+v", seen)
	}

	// Progress, extension, decision, completion, acceptance.
	e.call(t, http.MethodPost, path+"/progress", e.handlerTok, map[string]any{"percent": 40, "note": "Đã có dự thảo."}, http.StatusOK, &task)
	if task.Progress != 40 || task.Status != "in_progress" {
		t.Fatalf("after progress: %+v", task)
	}
	pr = readProblem(t, e.app.Do(http.MethodPost, path+"/progress", e.handlerTok, jsonBody(map[string]any{"percent": 101})), http.StatusUnprocessableEntity)
	if !isVietnamese(pr.Errors["percent"]) {
		t.Fatalf("percent message = %+v", pr.Errors)
	}
	readProblem(t, e.app.Do(http.MethodPost, path+"/accept", e.handlerTok, nil), http.StatusForbidden)
	e.call(t, http.MethodPost, path+"/extensions", e.handlerTok, map[string]any{"working_days": 2, "reason": "Chờ số liệu."}, http.StatusOK, &task)
	if task.PendingExtension == nil || task.PendingExtension.RequestedDue != "2026-05-07" {
		t.Fatalf("pending extension = %+v", task.PendingExtension)
	}
	ext := task.PendingExtension.ID
	readProblem(t, e.app.Do(http.MethodPost, fmt.Sprintf("%s/extensions/%d/decide", path, ext), e.leaderTok, jsonBody(map[string]any{"approve": false})), http.StatusUnprocessableEntity)
	e.call(t, http.MethodPost, fmt.Sprintf("%s/extensions/%d/decide", path, ext), e.leaderTok, map[string]any{"approve": true}, http.StatusOK, &task)
	if task.DueDate != "2026-05-07" || task.PendingExtension != nil {
		t.Fatalf("after approval: %+v", task)
	}
	// Listing: the handler's tasks, in progress, overdue (5/2026 is past).
	var list struct {
		Items []struct {
			ID      int64  `json:"id"`
			Lead    string `json:"lead"`
			Overdue bool   `json:"overdue"`
		} `json:"items"`
		NextCursor string `json:"next_cursor"`
	}
	e.call(t, http.MethodGet, "/api/v1/tasks?assignee=me&status=in_progress&overdue=true", e.handlerTok, nil, http.StatusOK, &list)
	if len(list.Items) != 1 || list.Items[0].ID != task.ID || !list.Items[0].Overdue || list.Items[0].Lead != "Người dùng chuyenvien" {
		t.Fatalf("handler's list = %+v", list)
	}
	e.call(t, http.MethodGet, "/api/v1/tasks", e.outTok, nil, http.StatusOK, &list)
	if len(list.Items) != 0 {
		t.Fatalf("outsider lists %+v", list.Items)
	}
	e.call(t, http.MethodGet, "/api/v1/tasks?limit=1&sort=created_desc", e.leaderTok, nil, http.StatusOK, &list)
	if len(list.Items) != 1 || list.NextCursor == "" {
		t.Fatalf("first page = %+v", list)
	}
	first := list.Items[0].ID
	e.call(t, http.MethodGet, "/api/v1/tasks?limit=1&sort=created_desc&cursor="+url.QueryEscape(list.NextCursor), e.leaderTok, nil, http.StatusOK, &list)
	if len(list.Items) != 1 || list.Items[0].ID == first || list.NextCursor != "" {
		t.Fatalf("second page = %+v", list)
	}
	readProblem(t, e.app.Do(http.MethodGet, "/api/v1/tasks?overdue=perhaps", e.leaderTok, nil), http.StatusUnprocessableEntity)
	// Every sort pages through all tasks once, one at a time.
	e.call(t, http.MethodPost, "/api/v1/tasks", e.leaderTok, map[string]any{"title": "Ấn hành tài liệu", "priority": "urgent",
		"assignees": []map[string]any{{"unit_id": e.dept, "role": "lead"}}, "start_date": "2026-04-01", "due_date": "2026-05-05"}, http.StatusCreated, nil)
	for _, sort := range []string{"due_asc", "due_desc", "created_desc", "priority_desc", "title_asc"} {
		var ids []int64
		cursor := ""
		for range 10 {
			e.call(t, http.MethodGet, "/api/v1/tasks?limit=1&sort="+sort+"&cursor="+url.QueryEscape(cursor), e.leaderTok, nil, http.StatusOK, &list)
			for _, it := range list.Items {
				ids = append(ids, it.ID)
			}
			if cursor = list.NextCursor; cursor == "" {
				break
			}
		}
		if len(ids) != 3 || ids[0] == ids[1] || ids[1] == ids[2] || ids[0] == ids[2] {
			t.Fatalf("sort %s paged %v", sort, ids)
		}
		if sort == "title_asc" {
			// Vietnamese order: Ấ before V before X.
			var titles []string
			for _, id := range ids {
				var tk apiTaskJSON
				e.call(t, http.MethodGet, fmt.Sprintf("/api/v1/tasks/%d", id), e.leaderTok, nil, http.StatusOK, &tk)
				titles = append(titles, tk.Title)
			}
			if titles[0] != "Ấn hành tài liệu" || titles[1] != "Việc tính từ hôm nay" {
				t.Fatalf("title order = %q", titles)
			}
		}
	}

	e.call(t, http.MethodPost, path+"/complete", e.handlerTok, map[string]any{"result": "Kế hoạch đã ban hành."}, http.StatusOK, &task)
	e.call(t, http.MethodPost, path+"/accept", e.leaderTok, nil, http.StatusOK, &task)
	if task.Status != "accepted" || task.Progress != 100 {
		t.Fatalf("after acceptance: %+v", task)
	}
	readProblem(t, e.app.Do(http.MethodPost, path+"/return", e.leaderTok, jsonBody(map[string]any{"reason": "x"})), http.StatusConflict)
}

var taskRowIDs = regexp.MustCompile(`data-testid="task-row" data-id="(\d+)"`)

func page(t *testing.T, c *testkit.Client, path string, want int) string {
	t.Helper()
	resp := c.Get(path)
	body := readBody(t, resp)
	if resp.StatusCode != want {
		t.Fatalf("GET %s = %d, want %d:\n%s", path, resp.StatusCode, want, body)
	}
	return body
}

// The pages: list tabs with counts, board, calendar, export, the task
// page's forms by role, refusals on the forms, files, outsiders.
func TestTaskPages(t *testing.T) {
	e := newTaskEnv(t)
	var task apiTaskJSON
	e.call(t, http.MethodPost, "/api/v1/tasks", e.leaderTok, map[string]any{"title": "Chuẩn bị hội nghị sơ kết",
		"assignees": []map[string]any{{"user_id": e.handler.ID, "role": "lead"}}, "start_date": "2026-04-23", "due_in_working_days": 5},
		http.StatusCreated, &task)
	var later apiTaskJSON
	e.call(t, http.MethodPost, "/api/v1/tasks", e.leaderTok, map[string]any{"title": "Tổng kết năm",
		"assignees": []map[string]any{{"unit_id": e.dept, "role": "lead"}}, "due_date": "2099-12-31"}, http.StatusCreated, &later)

	// The handler's list: "Việc của tôi" holds the first task, counted.
	body := page(t, e.handlerC, "/tasks", http.StatusOK)
	if ids := taskRowIDs.FindAllStringSubmatch(body, -1); len(ids) != 1 || ids[0][1] != fmt.Sprint(task.ID) {
		t.Fatalf("handler's tasks = %v", ids)
	}
	for _, want := range []string{`data-testid="task-tab-count-mine">1<`, `data-testid="task-tab-count-overdue">1<`,
		`data-testid="row-overdue">05/05/2026<`, `data-testid="work-tab-list"`, `href="/schedules"`} {
		if !strings.Contains(body, want) {
			t.Fatalf("list lacks %s", want)
		}
	}
	// The leader's "Việc tôi giao", searched without diacritics.
	body = page(t, e.leaderC, "/tasks?tab=given&q=hoi+nghi", http.StatusOK)
	if ids := taskRowIDs.FindAllStringSubmatch(body, -1); len(ids) != 1 || ids[0][1] != fmt.Sprint(task.ID) {
		t.Fatalf("leader's search = %v", ids)
	}
	body = page(t, e.leaderC, "/tasks?tab=given&due_from=99/99/2026", http.StatusUnprocessableEntity)
	if !strings.Contains(body, `data-testid="due_from-error"`) {
		t.Fatal("bad date not marked on its field")
	}
	// Board and calendar.
	body = page(t, e.leaderC, "/tasks/board?tab=given", http.StatusOK)
	if !strings.Contains(body, `data-testid="column-count-new">2<`) || !strings.Contains(body, fmt.Sprintf(`data-testid="task-card" data-id="%d"`, later.ID)) {
		t.Fatal("board lacks the new tasks")
	}
	body = page(t, e.leaderC, "/tasks/calendar?tab=given&month=2026-05", http.StatusOK)
	day := regexp.MustCompile(`(?s)data-date="2026-05-05".*?</td>`).FindString(body)
	if !strings.Contains(day, fmt.Sprintf(`data-testid="calendar-task" data-id="%d"`, task.ID)) || !strings.Contains(body, "Tháng 5/2026") {
		t.Fatalf("calendar day 5/5 = %q", day)
	}
	if off := regexp.MustCompile(`<td class="[^"]*off[^"]*"[^>]*data-date="2026-05-01"`).FindString(body); off == "" {
		t.Fatal("1/5 is not shown as a day off")
	}
	// Export with the tab's filters.
	resp := e.leaderC.Get("/tasks/export.xlsx?tab=given&sort=due_asc")
	xb, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("export = %d: %s", resp.StatusCode, xb)
	}
	x, err := excelize.OpenReader(bytes.NewReader(xb))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := x.GetRows("Danh sách công việc")
	if err != nil || len(rows) != 4 || rows[1][2] != "Tên công việc" || rows[2][2] != "Chuẩn bị hội nghị sơ kết" || rows[2][7] != "05/05/2026" {
		t.Fatalf("sheet = %q, %v", rows, err)
	}

	// The task page: the handler may report progress; the leader decides.
	path := fmt.Sprintf("/tasks/%d", task.ID)
	body = page(t, e.handlerC, path, http.StatusOK)
	for _, want := range []string{`data-testid="progress-form"`, `data-testid="extension-form"`, `data-testid="complete-form"`} {
		if !strings.Contains(body, want) {
			t.Fatalf("handler's page lacks %s", want)
		}
	}
	if strings.Contains(body, `data-testid="cancel-form"`) {
		t.Fatal("the handler is offered to cancel")
	}
	page(t, e.outC, path, http.StatusNotFound)
	// A refused form comes back with its message on the field.
	resp = e.handlerC.PostForm(path+"/extensions", url.Values{"due_date": {"01/01/2020"}, "reason": {""}})
	body = readBody(t, resp)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `data-testid="reason-error"`) ||
		!strings.Contains(body, `data-testid="due_date-error"`) {
		t.Fatalf("refused extension = %d", resp.StatusCode)
	}
	resp = e.leaderC.PostForm(path+"/complete", url.Values{"result": {"x"}})
	body = readBody(t, resp)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, `data-testid="task-error"`) {
		t.Fatalf("leader completing = %d", resp.StatusCode)
	}

	// Progress with a file through the form; a ZIP is refused by content.
	post := func(c *testkit.Client, fields map[string]string, files ...formFile) *http.Response {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		for k, v := range fields {
			mw.WriteField(k, v)
		}
		for _, f := range files {
			w, _ := mw.CreateFormFile("files", f.name)
			w.Write(f.data)
		}
		mw.Close()
		req, _ := http.NewRequest(http.MethodPost, e.app.URL+"/tasks/updates", &b)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	resp = post(e.handlerC, map[string]string{"task_id": fmt.Sprint(task.ID), "percent": "30", "note": "Kèm lịch"}, formFile{"lich.zip", testZip(t)})
	body = readBody(t, resp)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `data-testid="files-error"`) {
		t.Fatalf("zip upload = %d", resp.StatusCode)
	}
	resp = post(e.handlerC, map[string]string{"task_id": fmt.Sprint(task.ID), "percent": "30", "note": "Kèm lịch"}, formFile{"lịch hội nghị.pdf", testPDF})
	readBody(t, resp)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != path+"?ok=progress" {
		t.Fatalf("upload = %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	body = page(t, e.leaderC, path+"?ok=progress", http.StatusOK)
	m := regexp.MustCompile(`href="(/tasks/\d+/files/\d+)" download="lịch hội nghị.pdf"`).FindStringSubmatch(body)
	if m == nil || !strings.Contains(body, "Đã cập nhật tiến độ.") || !strings.Contains(body, `data-testid="update-percent">30%<`) {
		t.Fatal("the update with its file is not on the page")
	}
	resp = e.leaderC.Get(m[1])
	fb := readBody(t, resp)
	if resp.StatusCode != http.StatusOK || fb != string(testPDF) {
		t.Fatalf("download = %d, %d bytes", resp.StatusCode, len(fb))
	}
	page(t, e.outC, m[1], http.StatusNotFound)
	// The outsider learns nothing, whatever they send.
	for _, fields := range []map[string]string{{"task_id": fmt.Sprint(later.ID), "note": "x"}, {"task_id": fmt.Sprint(later.ID), "percent": "abc"}} {
		resp = post(e.outC, fields)
		readBody(t, resp)
		if resp.StatusCode != http.StatusNotFound {
			t.Fatalf("outsider's update = %d", resp.StatusCode)
		}
	}
}

// A direction on a document gives a task pre-filled from it; the document
// tracked as directing shows its tasks and overall progress.
func TestTaskFromDirectionAndDirecting(t *testing.T) {
	e := newTaskEnv(t)
	clerk := e.app.User("vanthu", e.province, identity.RoleClerk, identity.ClearanceNone)
	ctx := context.Background()
	ms, _ := e.app.Users.Memberships(ctx, clerk.ID)
	sub, err := access.Load(ctx, e.app.DB, clerk, ms, 0)
	if err != nil {
		t.Fatal(err)
	}
	docs := documents.NewService(e.app.DB, nil, registry.NewStore(e.app.DB), "party", false)
	reg, err := docs.RegisterIncoming(ctx, sub, audit.Actor{UserID: clerk.ID, Login: clerk.Login}, documents.IncomingInput{UnitID: e.province,
		TypeName: "Chỉ thị", CodeNumber: "42", CodeNotation: "CT/TU", OrganName: "Tỉnh ủy Thử nghiệm",
		Subject: "Về tăng cường công tác tuyên truyền", Priority: "thuong", Confidentiality: identity.ClearanceNone}, nil, true)
	if err != nil {
		t.Fatal(err)
	}
	doc := reg.Document.ID
	var dir struct {
		ID int64 `json:"id"`
	}
	e.call(t, http.MethodPost, fmt.Sprintf("/api/v1/documents/%d/directions", doc), e.leaderTok, map[string]any{
		"body": "Giao Ban Tuyên giáo chủ trì xây dựng kế hoạch.", "lead": map[string]any{"unit_id": e.dept},
		"cooperate": []map[string]any{{"user_id": e.handler.ID}}, "deadline_working_days": 10}, http.StatusCreated, &dir)

	body := page(t, e.leaderC, fmt.Sprintf("/documents/%d", doc), http.StatusOK)
	link := fmt.Sprintf(`href="/tasks/new?direction_id=%d"`, dir.ID)
	if !strings.Contains(body, link) || !strings.Contains(body, `data-testid="directing-mark"`) {
		t.Fatal("the handling panel offers no task from the direction")
	}
	body = page(t, e.leaderC, fmt.Sprintf("/tasks/new?direction_id=%d", dir.ID), http.StatusOK)
	for _, want := range []string{fmt.Sprintf(`<option value="unit:%d" selected>`, e.dept), fmt.Sprintf(`<option value="user:%d" selected>`, e.handler.ID),
		`value="Về tăng cường công tác tuyên truyền"`, "Giao Ban Tuyên giáo chủ trì xây dựng kế hoạch.", `data-testid="form-direction"`} {
		if !strings.Contains(body, want) {
			t.Fatalf("pre-filled form lacks %s", want)
		}
	}
	// Sent as pre-filled, with a due date in working days.
	resp := e.leaderC.PostForm("/tasks", url.Values{"title": {"Xây dựng kế hoạch tuyên truyền"}, "description": {"Theo ý kiến chỉ đạo."},
		"lead": {fmt.Sprintf("unit:%d", e.dept)}, "cooperate": {fmt.Sprintf("user:%d", e.handler.ID)}, "priority": {"normal"},
		"due_in_working_days": {"5"}, "start_date": {"23/04/2026"}, "direction_id": {fmt.Sprint(dir.ID)}, "document_id": {fmt.Sprint(doc)}})
	readBody(t, resp)
	loc := resp.Header.Get("Location")
	var taskID int64
	if _, err := fmt.Sscanf(loc, "/tasks/%d?ok=created", &taskID); resp.StatusCode != http.StatusSeeOther || err != nil {
		t.Fatalf("create = %d to %q", resp.StatusCode, loc)
	}
	body = page(t, e.leaderC, loc, http.StatusOK)
	for _, want := range []string{"Đã giao việc.", `data-testid="task-due">05/05/2026<`, "Ý kiến chỉ đạo", `data-testid="task-source"`} {
		if !strings.Contains(body, want) {
			t.Fatalf("new task page lacks %s", want)
		}
	}
	// A form refused: messages on the fields, values kept.
	resp = e.leaderC.PostForm("/tasks", url.Values{"title": {""}, "lead": {""}, "due_in_working_days": {"abc"}, "description": {"giữ lại"}})
	body = readBody(t, resp)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `data-testid="title-error"`) ||
		!strings.Contains(body, `data-testid="lead-error"`) || !strings.Contains(body, `data-testid="due_in_working_days-error"`) || !strings.Contains(body, "giữ lại") {
		t.Fatalf("refused form = %d", resp.StatusCode)
	}

	// Tracking the document as directing.
	resp = e.leaderC.PostForm(fmt.Sprintf("/documents/%d/directing", doc), url.Values{"on": {"1"}})
	readBody(t, resp)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("mark directing = %d", resp.StatusCode)
	}
	var second apiTaskJSON
	e.call(t, http.MethodPost, "/api/v1/tasks", e.leaderTok, map[string]any{"title": "Tổ chức hội nghị quán triệt", "document_id": doc,
		"assignees": []map[string]any{{"user_id": e.handler.ID, "role": "lead"}}, "due_date": "2099-06-30"}, http.StatusCreated, &second)
	if second.Source != "directing" || second.DocumentID == nil || *second.DocumentID != doc {
		t.Fatalf("second task = %+v", second)
	}
	e.call(t, http.MethodPost, fmt.Sprintf("/api/v1/tasks/%d/progress", second.ID), e.handlerTok, map[string]any{"percent": 50}, http.StatusOK, nil)
	body = page(t, e.leaderC, "/tasks/directing", http.StatusOK)
	if !strings.Contains(body, fmt.Sprintf(`data-testid="directing-row" data-id="%d"`, doc)) {
		t.Fatal("the directing list lacks the document")
	}
	body = page(t, e.leaderC, fmt.Sprintf("/tasks/directing/%d", doc), http.StatusOK)
	for _, want := range []string{`data-testid="directing-total">2<`, `data-testid="directing-overall-text">25%<`,
		`data-testid="directing-overdue">1<`, fmt.Sprintf(`data-testid="task-row" data-id="%d"`, taskID)} {
		if !strings.Contains(body, want) {
			t.Fatalf("directing page lacks %s", want)
		}
	}
	page(t, e.outC, fmt.Sprintf("/tasks/directing/%d", doc), http.StatusNotFound)
	// The handler, a cooperating assignee of the first task, may open the
	// document through the grant the task made.
	page(t, e.handlerC, fmt.Sprintf("/documents/%d", doc), http.StatusOK)
}

// A merge moves open tasks of the merged unit to its successor; the
// preview lists them.
func TestTaskMergeThroughAPI(t *testing.T) {
	e := newTaskEnv(t)
	admin := e.app.User("quantri", e.province, identity.RoleAdmin, identity.ClearanceNone)
	adminTok := e.app.Token(admin)
	successor := e.app.Unit("Ban Tuyên giáo và Dân vận Tỉnh ủy", "body", e.province)
	member := e.app.User("chuyenvien.moi", successor, identity.RoleHandler, identity.ClearanceNone)
	memberTok := e.app.Token(member)
	var open apiTaskJSON
	e.call(t, http.MethodPost, "/api/v1/tasks", e.leaderTok, map[string]any{"title": "Khảo sát dư luận xã hội",
		"assignees": []map[string]any{{"unit_id": e.dept, "role": "lead"}}, "due_in_working_days": 10}, http.StatusCreated, &open)
	readProblem(t, e.app.Do(http.MethodGet, fmt.Sprintf("/api/v1/tasks/%d", open.ID), memberTok, nil), http.StatusNotFound)

	body := map[string]any{"sources": []int64{e.dept}, "target_id": successor, "effective_date": time.Now().UTC().Format(time.DateOnly),
		"legal_basis": "Quyết định 2-QĐ/TU", "dry_run": true}
	var report struct {
		Moved []struct {
			Hook  string   `json:"hook"`
			Moved int      `json:"moved"`
			Items []string `json:"items"`
		} `json:"moved"`
	}
	e.call(t, http.MethodPost, "/api/v1/units/merge", adminTok, body, http.StatusOK, &report)
	found := false
	for _, h := range report.Moved {
		if h.Hook == "Công việc đang thực hiện" && h.Moved == 1 && strings.Contains(strings.Join(h.Items, ""), "Khảo sát dư luận xã hội") {
			found = true
		}
	}
	if !found {
		t.Fatalf("preview = %+v", report.Moved)
	}
	body["dry_run"] = false
	e.call(t, http.MethodPost, "/api/v1/units/merge", adminTok, body, http.StatusCreated, nil)
	var got apiTaskJSON
	e.call(t, http.MethodGet, fmt.Sprintf("/api/v1/tasks/%d", open.ID), memberTok, nil, http.StatusOK, &got)
	if len(got.Assignees) != 1 || got.Assignees[0].UnitID != successor {
		t.Fatalf("after the merge: %+v", got.Assignees)
	}
	var list struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}
	e.call(t, http.MethodGet, "/api/v1/tasks?tab=unit", memberTok, nil, http.StatusOK, &list)
	if len(list.Items) != 1 || list.Items[0].ID != open.ID {
		t.Fatalf("successor's unit tasks = %+v", list.Items)
	}
}
