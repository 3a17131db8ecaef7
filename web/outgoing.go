package web

import (
	"fmt"
	"strings"
	"time"

	"github.com/a-h/templ"

	"vanthu/internal/documents"
	"vanthu/internal/outgoing"
)

// OutgoingListView is the outgoing list: boxes, filters, the table.
type OutgoingListView struct {
	Form      Form
	Tab       string
	Tabs      []IncomingTab
	TabHint   string
	Items     []outgoing.Item
	NextURL   string
	FirstURL  string
	Paged     bool
	Filtered  bool
	MoreOpen  bool
	ClearURL  string
	CanDraft  bool
	Types     []string
	ExportURL string
	// PrintRegisters are the outgoing registers of the person's units to
	// print or export, when there is a choice to make.
	PrintRegisters []Option
}

// OutgoingFormView is the draft form (new or edit).
type OutgoingFormView struct {
	Form         Form
	Editing      int64    // the draft being edited; 0 for a new one
	Units        []Option // units the person drafts for, when more than one
	Types        []string
	Signers      []Option
	Recipients   UnitPickerField
	Link         *OutgoingLinkForm
	MaxFile      string
	Isolated     bool
	FilesAgain   []string
	ShowFiles    bool
	SubmitLabel  string
	CancelHref   string
	PageHeading  string
	Intro        string
	LinkedHeader string
}

// OutgoingLinkForm is the original a new draft replaces or corrects.
type OutgoingLinkForm struct {
	Kind     string
	TargetID int64
	Symbol   string
	Subject  string
}

// OutgoingAction is one action the viewer may take, with its form's
// values and messages.
type OutgoingAction struct {
	Form Form
}

// OutgoingView is an outgoing document's page.
type OutgoingView struct {
	Doc         outgoing.Detail
	StateLabel  string
	Round       *outgoing.Round // the open round, else the latest
	PastRounds  []outgoing.Round
	Versions    []outgoing.Version
	Tracking    []outgoing.Tracked
	Links       outgoing.Links
	Events      []documents.Event
	Comments    []documents.Comment
	CommentForm Form
	Isolated    bool
	Now         time.Time
	// Signatures are the verdicts of every file (versions and issued
	// copies) with "verify again"; IssuedCopies are the final version's
	// PDFs with the agency's signature, left out of Versions.
	Signatures   SignaturePanel
	IssuedCopies []IssuedCopy
	// CanExportEDXML: an issued (or recalled) document that is not
	// classified can be downloaded as an edXML package.
	CanExportEDXML bool

	// What the viewer may do, with each form (values and messages).
	Forms       map[string]Form
	CanEdit     bool
	UploadKind  string // "draft", "signed" or "" (none)
	CanSubmit   bool
	CanWithdraw bool
	CanReview   bool
	ReviewStep  int
	CanFormat   bool
	CanSign     bool
	SignedReady bool // the last version is the signed PDF
	CanIssue    bool
	IssueNote   string
	CanRecall   bool
	CanLink     bool // may draft a replacement or a correction
	Signers     []Option
	Reviewers   []Option
	StepSlots   int // step selects shown in the circuit form
	ActionFlash *Flash
}

// IssuedCopy is a PDF of the final version as issued: the original with
// the agency's signature appended.
type IssuedCopy struct {
	Version int
	File    outgoing.VersionFile
}

// Form returns an action's form (empty when none was sent).
func (v OutgoingView) Form(name string) Form {
	if f, ok := v.Forms[name]; ok {
		return f
	}
	return Form{Values: map[string]string{}, Errors: map[string]string{}}
}

// HasActions reports whether the viewer may do anything on the page.
func (v OutgoingView) HasActions() bool {
	return v.CanEdit || v.UploadKind != "" || v.CanSubmit || v.CanWithdraw || v.CanReview || v.CanFormat || v.CanSign ||
		v.CanIssue || v.CanRecall || v.CanLink
}

// OutgoingDoneMessage is the message after an action redirects back with
// ?done=key; "" for an unknown key.
func OutgoingDoneMessage(key string) string {
	switch key {
	case "created":
		return "Đã lưu dự thảo."
	case "edited":
		return "Đã lưu thông tin dự thảo."
	case "version":
		return "Đã tải lên phiên bản mới."
	case "submitted":
		return "Đã trình duyệt dự thảo."
	case "reviewed":
		return "Đã ghi ý kiến đồng ý."
	case "returned":
		return "Đã trả lại dự thảo cho người soạn thảo."
	case "format":
		return "Đã xác nhận đạt thể thức; dự thảo chuyển người ký."
	case "withdrawn":
		return "Đã rút lại dự thảo để sửa."
	case "approved":
		return "Đã duyệt, ký văn bản; văn thư sẽ cấp số và phát hành."
	case "issued":
		return "Đã cấp số và phát hành văn bản."
	case "recalled":
		return "Đã thu hồi văn bản; bản của các nơi nhận đã bị đình chỉ."
	case "comment":
		return "Đã gửi ý kiến."
	}
	return ""
}

func outgoingHref(id int64) templ.SafeURL { return templ.SafeURL(fmt.Sprintf("/outgoing/%d", id)) }

func outgoingAction(id int64, action string) templ.SafeURL {
	return templ.SafeURL(fmt.Sprintf("/outgoing/%d/%s", id, action))
}

// stateBadge colours an outgoing state.
func stateBadge(state string, replaced bool) string {
	switch {
	case replaced:
		return "badge warn"
	case state == outgoing.StateIssued:
		return "badge ok"
	case state == outgoing.StateReturned, state == outgoing.StateRecalled:
		return "badge bad"
	case state == outgoing.StateApproved:
		return "badge warn"
	}
	return "badge"
}

// outsideNote marks an outside recipient, with its identifier once known.
func outsideNote(t outgoing.Tracked) string {
	if t.OrganID != nil && *t.OrganID != "" {
		return "(ngoài hệ thống · mã định danh " + *t.OrganID + ")"
	}
	return "(ngoài hệ thống)"
}

// trackedBadge colours a recipient's copy state.
func trackedBadge(t outgoing.Tracked) string {
	switch {
	case t.RecalledAt != nil, t.Status != nil && *t.Status == documents.StatusRejected:
		return "badge bad"
	case t.Status != nil && *t.Status == documents.StatusDone:
		return "badge ok"
	case t.Status != nil && *t.Status == documents.StatusArrived:
		return "badge warn"
	}
	return "badge"
}

func reviewLabel(rv outgoing.Review, r outgoing.Round) string {
	switch {
	case rv.Decision != nil && *rv.Decision == outgoing.DecisionApproved:
		return "Đồng ý"
	case rv.Decision != nil:
		return "Trả lại"
	case !r.Open():
		return "Không cho ý kiến"
	case r.Stage == outgoing.StageReview && r.CurrentStep != nil && *r.CurrentStep == rv.Step:
		return "Chờ cho ý kiến"
	case r.Stage == outgoing.StageReview && r.CurrentStep != nil && *r.CurrentStep < rv.Step:
		return "Chưa đến lượt"
	}
	return "—"
}

func reviewBadge(rv outgoing.Review) string {
	switch {
	case rv.Decision == nil:
		return "badge"
	case *rv.Decision == outgoing.DecisionApproved:
		return "badge ok"
	}
	return "badge bad"
}

// roundSteps groups a round's reviews by step, in order.
func roundSteps(r outgoing.Round) [][]outgoing.Review {
	var out [][]outgoing.Review
	for _, rv := range r.Reviews {
		for len(out) < rv.Step {
			out = append(out, nil)
		}
		out[rv.Step-1] = append(out[rv.Step-1], rv)
	}
	return out
}

func roundStatus(r outgoing.Round) string {
	if r.Stage == outgoing.StageReview && r.CurrentStep != nil {
		return fmt.Sprintf("Đang xin ý kiến (bước %d/%d)", *r.CurrentStep, r.Steps)
	}
	return outgoing.StageLabel(r.Stage)
}

func stepMode(n int) string {
	if n > 1 {
		return "song song, tất cả cùng đồng ý"
	}
	return "một người"
}

func versionKindLabel(kind string) string {
	if kind == outgoing.VersionSigned {
		return "Bản đã ký số"
	}
	return "Dự thảo"
}

func fileType(ct string) string {
	switch ct {
	case "application/pdf":
		return "PDF"
	case "application/vnd.openxmlformats-officedocument.wordprocessingml.document":
		return "DOCX"
	}
	return ct
}

func outgoingFileHref(docID, fileID int64) templ.SafeURL {
	return templ.SafeURL(fmt.Sprintf("/documents/%d/files/%d", docID, fileID))
}

func outgoingSortOptions() []Option {
	out := make([]Option, 0, len(outgoing.ListSorts))
	for _, s := range outgoing.ListSorts {
		out = append(out, Option{s.Key, s.Label})
	}
	return out
}

var outgoingPriorities = []Option{
	{"thuong", "Thường"}, {"khan", "Khẩn"}, {"thuong_khan", "Thượng khẩn"}, {"hoa_toc", "Hỏa tốc"},
}

func stepName(i int) string { return fmt.Sprintf("step_%d", i) }

func stepSlots(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i + 1
	}
	return out
}

// selectedIn reports whether value is among the comma-joined values of a
// multi-valued field kept in a Form.
func selectedIn(f Form, name, value string) bool {
	for _, v := range strings.Split(f.Get(name), ",") {
		if v == value {
			return true
		}
	}
	return false
}
