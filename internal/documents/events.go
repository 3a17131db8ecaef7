package documents

// eventLabels names every kind of timeline entry, whichever capability
// writes it (documents, routing, outgoing, exchange): a document page shows
// one timeline, and a delivered or imported copy carries entries of several
// capabilities. events_test.go fails when code writes a kind missing here.
var eventLabels = map[string]string{
	// Registration and reading (documents).
	"registered":      "Vào sổ",
	"viewed":          "Xem",
	"commented":       "Ý kiến trao đổi",
	"file_downloaded": "Tải tệp",

	// Handling (routing).
	"presented":  "Trình lãnh đạo",
	"directed":   "Cho ý kiến chỉ đạo",
	"assigned":   "Phân công",
	"reassigned": "Giao lại trong đơn vị",
	"accepted":   "Nhận xử lý",
	"progress":   "Cập nhật tiến độ",
	"returned":   "Trả lại",
	"completed":  "Hoàn thành",
	"reminded":   "Nhắc hạn",

	// Drafting, the circuit and issue (outgoing).
	"drafted":           "Soạn thảo",
	"edited":            "Sửa thông tin dự thảo",
	"version_uploaded":  "Tải lên phiên bản",
	"submitted":         "Trình duyệt",
	"review_approved":   "Đồng ý",
	"review_returned":   "Trả lại",
	"format_checked":    "Đạt thể thức",
	"format_returned":   "Trả lại (thể thức)",
	"withdrawn":         "Rút lại để sửa",
	"outgoing_approved": "Duyệt, ký",
	"outgoing_returned": "Người ký trả lại",
	"issued":            "Cấp số, phát hành",

	// Copies delivered on the platform and what follows issue (outgoing).
	"delivered":            "Nhận qua hệ thống",
	"recipient_registered": "Nơi nhận đã vào sổ",
	"recipient_rejected":   "Nơi nhận từ chối",
	"rejected":             "Từ chối tiếp nhận",
	"recalled":             "Thu hồi",
	"replaced":             "Bị thay thế",
	"corrected":            "Được đính chính",
	"replacement_drafted":  "Soạn văn bản thay thế",
	"correction_drafted":   "Soạn văn bản đính chính",

	// Exchange with outside organisations (exchange).
	"exchange_received": "Nhận qua liên thông (edXML)",
	"exchange_updated":  "Nơi gửi cập nhật văn bản (edXML)",
	"exchange_replaced": "Bị thay thế bởi văn bản mới (edXML)",
	"edxml_exported":    "Xuất gói edXML",
	"recipient_status":  "Nơi nhận ngoài hệ thống báo trạng thái",
}

// EventLabel is the Vietnamese name of a timeline entry.
func EventLabel(kind string) string {
	if l, ok := eventLabels[kind]; ok {
		return l
	}
	return kind
}
