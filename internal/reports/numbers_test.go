package reports

import "testing"

func TestParseNumber(t *testing.T) {
	ok := map[string]string{
		"0": "0", "12": "12", "1.250": "1250", "1.234.567,89": "1234567.89", "12,5": "12.5", ",5": "0.5",
		"-3": "-3", "−3": "-3", "+7": "7", "1 250": "1250", "1\u00a0250,5": "1250.5", "007": "7", "2,50": "2.5",
		"-0": "0", "0,000": "0", "999.999.999.999.999": "999999999999999",
	}
	for in, want := range ok {
		got, msg := ParseNumber(in)
		if msg != "" || got != want {
			t.Errorf("ParseNumber(%q) = %q, %q; want %q", in, got, msg, want)
		}
	}
	bad := map[string]string{
		"": msgNotNumber, "abc": msgNotNumber, "2.5": msgDotComma, "12.34": msgDotComma, "1.2345": msgDotComma,
		"1,2,3": msgNotNumber, "1,": msgNotNumber, "1,5.0": msgDotComma, "12 5": msgDotComma, "1e5": msgNotNumber,
		"1.000.000.000.000.000": msgTooLong, "0,1234567": msgTooLong, "--1": msgNotNumber, ".": msgNotNumber,
	}
	for in, want := range bad {
		if got, msg := ParseNumber(in); msg != want {
			t.Errorf("ParseNumber(%q) = %q, %q; want message %q", in, got, msg, want)
		}
	}
}

func TestFormatNumber(t *testing.T) {
	for in, want := range map[string]string{
		"0": "0", "12": "12", "1250": "1.250", "1234567.89": "1.234.567,89", "-1234.50": "-1.234,5", "2231.50": "2.231,5",
		"100.00": "100", "-0.0": "0", "": "", "NaN": "NaN",
	} {
		if got := FormatNumber(in); got != want {
			t.Errorf("FormatNumber(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDifference(t *testing.T) {
	for _, c := range []struct{ cur, prev, diff, pct string }{
		{"15", "1022", "-1007", "-98.5"},
		{"110", "100", "10", "10.0"},
		{"2231.5", "2000.25", "231.25", "11.6"},
		{"5", "0", "5", ""},
		{"-5", "-10", "5", "50.0"},
	} {
		d, p := Difference(c.cur, c.prev)
		if d != c.diff || p != c.pct {
			t.Errorf("Difference(%s, %s) = %s, %s; want %s, %s", c.cur, c.prev, d, p, c.diff, c.pct)
		}
	}
}
