package edxml

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

const (
	pMH = "edXMLHeader/MessageHeader"
	pTL = "edXMLHeader/TraceHeaderList"
	pST = "edXMLHeader/Status"
)

const docIDMsg = "DocumentId phải có dạng OrganId,yyyy/MM/dd,Số/Ký hiệu"

func required(path, name, v string) error {
	if strings.TrimSpace(v) == "" {
		return errf(path, "Thiếu %s", name)
	}
	return nil
}

func nonNegative(path, name string, v int) error {
	if v < 0 {
		return errf(path, "%s phải là số nguyên không âm: %d", name, v)
	}
	return nil
}

// validate checks the rules that apply to a Message whether it was built in
// Go or read from XML.
func validate(m *Message) error {
	if err := validateOrgan(pMH+"/From", &m.From, true); err != nil {
		return err
	}
	if len(m.To) == 0 {
		return errf(pMH+"/To", "Thiếu nơi nhận To")
	}
	for i := range m.To {
		if err := validateOrgan(fmt.Sprintf("%s/To[%d]", pMH, i+1), &m.To[i], false); err != nil {
			return err
		}
	}
	checks := []error{
		required(pMH+"/Code/CodeNumber", "CodeNumber", m.Code.CodeNumber),
		required(pMH+"/Code/CodeNotation", "CodeNotation", m.Code.CodeNotation),
	}
	for _, err := range checks {
		if err != nil {
			return err
		}
	}
	if m.PromulgationInfo.PromulgationDate.IsZero() {
		return errf(pMH+"/PromulgationInfo/PromulgationDate", "Thiếu PromulgationDate")
	}
	if d := m.PromulgationInfo.PromulgationDate; !d.Valid() {
		return errf(pMH+"/PromulgationInfo/PromulgationDate", "Ngày ban hành không hợp lệ: %s", d)
	}
	if err := nonNegative(pMH+"/DocumentType/Type", "Type", m.DocumentType.Type); err != nil {
		return err
	}
	if err := required(pMH+"/Subject", "Subject", m.Subject); err != nil {
		return err
	}
	if err := required(pMH+"/SignerInfo/FullName", "FullName", m.SignerInfo.FullName); err != nil {
		return err
	}
	if d := m.DueDate; !d.IsZero() && !d.Valid() {
		return errf(pMH+"/DueDate", "Hạn xử lý không hợp lệ: %s", d)
	}
	if p := m.OtherInfo.Priority; p < 0 || p > 4 {
		return errf(pMH+"/OtherInfo/Priority", "Priority (độ khẩn) phải từ 0 đến 4: %d", p)
	}
	for _, c := range []struct {
		path, name string
		v          int
	}{
		{pMH + "/OtherInfo/PromulgationAmount", "PromulgationAmount", m.OtherInfo.PromulgationAmount},
		{pMH + "/OtherInfo/PageAmount", "PageAmount", m.OtherInfo.PageAmount},
		{pMH + "/SteeringType", "SteeringType", m.SteeringType},
		{pTL + "/Bussiness/Paper", "Paper", m.Business.Paper},
	} {
		if err := nonNegative(c.path, c.name, c.v); err != nil {
			return err
		}
	}
	if err := required(pMH+"/DocumentId", "DocumentId", m.DocumentID); err != nil {
		return err
	}
	if !ValidDocumentID(m.DocumentID) {
		return errf(pMH+"/DocumentId", "%s", docIDMsg)
	}
	for i := range m.ResponseFor {
		if err := validateResponseFor(fmt.Sprintf("%s/ResponseFor[%d]", pMH, i+1), &m.ResponseFor[i], false); err != nil {
			return err
		}
	}
	for i, t := range m.TraceHeaders {
		p := fmt.Sprintf("%s/TraceHeader[%d]", pTL, i+1)
		if err := required(p+"/OrganId", "OrganId", t.OrganID); err != nil {
			return err
		}
		if !validTimestamp(t.Timestamp) {
			return errf(p+"/Timestamp", "Thời điểm không hợp lệ: %s", t.Timestamp)
		}
	}
	if c := m.Business.DocType; c < BusinessNew || c > BusinessReplace {
		return errf(pTL+"/Bussiness/BussinessDocType",
			"BussinessDocType phải là 0 (mới), 1 (thu hồi), 2 (cập nhật) hoặc 3 (thay thế): %d", c)
	}
	for i, a := range m.Attachments {
		p := fmt.Sprintf("AttachmentEncoded/Attachment[%d]", i+1)
		if err := required(p+"/AttachmentName", "AttachmentName", a.Name); err != nil {
			return err
		}
	}
	return nil
}

func validateOrgan(path string, o *Organization, needName bool) error {
	if err := required(path+"/OrganId", "OrganId", o.OrganID); err != nil {
		return err
	}
	if needName {
		return required(path+"/OrganName", "OrganName", o.OrganName)
	}
	return nil
}

func validateResponseFor(path string, r *ResponseFor, needDocID bool) error {
	if err := required(path+"/OrganId", "OrganId", r.OrganID); err != nil {
		return err
	}
	if d := r.PromulgationDate; !d.IsZero() && !d.Valid() {
		return errf(path+"/PromulgationDate", "Ngày ban hành không hợp lệ: %s", d)
	}
	if r.DocumentID == "" {
		if needDocID {
			return errf(path+"/DocumentId", "Thiếu DocumentId")
		}
		return nil
	}
	if !ValidDocumentID(r.DocumentID) {
		return errf(path+"/DocumentId", "%s", docIDMsg)
	}
	return nil
}

func validateStatus(s *Status) error {
	if err := validateResponseFor(pST+"/ResponseFor", &s.ResponseFor, true); err != nil {
		return err
	}
	if err := validateOrgan(pST+"/From", &s.From, false); err != nil {
		return err
	}
	if s.StatusCode < 1 || s.StatusCode > 6 {
		return errf(pST+"/StatusCode", "StatusCode phải từ 01 đến 06")
	}
	if s.Timestamp.IsZero() {
		return errf(pST+"/Timestamp", "Thiếu Timestamp")
	}
	if !validTimestamp(s.Timestamp) {
		return errf(pST+"/Timestamp", "Thời điểm không hợp lệ: %s", s.Timestamp)
	}
	return nil
}

// validText reports whether s can be written to XML and read back unchanged:
// valid UTF-8 made only of XML characters.
func validText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !(r == 0x09 || r == 0x0A || r == 0x0D ||
			r >= 0x20 && r <= 0xD7FF ||
			r >= 0xE000 && r <= 0xFFFD ||
			r >= 0x10000 && r <= 0x10FFFF) {
			return false
		}
	}
	return true
}

// Validate checks m with the rules Build and Parse apply, so a caller can
// refuse a message before it starts writing a response.
func Validate(m Message) error { return validate(&m) }
