package edxml

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// node is a parsed element. Names keep their raw prefix; matching is by
// local name only (see the package comment).
type node struct {
	prefix   string
	name     string
	attrs    []xml.Attr
	text     []byte
	children []*node
}

type treeLimits struct {
	maxBytes   int64
	maxDepth   int   // 0: 64
	maxEncoded int64 // max base64 characters in one ContentTransferEncoded; 0: no limit
}

var errTooLarge = errors.New("edxml: input too large")

// limitReader fails once more than n bytes are read.
type limitReader struct {
	r    io.Reader
	left int64
	over bool
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		var b [1]byte
		n, err := l.r.Read(b[:])
		if n > 0 {
			l.over = true
			return 0, errTooLarge
		}
		if err == nil {
			err = io.ErrNoProgress
		}
		return 0, err
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

func syntaxErr(err error) *Error {
	return &Error{Message: "Tệp edXML không đúng cú pháp XML: " + err.Error(), Err: err}
}

// readTree parses a whole document into nodes. It refuses DOCTYPE and any
// other directive, more than one root element, and input over the limits.
// Whitespace is stripped from ContentTransferEncoded text as it is read.
func readTree(r io.Reader, lim treeLimits) (*node, error) {
	lr := &limitReader{r: r, left: lim.maxBytes}
	d := xml.NewDecoder(lr)
	d.Strict = true
	maxDepth := lim.maxDepth
	if maxDepth == 0 {
		maxDepth = 64
	}
	var (
		root  *node
		stack []*node
		done  bool
	)
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			if lr.over || errors.Is(err, errTooLarge) {
				return nil, &Error{Message: fmt.Sprintf("Tệp edXML vượt quá dung lượng cho phép (%d byte)", lim.maxBytes), Err: errTooLarge}
			}
			return nil, syntaxErr(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if done {
				return nil, syntaxErr(errors.New("có nhiều hơn một phần tử gốc"))
			}
			if len(stack) >= maxDepth {
				return nil, syntaxErr(errors.New("lồng phần tử quá sâu"))
			}
			n := &node{prefix: t.Name.Space, name: t.Name.Local}
			if len(t.Attr) > 0 {
				n.attrs = append([]xml.Attr(nil), t.Attr...)
			}
			if len(stack) == 0 {
				root = n
			} else {
				p := stack[len(stack)-1]
				p.children = append(p.children, n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			if len(stack) == 0 {
				return nil, syntaxErr(fmt.Errorf("thẻ đóng </%s> thừa", t.Name.Local))
			}
			top := stack[len(stack)-1]
			if top.name != t.Name.Local || top.prefix != t.Name.Space {
				return nil, syntaxErr(fmt.Errorf("thẻ <%s> đóng bằng </%s>", top.name, t.Name.Local))
			}
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				done = true
			}
		case xml.CharData:
			if len(stack) == 0 {
				if len(bytes.TrimSpace(t)) > 0 {
					return nil, syntaxErr(errors.New("có văn bản nằm ngoài phần tử gốc"))
				}
				continue
			}
			top := stack[len(stack)-1]
			if top.name == "ContentTransferEncoded" {
				for _, c := range t {
					if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
						top.text = append(top.text, c)
					}
				}
				if lim.maxEncoded > 0 && int64(len(top.text)) > lim.maxEncoded {
					return nil, &Error{Message: "Tệp đính kèm vượt quá dung lượng cho phép", Err: errTooLarge}
				}
				continue
			}
			top.text = append(top.text, t...)
		case xml.Directive:
			return nil, &Error{Message: "Tệp edXML không được chứa DOCTYPE hay khai báo thực thể (ENTITY)"}
		case xml.ProcInst, xml.Comment:
			// The XML declaration, other processing instructions and comments
			// carry nothing we use.
		}
	}
	if root == nil || !done {
		return nil, syntaxErr(errors.New("tài liệu kết thúc đột ngột"))
	}
	return root, nil
}

// serializeChildren writes n's content back as XML with the original
// prefixes. Elements with children drop their (whitespace) text; leaf text
// is kept verbatim. It is used for the raw Signature, and is a fixed point:
// parsing its output and serializing again gives the same string.
func serializeChildren(n *node) string {
	var b strings.Builder
	writeContent(&b, n)
	return b.String()
}

func qname(prefix, local string) string {
	if prefix == "" {
		return local
	}
	return prefix + ":" + local
}

func writeContent(b *strings.Builder, n *node) {
	if len(n.children) == 0 {
		_ = xml.EscapeText(b, n.text)
		return
	}
	for _, c := range n.children {
		b.WriteString("<" + qname(c.prefix, c.name))
		for _, a := range c.attrs {
			b.WriteString(" " + qname(a.Name.Space, a.Name.Local) + `="`)
			_ = xml.EscapeText(b, []byte(a.Value))
			b.WriteString(`"`)
		}
		b.WriteString(">")
		writeContent(b, c)
		b.WriteString("</" + qname(c.prefix, c.name) + ">")
	}
}

// el is a node with its path, for lookups that report where they failed.
type el struct {
	n    *node
	path string
}

func (e el) ok() bool { return e.n != nil }

func (e el) childPath(name string) string {
	if e.path == "" {
		return name
	}
	return e.path + "/" + name
}

// child returns the first child with one of the local names (the first name
// is the canonical one, used in the path when the child is missing).
func (e el) child(names ...string) el {
	if e.n != nil {
		for _, c := range e.n.children {
			for _, name := range names {
				if c.name == name {
					return el{n: c, path: e.childPath(name)}
				}
			}
		}
	}
	return el{path: e.childPath(names[0])}
}

func (e el) all(name string) []el {
	if e.n == nil {
		return nil
	}
	var out []el
	for _, c := range e.n.children {
		if c.name == name {
			out = append(out, el{n: c, path: fmt.Sprintf("%s[%d]", e.childPath(name), len(out)+1)})
		}
	}
	return out
}

// text is the trimmed text of the element ("" when absent).
func (e el) text() string {
	if e.n == nil {
		return ""
	}
	return strings.TrimSpace(string(e.n.text))
}

func (e el) attr(local string) string {
	if e.n == nil {
		return ""
	}
	for _, a := range e.n.attrs {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}
