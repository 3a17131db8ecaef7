package exchange

import (
	"bytes"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"vanthu/internal/apperr"
	"vanthu/internal/edxml"
	"vanthu/internal/registry"
)

func sample(t testing.TB) edxml.Message {
	b, err := os.ReadFile("../edxml/testdata/envelope.edxml")
	if err != nil {
		t.Fatal(err)
	}
	m, err := edxml.Parse(bytes.NewReader(b), edxml.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestMapIncoming(t *testing.T) {
	m := sample(t)
	in, err := MapIncoming(m)
	if err != nil {
		t.Fatal(err)
	}
	due := time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC)
	want := Incoming{TypeName: "Công văn", TypeCode: "CV", CodeNumber: "96", CodeNotation: "CV/VPTU", Symbol: "96-CV/VPTU",
		IssuedDate: time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC), OrganName: "Văn phòng Tỉnh ủy Bắc Ninh",
		Subject: "V/v báo cáo sơ kết công tác xây dựng Đảng quý I năm 2026", PageAmount: 2,
		SignerPosition: "Phó Chánh Văn phòng", SignerFullName: "Nguyễn Văn Đức", Priority: "khan", DueDate: &due,
		Receivers: "Như trên; Lưu Văn phòng Tỉnh ủy"}
	if in.DueDate == nil || !in.DueDate.Equal(due) {
		t.Fatalf("due date %v", in.DueDate)
	}
	in.DueDate = &due
	if in != want {
		t.Fatalf("mapped\n%+v\nwant\n%+v", in, want)
	}

	// Every problem is named by its element, at once.
	bad := m
	bad.Code.CodeNotation = "cv/vptu"
	bad.DocumentType.TypeName = ""
	bad.DueDate = edxml.Date{Year: 2026, Month: time.March, Day: 1}
	bad.Subject = strings.Repeat("á", 2001)
	_, err = MapIncoming(bad)
	e, ok := apperr.As(err)
	if !ok || e.Kind != apperr.KindInvalid {
		t.Fatalf("err = %v", err)
	}
	for _, k := range []string{"MessageHeader/Code", "MessageHeader/DocumentType/TypeName", "MessageHeader/DueDate", "MessageHeader/Subject", "MessageHeader/DocumentId"} {
		if e.Fields[k] == "" {
			t.Errorf("no message for %s: %v", k, e.Fields)
		}
	}
	if !strings.HasPrefix(e.Message, "Tệp edXML chưa hợp lệ: ") || !strings.Contains(e.Message, "4 lỗi khác") {
		t.Errorf("message %q", e.Message)
	}

	other := m
	other.From.OrganID = "000.00.00.G99"
	if _, err := MapIncoming(other); err == nil || !strings.Contains(err.Error(), "khác mã cơ quan gửi") {
		t.Errorf("DocumentId of another organ: %v", err)
	}
	state := m
	state.Code = edxml.Code{CodeNumber: "30", CodeNotation: "2020/NĐ-CP"}
	state.DocumentID = "000.00.00.G12,2026/03/05,30/2020/NĐ-CP"
	state.DocumentType.TypeName = ""
	if in, err := MapIncoming(state); err != nil || in.Symbol != "30/2020/NĐ-CP" || in.TypeCode != "NĐ" {
		t.Errorf("state symbol: %+v %v", in, err)
	}
}

func TestNotationType(t *testing.T) {
	for n, want := range map[string]string{"CV/VPTU": "CV", "TTg-KGVX": "TTg", "2020/NĐ-CP": "NĐ", "QĐ/TW": "QĐ", "UBND": "UBND"} {
		if got := notationType(n); got != want {
			t.Errorf("notationType(%q) = %q, want %q", n, got, want)
		}
	}
}

// FuzzImportMapping runs the import's parsing path (edxml.Parse, then
// MapIncoming) on arbitrary bytes: it never panics, and whatever it
// accepts fits the documents row.
func FuzzImportMapping(f *testing.F) {
	for _, name := range []string{"../edxml/testdata/envelope.edxml", "../edxml/testdata/status.edxml"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	m := sample(f)
	m.Attachments = nil
	var buf bytes.Buffer
	if err := edxml.Build(&buf, m); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	limits := edxml.Limits{MaxBytes: 1 << 20, MaxAttachments: 4, MaxAttachmentBytes: 64 << 10}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := edxml.Parse(bytes.NewReader(data), limits)
		if err != nil {
			return
		}
		in, err := MapIncoming(m)
		if err != nil {
			if e, ok := apperr.As(err); !ok || e.Kind != apperr.KindInvalid || len(e.Fields) == 0 {
				t.Fatalf("refusal is not a field-level 422: %v", err)
			}
			return
		}
		if sym, err := registry.ParseSymbol(in.Symbol); err != nil || sym.Number != in.CodeNumber || sym.Notation != in.CodeNotation {
			t.Fatalf("symbol %q does not parse back: %v", in.Symbol, err)
		}
		if !slices.Contains(priorities, in.Priority) {
			t.Fatalf("priority %q", in.Priority)
		}
		if strings.TrimSpace(in.Subject) == "" || utf8.RuneCountInString(in.Subject) > 2000 || in.OrganName == "" || in.SignerFullName == "" {
			t.Fatalf("required text missing: %+v", in)
		}
		if in.TypeName == "" && in.TypeCode == "" {
			t.Fatal("no type")
		}
		if in.DueDate != nil && in.DueDate.Before(in.IssuedDate) {
			t.Fatalf("due %v before issue %v", in.DueDate, in.IssuedDate)
		}
		if _, _, _, ok := splitDocumentID(m.DocumentID); !ok {
			t.Fatalf("accepted DocumentId %q does not split", m.DocumentID)
		}
	})
}
