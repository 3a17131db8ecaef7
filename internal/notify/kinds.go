package notify

// Category groups notification kinds for the notification centre: each
// has its own icon, so a glance tells a deadline from a new assignment.
type Category string

// Categories of notifications.
const (
	CategoryIncoming   Category = "incoming"   // văn bản đến
	CategoryAssignment Category = "assignment" // giao việc, phân công
	CategoryDeadline   Category = "deadline"   // hạn xử lý
	CategoryReturned   Category = "returned"   // trả lại
	CategoryDecision   Category = "decision"   // đề nghị và quyết định gia hạn
	CategorySchedule   Category = "schedule"   // lịch công tác
	CategoryOutgoing   Category = "outgoing"   // văn bản đi
	CategoryDone       Category = "done"       // hoàn thành, nghiệm thu
	CategoryCancelled  Category = "cancelled"  // thu hồi, hủy
	CategoryReport     Category = "report"     // báo cáo
	CategoryOther      Category = "other"
)

// KindInfo says what a kind of notification is, in Vietnamese.
type KindInfo struct {
	Label    string
	Category Category
}

// kinds names every kind of notification any capability creates.
// kinds_test.go reads the code and fails when a kind has no entry here.
var kinds = map[string]KindInfo{
	// Incoming documents and their handling (routing).
	"presented":          {"Văn bản đến chờ cho ý kiến", CategoryIncoming},
	"assigned":           {"Phân công xử lý văn bản đến", CategoryAssignment},
	"completed":          {"Văn bản đến đã xử lý xong", CategoryDone},
	"returned":           {"Văn bản đến bị trả lại", CategoryReturned},
	"reminder_due":       {"Văn bản sắp đến hạn xử lý", CategoryDeadline},
	"reminder_overdue":   {"Văn bản quá hạn xử lý", CategoryDeadline},
	"overdue_escalation": {"Văn bản đã giao quá hạn xử lý", CategoryDeadline},

	// Copies delivered on the platform (outgoing, at the recipients).
	"incoming_arrived":   {"Văn bản đến chờ vào sổ", CategoryIncoming},
	"incoming_recalled":  {"Văn bản đến bị thu hồi", CategoryCancelled},
	"incoming_replaced":  {"Văn bản đến bị thay thế", CategoryIncoming},
	"incoming_corrected": {"Văn bản đến được đính chính", CategoryIncoming},

	// Outgoing documents: the circuit and issue (outgoing).
	"outgoing_review":   {"Văn bản đi chờ cho ý kiến", CategoryOutgoing},
	"outgoing_format":   {"Văn bản đi chờ kiểm tra thể thức", CategoryOutgoing},
	"outgoing_sign":     {"Văn bản đi chờ ký", CategoryOutgoing},
	"outgoing_returned": {"Dự thảo văn bản đi bị trả lại", CategoryReturned},
	"outgoing_approved": {"Văn bản đi đã được duyệt, ký", CategoryDone},
	"outgoing_issue":    {"Văn bản đi chờ cấp số, phát hành", CategoryOutgoing},
	"outgoing_issued":   {"Văn bản đi đã phát hành", CategoryDone},

	// Tasks (tasks).
	"task_assigned":            {"Giao việc", CategoryAssignment},
	"task_extension_requested": {"Đề nghị gia hạn công việc", CategoryDecision},
	"task_extension_decided":   {"Quyết định gia hạn công việc", CategoryDecision},
	"task_completed":           {"Công việc báo hoàn thành, chờ nghiệm thu", CategoryDone},
	"task_accepted":            {"Công việc đã được nghiệm thu", CategoryDone},
	"task_returned":            {"Công việc bị trả lại", CategoryReturned},
	"task_cancelled":           {"Công việc bị hủy", CategoryCancelled},
	"task_near_due":            {"Công việc sắp đến hạn", CategoryDeadline},
	"task_overdue":             {"Công việc quá hạn", CategoryDeadline},
	"task_near_due_escalation": {"Việc đã giao sắp đến hạn", CategoryDeadline},
	"task_overdue_escalation":  {"Việc đã giao quá hạn", CategoryDeadline},

	// Work schedules (schedules).
	"schedule.published": {"Lịch công tác đã công bố", CategorySchedule},
	"schedule.changed":   {"Lịch công tác điều chỉnh", CategorySchedule},
	"schedule.cancelled": {"Lịch công tác hủy nội dung", CategorySchedule},

	// Periodic reports (the reports capability, merged separately).
	"report_reminder":  {"Nhắc nộp báo cáo", CategoryDeadline},
	"report_approval":  {"Báo cáo chờ duyệt", CategoryReport},
	"report_sent_back": {"Báo cáo cần sửa", CategoryReturned},
	"report_accepted":  {"Báo cáo đã được chấp nhận", CategoryDone},
	"report_returned":  {"Báo cáo bị trả lại", CategoryReturned},
}

// Describe says what kind of notification kind is; an unknown kind (from
// an older release, say) reads as a plain "Thông báo".
func Describe(kind string) KindInfo {
	if k, ok := kinds[kind]; ok {
		return k
	}
	return KindInfo{Label: "Thông báo", Category: CategoryOther}
}
