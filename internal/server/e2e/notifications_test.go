package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"vanthu/internal/identity"
	"vanthu/internal/testkit"
)

// apiRegisterMeta registers an incoming document without files over the
// API and returns its id.
func apiRegisterMeta(t *testing.T, app *testkit.App, token, subject string) int64 {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	meta, _ := json.Marshal(map[string]any{"type_name": "Công văn", "organ_name": "Ban Tổ chức Trung ương", "subject": subject})
	_ = mw.WriteField("metadata", string(meta))
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, app.URL+"/api/v1/incoming", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("register = %d: %s", resp.StatusCode, raw)
	}
	var d struct{ ID int64 }
	_ = json.Unmarshal(raw, &d)
	return d.ID
}

// bellState is the bell's count attribute, accessible name, and whether
// its badge is visible with which text.
func bellState(p *testkit.Page) (count, label string, visible bool, badge string) {
	s := evalString(p, `(function () {
		var b = document.querySelector('[data-testid="bell"]'), c = b.querySelector('[data-testid="bell-count"]');
		return [b.dataset.count, b.getAttribute("aria-label"), c.hidden ? "hidden" : getComputedStyle(c).display === "none" ? "none" : "shown", c.textContent].join("|");
	})()`)
	f := strings.Split(s, "|")
	return f[0], f[1], f[2] == "shown", f[3]
}

// A leader directs a document to a handler; the handler sees 1 on the
// bell, opens the notification centre, presses "Xem" on the notification
// and lands on the document, the bell now without a number. A new
// notification then shows on the bell without reloading the page.
func TestNotificationBellToDocument(t *testing.T) {
	app := testkit.Start(t)
	prov := app.Unit("Tỉnh ủy Thử nghiệm", "province", 0)
	clerk := app.User("vanthu", prov, identity.RoleClerk, identity.ClearanceNone)
	leader := app.User("bithu", prov, identity.RoleLeader, identity.ClearanceNone)
	handler := app.User("chuyenvien", prov, identity.RoleHandler, identity.ClearanceNone)
	const subject = "Về việc chuẩn bị đại hội chi bộ nhiệm kỳ 2026–2031"
	docID := apiRegisterMeta(t, app, app.Token(clerk), subject)
	resp := app.Do("POST", fmt.Sprintf("/api/v1/documents/%d/present", docID), app.Token(clerk),
		strings.NewReader(fmt.Sprintf(`{"leader_id": %d}`, leader.ID)))
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("present = %d", resp.StatusCode)
	}

	// The leader, told on the bell, directs it to the handler in the browser.
	p := testkit.Browser(t)
	signIn(t, p, app, "bithu")
	if count, label, visible, badge := bellState(p); count != "1" || label != "Thông báo, 1 chưa đọc" || !visible || badge != "1" {
		t.Fatalf("leader's bell = %s %q %v %q", count, label, visible, badge)
	}
	openFromTab(t, p, app, "presented", docID)
	p.Do(chromedp.WaitVisible(css(`[data-testid="direction-form"]`)))
	typeInto(t, p, "#direction-body", "Giao đồng chí chuyên viên chủ trì tham mưu.")
	p.Do(
		chromedp.SetValue(css("#direction-lead"), fmt.Sprintf("user:%d", handler.ID)),
		chromedp.Click(css(`[data-testid="direction-form"] button[type="submit"]`)),
		chromedp.WaitVisible(css(`[data-testid="direction"]`)),
	)
	logout(p)

	// The handler: 1 on the bell, on whichever page.
	signIn(t, p, app, "chuyenvien")
	if count, label, visible, badge := bellState(p); count != "1" || label != "Thông báo, 1 chưa đọc" || !visible || badge != "1" {
		t.Fatalf("handler's bell = %s %q %v %q", count, label, visible, badge)
	}
	p.Do(
		chromedp.Click(css(`[data-testid="bell"]`)),
		chromedp.WaitVisible(css(`[data-testid="section-unread"]`)),
	)
	if loc := p.Location(); !strings.HasSuffix(loc, "/notifications") {
		t.Fatalf("the bell led to %q", loc)
	}
	if n := countNodes(p, `[data-testid="notification"]`); n != 1 {
		t.Fatalf("%d notifications listed, want 1", n)
	}
	item := `[data-testid="notification"][data-kind="assigned"][data-read="false"]`
	if s := p.Text(item + ` [data-testid="notification-kind"]`); s != "Phân công xử lý văn bản đến" {
		t.Fatalf("kind label = %q", s)
	}
	if s := p.Text(item + ` [data-testid="notification-title"]`); !strings.Contains(s, subject) {
		t.Fatalf("title = %q", s)
	}
	if s := p.Text(`[data-testid="notification-day"]`); s != "Hôm nay" {
		t.Fatalf("day = %q", s)
	}
	p.Do(
		chromedp.Click(css(item+` [data-testid="notification-open"]`)),
		chromedp.WaitVisible(css(`[data-testid="document-title"]`)),
	)
	if loc := p.Location(); !strings.HasSuffix(loc, fmt.Sprintf("/documents/%d", docID)) {
		t.Fatalf("Xem led to %q, want the document", loc)
	}
	if s := p.Text(`[data-testid="document-title"]`); s != subject {
		t.Fatalf("document title = %q", s)
	}
	if count, label, visible, _ := bellState(p); count != "0" || label != "Thông báo, không có thông báo chưa đọc" || visible {
		t.Fatalf("bell after opening = %s %q visible %v", count, label, visible)
	}

	// Something new arrives; when the person comes back to the page, the
	// badge refreshes itself and the news is announced politely.
	app.Exec(`INSERT INTO notifications (user_id, kind, title, link) VALUES ($1, 'task_assigned', 'Công việc mới', '/tasks')`, handler.ID)
	evalString(p, `document.dispatchEvent(new Event("visibilitychange")), ""`)
	p.Do(chromedp.WaitVisible(css(`[data-testid="bell"][data-count="1"] [data-testid="bell-count"]`)))
	if count, label, visible, badge := bellState(p); count != "1" || label != "Thông báo, 1 chưa đọc" || !visible || badge != "1" {
		t.Fatalf("bell after polling = %s %q %v %q", count, label, visible, badge)
	}
	if s := evalString(p, `document.querySelector('[data-testid="bell-live"]').textContent`); s != "Có thông báo mới: 1 thông báo chưa đọc." {
		t.Fatalf("live region = %q", s)
	}
}
