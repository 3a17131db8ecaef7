// Package e2e holds the browser tests: real Chromium against the whole
// application on a real PostgreSQL and S3 server.
package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	"vanthu/internal/identity"
	"vanthu/internal/testkit"
)

var css = testkit.CSS

func login(p *testkit.Page, app *testkit.App, user string) {
	p.Do(
		chromedp.Navigate(app.URL+"/login"),
		chromedp.WaitVisible(css(`[data-testid="login-form"]`)),
		chromedp.SendKeys(css(`#login`), user),
		chromedp.SendKeys(css(`#password`), testkit.Password),
		chromedp.Submit(css(`[data-testid="login-form"]`)),
	)
}

// An administrator's first login enrols an authenticator; the next login
// asks for its code.
func TestAdminLoginEnrolsAndUsesTOTP(t *testing.T) {
	app := testkit.Start(t)
	root := app.Unit("Ban Chấp hành Trung ương Đảng", "central", 0)
	app.User("quantri", root, identity.RoleAdmin, identity.ClearanceNone)
	p := testkit.Browser(t)

	login(p, app, "quantri")
	p.Do(chromedp.WaitVisible(css(`[data-testid="totp-secret"]`)))
	secret := p.Text(`[data-testid="totp-secret"]`)

	// A wrong code is refused with a Vietnamese message.
	p.Do(
		chromedp.SendKeys(css(`#code`), "000000"),
		chromedp.Submit(css(`[data-testid="totp-setup-form"]`)),
		chromedp.WaitVisible(css(`[data-testid="form-error"]`)),
	)
	if msg := p.Text(`[data-testid="form-error"]`); !strings.Contains(msg, "Mã xác thực không đúng") {
		t.Fatalf("wrong code message = %q", msg)
	}
	code, err := totp.GenerateCode(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	p.Do(
		chromedp.SetValue(css(`#code`), code),
		chromedp.Submit(css(`[data-testid="totp-setup-form"]`)),
		chromedp.WaitVisible(css(`[data-testid="viewer-name"]`)),
	)
	if h := p.Text("h1"); h != "Trang chủ" {
		t.Fatalf("after enrolment landed on %q", h)
	}

	// Log out and in again: now the code is asked for, not enrolment.
	p.Do(
		chromedp.Submit(css(`form[action="/logout"]`)),
		chromedp.WaitVisible(css(`[data-testid="login-form"]`)),
	)
	login(p, app, "quantri")
	p.Do(chromedp.WaitVisible(css(`[data-testid="totp-form"]`)))
	// The enrolment code may not be replayed: wait for the next 30-second
	// step so the test does not depend on timing luck.
	next := time.Now().Truncate(30 * time.Second).Add(30 * time.Second)
	time.Sleep(time.Until(next) + 200*time.Millisecond)
	if code, err = totp.GenerateCode(secret, time.Now()); err != nil {
		t.Fatal(err)
	}
	p.Do(
		chromedp.SendKeys(css(`#code`), code),
		chromedp.Submit(css(`[data-testid="totp-form"]`)),
		chromedp.WaitVisible(css(`[data-testid="viewer-name"]`)),
	)
	if name := p.Text(`[data-testid="viewer-name"]`); name != "Người dùng quantri" {
		t.Fatalf("signed in as %q", name)
	}
}
