package signature

// Status is the verdict on a stored file as users see it: Report.Verdict
// refined by the first reason found.
type Status string

const (
	StatusValid      Status = "valid"      // every signature intact, trusted, valid at signing time
	StatusAltered    Status = "altered"    // bytes changed after signing (or the file is damaged)
	StatusUntrusted  Status = "untrusted"  // the certificate does not chain to a trusted root
	StatusExpired    Status = "expired"    // the certificate was expired when signing
	StatusInvalid    Status = "invalid"    // any other problem (broken signature, key usage…)
	StatusUnsigned   Status = "unsigned"   // a PDF without signatures
	StatusUnreadable Status = "unreadable" // the PDF could not be read to look for signatures
)

// StatusOf turns a verification report into a status.
func StatusOf(r Report) Status {
	switch r.Verdict {
	case VerdictValid:
		return StatusValid
	case VerdictUnsigned:
		return StatusUnsigned
	}
	return statusForReason(r.Reason)
}

func statusForReason(reason string) Status {
	switch reason {
	case "":
		return StatusValid
	case ReasonAltered, ReasonDamaged:
		return StatusAltered
	case ReasonUntrusted:
		return StatusUntrusted
	case ReasonExpired:
		return StatusExpired
	}
	return StatusInvalid
}

// Label is the Vietnamese verdict shown to users.
func (s Status) Label() string {
	switch s {
	case StatusValid:
		return "Hợp lệ"
	case StatusAltered:
		return "Không hợp lệ — nội dung đã bị thay đổi"
	case StatusUntrusted:
		return "Chứng thư không được tin cậy"
	case StatusExpired:
		return "Chứng thư đã hết hạn"
	case StatusInvalid:
		return "Không hợp lệ"
	case StatusUnsigned:
		return "Chưa ký số"
	case StatusUnreadable:
		return "Không kiểm tra được"
	}
	return string(s)
}

// Tone is how the verdict is coloured: "ok", "bad", "warn" or "" (neutral).
func (s Status) Tone() string {
	switch s {
	case StatusValid:
		return "ok"
	case StatusAltered, StatusInvalid, StatusExpired:
		return "bad"
	case StatusUntrusted, StatusUnreadable:
		return "warn"
	}
	return ""
}

// TimeSourceLabel says in Vietnamese where a signing time comes from.
func TimeSourceLabel(src string) string {
	switch src {
	case TimeSourceTimestamp:
		return "dấu thời gian của tổ chức cấp dấu thời gian tin cậy"
	case TimeSourceSigned:
		return "đồng hồ máy của người ký, ghi trong chữ ký"
	case TimeSourceDict:
		return "đồng hồ máy của người ký, ghi trong từ điển chữ ký"
	}
	return "chữ ký không ghi thời gian; hiệu lực chứng thư được xét tại lúc kiểm tra"
}

// CoverageLabel says in Vietnamese how much of the file a signature covers.
func CoverageLabel(c string) string {
	switch Coverage(c) {
	case CoverageWholeFile:
		return "toàn bộ tệp"
	case CoverageRevision:
		return "bản tệp tại lúc ký, trước các phần được thêm sau đó"
	case CoverageBroken:
		return "phạm vi ký không hợp lệ"
	}
	return c
}
