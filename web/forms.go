package web

import "strings"

// Form carries submitted values and Vietnamese messages back to a form.
type Form struct {
	Values map[string]string
	Errors map[string]string
	Error  string // message for the whole form
}

// Get returns a submitted value.
func (f Form) Get(name string) string { return f.Values[name] }

// Err returns the message for a field.
func (f Form) Err(name string) string { return f.Errors[name] }

// fieldClass marks a field that failed validation.
func fieldClass(f Form, name string) string {
	if f.Errors[name] != "" {
		return "field invalid"
	}
	return "field"
}

// errID is the id of a field's message, for aria-describedby.
func errID(name string) string { return name + "-error" }

// fieldID turns a field name into a valid element id ("parts[0].target_id"
// becomes "parts-0--target_id").
func fieldID(name string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' {
			return r
		}
		return '-'
	}, name)
}

// describedBy lists a field's hint and message ids for aria-describedby.
func describedBy(f Form, name string, hint bool) string {
	var ids []string
	if hint {
		ids = append(ids, fieldID(name)+"-hint")
	}
	if f.Err(name) != "" {
		ids = append(ids, fieldID(name)+"-error")
	}
	return strings.Join(ids, " ")
}

// Option is one choice of a select.
type Option struct {
	Value string
	Label string
}
