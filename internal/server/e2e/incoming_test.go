package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"vanthu/internal/identity"
	"vanthu/internal/testkit"
)

// evalString evaluates a JavaScript expression giving a string.
func evalString(p *testkit.Page, expr string) string {
	var s string
	p.Do(func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		v, err := chromedp.Evaluate[string](expr)(ctx, t)
		s = v
		return chromedp.Void{}, err
	})
	return s
}

// typeKeys types into whatever has the focus, as a person would.
func typeKeys(p *testkit.Page, keys string) {
	p.Do(chromedp.KeyEvent(keys))
}

// A clerk registers an incoming document with the keyboard, attaching a
// scan: a mistyped symbol comes back with its message and the file still
// chosen; corrected, the document gets arrival number 1, shows its file,
// and is found in the register by a search typed without diacritics.
func TestRegisterIncomingInTheBrowser(t *testing.T) {
	app := testkit.Start(t)
	root := app.Unit("Ban Chấp hành Trung ương Đảng", "central", 0)
	prov := app.Unit("Tỉnh ủy Thử nghiệm", "province", root)
	app.Unit("Văn phòng Tỉnh ủy Thử nghiệm", "body", prov)
	app.User("vanthu", prov, identity.RoleClerk, identity.ClearanceMat)

	pdf := filepath.Join(t.TempDir(), "ke-hoach-57.pdf")
	if err := os.WriteFile(pdf, []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	p := testkit.Browser(t)
	login(p, app, "vanthu")
	p.Do(chromedp.WaitVisible(css(`[data-testid="viewer-name"]`)))

	p.Do(
		chromedp.Navigate(app.URL+"/incoming/new"),
		chromedp.WaitVisible(css(`[data-testid="incoming-form"][data-enhanced]`)),
		// Start somewhere else, then Alt+N comes back to the first field.
		chromedp.Focus(css("#notes")),
		chromedp.KeyEvent("n", chromedp.KeyModifiers(chromedp.ModifierAlt)),
	)
	if id := evalString(p, `document.activeElement.id`); id != "organ_name" {
		t.Fatalf("Alt+N focused %q", id)
	}
	// The issuing body from the suggestions, with the keyboard.
	typeKeys(p, "van phong")
	p.Do(chromedp.WaitVisible(css(`[data-testid="organ-listbox"] [role="option"]`)))
	typeKeys(p, kb.ArrowDown+kb.Enter)
	if v := evalString(p, `document.querySelector("#organ_name").value`); v != "Văn phòng Tỉnh ủy Thử nghiệm" {
		t.Fatalf("issuer = %q", v)
	}
	if v := evalString(p, `document.querySelector("[data-organ-unit-id]").value`); v == "" {
		t.Fatal("the unit chosen from the suggestions is not kept")
	}
	if n := countNodes(p, `[data-testid="form-error"], [data-testid="symbol-error"]`); n != 0 {
		t.Fatal("Enter in the suggestions sent the form")
	}
	typeKeys(p, kb.Tab+"57 NQ/TU"+kb.Tab+"02/03/2026"+kb.Tab)
	if id := evalString(p, `document.activeElement.id`); id != "type_name" {
		t.Fatalf("Tab order reached %q, want type_name", id)
	}
	p.Do(chromedp.SetValue(css("#type_name"), "Kế hoạch"))
	p.Do(chromedp.Focus(css("#subject")))
	typeKeys(p, "Kế hoạch triển khai Nghị quyết số 57")
	p.Do(chromedp.SetUploadFiles(css("#files"), []string{pdf}),
		chromedp.WaitVisible(css(`[data-testid="chosen-file"]`)))
	if s := p.Text(`[data-testid="chosen-file"]`); !strings.Contains(s, "ke-hoach-57.pdf") || !strings.Contains(s, "byte") {
		t.Fatalf("chosen file shown as %q", s)
	}

	// Ctrl+Enter sends; the symbol with a space is refused, nothing else lost.
	p.Do(chromedp.Focus(css("#subject")),
		chromedp.KeyEvent(kb.Enter, chromedp.KeyModifiers(chromedp.ModifierCtrl)),
		chromedp.WaitVisible(css(`[data-testid="symbol-error"]`)))
	if msg := p.Text(`[data-testid="symbol-error"]`); !strings.Contains(msg, "khoảng trắng") {
		t.Fatalf("symbol message = %q", msg)
	}
	if v := evalString(p, `document.querySelector("#subject").value`); v != "Kế hoạch triển khai Nghị quyết số 57" {
		t.Fatalf("subject after refusal = %q", v)
	}
	if n := countNodes(p, `[data-testid="chosen-file"]`); n != 1 {
		t.Fatalf("chosen files after refusal = %d", n)
	}
	if n := countNodes(p, `[data-testid="files-again"]:not([hidden])`); n != 0 {
		t.Fatal("asks to choose the files again though they are kept")
	}
	if n := app.QueryInt(`SELECT count(*) FROM documents`); n != 0 {
		t.Fatalf("documents after refusal = %d", n)
	}

	// Corrected and sent again: the document page with its number and file.
	evalString(p, `(document.querySelector("#symbol").value = "")`)
	p.Do(chromedp.SendKeys(css("#symbol"), "57-NQ/TU"),
		chromedp.KeyEvent(kb.Enter, chromedp.KeyModifiers(chromedp.ModifierCtrl)),
		chromedp.WaitVisible(css(`[data-testid="arrival-number"]`)))
	if n := p.Text(`[data-testid="arrival-number"]`); n != "1" {
		t.Fatalf("arrival number = %q", n)
	}
	if s := p.Text(`[data-testid="flash"]`); !strings.Contains(s, "số đến 1") {
		t.Fatalf("flash = %q", s)
	}
	if s := p.Text(`[data-testid="file-name"]`); s != "ke-hoach-57.pdf" {
		t.Fatalf("file = %q", s)
	}
	if s := p.Text(`[data-testid="organ-name"]`); s != "Văn phòng Tỉnh ủy Thử nghiệm" {
		t.Fatalf("issuer = %q", s)
	}
	if n := app.QueryInt(`SELECT count(*) FROM documents WHERE organ_unit_id IS NOT NULL AND symbol = '57-NQ/TU'`); n != 1 {
		t.Fatalf("stored with the chosen unit: %d", n)
	}
	// The page was loaded once, not once by the script and again.
	if n := app.QueryInt(`SELECT count(*) FROM audit_log WHERE action = 'document.view'`); n != 1 {
		t.Fatalf("document views audited = %d, want 1", n)
	}

	// The register lists it; a search without diacritics finds it.
	p.Do(chromedp.Navigate(app.URL+"/incoming"),
		chromedp.WaitVisible(css(`[data-testid="incoming-row"]`)))
	if s := p.Text(`[data-testid="row-subject"]`); s != "Kế hoạch triển khai Nghị quyết số 57" {
		t.Fatalf("row = %q", s)
	}
	p.Do(chromedp.SendKeys(css("#q"), "bao cao"+kb.Enter),
		chromedp.WaitVisible(css(`[data-testid="incoming-empty"]`)))
	evalString(p, `(document.querySelector("#q").value = "")`)
	p.Do(chromedp.SendKeys(css("#q"), "trien khai nghi quyet"+kb.Enter),
		chromedp.WaitVisible(css(`[data-testid="incoming-row"]`)))
	if loc := p.Location(); !strings.Contains(loc, "q=trien+khai+nghi+quyet") {
		t.Fatalf("search URL = %q", loc)
	}
	if n := countNodes(p, `[data-testid="incoming-row"]`); n != 1 {
		t.Fatalf("search rows = %d", n)
	}
}
