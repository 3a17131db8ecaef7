// Package smtptest runs a small SMTP server on loopback for tests: it
// speaks the protocol to the real mail client over a real connection,
// keeps every message it accepts (decoded) and can be told to refuse them.
package smtptest

import (
	"bufio"
	"encoding/base64"
	"mime"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// Message is one accepted message, decoded.
type Message struct {
	From, To string // envelope addresses
	Subject  string // the decoded Subject header
	Body     string // the decoded text
	Raw      string // headers and body as received
}

// Server is a running SMTP server.
type Server struct {
	Addr string

	mu       sync.Mutex
	msgs     []Message
	refusal  string
	users    []string
	arrivals chan struct{}
}

// Start listens on a free loopback port until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Addr: ln.Addr().String(), arrivals: make(chan struct{}, 1)}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				s.serve(conn)
			}()
		}
	}()
	return s
}

// Refuse makes the server answer every recipient with reply (say
// "451 4.3.0 Thử lại sau"), as a relay in trouble does; "" accepts again.
func (s *Server) Refuse(reply string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refusal = reply
}

// Messages returns what was accepted so far, in order.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Users lists the user names clients authenticated with (AUTH PLAIN).
func (s *Server) Users() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.users...)
}

// Wait returns the messages once there are at least n, failing the test
// when they do not all arrive within timeout.
func (s *Server) Wait(t testing.TB, n int, timeout time.Duration) []Message {
	t.Helper()
	deadline := time.After(timeout)
	for {
		if m := s.Messages(); len(m) >= n {
			return m
		}
		select {
		case <-s.arrivals:
		case <-deadline:
			t.Fatalf("smtptest: %d messages arrived, want %d", len(s.Messages()), n)
		}
	}
}

func (s *Server) serve(conn net.Conn) {
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(time.Minute))
	r := bufio.NewReader(conn)
	say := func(line string) { _, _ = conn.Write([]byte(line + "\r\n")) }
	say("220 smtptest ESMTP")
	var from string
	var to []string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		cmd := strings.ToUpper(line)
		switch {
		case strings.HasPrefix(cmd, "EHLO"):
			say("250-smtptest")
			say("250 AUTH PLAIN")
		case strings.HasPrefix(cmd, "HELO"):
			say("250 smtptest")
		case strings.HasPrefix(cmd, "AUTH PLAIN "):
			// base64 of "\x00user\x00password": keep the user only.
			raw, _ := base64.StdEncoding.DecodeString(strings.TrimSpace(line[len("AUTH PLAIN "):]))
			parts := strings.Split(string(raw), "\x00")
			if len(parts) == 3 {
				s.mu.Lock()
				s.users = append(s.users, parts[1])
				s.mu.Unlock()
			}
			say("235 2.7.0 Authentication successful")
		case strings.HasPrefix(cmd, "MAIL FROM:"):
			from, to = address(line[len("MAIL FROM:"):]), nil
			say("250 OK")
		case strings.HasPrefix(cmd, "RCPT TO:"):
			s.mu.Lock()
			refusal := s.refusal
			s.mu.Unlock()
			if refusal != "" {
				say(refusal)
				continue
			}
			to = append(to, address(line[len("RCPT TO:"):]))
			say("250 OK")
		case cmd == "DATA":
			say("354 go ahead")
			var data strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				data.WriteString(strings.TrimPrefix(l, "."))
			}
			s.mu.Lock()
			for _, rcpt := range to {
				s.msgs = append(s.msgs, decode(from, rcpt, data.String()))
			}
			s.mu.Unlock()
			select {
			case s.arrivals <- struct{}{}:
			default:
			}
			say("250 queued")
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("250 OK")
		}
	}
}

func address(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, ' '); i >= 0 {
		s = s[:i]
	}
	return strings.Trim(s, "<>")
}

// decode reads the Subject header and the base64 text body the mail
// package writes.
func decode(from, to, raw string) Message {
	m := Message{From: from, To: to, Raw: raw}
	head, body, _ := strings.Cut(raw, "\r\n\r\n")
	// Unfold long headers: a line starting with white space continues one.
	head = strings.ReplaceAll(strings.ReplaceAll(head, "\r\n ", " "), "\r\n\t", " ")
	for _, h := range strings.Split(head, "\r\n") {
		if v, ok := strings.CutPrefix(h, "Subject: "); ok {
			if dec, err := new(mime.WordDecoder).DecodeHeader(v); err == nil {
				m.Subject = dec
			} else {
				m.Subject = v
			}
		}
	}
	if text, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(body, "\r\n", "")); err == nil {
		m.Body = string(text)
	} else {
		m.Body = body
	}
	return m
}
