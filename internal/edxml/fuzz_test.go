package edxml

import (
	"bytes"
	"os"
	"reflect"
	"testing"
)

// FuzzParse checks that Parse never panics and that whatever it accepts can
// be rebuilt and parsed back to the same Message.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"testdata/envelope.edxml", "testdata/status.edxml"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	var built bytes.Buffer
	if err := Build(&built, fullMessage()); err != nil {
		f.Fatal(err)
	}
	f.Add(built.Bytes())
	limits := Limits{MaxBytes: 1 << 20, MaxAttachments: 8, MaxAttachmentBytes: 64 << 10}
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, err := ParseStatus(bytes.NewReader(data)); err == nil {
			// Status messages must round-trip too.
			s, _ := ParseStatus(bytes.NewReader(data))
			var buf bytes.Buffer
			if err := BuildStatus(&buf, s); err != nil {
				t.Fatalf("BuildStatus of parsed status: %v", err)
			}
			s2, err := ParseStatus(&buf)
			if err != nil {
				t.Fatalf("reparse status: %v\n%s", err, buf.Bytes())
			}
			if !reflect.DeepEqual(s, s2) {
				t.Fatalf("status round trip differs:\n%#v\n%#v", s, s2)
			}
		}
		m, err := Parse(bytes.NewReader(data), limits)
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if err := Build(&buf, m); err != nil {
			t.Fatalf("Build of parsed message: %v", err)
		}
		m2, err := Parse(bytes.NewReader(buf.Bytes()), Limits{})
		if err != nil {
			t.Fatalf("reparse: %v\n%s", err, buf.Bytes())
		}
		if !reflect.DeepEqual(m, m2) {
			t.Fatalf("round trip differs:\n%#v\n%#v", m, m2)
		}
	})
}
