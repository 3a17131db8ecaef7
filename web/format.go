package web

import (
	"strconv"
	"time"

	"vanthu/internal/platform/vntime"
)

var vnZone = vntime.Zone

// Date formats a day as dd/mm/yyyy.
func Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("02/01/2006")
}

// DatePtr formats an optional day.
func DatePtr(t *time.Time) string {
	if t == nil {
		return ""
	}
	return Date(*t)
}

func dateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(vnZone).Format("02/01/2006 15:04")
}

func dateTimePtr(t *time.Time) string {
	if t == nil {
		return "—"
	}
	return dateTime(*t)
}

func i64(n int64) string { return strconv.FormatInt(n, 10) }
