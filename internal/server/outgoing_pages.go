package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"vanthu/internal/access"
	"vanthu/internal/apperr"
	"vanthu/internal/audit"
	"vanthu/internal/documents"
	"vanthu/internal/identity"
	"vanthu/internal/org"
	"vanthu/internal/outgoing"
	"vanthu/internal/registry"
	"vanthu/web"
)

// outgoingRoutes: the outgoing list and its boxes, the draft form, the
// document page with its actions (versions, the circuit, signing, issue,
// recall, comments), the recipients' tracking, and the receiving clerk's
// register / refuse on a delivered copy.
func (s *Server) outgoingRoutes(r chi.Router) {
	r.Get("/outgoing", s.outgoingList)
	r.Get("/outgoing/new", s.outgoingNew)
	r.Post("/outgoing", s.outgoingCreate)
	r.Get("/outgoing/{id:[0-9]+}", s.outgoingPage)
	r.Get("/outgoing/{id:[0-9]+}/edit", s.outgoingEdit)
	r.Post("/outgoing/{id:[0-9]+}/edit", s.outgoingUpdate)
	r.Get("/outgoing/{id:[0-9]+}/tracking", s.outgoingTrackingFragment)
	r.Post("/outgoing/{id:[0-9]+}/versions", s.outgoingVersion)
	r.Post("/outgoing/{id:[0-9]+}/submit", s.outgoingAct("submit", s.formSubmitCircuit))
	r.Post("/outgoing/{id:[0-9]+}/review", s.outgoingAct("review", s.formReview))
	r.Post("/outgoing/{id:[0-9]+}/format-check", s.outgoingAct("format-check", s.formFormatCheck))
	r.Post("/outgoing/{id:[0-9]+}/withdraw", s.outgoingAct("withdraw", s.formWithdraw))
	r.Post("/outgoing/{id:[0-9]+}/approve", s.outgoingAct("approve", s.formApprove))
	r.Post("/outgoing/{id:[0-9]+}/return", s.outgoingAct("return", s.formSignReturn))
	r.Post("/outgoing/{id:[0-9]+}/issue", s.outgoingAct("issue", s.formIssue))
	r.Post("/outgoing/{id:[0-9]+}/recall", s.outgoingAct("recall", s.formRecall))
	r.Post("/outgoing/{id:[0-9]+}/comments", s.outgoingComment)
	r.Post("/documents/{id:[0-9]+}/receive", s.deliveredReceive)
	r.Post("/documents/{id:[0-9]+}/refuse", s.deliveredRefuse)
}

// ---- The list ----

var outgoingFilterKeys = []string{"tab", "q", "from", "to", "type_name", "priority", "confidentiality", "sort", "limit"}

var outgoingMoreKeys = []string{"from", "to", "type_name", "priority", "confidentiality"}

type outgoingTab struct {
	key, label, hint string
	show             func(access.Subject) bool
}

var outgoingTabs = []outgoingTab{
	{key: outgoing.BoxAll, label: "Tất cả", show: everyone},
	{key: outgoing.BoxMine, label: "Dự thảo của tôi", hint: "Dự thảo bạn soạn chưa được ký: đang soạn, đang trình hoặc bị trả lại.", show: everyone},
	{key: outgoing.BoxReview, label: "Chờ tôi cho ý kiến", hint: "Dự thảo đến lượt bạn cho ý kiến trong luồng trình duyệt.", show: everyone},
	{key: outgoing.BoxFormat, label: "Chờ kiểm tra thể thức", hint: "Dự thảo đã qua các bước cho ý kiến, chờ văn phòng kiểm tra thể thức.",
		show: hasAnyRole(identity.RoleClerk)},
	{key: outgoing.BoxSign, label: "Chờ tôi ký", hint: "Dự thảo đã đạt thể thức, chờ bạn ký số và duyệt ban hành.", show: hasAnyRole(identity.RoleLeader)},
	{key: outgoing.BoxIssue, label: "Chờ phát hành", hint: "Văn bản đã ký, chờ văn thư cấp số và phát hành.", show: hasAnyRole(identity.RoleClerk)},
	{key: outgoing.BoxIssued, label: "Đã phát hành", hint: "Văn bản đã cấp số và gửi đi.", show: everyone},
	{key: outgoing.BoxRecalled, label: "Đã thu hồi", hint: "Văn bản đã phát hành rồi bị thu hồi.", show: everyone},
}

func findOutgoingTab(key string, sub access.Subject) outgoingTab {
	for _, t := range outgoingTabs {
		if t.key == key && t.show(sub) {
			return t
		}
	}
	return outgoingTabs[0]
}

func outgoingQuery(vals map[string]string) string {
	var b strings.Builder
	for _, k := range outgoingFilterKeys {
		if v := vals[k]; v != "" {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(url.QueryEscape(k) + "=" + url.QueryEscape(v))
		}
	}
	return b.String()
}

func outgoingURL(query string) string {
	if query == "" {
		return "/outgoing"
	}
	return "/outgoing?" + query
}

// canDraft reports whether the subject drafts for some unit.
func canDraft(sub access.Subject) bool { return len(sub.Memberships) > 0 }

func (s *Server) outgoingList(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sub := subjectFrom(ctx)
	q := r.URL.Query()
	vals := map[string]string{}
	for _, k := range outgoingFilterKeys {
		vals[k] = strings.TrimSpace(q.Get(k))
	}
	tab := findOutgoingTab(vals["tab"], sub)
	vals["tab"] = tab.key
	v := web.OutgoingListView{Form: web.Form{Values: vals, Errors: map[string]string{}}, Tab: tab.key, TabHint: tab.hint,
		CanDraft: canDraft(sub), ClearURL: outgoingURL(outgoingQuery(map[string]string{"tab": tab.key}))}
	for _, k := range outgoingFilterKeys {
		if k != "tab" && k != "sort" && k != "limit" && vals[k] != "" {
			v.Filtered = true
		}
	}
	for _, k := range outgoingMoreKeys {
		v.MoreOpen = v.MoreOpen || vals[k] != ""
	}
	status := http.StatusOK
	f, err := outgoingFilterFromQuery(q)
	if err == nil {
		f.Box = tab.key
		var page outgoing.ListPage
		if page, err = s.outgoing.List(ctx, sub, f); err == nil {
			v.Items = page.Items
			v.Paged = q.Get("cursor") != ""
			v.FirstURL = outgoingURL(outgoingQuery(vals))
			if page.NextCursor != "" {
				next := outgoingQuery(vals)
				if next != "" {
					next += "&"
				}
				v.NextURL = "/outgoing?" + next + "cursor=" + url.QueryEscape(page.NextCursor)
			}
		}
	}
	if err != nil {
		e, ok := apperr.As(err)
		if !ok || e.Kind != apperr.KindInvalid {
			s.serverError(w, r, err)
			return
		}
		v.Form = formFromError(err, vals)
		status = http.StatusUnprocessableEntity
	}
	types, err := s.registers.DocTypes(ctx, today())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, t := range types {
		if !containsString(v.Types, t.Name) {
			v.Types = append(v.Types, t.Name)
		}
	}
	if v.PrintRegisters, err = s.outgoingPrintChoices(ctx, sub); err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, t := range outgoingTabs {
		if !t.show(sub) {
			continue
		}
		n, err := s.outgoing.Count(ctx, sub, outgoing.ListFilter{Box: t.key}, inboxCountCap)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		tabVals := map[string]string{}
		for k, val := range vals {
			tabVals[k] = val
		}
		tabVals["tab"] = t.key
		v.Tabs = append(v.Tabs, web.IncomingTab{Key: tabKey(t.key), Label: t.label, Href: outgoingURL(outgoingQuery(tabVals)),
			Count: countLabel(n), Active: t.key == tab.key})
	}
	s.render(w, r, status, web.OutgoingListPage(s.page(r, "Văn bản đi", "outgoing"), v))
}

// ---- The draft form ----

// outgoingFormKeys are the text fields of the draft form.
var outgoingFormKeys = []string{"unit_id", "type_name", "subject", "priority", "confidentiality", "signer_id", "signer_position",
	"signer_full_name", "recipient_units_text", "recipient_organs", "link_kind", "link_target", "link_reason"}

// draftUnits are the units the subject drafts for, with their names.
func draftUnits(sub access.Subject) ([]int64, map[string]string) {
	var units []int64
	names := map[string]string{}
	for _, m := range sub.Memberships {
		if !containsInt64(units, m.UnitID) {
			units = append(units, m.UnitID)
			names[strconv.FormatInt(m.UnitID, 10)] = m.UnitName
		}
	}
	return units, names
}

// outgoingFormView fills the form's choices.
func (s *Server) outgoingFormView(ctx context.Context, sub access.Subject, f web.Form, recipients []org.Unit) (web.OutgoingFormView, error) {
	v := web.OutgoingFormView{Form: f, MaxFile: humanBytes(s.cfg.MaxFileBytes), Isolated: s.cfg.IsolatedSystem,
		Recipients: unitPickerField("recipient_units", "Đơn vị trên hệ thống", "Văn bản được gửi tới hàng đợi văn bản đến của các đơn vị này khi phát hành.", true, recipients)}
	units, names := draftUnits(sub)
	if len(units) > 1 {
		for _, u := range units {
			v.Units = append(v.Units, web.Option{Value: strconv.FormatInt(u, 10), Label: names[strconv.FormatInt(u, 10)]})
		}
	}
	for _, u := range units {
		people, err := s.outgoing.Signers(ctx, u)
		if err != nil {
			return v, err
		}
		for _, p := range people {
			label := p.Name
			if p.Title != "" {
				label += " — " + p.Title
			}
			if len(units) > 1 {
				label += " (" + names[strconv.FormatInt(u, 10)] + ")"
			}
			v.Signers = append(v.Signers, web.Option{Value: strconv.FormatInt(p.ID, 10), Label: label})
		}
	}
	types, err := s.registers.DocTypes(ctx, today())
	if err != nil {
		return v, err
	}
	for _, t := range types {
		if !containsString(v.Types, t.Name) {
			v.Types = append(v.Types, t.Name)
		}
	}
	if tn := f.Get("type_name"); tn != "" && !containsString(v.Types, tn) {
		v.Types = append(v.Types, tn)
	}
	return v, nil
}

func (s *Server) outgoingNew(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sub := subjectFrom(ctx)
	if !canDraft(sub) {
		s.writeError(w, r, apperr.Forbidden("Bạn chưa thuộc đơn vị nào nên không soạn được văn bản đi."))
		return
	}
	vals := map[string]string{"priority": "thuong", "confidentiality": string(identity.ClearanceNone),
		"unit_id": strconv.FormatInt(sub.ActingUnit, 10)}
	var recipients []org.Unit
	var link *web.OutgoingLinkForm
	q := r.URL.Query()
	for _, kind := range []string{outgoing.LinkReplaces, outgoing.LinkCorrects} {
		idText := q.Get(kind)
		if idText == "" {
			continue
		}
		id, err := strconv.ParseInt(idText, 10, 64)
		if err != nil {
			s.writeError(w, r, outgoing.ErrNotOutgoing)
			return
		}
		orig, err := s.outgoing.Detail(ctx, sub, id)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		link = &web.OutgoingLinkForm{Kind: kind, TargetID: id, Symbol: orig.Symbol, Subject: orig.Subject}
		vals["link_kind"], vals["link_target"] = kind, idText
		vals["unit_id"] = strconv.FormatInt(orig.UnitID, 10)
		vals["priority"], vals["confidentiality"] = orig.Priority, string(orig.Confidentiality)
		vals["signer_position"], vals["signer_full_name"] = orig.SignerPosition, orig.SignerFullName
		if orig.SignerUserID != nil {
			vals["signer_id"] = strconv.FormatInt(*orig.SignerUserID, 10)
		}
		if kind == outgoing.LinkReplaces {
			vals["type_name"], vals["subject"] = orig.TypeName, orig.Subject
		} else {
			vals["type_name"] = "Công văn"
			vals["subject"] = "Đính chính " + strings.ToLower(orig.TypeName) + " số " + orig.Symbol
		}
		var organs, ids []string
		var unitIDs []int64
		for _, rc := range orig.Recipients {
			if rc.UnitID == 0 {
				organs = append(organs, rc.OrganName)
			} else {
				unitIDs = append(unitIDs, rc.UnitID)
				ids = append(ids, "#"+strconv.FormatInt(rc.UnitID, 10))
			}
		}
		vals["recipient_organs"] = strings.Join(organs, "\n")
		vals["recipient_units_text"] = strings.Join(ids, ", ")
		if recipients, err = s.units.GetMany(ctx, unitIDs); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	v, err := s.outgoingFormView(ctx, sub, web.Form{Values: vals, Errors: map[string]string{}}, recipients)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.fillNewForm(&v, link)
	s.render(w, r, http.StatusOK, web.OutgoingFormPage(s.page(r, v.PageHeading, "outgoing"), v))
}

func (s *Server) fillNewForm(v *web.OutgoingFormView, link *web.OutgoingLinkForm) {
	v.Link, v.ShowFiles, v.SubmitLabel, v.CancelHref = link, true, "Lưu dự thảo", "/outgoing"
	v.PageHeading = "Soạn dự thảo văn bản đi"
	v.Intro = "Lưu dự thảo, tải lên các phiên bản, rồi trình duyệt theo luồng: cho ý kiến, kiểm tra thể thức, lãnh đạo ký."
	if link != nil {
		v.CancelHref = fmt.Sprintf("/outgoing/%d", link.TargetID)
		if link.Kind == outgoing.LinkReplaces {
			v.PageHeading, v.LinkedHeader = "Soạn văn bản thay thế", "Văn bản bị thay thế (sai sót về nội dung)"
		} else {
			v.PageHeading, v.LinkedHeader = "Soạn văn bản đính chính", "Văn bản được đính chính (sai sót về thể thức)"
		}
		v.Intro = "Văn bản mới đi qua luồng trình duyệt như mọi dự thảo và được cấp số riêng khi phát hành."
	}
}

// draftSubmission is what the draft form sent.
type draftSubmission struct {
	vals      map[string]string
	uploads   []*documents.Upload
	fileNames []string
	fields    apperr.Fields
}

// readDraftForm reads the draft form, multipart (with files) or
// urlencoded (editing). r.PostForm is filled with every text value so the
// unit picker can read its repeated inputs.
func (s *Server) readDraftForm(r *http.Request) (draftSubmission, error) {
	sub := draftSubmission{vals: map[string]string{}, fields: apperr.Fields{}}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		if err := r.ParseForm(); err != nil {
			return sub, apperr.Invalid("Dữ liệu biểu mẫu không hợp lệ.", nil)
		}
		for _, k := range outgoingFormKeys {
			sub.vals[k] = r.PostFormValue(k)
		}
		return sub, nil
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return sub, apperr.Invalid("Dữ liệu biểu mẫu không hợp lệ: hãy gửi lại từ trang soạn thảo.", nil)
	}
	form := url.Values{}
	var fileErrs []string
	for n := 0; ; n++ {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return sub, err
			}
			return sub, apperr.Invalid("Dữ liệu gửi lên bị cắt ngang hoặc không hợp lệ; vui lòng gửi lại.", nil)
		}
		if n >= maxFormParts {
			part.Close()
			return sub, apperr.Invalid("Biểu mẫu có quá nhiều phần.", nil)
		}
		name := part.FormName()
		if name == "files" {
			if part.FileName() == "" {
				part.Close()
				continue
			}
			sub.fileNames = append(sub.fileNames, part.FileName())
			if len(sub.fileNames) > outgoing.MaxVersionFiles {
				fileErrs = appendOnce(fileErrs, fmt.Sprintf("Mỗi phiên bản có tối đa %d tệp.", outgoing.MaxVersionFiles))
				part.Close()
				continue
			}
			u, err := documents.Receive(part, part.FileName(), s.cfg.MaxFileBytes)
			if err != nil {
				part.Close()
				if e, ok := apperr.As(err); ok && e.Kind == apperr.KindInvalid {
					fileErrs = append(fileErrs, e.Message)
					continue
				}
				return sub, err
			}
			sub.uploads = append(sub.uploads, u)
			part.Close()
			continue
		}
		b, err := io.ReadAll(io.LimitReader(part, maxFormFieldBytes+1))
		part.Close()
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return sub, err
			}
			return sub, apperr.Invalid("Dữ liệu gửi lên bị cắt ngang; vui lòng gửi lại.", nil)
		}
		if len(b) > maxFormFieldBytes {
			sub.fields.Add(name, "Nội dung quá dài.")
			b = b[:0]
		}
		form.Add(name, strings.ToValidUTF8(string(b), ""))
	}
	r.PostForm = form
	for _, k := range outgoingFormKeys {
		sub.vals[k] = form.Get(k)
	}
	if len(fileErrs) > 0 {
		sub.fields.Add("files", strings.Join(fileErrs, " "))
	}
	return sub, nil
}

// draftInput turns the form into the service's input; values that cannot
// be read are field messages.
func (s *Server) draftInput(r *http.Request, vals map[string]string, f apperr.Fields) (outgoing.DraftInput, []org.Unit, error) {
	ctx := r.Context()
	in := outgoing.DraftInput{TypeName: vals["type_name"], Subject: vals["subject"], Priority: vals["priority"],
		Confidentiality: identity.Clearance(vals["confidentiality"]), SignerPosition: vals["signer_position"],
		SignerFullName: vals["signer_full_name"]}
	num := func(name string) int64 {
		v := strings.TrimSpace(vals[name])
		if v == "" {
			return 0
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			f.Add(name, "Giá trị không hợp lệ.")
			return 0
		}
		return n
	}
	in.UnitID, in.SignerUserID = num("unit_id"), num("signer_id")
	units, err := s.unitResolvePicker(r, "recipient_units", true, f, vals)
	if err != nil {
		return in, nil, err
	}
	for _, u := range units {
		in.Recipients = append(in.Recipients, outgoing.Recipient{UnitID: u.ID})
	}
	for _, line := range strings.Split(vals["recipient_organs"], "\n") {
		if line = strings.TrimSpace(line); line != "" {
			in.Recipients = append(in.Recipients, outgoing.Recipient{OrganName: line})
		}
	}
	if kind := vals["link_kind"]; kind != "" {
		in.Link = &outgoing.LinkInput{Kind: kind, TargetID: num("link_target"), Reason: vals["link_reason"]}
	}
	// The printed name defaults to the chosen signer's.
	if in.SignerUserID != 0 && strings.TrimSpace(in.SignerFullName) == "" {
		var name string
		if err := s.db.QueryRow(ctx, `SELECT full_name FROM users WHERE id = $1`, in.SignerUserID).Scan(&name); err == nil {
			in.SignerFullName = name
			vals["signer_full_name"] = name
		}
	}
	// Required fields, so one answer lists every problem.
	if strings.TrimSpace(in.TypeName) == "" {
		f.Add("type_name", "Vui lòng chọn loại văn bản.")
	}
	if strings.TrimSpace(in.Subject) == "" {
		f.Add("subject", "Vui lòng nhập trích yếu nội dung.")
	}
	if len(in.Recipients) == 0 && f["recipient_units"] == "" {
		f.Add("recipients", "Vui lòng chọn ít nhất một nơi nhận: đơn vị trên hệ thống hoặc cơ quan ngoài hệ thống.")
	}
	return in, units, nil
}

func (s *Server) outgoingCreate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sub := subjectFrom(ctx)
	form, err := s.readDraftForm(r)
	defer func() { documents.CloseAll(form.uploads) }()
	vals := form.vals
	var units []org.Unit
	show := func(status int, f web.Form) {
		v, err := s.outgoingFormView(ctx, sub, f, units)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if kind := vals["link_kind"]; kind != "" {
			id, _ := strconv.ParseInt(vals["link_target"], 10, 64)
			link := &web.OutgoingLinkForm{Kind: kind, TargetID: id}
			if orig, err := s.outgoing.Detail(ctx, sub, id); err == nil {
				link.Symbol, link.Subject = orig.Symbol, orig.Subject
			}
			s.fillNewForm(&v, link)
		} else {
			s.fillNewForm(&v, nil)
		}
		v.FilesAgain = form.fileNames
		s.render(w, r, status, web.OutgoingFormPage(s.page(r, v.PageHeading, "outgoing"), v))
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			msg := fmt.Sprintf("Dữ liệu gửi lên vượt quá giới hạn %s; dự thảo chưa được lưu.", humanBytes(tooBig.Limit))
			show(http.StatusRequestEntityTooLarge, web.Form{Values: vals, Errors: map[string]string{"files": msg}, Error: msg})
			return
		}
		if e, ok := apperr.As(err); ok && e.Kind == apperr.KindInvalid {
			show(http.StatusUnprocessableEntity, formFromError(err, vals))
			return
		}
		s.serverError(w, r, err)
		return
	}
	in, resolved, err := s.draftInput(r, vals, form.fields)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	units = resolved
	if err := form.fields.Err(); err != nil {
		f := formFromError(err, vals)
		f.Error = "Dự thảo chưa được lưu: vui lòng sửa các ô được đánh dấu."
		show(http.StatusUnprocessableEntity, f)
		return
	}
	if in.UnitID == 0 {
		in.UnitID = sub.ActingUnit
	}
	d, err := s.outgoing.CreateDraft(ctx, sub, s.actor(r), in, form.uploads)
	if err != nil {
		e, ok := apperr.As(err)
		if !ok || (e.Kind != apperr.KindInvalid && e.Kind != apperr.KindConflict && e.Kind != apperr.KindForbidden && e.Kind != apperr.KindUnavailable) {
			s.writeError(w, r, err)
			return
		}
		show(statusOf(e.Kind), formFromError(err, vals))
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/outgoing/%d?done=created", d.ID), http.StatusSeeOther)
}

func (s *Server) outgoingEdit(w http.ResponseWriter, r *http.Request) {
	id, ok := s.outgoingPathID(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	sub := subjectFrom(ctx)
	d, err := s.outgoing.Detail(ctx, sub, id)
	if err != nil {
		s.outgoingNotFound(w, r, id, err)
		return
	}
	if d.Drafter() != sub.UserID {
		s.recordAudit(r, audit.Entry{Action: "outgoing.edit", Outcome: audit.OutcomeDenied, ObjectType: "document", ObjectID: strconv.FormatInt(id, 10)})
		s.writeError(w, r, apperr.Forbidden("Chỉ người soạn thảo được sửa dự thảo."))
		return
	}
	vals := map[string]string{"type_name": d.TypeName, "subject": d.Subject, "priority": d.Priority,
		"confidentiality": string(d.Confidentiality), "signer_position": d.SignerPosition, "signer_full_name": d.SignerFullName}
	if d.SignerUserID != nil {
		vals["signer_id"] = strconv.FormatInt(*d.SignerUserID, 10)
	}
	var organs []string
	var unitIDs []int64
	for _, rc := range d.Recipients {
		if rc.UnitID == 0 {
			organs = append(organs, rc.OrganName)
		} else {
			unitIDs = append(unitIDs, rc.UnitID)
		}
	}
	vals["recipient_organs"] = strings.Join(organs, "\n")
	units, err := s.units.GetMany(ctx, unitIDs)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.showEditForm(w, r, http.StatusOK, d, web.Form{Values: vals, Errors: map[string]string{}}, units)
}

func (s *Server) showEditForm(w http.ResponseWriter, r *http.Request, status int, d outgoing.Detail, f web.Form, units []org.Unit) {
	v, err := s.outgoingFormView(r.Context(), subjectFrom(r.Context()), f, units)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v.Units = nil // the issuing unit stays
	v.Editing, v.SubmitLabel, v.CancelHref = d.ID, "Lưu thay đổi", fmt.Sprintf("/outgoing/%d", d.ID)
	v.PageHeading = "Sửa thông tin dự thảo"
	s.render(w, r, status, web.OutgoingFormPage(s.page(r, v.PageHeading, "outgoing"), v))
}

func (s *Server) outgoingUpdate(w http.ResponseWriter, r *http.Request) {
	id, ok := s.outgoingPathID(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	sub := subjectFrom(ctx)
	d, err := s.outgoing.Detail(ctx, sub, id)
	if err != nil {
		s.outgoingNotFound(w, r, id, err)
		return
	}
	form, err := s.readDraftForm(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	vals := form.vals
	vals["unit_id"], vals["link_kind"] = "", ""
	in, units, err := s.draftInput(r, vals, form.fields)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if err := form.fields.Err(); err != nil {
		f := formFromError(err, vals)
		f.Error = "Chưa lưu: vui lòng sửa các ô được đánh dấu."
		s.showEditForm(w, r, http.StatusUnprocessableEntity, d, f, units)
		return
	}
	if _, err := s.outgoing.UpdateDraft(ctx, sub, s.actor(r), id, in); err != nil {
		e, ok := apperr.As(err)
		if !ok || e.Kind == apperr.KindNotFound || e.Kind == apperr.KindInternal {
			s.writeError(w, r, err)
			return
		}
		s.showEditForm(w, r, statusOf(e.Kind), d, formFromError(err, vals), units)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/outgoing/%d?done=edited", id), http.StatusSeeOther)
}

// ---- The document page ----

func (s *Server) outgoingPathID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil {
		s.writeError(w, r, outgoing.ErrNotOutgoing)
		return 0, false
	}
	return id, true
}

// outgoingNotFound answers a document the subject may not see (or an
// error reading it), auditing the refusal.
func (s *Server) outgoingNotFound(w http.ResponseWriter, r *http.Request, id int64, err error) {
	if errors.Is(err, outgoing.ErrNotOutgoing) {
		s.recordAudit(r, audit.Entry{Action: "document.view", Outcome: audit.OutcomeDenied, ObjectType: "document", ObjectID: strconv.FormatInt(id, 10)})
	}
	s.writeError(w, r, err)
}

// outgoingView builds the page for the signed-in viewer: what they see and
// what they may do.
func (s *Server) outgoingView(ctx context.Context, sub access.Subject, id int64) (web.OutgoingView, error) {
	d, err := s.outgoing.Detail(ctx, sub, id)
	if err != nil {
		return web.OutgoingView{}, err
	}
	v := web.OutgoingView{Doc: d, Isolated: s.cfg.IsolatedSystem, Now: time.Now(), Forms: map[string]web.Form{},
		CommentForm: web.Form{Values: map[string]string{}, Errors: map[string]string{}}}
	rounds, err := s.outgoing.Rounds(ctx, sub, id)
	if err != nil {
		return v, err
	}
	if len(rounds) > 0 {
		v.Round, v.PastRounds = &rounds[0], rounds[1:]
	}
	if v.Versions, err = s.outgoing.Versions(ctx, sub, id); err != nil {
		return v, err
	}
	ds, err := s.signatures.ForDocument(ctx, id)
	if err != nil {
		return v, err
	}
	v.Signatures = web.SignaturePanel{DocumentID: id, Sigs: ds}
	v.Versions, v.IssuedCopies = splitIssuedCopies(v.Versions, ds)
	v.CanExportEDXML = (d.State == outgoing.StateIssued || d.State == outgoing.StateRecalled) &&
		d.Confidentiality == identity.ClearanceNone
	if d.State == outgoing.StateIssued || d.State == outgoing.StateRecalled {
		if v.Tracking, err = s.outgoing.Tracking(ctx, sub, id); err != nil {
			return v, err
		}
	}
	if v.Links, err = s.outgoing.LinksOf(ctx, sub, id); err != nil {
		return v, err
	}
	if v.Events, err = s.docs.Timeline(ctx, id); err != nil {
		return v, err
	}
	if v.Comments, err = s.docs.Comments(ctx, id); err != nil {
		return v, err
	}

	open := v.Round != nil && v.Round.Open()
	var stage *string
	var step, steps *int
	if open {
		stage, step, steps = &v.Round.Stage, v.Round.CurrentStep, &v.Round.Steps
	}
	v.StateLabel = outgoing.DisplayState(d.State, stage, step, steps, d.ReplacedAt != nil)
	drafter := d.Drafter() == sub.UserID
	withDrafter := (d.State == outgoing.StateDraft && !open) || d.State == outgoing.StateReturned
	filesAllowed := d.Confidentiality == identity.ClearanceNone || s.cfg.IsolatedSystem
	v.CanEdit = drafter && withDrafter
	v.CanSubmit = drafter && withDrafter
	if drafter && withDrafter && filesAllowed {
		v.UploadKind = outgoing.VersionDraft
	}
	if open {
		r := v.Round
		v.CanWithdraw = drafter
		switch r.Stage {
		case outgoing.StageReview:
			for _, rv := range r.Reviews {
				if rv.ReviewerID == sub.UserID && rv.Decision == nil && r.CurrentStep != nil && rv.Step == *r.CurrentStep {
					v.CanReview, v.ReviewStep = true, rv.Step
				}
			}
		case outgoing.StageFormat:
			v.CanFormat = sub.HasRole(d.UnitID, identity.RoleClerk)
		case outgoing.StageSigning:
			if r.SignerID == sub.UserID {
				v.CanSign = true
				v.SignedReady = len(v.Versions) == 0 || v.Versions[0].Kind == outgoing.VersionSigned
				if filesAllowed {
					v.UploadKind = outgoing.VersionSigned
				}
			}
		}
	}
	v.CanIssue = d.State == outgoing.StateApproved && sub.HasRole(d.UnitID, identity.RoleClerk)
	if v.CanIssue {
		v.IssueNote = "Số và ngày văn bản được cấp lúc phát hành, theo sổ văn bản đi mặc định của đơn vị; " +
			"văn bản được gửi ngay tới hàng đợi văn bản đến của các nơi nhận trên hệ thống."
		if regs, err := s.registers.InUnits(ctx, []int64{d.UnitID}, registry.KindOutgoing); err == nil {
			for _, rg := range regs {
				if rg.IsDefault {
					v.IssueNote = "Số và ngày văn bản được cấp lúc phát hành, theo " + rg.Name + "; " +
						"văn bản được gửi ngay tới hàng đợi văn bản đến của các nơi nhận trên hệ thống."
				}
			}
		}
	}
	v.CanRecall = d.State == outgoing.StateIssued && sub.HasRole(d.UnitID, identity.RoleClerk, identity.RoleLeader)
	v.CanLink = (d.State == outgoing.StateIssued || d.State == outgoing.StateRecalled) && sub.MemberOf(d.UnitID)

	if v.CanSubmit {
		signers, err := s.outgoing.Signers(ctx, d.UnitID)
		if err != nil {
			return v, err
		}
		for _, p := range signers {
			label := p.Name
			if p.Title != "" {
				label += " — " + p.Title
			}
			v.Signers = append(v.Signers, web.Option{Value: strconv.FormatInt(p.ID, 10), Label: label})
		}
		people, err := s.outgoing.Reviewers(ctx, d.UnitID)
		if err != nil {
			return v, err
		}
		for _, p := range people {
			if p.ID == sub.UserID {
				continue
			}
			label := p.Name
			if p.Title != "" {
				label += " — " + p.Title
			}
			v.Reviewers = append(v.Reviewers, web.Option{Value: strconv.FormatInt(p.ID, 10), Label: label + " (" + p.Units + ")"})
		}
		// Resubmitting starts from the last circuit.
		vals := map[string]string{}
		if d.SignerUserID != nil {
			vals["signer_id"] = strconv.FormatInt(*d.SignerUserID, 10)
		}
		v.StepSlots = 3
		if v.Round != nil {
			groups := map[int][]string{}
			for _, rv := range v.Round.Reviews {
				groups[rv.Step] = append(groups[rv.Step], strconv.FormatInt(rv.ReviewerID, 10))
			}
			for i := 1; i <= v.Round.Steps; i++ {
				vals[fmt.Sprintf("step_%d", i)] = strings.Join(groups[i], ",")
			}
			v.StepSlots = min(max(3, v.Round.Steps+1), outgoing.MaxSteps)
		}
		v.Forms["submit"] = web.Form{Values: vals, Errors: map[string]string{}}
	}
	return v, nil
}

func (s *Server) outgoingPage(w http.ResponseWriter, r *http.Request) {
	id, ok := s.outgoingPathID(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	sub := subjectFrom(ctx)
	v, err := s.outgoingView(ctx, sub, id)
	if err != nil {
		s.outgoingNotFound(w, r, id, err)
		return
	}
	if r.URL.Query().Get("ok") == "signatures" {
		v.Signatures.Flash = &web.Flash{Kind: "ok", Message: "Đã kiểm tra lại chữ ký số của các tệp PDF theo danh sách chứng thư gốc tin cậy hiện hành."}
	}
	if r.URL.Query().Get("done") == "signed" {
		n, _ := strconv.Atoi(r.URL.Query().Get("version"))
		v.ActionFlash = signedUploadFlash(v, n)
	} else if msg := web.OutgoingDoneMessage(r.URL.Query().Get("done")); msg != "" {
		if r.URL.Query().Get("done") == "issued" && v.Doc.Symbol != "" {
			msg = fmt.Sprintf("Đã cấp số %s, ngày %s và phát hành văn bản.", v.Doc.Symbol, web.DatePtr(v.Doc.IssuedDate))
		}
		v.ActionFlash = &web.Flash{Kind: "ok", Message: msg}
	}
	s.recordAudit(r, audit.Entry{Action: "document.view", Outcome: audit.OutcomeSuccess, ObjectType: "document", ObjectID: strconv.FormatInt(id, 10)})
	if err := s.docs.RecordView(ctx, id, sub.UserID); err != nil {
		s.log.WarnContext(ctx, "record document view", "err", err, "document_id", id, "request_id", RequestID(ctx))
	}
	s.render(w, r, http.StatusOK, web.OutgoingPage(s.page(r, outgoingTitle(v.Doc), "outgoing"), v))
}

func outgoingTitle(d outgoing.Detail) string {
	if d.Symbol != "" {
		return "Văn bản đi " + d.Symbol
	}
	return "Dự thảo văn bản đi"
}

// showOutgoingWithForm renders the page again with an action's form and
// messages (a refused action).
func (s *Server) showOutgoingWithForm(w http.ResponseWriter, r *http.Request, id int64, status int, action string, f web.Form, flash *web.Flash) {
	v, err := s.outgoingView(r.Context(), subjectFrom(r.Context()), id)
	if err != nil {
		s.outgoingNotFound(w, r, id, err)
		return
	}
	if action == "comments" {
		v.CommentForm = f
	} else {
		v.Forms[action] = f
	}
	v.ActionFlash = flash
	s.render(w, r, status, web.OutgoingPage(s.page(r, outgoingTitle(v.Doc), "outgoing"), v))
}

// outgoingAct runs an action form and redirects back with ?done=key; a
// refused action shows the page again with the messages by its form.
func (s *Server) outgoingAct(action string, run func(r *http.Request, id int64) (string, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := s.outgoingPathID(w, r)
		if !ok {
			return
		}
		if err := r.ParseForm(); err != nil {
			s.writeError(w, r, apperr.Invalid("Dữ liệu biểu mẫu không hợp lệ.", nil))
			return
		}
		done, err := run(r, id)
		if err != nil {
			vals := map[string]string{}
			for k := range r.PostForm {
				vals[k] = strings.Join(r.PostForm[k], ",")
			}
			s.outgoingActionFailed(w, r, id, action, err, vals)
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/outgoing/%d?done=%s#xu-ly", id, done), http.StatusSeeOther)
	}
}

func (s *Server) outgoingActionFailed(w http.ResponseWriter, r *http.Request, id int64, action string, err error, vals map[string]string) {
	e, ok := apperr.As(err)
	if !ok || e.Kind == apperr.KindInternal {
		s.serverError(w, r, err)
		return
	}
	if e.Kind == apperr.KindForbidden || e.Kind == apperr.KindNotFound {
		s.recordAudit(r, audit.Entry{Action: "outgoing." + action, Outcome: audit.OutcomeDenied, ObjectType: "document",
			ObjectID: strconv.FormatInt(id, 10), Details: map[string]any{"reason": e.Message}})
	}
	if e.Kind == apperr.KindNotFound {
		s.writeError(w, r, err)
		return
	}
	f := formFromError(err, vals)
	// The decision forms call the reason "note".
	if m, ok := f.Errors["reason"]; ok && (action == "review" || action == "format-check") {
		delete(f.Errors, "reason")
		f.Errors["note"] = m
	}
	s.showOutgoingWithForm(w, r, id, statusOf(e.Kind), action, f, &web.Flash{Kind: "error", Message: e.Message})
}

func (s *Server) formSubmitCircuit(r *http.Request, id int64) (string, error) {
	f := apperr.Fields{}
	in := outgoing.SubmitInput{SignerID: formInt(r, "signer_id", "Vui lòng chọn lãnh đạo ký.", f), Note: r.PostFormValue("note")}
	for i := 1; i <= outgoing.MaxSteps; i++ {
		var step []int64
		for _, v := range r.PostForm[fmt.Sprintf("step_%d", i)] {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil || n <= 0 {
				f.Add("steps", "Người cho ý kiến không hợp lệ.")
				continue
			}
			step = append(step, n)
		}
		in.Steps = append(in.Steps, step)
	}
	if err := f.Err(); err != nil {
		return "", err
	}
	_, err := s.outgoing.Submit(r.Context(), subjectFrom(r.Context()), s.actor(r), id, in)
	return "submitted", err
}

// decision reads an approve/return button.
func decision(r *http.Request) (bool, error) {
	return decisionBody{Decision: r.PostFormValue("decision")}.approve()
}

func (s *Server) formReview(r *http.Request, id int64) (string, error) {
	approve, err := decision(r)
	if err != nil {
		return "", err
	}
	if _, err := s.outgoing.Review(r.Context(), subjectFrom(r.Context()), s.actor(r), id, approve, r.PostFormValue("note")); err != nil {
		return "", err
	}
	if approve {
		return "reviewed", nil
	}
	return "returned", nil
}

func (s *Server) formFormatCheck(r *http.Request, id int64) (string, error) {
	approve, err := decision(r)
	if err != nil {
		return "", err
	}
	if _, err := s.outgoing.FormatCheck(r.Context(), subjectFrom(r.Context()), s.actor(r), id, approve, r.PostFormValue("note")); err != nil {
		return "", err
	}
	if approve {
		return "format", nil
	}
	return "returned", nil
}

func (s *Server) formWithdraw(r *http.Request, id int64) (string, error) {
	_, err := s.outgoing.Withdraw(r.Context(), subjectFrom(r.Context()), s.actor(r), id)
	return "withdrawn", err
}

func (s *Server) formApprove(r *http.Request, id int64) (string, error) {
	_, err := s.outgoing.Approve(r.Context(), subjectFrom(r.Context()), s.actor(r), id)
	return "approved", err
}

func (s *Server) formSignReturn(r *http.Request, id int64) (string, error) {
	_, err := s.outgoing.Return(r.Context(), subjectFrom(r.Context()), s.actor(r), id, r.PostFormValue("reason"))
	return "returned", err
}

func (s *Server) formIssue(r *http.Request, id int64) (string, error) {
	_, err := s.outgoing.Issue(r.Context(), subjectFrom(r.Context()), s.actor(r), id)
	return "issued", err
}

func (s *Server) formRecall(r *http.Request, id int64) (string, error) {
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	if reason == "" {
		return "", apperr.Invalid("Vui lòng nhập lý do thu hồi.", map[string]string{"reason": "Vui lòng nhập lý do thu hồi."})
	}
	_, err := s.outgoing.Recall(r.Context(), subjectFrom(r.Context()), s.actor(r), id, reason)
	return "recalled", err
}

func (s *Server) outgoingComment(w http.ResponseWriter, r *http.Request) {
	id, ok := s.outgoingPathID(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	sub := subjectFrom(ctx)
	if _, err := s.outgoing.Get(ctx, sub, id); err != nil {
		s.outgoingNotFound(w, r, id, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.writeError(w, r, apperr.Invalid("Dữ liệu biểu mẫu không hợp lệ.", nil))
		return
	}
	body := r.PostFormValue("body")
	c, err := s.docs.AddComment(ctx, sub, id, body)
	if err != nil {
		e, ok := apperr.As(err)
		if !ok || e.Kind != apperr.KindInvalid {
			s.writeError(w, r, err)
			return
		}
		s.showOutgoingWithForm(w, r, id, http.StatusUnprocessableEntity, "comments", formFromError(err, map[string]string{"body": body}), nil)
		return
	}
	s.recordAudit(r, audit.Entry{Action: "document.comment", Outcome: audit.OutcomeSuccess, ObjectType: "document",
		ObjectID: strconv.FormatInt(id, 10), Details: map[string]any{"comment_id": c.ID}})
	http.Redirect(w, r, fmt.Sprintf("/outgoing/%d?done=comment#comments", id), http.StatusSeeOther)
}

func (s *Server) outgoingVersion(w http.ResponseWriter, r *http.Request) {
	id, ok := s.outgoingPathID(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	sub := subjectFrom(ctx)
	if _, err := s.outgoing.Get(ctx, sub, id); err != nil {
		s.outgoingNotFound(w, r, id, err)
		return
	}
	uploads, note, err := s.readVersionMultipart(r, "files")
	defer documents.CloseAll(uploads)
	var ver outgoing.Version
	if err == nil {
		ver, err = s.outgoing.UploadVersion(ctx, sub, s.actor(r), id, uploads, note)
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			msg := fmt.Sprintf("Dữ liệu gửi lên vượt quá giới hạn %s; phiên bản chưa được lưu.", humanBytes(tooBig.Limit))
			s.showOutgoingWithForm(w, r, id, http.StatusRequestEntityTooLarge, "versions",
				web.Form{Values: map[string]string{"note": note}, Errors: map[string]string{"files": msg}}, &web.Flash{Kind: "error", Message: msg})
			return
		}
		s.outgoingActionFailed(w, r, id, "versions", err, map[string]string{"note": note})
		return
	}
	next := fmt.Sprintf("/outgoing/%d?done=version#xu-ly", id)
	if ver.Kind == outgoing.VersionSigned {
		// The signer learns at once whether the signature verified.
		next = fmt.Sprintf("/outgoing/%d?done=signed&version=%d#xu-ly", id, ver.Number)
	}
	if r.Header.Get("X-Requested-With") == "XMLHttpRequest" {
		w.Header().Set("Location", next)
		w.WriteHeader(http.StatusCreated)
		return
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// outgoingTrackingFragment is the tracking table alone, for outgoing.js.
func (s *Server) outgoingTrackingFragment(w http.ResponseWriter, r *http.Request) {
	id, ok := s.outgoingPathID(w, r)
	if !ok {
		return
	}
	rows, err := s.outgoing.Tracking(r.Context(), subjectFrom(r.Context()), id)
	if err != nil {
		s.outgoingNotFound(w, r, id, err)
		return
	}
	s.render(w, r, http.StatusOK, web.OutgoingTracking(id, rows, time.Now()))
}

// ---- A delivered copy, on the recipient's side ----

// deliveryView describes a document delivered on the platform for its
// page; nil for any other document.
func (s *Server) deliveryView(r *http.Request, d documents.Document) (*web.DeliveryView, error) {
	ctx := r.Context()
	n, ok, err := s.outgoing.CopyNoticeOf(ctx, d.ID)
	if err != nil || !ok {
		return nil, err
	}
	sub := subjectFrom(ctx)
	v := &web.DeliveryView{DocumentID: d.ID, From: d.OrganName, Waiting: d.Status == documents.StatusArrived,
		RecalledAt: n.RecalledAt, ReplacedAt: n.ReplacedAt, ReplacedByID: n.ReplacedByID, ReplacedBy: n.ReplacedBy,
		Corrections: n.Corrections, RejectReason: n.RejectReason,
		Form: web.Form{Values: map[string]string{}, Errors: map[string]string{}}}
	v.CanReceive = v.Waiting && n.RecalledAt == nil && sub.HasRole(d.UnitID, identity.RoleClerk)
	if r.URL.Query().Get("refused") == "1" {
		v.Done = "Đã từ chối tiếp nhận; đơn vị gửi được báo lý do."
	}
	if v.CanReceive {
		regs, err := s.registers.InUnits(ctx, []int64{d.UnitID}, registry.KindIncoming)
		if err != nil {
			return nil, err
		}
		for _, rg := range regs {
			v.Registers = append(v.Registers, web.Option{Value: strconv.FormatInt(rg.ID, 10), Label: rg.Name})
		}
	}
	return v, nil
}

func (s *Server) deliveredReceive(w http.ResponseWriter, r *http.Request) {
	s.deliveredAction(w, r, "receive", func(id int64) (string, error) {
		f := apperr.Fields{}
		reg := formInt(r, "register_id", "Sổ văn bản không hợp lệ.", f)
		if err := f.Err(); err != nil {
			return "", err
		}
		_, err := s.outgoing.RegisterDelivered(r.Context(), subjectFrom(r.Context()), s.actor(r), id, reg)
		return "registered=1", err
	})
}

func (s *Server) deliveredRefuse(w http.ResponseWriter, r *http.Request) {
	s.deliveredAction(w, r, "refuse", func(id int64) (string, error) {
		_, err := s.outgoing.RejectDelivered(r.Context(), subjectFrom(r.Context()), s.actor(r), id, r.PostFormValue("reason"))
		return "refused=1", err
	})
}

func (s *Server) deliveredAction(w http.ResponseWriter, r *http.Request, action string, run func(id int64) (string, error)) {
	id, ok := s.documentID(w, r, "id")
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		s.writeError(w, r, apperr.Invalid("Dữ liệu biểu mẫu không hợp lệ.", nil))
		return
	}
	done, err := run(id)
	if err == nil {
		http.Redirect(w, r, fmt.Sprintf("/documents/%d?%s", id, done), http.StatusSeeOther)
		return
	}
	e, ok := apperr.As(err)
	if !ok || e.Kind == apperr.KindInternal {
		s.serverError(w, r, err)
		return
	}
	if e.Kind == apperr.KindForbidden || e.Kind == apperr.KindNotFound {
		s.recordAudit(r, audit.Entry{Action: "document." + action, Outcome: audit.OutcomeDenied, ObjectType: "document",
			ObjectID: strconv.FormatInt(id, 10), Details: map[string]any{"reason": e.Message}})
	}
	if e.Kind == apperr.KindNotFound {
		s.writeError(w, r, err)
		return
	}
	d, ok := s.loadDocument(w, r, id)
	if !ok {
		return
	}
	v, verr := s.documentView(r, d)
	if verr != nil {
		s.serverError(w, r, verr)
		return
	}
	if v.Delivery != nil {
		v.Delivery.Form = formFromError(err, map[string]string{"reason": r.PostFormValue("reason"), "register_id": r.PostFormValue("register_id")})
	}
	s.render(w, r, statusOf(e.Kind), web.DocumentPage(s.incomingPage(r, documentTitle(d)), v))
}
