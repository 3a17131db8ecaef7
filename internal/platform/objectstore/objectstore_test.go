package objectstore_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"vanthu/internal/platform/objectstore"
	"vanthu/internal/platform/objectstore/s3test"
)

// pattern returns n deterministic, non-repeating-looking bytes.
func pattern(n int) []byte {
	b := make([]byte, n)
	var x uint32 = 2166136261
	for i := range b {
		x ^= uint32(i)
		x *= 16777619
		b[i] = byte(x >> 24)
	}
	return b
}

func sumHex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func readAll(t testing.TB, st *objectstore.Store, key string, offset, length int64) ([]byte, objectstore.Object) {
	t.Helper()
	rc, obj, err := st.Get(context.Background(), key, offset, length)
	if err != nil {
		t.Fatalf("Get %q: %v", key, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %q: %v", key, err)
	}
	return b, obj
}

func TestPutGetRoundTrip(t *testing.T) {
	ctx := context.Background()
	st := s3test.NewStore(t)
	data := pattern(100_000)
	for _, tc := range []struct {
		name string
		size int64
	}{{"known-size", int64(len(data))}, {"unknown-size", -1}} {
		t.Run(tc.name, func(t *testing.T) {
			key := "docs/" + tc.name
			obj, err := st.Put(ctx, key, bytes.NewReader(data), tc.size, objectstore.PutOptions{ContentType: "application/pdf"})
			if err != nil {
				t.Fatalf("Put: %v", err)
			}
			if obj.Key != key || obj.Size != int64(len(data)) || obj.ContentType != "application/pdf" {
				t.Fatalf("Put returned %+v", obj)
			}
			if obj.SHA256 != sumHex(data) {
				t.Fatalf("Put SHA256 = %s, want %s", obj.SHA256, sumHex(data))
			}
			got, info := readAll(t, st, key, 0, -1)
			if !bytes.Equal(got, data) {
				t.Fatalf("Get returned %d bytes that differ from the %d put", len(got), len(data))
			}
			if info.Size != int64(len(data)) || info.ContentType != "application/pdf" {
				t.Fatalf("Get object info = %+v", info)
			}
			st2, err := st.Stat(ctx, key)
			if err != nil {
				t.Fatalf("Stat: %v", err)
			}
			if st2.Key != key || st2.Size != int64(len(data)) || st2.ModTime.IsZero() {
				t.Fatalf("Stat = %+v", st2)
			}
		})
	}
}

func TestPutWithPrecomputedChecksum(t *testing.T) {
	ctx := context.Background()
	st := s3test.NewStore(t)
	data := []byte("Công văn số 15/UBND-VP về việc triển khai")
	sum := sha256.Sum256(data)

	obj, err := st.Put(ctx, "good", bytes.NewReader(data), int64(len(data)), objectstore.PutOptions{SHA256: sum[:]})
	if err != nil {
		t.Fatalf("Put with the right SHA-256: %v", err)
	}
	if obj.SHA256 != hex.EncodeToString(sum[:]) {
		t.Fatalf("SHA256 = %s", obj.SHA256)
	}
	if got, _ := readAll(t, st, "good", 0, -1); !bytes.Equal(got, data) {
		t.Fatalf("Get = %q", got)
	}

	wrong := sha256.Sum256([]byte("something else"))
	_, err = st.Put(ctx, "bad", bytes.NewReader(data), int64(len(data)), objectstore.PutOptions{SHA256: wrong[:]})
	if !errors.Is(err, objectstore.ErrChecksumMismatch) {
		t.Fatalf("Put with a wrong SHA-256 = %v, want ErrChecksumMismatch", err)
	}
	if _, err := st.Stat(ctx, "bad"); !errors.Is(err, objectstore.ErrNotExist) {
		t.Fatalf("Stat after a refused Put = %v, want ErrNotExist", err)
	}
}

// A digest known up front must work for every upload shape, including
// the multipart ones minio-go uses for unknown sizes and for sizes above
// 16 MiB.
func TestPutWithPrecomputedChecksumMultipart(t *testing.T) {
	ctx := context.Background()
	st := s3test.NewStore(t)
	small := pattern(4096)
	big := pattern(20 << 20)
	smallSum := sha256.Sum256(small)
	bigSum := sha256.Sum256(big)
	wrong := sha256.Sum256([]byte("not the data"))
	for _, tc := range []struct {
		name string
		data []byte
		size int64
		sum  []byte
	}{
		{"small-unknown-size", small, -1, smallSum[:]},
		{"big-known-size", big, int64(len(big)), bigSum[:]},
		{"big-unknown-size", big, -1, bigSum[:]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			obj, err := st.Put(ctx, tc.name, bytes.NewReader(tc.data), tc.size, objectstore.PutOptions{SHA256: tc.sum})
			if err != nil {
				t.Fatalf("Put with the right SHA-256: %v", err)
			}
			if obj.SHA256 != sumHex(tc.data) {
				t.Fatalf("SHA256 = %s, want %s", obj.SHA256, sumHex(tc.data))
			}
			_, err = st.Put(ctx, tc.name+"-bad", bytes.NewReader(tc.data), tc.size, objectstore.PutOptions{SHA256: wrong[:]})
			if !errors.Is(err, objectstore.ErrChecksumMismatch) {
				t.Fatalf("Put with a wrong SHA-256 = %v, want ErrChecksumMismatch", err)
			}
			if _, err := st.Stat(ctx, tc.name+"-bad"); !errors.Is(err, objectstore.ErrNotExist) {
				t.Fatalf("Stat after a refused Put = %v, want ErrNotExist", err)
			}
		})
	}
}

func TestRangedGet(t *testing.T) {
	ctx := context.Background()
	st := s3test.NewStore(t)
	data := []byte("0123456789abcdef")
	if _, err := st.Put(ctx, "r", bytes.NewReader(data), int64(len(data)), objectstore.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	if got, _ := readAll(t, st, "r", 3, 5); string(got) != "34567" {
		t.Fatalf("Get(3, 5) = %q, want %q", got, "34567")
	}
	if got, _ := readAll(t, st, "r", 10, -1); string(got) != "abcdef" {
		t.Fatalf("Get(10, -1) = %q, want %q", got, "abcdef")
	}
	if got, _ := readAll(t, st, "r", 0, 1); string(got) != "0" {
		t.Fatalf("Get(0, 1) = %q, want %q", got, "0")
	}
}

func TestMissingKey(t *testing.T) {
	ctx := context.Background()
	st := s3test.NewStore(t)
	if _, _, err := st.Get(ctx, "nope", 0, -1); !errors.Is(err, objectstore.ErrNotExist) {
		t.Fatalf("Get missing = %v, want ErrNotExist", err)
	}
	if _, err := st.Stat(ctx, "nope"); !errors.Is(err, objectstore.ErrNotExist) {
		t.Fatalf("Stat missing = %v, want ErrNotExist", err)
	}
	if err := st.Delete(ctx, "nope"); err != nil {
		t.Fatalf("Delete missing = %v, want nil", err)
	}
}

func TestDelete(t *testing.T) {
	ctx := context.Background()
	st := s3test.NewStore(t)
	if _, err := st.Put(ctx, "d", strings.NewReader("x"), 1, objectstore.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Stat(ctx, "d"); err != nil {
		t.Fatalf("Stat before Delete: %v", err)
	}
	if err := st.Delete(ctx, "d"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := st.Stat(ctx, "d"); !errors.Is(err, objectstore.ErrNotExist) {
		t.Fatalf("Stat after Delete = %v, want ErrNotExist", err)
	}
	if err := st.Delete(ctx, "d"); err != nil {
		t.Fatalf("second Delete = %v, want nil", err)
	}
}

func TestMultipartUpload(t *testing.T) {
	ctx := context.Background()
	st := s3test.NewStore(t)
	data := pattern(20 << 20)
	obj, err := st.Put(ctx, "big", bytes.NewReader(data), int64(len(data)), objectstore.PutOptions{ContentType: "application/octet-stream"})
	if err != nil {
		t.Fatalf("Put 20 MiB: %v", err)
	}
	if obj.SHA256 != sumHex(data) || obj.Size != int64(len(data)) {
		t.Fatalf("Put returned size %d sha %s, want %d %s", obj.Size, obj.SHA256, len(data), sumHex(data))
	}
	got, _ := readAll(t, st, "big", 0, -1)
	if len(got) != len(data) || sumHex(got) != sumHex(data) {
		t.Fatalf("Get returned %d bytes with sha %s", len(got), sumHex(got))
	}
	// A range across the part boundary (parts are at least 5 MiB).
	off := int64(16<<20 - 10)
	part, _ := readAll(t, st, "big", off, 20)
	if !bytes.Equal(part, data[off:off+20]) {
		t.Fatalf("range across parts differs")
	}
}

func TestMultipartUploadUnknownSize(t *testing.T) {
	ctx := context.Background()
	st := s3test.NewStore(t)
	data := pattern(20 << 20)
	obj, err := st.Put(ctx, "big-unknown", bytes.NewReader(data), -1, objectstore.PutOptions{})
	if err != nil {
		t.Fatalf("Put 20 MiB, size unknown: %v", err)
	}
	if obj.SHA256 != sumHex(data) || obj.Size != int64(len(data)) {
		t.Fatalf("Put returned size %d sha %s, want %d %s", obj.Size, obj.SHA256, len(data), sumHex(data))
	}
	got, _ := readAll(t, st, "big-unknown", 0, -1)
	if sumHex(got) != sumHex(data) {
		t.Fatalf("Get returned %d bytes with sha %s", len(got), sumHex(got))
	}
}

func TestVietnameseKey(t *testing.T) {
	ctx := context.Background()
	st := s3test.NewStore(t)
	key := "văn bản/Quyết định.pdf"
	data := []byte("%PDF-1.7 Quyết định")
	if _, err := st.Put(ctx, key, bytes.NewReader(data), int64(len(data)), objectstore.PutOptions{ContentType: "application/pdf"}); err != nil {
		t.Fatalf("Put %q: %v", key, err)
	}
	obj, err := st.Stat(ctx, key)
	if err != nil {
		t.Fatalf("Stat %q: %v", key, err)
	}
	if obj.Size != int64(len(data)) {
		t.Fatalf("Stat size = %d", obj.Size)
	}
	if got, _ := readAll(t, st, key, 0, -1); !bytes.Equal(got, data) {
		t.Fatalf("Get %q = %q", key, got)
	}
	// The NFD spelling is a different key: keys are bytes, never normalised.
	if _, err := st.Stat(ctx, "va\u0306n ba\u0309n/Quye\u0302\u0301t đi\u0323nh.pdf"); !errors.Is(err, objectstore.ErrNotExist) {
		t.Fatalf("Stat of the NFD spelling = %v, want ErrNotExist", err)
	}
}

func TestPresignedGet(t *testing.T) {
	ctx := context.Background()
	st := s3test.NewStore(t)
	data := []byte("nội dung tệp đính kèm")
	if _, err := st.Put(ctx, "files/42", bytes.NewReader(data), int64(len(data)), objectstore.PutOptions{ContentType: "application/pdf"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		download, wantName, wantKind string
		inline                       bool
	}{
		// SafeFileName drops everything up to the last slash.
		{"Quyết định số 1/2026.pdf", "2026.pdf", "attachment", false},
		{"Quyết định số 12.pdf", "Quyết định số 12.pdf", "inline", true},
		{`bao "cao".pdf`, "bao cao.pdf", "attachment", false},
	} {
		t.Run(tc.wantName, func(t *testing.T) {
			u, err := st.PresignedGet(ctx, "files/42", tc.download, tc.inline, 5*time.Minute)
			if err != nil {
				t.Fatalf("PresignedGet: %v", err)
			}
			resp, err := http.Get(u.String())
			if err != nil {
				t.Fatalf("GET presigned URL: %v", err)
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("presigned GET status %d: %s", resp.StatusCode, body)
			}
			if !bytes.Equal(body, data) {
				t.Fatalf("presigned GET body = %q", body)
			}
			cd := resp.Header.Get("Content-Disposition")
			kind, params, err := mime.ParseMediaType(cd)
			if err != nil {
				t.Fatalf("Content-Disposition %q: %v", cd, err)
			}
			if kind != tc.wantKind || params["filename"] != tc.wantName {
				t.Fatalf("Content-Disposition %q parsed as %q filename %q, want %q %q",
					cd, kind, params["filename"], tc.wantKind, tc.wantName)
			}
		})
	}
}

func TestPresignedGetMissingKeyIsNotFound(t *testing.T) {
	st := s3test.NewStore(t)
	u, err := st.PresignedGet(context.Background(), "missing", "x.pdf", false, time.Minute)
	if err != nil {
		t.Fatalf("PresignedGet does not contact the server and must succeed: %v", err)
	}
	resp, err := http.Get(u.String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("presigned GET of a missing key: status %d, want 404", resp.StatusCode)
	}
}

func TestSafeFileName(t *testing.T) {
	long := strings.Repeat("ế", 100) // 300 bytes, 3 per rune
	cases := []struct{ in, want string }{
		{"Quyết định.pdf", "Quyết định.pdf"},
		{"Quyết định số 1/2026.pdf", "2026.pdf"},
		{`C:\Users\vt\Báo cáo.docx`, "Báo cáo.docx"},
		{"../../etc/passwd", "passwd"},
		{"..", "tep-tin"},
		{"../..", "tep-tin"},
		{".", "tep-tin"},
		{"a/", "tep-tin"},
		{"", "tep-tin"},
		{"   ", "tep-tin"},
		{"\x00\x1f\x7f", "tep-tin"},
		{"a\x00b\nc\r\td\x7f.txt", "abcd.txt"},
		{`"quoted".txt`, "quoted.txt"},
		{"  spaced name.pdf  ", "spaced name.pdf"},
		{long, strings.Repeat("ế", 66)},
	}
	for _, tc := range cases {
		got := objectstore.SafeFileName(tc.in)
		if got != tc.want {
			t.Errorf("SafeFileName(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if !utf8.ValidString(got) {
			t.Errorf("SafeFileName(%q) = %q is not valid UTF-8", tc.in, got)
		}
	}
	// Truncation at every byte offset of multi-byte runes keeps valid UTF-8.
	for pad := 0; pad < 4; pad++ {
		in := strings.Repeat("a", pad) + strings.Repeat("Đ𝄞ệ", 40)
		got := objectstore.SafeFileName(in)
		if len(got) > 200 || len(got) < 196 || !utf8.ValidString(got) || !strings.HasPrefix(in, got) {
			t.Errorf("SafeFileName of %d bytes (pad %d) = %d bytes, valid=%v", len(in), pad, len(got), utf8.ValidString(got))
		}
	}
}

func TestContentDisposition(t *testing.T) {
	cases := []struct {
		name, wantKind, wantFile string
		inline                   bool
	}{
		{"Tờ trình.pdf", "attachment", "Tờ trình.pdf", false},
		{"Tờ trình.pdf", "inline", "Tờ trình.pdf", true},
		{"report.pdf", "attachment", "report.pdf", false},
		{`a"b;c.pdf`, "attachment", "ab;c.pdf", false},
		{"line\r\nInjected: yes", "attachment", "lineInjected: yes", false},
		{"", "attachment", "tep-tin", false},
		{"../x/..", "attachment", "tep-tin", false},
	}
	for _, tc := range cases {
		h := objectstore.ContentDisposition(tc.name, tc.inline)
		if strings.ContainsAny(h, "\r\n") {
			t.Errorf("ContentDisposition(%q) = %q contains a line break", tc.name, h)
		}
		for _, r := range h {
			if r > 0x7e {
				t.Errorf("ContentDisposition(%q) = %q is not ASCII", tc.name, h)
				break
			}
		}
		kind, params, err := mime.ParseMediaType(h)
		if err != nil {
			t.Errorf("ContentDisposition(%q) = %q does not parse: %v", tc.name, h, err)
			continue
		}
		if kind != tc.wantKind || params["filename"] != tc.wantFile {
			t.Errorf("ContentDisposition(%q, %v) = %q → %q %q, want %q %q",
				tc.name, tc.inline, h, kind, params["filename"], tc.wantKind, tc.wantFile)
		}
	}
}

func TestEnsureBucketCreatesAndIsIdempotent(t *testing.T) {
	ctx := context.Background()
	cfg := s3test.Config(t) // a fresh name; removed at cleanup
	st, err := objectstore.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if st.Bucket() != cfg.Bucket {
		t.Fatalf("Bucket() = %q, want %q", st.Bucket(), cfg.Bucket)
	}
	if err := st.Ping(ctx); !errors.Is(err, objectstore.ErrNotExist) {
		t.Fatalf("Ping before the bucket exists = %v, want ErrNotExist", err)
	}
	if err := st.EnsureBucket(ctx); err != nil {
		t.Fatalf("EnsureBucket: %v", err)
	}
	if err := st.Ping(ctx); err != nil {
		t.Fatalf("Ping after EnsureBucket: %v", err)
	}
	if _, err := st.Put(ctx, "k", strings.NewReader("v"), 1, objectstore.PutOptions{}); err != nil {
		t.Fatalf("Put into the new bucket: %v", err)
	}
	if err := st.EnsureBucket(ctx); err != nil {
		t.Fatalf("second EnsureBucket: %v", err)
	}
	if got, _ := readAll(t, st, "k", 0, -1); string(got) != "v" {
		t.Fatalf("object lost after second EnsureBucket: %q", got)
	}
}

func TestUnavailableWhenServerStops(t *testing.T) {
	ctx := context.Background()
	srv := s3test.StartServer(t)
	st, err := objectstore.New(srv.Config("b1-test"))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.EnsureBucket(ctx); err != nil {
		t.Fatalf("EnsureBucket: %v", err)
	}
	if err := st.Ping(ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	if _, err := st.Put(ctx, "before", strings.NewReader("kept"), 4, objectstore.PutOptions{}); err != nil {
		t.Fatalf("Put: %v", err)
	}

	srv.Stop(t)
	if err := st.Ping(ctx); !errors.Is(err, objectstore.ErrUnavailable) {
		t.Fatalf("Ping with the server stopped = %v, want ErrUnavailable", err)
	}
	if _, err := st.Put(ctx, "k", strings.NewReader("data"), 4, objectstore.PutOptions{}); !errors.Is(err, objectstore.ErrUnavailable) {
		t.Fatalf("Put with the server stopped = %v, want ErrUnavailable", err)
	}
	if _, err := st.Stat(ctx, "before"); !errors.Is(err, objectstore.ErrUnavailable) {
		t.Fatalf("Stat with the server stopped = %v, want ErrUnavailable", err)
	}

	srv.Start(t)
	if err := st.Ping(ctx); err != nil {
		t.Fatalf("Ping after restart: %v", err)
	}
	if got, _ := readAll(t, st, "before", 0, -1); string(got) != "kept" {
		t.Fatalf("object after restart = %q", got)
	}
}

func BenchmarkPutGet1MiB(b *testing.B) {
	ctx := context.Background()
	st := s3test.NewStore(b)
	data := pattern(1 << 20)
	b.SetBytes(int64(len(data)))
	for i := 0; b.Loop(); i++ {
		key := "bench/" + string(rune('a'+i%26))
		if _, err := st.Put(ctx, key, bytes.NewReader(data), int64(len(data)), objectstore.PutOptions{}); err != nil {
			b.Fatal(err)
		}
		rc, _, err := st.Get(ctx, key, 0, -1)
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.Copy(io.Discard, rc)
		rc.Close()
		if err != nil || n != int64(len(data)) {
			b.Fatalf("read %d bytes: %v", n, err)
		}
	}
}
