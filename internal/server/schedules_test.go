package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"vanthu/internal/identity"
	"vanthu/internal/platform/vntime"
	"vanthu/internal/schedules"
	"vanthu/internal/testkit"
)

type schEnv struct {
	t                        *testing.T
	app                      *testkit.App
	province, office, other  int64
	clerk, member, outsider  string // tokens
	clerkUser, memberUser    identity.User
	week                     schedules.Week
	weekStart                string
	chiefUser                identity.User
	chief                    string
	memberLogin, outsiderLog string
}

func newSchEnv(t *testing.T) *schEnv {
	app := testkit.Start(t)
	e := &schEnv{t: t, app: app, week: schedules.WeekOf(vntime.Today())}
	e.weekStart = e.week.Start().Format("2006-01-02")
	e.province = app.Unit("Tỉnh ủy Thử nghiệm", "province", 0)
	e.office = app.Unit("Văn phòng Tỉnh ủy Thử nghiệm", "body", e.province)
	app.Exec(`UPDATE units SET kind = 'Văn phòng' WHERE id = $1`, e.office)
	e.other = app.Unit("Tỉnh ủy Khác", "province", 0)
	e.clerkUser = app.User("vanthu", e.province, identity.RoleClerk, identity.ClearanceNone)
	e.memberUser = app.User("chuyenvien", e.province, identity.RoleHandler, identity.ClearanceNone)
	e.chiefUser = app.User("chanhvp", e.office, identity.RoleLeader, identity.ClearanceNone)
	e.clerk, e.member, e.chief = app.Token(e.clerkUser), app.Token(e.memberUser), app.Token(e.chiefUser)
	e.outsider = app.Token(app.User("ngoai", e.other, identity.RoleClerk, identity.ClearanceNone))
	return e
}

func (e *schEnv) call(token, method, path string, body any, status int, v any) {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	resp := e.app.Do(method, path, token, rd)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != status {
		e.t.Fatalf("%s %s = %d, want %d: %s", method, path, resp.StatusCode, status, raw)
	}
	if status >= 400 {
		var p apiProblem
		if err := json.Unmarshal(raw, &p); err != nil || !isVietnamese(p.Detail) {
			e.t.Fatalf("%s %s: problem %s", method, path, raw)
		}
		if pp, ok := v.(*apiProblem); ok {
			*pp = p
		}
		return
	}
	if v != nil {
		if err := json.Unmarshal(raw, v); err != nil {
			e.t.Fatalf("decode %s: %v", raw, err)
		}
	}
}

type apiSchEntry struct {
	ID        int64   `json:"id"`
	UID       string  `json:"uid"`
	Date      string  `json:"date"`
	Start     string  `json:"start"`
	End       *string `json:"end"`
	Period    string  `json:"period"`
	Content   string  `json:"content"`
	Adjusted  bool    `json:"adjusted"`
	Cancelled bool    `json:"cancelled"`
	Sequence  int     `json:"sequence"`
	Role      string  `json:"role"`
	Chairs    []struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	} `json:"chairs"`
}

type apiSch struct {
	Status   string        `json:"status"`
	Week     string        `json:"week"`
	CanEdit  bool          `json:"can_edit"`
	Entries  []apiSchEntry `json:"entries"`
	Notified int           `json:"notified"`
}

func (e *schEnv) day(i int) string { return e.week.Start().AddDate(0, 0, i).Format("2006-01-02") }

func (e *schEnv) schedulePath(unit int64) string {
	return fmt.Sprintf("/api/v1/schedules?unit_id=%d&week=%s", unit, e.week)
}

func TestScheduleAPI(t *testing.T) {
	e := newSchEnv(t)
	var p apiProblem
	e.call(e.clerk, "POST", "/api/v1/schedules/entries", map[string]any{"unit_id": e.province, "week": e.week.String(),
		"date": e.week.Next().Start().Format("2006-01-02"), "start": "10:00", "end": "09:00"}, http.StatusUnprocessableEntity, &p)
	for _, k := range []string{"date", "end", "place", "content"} {
		if !isVietnamese(p.Errors[k]) {
			t.Errorf("no Vietnamese message for %s: %v", k, p.Errors)
		}
	}
	e.call(e.clerk, "POST", "/api/v1/schedules/entries", map[string]any{"unit_id": e.province, "date": e.day(0), "bogus": 1},
		http.StatusUnprocessableEntity, nil)

	var a, b apiSchEntry
	e.call(e.clerk, "POST", "/api/v1/schedules/entries", map[string]any{"unit_id": e.province, "date": e.day(0), "start": "08:00",
		"end": "10:00", "place": "Phòng họp số 1", "content": "Giao ban", "chair_ids": []int64{e.chiefUser.ID},
		"attendee_ids": []int64{e.memberUser.ID}}, http.StatusCreated, &a)
	if a.Period != "morning" || a.End == nil || *a.End != "10:00" || len(a.Chairs) != 1 || a.UID == "" {
		t.Fatalf("created = %+v", a)
	}
	e.call(e.chief, "POST", "/api/v1/schedules/entries", map[string]any{"unit_id": e.province, "date": e.day(2), "start": "14:00",
		"place": "Hội trường", "content": "Hội nghị"}, http.StatusCreated, &b)

	var s apiSch
	e.call(e.clerk, "GET", e.schedulePath(e.province), nil, http.StatusOK, &s)
	if s.Status != "draft" || len(s.Entries) != 2 || !s.CanEdit || s.Week != e.week.String() {
		t.Fatalf("clerk's view = %+v", s)
	}
	e.call(e.member, "GET", e.schedulePath(e.province), nil, http.StatusOK, &s)
	if s.Status != "none" || len(s.Entries) != 0 || s.CanEdit {
		t.Fatalf("member sees the draft: %+v", s)
	}
	e.call(e.outsider, "GET", e.schedulePath(e.province), nil, http.StatusNotFound, nil)
	e.call(e.clerk, "GET", fmt.Sprintf("/api/v1/schedules?unit_id=%d&week=2025-W53", e.province), nil, http.StatusUnprocessableEntity, nil)
	e.call(e.member, "GET", fmt.Sprintf("/api/v1/schedules/entries/%d", a.ID), nil, http.StatusNotFound, nil)
	e.call(e.member, "PUT", fmt.Sprintf("/api/v1/schedules/entries/%d", a.ID), map[string]any{"date": e.day(0), "start": "08:00",
		"place": "P", "content": "C"}, http.StatusNotFound, nil)

	var pub apiSch
	e.call(e.member, "POST", "/api/v1/schedules/publish", map[string]any{"unit_id": e.province, "week": e.week.String()}, http.StatusForbidden, nil)
	e.call(e.clerk, "POST", "/api/v1/schedules/publish", map[string]any{"unit_id": e.province, "week": e.week.String()}, http.StatusOK, &pub)
	if pub.Status != "published" || pub.Notified != 2 { // the member and the chief
		t.Fatalf("published = %+v", pub)
	}
	e.call(e.clerk, "POST", "/api/v1/schedules/publish", map[string]any{"unit_id": e.province, "week": e.week.String()}, http.StatusConflict, nil)
	e.call(e.member, "GET", e.schedulePath(e.province), nil, http.StatusOK, &s)
	if s.Status != "published" || len(s.Entries) != 2 {
		t.Fatalf("member after publishing = %+v", s)
	}
	e.call(e.member, "PUT", fmt.Sprintf("/api/v1/schedules/entries/%d", a.ID), map[string]any{"date": e.day(0), "start": "08:00",
		"place": "P", "content": "C"}, http.StatusForbidden, nil)

	// Refusals are audited.
	for _, action := range []string{"schedule.view", "schedule.entry.view", "schedule.entry.update", "schedule.publish"} {
		if n := e.app.QueryInt(`SELECT count(*) FROM audit_log WHERE action = $1 AND outcome = 'denied'`, action); n == 0 {
			t.Errorf("no denied %s in the audit log", action)
		}
	}

	var changed apiSchEntry
	e.call(e.clerk, "PUT", fmt.Sprintf("/api/v1/schedules/entries/%d", a.ID), map[string]any{"date": e.day(1), "start": "13:30",
		"place": "Phòng họp số 2", "content": "Giao ban (dời)", "chair_ids": []int64{e.chiefUser.ID}, "attendee_ids": []int64{e.memberUser.ID}},
		http.StatusOK, &changed)
	if !changed.Adjusted || changed.Sequence != 1 || changed.Period != "afternoon" || changed.Date != e.day(1) || changed.UID != a.UID {
		t.Fatalf("adjusted = %+v", changed)
	}
	var del map[string]any
	e.call(e.clerk, "DELETE", fmt.Sprintf("/api/v1/schedules/entries/%d", b.ID), nil, http.StatusOK, &del)
	if del["cancelled"] != true {
		t.Fatalf("delete after publishing = %v", del)
	}
	var mine struct {
		Items []apiSchEntry `json:"items"`
	}
	e.call(e.member, "GET", "/api/v1/schedules/mine?week="+e.week.String(), nil, http.StatusOK, &mine)
	if len(mine.Items) != 1 || mine.Items[0].ID != a.ID || mine.Items[0].Role != "attendee" {
		t.Fatalf("member's schedule = %+v", mine)
	}
	var copied map[string]int
	e.call(e.clerk, "POST", "/api/v1/schedules/copy-recurring", map[string]any{"unit_id": e.province, "week": e.week.Next().String()}, http.StatusOK, &copied)
	if copied["copied"] != 0 {
		t.Fatalf("copied = %v", copied)
	}

	// The printed week: a PDF with the Vietnamese heading and the entries;
	// not found for someone who may not see the schedule.
	resp := e.app.Do("GET", fmt.Sprintf("/schedules/print.pdf?unit_id=%d&week=%s", e.province, e.week), e.member, nil)
	pdf, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("print = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	text := printoutText(t, pdf)
	for _, want := range []string{"TỈNH ỦY THỬ NGHIỆM", "LỊCH CÔNG TÁC TUẦN " + fmt.Sprint(e.week.Num),
		fmt.Sprintf("(Từ ngày %s đến ngày %s)", e.week.Start().Format("02/01/2006"), e.week.End().Format("02/01/2006")),
		"Giao ban (dời)", "Phòng họp số 2", "(Đã hủy) Hội nghị", "Chiều"} {
		if !strings.Contains(text, want) {
			t.Errorf("printed schedule lacks %q:\n%s", want, text)
		}
	}
	resp = e.app.Do("GET", fmt.Sprintf("/schedules/print.pdf?unit_id=%d&week=%s", e.province, e.week), e.outsider, nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("outsider's print = %d", resp.StatusCode)
	}
}

// The schedule pages: field-level messages on the entry form, 404 for a
// unit out of sight, 403 for a reader on the editor's pages.
func TestSchedulePages(t *testing.T) {
	e := newSchEnv(t)
	clerk := e.app.Login("vanthu", "")
	member := e.app.Login("chuyenvien", "")
	outsider := e.app.Login("ngoai", "")

	body := func(c *testkit.Client, path string, status int) string {
		t.Helper()
		resp := c.Get(path)
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != status {
			t.Fatalf("GET %s = %d, want %d: %.400s", path, resp.StatusCode, status, raw)
		}
		return string(raw)
	}
	page := body(clerk, "/schedules", http.StatusOK) // the clerk's own unit, this week
	for _, want := range []string{`data-testid="schedule-empty"`, `data-testid="add-entry"`, e.week.Label(), "Tỉnh ủy Thử nghiệm",
		`aria-current="page"`, `data-hotkey="3"`} {
		if !strings.Contains(html.UnescapeString(page), want) {
			t.Errorf("schedule page lacks %s", want)
		}
	}
	if !regexp.MustCompile(`href="/tasks"[^>]*aria-current="page"`).MatchString(page) {
		t.Error("the schedule page does not mark the Công việc section")
	}
	form := url.Values{"unit_id": {fmt.Sprint(e.province)}, "week": {e.week.String()},
		"date": {e.week.Next().Start().Format("02/01/2006")}, "start": {"9:00"}, "end": {"8:00"}}
	resp := clerk.PostForm("/schedules/entries", form)
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("invalid entry = %d", resp.StatusCode)
	}
	got := html.UnescapeString(string(raw))
	for _, want := range []string{`data-testid="date-error">Ngày phải nằm trong tuần đang lập lịch`, `data-testid="end-error">Giờ kết thúc phải sau giờ bắt đầu.`,
		`data-testid="place-error">Vui lòng nhập địa điểm.`, `data-testid="content-error">Vui lòng nhập nội dung công việc.`} {
		if !strings.Contains(got, want) {
			t.Errorf("form lacks %s", want)
		}
	}
	form.Set("date", e.week.Start().Format("02/01/2006"))
	form.Set("end", "11:00")
	form.Set("place", "Phòng họp")
	form.Set("content", "Họp chi bộ")
	form["attendee_ids"] = []string{fmt.Sprint(e.memberUser.ID)}
	resp = clerk.PostForm("/schedules/entries", form)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "ok=saved") {
		t.Fatalf("save = %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	body(member, "/schedules/entries/new", http.StatusForbidden)
	body(outsider, fmt.Sprintf("/schedules?unit_id=%d", e.province), http.StatusNotFound)
	if strings.Contains(body(member, "/schedules", http.StatusOK), "Họp chi bộ") {
		t.Fatal("a member sees the draft page")
	}
	resp = clerk.PostForm("/schedules/publish", url.Values{"unit_id": {fmt.Sprint(e.province)}, "week": {e.week.String()}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish = %d", resp.StatusCode)
	}
	if page := body(member, "/schedules", http.StatusOK); !strings.Contains(page, "Họp chi bộ") || !strings.Contains(page, `data-status="published"`) {
		t.Fatal("the member does not see the published schedule")
	}
	if page := body(member, "/schedules/mine", http.StatusOK); !strings.Contains(page, "Họp chi bộ") || !strings.Contains(page, "Tham dự") {
		t.Fatal("the member's schedule lacks the entry")
	}
	body(member, fmt.Sprintf("/schedules/leaders?unit_id=%d", e.province), http.StatusOK)
	// A week that cannot be read falls back to this week with a message.
	if page := body(member, "/schedules?week=2026-W99", http.StatusOK); !strings.Contains(page, "Tuần không hợp lệ") {
		t.Fatal("no message for a bad week")
	}
}

var feedURLPattern = regexp.MustCompile(`data-testid="feed-url"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*data-testid="feed-url"`)

// The calendar feed: created on the account page, read with the token
// only, audited, parsed as iCalendar; rotating and revoking stop the old
// address.
func TestScheduleFeed(t *testing.T) {
	e := newSchEnv(t)
	var a apiSchEntry
	e.call(e.clerk, "POST", "/api/v1/schedules/entries", map[string]any{"unit_id": e.province, "date": e.day(0), "start": "08:00",
		"end": "09:30", "place": "Phòng họp, tầng 2", "content": "Giao ban; chuẩn bị hội nghị", "attendee_ids": []int64{e.memberUser.ID}},
		http.StatusCreated, &a)
	e.call(e.clerk, "POST", "/api/v1/schedules/publish", map[string]any{"unit_id": e.province, "week": e.week.String()}, http.StatusOK, nil)

	member := e.app.Login("chuyenvien", "")
	createFeed := func() string {
		t.Helper()
		resp := member.PostForm("/account/calendar-feed", url.Values{})
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		m := feedURLPattern.FindStringSubmatch(string(raw))
		if resp.StatusCode != http.StatusOK || m == nil {
			t.Fatalf("create feed = %d, no address in the page", resp.StatusCode)
		}
		return html.UnescapeString(m[1] + m[2])
	}
	feed := createFeed()
	if !strings.HasPrefix(feed, e.app.URL+"/schedules/feed.ics?token=vc_") {
		t.Fatalf("feed address = %q", feed)
	}
	get := func(u string) (int, string, string) {
		resp, err := http.Get(u) // no cookie, no bearer: the token alone
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Content-Type"), string(raw)
	}
	status, ct, ics := get(feed)
	if status != http.StatusOK || !strings.HasPrefix(ct, "text/calendar") {
		t.Fatalf("feed = %d %s: %.300s", status, ct, ics)
	}
	unfolded := strings.ReplaceAll(ics, "\r\n ", "")
	for _, want := range []string{"BEGIN:VCALENDAR\r\n", "VERSION:2.0\r\n", "BEGIN:VEVENT\r\n", "UID:" + a.UID + "@127.0.0.1\r\n",
		`SUMMARY:Giao ban\; chuẩn bị hội nghị` + "\r\n", `LOCATION:Phòng họp\, tầng 2` + "\r\n", "STATUS:CONFIRMED\r\n", "SEQUENCE:0\r\n",
		"END:VCALENDAR\r\n"} {
		if !strings.Contains(unfolded, want) {
			t.Errorf("feed lacks %q:\n%s", want, ics)
		}
	}
	for i, l := range strings.Split(ics, "\r\n") {
		if len(l) > 75 {
			t.Errorf("line %d longer than 75 octets: %q", i+1, l)
		}
	}
	if n := e.app.QueryInt(`SELECT count(*) FROM audit_log WHERE action = 'calendar_feed.read' AND outcome = 'success' AND actor_id = $1`, e.memberUser.ID); n != 1 {
		t.Errorf("feed reads audited: %d", n)
	}
	// The cancelled entry stays in the feed as cancelled with a higher
	// sequence.
	e.call(e.clerk, "DELETE", fmt.Sprintf("/api/v1/schedules/entries/%d", a.ID), nil, http.StatusOK, nil)
	_, _, ics = get(feed)
	if !strings.Contains(ics, "STATUS:CANCELLED\r\n") || !strings.Contains(ics, "SEQUENCE:1\r\n") {
		t.Errorf("cancelled entry in the feed:\n%s", ics)
	}
	// Rotating stops the old address; revoking stops the new one.
	newer := createFeed()
	if status, _, _ := get(feed); status != http.StatusNotFound {
		t.Errorf("old address after rotating = %d", status)
	}
	if status, _, _ := get(newer); status != http.StatusOK {
		t.Errorf("new address = %d", status)
	}
	resp := member.PostForm("/account/calendar-feed/revoke", url.Values{})
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke = %d", resp.StatusCode)
	}
	if status, _, _ := get(newer); status != http.StatusNotFound {
		t.Errorf("address after revoking = %d", status)
	}
	if n := e.app.QueryInt(`SELECT count(*) FROM audit_log WHERE action = 'calendar_feed.read' AND outcome = 'failure'`); n != 2 {
		t.Errorf("refused feed reads audited: %d", n)
	}
	// The account page shows the card without the secret.
	resp = member.Get("/account")
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(raw), `data-testid="feed-create"`) || strings.Contains(string(raw), "token=vc_") {
		t.Error("account page after revoking")
	}
}
