package edxml

import (
	"bytes"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

func fullMessage() Message {
	bin := make([]byte, 256)
	for i := range bin {
		bin[i] = byte(i)
	}
	return Message{
		From: Organization{
			OrganID: "000.00.00.G12", OrganizationInCharge: "Tỉnh ủy Bắc Ninh",
			OrganName: "Văn phòng Tỉnh ủy Bắc Ninh", OrganAdd: "Số 11 Lý Thái Tổ, Bắc Ninh",
			Email: "vp@tinhuy.vn", Telephone: "0222 3822 505", Fax: "0222 3822 506", Website: "https://bacninh.dcs.vn",
		},
		To: []Organization{
			{OrganID: "000.01.12.G12", OrganName: "Huyện ủy Tiên Du"},
			{OrganID: "000.02.12.G12", OrganName: "Thành ủy Từ Sơn", Email: "tu-son@dcs.vn"},
		},
		Code:             Code{CodeNumber: "204", CodeNotation: "QĐ/TW"},
		PromulgationInfo: PromulgationInfo{Place: "Hà Nội", PromulgationDate: Date{2026, time.February, 28}},
		DocumentType:     DocumentType{Type: 2, TypeName: "Quyết định"},
		Subject:          "Về việc ban hành Quy chế làm việc <nhiệm kỳ> 2025–2030 & \"các phụ lục\"",
		Content:          "Dòng 1\nDòng 2 — có ký tự đặc biệt: ' \" < > &",
		SignerInfo:       SignerInfo{Competence: "T/M", Position: "Bí thư", FullName: "Nguyễn Thị Ánh"},
		DueDate:          Date{2026, time.March, 31},
		ToPlaces:         []string{"Như Điều 3", "Lưu VPTU"},
		OtherInfo: OtherInfo{
			Priority: 3, SphereOfPromulgation: "Toàn Đảng bộ", TyperNotation: "NTA",
			PromulgationAmount: 40, PageAmount: 12, Appendixes: []string{"Phụ lục I", "Phụ lục II"},
		},
		SteeringType: 1,
		DocumentID:   "000.00.00.G12,2026/02/28,204/QĐ/TW",
		ResponseFor: []ResponseFor{{
			OrganID: "000.00.00.G01", Code: "57/NQ/TW",
			PromulgationDate: Date{2026, time.January, 15}, DocumentID: "000.00.00.G01,2026/01/15,57/NQ/TW",
		}},
		TraceHeaders: []TraceHeader{
			{OrganID: "000.00.00.G12", Timestamp: time.Date(2026, 2, 28, 8, 30, 0, 0, Zone)},
			{OrganID: "000.00.00.G01", Timestamp: time.Date(2026, 2, 28, 9, 1, 2, 0, Zone)},
		},
		Business: Business{
			DocType: BusinessReplace, DocReason: "Thay thế văn bản ban hành sai sót", Paper: 1,
			StaffInfo: StaffInfo{Department: "Phòng HC-LT", Staff: "Trần Văn Bình", Mobile: "0912000111", Email: "binh@tinhuy.vn"},
		},
		Signature: `<SignedInfo><Reference URI=""><DigestValue>YWJj</DigestValue></Reference></SignedInfo><SignatureValue>c2ln</SignatureValue>`,
		Attachments: []Attachment{
			{Name: "204-QĐ-TW.pdf", ContentType: "application/pdf", Description: "Quyết định", Data: bin},
			{Name: "phụ lục.txt", ContentType: "text/plain; charset=utf-8", Description: "Phụ lục", Data: []byte("Nội dung phụ lục\n")},
		},
	}
}

func TestRoundTrip(t *testing.T) {
	m := fullMessage()
	var buf bytes.Buffer
	if err := Build(&buf, m); err != nil {
		t.Fatalf("Build: %v", err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte(`<?xml version="1.0" encoding="UTF-8"?>`)) {
		t.Fatalf("missing XML declaration: %.60s", buf.String())
	}
	got, err := Parse(bytes.NewReader(buf.Bytes()), Limits{})
	if err != nil {
		t.Fatalf("Parse: %v\n%s", err, buf.String())
	}
	if !reflect.DeepEqual(got, m) {
		t.Fatalf("round trip differs:\n got %#v\nwant %#v", got, m)
	}
}

func TestGoldenEnvelope(t *testing.T) {
	f, err := os.Open("testdata/envelope.edxml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := Parse(f, Limits{})
	if err != nil {
		t.Fatalf("Parse golden: %v", err)
	}
	if m.DocumentID != "000.00.00.G12,2026/03/05,96/CV/VPTU" || m.Subject == "" || len(m.To) != 2 {
		t.Fatalf("unexpected header: %+v", m)
	}
	if m.PromulgationInfo.PromulgationDate != (Date{2026, time.March, 5}) || m.DueDate != (Date{2026, time.March, 20}) {
		t.Fatalf("dates: %v %v", m.PromulgationInfo.PromulgationDate, m.DueDate)
	}
	if want := time.Date(2026, 3, 5, 9, 15, 30, 0, Zone); len(m.TraceHeaders) != 1 || !m.TraceHeaders[0].Timestamp.Equal(want) {
		t.Fatalf("trace: %+v", m.TraceHeaders)
	}
	if m.SignerInfo.Competence != "K/T" || m.OtherInfo.Priority != 1 || m.Business.StaffInfo.Staff != "Trần Thị Hoa" {
		t.Fatalf("fields: %+v", m)
	}
	if len(m.Attachments) != 2 || !bytes.HasPrefix(m.Attachments[0].Data, []byte("%PDF-1.4\n")) {
		t.Fatalf("attachments: %+v", m.Attachments)
	}
	// The second attachment names itself only in the manifest.
	a := m.Attachments[1]
	if a.Name != "phu-luc.txt" || a.ContentType != "text/plain" || a.Description != "Phụ lục kèm theo" ||
		!strings.HasPrefix(string(a.Data), "Phụ lục: danh sách") {
		t.Fatalf("attachment 2: %+v %q", a, a.Data)
	}
	if !strings.Contains(m.Signature, "<SignatureValue>c2lnbmF0dXJl</SignatureValue>") {
		t.Fatalf("signature: %q", m.Signature)
	}
	// Rebuild and reparse gives the same message.
	var buf bytes.Buffer
	if err := Build(&buf, m); err != nil {
		t.Fatal(err)
	}
	m2, err := Parse(&buf, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m, m2) {
		t.Fatalf("golden rebuild differs:\n%#v\n%#v", m, m2)
	}
}

func TestStatusRoundTripAndGolden(t *testing.T) {
	f, err := os.Open("testdata/status.edxml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := ParseStatus(f)
	if err != nil {
		t.Fatalf("ParseStatus golden: %v", err)
	}
	want := Status{
		ResponseFor: ResponseFor{OrganID: "000.00.00.G12", Code: "96/CV/VPTU", PromulgationDate: Date{2026, 3, 5},
			DocumentID: "000.00.00.G12,2026/03/05,96/CV/VPTU"},
		From:        Organization{OrganID: "000.01.12.G12", OrganName: "Huyện ủy Tiên Du"},
		StatusCode:  3,
		Description: "Đã phân công xử lý",
		Timestamp:   time.Date(2026, 3, 6, 14, 2, 11, 0, Zone),
		StaffInfo:   StaffInfo{Department: "Văn phòng Huyện ủy", Staff: "Lê Minh Tâm", Mobile: "0987654321", Email: "tamlm@tiendu.dcs.vn"},
	}
	if !reflect.DeepEqual(s, want) {
		t.Fatalf("golden status:\n got %#v\nwant %#v", s, want)
	}
	var buf bytes.Buffer
	if err := BuildStatus(&buf, want); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "<edXML:StatusCode>03</edXML:StatusCode>") {
		t.Fatalf("status code not zero-padded:\n%s", buf.String())
	}
	got, err := ParseStatus(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("status round trip:\n got %#v\nwant %#v", got, want)
	}
}

func TestParseStatusSOAPForm(t *testing.T) {
	const x = `<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Header>
<edXML:Status xmlns:edXML="http://schemas.xmlsoap.org/soap/envelope/">
<edXML:ResponseFor><edXML:OrganId>A</edXML:OrganId><edXML:DocumentId>A,2026/01/02,1/CV</edXML:DocumentId></edXML:ResponseFor>
<edXML:From><edXML:OrganId>B</edXML:OrganId></edXML:From>
<edXML:StatusCode>6</edXML:StatusCode><edXML:Timestamp>2026-01-03 07:00:00</edXML:Timestamp>
</edXML:Status></SOAP-ENV:Header><SOAP-ENV:Body /></SOAP-ENV:Envelope>`
	s, err := ParseStatus(strings.NewReader(x))
	if err != nil {
		t.Fatal(err)
	}
	if s.StatusCode != 6 || s.From.OrganID != "B" || !s.Timestamp.Equal(time.Date(2026, 1, 3, 7, 0, 0, 0, Zone)) {
		t.Fatalf("%+v", s)
	}
}

func golden(t testing.TB) string {
	b, err := os.ReadFile("testdata/envelope.edxml")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func replaceOnce(t *testing.T, s, old, new string) string {
	t.Helper()
	if !strings.Contains(s, old) {
		t.Fatalf("golden lacks %q", old)
	}
	return strings.Replace(s, old, new, 1)
}

func TestMalformed(t *testing.T) {
	g := golden(t)
	cases := []struct {
		name     string
		doc      string
		limits   Limits
		msg      string // Vietnamese message, exact
		path     string
		sentinel error
	}{
		{"missing subject",
			replaceOnce(t, g, "<edXML:Subject>V/v báo cáo sơ kết công tác xây dựng Đảng quý I năm 2026</edXML:Subject>", ""),
			Limits{}, "Thiếu Subject", "edXMLHeader/MessageHeader/Subject", nil},
		{"blank subject",
			replaceOnce(t, g, "<edXML:Subject>V/v báo cáo sơ kết công tác xây dựng Đảng quý I năm 2026</edXML:Subject>", "<edXML:Subject>  </edXML:Subject>"),
			Limits{}, "Thiếu Subject", "edXMLHeader/MessageHeader/Subject", nil},
		{"bad promulgation date",
			replaceOnce(t, g, "<edXML:PromulgationDate>2026/03/05</edXML:PromulgationDate>", "<edXML:PromulgationDate>2026-13-01</edXML:PromulgationDate>"),
			Limits{}, "Ngày ban hành không hợp lệ: 2026-13-01", "edXMLHeader/MessageHeader/PromulgationInfo/PromulgationDate", nil},
		{"30 February",
			replaceOnce(t, g, "<edXML:PromulgationDate>2026/03/05</edXML:PromulgationDate>", "<edXML:PromulgationDate>2026/02/30</edXML:PromulgationDate>"),
			Limits{}, "Ngày ban hành không hợp lệ: 2026/02/30", "edXMLHeader/MessageHeader/PromulgationInfo/PromulgationDate", nil},
		{"bad due date",
			replaceOnce(t, g, "<edXML:DueDate>2026/03/20</edXML:DueDate>", "<edXML:DueDate>20.3.2026</edXML:DueDate>"),
			Limits{}, "Hạn xử lý không hợp lệ: 20.3.2026", "edXMLHeader/MessageHeader/DueDate", nil},
		{"bad document id",
			replaceOnce(t, g, "000.00.00.G12,2026/03/05,96/CV/VPTU", "96/CV/VPTU"),
			Limits{}, "DocumentId phải có dạng OrganId,yyyy/MM/dd,Số/Ký hiệu", "edXMLHeader/MessageHeader/DocumentId", nil},
		{"document id date dashes",
			replaceOnce(t, g, "000.00.00.G12,2026/03/05,96/CV/VPTU", "000.00.00.G12,2026-03-05,96/CV/VPTU"),
			Limits{}, "DocumentId phải có dạng OrganId,yyyy/MM/dd,Số/Ký hiệu", "edXMLHeader/MessageHeader/DocumentId", nil},
		{"missing From OrganId",
			replaceOnce(t, g, "<edXML:OrganId>000.00.00.G12</edXML:OrganId>\n          <edXML:OrganizationInCharge>", "<edXML:OrganizationInCharge>"),
			Limits{}, "Thiếu OrganId", "edXMLHeader/MessageHeader/From/OrganId", nil},
		{"missing second To OrganId",
			replaceOnce(t, g, "<edXML:OrganId>000.02.12.G12</edXML:OrganId>", ""),
			Limits{}, "Thiếu OrganId", "edXMLHeader/MessageHeader/To[2]/OrganId", nil},
		{"bad priority",
			replaceOnce(t, g, "<edXML:Priority>1</edXML:Priority>", "<edXML:Priority>9</edXML:Priority>"),
			Limits{}, "Priority (độ khẩn) phải từ 0 đến 4: 9", "edXMLHeader/MessageHeader/OtherInfo/Priority", nil},
		{"non-numeric page amount",
			replaceOnce(t, g, "<edXML:PageAmount>2</edXML:PageAmount>", "<edXML:PageAmount>hai</edXML:PageAmount>"),
			Limits{}, `PageAmount phải là số nguyên không âm: "hai"`, "edXMLHeader/MessageHeader/OtherInfo/PageAmount", nil},
		{"bad business code",
			replaceOnce(t, g, "<edXML:BussinessDocType>0</edXML:BussinessDocType>", "<edXML:BussinessDocType>7</edXML:BussinessDocType>"),
			Limits{}, "BussinessDocType phải là 0 (mới), 1 (thu hồi), 2 (cập nhật) hoặc 3 (thay thế): 7", "edXMLHeader/TraceHeaderList/Bussiness/BussinessDocType", nil},
		{"bad trace timestamp",
			replaceOnce(t, g, "05/03/2026 09:15:30", "05/03/2026 25:15:30"),
			Limits{}, "Thời điểm không hợp lệ: 05/03/2026 25:15:30", "edXMLHeader/TraceHeaderList/TraceHeader[1]/Timestamp", nil},
		{"bad base64",
			replaceOnce(t, g, "<ContentTransferEncoded>", "<ContentTransferEncoded>!!"),
			Limits{}, `Tệp đính kèm "96-CV-VPTU.pdf" không giải mã được base64`, "AttachmentEncoded/Attachment[1]/ContentTransferEncoded", nil},
		{"missing attachment body",
			g[:strings.LastIndex(g, "<ContentTransferEncoded>")] + g[strings.LastIndex(g, "</ContentTransferEncoded>")+len("</ContentTransferEncoded>"):],
			Limits{}, `Thiếu nội dung tệp đính kèm "phu-luc.txt"`, "AttachmentEncoded/Attachment[2]/ContentTransferEncoded", nil},
		{"too many attachments", g, Limits{MaxAttachments: 1},
			"Số tệp đính kèm (2) vượt quá giới hạn 1", "AttachmentEncoded", nil},
		{"attachment too large", g, Limits{MaxAttachmentBytes: 50},
			"Tệp đính kèm vượt quá dung lượng cho phép", "", errTooLarge},
		{"envelope too large", g, Limits{MaxBytes: 1000},
			"Tệp edXML vượt quá dung lượng cho phép (1000 byte)", "", errTooLarge},
		{"doctype",
			replaceOnce(t, g, "<edXML xmlns:xsi", "<!DOCTYPE edXML [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n<edXML xmlns:xsi"),
			Limits{}, "Tệp edXML không được chứa DOCTYPE hay khai báo thực thể (ENTITY)", "", nil},
		{"wrong root", `<?xml version="1.0"?><html></html>`, Limits{},
			"Không phải tệp edXML: phần tử gốc là <html>", "html", nil},
		{"missing message header",
			`<edXML xmlns="` + Namespace + `"><edXMLEnvelope><edXMLHeader/></edXMLEnvelope></edXML>`, Limits{},
			"Thiếu MessageHeader", "edXMLHeader/MessageHeader", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(c.doc), c.limits)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("want *Error, got %v", err)
			}
			if e.Message != c.msg || e.Path != c.path {
				t.Fatalf("got %q at %q, want %q at %q", e.Message, e.Path, c.msg, c.path)
			}
			if c.sentinel != nil && !errors.Is(err, c.sentinel) {
				t.Fatalf("want errors.Is %v", c.sentinel)
			}
		})
	}
}

func TestSyntaxErrors(t *testing.T) {
	g := golden(t)
	for name, doc := range map[string]string{
		"truncated":        g[:len(g)/2],
		"mismatched tags":  strings.Replace(g, "</edXML:Subject>", "</edXML:Content>", 1),
		"two roots":        g + "<edXML/>",
		"text after root":  g + "rác",
		"unknown entity":   strings.Replace(g, "Bắc Ninh</edXML:Place>", "&xxe;</edXML:Place>", 1),
		"empty":            "",
		"non-utf8 charset": strings.Replace(g, `encoding="utf-8"`, `encoding="windows-1258"`, 1),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(doc), Limits{})
			var e *Error
			if !errors.As(err, &e) || !strings.HasPrefix(e.Message, "Tệp edXML không đúng cú pháp XML") {
				t.Fatalf("got %v", err)
			}
		})
	}
}

func TestStatusErrors(t *testing.T) {
	b, err := os.ReadFile("testdata/status.edxml")
	if err != nil {
		t.Fatal(err)
	}
	g := string(b)
	cases := []struct{ name, old, new, msg, path string }{
		{"code 07", "<edXML:StatusCode>03</edXML:StatusCode>", "<edXML:StatusCode>07</edXML:StatusCode>", "StatusCode phải từ 01 đến 06", "edXMLHeader/Status/StatusCode"},
		{"code 00", "<edXML:StatusCode>03</edXML:StatusCode>", "<edXML:StatusCode>00</edXML:StatusCode>", "StatusCode phải từ 01 đến 06", "edXMLHeader/Status/StatusCode"},
		{"code text", "<edXML:StatusCode>03</edXML:StatusCode>", "<edXML:StatusCode>ba</edXML:StatusCode>", "StatusCode phải từ 01 đến 06", "edXMLHeader/Status/StatusCode"},
		{"no code", "<edXML:StatusCode>03</edXML:StatusCode>", "", "Thiếu StatusCode", "edXMLHeader/Status/StatusCode"},
		{"no timestamp", "<edXML:Timestamp>06/03/2026 14:02:11</edXML:Timestamp>", "", "Thiếu Timestamp", "edXMLHeader/Status/Timestamp"},
		{"bad timestamp", "06/03/2026 14:02:11", "2026/02/30 10:00:00", "Thời điểm không hợp lệ: 2026/02/30 10:00:00", "edXMLHeader/Status/Timestamp"},
		{"bad document id", "<edXML:DocumentId>000.00.00.G12,2026/03/05,96/CV/VPTU</edXML:DocumentId>", "<edXML:DocumentId>96/CV</edXML:DocumentId>",
			"DocumentId phải có dạng OrganId,yyyy/MM/dd,Số/Ký hiệu", "edXMLHeader/Status/ResponseFor/DocumentId"},
		{"no from", "<edXML:OrganId>000.01.12.G12</edXML:OrganId>", "", "Thiếu OrganId", "edXMLHeader/Status/From/OrganId"},
		{"no status", "<edXML:Status>", "<edXML:Status2>", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc := strings.Replace(g, c.old, c.new, 1)
			if c.name == "no status" {
				doc = strings.Replace(doc, "</edXML:Status>", "</edXML:Status2>", 1)
				c.msg, c.path = "Thiếu phần tử Status", "edXMLHeader/Status"
			}
			_, err := ParseStatus(strings.NewReader(doc))
			var e *Error
			if !errors.As(err, &e) || e.Message != c.msg || e.Path != c.path {
				t.Fatalf("got %v, want %q at %q", err, c.msg, c.path)
			}
		})
	}
}

func TestBuildRejectsInvalid(t *testing.T) {
	m := fullMessage()
	m.Subject = ""
	var e *Error
	if err := Build(&bytes.Buffer{}, m); !errors.As(err, &e) || e.Message != "Thiếu Subject" {
		t.Fatalf("got %v", err)
	}
	m = fullMessage()
	m.Content = "bad \x00 char"
	if err := Build(&bytes.Buffer{}, m); !errors.As(err, &e) || e.Path != "edXMLHeader/MessageHeader/Content" {
		t.Fatalf("got %v", err)
	}
	m = fullMessage()
	m.Signature = "<a><b></a>"
	if err := Build(&bytes.Buffer{}, m); !errors.As(err, &e) || e.Path != "edXMLHeader/Signature" {
		t.Fatalf("got %v", err)
	}
	m = fullMessage()
	m.Signature = `<!DOCTYPE x><a/>`
	if err := Build(&bytes.Buffer{}, m); err == nil {
		t.Fatal("DOCTYPE in signature accepted")
	}
	if err := BuildStatus(&bytes.Buffer{}, Status{StatusCode: 7}); err == nil {
		t.Fatal("invalid status accepted")
	}
}

func TestDates(t *testing.T) {
	for in, want := range map[string]Date{
		"2026/03/05": {2026, 3, 5}, "2026-03-05": {2026, 3, 5}, "05/03/2026": {2026, 3, 5}, "2024/02/29": {2024, 2, 29},
	} {
		if got, ok := ParseDate(in); !ok || got != want {
			t.Errorf("ParseDate(%q) = %v, %v", in, got, ok)
		}
	}
	for _, in := range []string{"2026-13-01", "2025/02/29", "2026/3/5", "26/03/05", "2026/03/05 10:00", "+026/03/05", ""} {
		if _, ok := ParseDate(in); ok {
			t.Errorf("ParseDate(%q) accepted", in)
		}
	}
	if !ValidDocumentID("G12,2026/03/05,204/QĐ/TW") || ValidDocumentID("G12,2026/03/05,204") || ValidDocumentID(",2026/03/05,1/CV") {
		t.Error("ValidDocumentID")
	}
}

// bigReader yields an envelope with one large attachment without holding it.
func TestLargeAttachmentStreams(t *testing.T) {
	m := fullMessage()
	m.Attachments = []Attachment{{Name: "big.bin", ContentType: "application/octet-stream", Data: bytes.Repeat([]byte{0xAB, 0xCD, 0xEF}, 2<<20)}}
	var buf bytes.Buffer
	if err := Build(&buf, m); err != nil {
		t.Fatal(err)
	}
	got, err := Parse(&buf, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Attachments[0].Data, m.Attachments[0].Data) {
		t.Fatal("large attachment differs")
	}
}
