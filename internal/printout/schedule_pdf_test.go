package printout

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// pdfRawText extracts text in content-stream order (pdftotext -raw): each
// table cell's wrapped lines stay together, where the reading-order mode
// interleaves neighbouring columns.
func pdfRawText(t testing.TB, pdf []byte) string {
	t.Helper()
	pdfText(t, pdf) // fails the test when pdftotext is missing
	in := filepath.Join(t.TempDir(), "in.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-raw", "-enc", "UTF-8", in, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext -raw: %v: %s", err, out)
	}
	return string(out)
}

var (
	monday = time.Date(2026, 4, 20, 0, 0, 0, 0, time.UTC)
	sunday = time.Date(2026, 4, 26, 0, 0, 0, 0, time.UTC)
)

func scheduleWeek(rows []ScheduleRow) ScheduleWeek {
	return ScheduleWeek{ParentName: "Tỉnh ủy Lào Cai", UnitName: "Văn phòng Tỉnh ủy", Week: 17, Year: 2026,
		From: monday, To: sunday, PrintedAt: time.Date(2026, 4, 17, 2, 0, 0, 0, time.UTC), Rows: rows}
}

func TestSchedulePDF(t *testing.T) {
	rows := []ScheduleRow{
		{Day: monday, Period: "Sáng", Time: "08:00 – 10:00", Content: "Giao ban Thường trực Tỉnh ủy",
			Attendees: "Chủ trì: Hoàng Văn Bình; Thành phần: Lê Thị Hồng", Place: "Phòng họp số 1", Preparer: "Văn phòng Tỉnh ủy"},
		{Day: monday, Period: "Chiều", Time: "14:00", Content: "Làm việc với Đảng ủy xã Bắc Hà về công tác chuyển đổi số",
			Attendees: "Đồng chí Phó Bí thư Thường trực", Place: "Xã Bắc Hà", Preparer: "Ban Tổ chức", Adjusted: true},
		{Day: monday.AddDate(0, 0, 2), Period: "Sáng", Time: "07:30", Content: "Hội nghị đã hoãn", Place: "Hội trường",
			Cancelled: true},
		{Day: sunday, Period: "Sáng", Time: "07:00", Content: "Dự lễ ra quân tình nguyện hè", Place: "Quảng trường"},
	}
	var buf bytes.Buffer
	if err := SchedulePDF(&buf, scheduleWeek(rows)); err != nil {
		t.Fatal(err)
	}
	checkPDF(t, buf.Bytes())
	if !bytes.Contains(buf.Bytes(), []byte("/MediaBox [0 0 841.89 595.28]")) {
		t.Error("the schedule is not A4 landscape")
	}
	raw := pdfRawText(t, buf.Bytes())
	text := flat(raw)
	for _, want := range []string{
		"TỈNH ỦY LÀO CAI", "VĂN PHÒNG TỈNH ỦY", "ĐẢNG CỘNG SẢN VIỆT NAM", "ngày 17 tháng 04 năm 2026",
		"LỊCH CÔNG TÁC TUẦN 17", "(Từ ngày 20/04/2026 đến ngày 26/04/2026)",
		"Thứ, ngày", "Buổi", "Thời gian", "Nội dung", "Thành phần, chủ trì", "Địa điểm", "Chuẩn bị",
		"Thứ Hai", "20/04/2026", "Sáng", "Chiều", "08:00 – 10:00", "Giao ban Thường trực Tỉnh ủy",
		"Chủ trì: Hoàng Văn Bình", "Phòng họp số 1", "Văn phòng Tỉnh ủy", "(Điều chỉnh)", "(Đã hủy) Hội nghị đã hoãn",
		"Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Chủ nhật", "26/04/2026", "Dự lễ ra quân tình nguyện hè",
		"In lúc 09:00 17/04/2026", "Trang 1/1",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("schedule lacks %q:\n%s", want, text)
		}
	}
	// Saturday has nothing planned: it is left out; the working days are not.
	if strings.Contains(text, "Thứ Bảy") || strings.Contains(text, "25/04/2026") {
		t.Errorf("an empty Saturday is printed:\n%s", text)
	}
	if strings.Contains(text, "BẢN NHÁP") {
		t.Error("a published schedule is marked as a draft")
	}
	// Days come in order.
	if a, b := strings.Index(text, "Thứ Hai"), strings.Index(text, "Chủ nhật"); a < 0 || b < a {
		t.Errorf("days out of order:\n%s", text)
	}
}

// A long week runs over several pages: the header repeats, a day cut by
// the page says it continues, and nothing is lost.
func TestSchedulePDFPages(t *testing.T) {
	var rows []ScheduleRow
	for d := 0; d < 5; d++ {
		for i := 0; i < 9; i++ {
			period := "Sáng"
			if i >= 5 {
				period = "Chiều"
			}
			rows = append(rows, ScheduleRow{Day: monday.AddDate(0, 0, d), Period: period, Time: fmt.Sprintf("%02d:00", 7+i),
				Content: fmt.Sprintf("Công việc ngày %d số %d: %s", d+1, i+1, strings.Repeat("nội dung dài cần xuống dòng ", 4)),
				Place:   "Trụ sở Tỉnh ủy", Attendees: "Thường trực Tỉnh ủy"})
		}
	}
	// One day with more rows than a page holds.
	for i := 0; i < 40; i++ {
		rows = append(rows, ScheduleRow{Day: sunday, Period: "Chiều", Time: "15:00", Content: fmt.Sprintf("Việc Chủ nhật %d", i+1), Place: "Hội trường"})
	}
	s := scheduleWeek(rows)
	s.Draft = true
	var buf bytes.Buffer
	if err := SchedulePDF(&buf, s); err != nil {
		t.Fatal(err)
	}
	raw := pdfRawText(t, buf.Bytes())
	pages := strings.Split(strings.TrimRight(raw, "\f"), "\f")
	if len(pages) < 3 {
		t.Fatalf("%d pages, want at least 3", len(pages))
	}
	for i, p := range pages {
		if !strings.Contains(flat(p), "Thành phần, chủ trì") {
			t.Errorf("page %d has no column header", i+1)
		}
		if !strings.Contains(flat(p), fmt.Sprintf("Trang %d/%d", i+1, len(pages))) {
			t.Errorf("page %d lacks its number", i+1)
		}
	}
	text := flat(raw)
	for d := 1; d <= 5; d++ {
		for i := 1; i <= 9; i++ {
			if want := fmt.Sprintf("Công việc ngày %d số %d:", d, i); !strings.Contains(text, want) {
				t.Errorf("lost %q", want)
			}
		}
	}
	for i := 1; i <= 40; i++ {
		if want := fmt.Sprintf("Việc Chủ nhật %d ", i); !strings.Contains(text+" ", want) {
			t.Errorf("lost %q", want)
		}
	}
	for _, want := range []string{"BẢN NHÁP – CHƯA CÔNG BỐ", "(tiếp)", "Lịch đang là bản nháp"} {
		if !strings.Contains(text, want) {
			t.Errorf("long schedule lacks %q", want)
		}
	}
}
