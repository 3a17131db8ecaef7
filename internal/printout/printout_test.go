package printout

import (
	"bytes"
	"errors"
	"fmt"
	"iter"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/unicode/norm"
)

// pdfText extracts a PDF's text with poppler's pdftotext, pages separated
// by form feeds. The tool is a test dependency (Debian: poppler-utils);
// without it the test fails rather than proving nothing.
func pdfText(t testing.TB, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Fatal("pdftotext not found: install poppler-utils (apt-get install poppler-utils); deploy/local/install-deps.sh should provide it")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "in.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-enc", "UTF-8", in, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v: %s", err, out)
	}
	return string(out)
}

// flat folds whitespace so wrapped text compares as one line.
func flat(s string) string { return strings.Join(strings.Fields(s), " ") }

func checkPDF(t *testing.T, b []byte) {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("%PDF-")) || !bytes.Contains(b[max(0, len(b)-1024):], []byte("%%EOF")) {
		t.Fatalf("not a complete PDF (%d bytes): %.20q…", len(b), b)
	}
}

var (
	day1    = time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	day31   = time.Date(2026, 5, 31, 0, 0, 0, 0, time.UTC)
	issued  = time.Date(2026, 4, 28, 0, 0, 0, 0, time.UTC)
	subject = "Về việc triển khai Nghị quyết số 57-NQ/TW của Bộ Chính trị về đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia"
)

func TestReceiptPDF(t *testing.T) {
	var buf bytes.Buffer
	err := ReceiptPDF(&buf, Receipt{
		UnitName: "Đảng ủy phường Ba Đình", ArrivalNumber: 1234,
		// 17:30 UTC is 00:30 the next day in Hà Nội.
		ArrivedAt: time.Date(2026, 5, 4, 17, 30, 0, 0, time.UTC),
		Symbol:    "57-NQ/TW", OrganName: "Ban Chấp hành Trung ương Đảng", Subject: subject,
		TypeName: "Công văn", IssuedDate: &issued,
	})
	if err != nil {
		t.Fatal(err)
	}
	checkPDF(t, buf.Bytes())
	if !bytes.Contains(buf.Bytes(), []byte("/MediaBox [0 0 420.94 595.28]")) {
		t.Error("the slip is not A5 portrait")
	}
	text := flat(pdfText(t, buf.Bytes()))
	for _, want := range []string{
		"ĐẢNG ỦY PHƯỜNG BA ĐÌNH", "ĐẾN", "Số: 1234", "Ngày: 05/05/2026", "Giờ: 00:30", "Chuyển:", "Lưu hồ sơ số:",
		"Số, ký hiệu: 57-NQ/TW", "Ngày văn bản: 28/04/2026", "Cơ quan ban hành: Ban Chấp hành Trung ương Đảng",
		"Trích yếu: " + subject,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("slip lacks %q:\n%s", want, text)
		}
	}
}

// Vietnamese typed with combining marks (some keyboards and Mac file
// names) must print as the composed letters.
func TestReceiptComposesDecomposedVietnamese(t *testing.T) {
	var buf bytes.Buffer
	unit := norm.NFD.String("Đảng ủy xã Tiên Dược")
	if unit == norm.NFC.String(unit) {
		t.Fatal("test input is not decomposed")
	}
	if err := ReceiptPDF(&buf, Receipt{UnitName: unit, ArrivalNumber: 7, ArrivedAt: day1,
		Subject: "Báo cáo 😀 tháng\t5\r\n", OrganName: "Huyện ủy Sóc Sơn"}); err != nil {
		t.Fatal(err)
	}
	text := flat(pdfText(t, buf.Bytes()))
	for _, want := range []string{"ĐẢNG ỦY XÃ TIÊN DƯỢC", "Trích yếu: Báo cáo ? tháng 5"} {
		if !strings.Contains(text, want) {
			t.Errorf("slip lacks %q:\n%s", want, text)
		}
	}
}

func symbolOf(i int) string { return fmt.Sprintf("%d-CV/VPTU", 1000+i) }

// rows yields n register rows, one an hour from 1 May 2026, without
// holding them; row long (if > 0) has a summary longer than a page.
func rows(n, long int) iter.Seq2[RegisterRow, error] {
	return func(yield func(RegisterRow, error) bool) {
		at := time.Date(2026, 5, 1, 1, 0, 0, 0, time.UTC)
		for i := 1; i <= n; i++ {
			fw := at.Add(2 * time.Hour)
			s := fmt.Sprintf("Về việc thực hiện kế hoạch số %d năm 2026 của Thành ủy", i)
			if i == long {
				s += strings.Repeat(" nội dung rất dài cần xuống dòng nhiều lần", 60) + " HẾT-DÒNG-DÀI"
			}
			r := RegisterRow{ArrivedAt: at, ArrivalNumber: i, OrganName: "Văn phòng Thành ủy Hà Nội", Symbol: symbolOf(i),
				IssuedDate: &issued, TypeName: "Công văn", Subject: s, Receivers: "Đồng chí Bí thư; Văn phòng",
				ForwardedAt: &fw, Notes: "Lưu hồ sơ"}
			if i%3 == 0 {
				r.IssuedDate, r.ForwardedAt, r.Receivers, r.Notes = nil, nil, "", ""
			}
			if !yield(r, nil) {
				return
			}
			at = at.Add(time.Hour)
		}
	}
}

func TestRegisterPDF(t *testing.T) {
	const n = 150
	var buf bytes.Buffer
	err := RegisterPDF(&buf, RegisterBook{UnitName: "Đảng ủy phường Ba Đình", RegisterName: "Sổ văn bản đến 2026",
		From: day1, To: day31, Rows: rows(n, 40)})
	if err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	checkPDF(t, b)
	if !bytes.Contains(b, []byte("/MediaBox [0 0 841.89 595.28]")) {
		t.Error("the register is not A4 landscape")
	}
	pages := strings.Split(strings.TrimSuffix(pdfText(t, b), "\f"), "\f")
	if len(pages) < 3 {
		t.Fatalf("%d rows on %d pages", n, len(pages))
	}
	first := flat(pages[0])
	for _, want := range []string{"ĐẢNG ỦY PHƯỜNG BA ĐÌNH", "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN", "Tên sổ: Sổ văn bản đến 2026",
		"Từ ngày 01/05/2026 đến ngày 31/05/2026"} {
		if !strings.Contains(first, want) {
			t.Errorf("first page lacks %q", want)
		}
	}
	for i, p := range pages {
		p = flat(p)
		for _, want := range []string{"Ngày đến", "Số đến", "Tác giả (cơ quan ban hành)", "Số, ký hiệu", "Ngày tháng văn bản",
			"Tên loại và trích yếu nội dung", "Đơn vị hoặc người nhận", "Ngày chuyển", "Ký nhận", "Ghi chú",
			fmt.Sprintf("Trang %d/%d", i+1, len(pages))} {
			if !strings.Contains(p, want) {
				t.Errorf("page %d lacks %q", i+1, want)
			}
		}
	}
	// Every row once, in arrival order; the long row carries on to its end.
	all := flat(strings.Join(pages, " "))
	last := -1
	for i := 1; i <= n; i++ {
		sym := symbolOf(i)
		at := strings.Index(all, sym)
		if at < 0 || strings.Count(all, sym) != 1 {
			t.Fatalf("row %d (%s) appears %d times", i, sym, strings.Count(all, sym))
		}
		if at < last {
			t.Fatalf("row %d is out of order", i)
		}
		last = at
	}
	for _, want := range []string{"Công văn về việc thực hiện kế hoạch số 2 năm 2026 của Thành ủy", "HẾT-DÒNG-DÀI",
		"Văn phòng Thành ủy Hà Nội", "01/05/2026", "28/04/2026", "Đồng chí Bí thư; Văn phòng"} {
		if !strings.Contains(all, want) {
			t.Errorf("register lacks %q", want)
		}
	}
}

func TestRegisterPDFEmpty(t *testing.T) {
	var buf bytes.Buffer
	if err := RegisterPDF(&buf, RegisterBook{UnitName: "Chi bộ 1", From: day1, To: day31, Rows: SliceRows(nil)}); err != nil {
		t.Fatal(err)
	}
	text := flat(pdfText(t, buf.Bytes()))
	for _, want := range []string{"SỔ ĐĂNG KÝ VĂN BẢN ĐẾN", "Không có văn bản đến trong khoảng thời gian này.", "Trang 1/1"} {
		if !strings.Contains(text, want) {
			t.Errorf("empty register lacks %q:\n%s", want, text)
		}
	}
}

// A failing source (the database going away mid-export) is an error, and
// nothing half-made reaches the writer.
func TestRegisterRowErrorWritesNothing(t *testing.T) {
	boom := errors.New("boom")
	failing := func(yield func(RegisterRow, error) bool) {
		for r := range rows(5, 0) {
			if !yield(r, nil) {
				return
			}
		}
		yield(RegisterRow{}, boom)
	}
	for name, render := range map[string]func(*bytes.Buffer, RegisterBook) error{
		"pdf":  func(b *bytes.Buffer, r RegisterBook) error { return RegisterPDF(b, r) },
		"xlsx": func(b *bytes.Buffer, r RegisterBook) error { return RegisterXLSX(b, r) },
	} {
		var buf bytes.Buffer
		if err := render(&buf, RegisterBook{Rows: failing}); !errors.Is(err, boom) {
			t.Errorf("%s: err = %v", name, err)
		}
		if buf.Len() != 0 {
			t.Errorf("%s: %d bytes written despite the error", name, buf.Len())
		}
	}
}

func TestRegisterXLSX(t *testing.T) {
	const n = 30
	late := time.Date(2026, 5, 4, 17, 30, 0, 0, time.UTC) // 00:30 on 5 May in Hà Nội
	fw := late.Add(time.Hour)
	list := []RegisterRow{{ArrivedAt: late, ArrivalNumber: 1, OrganName: "Ban Tuyên giáo Trung ương", Symbol: "57-NQ/TW",
		IssuedDate: &issued, TypeName: "Nghị quyết", Subject: "=SUM(A1:A2) không phải công thức", Receivers: "Chi bộ 3",
		ForwardedAt: &fw, Notes: "Khẩn"}}
	for r := range rows(n-1, 0) {
		r.ArrivalNumber++
		list = append(list, r)
	}
	var buf bytes.Buffer
	if err := RegisterXLSX(&buf, RegisterBook{UnitName: "Đảng ủy phường Ba Đình", RegisterName: "Sổ văn bản đến", Rows: SliceRows(list)}); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); len(got) != 1 || got[0] != "Sổ văn bản đến" {
		t.Fatalf("sheets = %q", got)
	}
	sheet := RegisterSheet
	all, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != n+1 {
		t.Fatalf("%d rows, want header + %d", len(all), n)
	}
	for i := range all { // GetRows drops trailing blank cells
		all[i] = append(all[i], make([]string, len(xlsxColumns)-len(all[i]))...)
	}
	want := []string{"Ngày đến", "Số đến", "Tác giả (cơ quan ban hành)", "Số, ký hiệu", "Ngày tháng văn bản",
		"Tên loại và trích yếu nội dung", "Đơn vị hoặc người nhận", "Ngày chuyển", "Ký nhận", "Ghi chú"}
	if strings.Join(all[0], "|") != strings.Join(want, "|") {
		t.Errorf("header = %q", all[0])
	}
	style, _ := f.GetCellStyle(sheet, "A1")
	if s, err := f.GetStyle(style); err != nil || s.Font == nil || !s.Font.Bold || !s.Alignment.WrapText {
		t.Errorf("header style is not bold and wrapped: %+v", s)
	}
	if got := all[1]; got[0] != "05/05/2026" || got[1] != "1" || got[2] != "Ban Tuyên giáo Trung ương" || got[3] != "57-NQ/TW" ||
		got[4] != "28/04/2026" || got[5] != "Nghị quyết: =SUM(A1:A2) không phải công thức" || got[6] != "Chi bộ 3" ||
		got[7] != "05/05/2026" || got[9] != "Khẩn" {
		t.Errorf("row 2 = %q", got)
	}
	if f, _ := f.GetCellFormula(sheet, "F2"); f != "" {
		t.Errorf("text became a formula: %q", f)
	}
	// Dates are real dates (serial numbers), not text.
	for cell, day := range map[string]time.Time{"A2": time.Date(2026, 5, 5, 0, 0, 0, 0, time.UTC), "E2": issued, "A3": day1} {
		raw, err := f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		serial, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			t.Fatalf("%s = %q is not a date serial", cell, raw)
		}
		if got, _ := excelize.ExcelDateToTime(serial, false); !got.Equal(day) {
			t.Errorf("%s = %v, want %v", cell, got, day)
		}
		if typ, _ := f.GetCellType(sheet, cell); typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
			t.Errorf("%s is stored as text", cell)
		}
	}
	if got := all[4]; got[1] != "4" || got[4] != "" || got[7] != "" || got[6] != "" {
		t.Errorf("blank cells: row 5 = %q", got)
	}
	for i := 2; i <= n; i++ {
		if all[i][1] != strconv.Itoa(i) {
			t.Fatalf("row %d has number %q: out of order", i+1, all[i][1])
		}
	}
	panes, err := f.GetPanes(sheet)
	if err != nil || !panes.Freeze || panes.YSplit != 1 || panes.TopLeftCell != "A2" {
		t.Errorf("header not frozen: %+v %v", panes, err)
	}
	if w, _ := f.GetColWidth(sheet, "F"); w < 40 {
		t.Errorf("summary column width %v", w)
	}
	style, _ = f.GetCellStyle(sheet, "F2")
	if s, _ := f.GetStyle(style); s == nil || s.Alignment == nil || !s.Alignment.WrapText {
		t.Error("summary cells do not wrap")
	}
}

func TestTypeAndSubject(t *testing.T) {
	for _, c := range [][3]string{
		{"Công văn", "Về việc họp", "Công văn về việc họp"},
		{"Công văn", "V/v họp", "Công văn v/v họp"},
		{"Báo cáo", "Kết quả quý I", "Báo cáo: Kết quả quý I"},
		{"", "Kết quả", "Kết quả"},
		{"Tờ trình", "", "Tờ trình"},
	} {
		if got := typeAndSubject(c[0], c[1]); got != c[2] {
			t.Errorf("typeAndSubject(%q, %q) = %q, want %q", c[0], c[1], got, c[2])
		}
	}
}

// Thousands of rows: run with 'make bench' or
// go test -run '^$' -bench Register -benchmem ./internal/printout.
func BenchmarkRegisterPDF5000(b *testing.B) {
	for b.Loop() {
		var buf bytes.Buffer
		if err := RegisterPDF(&buf, RegisterBook{UnitName: "Đảng ủy phường Ba Đình", RegisterName: "Sổ văn bản đến",
			From: day1, To: day31, Rows: rows(5000, 0)}); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(buf.Len())/1024, "KiB/op")
	}
}

func BenchmarkRegisterXLSX5000(b *testing.B) {
	for b.Loop() {
		var buf bytes.Buffer
		if err := RegisterXLSX(&buf, RegisterBook{UnitName: "Đảng ủy phường Ba Đình", RegisterName: "Sổ văn bản đến",
			Rows: rows(5000, 0)}); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(buf.Len())/1024, "KiB/op")
	}
}
