package outgoing

import (
	"fmt"

	"vanthu/internal/documents"
)

// StageLabel is the Vietnamese name of a round's stage.
func StageLabel(stage string) string {
	switch stage {
	case StageReview:
		return "Đang xin ý kiến"
	case StageFormat:
		return "Chờ kiểm tra thể thức"
	case StageSigning:
		return "Chờ ký"
	case StageApproved:
		return "Đã duyệt, ký"
	case StageReturned:
		return "Bị trả lại"
	case StageWithdrawn:
		return "Đã rút lại"
	}
	return stage
}

// DisplayState says where an outgoing document is, from its state and its
// open round (if any).
func DisplayState(state string, stage *string, step, steps *int, replaced bool) string {
	switch state {
	case StateDraft:
		if stage == nil {
			return "Đang soạn thảo"
		}
		if *stage == StageReview && step != nil && steps != nil {
			return fmt.Sprintf("Đang xin ý kiến (bước %d/%d)", *step, *steps)
		}
		return StageLabel(*stage)
	case StateApproved:
		return "Đã ký, chờ phát hành"
	case StateIssued:
		if replaced {
			return "Đã bị thay thế"
		}
	}
	return StateLabel(state)
}

// EventLabel names a timeline entry of an outgoing document (and of the
// copies it delivers); other kinds are named by documents.EventLabel.
func EventLabel(kind string) string {
	switch kind {
	case "drafted":
		return "Soạn thảo"
	case "edited":
		return "Sửa thông tin dự thảo"
	case "version_uploaded":
		return "Tải lên phiên bản"
	case "submitted":
		return "Trình duyệt"
	case "review_approved":
		return "Đồng ý"
	case "review_returned":
		return "Trả lại"
	case "format_checked":
		return "Đạt thể thức"
	case "format_returned":
		return "Trả lại (thể thức)"
	case "withdrawn":
		return "Rút lại để sửa"
	case "outgoing_approved":
		return "Duyệt, ký"
	case "outgoing_returned":
		return "Người ký trả lại"
	case "issued":
		return "Cấp số, phát hành"
	case "delivered":
		return "Nhận qua hệ thống"
	case "recipient_registered":
		return "Nơi nhận đã vào sổ"
	case "recipient_rejected":
		return "Nơi nhận từ chối"
	case "recalled":
		return "Thu hồi"
	case "rejected":
		return "Từ chối"
	case "replaced":
		return "Bị thay thế"
	case "corrected":
		return "Được đính chính"
	case "replacement_drafted":
		return "Soạn văn bản thay thế"
	case "correction_drafted":
		return "Soạn văn bản đính chính"
	}
	return documents.EventLabel(kind)
}
