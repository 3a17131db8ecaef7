package outgoing

import "fmt"

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
