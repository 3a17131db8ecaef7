package documents

import (
	"context"
	"io"

	"vanthu/internal/platform/postgres"
)

// FileInspector looks at a received file before it is stored: the signature
// capability verifies a PDF's signatures. It runs before the storing
// transaction (verification takes time and must not hold a register's
// counter lock) and returns what to record once the file row exists. It
// never refuses a file: what it finds is recorded, not enforced.
type FileInspector interface {
	Inspect(ctx context.Context, contentType string, r io.ReaderAt, size int64) Finding
}

// Finding records what an inspector found about a file, in the transaction
// that stores the file row; nil records nothing.
type Finding = func(ctx context.Context, q postgres.Querier, fileID int64) error

// InspectAll runs i (if any) over uploads and keeps each finding with its
// upload, for RecordFinding.
func InspectAll(ctx context.Context, i FileInspector, uploads []*Upload) {
	if i == nil {
		return
	}
	for _, u := range uploads {
		if u.tmp != nil {
			u.finding = i.Inspect(ctx, u.ContentType, u.tmp, u.Size)
		}
	}
}

// RecordFinding writes what InspectAll found about u for the stored file
// fileID; it does nothing when nothing was inspected.
func (u *Upload) RecordFinding(ctx context.Context, q postgres.Querier, fileID int64) error {
	if u.finding == nil {
		return nil
	}
	return u.finding(ctx, q, fileID)
}

// SetInspector makes the service inspect every file it receives.
func (s *Service) SetInspector(i FileInspector) { s.inspector = i }
