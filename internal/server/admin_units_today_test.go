package server

import (
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"vanthu/internal/platform/vntime"
)

// unitToday is Vietnam's date whatever the server's zone. The check runs in
// a child process whose local zone is 24 hours behind Vietnam's, so its
// local date is always the day before.
func TestUnitTodayIsVietnams(t *testing.T) {
	if os.Getenv("VANTHU_UNIT_TODAY_CHILD") == "1" {
		y, m, d := time.Now().Date()
		local := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		vn := vntime.Today()
		if !local.AddDate(0, 0, 1).Equal(vn) {
			t.Fatalf("the local zone %v is not a day behind Vietnam: %v, %v", time.Local, local, vn)
		}
		if got := unitToday(); !got.Equal(vn) {
			t.Fatalf("unitToday() = %v, want Vietnam's %v (the local date is %v)", got, vn, local)
		}
		return
	}
	// A zone file (TZif, version 1) with one type: UTC−17, i.e. Vietnam's
	// UTC+7 minus a day.
	var tz []byte
	tz = append(tz, "TZif"...)
	tz = append(tz, make([]byte, 16)...)           // version 1, reserved
	for _, n := range []uint32{0, 0, 0, 0, 1, 4} { // isutcnt isstdcnt leapcnt timecnt typecnt charcnt
		tz = binary.BigEndian.AppendUint32(tz, n)
	}
	offset := int32(-17 * 3600)
	tz = binary.BigEndian.AppendUint32(tz, uint32(offset))
	tz = append(tz, 0, 0) // not DST, abbreviation at 0
	tz = append(tz, "M17\x00"...)
	zone := filepath.Join(t.TempDir(), "behind")
	if err := os.WriteFile(zone, tz, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestUnitTodayIsVietnams$", "-test.count=1")
	cmd.Env = append(os.Environ(), "VANTHU_UNIT_TODAY_CHILD=1", "TZ="+zone)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
}
