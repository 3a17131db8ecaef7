package server_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"vanthu/internal/identity"
	"vanthu/internal/notify"
	"vanthu/internal/platform/vntime"
	"vanthu/internal/testkit"
)

var (
	bellRe      = regexp.MustCompile(`<a href="/notifications" class="bell"[^>]*data-count="(\d+)" aria-label="([^"]*)"`)
	bellCountRe = regexp.MustCompile(`<span class="bell-count" data-testid="bell-count" aria-hidden="true"( hidden)?>([^<]*)</span>`)
	upToRe      = regexp.MustCompile(`name="up_to" value="(\d+)"`)
	rowRe       = regexp.MustCompile(`data-testid="notification" data-id="(\d+)" data-kind="([^"]*)" data-read="(true|false)"`)
	moreRe      = regexp.MustCompile(`href="(/notifications\?[^"]*)" rel="next" data-testid="more"`)
)

// bell reads the header's bell: the count, its accessible name, and the
// badge (text, hidden).
func bell(t *testing.T, body string) (int, string, string, bool) {
	t.Helper()
	m := bellRe.FindStringSubmatch(body)
	b := bellCountRe.FindStringSubmatch(body)
	if m == nil || b == nil {
		t.Fatalf("no bell in the header:\n%s", body)
	}
	var n int
	fmt.Sscan(m[1], &n)
	return n, html.UnescapeString(m[2]), b[2], b[1] != ""
}

func wantBell(t *testing.T, c *testkit.Client, path string, n int) {
	t.Helper()
	body := expectStatus(t, c.Get(path), http.StatusOK)
	count, label, badge, hidden := bell(t, body)
	wantLabel := fmt.Sprintf("Thông báo, %d chưa đọc", n)
	if n == 0 {
		wantLabel = "Thông báo, không có thông báo chưa đọc"
	}
	if count != n || label != wantLabel || hidden != (n == 0) || (n > 0 && badge != fmt.Sprint(n)) {
		t.Fatalf("bell on %s = %d %q badge %q hidden %v, want %d %q", path, count, label, badge, hidden, n, wantLabel)
	}
}

// rows lists the notifications of a page in order: id, kind, read.
func rows(body string) [][3]string {
	var out [][3]string
	for _, m := range rowRe.FindAllStringSubmatch(body, -1) {
		out = append(out, [3]string{m[1], m[2], m[3]})
	}
	return out
}

func post(t *testing.T, c *testkit.Client, path string, v url.Values) (int, string) {
	t.Helper()
	resp := c.PostForm(path, v)
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location")
}

// The bell counts unread notifications on every page; the centre lists
// unread ones first, then read ones, by day, each with its kind in
// Vietnamese; "Xem" marks one read and goes to its page (never off the
// site); "Đánh dấu tất cả đã đọc" leaves what arrived since unread.
func TestNotificationCentre(t *testing.T) {
	app := testkit.Start(t)
	ctx := context.Background()
	unit := app.Unit("Văn phòng Tỉnh ủy", "province", 0)
	an := app.User("an", unit, identity.RoleHandler, identity.ClearanceNone)
	binh := app.User("binh", unit, identity.RoleHandler, identity.ClearanceNone)
	store := notify.New(app.DB)
	create := func(u identity.User, kind, title, link string, age time.Duration, read bool) int64 {
		t.Helper()
		id, err := store.Create(ctx, u.ID, kind, title, link)
		if err != nil {
			t.Fatal(err)
		}
		var readAt any
		if read {
			readAt = time.Now()
		}
		app.Exec(`UPDATE notifications SET created_at = now() - $2::interval, read_at = $3 WHERE id = $1`, id, fmt.Sprintf("%d seconds", int(age.Seconds())), readAt)
		return id
	}
	c := app.Login("an", "")

	// Nothing yet: no number on the bell, a helpful empty centre.
	wantBell(t, c, "/", 0)
	body := expectStatus(t, c.Get("/notifications"), http.StatusOK)
	if !strings.Contains(body, `data-testid="notifications-empty"`) || !strings.Contains(body, "Bạn chưa có thông báo nào.") ||
		strings.Contains(body, `data-testid="read-all"`) {
		t.Fatalf("empty centre:\n%s", body)
	}

	// Noon today in Vietnam, so "an hour ago" is today whenever the test runs.
	now := time.Now().In(vntime.Zone)
	sinceNoon := now.Sub(time.Date(now.Year(), now.Month(), now.Day(), 12, 0, 0, 0, vntime.Zone))
	older := time.Date(now.Year(), now.Month(), now.Day(), 9, 0, 0, 0, vntime.Zone).AddDate(0, 0, -5)
	assigned := create(an, "assigned", "Được phân công xử lý: Về việc tổ chức hội nghị", "/documents/7", sinceNoon, false)
	due := create(an, "task_near_due", "Sắp đến hạn công việc (hạn 20/04/2026): Báo cáo quý", "/tasks/3", sinceNoon+time.Minute, false)
	yesterdayRead := create(an, "schedule.changed", "Lịch công tác điều chỉnh: Họp giao ban", "/schedules/mine?week=2026-W17", sinceNoon+24*time.Hour, true)
	oldRead := create(an, "legacy_kind", "Một thông báo cũ", "", now.Sub(older), true)
	others := create(binh, "assigned", "Thông báo của người khác", "/documents/8", time.Minute, false)

	// The bell on any page.
	wantBell(t, c, "/", 2)
	wantBell(t, c, "/tasks", 2)
	wantBell(t, c, "/account", 2)

	body = expectStatus(t, c.Get("/notifications"), http.StatusOK)
	got := rows(body)
	want := [][3]string{{fmt.Sprint(assigned), "assigned", "false"}, {fmt.Sprint(due), "task_near_due", "false"},
		{fmt.Sprint(yesterdayRead), "schedule.changed", "true"}, {fmt.Sprint(oldRead), "legacy_kind", "true"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("centre rows = %v, want %v", got, want)
	}
	for _, w := range []string{
		`data-testid="section-unread"`, `data-testid="section-read"`, ">Hôm nay<", ">Hôm qua<", ">" + older.Format("02/01/2006") + "<",
		"Phân công xử lý văn bản đến", "Công việc sắp đến hạn", "Lịch công tác điều chỉnh", `data-testid="notification-kind">Thông báo<`,
		"Được phân công xử lý: Về việc tổ chức hội nghị", `data-testid="unread-count">2<`, `data-testid="read-all"`,
		`action="/notifications/` + fmt.Sprint(assigned) + `/open"`, ">Xem<",
	} {
		if !strings.Contains(body, w) {
			t.Errorf("centre lacks %q", w)
		}
	}
	if strings.Index(body, `data-testid="section-unread"`) > strings.Index(body, `data-testid="section-read"`) {
		t.Error("read notifications come before unread ones")
	}
	if strings.Contains(body, "Thông báo của người khác") {
		t.Fatal("the centre shows someone else's notification")
	}
	// A read notification without a link offers nothing to press.
	if strings.Contains(body, fmt.Sprintf(`action="/notifications/%d/open"`, oldRead)) {
		t.Error("a read notification without a link has a form")
	}

	// "Chưa đọc" lists only the unread ones.
	body = expectStatus(t, c.Get("/notifications?filter=unread"), http.StatusOK)
	if got := rows(body); len(got) != 2 || got[0][0] != fmt.Sprint(assigned) || got[1][0] != fmt.Sprint(due) {
		t.Fatalf("unread filter rows = %v", got)
	}
	if !strings.Contains(body, `data-testid="filter-unread" aria-current="page"`) {
		t.Error("the unread tab is not marked current")
	}

	// "Xem" marks it read and goes to its page.
	if status, loc := post(t, c, fmt.Sprintf("/notifications/%d/open", assigned), nil); status != http.StatusSeeOther || loc != "/documents/7" {
		t.Fatalf("open = %d %q, want 303 /documents/7", status, loc)
	}
	wantBell(t, c, "/", 1)
	body = expectStatus(t, c.Get("/notifications"), http.StatusOK)
	if got := rows(body); len(got) != 4 || got[0][0] != fmt.Sprint(due) || got[1][0] != fmt.Sprint(assigned) || got[1][2] != "true" {
		t.Fatalf("after opening, rows = %v", got)
	}
	// Opening it again still goes there.
	if status, loc := post(t, c, fmt.Sprintf("/notifications/%d/open", assigned), nil); status != http.StatusSeeOther || loc != "/documents/7" {
		t.Fatalf("open again = %d %q", status, loc)
	}
	// Someone else's notification is not found and stays unread.
	if status, _ := post(t, c, fmt.Sprintf("/notifications/%d/open", others), nil); status != http.StatusNotFound {
		t.Fatalf("open someone else's = %d, want 404", status)
	}
	if status, _ := post(t, c, "/notifications/987654321/open", nil); status != http.StatusNotFound {
		t.Fatalf("open a missing one = %d, want 404", status)
	}
	if n := app.QueryInt(`SELECT count(*) FROM notifications WHERE id = $1 AND read_at IS NULL`, others); n != 1 {
		t.Fatal("someone else's notification was marked read")
	}

	// Links that would leave the site (stored by hand: Create refuses
	// them) lead back to the centre instead.
	for _, link := range []string{"//evil.example", "https://evil.example/x", "http://evil.example", `/\evil.example`,
		"/\t/evil.example", "/\n/evil.example", "javascript:alert(1)", " /documents/1"} {
		var id int64
		if err := app.DB.QueryRow(ctx, `INSERT INTO notifications (user_id, kind, title, link) VALUES ($1, 'assigned', 'Liên kết lạ', $2) RETURNING id`,
			an.ID, link).Scan(&id); err != nil {
			t.Fatal(err)
		}
		body = expectStatus(t, c.Get("/notifications?filter=unread"), http.StatusOK)
		if !strings.Contains(body, ">Đánh dấu đã đọc<") {
			t.Errorf("link %q: offered as a link to follow", link)
		}
		status, loc := post(t, c, fmt.Sprintf("/notifications/%d/open", id), url.Values{"filter": {"unread"}})
		if status != http.StatusSeeOther || loc != "/notifications?filter=unread" {
			t.Errorf("open with link %q = %d %q, want 303 /notifications?filter=unread", link, status, loc)
		}
		if n := app.QueryInt(`SELECT count(*) FROM notifications WHERE id = $1 AND read_at IS NOT NULL`, id); n != 1 {
			t.Errorf("link %q: not marked read", link)
		}
	}

	// Mark all read: one more arrives after the page was shown and stays unread.
	create(an, "outgoing_sign", "Dự thảo chờ bạn ký: Kế hoạch", "/outgoing/5", time.Minute, false)
	body = expectStatus(t, c.Get("/notifications"), http.StatusOK)
	m := upToRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no up_to in the mark-all form")
	}
	late := create(an, "returned", "Văn bản bị trả lại: Về việc tổ chức hội nghị", "/documents/7", 0, false)
	status, loc := post(t, c, "/notifications/read-all", url.Values{"up_to": {m[1]}})
	if status != http.StatusSeeOther || loc != "/notifications?marked=2" {
		t.Fatalf("read-all = %d %q, want 303 /notifications?marked=2", status, loc)
	}
	body = expectStatus(t, c.Get(loc), http.StatusOK)
	if !strings.Contains(body, "Đã đánh dấu 2 thông báo là đã đọc.") {
		t.Error("no message after marking all read")
	}
	if got := rows(body); got[0][0] != fmt.Sprint(late) || got[0][2] != "false" || got[1][2] != "true" {
		t.Fatalf("after marking all read, rows = %v: the late one should stay unread, first", got)
	}
	wantBell(t, c, "/", 1)
	m = upToRe.FindStringSubmatch(body)
	if status, loc := post(t, c, "/notifications/read-all", url.Values{"up_to": {m[1]}, "filter": {"unread"}}); status != http.StatusSeeOther ||
		loc != "/notifications?filter=unread&marked=1" {
		t.Fatalf("read-all from the unread tab = %d %q", status, loc)
	}
	wantBell(t, c, "/", 0)
	body = expectStatus(t, c.Get("/notifications?filter=unread"), http.StatusOK)
	if !strings.Contains(body, "Bạn đã đọc hết thông báo.") || strings.Contains(body, `data-testid="read-all"`) {
		t.Fatal("the unread tab is not empty after marking all read")
	}
	if n := app.QueryInt(`SELECT count(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL`, binh.ID); n != 1 {
		t.Fatal("marking all read touched someone else's")
	}
	// A form from another site is refused (CSRF).
	req, _ := http.NewRequest(http.MethodPost, app.URL+"/notifications/read-all", strings.NewReader("up_to=999999"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site read-all = %d, want 403", resp.StatusCode)
	}
}

// "Xem thêm" pages through many notifications without losing or repeating
// one, the unread ones first.
func TestNotificationCentrePages(t *testing.T) {
	app := testkit.Start(t)
	ctx := context.Background()
	unit := app.Unit("Văn phòng Tỉnh ủy", "province", 0)
	u := app.User("an", unit, identity.RoleHandler, identity.ClearanceNone)
	store := notify.New(app.DB)
	for i := range 45 {
		id, err := store.Create(ctx, u.ID, "task_assigned", fmt.Sprintf("Công việc số %d", i), fmt.Sprintf("/tasks/%d", i))
		if err != nil {
			t.Fatal(err)
		}
		if i%3 == 0 {
			app.Exec(`UPDATE notifications SET read_at = now() WHERE id = $1`, id)
		}
	}
	c := app.Login("an", "")
	seen := map[string]bool{}
	var order []string
	path, pages := "/notifications", 0
	for path != "" {
		body := expectStatus(t, c.Get(path), http.StatusOK)
		pages++
		for _, r := range rows(body) {
			if seen[r[0]] {
				t.Fatalf("notification %s shown twice", r[0])
			}
			seen[r[0]] = true
			order = append(order, r[2])
		}
		path = ""
		if m := moreRe.FindStringSubmatch(body); m != nil {
			path = html.UnescapeString(m[1])
		}
		if pages > 1 && !strings.Contains(body, `data-testid="first-page"`) {
			t.Error("no way back to the first page")
		}
	}
	if pages != 2 || len(seen) != 45 {
		t.Fatalf("%d pages, %d notifications; want 2 pages, 45", pages, len(seen))
	}
	if strings.Join(order, ",") != strings.TrimSuffix(strings.Repeat("false,", 30)+strings.Repeat("true,", 15), ",") {
		t.Fatalf("read marks in order = %v, want 30 unread then 15 read", order)
	}
	wantBell(t, c, "/", 30)
	if status := expectStatusCode(c.Get("/notifications?cursor=xyz")); status != http.StatusUnprocessableEntity {
		t.Fatalf("a bad cursor = %d, want 422", status)
	}
}

func expectStatusCode(resp *http.Response) int {
	resp.Body.Close()
	return resp.StatusCode
}

// The API lists read notifications on request and marks all read, up to
// an id when given.
func TestNotificationAPIReadAll(t *testing.T) {
	app := testkit.Start(t)
	ctx := context.Background()
	unit := app.Unit("Văn phòng Tỉnh ủy", "province", 0)
	u := app.User("an", unit, identity.RoleHandler, identity.ClearanceNone)
	other := app.User("binh", unit, identity.RoleHandler, identity.ClearanceNone)
	tok := app.Token(u)
	store := notify.New(app.DB)
	var ids []int64
	for i := range 3 {
		id, err := store.Create(ctx, u.ID, "presented", fmt.Sprintf("Văn bản %d", i), "/documents/1")
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if _, err := store.Create(ctx, other.ID, "presented", "Của người khác", "/documents/2"); err != nil {
		t.Fatal(err)
	}
	type list struct {
		Items []struct {
			ID     int64
			ReadAt *time.Time `json:"read_at"`
		}
		NextCursor  string `json:"next_cursor"`
		UnreadCount int    `json:"unread_count"`
	}
	type marked struct {
		Marked      int `json:"marked"`
		UnreadCount int `json:"unread_count"`
	}
	var m marked
	resp := app.Do("POST", "/api/v1/notifications/read-all", tok, strings.NewReader(fmt.Sprintf(`{"up_to_id": %d}`, ids[1])))
	testkit.DecodeJSON(t, resp, &m)
	if m.Marked != 2 || m.UnreadCount != 1 {
		t.Fatalf("read-all up to %d = %+v", ids[1], m)
	}
	var l list
	resp = app.Do("GET", "/api/v1/notifications", tok, nil)
	testkit.DecodeJSON(t, resp, &l)
	if len(l.Items) != 1 || l.Items[0].ID != ids[2] || l.UnreadCount != 1 {
		t.Fatalf("unread list = %+v", l)
	}
	resp = app.Do("GET", "/api/v1/notifications?include_read=true&limit=2", tok, nil)
	testkit.DecodeJSON(t, resp, &l)
	if len(l.Items) != 2 || l.Items[0].ID != ids[2] || l.Items[0].ReadAt != nil || l.Items[1].ID != ids[1] || l.Items[1].ReadAt == nil || l.NextCursor == "" {
		t.Fatalf("list with read ones = %+v", l)
	}
	resp = app.Do("GET", "/api/v1/notifications?include_read=true&limit=2&cursor="+url.QueryEscape(l.NextCursor), tok, nil)
	testkit.DecodeJSON(t, resp, &l)
	if len(l.Items) != 1 || l.Items[0].ID != ids[0] || l.NextCursor != "" {
		t.Fatalf("second page with read ones = %+v", l)
	}
	for _, bad := range []string{"/api/v1/notifications?include_read=yes"} {
		if status := expectStatusCode(app.Do("GET", bad, tok, nil)); status != http.StatusUnprocessableEntity {
			t.Fatalf("GET %s = %d, want 422", bad, status)
		}
	}
	for _, body := range []string{`{"up_to_id": -1}`, `{"up_to": 3}`, `[1]`} {
		if status := expectStatusCode(app.Do("POST", "/api/v1/notifications/read-all", tok, strings.NewReader(body))); status != http.StatusUnprocessableEntity {
			t.Fatalf("read-all %s = %d, want 422", body, status)
		}
	}
	// No body: every one.
	resp = app.Do("POST", "/api/v1/notifications/read-all", tok, nil)
	testkit.DecodeJSON(t, resp, &m)
	if m.Marked != 1 || m.UnreadCount != 0 {
		t.Fatalf("read-all without a body = %+v", m)
	}
	if n := app.QueryInt(`SELECT count(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL`, other.ID); n != 1 {
		t.Fatal("the API marked someone else's")
	}
	if status := expectStatusCode(app.Do("POST", "/api/v1/notifications/read-all", "", nil)); status != http.StatusUnauthorized {
		t.Fatalf("read-all without a token = %d, want 401", status)
	}
}
