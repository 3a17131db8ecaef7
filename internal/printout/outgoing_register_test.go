package printout

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

func outgoingRows(n int) []OutgoingRow {
	sent := time.Date(2026, 5, 4, 17, 30, 0, 0, time.UTC) // 00:30 on 5 May in Hà Nội
	out := make([]OutgoingRow, 0, n)
	for i := 1; i <= n; i++ {
		r := OutgoingRow{Symbol: fmt.Sprintf("%d-CV/TU", i), IssuedDate: &issued, TypeName: "Công văn",
			Subject: fmt.Sprintf("V/v triển khai kế hoạch số %d", i), Signer: "Bí thư Nguyễn Văn An",
			Recipients: "Huyện ủy A; Huyện ủy B; Bộ Nội vụ", CopyKeeper: "Văn phòng Tỉnh ủy – Trần Thị Bình",
			Copies: 4, SentAt: &sent, Notes: ""}
		if i%4 == 0 {
			r.Notes = "Đã thu hồi"
		}
		out = append(out, r)
	}
	return out
}

func TestOutgoingRegisterPDF(t *testing.T) {
	const n = 120
	var buf bytes.Buffer
	err := OutgoingRegisterPDF(&buf, OutgoingBook{UnitName: "Tỉnh ủy Bắc Ninh", RegisterName: "Sổ văn bản đi 2026",
		From: day1, To: day31, Rows: SliceOutgoing(outgoingRows(n))})
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
	for _, want := range []string{"TỈNH ỦY BẮC NINH", "SỔ ĐĂNG KÝ VĂN BẢN ĐI", "Tên sổ: Sổ văn bản đi 2026",
		"Từ ngày 01/05/2026 đến ngày 31/05/2026"} {
		if !strings.Contains(first, want) {
			t.Errorf("first page lacks %q", want)
		}
	}
	for i, p := range pages {
		p = flat(p)
		for _, want := range []string{"Số, ký hiệu văn bản", "Ngày tháng văn bản", "Tên loại và trích yếu nội dung", "Người ký",
			"Nơi nhận văn bản", "Đơn vị, người nhận bản lưu", "Số lượng bản", "Ngày chuyển", "Ghi chú", "(9)",
			fmt.Sprintf("Trang %d/%d", i+1, len(pages))} {
			if !strings.Contains(p, want) {
				t.Errorf("page %d lacks %q", i+1, want)
			}
		}
		if i > 0 && !strings.Contains(p, "Tỉnh ủy Bắc Ninh – Sổ đăng ký văn bản đi – Sổ văn bản đi 2026") {
			t.Errorf("page %d lacks the running head", i+1)
		}
	}
	all := flat(strings.Join(pages, " "))
	last := -1
	for i := 1; i <= n; i++ {
		sym := fmt.Sprintf(" %d-CV/TU ", i)
		at := strings.Index(all, sym)
		if at < 0 || at < last {
			t.Fatalf("row %d missing or out of order", i)
		}
		last = at
	}
	for _, want := range []string{"Công văn v/v triển khai kế hoạch số 7", "Bí thư Nguyễn Văn An", "Huyện ủy A; Huyện ủy B; Bộ Nội vụ",
		"Văn phòng Tỉnh ủy – Trần Thị Bình", "28/04/2026", "05/05/2026", "Đã thu hồi"} {
		if !strings.Contains(all, want) {
			t.Errorf("register lacks %q", want)
		}
	}

	buf.Reset()
	if err := OutgoingRegisterPDF(&buf, OutgoingBook{UnitName: "Chi bộ 1", Rows: SliceOutgoing(nil)}); err != nil {
		t.Fatal(err)
	}
	if text := flat(pdfText(t, buf.Bytes())); !strings.Contains(text, "Không có văn bản đi trong khoảng thời gian này.") {
		t.Errorf("empty register: %s", text)
	}
}

func TestOutgoingRegisterXLSX(t *testing.T) {
	var buf bytes.Buffer
	if err := OutgoingRegisterXLSX(&buf, OutgoingBook{UnitName: "Tỉnh ủy Bắc Ninh", RegisterName: "Sổ văn bản đi",
		Rows: SliceOutgoing(outgoingRows(5))}); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	all, err := f.GetRows(OutgoingSheet)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 6 {
		t.Fatalf("%d rows, want header + 5", len(all))
	}
	for i := range all {
		all[i] = append(all[i], make([]string, len(outgoingXLSXColumns)-len(all[i]))...)
	}
	want := "Số, ký hiệu văn bản|Ngày tháng văn bản|Tên loại và trích yếu nội dung|Người ký|Nơi nhận văn bản|" +
		"Đơn vị, người nhận bản lưu|Số lượng bản|Ngày chuyển|Ghi chú"
	if got := strings.Join(all[0], "|"); got != want {
		t.Errorf("header = %q", got)
	}
	got := all[4]
	if got[0] != "4-CV/TU" || got[1] != "28/04/2026" || got[2] != "Công văn v/v triển khai kế hoạch số 4" ||
		got[3] != "Bí thư Nguyễn Văn An" || got[4] != "Huyện ủy A; Huyện ủy B; Bộ Nội vụ" ||
		got[5] != "Văn phòng Tỉnh ủy – Trần Thị Bình" || got[6] != "4" || got[7] != "05/05/2026" || got[8] != "Đã thu hồi" {
		t.Errorf("row 5 = %q", got)
	}
	panes, err := f.GetPanes(OutgoingSheet)
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("header not frozen: %+v %v", panes, err)
	}
}

func TestOutgoingRegisterRowErrorWritesNothing(t *testing.T) {
	boom := errors.New("boom")
	failing := func(yield func(OutgoingRow, error) bool) {
		if yield(outgoingRows(1)[0], nil) {
			yield(OutgoingRow{}, boom)
		}
	}
	for name, render := range map[string]func(*bytes.Buffer, OutgoingBook) error{
		"pdf":  func(b *bytes.Buffer, o OutgoingBook) error { return OutgoingRegisterPDF(b, o) },
		"xlsx": func(b *bytes.Buffer, o OutgoingBook) error { return OutgoingRegisterXLSX(b, o) },
	} {
		var buf bytes.Buffer
		if err := render(&buf, OutgoingBook{Rows: failing}); !errors.Is(err, boom) || buf.Len() != 0 {
			t.Errorf("%s: err = %v, %d bytes", name, err, buf.Len())
		}
	}
}
