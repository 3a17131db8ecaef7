package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"vanthu/internal/config"
	"vanthu/internal/identity"
	"vanthu/internal/signature/sigtest"
	"vanthu/internal/testkit"
)

// openOutgoingFromTab opens /outgoing, switches to the box key, checks the
// document is there (and counted) and opens it.
func openOutgoingFromTab(t *testing.T, p *testkit.Page, app *testkit.App, key string, docID int64) {
	t.Helper()
	row := fmt.Sprintf(`[data-testid="outgoing-row"][data-id="%d"]`, docID)
	p.Do(
		chromedp.Navigate(app.URL+"/outgoing"),
		chromedp.WaitVisible(css(`[data-testid="tab-`+key+`"]`)),
		chromedp.Click(css(`[data-testid="tab-`+key+`"]`)),
		chromedp.WaitVisible(css(`[data-testid="tab-`+key+`"][aria-current="page"]`)),
		chromedp.WaitVisible(css(row)),
	)
	if n := p.Text(`[data-testid="tab-count-` + key + `"]`); n != "1" {
		t.Fatalf("box %s count = %q, want 1", key, n)
	}
	p.Do(
		chromedp.Click(css(row+` [data-testid="row-subject"]`)),
		chromedp.WaitVisible(css(`[data-testid="outgoing-actions"]`)),
	)
	if loc := p.Location(); !strings.Contains(loc, fmt.Sprintf("/outgoing/%d", docID)) {
		t.Fatalf("opened %q from box %s, want %d", loc, key, docID)
	}
}

func actionFlash(p *testkit.Page) string { return p.Text(`[data-testid="action-flash"]`) }

// An outgoing document from draft to its recipient, in the browser: the
// handler drafts it with the keyboard and the unit picker and submits it
// to one reviewer; the reviewer agrees; the office's clerk passes the
// format check; the leader uploads the PDF signed with their own
// certificate (a test PKI the app trusts) and is told at once it verified,
// then approves; the clerk issues it (number and date given then) and the
// server adds the agency's signature to the issued copy; the commune's
// clerk finds it in "Chờ vào sổ", sees the agency-signed copy verified, and
// registers it; the sender, watching the tracking table, presses "Làm mới"
// and sees it registered.
func TestOutgoingDraftToRecipientInTheBrowser(t *testing.T) {
	pki := sigtest.New(t)
	roots := sigtest.WriteFile(t, "roots.pem", pki.RootsPEM())
	agency := sigtest.WriteFile(t, "agency.p12", pki.AgencyP12(t, "mật khẩu cơ quan"))
	app := testkit.Start(t, func(c *config.Config) {
		c.SignatureTrustRootsFile, c.AgencyP12File, c.AgencyP12Password = roots, agency, "mật khẩu cơ quan"
	})
	root := app.Unit("Ban Chấp hành Trung ương Đảng", "central", 0)
	prov := app.Unit("Tỉnh ủy Thử nghiệm", "province", root)
	commune := app.Unit("Đảng ủy xã Tân Lập", "commune", prov)
	app.Exec(`UPDATE units SET symbol = 'TU' WHERE id = $1`, prov)
	app.User("chuyenvien", prov, identity.RoleHandler, identity.ClearanceNone)
	reviewer := app.User("truongban", prov, identity.RoleHandler, identity.ClearanceNone)
	leader := app.User("bithu", prov, identity.RoleLeader, identity.ClearanceNone)
	app.User("vanthu", prov, identity.RoleClerk, identity.ClearanceNone)
	app.User("vanthu.xa", commune, identity.RoleClerk, identity.ClearanceNone)

	dir := t.TempDir()
	const signerName = "Trần Văn Bí Thư"
	draft := sigtest.UnsignedPDF(t, "Du thao bao cao so ket")
	signed := sigtest.SignPDF(t, sigtest.UnsignedPDF(t, "Bao cao so ket 6 thang"), pki.Person(t, signerName))
	draftFile, signedFile := filepath.Join(dir, "du-thao.pdf"), filepath.Join(dir, "cong-van-da-ky.pdf")
	for f, b := range map[string][]byte{draftFile: draft, signedFile: signed} {
		if err := os.WriteFile(f, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	const subject = "Về việc báo cáo sơ kết 6 tháng đầu năm"
	p := testkit.Browser(t)

	// 1. The handler drafts it.
	signIn(t, p, app, "chuyenvien")
	p.Do(
		chromedp.Navigate(app.URL+"/outgoing"),
		chromedp.WaitVisible(css(`[data-testid="outgoing-empty"]`)),
		chromedp.Click(css(`[data-testid="new-draft-link"]`)),
		chromedp.WaitVisible(css(`[data-testid="outgoing-form"][data-enhanced]`)),
		chromedp.WaitReady(css(`#recipient_units[data-picker-ready][role="combobox"]`)),
	)
	if id := evalString(p, `document.activeElement.id`); id != "type_name" {
		t.Fatalf("the form starts at %q, want type_name", id)
	}
	p.Do(chromedp.SetValue(css("#type_name"), "Công văn"))
	typeInto(t, p, "#subject", subject)
	pickUnit(p, "#recipient_units", "tan lap", commune)
	p.Do(
		chromedp.SendKeys(css("#recipient_units"), kb.ArrowDown+kb.Enter),
		chromedp.WaitVisible(css(fmt.Sprintf(`[data-testid="chips-recipient_units"] [data-testid="chip"][data-unit-id="%d"]`, commune))),
	)
	if n := countNodes(p, `[data-testid="form-error"]`); n != 0 {
		t.Fatal("Enter in the unit picker sent the form")
	}
	typeInto(t, p, "#recipient_organs", "Sở Nội vụ tỉnh Thử nghiệm")
	p.Do(chromedp.SetValue(css("#signer_id"), strconv.FormatInt(leader.ID, 10)))
	typeInto(t, p, "#signer_position", "Bí thư")
	p.Do(
		chromedp.SetUploadFiles(css("#files"), []string{draftFile}),
		// Ctrl+Enter saves.
		chromedp.Focus(css("#signer_position")),
		chromedp.KeyEvent(kb.Enter, chromedp.KeyModifiers(chromedp.ModifierCtrl)),
		chromedp.WaitVisible(css(`[data-testid="submit-form"]`)),
	)
	if s := actionFlash(p); s != "Đã lưu dự thảo." {
		t.Fatalf("flash after saving = %q", s)
	}
	loc := p.Location()
	_, rest, _ := strings.Cut(loc, "/outgoing/")
	idText, _, _ := strings.Cut(rest, "?")
	docID, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		t.Fatalf("document id in %q: %v", loc, err)
	}
	if s := p.Text(`[data-testid="outgoing-state"]`); s != "Đang soạn thảo" {
		t.Fatalf("state = %q", s)
	}
	if s := p.Text(`[data-testid="outgoing-recipients"]`); !strings.Contains(s, "Đảng ủy xã Tân Lập") || !strings.Contains(s, "Sở Nội vụ tỉnh Thử nghiệm") {
		t.Fatalf("recipients = %q", s)
	}
	if s := p.Text(`[data-testid="version-row"][data-version="1"]`); !strings.Contains(s, "du-thao.pdf") || !strings.Contains(s, "Người dùng chuyenvien") {
		t.Fatalf("version 1 = %q", s)
	}

	// 2. Submitted to one reviewer, then format check, then the leader.
	p.Do(
		chromedp.SetValue(css(`[data-testid="submit-form"] #signer_id`), strconv.FormatInt(leader.ID, 10)),
		chromedp.SetValue(css("#circuit-step_1"), strconv.FormatInt(reviewer.ID, 10)),
		chromedp.Click(css(`[data-testid="submit-circuit"]`)),
		chromedp.WaitVisible(css(`[data-testid="round-1"]`)),
	)
	if s := actionFlash(p); s != "Đã trình duyệt dự thảo." {
		t.Fatalf("flash after submitting = %q", s)
	}
	if s := p.Text(`[data-testid="outgoing-state"]`); s != "Đang xin ý kiến (bước 1/1)" {
		t.Fatalf("state after submitting = %q", s)
	}
	if s := p.Text(`[data-testid="round-1"] [data-testid="review-status"]`); s != "Chờ cho ý kiến" {
		t.Fatalf("reviewer's status = %q", s)
	}
	logout(p)

	// 3. The reviewer agrees.
	signIn(t, p, app, "truongban")
	openOutgoingFromTab(t, p, app, "review", docID)
	typeInto(t, p, "#review-note", "Nhất trí với dự thảo.")
	p.Do(
		chromedp.Click(css(`[data-testid="review-approve"]`)),
		chromedp.WaitVisible(css(`[data-testid="action-flash"]`)),
	)
	if s := actionFlash(p); s != "Đã ghi ý kiến đồng ý." {
		t.Fatalf("flash after reviewing = %q", s)
	}
	if s := p.Text(`[data-testid="round-1"] [data-testid="review-status"]`); s != "Đồng ý" {
		t.Fatalf("review status = %q", s)
	}
	logout(p)

	// 4. The clerk passes the format check.
	signIn(t, p, app, "vanthu")
	openOutgoingFromTab(t, p, app, "format", docID)
	p.Do(
		chromedp.Click(css(`[data-testid="format-check-approve"]`)),
		chromedp.WaitVisible(css(`[data-testid="action-flash"]`)),
	)
	if s := p.Text(`[data-testid="outgoing-state"]`); s != "Chờ ký" {
		t.Fatalf("state after the format check = %q", s)
	}
	logout(p)

	// 5. The leader uploads the signed PDF (with its progress bar) and approves.
	signIn(t, p, app, "bithu")
	openOutgoingFromTab(t, p, app, "sign", docID)
	p.Do(
		chromedp.WaitVisible(css(`[data-testid="signed-missing"]`)),
		chromedp.WaitReady(css(`[data-testid="version-form"][data-enhanced]`)),
		chromedp.SetUploadFiles(css("#version-files"), []string{signedFile}),
		chromedp.SendKeys(css("#version-note"), "Bản đã ký số"),
		chromedp.Click(css(`[data-testid="version-submit"]`)),
		chromedp.WaitVisible(css(`[data-testid="signed-ready"]`)),
	)
	if s := p.Text(`[data-testid="version-row"][data-version="2"]`); !strings.Contains(s, "cong-van-da-ky.pdf") || !strings.Contains(s, "Bản đã ký số") {
		t.Fatalf("signed version = %q", s)
	}
	// The signer is told at once, and the version shows the verdict.
	if s := actionFlash(p); !strings.Contains(s, "Chữ ký số hợp lệ: "+signerName) {
		t.Fatalf("flash after the signed upload = %q", s)
	}
	signedRow := `[data-testid="version-row"][data-version="2"] `
	if s := p.Text(signedRow + `[data-testid="signature-verdict"]`); s != "Hợp lệ" {
		t.Fatalf("signed version's verdict = %q", s)
	}
	if s := p.Text(signedRow + `[data-testid="signer-name"]`); s != signerName {
		t.Fatalf("signed version's signer = %q", s)
	}
	// The upload's message goes first, so the next one is the approval's.
	evalString(p, `(document.querySelector('[data-testid="action-flash"]').remove(), "")`)
	p.Do(
		chromedp.Click(css(`[data-testid="approve-submit"]`)),
		chromedp.WaitVisible(css(`[data-testid="action-flash"]`)),
	)
	if s := actionFlash(p); s != "Đã duyệt, ký văn bản; văn thư sẽ cấp số và phát hành." {
		t.Fatalf("flash after approving = %q", s)
	}
	if s := p.Text(`[data-testid="outgoing-state"]`); s != "Đã ký, chờ phát hành" {
		t.Fatalf("state after signing = %q", s)
	}
	logout(p)

	// 6. The clerk issues it: the number and date are given now.
	signIn(t, p, app, "vanthu")
	openOutgoingFromTab(t, p, app, "issue", docID)
	p.Do(
		chromedp.Click(css(`[data-testid="issue-form"] button[type="submit"]`)),
		chromedp.WaitVisible(css(`[data-testid="tracking"]`)),
	)
	if s := p.Text(`[data-testid="outgoing-symbol"]`); s != "1-CV/TU" {
		t.Fatalf("number and symbol = %q", s)
	}
	if s := actionFlash(p); !strings.HasPrefix(s, "Đã cấp số 1-CV/TU, ngày ") {
		t.Fatalf("flash after issuing = %q", s)
	}
	if s := p.Text(`[data-testid="tracking-row"][data-position="1"] [data-testid="tracking-status"]`); s != "Đã đến, chờ vào sổ" {
		t.Fatalf("tracking before registration = %q", s)
	}
	// The issued copy: the signed PDF with the agency's signature, shown
	// apart from the versions; the package for outside exchange is offered.
	p.Do(chromedp.WaitVisible(css(`[data-testid="issued-copy-row"] [data-testid="signature-verdict"]`)))
	if s := p.Text(`[data-testid="issued-copy-row"] [data-testid="signature-verdict"]`); s != "Hợp lệ" {
		t.Fatalf("issued copy's verdict = %q", s)
	}
	if s := p.Text(`[data-testid="issued-copy-row"] .signers`); !strings.Contains(s, signerName) || !strings.Contains(s, sigtest.AgencyCN) {
		t.Fatalf("issued copy's signers = %q", s)
	}
	if n := countNodes(p, `[data-testid="edxml-link"]`); n != 1 {
		t.Fatal("no edXML package on the issued document")
	}
	// The page stays open while the commune registers it.
	evalString(p, `(window.__stillHere = "yes")`)

	// 7. The commune's clerk, in a browser of their own, registers it.
	p2 := testkit.Browser(t)
	signIn(t, p2, app, "vanthu.xa")
	copyID := app.QueryInt(`SELECT id FROM documents WHERE source_document_id = $1 AND unit_id = $2`, docID, commune)
	openFromTab(t, p2, app, "arrived", copyID)
	if s := p2.Text(`[data-testid="delivery-panel"]`); !strings.Contains(s, "Tỉnh ủy Thử nghiệm") {
		t.Fatalf("delivery panel = %q", s)
	}
	if s := p2.Text(`[data-testid="file-name"]`); s != "cong-van-da-ky.pdf" {
		t.Fatalf("the copy's file = %q (only the signed version is sent)", s)
	}
	// What arrived is the agency-signed issued copy, verified on arrival.
	p2.Do(chromedp.WaitVisible(css(`[data-testid="file-row"] [data-testid="issued-copy"]`)))
	if s := p2.Text(`[data-testid="file-row"] [data-testid="signature-verdict"]`); s != "Hợp lệ" {
		t.Fatalf("the recipient's verdict = %q", s)
	}
	if s := p2.Text(`[data-testid="file-row"] .signers`); !strings.Contains(s, sigtest.AgencyCN) || !strings.Contains(s, signerName) {
		t.Fatalf("the recipient's copy's signers = %q", s)
	}
	if n := countNodes(p2, `[data-testid="no-agency-signature"]`); n != 0 {
		t.Fatal("the recipient is told the copy has no agency signature")
	}
	// The number field is on the page before too: wait for the form to go.
	p2.Do(
		chromedp.Click(css(`[data-testid="receive-submit"]`)),
		chromedp.WaitNotPresent(css(`[data-testid="receive-submit"]`)),
		chromedp.WaitVisible(css(`[data-testid="arrival-number"]`)),
	)
	if s := p2.Text(`[data-testid="arrival-number"]`); s != "1" {
		t.Fatalf("arrival number = %q", s)
	}
	if s := p2.Text(`[data-testid="document-status"]`); s != "Đã vào sổ" {
		t.Fatalf("copy status = %q", s)
	}

	// 8. The sender refreshes the tracking table in place.
	p.Do(
		chromedp.Click(css(`[data-testid="tracking-refresh"]`)),
		chromedp.WaitVisible(css(`[data-testid="tracking-row"][data-position="1"] .badge:not(.warn)`)),
	)
	if s := p.Text(`[data-testid="tracking-row"][data-position="1"] [data-testid="tracking-status"]`); s != "Đã vào sổ" {
		t.Fatalf("tracking after registration = %q", s)
	}
	if s := p.Text(`[data-testid="tracking-row"][data-position="1"]`); !strings.Contains(s, "Đảng ủy xã Tân Lập") {
		t.Fatalf("tracking row = %q", s)
	}
	if v := evalString(p, `String(window.__stillHere)`); v != "yes" {
		t.Fatal("the page was reloaded instead of refreshing the table")
	}
	want := []string{"drafted", "submitted", "review_approved", "format_checked", "version_uploaded", "outgoing_approved", "issued"}
	p.Do(chromedp.Reload(), chromedp.WaitVisible(css(`[data-testid="document-timeline"]`)))
	got := eventKinds(p)
	var kinds []string
	for _, k := range got {
		if k != "file_downloaded" && k != "commented" {
			kinds = append(kinds, k)
		}
	}
	if strings.Join(kinds[:len(want)], ",") != strings.Join(want, ",") || kinds[len(kinds)-1] != "recipient_registered" {
		t.Fatalf("timeline = %v", got)
	}
}
