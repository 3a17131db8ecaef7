package web

import (
	"fmt"
	"strings"
	"time"

	"vanthu/internal/documents"
	"vanthu/internal/routing"
)

// EventDetail says in words what a timeline entry carried (its JSON
// details), for every kind any capability writes; "" when there is nothing
// to add to the label and the actor.
func EventDetail(e documents.Event) string {
	d := e.Details
	str := func(key string) string {
		s, _ := d[key].(string)
		return strings.TrimSpace(s)
	}
	num := func(key string) (int64, bool) { return detailNumber(d, key) }
	var parts []string
	put := func(s string) {
		if s != "" {
			parts = append(parts, s)
		}
	}
	labelled := func(label, key string) {
		if s := str(key); s != "" {
			put(label + ": " + s)
		}
	}
	count := func(key, unit string) {
		if n, ok := num(key); ok {
			put(fmt.Sprintf("%d %s", n, unit))
		}
	}
	round := func() {
		if n, ok := num("round"); ok {
			put(fmt.Sprintf("Vòng %d", n))
		}
		if n, ok := num("step"); ok {
			put(fmt.Sprintf("bước %d", n))
		}
	}

	switch e.Kind {
	case "registered":
		if n, ok := num("arrival_number"); ok {
			put(fmt.Sprintf("Số đến %d", n))
		}
		put(str("register"))
		if n, ok := num("files"); ok {
			if n == 0 {
				put("không kèm tệp")
			} else {
				put(fmt.Sprintf("%d tệp", n))
			}
		}
	case "file_downloaded":
		put(str("file"))
	case "presented":
		if s := str("leader"); s != "" {
			put("Trình đồng chí " + s)
		}
	case "directed":
		put(str("body"))
		if day := dayFromISO(str("deadline")); day != "" {
			put("hạn " + day)
		}
	case "assigned", "accepted":
		if role := str("role"); role != "" {
			put(routing.RoleLabel(role) + optional(": ", str("assignee")))
		}
	case "reassigned":
		put(str("unit") + optional(" giao ", str("assignee")) + optional(" (", routing.RoleLabel(str("role")), ")"))
		put(str("body"))
	case "progress":
		if n, ok := num("percent"); ok {
			put(fmt.Sprintf("%d%%", n))
		}
		put(str("note"))
	case "completed":
		put(str("result"))
		put(str("note"))
	case "reminded":
		switch str("state") {
		case "overdue":
			put("quá hạn")
		case "near_due":
			put("sắp đến hạn")
		}
	case "drafted":
		count("files", "tệp")
		count("recipients", "nơi nhận")
	case "edited":
		count("recipients", "nơi nhận")
	case "version_uploaded":
		if n, ok := num("version"); ok {
			put(fmt.Sprintf("phiên bản %d (%s)", n, strings.ToLower(versionKindLabel(str("kind")))))
		}
		put(strings.Join(stringList(d["files"]), ", "))
		labelled("Ghi chú", "note")
	case "submitted":
		round()
		if n, ok := num("version"); ok {
			put(fmt.Sprintf("phiên bản %d", n))
		}
		labelled("người ký", "signer")
		if steps, ok := d["steps"].([]any); ok && len(steps) > 0 {
			var ss []string
			for i, st := range steps {
				ss = append(ss, fmt.Sprintf("bước %d: %s", i+1, strings.Join(stringList(st), ", ")))
			}
			put(strings.Join(ss, "; "))
		}
		labelled("Ghi chú", "note")
	case "review_approved", "format_checked":
		round()
		labelled("Ý kiến", "note")
	case "review_returned", "format_returned", "withdrawn", "outgoing_approved", "outgoing_returned",
		"rejected", "returned":
		round()
		labelled("Lý do", "reason")
	case "issued":
		if s := str("symbol"); s != "" {
			put("số " + s)
		}
		put(str("register"))
		if n, ok := num("delivered"); ok && n > 0 {
			put(fmt.Sprintf("gửi tới %d đơn vị trên hệ thống", n))
		}
	case "delivered":
		if s := str("from"); s != "" {
			put("Từ " + s)
		}
	case "recipient_registered":
		put(str("unit"))
	case "recipient_rejected":
		put(str("unit"))
		labelled("Lý do", "reason")
	case "recalled":
		if s := str("from"); s != "" {
			put("Theo thông điệp thu hồi của " + s)
		}
		if n, ok := num("copies"); ok && n > 0 {
			put(fmt.Sprintf("%d bản của nơi nhận bị đình chỉ", n))
		}
		labelled("Lý do", "reason")
	case "replaced":
		if s := str("symbol"); s != "" {
			put("bởi văn bản số " + s)
		}
	case "corrected":
		if s := str("symbol"); s != "" {
			put("bởi văn bản số " + s)
		}
	case "replacement_drafted", "correction_drafted":
		labelled("Sai sót", "reason")
	case "exchange_received":
		if s := str("from"); s != "" {
			put("Từ " + s + optional(" (", str("from_organ_id"), ")"))
		}
		if n, ok := num("business_code"); ok && n != 0 {
			put(BusinessCodeLabel(n))
		}
		count("files", "tệp")
	case "exchange_updated":
		if fields := stringList(d["changed"]); len(fields) > 0 {
			names := make([]string, 0, len(fields))
			for _, f := range fields {
				names = append(names, changedFieldLabel(f))
			}
			put("Thay đổi: " + strings.Join(names, ", "))
		} else {
			put("Thông tin không đổi")
		}
		if n, ok := num("files"); ok && n > 0 {
			put(fmt.Sprintf("%d tệp mới", n))
		}
		labelled("Lý do", "reason")
	case "exchange_replaced":
		labelled("Lý do", "reason")
		if frozen, _ := d["frozen"].(bool); frozen {
			put("bản này chưa vào sổ nên bị đình chỉ")
		}
	case "edxml_exported":
		if n, ok := num("business_code"); ok {
			put(BusinessCodeLabel(n))
		}
		labelled("DocumentId", "edxml_document_id")
		count("files", "tệp đính kèm")
	case "recipient_status":
		if s := str("organ"); s != "" {
			put(s + optional(": ", documents.StatusLabel(str("status"))))
		}
		put(str("description"))
		if applied, ok := d["applied"].(bool); ok && !applied {
			put("thông điệp đến muộn hơn trạng thái đã ghi nên không thay đổi trạng thái")
		}
	default:
		for _, k := range []string{"text", "body", "reason", "note", "result"} {
			put(str(k))
		}
	}
	return strings.Join(parts, " · ")
}

// optional is prefix+s(+suffix), or "" when s is empty.
func optional(prefix, s string, suffix ...string) string {
	if s == "" {
		return ""
	}
	return prefix + s + strings.Join(suffix, "")
}

// stringList reads a JSON array of strings.
func stringList(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		if s, ok := x.(string); ok && s != "" {
			out = append(out, s)
		}
	}
	return out
}

// dayFromISO turns yyyy-mm-dd into dd/mm/yyyy ("" if it is not one).
func dayFromISO(s string) string {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return ""
	}
	return t.Format("02/01/2006")
}

// BusinessCodeLabel names an edXML business code (0 new, 1 recall,
// 2 update, 3 replace).
func BusinessCodeLabel(code int64) string {
	switch code {
	case 0:
		return "văn bản mới"
	case 1:
		return "thu hồi"
	case 2:
		return "cập nhật"
	case 3:
		return "thay thế"
	}
	return fmt.Sprintf("mã nghiệp vụ %d", code)
}

// changedFieldLabel names a metadata field an edXML update changed.
func changedFieldLabel(f string) string {
	switch f {
	case "type_name":
		return "loại văn bản"
	case "symbol":
		return "số, ký hiệu"
	case "issued_date":
		return "ngày văn bản"
	case "organ_name":
		return "cơ quan ban hành"
	case "subject":
		return "trích yếu"
	case "page_amount":
		return "số trang"
	case "signer_position":
		return "chức vụ người ký"
	case "signer_full_name":
		return "người ký"
	case "priority":
		return "độ khẩn"
	case "due_date":
		return "hạn xử lý"
	case "receivers":
		return "nơi nhận"
	}
	return f
}
