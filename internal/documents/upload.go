package documents

import (
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/gabriel-vasile/mimetype"

	"vanthu/internal/apperr"
	"vanthu/internal/platform/objectstore"
)

// allowedTypes are the file types a document may carry, decided by content
// (never by the name): scans and born-digital office documents.
var allowedTypes = map[string]string{
	"application/pdf": "PDF",
	"image/jpeg":      "JPEG",
	"image/png":       "PNG",
	"image/tiff":      "TIFF",
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document":   "DOCX",
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":         "XLSX",
	"application/vnd.openxmlformats-officedocument.presentationml.presentation": "PPTX",
	"application/vnd.oasis.opendocument.text":                                   "ODT",
	"application/vnd.oasis.opendocument.spreadsheet":                            "ODS",
	"application/msword":       "DOC",
	"application/vnd.ms-excel": "XLS",
}

// AllowedTypesText lists the accepted formats for messages and hints.
const AllowedTypesText = "PDF, JPEG, PNG, TIFF, DOCX, XLSX, PPTX, ODT, ODS, DOC, XLS"

// Upload is a received file spooled to a temporary file, hashed and
// identified by its content. Close removes the temporary file.
type Upload struct {
	Name        string
	Size        int64
	SHA256      []byte
	ContentType string
	tmp         *os.File
	finding     Finding // from a FileInspector, recorded with the file row
}

// Receive spools r (one uploaded file) to disk, at most limit bytes,
// computing its SHA-256, and checks its type by content. Spooling keeps
// memory flat however many uploads run at once, and lets the object store
// verify the digest we computed.
func Receive(r io.Reader, name string, limit int64) (*Upload, error) {
	name = objectstore.SafeFileName(name)
	tmp, err := os.CreateTemp("", "vanthu-upload-*")
	if err != nil {
		return nil, fmt.Errorf("spool upload: %w", err)
	}
	u := &Upload{Name: name, tmp: tmp}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(r, limit+1))
	if err != nil {
		u.Close()
		return nil, fmt.Errorf("receive %s: %w", name, err) // a *http.MaxBytesError stays visible
	}
	if n > limit {
		u.Close()
		msg := fmt.Sprintf("Tệp %q vượt quá dung lượng cho phép (%d MB).", name, limit>>20)
		return nil, apperr.Invalid(msg, map[string]string{"files": msg})
	}
	if n == 0 {
		u.Close()
		msg := fmt.Sprintf("Tệp %q rỗng.", name)
		return nil, apperr.Invalid(msg, map[string]string{"files": msg})
	}
	u.Size, u.SHA256 = n, h.Sum(nil)
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		u.Close()
		return nil, err
	}
	mt, err := mimetype.DetectReader(tmp)
	if err != nil {
		u.Close()
		return nil, fmt.Errorf("detect type of %s: %w", name, err)
	}
	ct := baseType(mt)
	if _, ok := allowedTypes[ct]; !ok {
		u.Close()
		msg := fmt.Sprintf("Tệp %q có định dạng %s, không được chấp nhận. Định dạng được chấp nhận: %s.", name, describe(mt), AllowedTypesText)
		return nil, apperr.Invalid(msg, map[string]string{"files": msg})
	}
	u.ContentType = ct
	return u, nil
}

// baseType walks up the detected type's parents to one we allow (e.g. a
// PDF/A is a PDF), or returns the detected type itself.
func baseType(mt *mimetype.MIME) string {
	for m := mt; m != nil; m = m.Parent() {
		t, _, _ := strings.Cut(m.String(), ";")
		if _, ok := allowedTypes[t]; ok {
			return t
		}
	}
	t, _, _ := strings.Cut(mt.String(), ";")
	return t
}

func describe(mt *mimetype.MIME) string {
	if ext := strings.TrimPrefix(mt.Extension(), "."); ext != "" {
		return strings.ToUpper(ext)
	}
	t, _, _ := strings.Cut(mt.String(), ";")
	return t
}

// Reader reads the spooled bytes from the start.
func (u *Upload) Reader() (io.Reader, error) {
	if _, err := u.tmp.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return u.tmp, nil
}

// Close removes the temporary file.
func (u *Upload) Close() {
	if u.tmp != nil {
		name := u.tmp.Name()
		u.tmp.Close()
		os.Remove(name)
		u.tmp = nil
	}
}

// CloseAll closes every upload.
func CloseAll(us []*Upload) {
	for _, u := range us {
		u.Close()
	}
}
