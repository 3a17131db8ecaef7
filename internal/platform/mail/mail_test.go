package mail_test

import (
	"bufio"
	"context"
	"encoding/base64"
	"mime"
	"net"
	"strings"
	"testing"

	"vanthu/internal/platform/mail"
)

// smtpSink is a minimal SMTP server on loopback that keeps what it receives,
// so the client's real protocol exchange is exercised.
func smtpSink(t *testing.T) (addr string, got chan string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	got = make(chan string, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		r := bufio.NewReader(conn)
		say := func(s string) { conn.Write([]byte(s + "\r\n")) }
		say("220 sink ESMTP")
		var data strings.Builder
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			cmd := strings.ToUpper(strings.TrimSpace(line))
			switch {
			case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
				say("250 sink")
			case strings.HasPrefix(cmd, "MAIL FROM"), strings.HasPrefix(cmd, "RCPT TO"):
				data.WriteString(strings.TrimSpace(line) + "\n")
				say("250 OK")
			case cmd == "DATA":
				say("354 go ahead")
				for {
					l, err := r.ReadString('\n')
					if err != nil {
						return
					}
					if l == ".\r\n" {
						break
					}
					data.WriteString(l)
				}
				say("250 queued")
			case cmd == "QUIT":
				say("221 bye")
				got <- data.String()
				return
			default:
				say("250 OK")
			}
		}
	}()
	return ln.Addr().String(), got
}

func TestSendDeliversVietnameseSubjectAndBody(t *testing.T) {
	addr, got := smtpSink(t)
	s := mail.New(mail.Config{Addr: addr, From: "vanthu@example.vn"})
	body := "Văn bản số 57-NQ/TW sắp đến hạn xử lý."
	if err := s.Send(context.Background(), "chuyenvien@example.vn", "Nhắc hạn xử lý văn bản", body); err != nil {
		t.Fatal(err)
	}
	msg := <-got
	if !strings.Contains(msg, "RCPT TO:<chuyenvien@example.vn>") {
		t.Fatalf("recipient missing:\n%s", msg)
	}
	var subject, encoded string
	parts := strings.SplitN(msg, "\r\n\r\n", 2)
	for _, h := range strings.Split(parts[0], "\r\n") {
		if v, ok := strings.CutPrefix(h, "Subject: "); ok {
			subject = v
		}
	}
	encoded = strings.ReplaceAll(parts[1], "\r\n", "")
	dec, err := new(mime.WordDecoder).DecodeHeader(subject)
	if err != nil || dec != "Nhắc hạn xử lý văn bản" {
		t.Fatalf("subject = %q (%v)", dec, err)
	}
	raw, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil || string(raw) != body {
		t.Fatalf("body = %q (%v)", raw, err)
	}
}

func TestSendRefusesHeaderInjection(t *testing.T) {
	s := mail.New(mail.Config{Addr: "127.0.0.1:1", From: "vanthu@example.vn"})
	if err := s.Send(context.Background(), "a@example.vn\r\nBcc: x@example.vn", "s", "b"); err == nil {
		t.Fatal("a recipient with a line break was accepted")
	}
}
