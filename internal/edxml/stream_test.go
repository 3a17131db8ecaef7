package edxml

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"testing"
)

// TestBuildStreamsAttachments: an attachment supplied by Open is written
// exactly as the same bytes in Data would be, and a failing source stops
// Build with its error.
func TestBuildStreamsAttachments(t *testing.T) {
	m := fullMessage()
	var want bytes.Buffer
	if err := Build(&want, m); err != nil {
		t.Fatal(err)
	}
	opened := 0
	for i := range m.Attachments {
		data := m.Attachments[i].Data
		m.Attachments[i].Data = nil
		m.Attachments[i].Open = func() (io.ReadCloser, error) {
			opened++
			return io.NopCloser(bytes.NewReader(data)), nil
		}
	}
	var got bytes.Buffer
	if err := Build(&got, m); err != nil {
		t.Fatal(err)
	}
	if opened != len(m.Attachments) || !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Fatalf("streamed envelope differs (opened %d)", opened)
	}
	back, err := Parse(bytes.NewReader(got.Bytes()), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, fullMessage()) {
		t.Fatal("streamed envelope does not parse back to the message")
	}

	broken := errors.New("object store went away")
	m.Attachments[1].Open = func() (io.ReadCloser, error) { return nil, broken }
	if err := Build(io.Discard, m); !errors.Is(err, broken) {
		t.Fatalf("Build with a failing attachment = %v", err)
	}
}
