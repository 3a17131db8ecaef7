package web

import (
	"encoding/json"
	"testing"

	"vanthu/internal/documents"
)

// Timeline details read as Vietnamese sentences, from the JSON the
// capabilities store (numbers arrive as float64, lists as []any).
func TestEventDetail(t *testing.T) {
	for _, c := range []struct {
		kind, details, want string
	}{
		{"registered", `{"arrival_number": 12, "register": "Sổ văn bản đến", "files": 0}`, "Số đến 12 · Sổ văn bản đến · không kèm tệp"},
		{"directed", `{"body": "Giao Ban Tổ chức", "deadline": "2026-03-20"}`, "Giao Ban Tổ chức · hạn 20/03/2026"},
		{"assigned", `{"role": "lead", "assignee": "Ban Tổ chức"}`, "Chủ trì: Ban Tổ chức"},
		{"version_uploaded", `{"version": 2, "kind": "signed", "files": ["a.pdf"], "note": "đã ký"}`,
			"phiên bản 2 (bản đã ký số) · a.pdf · Ghi chú: đã ký"},
		{"submitted", `{"round": 1, "version": 1, "signer": "Bí thư", "steps": [["An", "Bình"]], "note": ""}`,
			"Vòng 1 · phiên bản 1 · người ký: Bí thư · bước 1: An, Bình"},
		{"review_returned", `{"round": 2, "step": 1, "reason": "Sai số liệu"}`, "Vòng 2 · bước 1 · Lý do: Sai số liệu"},
		{"issued", `{"number": 5, "symbol": "5-CV/TU", "register": "Sổ văn bản đi", "delivered": 2}`,
			"số 5-CV/TU · Sổ văn bản đi · gửi tới 2 đơn vị trên hệ thống"},
		{"recipient_rejected", `{"unit_id": 3, "unit": "Đảng ủy xã A", "reason": "Gửi nhầm"}`, "Đảng ủy xã A · Lý do: Gửi nhầm"},
		{"recalled", `{"copies": 2, "reason": "Ban hành nhầm"}`, "2 bản của nơi nhận bị đình chỉ · Lý do: Ban hành nhầm"},
		{"exchange_received", `{"from": "Bộ Nội vụ", "from_organ_id": "G09", "business_code": 3, "files": 1}`,
			"Từ Bộ Nội vụ (G09) · thay thế · 1 tệp"},
		{"exchange_updated", `{"changed": ["subject", "due_date"], "files": 0, "reason": "Sửa hạn"}`,
			"Thay đổi: trích yếu, hạn xử lý · Lý do: Sửa hạn"},
		{"edxml_exported", `{"edxml_document_id": "G12,2026/03/05,96/CV/TU", "business_code": 1, "files": 1}`,
			"thu hồi · DocumentId: G12,2026/03/05,96/CV/TU · 1 tệp đính kèm"},
		{"recipient_status", `{"organ": "Bộ Nội vụ", "status": "03", "description": "Đã tiếp nhận", "applied": false}`,
			"Bộ Nội vụ: Đã vào sổ · Đã tiếp nhận · thông điệp đến muộn hơn trạng thái đã ghi nên không thay đổi trạng thái"},
		{"viewed", `{}`, ""},
	} {
		var d map[string]any
		if err := json.Unmarshal([]byte(c.details), &d); err != nil {
			t.Fatal(err)
		}
		if got := EventDetail(documents.Event{Kind: c.kind, Details: d}); got != c.want {
			t.Errorf("%s: %q, want %q", c.kind, got, c.want)
		}
	}
}
