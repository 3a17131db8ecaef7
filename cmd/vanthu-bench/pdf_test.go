package main

import (
	"bytes"
	"os"
	"testing"
)

func TestPDFSizeAndSerial(t *testing.T) {
	p, err := newPDF(200 * 1024)
	if err != nil {
		t.Fatal(err)
	}
	a, b := p.stamp(1), p.stamp(2)
	if len(a) != 200*1024 || len(b) != 200*1024 {
		t.Fatalf("sizes %d %d", len(a), len(b))
	}
	if bytes.Equal(a, b) {
		t.Fatal("stamped PDFs are identical")
	}
	if out := os.Getenv("BENCH_PDF_OUT"); out != "" {
		os.WriteFile(out, a, 0o644)
	}
}
