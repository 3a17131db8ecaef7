package edxml

import (
	"bufio"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
)

const xlinkNS = "http://www.w3.org/1999/xlink"

// writer writes indented XML to a bufio.Writer and remembers the first error.
type writer struct {
	w     *bufio.Writer
	depth int
	err   error
	path  []string
}

func (w *writer) raw(s string) {
	if w.err == nil {
		_, w.err = w.w.WriteString(s)
	}
}

func (w *writer) indent() {
	w.raw("\n" + strings.Repeat("  ", w.depth))
}

func (w *writer) open(name, attrs string) {
	w.indent()
	w.raw("<" + name + attrs + ">")
	w.depth++
	w.path = append(w.path, localName(name))
}

func (w *writer) close(name string) {
	w.depth--
	w.path = w.path[:len(w.path)-1]
	w.indent()
	w.raw("</" + name + ">")
}

func localName(name string) string {
	if _, l, ok := strings.Cut(name, ":"); ok {
		return l
	}
	return name
}

func (w *writer) text(s string) {
	if w.err != nil {
		return
	}
	if !validText(s) {
		w.err = errf(strings.TrimPrefix(strings.Join(w.path, "/"), "edXMLEnvelope/"), "Ký tự không hợp lệ trong nội dung XML")
		return
	}
	w.err = xml.EscapeText(w.w, []byte(s))
}

// leaf writes <name>text</name>; the element is written even when empty so
// the layout matches the SDK samples.
func (w *writer) leaf(name, s string) {
	w.indent()
	w.path = append(w.path, localName(name))
	w.raw("<" + name + ">")
	w.text(s)
	w.raw("</" + name + ">")
	w.path = w.path[:len(w.path)-1]
}

// e is the edXML prefix used for everything inside edXMLEnvelope.
func e(name string) string { return "edXML:" + name }

func (w *writer) organ(name string, o *Organization) {
	w.open(e(name), "")
	w.leaf(e("OrganId"), o.OrganID)
	w.leaf(e("OrganizationInCharge"), o.OrganizationInCharge)
	w.leaf(e("OrganName"), o.OrganName)
	w.leaf(e("OrganAdd"), o.OrganAdd)
	w.leaf(e("Email"), o.Email)
	w.leaf(e("Telephone"), o.Telephone)
	w.leaf(e("Fax"), o.Fax)
	w.leaf(e("Website"), o.Website)
	w.close(e(name))
}

func dateText(d Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

func (w *writer) responseFor(r *ResponseFor) {
	w.open(e("ResponseFor"), "")
	w.leaf(e("OrganId"), r.OrganID)
	w.leaf(e("Code"), r.Code)
	w.leaf(e("PromulgationDate"), dateText(r.PromulgationDate))
	w.leaf(e("DocumentId"), r.DocumentID)
	w.close(e("ResponseFor"))
}

func (w *writer) staff(s *StaffInfo) {
	w.open(e("StaffInfo"), "")
	w.leaf(e("Department"), s.Department)
	w.leaf(e("Staff"), s.Staff)
	w.leaf(e("Mobile"), s.Mobile)
	w.leaf(e("Email"), s.Email)
	w.close(e("StaffInfo"))
}

func (w *writer) start() {
	w.raw(`<?xml version="1.0" encoding="UTF-8"?>`)
	w.raw("\n<edXML xmlns=\"" + Namespace + "\" xmlns:edXML=\"" + Namespace + "\" xmlns:xlink=\"" + xlinkNS + "\">")
	w.depth = 1
	w.open(e("edXMLEnvelope"), "")
	w.open(e("edXMLHeader"), "")
}

// Build writes m as an edXML envelope. It validates m first with the same
// rules Parse applies. Attachment data is base64-encoded straight into w.
func Build(w io.Writer, m Message) error {
	if err := validate(&m); err != nil {
		return err
	}
	sig, err := normalizeSignature(m.Signature)
	if err != nil {
		return err
	}
	bw := &writer{w: bufio.NewWriterSize(w, 32<<10)}
	bw.start()

	bw.open(e("MessageHeader"), "")
	bw.organ("From", &m.From)
	for i := range m.To {
		bw.organ("To", &m.To[i])
	}
	bw.open(e("Code"), "")
	bw.leaf(e("CodeNumber"), m.Code.CodeNumber)
	bw.leaf(e("CodeNotation"), m.Code.CodeNotation)
	bw.close(e("Code"))
	bw.open(e("PromulgationInfo"), "")
	bw.leaf(e("Place"), m.PromulgationInfo.Place)
	bw.leaf(e("PromulgationDate"), dateText(m.PromulgationInfo.PromulgationDate))
	bw.close(e("PromulgationInfo"))
	bw.open(e("DocumentType"), "")
	bw.leaf(e("Type"), strconv.Itoa(m.DocumentType.Type))
	bw.leaf(e("TypeName"), m.DocumentType.TypeName)
	bw.close(e("DocumentType"))
	bw.leaf(e("Subject"), m.Subject)
	bw.leaf(e("Content"), m.Content)
	bw.open(e("SignerInfo"), "")
	bw.leaf(e("Competence"), m.SignerInfo.Competence)
	bw.leaf(e("Position"), m.SignerInfo.Position)
	bw.leaf(e("FullName"), m.SignerInfo.FullName)
	bw.close(e("SignerInfo"))
	bw.leaf(e("DueDate"), dateText(m.DueDate))
	bw.open(e("ToPlaces"), "")
	for _, p := range m.ToPlaces {
		bw.leaf(e("Place"), p)
	}
	bw.close(e("ToPlaces"))
	bw.open(e("OtherInfo"), "")
	bw.leaf(e("Priority"), strconv.Itoa(m.OtherInfo.Priority))
	bw.leaf(e("SphereOfPromulgation"), m.OtherInfo.SphereOfPromulgation)
	bw.leaf(e("TyperNotation"), m.OtherInfo.TyperNotation)
	bw.leaf(e("PromulgationAmount"), strconv.Itoa(m.OtherInfo.PromulgationAmount))
	bw.leaf(e("PageAmount"), strconv.Itoa(m.OtherInfo.PageAmount))
	bw.open(e("Appendixes"), "")
	for _, a := range m.OtherInfo.Appendixes {
		bw.leaf(e("Appendix"), a)
	}
	bw.close(e("Appendixes"))
	bw.close(e("OtherInfo"))
	bw.leaf(e("SteeringType"), strconv.Itoa(m.SteeringType))
	bw.leaf(e("DocumentId"), m.DocumentID)
	for i := range m.ResponseFor {
		bw.responseFor(&m.ResponseFor[i])
	}
	bw.close(e("MessageHeader"))

	bw.open(e("TraceHeaderList"), "")
	for _, t := range m.TraceHeaders {
		bw.open(e("TraceHeader"), "")
		bw.leaf(e("OrganId"), t.OrganID)
		bw.leaf(e("Timestamp"), formatTimestamp(t.Timestamp))
		bw.close(e("TraceHeader"))
	}
	bw.open(e("Bussiness"), "")
	bw.leaf(e("BussinessDocType"), strconv.Itoa(int(m.Business.DocType)))
	bw.leaf(e("BussinessDocReason"), m.Business.DocReason)
	bw.leaf(e("Paper"), strconv.Itoa(m.Business.Paper))
	bw.staff(&m.Business.StaffInfo)
	bw.close(e("Bussiness"))
	bw.close(e("TraceHeaderList"))

	if sig != "" {
		bw.indent()
		bw.raw(`<Signature xmlns="http://www.w3.org/2000/09/xmldsig#">`)
		bw.raw(sig)
		bw.raw(`</Signature>`)
	}
	bw.close(e("edXMLHeader"))

	bw.open(e("edXMLBody"), "")
	bw.open(e("edXMLManifest"), ` version="1.0"`)
	for i, a := range m.Attachments {
		cid := contentID(i)
		bw.open(e("Reference"), ` xlink:href="cid:`+cid+`" xlink:type="simple"`)
		bw.leaf(e("Description"), a.Description)
		bw.leaf(e("AttachmentName"), a.Name)
		bw.leaf(e("ContentType"), a.ContentType)
		bw.leaf(e("ContentId"), cid)
		bw.close(e("Reference"))
	}
	bw.close(e("edXMLManifest"))
	bw.close(e("edXMLBody"))
	bw.close(e("edXMLEnvelope"))

	if len(m.Attachments) > 0 {
		bw.open("AttachmentEncoded", "")
		for i, a := range m.Attachments {
			bw.open("Attachment", "")
			bw.leaf("ContentType", a.ContentType)
			bw.leaf("ContentId", contentID(i))
			bw.leaf("Description", a.Description)
			bw.leaf("AttachmentName", a.Name)
			bw.indent()
			bw.raw("<ContentTransferEncoded>")
			if bw.err == nil {
				bw.err = writeBase64(bw.w, a)
			}
			bw.raw("</ContentTransferEncoded>")
			bw.close("Attachment")
		}
		bw.close("AttachmentEncoded")
	}
	bw.depth = 0
	bw.raw("\n</edXML>\n")
	if bw.err != nil {
		return bw.err
	}
	return bw.w.Flush()
}

// writeBase64 encodes an attachment's bytes, from Data or streamed from Open.
func writeBase64(w io.Writer, a Attachment) error {
	enc := base64.NewEncoder(base64.StdEncoding, w)
	if a.Data == nil && a.Open != nil {
		rc, err := a.Open()
		if err != nil {
			return fmt.Errorf("open attachment %q: %w", a.Name, err)
		}
		_, err = io.Copy(enc, rc)
		if cerr := rc.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("read attachment %q: %w", a.Name, err)
		}
	} else if _, err := enc.Write(a.Data); err != nil {
		return err
	}
	return enc.Close()
}

func contentID(i int) string { return fmt.Sprintf("attachment%d", i+1) }

// BuildStatus writes s as an edXML status message.
func BuildStatus(w io.Writer, s Status) error {
	if err := validateStatus(&s); err != nil {
		return err
	}
	bw := &writer{w: bufio.NewWriter(w)}
	bw.start()
	bw.open(e("Status"), "")
	bw.responseFor(&s.ResponseFor)
	bw.organ("From", &s.From)
	bw.leaf(e("StatusCode"), fmt.Sprintf("%02d", s.StatusCode))
	bw.leaf(e("Description"), s.Description)
	bw.leaf(e("Timestamp"), formatTimestamp(s.Timestamp))
	bw.staff(&s.StaffInfo)
	bw.close(e("Status"))
	bw.close(e("edXMLHeader"))
	bw.close(e("edXMLEnvelope"))
	bw.depth = 0
	bw.raw("\n</edXML>\n")
	if bw.err != nil {
		return bw.err
	}
	return bw.w.Flush()
}

// normalizeSignature checks that the raw signature XML is a well-formed
// fragment without directives, so Build cannot be made to emit a broken
// document, and returns it in the form Parse produces.
func normalizeSignature(sig string) (string, error) {
	if strings.TrimSpace(sig) == "" {
		return "", nil
	}
	const p = "edXMLHeader/Signature"
	bad := "Chữ ký số (Signature) không phải XML hợp lệ"
	if !validText(sig) {
		return "", errf(p, "%s", bad)
	}
	root, err := readTree(strings.NewReader("<s>"+sig+"</s>"), treeLimits{maxBytes: int64(len(sig)) + 16})
	if err != nil {
		return "", &Error{Path: p, Message: bad, Err: err}
	}
	return serializeChildren(root), nil
}
