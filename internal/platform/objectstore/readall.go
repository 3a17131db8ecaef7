package objectstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
)

// ReadAll reads key into memory (at most max bytes) and checks it against
// the SHA-256 (hex) recorded when it was stored: work that rereads a file
// (verifying or signing it again) must act on the bytes that were received.
func (s *Store) ReadAll(ctx context.Context, key, wantSHA256 string, max int64) ([]byte, error) {
	rc, obj, err := s.Get(ctx, key, 0, -1)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	if obj.Size > max {
		return nil, fmt.Errorf("object %s has %d bytes, more than %d", key, obj.Size, max)
	}
	b, err := io.ReadAll(io.LimitReader(rc, max+1))
	if err != nil {
		return nil, fmt.Errorf("%w: reading %s: %v", ErrUnavailable, key, err)
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("object %s is larger than %d bytes", key, max)
	}
	sum := sha256.Sum256(b)
	if wantSHA256 != "" && hex.EncodeToString(sum[:]) != wantSHA256 {
		return nil, fmt.Errorf("%w: %s does not match its recorded SHA-256", ErrChecksumMismatch, key)
	}
	return b, nil
}
