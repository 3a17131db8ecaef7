package edxml

import (
	"encoding/base64"
	"fmt"
	"io"
	"strings"
	"time"
)

// Limits bounds what Parse accepts. Zero fields take the defaults.
type Limits struct {
	MaxBytes           int64 // whole envelope; default 200 MiB
	MaxAttachments     int   // default 100
	MaxAttachmentBytes int64 // one decoded attachment; default 100 MiB
}

// DefaultLimits are used for zero fields of Limits.
var DefaultLimits = Limits{
	MaxBytes:           200 << 20,
	MaxAttachments:     100,
	MaxAttachmentBytes: 100 << 20,
}

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultLimits.MaxBytes
	}
	if l.MaxAttachments <= 0 {
		l.MaxAttachments = DefaultLimits.MaxAttachments
	}
	if l.MaxAttachmentBytes <= 0 {
		l.MaxAttachmentBytes = DefaultLimits.MaxAttachmentBytes
	}
	return l
}

// statusMaxBytes bounds a status message, which carries no attachments.
const statusMaxBytes = 1 << 20

// Parse reads and validates an edXML envelope. Errors are *Error with a
// Vietnamese message and the path of the offending element.
func Parse(r io.Reader, limits Limits) (Message, error) {
	lim := limits.withDefaults()
	root, err := readTree(r, treeLimits{
		maxBytes:   lim.MaxBytes,
		maxEncoded: int64(base64.StdEncoding.EncodedLen(int(min(lim.MaxAttachmentBytes, 1<<40)))),
	})
	if err != nil {
		return Message{}, err
	}
	doc := el{n: root}
	var env el
	switch root.name {
	case "edXML":
		env = doc.child("edXMLEnvelope")
		env.path = ""
	case "edXMLEnvelope":
		env = el{n: root}
	default:
		return Message{}, errf(root.name, "Không phải tệp edXML: phần tử gốc là <%s>", root.name)
	}
	if !env.ok() {
		return Message{}, errf("edXMLEnvelope", "Thiếu edXMLEnvelope")
	}
	header := env.child("edXMLHeader")
	if !header.ok() {
		return Message{}, errf(header.path, "Thiếu edXMLHeader")
	}
	mh := header.child("MessageHeader")
	if !mh.ok() {
		return Message{}, errf(mh.path, "Thiếu MessageHeader")
	}

	var m Message
	p := &parser{}
	m.From = p.organ(mh.child("From"))
	for _, to := range mh.all("To") {
		m.To = append(m.To, p.organ(to))
	}
	code := mh.child("Code")
	m.Code = Code{CodeNumber: code.child("CodeNumber").text(), CodeNotation: code.child("CodeNotation").text()}
	pi := mh.child("PromulgationInfo")
	m.PromulgationInfo = PromulgationInfo{
		Place:            pi.child("Place").text(),
		PromulgationDate: p.date(pi.child("PromulgationDate"), "Ngày ban hành"),
	}
	dt := mh.child("DocumentType")
	m.DocumentType = DocumentType{Type: p.int(dt.child("Type")), TypeName: dt.child("TypeName").text()}
	m.Subject = mh.child("Subject").text()
	m.Content = mh.child("Content").text()
	si := mh.child("SignerInfo")
	m.SignerInfo = SignerInfo{
		Competence: si.child("Competence").text(),
		Position:   si.child("Position").text(),
		FullName:   si.child("FullName").text(),
	}
	m.DueDate = p.date(mh.child("DueDate"), "Hạn xử lý")
	for _, pl := range mh.child("ToPlaces").all("Place") {
		if t := pl.text(); t != "" {
			m.ToPlaces = append(m.ToPlaces, t)
		}
	}
	oi := mh.child("OtherInfo")
	m.OtherInfo = OtherInfo{
		Priority:             p.int(oi.child("Priority")),
		SphereOfPromulgation: oi.child("SphereOfPromulgation", "SphereOfPhotocopy").text(),
		TyperNotation:        oi.child("TyperNotation", "TypeOfPhotocopy").text(),
		PromulgationAmount:   p.int(oi.child("PromulgationAmount")),
		PageAmount:           p.int(oi.child("PageAmount")),
	}
	for _, a := range oi.child("Appendixes").all("Appendix") {
		if t := a.text(); t != "" {
			m.OtherInfo.Appendixes = append(m.OtherInfo.Appendixes, t)
		}
	}
	m.SteeringType = p.int(mh.child("SteeringType"))
	m.DocumentID = mh.child("DocumentId").text()
	for _, rf := range mh.all("ResponseFor") {
		m.ResponseFor = append(m.ResponseFor, p.responseFor(rf))
	}

	tl := header.child("TraceHeaderList")
	for _, th := range tl.all("TraceHeader") {
		m.TraceHeaders = append(m.TraceHeaders, TraceHeader{
			OrganID:   th.child("OrganId").text(),
			Timestamp: p.timestamp(th.child("Timestamp"), false),
		})
	}
	bz := tl.child("Bussiness", "Business")
	m.Business = Business{
		DocType:   BusinessCode(p.int(bz.child("BussinessDocType", "BusinessDocType"))),
		DocReason: bz.child("BussinessDocReason", "BusinessDocReason").text(),
		Paper:     p.int(bz.child("Paper")),
		StaffInfo: staff(bz.child("StaffInfo")),
	}
	if sig := header.child("Signature", "DigitalSignature"); sig.ok() {
		s := serializeChildren(sig.n)
		if strings.TrimSpace(s) != "" {
			m.Signature = s
		}
	}
	if p.err != nil {
		return Message{}, p.err
	}

	atts, err := attachments(doc, env, lim)
	if err != nil {
		return Message{}, err
	}
	m.Attachments = atts
	if err := validate(&m); err != nil {
		return Message{}, err
	}
	return m, nil
}

// attachments reads AttachmentEncoded/Attachment (beside the envelope, or
// inside it from lenient senders), filling missing names from the manifest.
func attachments(doc, env el, lim Limits) ([]Attachment, error) {
	enc := doc.child("AttachmentEncoded")
	if !enc.ok() && doc.n != env.n {
		enc = env.child("AttachmentEncoded")
	}
	list := enc.all("Attachment")
	if len(list) == 0 {
		return nil, nil
	}
	if len(list) > lim.MaxAttachments {
		return nil, errf(enc.path, "Số tệp đính kèm (%d) vượt quá giới hạn %d", len(list), lim.MaxAttachments)
	}
	manifest := map[string]el{}
	for _, ref := range env.child("edXMLBody").child("edXMLManifest", "Manifest").all("Reference") {
		id := strings.TrimPrefix(ref.child("ContentId").text(), "cid:")
		if id == "" {
			id = strings.TrimPrefix(ref.attr("href"), "cid:")
		}
		if id != "" {
			manifest[id] = ref
		}
	}
	out := make([]Attachment, 0, len(list))
	for _, a := range list {
		ref := manifest[strings.TrimPrefix(a.child("ContentId").text(), "cid:")]
		pick := func(name string) string {
			if t := a.child(name).text(); t != "" {
				return t
			}
			return ref.child(name).text()
		}
		att := Attachment{
			Name:        pick("AttachmentName"),
			ContentType: pick("ContentType"),
			Description: pick("Description"),
		}
		if att.Name == "" {
			return nil, errf(a.path+"/AttachmentName", "Thiếu AttachmentName")
		}
		body := a.child("ContentTransferEncoded")
		if !body.ok() {
			return nil, errf(body.path, "Thiếu nội dung tệp đính kèm %q", att.Name)
		}
		raw := body.n.text
		if int64(base64.StdEncoding.DecodedLen(len(raw))) > lim.MaxAttachmentBytes+2 {
			return nil, errf(body.path, "Tệp đính kèm %q vượt quá dung lượng cho phép (%d byte)", att.Name, lim.MaxAttachmentBytes)
		}
		data := make([]byte, base64.StdEncoding.DecodedLen(len(raw)))
		n, err := base64.StdEncoding.Strict().Decode(data, raw)
		if err != nil {
			return nil, &Error{Path: body.path, Message: fmt.Sprintf("Tệp đính kèm %q không giải mã được base64", att.Name), Err: err}
		}
		if int64(n) > lim.MaxAttachmentBytes {
			return nil, errf(body.path, "Tệp đính kèm %q vượt quá dung lượng cho phép (%d byte)", att.Name, lim.MaxAttachmentBytes)
		}
		att.Data = data[:n:n]
		body.n.text = nil // let the encoded form be collected early
		out = append(out, att)
	}
	return out, nil
}

// ParseStatus reads and validates a status message. It accepts the edXML
// wrapper written by BuildStatus and the older SOAP-ENV:Envelope/Header form.
func ParseStatus(r io.Reader) (Status, error) {
	root, err := readTree(r, treeLimits{maxBytes: statusMaxBytes})
	if err != nil {
		return Status{}, err
	}
	st := findStatus(el{n: root, path: root.name}, 0)
	if !st.ok() {
		return Status{}, errf(pST, "Thiếu phần tử Status")
	}
	st.path = pST
	p := &parser{}
	s := Status{
		ResponseFor: p.responseFor(st.child("ResponseFor")),
		From:        p.organ(st.child("From")),
		Description: st.child("Description").text(),
		StaffInfo:   staff(st.child("StaffInfo")),
	}
	sc := st.child("StatusCode")
	t := sc.text()
	if t == "" {
		return Status{}, errf(sc.path, "Thiếu StatusCode")
	}
	// "01".."06" as written by the standard; "1".."6" is tolerated.
	n, ok := digits(t)
	if !ok || len(t) > 2 || n < 1 || n > 6 {
		return Status{}, errf(sc.path, "StatusCode phải từ 01 đến 06")
	}
	s.StatusCode = n
	s.Timestamp = p.timestamp(st.child("Timestamp"), true)
	if p.err != nil {
		return Status{}, p.err
	}
	if err := validateStatus(&s); err != nil {
		return Status{}, err
	}
	return s, nil
}

func findStatus(e el, depth int) el {
	if e.n.name == "Status" {
		return e
	}
	if depth >= 4 {
		return el{}
	}
	for _, c := range e.n.children {
		if f := findStatus(el{n: c}, depth+1); f.ok() {
			return f
		}
	}
	return el{}
}

// parser converts typed fields and keeps the first error.
type parser struct{ err error }

func (p *parser) fail(err error) {
	if p.err == nil {
		p.err = err
	}
}

func (p *parser) int(e el) int {
	t := e.text()
	if t == "" {
		return 0
	}
	n, ok := digits(t)
	if !ok || len(t) > 9 {
		p.fail(errf(e.path, "%s phải là số nguyên không âm: %q", e.n.name, t))
		return 0
	}
	return n
}

func (p *parser) date(e el, label string) Date {
	t := e.text()
	if t == "" {
		return Date{}
	}
	d, ok := ParseDate(t)
	if !ok {
		p.fail(errf(e.path, "%s không hợp lệ: %s", label, t))
	}
	return d
}

func (p *parser) timestamp(e el, required bool) (t0 time.Time) {
	t := e.text()
	if t == "" {
		if required {
			p.fail(errf(e.path, "Thiếu Timestamp"))
		}
		return
	}
	ts, ok := ParseTimestamp(t)
	if !ok {
		p.fail(errf(e.path, "Thời điểm không hợp lệ: %s", t))
	}
	return ts
}

func (p *parser) organ(e el) Organization {
	return Organization{
		OrganID:              e.child("OrganId").text(),
		OrganizationInCharge: e.child("OrganizationInCharge", "OrganInCharge").text(),
		OrganName:            e.child("OrganName").text(),
		OrganAdd:             e.child("OrganAdd").text(),
		Email:                e.child("Email").text(),
		Telephone:            e.child("Telephone").text(),
		Fax:                  e.child("Fax").text(),
		Website:              e.child("Website").text(),
	}
}

func (p *parser) responseFor(e el) ResponseFor {
	return ResponseFor{
		OrganID:          e.child("OrganId").text(),
		Code:             e.child("Code").text(),
		PromulgationDate: p.date(e.child("PromulgationDate"), "Ngày ban hành"),
		DocumentID:       e.child("DocumentId").text(),
	}
}

func staff(e el) StaffInfo {
	return StaffInfo{
		Department: e.child("Department").text(),
		Staff:      e.child("Staff").text(),
		Mobile:     e.child("Mobile").text(),
		Email:      e.child("Email").text(),
	}
}
