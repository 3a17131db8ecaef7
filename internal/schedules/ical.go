package schedules

import (
	"bufio"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"vanthu/internal/platform/vntime"
)

// Calendar is an iCalendar (RFC 5545) document of schedule entries, as a
// person's feed carries it.
type Calendar struct {
	Name    string // shown by calendar applications (X-WR-CALNAME)
	Domain  string // right-hand side of UIDs, e.g. vanthu.example.vn
	BaseURL string // for each event's link back to its schedule ("" for none)
	Entries []Entry
}

const icsStamp = "20060102T150405Z"

// WriteICS writes c as an iCalendar stream: one VEVENT per entry with a
// UID stable across changes, times in UTC, SEQUENCE raised by every change
// after publishing, STATUS:CANCELLED for entries removed after publishing;
// text escaped and lines folded at 75 octets as RFC 5545 requires.
func WriteICS(w io.Writer, c Calendar) error {
	bw := bufio.NewWriter(w)
	line := func(name, value string) {
		writeFolded(bw, name+":"+value)
	}
	line("BEGIN", "VCALENDAR")
	line("VERSION", "2.0")
	line("PRODID", "-//Vanthu//Lich cong tac//VI")
	line("CALSCALE", "GREGORIAN")
	line("METHOD", "PUBLISH")
	if c.Name != "" {
		line("X-WR-CALNAME", escapeText(c.Name))
	}
	line("X-WR-TIMEZONE", "Asia/Ho_Chi_Minh")
	line("REFRESH-INTERVAL;VALUE=DURATION", "PT1H")
	line("X-PUBLISHED-TTL", "PT1H")
	domain := c.Domain
	if domain == "" {
		domain = "vanthu"
	}
	for _, e := range c.Entries {
		line("BEGIN", "VEVENT")
		line("UID", e.UID+"@"+domain)
		line("DTSTAMP", e.UpdatedAt.UTC().Format(icsStamp))
		line("CREATED", e.CreatedAt.UTC().Format(icsStamp))
		line("LAST-MODIFIED", e.UpdatedAt.UTC().Format(icsStamp))
		line("DTSTART", e.StartsAt().UTC().Format(icsStamp))
		if end := e.EndsAt(); end != nil {
			line("DTEND", end.UTC().Format(icsStamp))
		}
		line("SEQUENCE", strconv.Itoa(e.Sequence))
		summary := e.Content
		if e.Adjusted() {
			summary = "[Điều chỉnh] " + summary
		}
		line("SUMMARY", escapeText(summary))
		line("LOCATION", escapeText(e.Place))
		if d := description(e); d != "" {
			line("DESCRIPTION", escapeText(d))
		}
		if c.BaseURL != "" {
			line("URL", strings.TrimRight(c.BaseURL, "/")+scheduleLink(e.UnitID, e.Week()))
		}
		if e.Cancelled() {
			line("STATUS", "CANCELLED")
		} else {
			line("STATUS", "CONFIRMED")
		}
		line("TRANSP", "OPAQUE")
		line("END", "VEVENT")
	}
	line("END", "VCALENDAR")
	return bw.Flush()
}

// description is an entry's details as plain text lines.
func description(e Entry) string {
	var b []string
	if s := names(e.Chairs); s != "" {
		b = append(b, "Chủ trì: "+s)
	}
	if s := Attendance(e); s != "" {
		b = append(b, "Thành phần: "+s)
	}
	if s := Preparer(e); s != "" {
		b = append(b, "Chuẩn bị: "+s)
	}
	if e.Notes != "" {
		b = append(b, "Ghi chú: "+e.Notes)
	}
	b = append(b, "Lịch công tác của "+e.UnitName)
	if e.Adjusted() {
		b = append(b, "Lịch đã được điều chỉnh lúc "+e.AdjustedAt.In(vntime.Zone).Format("15:04 02/01/2006")+".")
	}
	if e.Cancelled() {
		b = append(b, "Lịch đã bị hủy.")
	}
	return strings.Join(b, "\n")
}

func names(ps []Person) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.Name
	}
	return strings.Join(s, ", ")
}

// Attendance is who attends besides the chairs: people on the platform,
// then what was written for the others.
func Attendance(e Entry) string {
	parts := []string{}
	if s := names(e.Attendees); s != "" {
		parts = append(parts, s)
	}
	if e.AttendeesText != "" {
		parts = append(parts, strings.ReplaceAll(e.AttendeesText, "\n", "; "))
	}
	return strings.Join(parts, "; ")
}

// Preparer is who prepares: unit, person, and the free text.
func Preparer(e Entry) string {
	parts := []string{}
	if e.PreparerUnit != nil {
		parts = append(parts, e.PreparerUnit.Name)
	}
	if e.PreparerUser != nil {
		parts = append(parts, e.PreparerUser.Name)
	}
	if e.PreparerText != "" {
		parts = append(parts, strings.ReplaceAll(e.PreparerText, "\n", "; "))
	}
	return strings.Join(parts, "; ")
}

// escapeText escapes an RFC 5545 TEXT value: backslash, semicolon, comma
// and newline; other control characters are dropped.
func escapeText(s string) string {
	var b strings.Builder
	for _, r := range strings.ReplaceAll(s, "\r\n", "\n") {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == ';':
			b.WriteString(`\;`)
		case r == ',':
			b.WriteString(`\,`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteByte(' ')
		case unicode.IsControl(r) || r == utf8.RuneError:
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// writeFolded writes one content line, folded so that no line exceeds 75
// octets (continuations start with a space), never inside a UTF-8
// sequence, each ended by CRLF.
func writeFolded(w *bufio.Writer, s string) {
	const limit = 75
	n := 0
	for len(s) > 0 {
		_, size := utf8.DecodeRuneInString(s)
		if n+size > limit {
			w.WriteString("\r\n ")
			n = 1
		}
		w.WriteString(s[:size])
		n += size
		s = s[size:]
	}
	w.WriteString("\r\n")
}
