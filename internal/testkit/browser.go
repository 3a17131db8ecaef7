package testkit

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// ChromiumPath is where Debian installs Chromium; VANTHU_TEST_CHROMIUM
// overrides it.
func ChromiumPath(t testing.TB) string {
	t.Helper()
	for _, p := range []string{os.Getenv("VANTHU_TEST_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if _, err := exec.LookPath(p); err == nil {
			return p
		}
	}
	t.Fatal("Chromium is not installed: run 'apt-get install -y chromium' (.ci/run does it) or set VANTHU_TEST_CHROMIUM")
	return ""
}

// Page is one tab of a headless Chromium with a fresh profile, closed when
// the test ends. Its methods fail the test on error and give every step a
// deadline, so a broken page fails instead of hanging.
type Page struct {
	t   testing.TB
	ctx context.Context
}

// Browser starts Chromium for the test.
func Browser(t testing.TB) *Page {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(ChromiumPath(t)),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("lang", "vi-VN"),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	// The first action starts the browser; it must not carry a timeout.
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		cancelAlloc()
		t.Fatalf("start chromium: %v", err)
	}
	p := &Page{t: t, ctx: ctx}
	t.Cleanup(func() {
		if t.Failed() {
			p.saveScreenshot()
		}
		cancel()
		cancelAlloc()
	})
	return p
}

func (p *Page) step() (context.Context, context.CancelFunc) {
	return context.WithTimeout(p.ctx, 30*time.Second)
}

// Do runs actions in order.
func (p *Page) Do(actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := p.step()
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.t.Fatalf("browser: %v", err)
	}
}

// Text returns the visible text of the first element matching css.
func (p *Page) Text(css string) string {
	p.t.Helper()
	ctx, cancel := p.step()
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		p.t.Fatalf("text of %s: %v", css, err)
	}
	return strings.TrimSpace(s)
}

// Location returns the current URL.
func (p *Page) Location() string {
	p.t.Helper()
	ctx, cancel := p.step()
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		p.t.Fatal(err)
	}
	return s
}

// Screenshot returns a PNG of the viewport.
func (p *Page) Screenshot() []byte {
	p.t.Helper()
	ctx, cancel := p.step()
	defer cancel()
	b, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		p.t.Fatal(err)
	}
	return b
}

// saveScreenshot keeps a picture of a failed test's last page when
// VANTHU_TEST_SCREENSHOTS names a folder.
func (p *Page) saveScreenshot() {
	dir := os.Getenv("VANTHU_TEST_SCREENSHOTS")
	if dir == "" {
		return
	}
	ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
	defer cancel()
	if b, err := chromedp.Run(ctx, chromedp.CaptureScreenshot()); err == nil {
		name := strings.NewReplacer("/", "_", " ", "_").Replace(p.t.Name()) + ".png"
		_ = os.WriteFile(filepath.Join(dir, name), b, 0o644)
	}
}

// CSS is shorthand for a CSS selector.
func CSS(s string) chromedp.CSS { return chromedp.CSS(s) }
