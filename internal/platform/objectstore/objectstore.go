// Package objectstore keeps file bytes in an S3-compatible object store.
//
// Capabilities see a small Store with sentinel errors; minio-go and the
// quirks of the servers we run against stay in here. Keys are always made by
// the server (never taken from a user's file name).
package objectstore

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// Sentinel errors callers test with errors.Is.
var (
	ErrNotExist         = errors.New("object does not exist")
	ErrChecksumMismatch = errors.New("object checksum mismatch")
	ErrUnavailable      = errors.New("object store unavailable")
)

// Config says how to reach the store.
type Config struct {
	Endpoint  string // host:port
	UseTLS    bool
	Region    string
	Bucket    string
	AccessKey string
	SecretKey string
}

// Store is a bucket in an S3-compatible object store.
type Store struct {
	client *minio.Client
	bucket string
	region string
}

// Object describes a stored object.
type Object struct {
	Key         string
	Size        int64
	SHA256      string // hex, as computed by us while streaming
	ContentType string
	ModTime     time.Time
}

// New connects lazily; call EnsureBucket or Ping to check the store answers.
func New(cfg Config) (*Store, error) {
	client, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure: cfg.UseTLS,
		Region: cfg.Region,
		// Needed for server-verified SHA-256 checksums (x-amz-checksum-sha256).
		TrailingHeaders: true,
	})
	if err != nil {
		return nil, fmt.Errorf("object store client: %w", err)
	}
	return &Store{client: client, bucket: cfg.Bucket, region: cfg.Region}, nil
}

// Bucket names the bucket this store writes to.
func (s *Store) Bucket() string { return s.bucket }

// EnsureBucket creates the bucket, with versioning on, when it is missing.
func (s *Store) EnsureBucket(ctx context.Context) error {
	exists, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return s.mapErr(err)
	}
	if exists {
		return nil
	}
	if err := s.client.MakeBucket(ctx, s.bucket, minio.MakeBucketOptions{Region: s.region}); err != nil {
		var resp minio.ErrorResponse
		if errors.As(err, &resp) && (resp.Code == "BucketAlreadyOwnedByYou" || resp.Code == "BucketAlreadyExists") {
			return nil // another replica won the race
		}
		return s.mapErr(err)
	}
	// Versioning keeps an overwritten or deleted object recoverable.
	if err := s.client.EnableVersioning(ctx, s.bucket); err != nil {
		return fmt.Errorf("enable versioning on bucket %s: %w", s.bucket, s.mapErr(err))
	}
	return nil
}

// Ping checks that the store answers and the bucket exists.
func (s *Store) Ping(ctx context.Context) error {
	exists, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return s.mapErr(err)
	}
	if !exists {
		return fmt.Errorf("bucket %q: %w", s.bucket, ErrNotExist)
	}
	return nil
}

// PutOptions describe an upload.
type PutOptions struct {
	ContentType string
	// SHA256 is the expected digest, when the caller knows it already. The
	// store refuses the upload if the bytes it receives do not match.
	SHA256 []byte
}

// singlePutMax is the largest upload sent in one PUT (minio-go's part size).
const singlePutMax = 16 << 20

// Put streams r (size bytes, or -1 when unknown) to key. The SHA-256 is
// computed here while streaming and the server verifies it: either against
// opts.SHA256 sent up front, or against the checksum minio-go sends after the
// body (a trailer), which we then compare with our own.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, size int64, opts PutOptions) (Object, error) {
	h := sha256.New()
	body := io.TeeReader(r, h)
	po := minio.PutObjectOptions{
		ContentType: opts.ContentType,
		// versitygw answers BadDigest to a signed streaming body with a
		// trailing checksum over plain HTTP; unsigned payload avoids that
		// while the SHA-256 checksum still protects the bytes.
		DisableContentSha256: true,
	}
	if opts.SHA256 != nil && size >= 0 && size <= singlePutMax {
		po.UserMetadata = map[string]string{"x-amz-checksum-sha256": base64.StdEncoding.EncodeToString(opts.SHA256)}
	} else {
		// A declared whole-object digest is valid only on a single PUT;
		// multipart uploads checksum each part and we compare the total.
		po.Checksum = minio.ChecksumSHA256
		po.PartSize = singlePutMax
	}
	info, err := s.client.PutObject(ctx, s.bucket, key, body, size, po)
	if err != nil {
		return Object{}, s.mapErr(err)
	}
	sum := h.Sum(nil)
	if opts.SHA256 != nil && !equalBytes(sum, opts.SHA256) {
		// The server accepted bytes matching the declared digest, yet what we
		// read differs: never keep such an object.
		_ = s.Delete(context.WithoutCancel(ctx), key)
		return Object{}, ErrChecksumMismatch
	}
	if server := info.ChecksumSHA256; server != "" && !strings.Contains(server, "-") {
		if server != base64.StdEncoding.EncodeToString(sum) {
			_ = s.Delete(context.WithoutCancel(ctx), key)
			return Object{}, ErrChecksumMismatch
		}
	}
	return Object{Key: key, Size: info.Size, SHA256: hex.EncodeToString(sum), ContentType: opts.ContentType}, nil
}

// Get opens key for reading; offset and length select a byte range (length
// -1 reads to the end). The caller closes the reader.
func (s *Store) Get(ctx context.Context, key string, offset, length int64) (io.ReadCloser, Object, error) {
	var opts minio.GetObjectOptions
	if offset > 0 || length >= 0 {
		end := int64(0)
		if length >= 0 {
			end = offset + length - 1
		}
		if err := opts.SetRange(offset, end); err != nil {
			return nil, Object{}, fmt.Errorf("range: %w", err)
		}
	}
	obj, err := s.client.GetObject(ctx, s.bucket, key, opts)
	if err != nil {
		return nil, Object{}, s.mapErr(err)
	}
	// GetObject is lazy: Stat forces the request so a missing key fails here.
	st, err := obj.Stat()
	if err != nil {
		obj.Close()
		return nil, Object{}, s.mapErr(err)
	}
	return obj, objectFromInfo(st), nil
}

// Stat describes key without reading it.
func (s *Store) Stat(ctx context.Context, key string) (Object, error) {
	st, err := s.client.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{})
	if err != nil {
		return Object{}, s.mapErr(err)
	}
	return objectFromInfo(st), nil
}

// Delete removes key; a missing key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := s.client.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{}); err != nil {
		err = s.mapErr(err)
		if errors.Is(err, ErrNotExist) {
			return nil
		}
		return err
	}
	return nil
}

// PresignedGet returns a URL valid for ttl that downloads key under
// downloadName (UTF-8 allowed) as an attachment or inline.
func (s *Store) PresignedGet(ctx context.Context, key, downloadName string, inline bool, ttl time.Duration) (*url.URL, error) {
	params := url.Values{}
	params.Set("response-content-disposition", ContentDisposition(downloadName, inline))
	u, err := s.client.PresignedGetObject(ctx, s.bucket, key, ttl, params)
	if err != nil {
		return nil, s.mapErr(err)
	}
	return u, nil
}

// ContentDisposition builds a header value that carries a Vietnamese file
// name safely (RFC 5987 UTF-8 form for non-ASCII names).
func ContentDisposition(name string, inline bool) string {
	kind := "attachment"
	if inline {
		kind = "inline"
	}
	name = SafeFileName(name)
	return mime.FormatMediaType(kind, map[string]string{"filename": name})
}

// SafeFileName strips path parts (old browsers send C:\\…) and control
// characters from an uploaded file's name; it never becomes an object key.
// Callers naming a download after a symbol such as 57-NQ/TW replace its
// slashes first.
func SafeFileName(name string) string {
	if i := strings.LastIndexAny(name, `/\\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '"' {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if name == "" || name == "." || name == ".." {
		return "tep-tin"
	}
	if len(name) > 200 {
		name = truncateUTF8(name, 200)
	}
	return name
}

func truncateUTF8(s string, n int) string {
	for n > 0 && n < len(s) && (s[n]&0xC0) == 0x80 {
		n--
	}
	return s[:n]
}

func objectFromInfo(st minio.ObjectInfo) Object {
	return Object{Key: st.Key, Size: st.Size, ContentType: st.ContentType, ModTime: st.LastModified}
}

func (s *Store) mapErr(err error) error {
	if err == nil {
		return nil
	}
	var resp minio.ErrorResponse
	if errors.As(err, &resp) {
		switch {
		case resp.Code == "NoSuchKey" || resp.Code == "NoSuchBucket" || resp.StatusCode == http.StatusNotFound:
			return fmt.Errorf("%w: %s", ErrNotExist, resp.Message)
		case resp.Code == "BadDigest" || resp.Code == "InvalidDigest" || strings.Contains(resp.Code, "Checksum"):
			return fmt.Errorf("%w: %s", ErrChecksumMismatch, resp.Message)
		case resp.StatusCode >= 500:
			return fmt.Errorf("%w: %s", ErrUnavailable, resp.Message)
		case resp.StatusCode != 0:
			return fmt.Errorf("object store: %s: %s", resp.Code, resp.Message)
		}
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	// minio-go checks arguments before sending anything: a bug, not an outage.
	if strings.Contains(err.Error(), "cannot be") || strings.Contains(err.Error(), "Invalid") {
		return fmt.Errorf("object store request: %w", err)
	}
	// No S3 answer at all: the network or the server is down.
	return fmt.Errorf("%w: %v", ErrUnavailable, err)
}

func equalBytes(a, b []byte) bool {
	return len(a) == len(b) && string(a) == string(b)
}
