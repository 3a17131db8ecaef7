package server_test

// These tests reach /admin/calendar only once adminRoutes mounts
// s.calendarAdminRoutes(r) (internal/server/admin.go).

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"vanthu/internal/calendar"
	"vanthu/internal/identity"
)

func seedCalendar(t *testing.T, a *adminApp) {
	t.Helper()
	if _, err := calendar.Seed(context.Background(), a.DB); err != nil {
		t.Fatal(err)
	}
}

func TestCalendarScreenShowsTheYear(t *testing.T) {
	a := startWithAdmin(t)
	seedCalendar(t, a)

	body := expectStatus(t, a.c.Get("/admin/calendar?year=2026"), http.StatusOK)
	for _, want := range []string{
		"Lịch làm việc năm 2026",
		`data-day="2026-04-27"`, "27/04/2026", "Thứ Hai", "Nghỉ bù Giỗ Tổ Hùng Vương",
		`data-day="2026-01-10"`, "10/01/2026", "Thứ Bảy", "Ngày làm bù",
		"17/02/2026", "Tết Nguyên đán Bính Ngọ (mùng 1)", "Ngày nghỉ",
		"24/11/2026", "Ngày Văn hóa Việt Nam",
		`<option value="2028"`, `<option value="2026" selected`,
		`data-testid="calendar-working-days">249<`,
		`action="/admin/calendar/delete"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("calendar 2026 lacks %q", want)
		}
	}
	if n := strings.Count(body, `data-testid="calendar-month"`); n != 12 {
		t.Errorf("%d month grids, want 12", n)
	}
	if n := strings.Count(body, `data-testid="calendar-day"`); n != 16 {
		t.Errorf("%d listed days in 2026, want 16", n)
	}
	// The month grid marks holidays, make-up days and weekends.
	for _, want := range []string{`class="cal-holiday" title="27/04/2026, Thứ Hai: Ngày nghỉ`, `class="cal-workday" title="10/01/2026, Thứ Bảy: Ngày làm bù`,
		`class="cal-weekend" title="25/04/2026, Thứ Bảy"`} {
		if !strings.Contains(body, want) {
			t.Errorf("month grid lacks %q", want)
		}
	}
	if strings.Contains(body, `data-testid="calendar-seed"`) {
		t.Error("the seed offer shows although the official calendar is complete")
	}

	// 2028 has no data yet.
	body = expectStatus(t, a.c.Get("/admin/calendar?year=2028"), http.StatusOK)
	if !strings.Contains(body, `data-testid="calendar-empty"`) {
		t.Error("an empty year must say so")
	}
	expectStatus(t, a.c.Get("/admin/calendar?year=abc"), http.StatusNotFound)
	expectStatus(t, a.c.Get("/admin/calendar?year=1800"), http.StatusNotFound)
}

func TestCalendarAddAndDeleteAreAudited(t *testing.T) {
	a := startWithAdmin(t)
	seedCalendar(t, a)

	form := url.Values{"day": {"09/03/2026"}, "kind": {"holiday"}, "name": {"Nghỉ phục vụ sự kiện"}, "year": {"2026"}}
	resp := a.c.PostForm("/admin/calendar", form)
	expectStatus(t, resp, http.StatusSeeOther)
	if loc := resp.Header.Get("Location"); loc != "/admin/calendar?done=set&year=2026" {
		t.Errorf("redirect to %q", loc)
	}
	if n := a.QueryInt(`SELECT count(*) FROM calendar_days WHERE day = DATE '2026-03-09' AND kind = 'holiday' AND name = 'Nghỉ phục vụ sự kiện'`); n != 1 {
		t.Fatal("the day was not stored")
	}
	if n := a.QueryInt(`SELECT count(*) FROM audit_log WHERE action = 'calendar.set' AND outcome = 'success' AND object_id = '2026-03-09'`); n != 1 {
		t.Fatalf("calendar.set audited %d times, want 1", n)
	}
	body := expectStatus(t, a.c.Get("/admin/calendar?year=2026&done=set"), http.StatusOK)
	if !strings.Contains(body, "Đã lưu ngày vào lịch làm việc.") || !strings.Contains(body, "09/03/2026") {
		t.Error("no confirmation or the new day is missing")
	}

	// Replacing a day records what it was.
	form = url.Values{"day": {"27/04/2026"}, "kind": {"holiday"}, "name": {"Nghỉ bù Giỗ Tổ"}}
	expectStatus(t, a.c.PostForm("/admin/calendar", form), http.StatusSeeOther)
	if n := a.QueryInt(`SELECT count(*) FROM audit_log WHERE action = 'calendar.set' AND object_id = '2026-04-27'
		AND details->>'previous_name' LIKE 'Nghỉ bù Giỗ Tổ Hùng Vương%'`); n != 1 {
		t.Error("a replacement must record the previous name")
	}

	resp = a.c.PostForm("/admin/calendar/delete", url.Values{"day": {"2026-03-09"}})
	expectStatus(t, resp, http.StatusSeeOther)
	if loc := resp.Header.Get("Location"); loc != "/admin/calendar?done=deleted&year=2026" {
		t.Errorf("redirect to %q", loc)
	}
	if n := a.QueryInt(`SELECT count(*) FROM calendar_days WHERE day = DATE '2026-03-09'`); n != 0 {
		t.Fatal("the day was not deleted")
	}
	if n := a.QueryInt(`SELECT count(*) FROM audit_log WHERE action = 'calendar.delete' AND object_id = '2026-03-09'
		AND details->>'name' = 'Nghỉ phục vụ sự kiện'`); n != 1 {
		t.Fatalf("calendar.delete audited %d times, want 1", n)
	}
	expectStatus(t, a.c.PostForm("/admin/calendar/delete", url.Values{"day": {"2026-03-09"}}), http.StatusNotFound)
	expectStatus(t, a.c.PostForm("/admin/calendar/delete", url.Values{"day": {"không phải ngày"}}), http.StatusUnprocessableEntity)
}

func TestCalendarFormShowsFieldErrors(t *testing.T) {
	a := startWithAdmin(t)
	before := a.QueryInt(`SELECT count(*) FROM calendar_days`)
	cases := []struct {
		name   string
		form   url.Values
		field  string
		inText string
	}{
		{"holiday on a Saturday", url.Values{"day": {"07/03/2026"}, "kind": {"holiday"}, "name": {"Nghỉ thử"}},
			"day", "Ngày 07/03/2026 là thứ Bảy. Ngày nghỉ phải là một ngày từ thứ Hai đến thứ Sáu"},
		{"make-up day on a weekday", url.Values{"day": {"09/03/2026"}, "kind": {"workday"}, "name": {"Làm bù thử"}},
			"day", "Ngày làm bù phải là thứ Bảy hoặc Chủ nhật"},
		{"impossible date", url.Values{"day": {"31/02/2026"}, "kind": {"holiday"}, "name": {"Nghỉ thử"}},
			"day", "Ngày không hợp lệ; vui lòng nhập theo dạng dd/mm/yyyy"},
		{"no date", url.Values{"day": {""}, "kind": {"holiday"}, "name": {"Nghỉ thử"}},
			"day", "Vui lòng nhập ngày theo dạng dd/mm/yyyy."},
		{"no name", url.Values{"day": {"09/03/2026"}, "kind": {"holiday"}, "name": {"  "}},
			"name", "Vui lòng nhập tên ngày"},
		{"unknown kind", url.Values{"day": {"09/03/2026"}, "kind": {"weekend"}, "name": {"Nghỉ thử"}},
			"kind", "Vui lòng chọn loại ngày"},
	}
	for _, tc := range cases {
		body := expectStatus(t, a.c.PostForm("/admin/calendar", tc.form), http.StatusUnprocessableEntity)
		if !strings.Contains(body, `data-testid="`+tc.field+`-error"`) || !strings.Contains(body, tc.inText) {
			t.Errorf("%s: no message %q on field %s", tc.name, tc.inText, tc.field)
		}
		if n := tc.form.Get("name"); strings.TrimSpace(n) != "" && !strings.Contains(body, `value="`+n+`"`) {
			t.Errorf("%s: the typed name was not kept", tc.name)
		}
	}
	if n := a.QueryInt(`SELECT count(*) FROM calendar_days`); n != before {
		t.Fatal("a refused day was stored")
	}
}

func TestCalendarSeedButton(t *testing.T) {
	a := startWithAdmin(t)
	body := expectStatus(t, a.c.Get("/admin/calendar?year=2026"), http.StatusOK)
	if !strings.Contains(body, `data-testid="calendar-seed"`) || !strings.Contains(body, "còn 16 ngày chưa có trong bảng") {
		t.Fatal("an empty calendar must offer the official one")
	}
	resp := a.c.PostForm("/admin/calendar/seed", url.Values{"year": {"2026"}})
	expectStatus(t, resp, http.StatusSeeOther)
	want := int64(len(calendar.Official()))
	if n := a.QueryInt(`SELECT count(*) FROM calendar_days`); n != want {
		t.Fatalf("%d days after seeding, want %d", n, want)
	}
	if n := a.QueryInt(`SELECT count(*) FROM audit_log WHERE action = 'calendar.seed' AND (details->>'inserted')::int = $1`, want); n != 1 {
		t.Fatal("seeding was not audited")
	}
	body = expectStatus(t, a.c.Get(resp.Header.Get("Location")), http.StatusOK)
	if !strings.Contains(body, "Đã nạp lịch nghỉ chính thức") || strings.Contains(body, `data-testid="calendar-seed"`) {
		t.Error("no confirmation, or the offer is still shown")
	}
}

func TestCalendarIsForSystemAdministratorsOnly(t *testing.T) {
	a := startWithAdmin(t)
	seedCalendar(t, a)
	vp := a.Unit("Văn phòng Tỉnh ủy", "body", 0)
	unitAdmin := a.User("qtdonvi", vp, identity.RoleUnitAdmin, identity.ClearanceNone)
	a.User("vanthu", vp, identity.RoleClerk, identity.ClearanceNone)
	for _, c := range []struct {
		login, secret string
	}{{"qtdonvi", a.EnableTOTP(unitAdmin)}, {"vanthu", ""}} {
		cl := a.Login(c.login, c.secret)
		expectStatus(t, cl.Get("/admin/calendar"), http.StatusNotFound)
		expectStatus(t, cl.PostForm("/admin/calendar", url.Values{"day": {"09/03/2026"}, "kind": {"holiday"}, "name": {"Nghỉ"}}), http.StatusNotFound)
		expectStatus(t, cl.PostForm("/admin/calendar/delete", url.Values{"day": {"2026-04-27"}}), http.StatusNotFound)
		expectStatus(t, cl.PostForm("/admin/calendar/seed", nil), http.StatusNotFound)
	}
	if n := a.QueryInt(`SELECT count(*) FROM calendar_days WHERE day IN (DATE '2026-03-09', DATE '2026-04-27')`); n != 1 {
		t.Fatal("someone other than a system administrator changed the calendar")
	}
	if n := a.QueryInt(`SELECT count(*) FROM audit_log WHERE action LIKE 'calendar.%' AND outcome = 'denied'`); n < 4 {
		t.Errorf("the unit administrator's refusals were audited %d times, want 4", n)
	}
}
