// Package vntime holds Vietnam's time zone: calendar days (deadlines,
// register years, "today") are counted there, while instants are stored
// in UTC.
package vntime

import (
	"time"
	_ "time/tzdata" // the zone must exist even on hosts without tzdata
)

// Zone is Asia/Ho_Chi_Minh (UTC+7, no daylight saving).
var Zone = func() *time.Location {
	if loc, err := time.LoadLocation("Asia/Ho_Chi_Minh"); err == nil {
		return loc
	}
	return time.FixedZone("ICT", 7*3600)
}()

// Today is the current calendar day in Vietnam, at 00:00 UTC (the form
// dates take when stored in PostgreSQL date columns).
func Today() time.Time { return DateOf(time.Now()) }

// DateOf is the calendar day in Vietnam of instant t, at 00:00 UTC.
func DateOf(t time.Time) time.Time {
	y, m, d := t.In(Zone).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
