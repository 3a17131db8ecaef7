package reports

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"vanthu/internal/apperr"
)

// FieldKind is what a field of a report holds.
type FieldKind string

const (
	KindNumber     FieldKind = "number"     // a number with its unit of measure, bounds and decimals
	KindText       FieldKind = "text"       // free text
	KindTable      FieldKind = "table"      // rows of defined columns (text or number)
	KindAttachment FieldKind = "attachment" // files, checked by content, kept in the object store
)

// FieldKinds lists the kinds in the order forms offer them.
var FieldKinds = []FieldKind{KindNumber, KindText, KindTable, KindAttachment}

// Label is the Vietnamese name of the kind.
func (k FieldKind) Label() string {
	switch k {
	case KindNumber:
		return "Số liệu"
	case KindText:
		return "Văn bản (chữ)"
	case KindTable:
		return "Bảng"
	case KindAttachment:
		return "Tệp đính kèm"
	}
	return string(k)
}

// Column is a column of a table field: text or number.
type Column struct {
	Key      string    `json:"key"`
	Label    string    `json:"label"`
	Kind     FieldKind `json:"kind"`
	Unit     string    `json:"unit,omitempty"`
	Decimals int       `json:"decimals,omitempty"`
}

// Field is one item of a report template. Keys are stable across versions:
// the same key is the same measure, so figures add up over time.
type Field struct {
	Key      string    `json:"key"`
	Label    string    `json:"label"`
	Kind     FieldKind `json:"kind"`
	Unit     string    `json:"unit,omitempty"`     // đơn vị tính, for numbers
	Min      string    `json:"min,omitempty"`      // Vietnamese notation in input, canonical once stored
	Max      string    `json:"max,omitempty"`      //
	Decimals int       `json:"decimals,omitempty"` // digits allowed after the comma (0: whole numbers)
	Required bool      `json:"required,omitempty"`
	Help     string    `json:"help,omitempty"`
	Columns  []Column  `json:"columns,omitempty"`
}

// Limits of a template.
const (
	MaxFields       = 100
	MaxColumns      = 20
	MaxDecimals     = maxFracDigits
	MaxLabelRunes   = 300
	MaxHelpRunes    = 1000
	MaxUnitRunes    = 50
	MaxTextRunes    = 20000
	MaxCellRunes    = 2000
	MaxTableRows    = 500
	MaxFilesInField = 20
)

var keyPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

func clean(s string) string { return strings.Join(strings.Fields(s), " ") }

// normaliseFields checks a template's fields and fills in what is implied:
// keys for new fields (f1, f2… after the highest number ever used, so a
// removed field's key is never reused for another measure), column keys
// by position, canonical bounds. Messages go to f under
// "fields[i].name".
func normaliseFields(in []Field, usedKeys []string, f apperr.Fields) []Field {
	if len(in) == 0 {
		f.Add("fields", "Mẫu báo cáo cần ít nhất một trường.")
		return nil
	}
	if len(in) > MaxFields {
		f.Add("fields", fmt.Sprintf("Mẫu báo cáo có tối đa %d trường.", MaxFields))
		return nil
	}
	next := 1
	bump := func(k string) {
		if n, err := strconv.Atoi(strings.TrimPrefix(k, "f")); err == nil && strings.HasPrefix(k, "f") && n >= next {
			next = n + 1
		}
	}
	for _, k := range usedKeys {
		bump(k)
	}
	for _, fl := range in {
		bump(strings.TrimSpace(fl.Key))
	}
	seen := map[string]bool{}
	out := make([]Field, 0, len(in))
	for i, fl := range in {
		p := fmt.Sprintf("fields[%d].", i)
		fl.Key = strings.TrimSpace(fl.Key)
		fl.Label = clean(fl.Label)
		fl.Unit = clean(fl.Unit)
		fl.Help = strings.TrimSpace(fl.Help)
		if fl.Key == "" {
			fl.Key = "f" + strconv.Itoa(next)
			next++
		} else if !keyPattern.MatchString(fl.Key) {
			f.Add(p+"key", "Mã trường chỉ gồm chữ thường không dấu, số và dấu gạch dưới, bắt đầu bằng chữ (ví dụ so_dang_vien).")
		}
		if seen[fl.Key] {
			f.Add(p+"key", fmt.Sprintf("Mã trường %q bị trùng.", fl.Key))
		}
		seen[fl.Key] = true
		switch {
		case fl.Label == "":
			f.Add(p+"label", "Vui lòng nhập tên trường.")
		case utf8.RuneCountInString(fl.Label) > MaxLabelRunes:
			f.Add(p+"label", fmt.Sprintf("Tên trường dài tối đa %d ký tự.", MaxLabelRunes))
		}
		if utf8.RuneCountInString(fl.Help) > MaxHelpRunes {
			f.Add(p+"help", fmt.Sprintf("Hướng dẫn dài tối đa %d ký tự.", MaxHelpRunes))
		}
		if utf8.RuneCountInString(fl.Unit) > MaxUnitRunes {
			f.Add(p+"unit", fmt.Sprintf("Đơn vị tính dài tối đa %d ký tự.", MaxUnitRunes))
		}
		switch fl.Kind {
		case KindNumber:
			if fl.Decimals < 0 || fl.Decimals > MaxDecimals {
				f.Add(p+"decimals", fmt.Sprintf("Số chữ số thập phân từ 0 đến %d.", MaxDecimals))
			}
			bound := func(name, v string) string {
				if strings.TrimSpace(v) == "" {
					return ""
				}
				c, msg := ParseNumber(v)
				if msg != "" {
					f.Add(p+name, msg)
				}
				return c
			}
			fl.Min, fl.Max = bound("min", fl.Min), bound("max", fl.Max)
			if fl.Min != "" && fl.Max != "" && compareNumbers(fl.Min, fl.Max) > 0 {
				f.Add(p+"max", "Giá trị lớn nhất phải không nhỏ hơn giá trị nhỏ nhất.")
			}
			fl.Columns = nil
		case KindTable:
			if len(fl.Columns) == 0 {
				f.Add(p+"columns", "Bảng cần ít nhất một cột.")
			}
			if len(fl.Columns) > MaxColumns {
				f.Add(p+"columns", fmt.Sprintf("Bảng có tối đa %d cột.", MaxColumns))
			}
			for j := range fl.Columns {
				c := &fl.Columns[j]
				c.Key = "c" + strconv.Itoa(j+1)
				c.Label, c.Unit = clean(c.Label), clean(c.Unit)
				if c.Kind == "" {
					c.Kind = KindText
				}
				switch {
				case c.Label == "":
					f.Add(p+"columns", fmt.Sprintf("Cột %d chưa có tên.", j+1))
				case utf8.RuneCountInString(c.Label) > MaxLabelRunes:
					f.Add(p+"columns", fmt.Sprintf("Tên cột %d dài tối đa %d ký tự.", j+1, MaxLabelRunes))
				}
				if c.Kind != KindText && c.Kind != KindNumber {
					f.Add(p+"columns", fmt.Sprintf("Cột %q phải là cột chữ hoặc cột số.", c.Label))
				}
				if c.Kind == KindText {
					c.Unit, c.Decimals = "", 0
				}
				if c.Decimals < 0 || c.Decimals > MaxDecimals {
					f.Add(p+"columns", fmt.Sprintf("Cột %q: số chữ số thập phân từ 0 đến %d.", c.Label, MaxDecimals))
				}
			}
			fl.Unit, fl.Min, fl.Max, fl.Decimals = "", "", "", 0
		case KindText, KindAttachment:
			fl.Unit, fl.Min, fl.Max, fl.Decimals, fl.Columns = "", "", "", 0, nil
		default:
			f.Add(p+"kind", "Loại trường phải là số liệu, văn bản, bảng hoặc tệp đính kèm (number, text, table, attachment).")
		}
		out = append(out, fl)
	}
	return out
}

// Value is what a unit entered for one field: the text of a number or text
// field as typed, the rows of a table (column key → cell as typed), or the
// files of an attachment field.
type Value struct {
	Text  string              `json:"text,omitempty"`
	Rows  []map[string]string `json:"rows,omitempty"`
	Files []FileRef           `json:"files,omitempty"`
}

// FileRef is an attached file.
type FileRef struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Size int64  `json:"size"`
}

// Values maps field keys to values.
type Values map[string]Value

// checked is the outcome of checking values against fields: the numbers
// (canonical) of number fields, and messages by field path ("f1",
// "f3[2].c1").
type checked struct {
	numbers map[string]string
	errors  map[string]string
}

// tidy drops what the fields do not ask for (unknown keys, empty table
// rows, unknown columns) and trims text, so drafts keep only real input.
// Attachments are left alone: they change only through uploads.
func tidy(fields []Field, in Values) Values {
	out := Values{}
	for _, fl := range fields {
		v, ok := in[fl.Key]
		if !ok {
			continue
		}
		switch fl.Kind {
		case KindNumber:
			if t := strings.TrimSpace(v.Text); t != "" {
				out[fl.Key] = Value{Text: t}
			}
		case KindText:
			if t := strings.TrimRight(strings.ReplaceAll(v.Text, "\r\n", "\n"), " \n\t"); strings.TrimSpace(t) != "" {
				out[fl.Key] = Value{Text: t}
			}
		case KindTable:
			var rows []map[string]string
			for _, r := range v.Rows {
				row := map[string]string{}
				for _, c := range fl.Columns {
					if cell := strings.TrimSpace(r[c.Key]); cell != "" {
						row[c.Key] = cell
					}
				}
				if len(row) > 0 {
					rows = append(rows, row)
				}
			}
			if len(rows) > 0 {
				out[fl.Key] = Value{Rows: rows}
			}
		case KindAttachment:
			if len(v.Files) > 0 {
				out[fl.Key] = Value{Files: v.Files}
			}
		}
	}
	return out
}

// check validates tidy values against fields. A draft (final false) is
// only told about what is wrong with what was typed; a submission (final
// true) also about required fields left empty.
func check(fields []Field, vals Values, final bool) checked {
	c := checked{numbers: map[string]string{}, errors: map[string]string{}}
	for _, fl := range fields {
		v := vals[fl.Key]
		switch fl.Kind {
		case KindNumber:
			if v.Text == "" {
				if final && fl.Required {
					c.errors[fl.Key] = "Vui lòng nhập số liệu."
				}
				continue
			}
			n, msg := checkNumber(v.Text, fl.Decimals, fl.Min, fl.Max)
			if msg != "" {
				c.errors[fl.Key] = msg
				continue
			}
			c.numbers[fl.Key] = n
		case KindText:
			if v.Text == "" {
				if final && fl.Required {
					c.errors[fl.Key] = "Vui lòng nhập nội dung."
				}
			} else if utf8.RuneCountInString(v.Text) > MaxTextRunes {
				c.errors[fl.Key] = fmt.Sprintf("Nội dung dài tối đa %s ký tự.", FormatNumber(strconv.Itoa(MaxTextRunes)))
			}
		case KindTable:
			if len(v.Rows) == 0 {
				if final && fl.Required {
					c.errors[fl.Key] = "Vui lòng nhập ít nhất một dòng."
				}
				continue
			}
			if len(v.Rows) > MaxTableRows {
				c.errors[fl.Key] = fmt.Sprintf("Bảng có tối đa %d dòng.", MaxTableRows)
				continue
			}
			for i, r := range v.Rows {
				for _, col := range fl.Columns {
					cell := r[col.Key]
					if cell == "" {
						continue
					}
					path := fmt.Sprintf("%s[%d].%s", fl.Key, i, col.Key)
					if col.Kind == KindNumber {
						if _, msg := checkNumber(cell, col.Decimals, "", ""); msg != "" {
							c.errors[path] = msg
						}
					} else if utf8.RuneCountInString(cell) > MaxCellRunes {
						c.errors[path] = fmt.Sprintf("Ô dài tối đa %d ký tự.", MaxCellRunes)
					}
				}
			}
		case KindAttachment:
			if len(v.Files) == 0 && final && fl.Required {
				c.errors[fl.Key] = "Vui lòng đính kèm tệp."
			}
		}
	}
	return c
}

// checkNumber reads a typed number and checks its decimals and bounds.
func checkNumber(text string, decimals int, min, max string) (string, string) {
	n, msg := ParseNumber(text)
	if msg != "" {
		return "", msg
	}
	if d := decimalPlaces(n); d > decimals {
		if decimals == 0 {
			return "", "Phải là số nguyên."
		}
		return "", fmt.Sprintf("Tối đa %d chữ số sau dấu phẩy.", decimals)
	}
	if min != "" && compareNumbers(n, min) < 0 {
		return "", "Không được nhỏ hơn " + FormatNumber(min) + "."
	}
	if max != "" && compareNumbers(n, max) > 0 {
		return "", "Không được lớn hơn " + FormatNumber(max) + "."
	}
	return n, ""
}

// CheckDraft says what is wrong with a draft's values so far (required
// fields left empty aside), by field path.
func CheckDraft(fields []Field, vals Values) map[string]string {
	return check(fields, vals, false).errors
}
