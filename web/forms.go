package web

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
