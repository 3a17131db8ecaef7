// Package edxml builds and parses edXML envelopes and status messages for
// document exchange between agencies (QCVN 102:2016/BTTTT).
//
// # Element names and layout
//
// The standard's text is not in the repository, so the layout follows the
// public SDK samples of the national exchange axis (VPCP "edoc_new.edxml" as
// mirrored by several integrators, and the Bkav eDoc service), which agree on:
//
//	<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">
//	  <edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">
//	    <edXML:edXMLHeader>
//	      <edXML:MessageHeader>  From, To…, Code, PromulgationInfo, DocumentType,
//	                              Subject, Content, SignerInfo, DueDate, ToPlaces,
//	                              OtherInfo, SteeringType, DocumentId, ResponseFor…
//	      <edXML:TraceHeaderList> TraceHeader… {OrganId, Timestamp},
//	                              Bussiness {BussinessDocType, BussinessDocReason, Paper, StaffInfo}
//	      <edXML:Signature>       (XML-DSig, kept as raw XML)
//	    <edXML:edXMLBody>
//	      <edXML:edXMLManifest>   Reference… {Description, AttachmentName, ContentType, ContentId}
//	  <AttachmentEncoded>         Attachment… {ContentType, ContentId, Description,
//	                              ContentTransferEncoded (base64), AttachmentName}
//
// Where the sources disagree, this package picks one form for writing and
// accepts the others when reading:
//   - "Bussiness"/"BussinessDocType" (double s, VPCP SDK) is written;
//     "Business"/"BusinessDocType" (Bkav) is also read.
//   - "Signature" is written; "DigitalSignature" (VPCP sample) is also read.
//   - OtherInfo uses SphereOfPromulgation and TyperNotation (both SDKs); the
//     names SphereOfPhotocopy/TypeOfPhotocopy seen in some summaries are read
//     as aliases.
//   - Dates (PromulgationDate, DueDate, the date inside DocumentId) are written
//     yyyy/MM/dd, the form DocumentId requires; yyyy-MM-dd and dd/MM/yyyy are
//     also read.
//   - Timestamps are written "dd/MM/yyyy HH:mm:ss" (Bkav and the VPCP C#
//     client) in Vietnam time (UTC+7); "yyyy/MM/dd HH:mm:ss",
//     "yyyy-MM-dd HH:mm:ss" and RFC 3339 are also read, truncated to seconds.
//   - The status message is written in the same edXML/edXMLEnvelope/edXMLHeader
//     wrapper as a document with a Status element in place of MessageHeader;
//     ParseStatus also accepts the older SOAP-ENV:Envelope/Header/Status form.
//
// Elements are matched by local name (the namespace prefix varies between
// senders), surrounding whitespace is trimmed, and element order inside a
// parent does not matter. Unknown elements are ignored.
package edxml

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Namespace is the edXML namespace of QCVN 102:2016.
const Namespace = "http://www.mic.gov.vn/TBT/QCVN_102_2016"

// Zone is Vietnam time (UTC+7, no daylight saving). Parsed timestamps are in
// this location, and Build writes timestamps in it.
var Zone = time.FixedZone("ICT", 7*60*60)

// Organization is a sender or recipient (From, To, status From).
type Organization struct {
	OrganID              string
	OrganizationInCharge string
	OrganName            string
	OrganAdd             string
	Email                string
	Telephone            string
	Fax                  string
	Website              string
}

// Code is the document's number and symbol: CodeNumber "204",
// CodeNotation "QĐ/TW".
type Code struct {
	CodeNumber   string
	CodeNotation string
}

// PromulgationInfo is where and when the document was issued.
type PromulgationInfo struct {
	Place            string
	PromulgationDate Date
}

// DocumentType is the type code and its name.
type DocumentType struct {
	Type     int
	TypeName string
}

// SignerInfo names the signer. Competence is the signing label (T/M, K/T…).
type SignerInfo struct {
	Competence string
	Position   string
	FullName   string
}

// OtherInfo carries priority (0 thường, 1 khẩn, 2 thượng khẩn, 3 hỏa tốc,
// 4 hỏa tốc hẹn giờ), scope, amounts and appendix titles.
type OtherInfo struct {
	Priority             int
	SphereOfPromulgation string
	TyperNotation        string
	PromulgationAmount   int
	PageAmount           int
	Appendixes           []string
}

// ResponseFor points at a document this message answers (or, in a status
// message, the document whose status is reported).
type ResponseFor struct {
	OrganID          string
	Code             string
	PromulgationDate Date
	DocumentID       string
}

// TraceHeader records one hop of the message.
type TraceHeader struct {
	OrganID   string
	Timestamp time.Time
}

// BusinessCode is BussinessDocType.
type BusinessCode int

const (
	BusinessNew     BusinessCode = 0 // văn bản mới
	BusinessRecall  BusinessCode = 1 // thu hồi
	BusinessUpdate  BusinessCode = 2 // cập nhật
	BusinessReplace BusinessCode = 3 // thay thế
)

// StaffInfo names the person who acted.
type StaffInfo struct {
	Department string
	Staff      string
	Mobile     string
	Email      string
}

// Business is the Bussiness block of the trace list.
type Business struct {
	DocType   BusinessCode
	DocReason string
	Paper     int // 1 when a paper copy is also sent
	StaffInfo StaffInfo
}

// Attachment is a file carried base64-encoded in the envelope.
type Attachment struct {
	Name        string
	ContentType string
	Description string
	Data        []byte
	// Open, when Data is nil, supplies the bytes while Build writes them, so
	// a large attachment is streamed into the envelope rather than held in
	// memory. An error from Open or from reading (e.g. a digest mismatch)
	// stops Build. Parse never sets it.
	Open func() (io.ReadCloser, error)
}

// Message is an edXML document envelope.
type Message struct {
	From             Organization
	To               []Organization
	Code             Code
	PromulgationInfo PromulgationInfo
	DocumentType     DocumentType
	Subject          string
	Content          string
	SignerInfo       SignerInfo
	DueDate          Date // zero when absent
	ToPlaces         []string
	OtherInfo        OtherInfo
	SteeringType     int
	DocumentID       string // "OrganId,yyyy/MM/dd,Số/Ký hiệu"
	ResponseFor      []ResponseFor

	TraceHeaders []TraceHeader
	Business     Business

	// Signature is the raw inner XML of the Signature element, kept verbatim.
	Signature string

	Attachments []Attachment
}

// Status is a status message (thông điệp trạng thái) with StatusCode 1–6.
type Status struct {
	ResponseFor ResponseFor
	From        Organization
	StatusCode  int // 1..6, written "01".."06"
	Description string
	Timestamp   time.Time
	StaffInfo   StaffInfo
}

// Error is a validation or format error. Message is Vietnamese, for users;
// Path locates the offending element, e.g. "MessageHeader/Subject".
type Error struct {
	Path    string
	Message string
	Err     error // underlying cause, if any
}

func (e *Error) Error() string {
	if e.Path == "" {
		return e.Message
	}
	return e.Message + " (" + e.Path + ")"
}

func (e *Error) Unwrap() error { return e.Err }

func errf(path, format string, args ...any) *Error {
	return &Error{Path: path, Message: fmt.Sprintf(format, args...)}
}

// Date is a calendar date without time zone.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// IsZero reports whether d is the zero Date (absent).
func (d Date) IsZero() bool { return d == Date{} }

// String formats d as yyyy/MM/dd.
func (d Date) String() string {
	return fmt.Sprintf("%04d/%02d/%02d", d.Year, int(d.Month), d.Day)
}

// Valid reports whether d is a real calendar date with a four-digit year.
func (d Date) Valid() bool {
	if d.Year < 1 || d.Year > 9999 || d.Month < 1 || d.Month > 12 || d.Day < 1 {
		return false
	}
	t := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
	return t.Day() == d.Day && t.Month() == d.Month
}

// ParseDate reads yyyy/MM/dd, yyyy-MM-dd or dd/MM/yyyy.
func ParseDate(s string) (Date, bool) {
	var parts []string
	switch {
	case strings.Count(s, "/") == 2:
		parts = strings.Split(s, "/")
	case strings.Count(s, "-") == 2:
		parts = strings.Split(s, "-")
	default:
		return Date{}, false
	}
	if len(parts[0]) == 2 && len(parts[2]) == 4 && strings.Contains(s, "/") {
		parts[0], parts[2] = parts[2], parts[0]
	}
	if len(parts[0]) != 4 || len(parts[1]) != 2 || len(parts[2]) != 2 {
		return Date{}, false
	}
	y, ok1 := digits(parts[0])
	m, ok2 := digits(parts[1])
	d, ok3 := digits(parts[2])
	if !ok1 || !ok2 || !ok3 {
		return Date{}, false
	}
	date := Date{Year: y, Month: time.Month(m), Day: d}
	return date, date.Valid()
}

func digits(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

const timestampLayout = "02/01/2006 15:04:05"

var timestampLayouts = []string{
	timestampLayout,
	"2006/01/02 15:04:05",
	"2006-01-02 15:04:05",
}

// ParseTimestamp reads the timestamp forms listed in the package comment.
func ParseTimestamp(s string) (time.Time, bool) {
	for _, l := range timestampLayouts {
		if len(s) != len(l) {
			continue
		}
		if t, err := time.ParseInLocation(l, s, Zone); err == nil {
			return t, true
		}
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil && t.Year() >= 1 && t.Year() <= 9999 {
		t = t.In(Zone).Truncate(time.Second)
		if t.Year() >= 1 && t.Year() <= 9999 {
			return t, true
		}
	}
	return time.Time{}, false
}

func formatTimestamp(t time.Time) string { return t.In(Zone).Format(timestampLayout) }

// validTimestamp reports whether t can be written and read back unchanged.
func validTimestamp(t time.Time) bool {
	if t.IsZero() {
		return false
	}
	v := t.In(Zone)
	return v.Year() >= 1 && v.Year() <= 9999 && v.Nanosecond() == 0
}

// ValidDocumentID checks "OrganId,yyyy/MM/dd,Số/Ký hiệu".
func ValidDocumentID(s string) bool {
	parts := strings.Split(s, ",")
	if len(parts) != 3 {
		return false
	}
	organ, date, code := strings.TrimSpace(parts[0]), parts[1], strings.TrimSpace(parts[2])
	if organ == "" || len(date) != 10 || date[4] != '/' {
		return false
	}
	if _, ok := ParseDate(date); !ok {
		return false
	}
	num, notation, ok := strings.Cut(code, "/")
	return ok && strings.TrimSpace(num) != "" && strings.TrimSpace(notation) != ""
}
