package printout

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

func TestReportPDF(t *testing.T) {
	var buf bytes.Buffer
	long := strings.Repeat("Công tác xây dựng Đảng được triển khai đồng bộ, đúng kế hoạch. ", 30)
	rows := make([][]string, 60) // long enough to break across pages
	for i := range rows {
		rows[i] = []string{"Hội nghị quán triệt Nghị quyết", "35"}
	}
	err := ReportPDF(&buf, ReportDoc{
		UnitName: "Đảng ủy xã An Bình", ParentName: "Đảng bộ tỉnh Thử nghiệm", IssuerName: "Văn phòng Tỉnh ủy",
		Title: "Báo cáo tình hình công tác xây dựng Đảng hằng tháng", PeriodLabel: "Tháng 11/2026", Status: "Đã nộp lần 2",
		Place: "An Bình", Date: time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC), SignerName: "Lò Văn Phong",
		Items: []ReportItem{
			{Label: "Số đảng viên mới kết nạp", Unit: "người", Text: "1.003"},
			{Label: "Tình hình chung", Text: long},
			{Label: "Các cuộc họp", Head: []string{"Nội dung", "Số người dự"}, Table: rows},
			{Label: "Biên bản kèm theo", Files: []string{"bien-ban.pdf"}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	checkPDF(t, buf.Bytes())
	text := flat(pdfText(t, buf.Bytes()))
	for _, want := range []string{"ĐẢNG ỦY XÃ AN BÌNH", "ĐẢNG CỘNG SẢN VIỆT NAM", "An Bình, ngày 03 tháng 12 năm 2026", "BÁO CÁO",
		"Kỳ báo cáo: Tháng 11/2026", "1. Số đảng viên mới kết nạp: 1.003 người", "3. Các cuộc họp", "Số người dự", "- bien-ban.pdf",
		"Nơi nhận:", "- Văn phòng Tỉnh ủy,", "T/M ĐẢNG ỦY XÃ AN BÌNH", "Lò Văn Phong", "Trang 1/"} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF lacks %q", want)
		}
	}
	if pages := strings.Count(pdfText(t, buf.Bytes()), "\f"); pages < 2 {
		t.Errorf("%d pages; the long table should continue on another page", pages)
	}
}

func TestAggregateXLSX(t *testing.T) {
	var buf bytes.Buffer
	err := AggregateXLSX(&buf, AggregateBook{
		IssuerName: "Tỉnh ủy Thử nghiệm", Title: "Báo cáo tháng", PeriodLabel: "Tháng 12/2026", PrevLabel: "Tháng 11/2026",
		Note:    "Tính các báo cáo đã nộp và đã chấp nhận.",
		Columns: []AggregateColumn{{Label: "Số đảng viên mới", Unit: "người"}, {Label: "Kinh phí", Unit: "triệu đồng"}},
		Totals: []AggregateTotal{{Count: 3, Sum: "1022", Avg: "340.67", Min: "7", Max: "1003", PrevSum: "1000", Diff: "22", Pct: "2.2"},
			{Count: 2, Sum: "2231.5"}},
		Units: []AggregateUnit{{Name: "=Đảng ủy xã An Bình", Status: "Đã nộp", Values: []string{"12", "1250.75"}},
			{Name: "Đảng ủy xã Cát Tiên", Status: "Chưa nộp", Late: false, Values: []string{"", ""}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); len(got) != 2 || got[0] != "Tổng hợp" || got[1] != "Theo đơn vị" {
		t.Fatalf("sheets = %q", got)
	}
	sum, _ := f.GetRows("Tổng hợp")
	if len(sum) != 6 || sum[3][0] != "Chỉ tiêu" || sum[3][7] != "Tổng kỳ trước (Tháng 11/2026)" || sum[4][0] != "Số đảng viên mới" {
		t.Fatalf("summary = %q", sum)
	}
	if v, _ := f.GetCellValue("Tổng hợp", "D5", excelize.Options{RawCellValue: true}); v != "1022" {
		t.Errorf("sum cell = %q", v)
	}
	units, _ := f.GetRows("Theo đơn vị")
	if len(units) != 4 || units[1][1] != "=Đảng ủy xã An Bình" || units[3][1] != "Tổng cộng" || units[0][3] != "Số đảng viên mới (người)" {
		t.Fatalf("by unit = %q", units)
	}
	if formula, _ := f.GetCellFormula("Theo đơn vị", "B2"); formula != "" {
		t.Errorf("a unit name became a formula: %q", formula)
	}
	if v, _ := f.GetCellValue("Theo đơn vị", "E2", excelize.Options{RawCellValue: true}); v != "1250.75" {
		t.Errorf("value cell = %q", v)
	}
}
