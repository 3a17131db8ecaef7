package outgoing_test

import (
	"archive/zip"
	"bytes"
	"testing"

	"vanthu/internal/access"
	"vanthu/internal/apperr"
	"vanthu/internal/documents"
	"vanthu/internal/identity"
	"vanthu/internal/outgoing"
)

// minimalDOCX is a ZIP with the parts that make mimetype call it DOCX.
func minimalDOCX(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for name, body := range map[string]string{
		"[Content_Types].xml": `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`,
		"word/document.xml":   `<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>`,
	} {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func (e *env) notes(user int64, kind string) int {
	e.t.Helper()
	var n int
	if err := e.db.QueryRow(e.ctx, `SELECT count(*) FROM notifications WHERE user_id = $1 AND kind = $2`, user, kind).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

func (e *env) stage(id int64) (string, *int) {
	e.t.Helper()
	rs, err := e.svc.Rounds(e.ctx, e.drafter, id)
	if err != nil {
		e.t.Fatal(err)
	}
	if len(rs) == 0 {
		return "", nil
	}
	return rs[0].Stage, rs[0].CurrentStep
}

func (e *env) state(id int64) string {
	e.t.Helper()
	d, err := e.svc.Get(e.ctx, e.drafter, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return d.State
}

// Steps run in order; reviewers of one step in parallel, all must agree;
// then the format check; then only the chosen signer, with the signed PDF
// as the last version, approves. Only the right person acts at each turn.
func TestCircuitSequentialAndParallel(t *testing.T) {
	e := newEnv(t)
	r1 := e.subject("gopy1", e.unit, identity.RoleHandler)
	r2 := e.subject("gopy2", e.unit, identity.RoleLeader)
	r3 := e.subject("gopy3", e.a, identity.RoleHandler) // outside the unit: sees the draft through a grant
	other := e.subject("lanhdao2", e.unit, identity.RoleLeader)
	d := e.draft(outgoing.Recipient{UnitID: e.a}, outgoing.Recipient{UnitID: e.b})

	if _, err := e.svc.Get(e.ctx, r3, d.ID); err == nil {
		t.Fatal("a person of another unit sees the draft before it is submitted to them")
	}
	// Only the drafter submits; the circuit is checked.
	_, err := e.svc.Submit(e.ctx, e.leader, actor(e.leader), d.ID, outgoing.SubmitInput{SignerID: e.leader.UserID})
	wantKind(t, err, apperr.KindForbidden)
	_, err = e.svc.Submit(e.ctx, e.drafter, actor(e.drafter), d.ID, outgoing.SubmitInput{SignerID: r1.UserID,
		Steps: [][]int64{{e.drafter.UserID}, {r2.UserID, r2.UserID}, {r2.UserID}}})
	ae, _ := apperr.As(err)
	if ae == nil || ae.Fields["signer_id"] == "" || ae.Fields["steps"] == "" {
		t.Fatalf("bad circuit: %v", err)
	}
	round, err := e.svc.Submit(e.ctx, e.drafter, actor(e.drafter), d.ID, outgoing.SubmitInput{SignerID: e.leader.UserID,
		Steps: [][]int64{{r1.UserID}, {r2.UserID, r3.UserID}}, Note: "Xin ý kiến lần 1"})
	if err != nil {
		t.Fatal(err)
	}
	if round.Stage != outgoing.StageReview || *round.CurrentStep != 1 || round.Steps != 2 || len(round.Reviews) != 3 || round.Version != 1 {
		t.Fatalf("round = %+v", round)
	}
	if e.notes(r1.UserID, "outgoing_review") != 1 || e.notes(r2.UserID, "outgoing_review") != 0 {
		t.Fatal("only the first step's reviewer is notified")
	}
	if _, err := e.svc.Get(e.ctx, r3, d.ID); err != nil {
		t.Fatalf("a reviewer of another unit does not see the draft: %v", err)
	}
	_, err = e.svc.Submit(e.ctx, e.drafter, actor(e.drafter), d.ID, outgoing.SubmitInput{SignerID: e.leader.UserID})
	wantKind(t, err, apperr.KindConflict) // already under review

	// Step 2 waits for step 1; strangers are refused; invisible answers 404.
	_, err = e.svc.Review(e.ctx, r2, actor(r2), d.ID, true, "")
	wantKind(t, err, apperr.KindConflict)
	_, err = e.svc.Review(e.ctx, other, actor(other), d.ID, true, "")
	wantKind(t, err, apperr.KindForbidden)
	_, err = e.svc.Review(e.ctx, e.clerkB, actor(e.clerkB), d.ID, true, "")
	wantKind(t, err, apperr.KindNotFound)
	_, err = e.svc.Approve(e.ctx, e.leader, actor(e.leader), d.ID)
	wantKind(t, err, apperr.KindConflict) // the signer waits for the circuit
	_, err = e.svc.FormatCheck(e.ctx, e.clerk, actor(e.clerk), d.ID, true, "")
	wantKind(t, err, apperr.KindConflict)

	if _, err := e.svc.Review(e.ctx, r1, actor(r1), d.ID, true, "Nhất trí"); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.Review(e.ctx, r1, actor(r1), d.ID, true, "")
	wantKind(t, err, apperr.KindConflict) // once
	if st, step := e.stage(d.ID); st != outgoing.StageReview || *step != 2 {
		t.Fatalf("after step 1: %s %v", st, step)
	}
	if e.notes(r2.UserID, "outgoing_review") != 1 || e.notes(r3.UserID, "outgoing_review") != 1 {
		t.Fatal("both reviewers of step 2 are notified")
	}
	// Parallel: one agreeing is not enough.
	if _, err := e.svc.Review(e.ctx, r3, actor(r3), d.ID, true, ""); err != nil {
		t.Fatal(err)
	}
	if st, step := e.stage(d.ID); st != outgoing.StageReview || *step != 2 {
		t.Fatalf("after one of two: %s %v", st, step)
	}
	if _, err := e.svc.Review(e.ctx, r2, actor(r2), d.ID, true, ""); err != nil {
		t.Fatal(err)
	}
	if st, _ := e.stage(d.ID); st != outgoing.StageFormat {
		t.Fatalf("after step 2: %s", st)
	}
	if e.notes(e.clerk.UserID, "outgoing_format") != 1 {
		t.Fatal("the unit's clerk is not asked for the format check")
	}

	// The format check is the unit's clerk's.
	_, err = e.svc.FormatCheck(e.ctx, e.drafter, actor(e.drafter), d.ID, true, "")
	wantKind(t, err, apperr.KindForbidden)
	_, err = e.svc.FormatCheck(e.ctx, e.clerkA, actor(e.clerkA), d.ID, true, "")
	wantKind(t, err, apperr.KindNotFound)
	if _, err := e.svc.FormatCheck(e.ctx, e.clerk, actor(e.clerk), d.ID, true, "Đúng thể thức"); err != nil {
		t.Fatal(err)
	}
	if st, _ := e.stage(d.ID); st != outgoing.StageSigning || e.notes(e.leader.UserID, "outgoing_sign") != 1 {
		t.Fatalf("after format check: %s", st)
	}

	// Only the chosen signer; only after uploading the signed PDF.
	_, err = e.svc.Approve(e.ctx, other, actor(other), d.ID)
	wantKind(t, err, apperr.KindForbidden)
	_, err = e.svc.Approve(e.ctx, e.leader, actor(e.leader), d.ID)
	wantKind(t, err, apperr.KindConflict)
	_, err = e.svc.UploadVersion(e.ctx, e.drafter, actor(e.drafter), d.ID, []*documents.Upload{upload(t, "v2.pdf", minimalPDF)}, "")
	wantKind(t, err, apperr.KindConflict)
	_, err = e.svc.UploadVersion(e.ctx, e.leader, actor(e.leader), d.ID, []*documents.Upload{upload(t, "ky.docx", minimalDOCX(t))}, "")
	wantKind(t, err, apperr.KindInvalid)
	v, err := e.svc.UploadVersion(e.ctx, e.leader, actor(e.leader), d.ID, []*documents.Upload{upload(t, "cong-van-da-ky.pdf", signedPDF)}, "Bản đã ký số")
	if err != nil {
		t.Fatal(err)
	}
	if v.Number != 2 || v.Kind != outgoing.VersionSigned || v.CreatedByName != "Người lanhdao" || len(v.Files) != 1 {
		t.Fatalf("signed version = %+v", v)
	}
	if _, err := e.svc.Approve(e.ctx, e.leader, actor(e.leader), d.ID); err != nil {
		t.Fatal(err)
	}
	if st, _ := e.stage(d.ID); st != outgoing.StageApproved || e.state(d.ID) != outgoing.StateApproved {
		t.Fatalf("after signing: %s %s", st, e.state(d.ID))
	}
	if e.notes(e.clerk.UserID, "outgoing_issue") != 1 || e.notes(e.drafter.UserID, "outgoing_approved") != 1 {
		t.Fatal("the clerk is not asked to issue, or the drafter not told")
	}

	// Issue sends only the signed version.
	iss, err := e.svc.Issue(e.ctx, e.clerk, actor(e.clerk), d.ID)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	rows, _ := e.db.Query(e.ctx, `SELECT df.name FROM document_files df WHERE df.document_id = $1`, *iss.Delivered[0].DeliveredDocumentID)
	for rows.Next() {
		var n string
		rows.Scan(&n)
		names = append(names, n)
	}
	if len(names) != 1 || names[0] != "cong-van-da-ky.pdf" {
		t.Fatalf("delivered files = %v", names)
	}
	if e.notes(e.clerkA.UserID, "incoming_arrived") != 1 || e.notes(e.clerkB.UserID, "incoming_arrived") != 1 {
		t.Fatal("recipient clerks are not told")
	}
	vs, err := e.svc.Versions(e.ctx, e.drafter, d.ID)
	if err != nil || len(vs) != 2 || vs[0].Number != 2 || vs[1].Number != 1 || vs[1].Kind != outgoing.VersionDraft {
		t.Fatalf("versions = %+v, %v", vs, err)
	}
}

// signedPDF stands for a PDF signed outside the platform (this package
// does not verify signatures).
var signedPDF = []byte("%PDF-1.7\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")

// Any reviewer, the format check or the signer may return with a reason;
// the draft goes back to the drafter, who revises (a new version) and
// submits a new round that starts over.
func TestCircuitReturnStartsOver(t *testing.T) {
	e := newEnv(t)
	r1 := e.subject("gopy1", e.unit, identity.RoleHandler)
	r2 := e.subject("gopy2", e.unit, identity.RoleHandler)
	d := e.draft(outgoing.Recipient{UnitID: e.a})
	submit := func() outgoing.Round {
		t.Helper()
		r, err := e.svc.Submit(e.ctx, e.drafter, actor(e.drafter), d.ID, outgoing.SubmitInput{SignerID: e.leader.UserID,
			Steps: [][]int64{{r1.UserID, r2.UserID}}})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	submit()
	_, err := e.svc.Review(e.ctx, r1, actor(r1), d.ID, false, "  ")
	wantKind(t, err, apperr.KindInvalid)
	r, err := e.svc.Review(e.ctx, r1, actor(r1), d.ID, false, "Bổ sung số liệu quý II")
	if err != nil {
		t.Fatal(err)
	}
	if r.Stage != outgoing.StageReturned || r.ReturnReason != "Bổ sung số liệu quý II" || e.state(d.ID) != outgoing.StateReturned {
		t.Fatalf("after return: %+v %s", r, e.state(d.ID))
	}
	if e.notes(e.drafter.UserID, "outgoing_returned") != 1 {
		t.Fatal("the drafter is not told")
	}
	_, err = e.svc.Review(e.ctx, r2, actor(r2), d.ID, true, "")
	wantKind(t, err, apperr.KindConflict) // the round is over

	// Only the drafter revises; a new version, then a new round from step 1.
	_, err = e.svc.UploadVersion(e.ctx, r1, actor(r1), d.ID, []*documents.Upload{upload(t, "v2.docx", minimalDOCX(t))}, "")
	wantKind(t, err, apperr.KindForbidden)
	if _, err := e.svc.UploadVersion(e.ctx, e.drafter, actor(e.drafter), d.ID, []*documents.Upload{upload(t, "v2.docx", minimalDOCX(t))}, "Đã bổ sung"); err != nil {
		t.Fatal(err)
	}
	r = submit()
	if r.Number != 2 || r.Version != 2 || *r.CurrentStep != 1 || r.Stage != outgoing.StageReview || e.state(d.ID) != outgoing.StateDraft {
		t.Fatalf("round 2 = %+v", r)
	}
	for _, v := range r.Reviews {
		if v.Decision != nil {
			t.Fatalf("round 2 starts with a decision: %+v", v)
		}
	}
	for _, p := range []access.Subject{r1, r2} {
		if _, err := e.svc.Review(e.ctx, p, actor(p), d.ID, true, ""); err != nil {
			t.Fatal(err)
		}
	}
	// The format check returns.
	_, err = e.svc.FormatCheck(e.ctx, e.clerk, actor(e.clerk), d.ID, false, "")
	wantKind(t, err, apperr.KindInvalid)
	if _, err := e.svc.FormatCheck(e.ctx, e.clerk, actor(e.clerk), d.ID, false, "Sai thể thức nơi nhận"); err != nil {
		t.Fatal(err)
	}
	if e.state(d.ID) != outgoing.StateReturned {
		t.Fatal("format return does not return the draft")
	}
	// Round 3 without reviewers goes straight to the format check, then
	// the signer returns it.
	if _, err := e.svc.Submit(e.ctx, e.drafter, actor(e.drafter), d.ID, outgoing.SubmitInput{SignerID: e.leader.UserID}); err != nil {
		t.Fatal(err)
	}
	if st, _ := e.stage(d.ID); st != outgoing.StageFormat {
		t.Fatalf("no reviewers: stage %s", st)
	}
	if _, err := e.svc.FormatCheck(e.ctx, e.clerk, actor(e.clerk), d.ID, true, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Return(e.ctx, e.leader, actor(e.leader), d.ID, "Chưa phù hợp thời điểm"); err != nil {
		t.Fatal(err)
	}
	rs, _ := e.svc.Rounds(e.ctx, e.drafter, d.ID)
	if len(rs) != 3 || rs[0].Stage != outgoing.StageReturned || rs[0].ReturnReason != "Chưa phù hợp thời điểm" ||
		rs[1].Stage != outgoing.StageReturned || rs[2].Stage != outgoing.StageReturned {
		t.Fatalf("rounds = %+v", rs)
	}
	// Withdraw: the drafter takes a submitted draft back.
	if _, err := e.svc.Submit(e.ctx, e.drafter, actor(e.drafter), d.ID, outgoing.SubmitInput{SignerID: e.leader.UserID,
		Steps: [][]int64{{r1.UserID}}}); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.Withdraw(e.ctx, r1, actor(r1), d.ID)
	wantKind(t, err, apperr.KindForbidden)
	if _, err := e.svc.Withdraw(e.ctx, e.drafter, actor(e.drafter), d.ID); err != nil {
		t.Fatal(err)
	}
	if st, _ := e.stage(d.ID); st != outgoing.StageWithdrawn || e.state(d.ID) != outgoing.StateDraft {
		t.Fatalf("withdrawn: %s %s", st, e.state(d.ID))
	}
	// The timeline has every step with its reasons.
	var kinds []string
	rows, _ := e.db.Query(e.ctx, `SELECT kind FROM document_events WHERE document_id = $1 ORDER BY id`, d.ID)
	for rows.Next() {
		var k string
		rows.Scan(&k)
		kinds = append(kinds, k)
	}
	want := []string{"drafted", "submitted", "review_returned", "version_uploaded", "submitted", "review_approved", "review_approved",
		"format_returned", "submitted", "format_checked", "outgoing_returned", "submitted", "withdrawn"}
	if len(kinds) != len(want) {
		t.Fatalf("timeline = %v", kinds)
	}
	for i := range want {
		if kinds[i] != want[i] {
			t.Fatalf("timeline = %v, want %v", kinds, want)
		}
	}
}

// A draft is edited only by its drafter, only while it is with them.
func TestUpdateDraft(t *testing.T) {
	e := newEnv(t)
	d := e.draft(outgoing.Recipient{UnitID: e.a})
	in := outgoing.DraftInput{TypeName: "Kế hoạch", Subject: "Kế hoạch tổ chức hội nghị", Priority: "khan",
		SignerUserID: e.leader.UserID, SignerPosition: "Bí thư", Recipients: []outgoing.Recipient{{UnitID: e.b}, {OrganName: "Sở Nội vụ"}}}
	_, err := e.svc.UpdateDraft(e.ctx, e.leader, actor(e.leader), d.ID, in)
	wantKind(t, err, apperr.KindForbidden)
	bad := in
	bad.SignerUserID = e.clerk.UserID
	_, err = e.svc.UpdateDraft(e.ctx, e.drafter, actor(e.drafter), d.ID, bad)
	if ae, _ := apperr.As(err); ae == nil || ae.Fields["signer_id"] == "" {
		t.Fatalf("a clerk as signer: %v", err)
	}
	got, err := e.svc.UpdateDraft(e.ctx, e.drafter, actor(e.drafter), d.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	if got.TypeName != "Kế hoạch" || got.Priority != "khan" || len(got.Recipients) != 2 || got.RecipientNames[0] != "Huyện ủy B" ||
		got.Receivers != "Huyện ủy B; Sở Nội vụ" || got.SignerUserID == nil || *got.SignerUserID != e.leader.UserID {
		t.Fatalf("updated = %+v", got)
	}
	if _, err := e.svc.Submit(e.ctx, e.drafter, actor(e.drafter), d.ID, outgoing.SubmitInput{SignerID: e.leader.UserID}); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.UpdateDraft(e.ctx, e.drafter, actor(e.drafter), d.ID, in)
	wantKind(t, err, apperr.KindConflict)
}

// A replacement is linked to the original; once issued, the original and
// each recipient's copy are marked replaced, the copy pointing at that
// recipient's copy of the replacement. A correction is linked and noted.
func TestReplaceAndCorrect(t *testing.T) {
	e := newEnv(t)
	issue := func(d outgoing.Draft) outgoing.Issued {
		t.Helper()
		if _, err := e.svc.Approve(e.ctx, e.leader, actor(e.leader), d.ID); err != nil {
			t.Fatal(err)
		}
		iss, err := e.svc.Issue(e.ctx, e.clerk, actor(e.clerk), d.ID)
		if err != nil {
			t.Fatal(err)
		}
		return iss
	}
	orig := e.draft(outgoing.Recipient{UnitID: e.a}, outgoing.Recipient{UnitID: e.b})
	linked := func(kind string, target int64, reason string, to ...outgoing.Recipient) (outgoing.Draft, error) {
		return e.svc.CreateDraft(e.ctx, e.drafter, actor(e.drafter), outgoing.DraftInput{UnitID: e.unit, TypeName: "Công văn",
			Subject: "Thay thế công văn về báo cáo sơ kết", Recipients: to,
			Link: &outgoing.LinkInput{Kind: kind, TargetID: target, Reason: reason}},
			[]*documents.Upload{upload(t, "thay-the.pdf", minimalPDF)})
	}
	// Not yet issued: nothing to replace.
	_, err := linked(outgoing.LinkReplaces, orig.ID, "Sai số liệu", outgoing.Recipient{UnitID: e.a})
	if ae, _ := apperr.As(err); ae == nil || ae.Fields["link_target"] == "" {
		t.Fatalf("replace a draft: %v", err)
	}
	iss := issue(orig)
	copyA, copyB := *iss.Delivered[0].DeliveredDocumentID, *iss.Delivered[1].DeliveredDocumentID
	if _, err := e.svc.RegisterDelivered(e.ctx, e.clerkA, actor(e.clerkA), copyA, 0); err != nil {
		t.Fatal(err)
	}
	_, err = linked(outgoing.LinkReplaces, orig.ID, " ", outgoing.Recipient{UnitID: e.a})
	if ae, _ := apperr.As(err); ae == nil || ae.Fields["link_reason"] == "" {
		t.Fatalf("no reason: %v", err)
	}
	// The replacement goes to A only.
	rep, err := linked(outgoing.LinkReplaces, orig.ID, "Sai số liệu tại mục 2", outgoing.Recipient{UnitID: e.a})
	if err != nil {
		t.Fatal(err)
	}
	ls, err := e.svc.LinksOf(e.ctx, e.drafter, rep.ID)
	if err != nil || ls.Original == nil || ls.Original.ID != orig.ID || ls.Original.Kind != outgoing.LinkReplaces {
		t.Fatalf("links of the replacement = %+v %v", ls, err)
	}
	repIss := issue(rep)
	repCopyA := *repIss.Delivered[0].DeliveredDocumentID
	var replacedBy *int64
	var replacedAt any
	check := func(id int64, want *int64) {
		t.Helper()
		if err := e.db.QueryRow(e.ctx, `SELECT replaced_at, replaced_by_id FROM documents WHERE id = $1`, id).Scan(&replacedAt, &replacedBy); err != nil {
			t.Fatal(err)
		}
		if replacedAt == nil || (want == nil) != (replacedBy == nil) || (want != nil && *want != *replacedBy) {
			t.Fatalf("document %d: replaced %v by %v, want %v", id, replacedAt, replacedBy, want)
		}
	}
	check(orig.ID, &rep.ID)
	check(copyA, &repCopyA)
	check(copyB, nil) // B got no replacement copy, but its copy is marked
	n, ok, err := e.svc.CopyNoticeOf(e.ctx, copyB)
	if err != nil || !ok || n.ReplacedAt == nil || n.ReplacedBy != repIss.Symbol {
		t.Fatalf("notice of B's copy = %+v %v %v", n, ok, err)
	}
	if e.notes(e.clerkB.UserID, "incoming_replaced") != 1 {
		t.Fatal("B's clerk is not told of the replacement")
	}
	ls, _ = e.svc.LinksOf(e.ctx, e.drafter, orig.ID)
	if len(ls.By) != 1 || ls.By[0].ID != rep.ID || ls.By[0].Symbol != repIss.Symbol {
		t.Fatalf("links of the original = %+v", ls)
	}
	// Replaced once is enough.
	_, err = linked(outgoing.LinkReplaces, orig.ID, "Lần nữa", outgoing.Recipient{UnitID: e.a})
	if ae, _ := apperr.As(err); ae == nil || ae.Fields["link_target"] == "" {
		t.Fatalf("second replacement: %v", err)
	}

	// A correction of the replacement.
	cor, err := linked(outgoing.LinkCorrects, rep.ID, "Sai ngày ký", outgoing.Recipient{UnitID: e.a})
	if err != nil {
		t.Fatal(err)
	}
	corIss := issue(cor)
	n, _, err = e.svc.CopyNoticeOf(e.ctx, repCopyA)
	if err != nil || len(n.Corrections) != 1 || n.Corrections[0] != corIss.Symbol || n.ReplacedAt != nil {
		t.Fatalf("notice of the replacement's copy = %+v %v", n, err)
	}
	var events int
	e.db.QueryRow(e.ctx, `SELECT count(*) FROM document_events WHERE kind = 'corrected' AND document_id IN ($1, $2)`, rep.ID, repCopyA).Scan(&events)
	if events != 2 {
		t.Fatalf("corrected events = %d", events)
	}
	// Another unit cannot replace this unit's document.
	otherDrafter := e.subject("chuyenvien.b", e.b, identity.RoleHandler)
	_, err = e.svc.CreateDraft(e.ctx, otherDrafter, actor(otherDrafter), outgoing.DraftInput{UnitID: e.b, TypeName: "Công văn",
		Subject: "x", Recipients: []outgoing.Recipient{{UnitID: e.a}},
		Link: &outgoing.LinkInput{Kind: outgoing.LinkCorrects, TargetID: orig.ID, Reason: "x"}}, nil)
	if ae, _ := apperr.As(err); ae == nil || ae.Fields["link_target"] == "" {
		t.Fatalf("other unit's link: %v", err)
	}
}

// Each person's boxes hold what they must act on.
func TestListBoxes(t *testing.T) {
	e := newEnv(t)
	r1 := e.subject("gopy1", e.unit, identity.RoleHandler)
	mk := func(subject string) outgoing.Draft {
		d, err := e.svc.CreateDraft(e.ctx, e.drafter, actor(e.drafter), outgoing.DraftInput{UnitID: e.unit, TypeName: "Công văn",
			Subject: subject, Recipients: []outgoing.Recipient{{UnitID: e.a}}}, []*documents.Upload{upload(t, "a.pdf", minimalPDF)})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	mk("Dự thảo đang soạn về chuyển đổi số")
	inReview := mk("Báo cáo tổng kết công tác năm")
	atFormat := mk("Kế hoạch kiểm tra giám sát")
	for _, d := range []outgoing.Draft{inReview, atFormat} {
		steps := [][]int64{{r1.UserID}}
		if d.ID == atFormat.ID {
			steps = nil
		}
		if _, err := e.svc.Submit(e.ctx, e.drafter, actor(e.drafter), d.ID, outgoing.SubmitInput{SignerID: e.leader.UserID, Steps: steps}); err != nil {
			t.Fatal(err)
		}
	}
	count := func(sub access.Subject, box, q string) int {
		t.Helper()
		p, err := e.svc.List(e.ctx, sub, outgoing.ListFilter{Box: box, Q: q})
		if err != nil {
			t.Fatal(err)
		}
		n, err := e.svc.Count(e.ctx, sub, outgoing.ListFilter{Box: box, Q: q}, 100)
		if err != nil || n != len(p.Items) {
			t.Fatalf("count %d vs %d items: %v", n, len(p.Items), err)
		}
		return n
	}
	for _, c := range []struct {
		who       access.Subject
		box, q    string
		want      int
		whoString string
	}{
		{e.drafter, outgoing.BoxMine, "", 3, "drafter mine"},
		{e.drafter, outgoing.BoxReview, "", 0, "drafter review"},
		{r1, outgoing.BoxReview, "", 1, "reviewer review"},
		{e.clerk, outgoing.BoxFormat, "", 1, "clerk format"},
		{e.leader, outgoing.BoxSign, "", 0, "leader sign"},
		{e.clerkA, outgoing.BoxAll, "", 0, "other unit"},
		{e.drafter, outgoing.BoxAll, "chuyen doi so", 1, "search without diacritics"},
		{e.drafter, outgoing.BoxAll, "Huyện ủy A", 3, "search recipients"},
	} {
		if got := count(c.who, c.box, c.q); got != c.want {
			t.Errorf("%s: %d, want %d", c.whoString, got, c.want)
		}
	}
	// Keyset pages of one cover all, without repeats.
	seen := map[int64]bool{}
	cur := ""
	for range 5 {
		p, err := e.svc.List(e.ctx, e.drafter, outgoing.ListFilter{Limit: 1, Cursor: cur, Sort: "created_asc"})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range p.Items {
			if seen[it.ID] {
				t.Fatalf("item %d twice", it.ID)
			}
			seen[it.ID] = true
		}
		if cur = p.NextCursor; cur == "" {
			break
		}
	}
	if len(seen) != 3 {
		t.Fatalf("pages held %d items", len(seen))
	}
}
