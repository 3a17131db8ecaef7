package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"vanthu/internal/config"
	"vanthu/internal/edxml"
	"vanthu/internal/identity"
	"vanthu/internal/testkit"
)

// ogPNG is a one-pixel PNG, an allowed attachment type.
var ogPNG, _ = hex.DecodeString("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5e1e6e90000000049454e44ae426082")

// postXML sends an edXML body and returns status and body.
func (e *ogEnv) postXML(token, path, contentType string, body []byte) (int, []byte) {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.app.URL+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw
}

type xImported struct {
	ID           int64  `json:"id"`
	Action       string `json:"action"`
	UnitID       int64  `json:"unit_id"`
	Status       string `json:"status"`
	DocumentID   string `json:"document_id"`
	BusinessCode int    `json:"business_code"`
	ReplacedID   *int64 `json:"replaced_id"`
	Files        []struct {
		Name   string `json:"name"`
		SHA256 string `json:"sha256"`
	} `json:"files"`
}

// importEnvelope posts an envelope and checks the status; a refusal must
// be a Vietnamese problem document, returned.
func (e *ogEnv) importEnvelope(token, query string, body []byte, status int) (xImported, apiProblem) {
	e.t.Helper()
	got, raw := e.postXML(token, "/api/v1/exchange/edxml"+query, "application/xml", body)
	if got != status {
		e.t.Fatalf("import = %d, want %d: %s", got, status, raw)
	}
	var out xImported
	var p apiProblem
	if status >= 400 {
		if err := json.Unmarshal(raw, &p); err != nil || !isVietnamese(p.Detail) {
			e.t.Fatalf("problem %s", raw)
		}
		return out, p
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		e.t.Fatal(err)
	}
	return out, p
}

// exportEnvelope downloads a document's envelope and parses it.
func (e *ogEnv) exportEnvelope(token, path string) ([]byte, edxml.Message) {
	e.t.Helper()
	resp := e.app.Do(http.MethodGet, path, token, nil)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/xml") {
		e.t.Fatalf("GET %s = %d %s: %s", path, resp.StatusCode, resp.Header.Get("Content-Type"), raw)
	}
	if _, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition")); err != nil || !strings.HasSuffix(params["filename"], ".edxml") {
		e.t.Errorf("Content-Disposition %q", resp.Header.Get("Content-Disposition"))
	}
	m, err := edxml.Parse(bytes.NewReader(raw), edxml.Limits{})
	if err != nil {
		e.t.Fatalf("exported envelope does not parse: %v\n%s", err, raw)
	}
	return raw, m
}

// issue drafts, approves and issues a document of the province unit.
func (e *ogEnv) issue(meta map[string]any) ogDraft {
	e.t.Helper()
	d := e.create(e.drafter, meta, http.StatusCreated)
	p := fmt.Sprintf("/api/v1/outgoing/%d", d.ID)
	e.call(e.leader, "POST", p+"/approve", nil, http.StatusOK, nil)
	var iss ogDraft
	e.call(e.clerk, "POST", p+"/issue", nil, http.StatusOK, &iss)
	return iss
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// sameMessage compares two parsed envelopes field by field, attachments by
// name, type, description and SHA-256.
func sameMessage(t *testing.T, want, got edxml.Message) {
	t.Helper()
	if len(want.Attachments) != len(got.Attachments) {
		t.Fatalf("%d attachments, want %d", len(got.Attachments), len(want.Attachments))
	}
	for i := range want.Attachments {
		w, g := want.Attachments[i], got.Attachments[i]
		if w.Name != g.Name || w.ContentType != g.ContentType || w.Description != g.Description || sum(w.Data) != sum(g.Data) {
			t.Errorf("attachment %d = %q %q %q %s, want %q %q %q %s", i+1, g.Name, g.ContentType, g.Description, sum(g.Data),
				w.Name, w.ContentType, w.Description, sum(w.Data))
		}
	}
	want.Attachments, got.Attachments = nil, nil
	wv, gv := reflect.ValueOf(want), reflect.ValueOf(got)
	for i := range wv.NumField() {
		if !reflect.DeepEqual(wv.Field(i).Interface(), gv.Field(i).Interface()) {
			t.Errorf("%s = %#v, want %#v", wv.Type().Field(i).Name, gv.Field(i).Interface(), wv.Field(i).Interface())
		}
	}
}

type xDocument struct {
	Direction       string  `json:"direction"`
	UnitID          int64   `json:"unit_id"`
	Status          string  `json:"status"`
	TypeName        string  `json:"type_name"`
	CodeNumber      string  `json:"code_number"`
	CodeNotation    string  `json:"code_notation"`
	Symbol          string  `json:"symbol"`
	IssuedDate      *string `json:"issued_date"`
	OrganName       string  `json:"organ_name"`
	OrganUnitID     *int64  `json:"organ_unit_id"`
	Subject         string  `json:"subject"`
	PageAmount      *int    `json:"page_amount"`
	Priority        string  `json:"priority"`
	DueDate         *string `json:"due_date"`
	Receivers       string  `json:"receivers"`
	Notes           string  `json:"notes"`
	Confidentiality string  `json:"confidentiality"`
	Signer          struct {
		Position string `json:"position"`
		FullName string `json:"full_name"`
	} `json:"signer"`
	Files []struct {
		Name   string `json:"name"`
		SHA256 string `json:"sha256"`
	} `json:"files"`
}

// TestExchangeExportImportKeepsEveryField is the done-when test: a
// document issued by unit A, exported as edXML and imported into unit B,
// keeps every metadata field and its files byte for byte.
func TestExchangeExportImportKeepsEveryField(t *testing.T) {
	e := newOgEnv(t)
	iss := e.issue(e.meta())
	path := fmt.Sprintf("/api/v1/documents/%d/edxml", iss.ID)
	raw, sent := e.exportEnvelope(e.clerk, path)

	// What A sends.
	a := fmt.Sprintf("VT.%d", e.unit)
	day := strings.ReplaceAll(iss.IssuedDate, "-", "/")
	if sent.From.OrganID != a || sent.From.OrganName != "Tỉnh ủy Thử nghiệm" || sent.Code.CodeNumber != "1" ||
		sent.Code.CodeNotation != "CV/TU" || sent.PromulgationInfo.PromulgationDate.String() != day ||
		sent.DocumentType.TypeName != "Công văn" || sent.Subject != "V/v báo cáo sơ kết 6 tháng" ||
		sent.SignerInfo.Position != "Bí thư" || sent.SignerInfo.FullName != "Nguyễn Văn A" || sent.OtherInfo.Priority != 1 ||
		sent.DocumentID != a+","+day+",1/CV/TU" || sent.Business.DocType != edxml.BusinessNew ||
		len(sent.TraceHeaders) != 1 || sent.TraceHeaders[0].OrganID != a || sent.OtherInfo.PromulgationAmount != 4 {
		t.Fatalf("exported header = %+v", sent)
	}
	if strings.Join(sent.ToPlaces, "|") != "Huyện ủy A|Huyện ủy B|Bộ Nội vụ" || len(sent.To) != 2 ||
		sent.To[0].OrganID != fmt.Sprintf("VT.%d", e.a) || sent.To[1].OrganID != fmt.Sprintf("VT.%d", e.b) {
		t.Fatalf("recipients: To %+v, ToPlaces %q", sent.To, sent.ToPlaces)
	}
	if len(sent.Attachments) != 1 || sum(sent.Attachments[0].Data) != sum(ogPDF) || sent.Attachments[0].Name != "du-thao.pdf" {
		t.Fatalf("attachments = %+v", sent.Attachments)
	}
	if n := e.app.QueryInt(`SELECT count(*) FROM audit_log WHERE action = 'exchange.export' AND object_id = $1`, fmt.Sprint(iss.ID)); n != 1 {
		t.Errorf("%d export audits", n)
	}

	// B imports it: a new incoming document waiting (01) in B's queue.
	got, _ := e.importEnvelope(e.cB, "", raw, http.StatusCreated)
	if got.Action != "created" || got.Status != "01" || got.UnitID != e.b || got.DocumentID != sent.DocumentID ||
		len(got.Files) != 1 || got.Files[0].SHA256 != sum(ogPDF) {
		t.Fatalf("imported = %+v", got)
	}
	var list struct {
		Items []struct {
			ID     int64  `json:"id"`
			Status string `json:"status"`
		} `json:"items"`
	}
	e.call(e.cB, "GET", "/api/v1/incoming?status=01", nil, http.StatusOK, &list)
	found := false
	for _, it := range list.Items {
		found = found || it.ID == got.ID && it.Status == "01"
	}
	if !found {
		t.Fatalf("imported document not in B's queue: %+v", list.Items)
	}
	var doc xDocument
	e.call(e.cB, "GET", fmt.Sprintf("/api/v1/documents/%d", got.ID), nil, http.StatusOK, &doc)
	if doc.Direction != "incoming" || doc.UnitID != e.b || doc.Status != "01" || doc.TypeName != "Công văn" ||
		doc.CodeNumber != "1" || doc.CodeNotation != "CV/TU" || doc.Symbol != "1-CV/TU" || doc.IssuedDate == nil ||
		!strings.HasPrefix(*doc.IssuedDate, iss.IssuedDate) || doc.OrganName != "Tỉnh ủy Thử nghiệm" ||
		doc.OrganUnitID == nil || *doc.OrganUnitID != e.unit || doc.Subject != "V/v báo cáo sơ kết 6 tháng" ||
		doc.Priority != "khan" || doc.Receivers != "Huyện ủy A; Huyện ủy B; Bộ Nội vụ" || doc.Confidentiality != "none" ||
		doc.Signer.Position != "Bí thư" || doc.Signer.FullName != "Nguyễn Văn A" ||
		len(doc.Files) != 1 || doc.Files[0].SHA256 != sum(ogPDF) || doc.Files[0].Name != "du-thao.pdf" {
		t.Fatalf("imported document = %+v", doc)
	}

	// Every field survives: B's copy exported again is what A sent.
	_, kept := e.exportEnvelope(e.cB, fmt.Sprintf("/api/v1/documents/%d/edxml", got.ID))
	sameMessage(t, sent, kept)

	// The same envelope again is a conflict, said clearly; nothing new.
	before := e.app.QueryInt(`SELECT count(*) FROM documents`)
	_, p := e.importEnvelope(e.cB, "", raw, http.StatusConflict)
	if !strings.Contains(p.Detail, "đã được nhận") || !strings.Contains(p.Detail, sent.DocumentID) {
		t.Errorf("duplicate: %q", p.Detail)
	}
	if after := e.app.QueryInt(`SELECT count(*) FROM documents`); after != before {
		t.Errorf("duplicate import wrote %d documents", after-before)
	}
	// Another unit may receive the same envelope once too.
	e.importEnvelope(e.cA, "", raw, http.StatusCreated)

	// Who may export: a stranger cannot see A's document; a draft is not exportable.
	stranger := e.app.Token(e.app.User("ngoai2", e.a, identity.RoleHandler, identity.ClearanceNone))
	e.call(stranger, "GET", path, nil, http.StatusNotFound, nil)
	d := e.create(e.drafter, e.meta(), http.StatusCreated)
	e.call(e.drafter, "GET", fmt.Sprintf("/api/v1/documents/%d/edxml", d.ID), nil, http.StatusConflict, nil)

	// The page route downloads the same envelope for a signed-in user.
	c := e.app.Login("vanthu", "")
	resp := c.Get(fmt.Sprintf("/documents/%d/edxml", iss.ID))
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("page download = %d", resp.StatusCode)
	}
	if m, err := edxml.Parse(bytes.NewReader(page), edxml.Limits{}); err != nil || m.DocumentID != sent.DocumentID {
		t.Fatalf("page download: %v", err)
	}
}

// richMessage fills every field of an envelope addressed to organ.
func richMessage(organ string) edxml.Message {
	return edxml.Message{
		From: edxml.Organization{OrganID: "000.00.00.G12", OrganizationInCharge: "Tỉnh ủy Bắc Ninh", OrganName: "Văn phòng Tỉnh ủy Bắc Ninh",
			OrganAdd: "Số 11 Lý Thái Tổ, Bắc Ninh", Email: "vp@tinhuy.vn", Telephone: "0222 3822 505", Fax: "0222 3822 506", Website: "https://bacninh.dcs.vn"},
		To: []edxml.Organization{{OrganID: organ, OrganName: "Huyện ủy B", Email: "hub@dcs.vn"},
			{OrganID: "000.02.12.G12", OrganName: "Thành ủy Từ Sơn"}},
		Code:             edxml.Code{CodeNumber: "96", CodeNotation: "CV/VPTU"},
		PromulgationInfo: edxml.PromulgationInfo{Place: "Bắc Ninh", PromulgationDate: edxml.Date{Year: 2026, Month: time.March, Day: 5}},
		DocumentType:     edxml.DocumentType{Type: 24, TypeName: "Công văn"},
		Subject:          "V/v báo cáo sơ kết công tác xây dựng Đảng quý I năm 2026 <khẩn> & \"đúng hạn\"",
		Content:          "Đề nghị các huyện ủy gửi báo cáo\ntrước ngày 20/3/2026.",
		SignerInfo:       edxml.SignerInfo{Competence: "K/T", Position: "Phó Chánh Văn phòng", FullName: "Nguyễn Văn Đức"},
		DueDate:          edxml.Date{Year: 2026, Month: time.March, Day: 20},
		ToPlaces:         []string{"Như trên", "Lưu Văn phòng Tỉnh ủy"},
		OtherInfo: edxml.OtherInfo{Priority: 2, SphereOfPromulgation: "Liên thông văn bản", TyperNotation: "NTH",
			PromulgationAmount: 5, PageAmount: 2, Appendixes: []string{"Phụ lục I", "Phụ lục II"}},
		SteeringType: 1,
		DocumentID:   "000.00.00.G12,2026/03/05,96/CV/VPTU",
		ResponseFor: []edxml.ResponseFor{{OrganID: "000.00.00.G01", Code: "57/NQ/TW",
			PromulgationDate: edxml.Date{Year: 2026, Month: time.January, Day: 15}, DocumentID: "000.00.00.G01,2026/01/15,57/NQ/TW"}},
		TraceHeaders: []edxml.TraceHeader{
			{OrganID: "000.00.00.G12", Timestamp: time.Date(2026, 3, 5, 9, 15, 30, 0, edxml.Zone)},
			{OrganID: "000.00.00.G01", Timestamp: time.Date(2026, 3, 5, 9, 16, 0, 0, edxml.Zone)},
		},
		Business: edxml.Business{DocType: edxml.BusinessNew, DocReason: "Văn bản mới", Paper: 1,
			StaffInfo: edxml.StaffInfo{Department: "Phòng Hành chính - Lưu trữ", Staff: "Trần Thị Hoa", Mobile: "0912345678", Email: "hoatt@tinhuy.vn"}},
		Signature: `<SignedInfo><Reference URI=""><DigestValue>YWJj</DigestValue></Reference></SignedInfo><SignatureValue>c2ln</SignatureValue>`,
		Attachments: []edxml.Attachment{
			{Name: "96-CV-VPTU.pdf", ContentType: "application/pdf", Description: "Công văn", Data: ogPDF},
			{Name: "sơ đồ.png", ContentType: "image/png", Description: "Phụ lục sơ đồ", Data: ogPNG},
		},
	}
}

func build(t *testing.T, m edxml.Message) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := edxml.Build(&buf, m); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// An envelope from outside with every field set comes back out the same.
func TestExchangeImportFullEnvelope(t *testing.T) {
	e := newOgEnv(t)
	admin := e.app.Token(e.app.User("quantri", e.unit, identity.RoleAdmin, identity.ClearanceNone))
	var organ struct {
		OrganID  string `json:"organ_id"`
		Declared bool   `json:"declared"`
	}
	e.call(e.cB, "POST", fmt.Sprintf("/api/v1/exchange/organs/%d", e.b), map[string]string{"organ_id": "000.01.12.G12"}, http.StatusForbidden, nil)
	e.call(admin, "POST", fmt.Sprintf("/api/v1/exchange/organs/%d", e.b), map[string]string{"organ_id": "000 01"}, http.StatusUnprocessableEntity, nil)
	e.call(admin, "POST", fmt.Sprintf("/api/v1/exchange/organs/%d", e.b), map[string]string{"organ_id": "000.01.12.G12"}, http.StatusOK, &organ)
	if organ.OrganID != "000.01.12.G12" || !organ.Declared {
		t.Fatalf("organ = %+v", organ)
	}
	e.call(admin, "POST", fmt.Sprintf("/api/v1/exchange/organs/%d", e.a), map[string]string{"organ_id": "000.01.12.G12"}, http.StatusConflict, nil)
	e.call(e.cB, "GET", fmt.Sprintf("/api/v1/exchange/organs/%d", e.b), nil, http.StatusOK, &organ)

	m := richMessage("000.01.12.G12")
	got, _ := e.importEnvelope(e.cB, fmt.Sprintf("?unit_id=%d", e.b), build(t, m), http.StatusCreated)
	var doc xDocument
	e.call(e.cB, "GET", fmt.Sprintf("/api/v1/documents/%d", got.ID), nil, http.StatusOK, &doc)
	if doc.Symbol != "96-CV/VPTU" || doc.OrganName != "Văn phòng Tỉnh ủy Bắc Ninh" || doc.OrganUnitID != nil ||
		doc.Priority != "thuong_khan" || doc.DueDate == nil || !strings.HasPrefix(*doc.DueDate, "2026-03-20") ||
		doc.PageAmount == nil || *doc.PageAmount != 2 || doc.Receivers != "Như trên; Lưu Văn phòng Tỉnh ủy" ||
		doc.Signer.FullName != "Nguyễn Văn Đức" || len(doc.Files) != 2 || doc.Files[1].SHA256 != sum(ogPNG) {
		t.Fatalf("document = %+v", doc)
	}
	_, back := e.exportEnvelope(e.cB, fmt.Sprintf("/api/v1/documents/%d/edxml", got.ID))
	sameMessage(t, m, back)
	if n := e.app.QueryInt(`SELECT count(*) FROM organisations WHERE name = 'Văn phòng Tỉnh ủy Bắc Ninh'`); n != 1 {
		t.Errorf("issuer not remembered for autocompletion")
	}

	// B declared its identifier: what is addressed to others is refused.
	other := richMessage("000.09.09.G99")
	other.DocumentID, other.Code.CodeNumber = "000.00.00.G12,2026/03/05,97/CV/VPTU", "97"
	_, p := e.importEnvelope(e.cB, "", build(t, other), http.StatusUnprocessableEntity)
	if !strings.Contains(p.Detail, "không gửi đến đơn vị này") || p.Errors["MessageHeader/To"] == "" {
		t.Errorf("wrongly addressed: %+v", p)
	}
}

func TestExchangeImportRefusesMalformed(t *testing.T) {
	e := newOgEnv(t)
	good := richMessage("x")
	good.To = []edxml.Organization{{OrganID: "x", OrganName: "Huyện ủy B"}}
	valid := string(build(t, good))
	replace := func(old, new string) []byte {
		if !strings.Contains(valid, old) {
			t.Fatalf("fixture lacks %q", old)
		}
		return []byte(strings.Replace(valid, old, new, 1))
	}
	txt := good
	txt.Attachments = []edxml.Attachment{{Name: "ghi-chu.txt", ContentType: "text/plain", Data: []byte("chỉ là văn bản thuần\n")}}
	badDate := good
	badDate.DueDate = edxml.Date{Year: 2026, Month: time.March, Day: 1}
	lower := good
	lower.Code.CodeNotation = "cv/vptu"
	lower.DocumentID = "000.00.00.G12,2026/03/05,96/cv/vptu"

	docs, files := e.app.QueryInt(`SELECT count(*) FROM documents`), e.app.QueryInt(`SELECT count(*) FROM files`)
	for _, c := range []struct {
		name, want, field string
		body              []byte
	}{
		{"not XML", "không đúng cú pháp XML", "", []byte("đây không phải XML")},
		{"truncated", "không đúng cú pháp XML", "", []byte(valid[:len(valid)/2])},
		{"wrong root", "Không phải tệp edXML", "", []byte(`<?xml version="1.0"?><html><body/></html>`)},
		{"entity", "DOCTYPE", "", []byte(`<?xml version="1.0"?><!DOCTYPE edXML [<!ENTITY x "y">]><edXML/>`)},
		{"no subject", "Thiếu Subject", "MessageHeader/Subject", replace("<edXML:Subject>"+xmlEscape(good.Subject)+"</edXML:Subject>", "<edXML:Subject></edXML:Subject>")},
		{"bad DocumentId", "DocumentId phải có dạng", "MessageHeader/DocumentId", replace(good.DocumentID, "96/CV/VPTU")},
		{"DocumentId of another document", "khác số, ký hiệu", "MessageHeader/DocumentId", replace(good.DocumentID, "000.00.00.G12,2026/03/05,95/CV/VPTU")},
		{"bad date", "Ngày ban hành không hợp lệ", "MessageHeader/PromulgationInfo/PromulgationDate", replace("<edXML:PromulgationDate>2026/03/05<", "<edXML:PromulgationDate>2026/02/30<")},
		{"bad priority", "Priority", "MessageHeader/OtherInfo/Priority", replace("<edXML:Priority>2<", "<edXML:Priority>9<")},
		{"bad business code", "BussinessDocType", "TraceHeaderList/Bussiness/BussinessDocType", replace("<edXML:BussinessDocType>0<", "<edXML:BussinessDocType>7<")},
		{"broken base64", "base64", "", replace("<ContentTransferEncoded>", "<ContentTransferEncoded>@@@")},
		{"text attachment", "không được chấp nhận", "AttachmentEncoded/Attachment[1]", build(t, txt)},
		{"due before issue", "DueDate", "MessageHeader/DueDate", build(t, badDate)},
		{"lower-case symbol", "viết hoa", "MessageHeader/Code", build(t, lower)},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, p := e.importEnvelope(e.cB, "", c.body, http.StatusUnprocessableEntity)
			if !strings.Contains(p.Detail, c.want) {
				t.Errorf("detail %q lacks %q", p.Detail, c.want)
			}
			if c.field != "" && p.Errors[c.field] == "" {
				t.Errorf("errors %v lack %s", p.Errors, c.field)
			}
		})
	}
	if d, f := e.app.QueryInt(`SELECT count(*) FROM documents`), e.app.QueryInt(`SELECT count(*) FROM files`); d != docs || f != files {
		t.Fatalf("refused imports wrote %d documents, %d files", d-docs, f-files)
	}

	// Not an envelope at all, not a clerk, a unit the caller does not clerk for.
	if status, raw := e.postXML(e.cB, "/api/v1/exchange/edxml", "application/json", []byte(valid)); status != http.StatusUnprocessableEntity ||
		!strings.Contains(string(raw), "application/xml") {
		t.Errorf("JSON content type: %d %s", status, raw)
	}
	e.importEnvelope(e.outsider, "", []byte(valid), http.StatusForbidden)
	e.importEnvelope(e.cA, fmt.Sprintf("?unit_id=%d", e.b), []byte(valid), http.StatusForbidden)
	e.importEnvelope(e.cA, "?unit_id=abc", []byte(valid), http.StatusUnprocessableEntity)
}

func xmlEscape(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// An attachment over the file limit is refused by name; an envelope over
// the upload limit is answered 413.
func TestExchangeImportSizeLimits(t *testing.T) {
	app := testkit.Start(t, func(c *config.Config) { c.MaxUploadBytes, c.MaxFileBytes = 256<<10, 64<<10 })
	unit := app.Unit("Huyện ủy B", "district", 0)
	e := &ogEnv{t: t, app: app, b: unit, cB: app.Token(app.User("vanthub", unit, identity.RoleClerk, identity.ClearanceNone))}
	pdf := func(n int) []byte { return append(bytes.Clone(ogPDF), bytes.Repeat([]byte("%"), n)...) }
	m := richMessage("x")
	m.Attachments = []edxml.Attachment{{Name: "lon.pdf", ContentType: "application/pdf", Data: pdf(100 << 10)}}
	_, p := e.importEnvelope(e.cB, "", build(t, m), http.StatusUnprocessableEntity)
	if !strings.Contains(p.Detail, "vượt quá dung lượng") {
		t.Errorf("oversized attachment: %q", p.Detail)
	}
	m.Attachments = nil
	for i := range 6 {
		m.Attachments = append(m.Attachments, edxml.Attachment{Name: fmt.Sprintf("%d.pdf", i), ContentType: "application/pdf", Data: pdf(60 << 10)})
	}
	status, raw := e.postXML(e.cB, "/api/v1/exchange/edxml", "application/xml", build(t, m))
	if status != http.StatusRequestEntityTooLarge || !isVietnamese(string(raw)) {
		t.Fatalf("oversized envelope = %d: %.300s", status, raw)
	}
	if n := app.QueryInt(`SELECT count(*) FROM documents`); n != 0 {
		t.Errorf("%d documents written", n)
	}
}

// bucketObjects counts the objects in the app's bucket.
func bucketObjects(t *testing.T, e *ogEnv) int {
	t.Helper()
	cfg := e.app.Config
	c, err := minio.New(cfg.S3Endpoint, &minio.Options{Creds: credentials.NewStaticV4(cfg.S3AccessKey, cfg.S3SecretKey, ""),
		Region: cfg.S3Region, Secure: cfg.S3UseTLS})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for obj := range c.ListObjects(context.Background(), cfg.S3Bucket, minio.ListObjectsOptions{Recursive: true}) {
		if obj.Err != nil {
			t.Fatal(obj.Err)
		}
		n++
	}
	return n
}

// A failure after the files are stored leaves nothing: no rows, no objects.
func TestExchangeImportLeavesNothingHalfWritten(t *testing.T) {
	e := newOgEnv(t)
	e.app.Exec(`CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'refused by test'; END $$`)
	e.app.Exec(`CREATE TRIGGER test_refuse BEFORE INSERT ON exchange_documents FOR EACH ROW EXECUTE FUNCTION test_refuse()`)
	objects, docs := bucketObjects(t, e), e.app.QueryInt(`SELECT count(*) FROM documents`)
	m := richMessage("x")
	status, raw := e.postXML(e.cB, "/api/v1/exchange/edxml", "application/xml", build(t, m))
	if status != http.StatusInternalServerError {
		t.Fatalf("import = %d: %s", status, raw)
	}
	if got := bucketObjects(t, e); got != objects {
		t.Errorf("%d objects left in the store", got-objects)
	}
	if got := e.app.QueryInt(`SELECT count(*) FROM documents`); got != docs {
		t.Errorf("%d documents left", got-docs)
	}
}

// Business codes: recall freezes the copy, update changes it and adds a
// version, replace brings a new document and freezes the old one.
func TestExchangeBusinessCodes(t *testing.T) {
	e := newOgEnv(t)
	m := richMessage("x")
	m.Attachments = m.Attachments[:1]
	first, _ := e.importEnvelope(e.cB, "", build(t, m), http.StatusCreated)

	// Update (2): new subject and due date, one more file.
	up := m
	up.Business = edxml.Business{DocType: edxml.BusinessUpdate, DocReason: "Sửa hạn báo cáo"}
	up.Subject = "V/v báo cáo sơ kết quý I (sửa đổi hạn nộp)"
	up.DueDate = edxml.Date{Year: 2026, Month: time.March, Day: 25}
	up.Attachments = []edxml.Attachment{{Name: "phu-luc.png", ContentType: "image/png", Data: ogPNG}}
	got, _ := e.importEnvelope(e.cB, "", build(t, up), http.StatusOK)
	if got.Action != "updated" || got.ID != first.ID || len(got.Files) != 1 {
		t.Fatalf("update = %+v", got)
	}
	var doc xDocument
	e.call(e.cB, "GET", fmt.Sprintf("/api/v1/documents/%d", first.ID), nil, http.StatusOK, &doc)
	if doc.Subject != up.Subject || doc.DueDate == nil || !strings.HasPrefix(*doc.DueDate, "2026-03-25") || len(doc.Files) != 2 {
		t.Fatalf("updated document = %+v", doc)
	}
	if n := e.app.QueryInt(`SELECT max(version) FROM document_files WHERE document_id = $1`, first.ID); n != 2 {
		t.Errorf("update files are version %d", n)
	}
	if n := e.app.QueryInt(`SELECT count(*) FROM document_events WHERE document_id = $1 AND kind = 'exchange_updated'
		AND details->'changed' ? 'subject' AND details->'changed' ? 'due_date'`, first.ID); n != 1 {
		t.Errorf("update not on the timeline")
	}
	_, back := e.exportEnvelope(e.cB, fmt.Sprintf("/api/v1/documents/%d/edxml", first.ID))
	if back.Subject != up.Subject || len(back.Attachments) != 2 || back.Business.DocType != edxml.BusinessUpdate {
		t.Errorf("re-export after update: %q, %d attachments", back.Subject, len(back.Attachments))
	}
	stray := m
	stray.Business.DocType = edxml.BusinessUpdate
	stray.DocumentID, stray.Code.CodeNumber = "000.00.00.G12,2026/03/05,1234/CV/VPTU", "1234"
	_, p := e.importEnvelope(e.cB, "", build(t, stray), http.StatusUnprocessableEntity)
	if !strings.Contains(p.Detail, "để cập nhật") {
		t.Errorf("update of nothing: %q", p.Detail)
	}

	// Recall (1): frozen, cannot be registered; a second recall conflicts.
	rc := m
	rc.Business = edxml.Business{DocType: edxml.BusinessRecall, DocReason: "Ban hành nhầm"}
	rc.Attachments = nil
	got, _ = e.importEnvelope(e.cB, "", build(t, rc), http.StatusOK)
	if got.Action != "recalled" || got.ID != first.ID {
		t.Fatalf("recall = %+v", got)
	}
	e.call(e.cB, "POST", fmt.Sprintf("/api/v1/incoming/%d/register", first.ID), nil, http.StatusConflict, nil)
	e.importEnvelope(e.cB, "", build(t, rc), http.StatusConflict)
	e.importEnvelope(e.cB, "", build(t, up), http.StatusConflict)

	// Replace (3): a new document naming the old one in ResponseFor.
	m2 := richMessage("x")
	m2.Code.CodeNumber, m2.DocumentID = "100", "000.00.00.G12,2026/03/05,100/CV/VPTU"
	m2.Attachments = m2.Attachments[:1]
	old, _ := e.importEnvelope(e.cB, "", build(t, m2), http.StatusCreated)
	m3 := m2
	m3.Code.CodeNumber, m3.DocumentID = "101", "000.00.00.G12,2026/03/05,101/CV/VPTU"
	m3.Business = edxml.Business{DocType: edxml.BusinessReplace, DocReason: "Sai số liệu"}
	m3.ResponseFor = []edxml.ResponseFor{{OrganID: "000.00.00.G12", DocumentID: m2.DocumentID}}
	got, _ = e.importEnvelope(e.cB, "", build(t, m3), http.StatusCreated)
	if got.Action != "replaced" || got.ReplacedID == nil || *got.ReplacedID != old.ID || got.Status != "01" {
		t.Fatalf("replace = %+v", got)
	}
	e.call(e.cB, "GET", fmt.Sprintf("/api/v1/documents/%d", got.ID), nil, http.StatusOK, &doc)
	if !strings.Contains(doc.Notes, "100-CV/VPTU") || !strings.Contains(doc.Notes, "Sai số liệu") {
		t.Errorf("replacing document notes %q", doc.Notes)
	}
	e.call(e.cB, "POST", fmt.Sprintf("/api/v1/incoming/%d/register", old.ID), nil, http.StatusConflict, nil)
	e.call(e.cB, "POST", fmt.Sprintf("/api/v1/incoming/%d/register", got.ID), nil, http.StatusOK, nil)
}

type xStatusMessage struct {
	ID          int64  `json:"id"`
	DocumentID  int64  `json:"document_id"`
	Status      string `json:"status"`
	Description string `json:"description"`
	ToOrganID   string `json:"to_organ_id"`
	EDXML       string `json:"edxml"`
}

// Each status change of an imported document owes its outside sender a
// status message, whichever flow makes the change.
func TestExchangeStatusMessagesOut(t *testing.T) {
	e := newOgEnv(t)
	m := richMessage("x")
	m.Attachments = m.Attachments[:1]
	doc, _ := e.importEnvelope(e.cB, "", build(t, m), http.StatusCreated)
	leaderB := e.app.User("lanhdaob", e.b, identity.RoleLeader, identity.ClearanceNone)
	handlerB := e.app.User("chuyenvienb", e.b, identity.RoleHandler, identity.ClearanceNone)
	lb, hb := e.app.Token(leaderB), e.app.Token(handlerB)

	d := fmt.Sprintf("/api/v1/documents/%d", doc.ID)
	e.call(e.cB, "GET", d+"/edxml/status", nil, http.StatusNotFound, nil)
	e.call(e.cB, "POST", fmt.Sprintf("/api/v1/incoming/%d/register", doc.ID), nil, http.StatusOK, nil)
	e.call(e.cB, "POST", d+"/present", map[string]any{"leader_id": leaderB.ID}, http.StatusOK, nil)
	var dir struct {
		Assignments []struct {
			ID int64 `json:"id"`
		} `json:"assignments"`
	}
	e.call(lb, "POST", d+"/directions", map[string]any{"body": "Giao chuyên viên chuẩn bị báo cáo", "lead": map[string]any{"user_id": handlerB.ID}}, http.StatusCreated, &dir)
	e.call(hb, "POST", fmt.Sprintf("/api/v1/assignments/%d/accept", dir.Assignments[0].ID), nil, http.StatusOK, nil)
	e.call(hb, "POST", fmt.Sprintf("/api/v1/assignments/%d/complete", dir.Assignments[0].ID), map[string]any{"result": "Đã gửi báo cáo"}, http.StatusOK, nil)

	var list struct {
		Items      []xStatusMessage `json:"items"`
		NextCursor string           `json:"next_cursor"`
	}
	e.call(e.cB, "GET", "/api/v1/exchange/messages", nil, http.StatusOK, &list)
	var codes []string
	for _, it := range list.Items {
		codes = append(codes, it.Status)
	}
	if strings.Join(codes, ",") != "03,04,05,06" {
		t.Fatalf("status messages %v", codes)
	}
	staff := map[string]string{"03": "Người dùng vanthub", "04": "Người dùng lanhdaob", "05": "Người dùng chuyenvienb", "06": "Người dùng chuyenvienb"}
	for _, it := range list.Items {
		st, err := edxml.ParseStatus(strings.NewReader(it.EDXML))
		if err != nil {
			t.Fatalf("message %d: %v\n%s", it.ID, err, it.EDXML)
		}
		if st.ResponseFor.DocumentID != m.DocumentID || st.ResponseFor.OrganID != "000.00.00.G12" || st.ResponseFor.Code != "96/CV/VPTU" ||
			st.From.OrganID != fmt.Sprintf("VT.%d", e.b) || st.From.OrganName != "Huyện ủy B" || fmt.Sprintf("%02d", st.StatusCode) != it.Status ||
			it.ToOrganID != "000.00.00.G12" || st.StaffInfo.Staff != staff[it.Status] || st.Description != it.Description {
			t.Errorf("message %s = %+v", it.Status, st)
		}
	}
	if !strings.Contains(list.Items[0].Description, "vào sổ văn bản đến số 1") {
		t.Errorf("03 description %q", list.Items[0].Description)
	}
	// Paging by since; another unit's clerk sees none of them.
	e.call(e.cB, "GET", fmt.Sprintf("/api/v1/exchange/messages?since=%d&limit=2", list.Items[0].ID), nil, http.StatusOK, &list)
	if len(list.Items) != 2 || list.Items[0].Status != "04" || list.NextCursor != fmt.Sprint(list.Items[1].ID) {
		t.Errorf("page after since: %+v", list)
	}
	e.call(e.cA, "GET", "/api/v1/exchange/messages", nil, http.StatusOK, &list)
	if len(list.Items) != 0 {
		t.Errorf("another unit sees %d messages", len(list.Items))
	}
	e.call(e.cB, "GET", "/api/v1/exchange/messages?since=-1", nil, http.StatusUnprocessableEntity, nil)

	resp := e.app.Do(http.MethodGet, d+"/edxml/status", e.cB, nil)
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if st, err := edxml.ParseStatus(bytes.NewReader(raw)); err != nil || st.StatusCode != 6 {
		t.Fatalf("latest status: %v %+v", err, st)
	}
	e.call(e.cA, "GET", d+"/edxml/status", nil, http.StatusNotFound, nil)

	// A refusal tells the sender why.
	m2 := richMessage("x")
	m2.Attachments = nil
	m2.Code.CodeNumber, m2.DocumentID = "200", "000.00.00.G12,2026/03/05,200/CV/VPTU"
	doc2, _ := e.importEnvelope(e.cB, "", build(t, m2), http.StatusCreated)
	e.call(e.cB, "POST", fmt.Sprintf("/api/v1/incoming/%d/reject", doc2.ID), map[string]string{"reason": "Gửi nhầm đơn vị"}, http.StatusOK, nil)
	resp = e.app.Do(http.MethodGet, fmt.Sprintf("/api/v1/documents/%d/edxml/status", doc2.ID), e.cB, nil)
	raw, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if st, err := edxml.ParseStatus(bytes.NewReader(raw)); err != nil || st.StatusCode != 2 || !strings.Contains(st.Description, "Gửi nhầm đơn vị") {
		t.Fatalf("rejection status: %v %+v", err, st)
	}
	// Documents delivered on the platform owe no edXML message.
	if n := e.app.QueryInt(`SELECT count(*) FROM exchange_messages m JOIN documents d ON d.id = m.document_id
		WHERE m.direction = 'out' AND d.source_document_id IS NOT NULL`); n != 0 {
		t.Errorf("%d messages for platform copies", n)
	}
}

type xRecipient struct {
	UnitID       *int64  `json:"unit_id"`
	OrganName    string  `json:"organ_name"`
	Status       *string `json:"status"`
	RejectReason string  `json:"reject_reason"`
	DeliveredAt  *string `json:"delivered_at"`
}

// A status message from an outside recipient shows in the sender's tracking.
func TestExchangeStatusIn(t *testing.T) {
	e := newOgEnv(t)
	iss := e.issue(e.meta())
	_, sent := e.exportEnvelope(e.clerk, fmt.Sprintf("/api/v1/documents/%d/edxml", iss.ID))
	status := func(code int, at time.Time, desc, organID, organName string) []byte {
		var buf bytes.Buffer
		err := edxml.BuildStatus(&buf, edxml.Status{
			ResponseFor: edxml.ResponseFor{OrganID: sent.From.OrganID, Code: "1/CV/TU", DocumentID: sent.DocumentID},
			From:        edxml.Organization{OrganID: organID, OrganName: organName},
			StatusCode:  code, Description: desc, Timestamp: at,
			StaffInfo: edxml.StaffInfo{Staff: "Lê Văn Cường"},
		})
		if err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	t0 := time.Now().Truncate(time.Second)
	post := func(tok string, body []byte, want int) map[string]any {
		t.Helper()
		got, raw := e.postXML(tok, "/api/v1/exchange/status", "application/xml", body)
		if got != want {
			t.Fatalf("status message = %d, want %d: %s", got, want, raw)
		}
		var out map[string]any
		_ = json.Unmarshal(raw, &out)
		if want >= 400 && !isVietnamese(fmt.Sprint(out["detail"])) {
			t.Fatalf("problem %s", raw)
		}
		return out
	}
	recipients := func() []xRecipient {
		var rs struct{ Items []xRecipient }
		e.call(e.drafter, "GET", fmt.Sprintf("/api/v1/outgoing/%d/recipients", iss.ID), nil, http.StatusOK, &rs)
		return rs.Items
	}

	out := post(e.clerk, status(3, t0, "Đã tiếp nhận", "000.00.00.G09", "Bộ  Nội vụ"), http.StatusOK)
	if out["applied"] != true || out["status"] != "03" {
		t.Fatalf("recorded = %v", out)
	}
	rs := recipients()
	if rs[2].OrganName != "Bộ Nội vụ" || rs[2].Status == nil || *rs[2].Status != "03" || rs[2].DeliveredAt == nil {
		t.Fatalf("tracking = %+v", rs[2])
	}
	// Late older news does not go back; newer news does.
	out = post(e.clerk, status(1, t0.Add(-time.Hour), "", "000.00.00.G09", "Bộ Nội vụ"), http.StatusOK)
	if out["applied"] != false || *recipients()[2].Status != "03" {
		t.Fatalf("older message applied: %v", out)
	}
	post(e.clerk, status(2, t0.Add(time.Minute), "Không thuộc thẩm quyền", "000.00.00.G09", "Tên khác"), http.StatusOK)
	if r := recipients()[2]; *r.Status != "02" || r.RejectReason != "Không thuộc thẩm quyền" {
		t.Fatalf("after refusal = %+v", r)
	}
	// The identifier was learnt: the next export addresses the organ too.
	_, again := e.exportEnvelope(e.clerk, fmt.Sprintf("/api/v1/documents/%d/edxml", iss.ID))
	if len(again.To) != 3 || again.To[2].OrganID != "000.00.00.G09" {
		t.Errorf("To after learning = %+v", again.To)
	}
	if n := e.app.QueryInt(`SELECT count(*) FROM exchange_messages WHERE direction = 'in' AND kind = 'status' AND document_id = $1`, iss.ID); n != 3 {
		t.Errorf("%d incoming status messages logged", n)
	}

	// Refusals: an organ that is not a recipient, a platform unit, a
	// document we never issued, someone who is not the issuing clerk.
	post(e.clerk, status(3, t0, "", "000.00.00.G77", "Bộ Tài chính"), http.StatusUnprocessableEntity)
	post(e.clerk, status(3, t0, "", fmt.Sprintf("VT.%d", e.a), "Huyện ủy A"), http.StatusConflict)
	wrong := bytes.Replace(status(3, t0, "", "000.00.00.G09", "Bộ Nội vụ"), []byte(",1/CV/TU"), []byte(",9/CV/TU"), 1)
	post(e.clerk, wrong, http.StatusNotFound)
	post(e.cB, status(3, t0, "", "000.00.00.G09", "Bộ Nội vụ"), http.StatusNotFound)
	post(e.drafter, status(3, t0, "", "000.00.00.G09", "Bộ Nội vụ"), http.StatusForbidden)
	post(e.clerk, []byte("<edXML/>"), http.StatusUnprocessableEntity)
}
