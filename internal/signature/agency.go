package signature

import (
	"errors"
	"fmt"
	"io"
	"time"

	"vanthu/internal/apperr"
)

// AgencyEnabled says whether an agency certificate is configured, so issued
// copies get the agency's signature.
func (s *Service) AgencyEnabled() bool { return s.setup.AgencyConfigured() }

// Seal writes to w the PDF read from in (size bytes) with the agency's
// signature made at time at appended as an incremental update (SignAgency:
// top right of page one, 10-pt Times, with the time; domain.md §6). The
// output starts with the exact input bytes.
func (s *Service) Seal(w io.Writer, in io.ReadSeeker, size int64, at time.Time) error {
	if !s.setup.AgencyConfigured() {
		return errors.New("signature: no agency certificate configured")
	}
	c := s.setup.agency
	if at.After(c.NotAfter) || at.Before(c.NotBefore) {
		return apperr.Conflict(fmt.Sprintf("Chứng thư số của cơ quan chỉ có hiệu lực từ %s đến %s nên không ký được bản điện tử phát hành. Quản trị hệ thống cần thay chứng thư (VANTHU_AGENCY_P12_FILE) trước khi phát hành.",
			c.NotBefore.In(VietnamTime).Format("02/01/2006"), c.NotAfter.In(VietnamTime).Format("02/01/2006")))
	}
	return SignAgency(w, in, size, s.setup.agencyP12, s.setup.agencyPass, AgencyOptions{Time: at})
}
