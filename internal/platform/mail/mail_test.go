package mail_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"vanthu/internal/platform/mail"
	"vanthu/internal/platform/mail/smtptest"
)

func TestSendDeliversVietnameseSubjectAndBody(t *testing.T) {
	srv := smtptest.Start(t)
	s := mail.New(mail.Config{Addr: srv.Addr, From: "vanthu@example.vn"})
	body := "Văn bản số 57-NQ/TW sắp đến hạn xử lý."
	if err := s.Send(context.Background(), "chuyenvien@example.vn", "Nhắc hạn xử lý văn bản", body); err != nil {
		t.Fatal(err)
	}
	msgs := srv.Wait(t, 1, 10*time.Second)
	if m := msgs[0]; m.To != "chuyenvien@example.vn" || m.From != "vanthu@example.vn" || m.Subject != "Nhắc hạn xử lý văn bản" || m.Body != body {
		t.Fatalf("message = %+v", m)
	}
}

// A long Vietnamese subject is folded between encoded words: no header
// line goes over SMTP's 998 characters, and it reads back whole.
func TestSendFoldsLongSubjects(t *testing.T) {
	srv := smtptest.Start(t)
	s := mail.New(mail.Config{Addr: srv.Addr, From: "vanthu@example.vn"})
	subject := strings.TrimSpace(strings.Repeat("Quá hạn xử lý văn bản về việc triển khai nghị quyết ", 12))
	if err := s.Send(context.Background(), "a@example.vn", subject, "Nội dung"); err != nil {
		t.Fatal(err)
	}
	m := srv.Wait(t, 1, 10*time.Second)[0]
	if m.Subject != subject {
		t.Fatalf("subject = %q, want %q", m.Subject, subject)
	}
	for _, line := range strings.Split(m.Raw, "\r\n") {
		if len(line) > 998 {
			t.Fatalf("header line of %d characters: %.80s…", len(line), line)
		}
	}
}

// With a user name the client authenticates (PLAIN, allowed on loopback).
func TestSendAuthenticates(t *testing.T) {
	srv := smtptest.Start(t)
	s := mail.New(mail.Config{Addr: srv.Addr, From: "vanthu@example.vn", Username: "vanthu", Password: "mat-khau-smtp", StartTLS: true})
	if err := s.Send(context.Background(), "a@example.vn", "Chào", "Nội dung"); err != nil {
		t.Fatal(err)
	}
	if u := srv.Users(); len(u) != 1 || u[0] != "vanthu" {
		t.Fatalf("authenticated as %v", u)
	}
}

// A relay that refuses the recipient is an error, never a silent loss.
func TestSendReportsRefusal(t *testing.T) {
	srv := smtptest.Start(t)
	srv.Refuse("451 4.3.0 Thu lai sau")
	s := mail.New(mail.Config{Addr: srv.Addr, From: "vanthu@example.vn"})
	err := s.Send(context.Background(), "a@example.vn", "Chào", "Nội dung")
	if err == nil || !strings.Contains(err.Error(), "451") {
		t.Fatalf("Send = %v, want the relay's 451", err)
	}
	if len(srv.Messages()) != 0 {
		t.Fatal("a refused message was kept")
	}
}

func TestSendRefusesHeaderInjection(t *testing.T) {
	s := mail.New(mail.Config{Addr: "127.0.0.1:1", From: "vanthu@example.vn"})
	if err := s.Send(context.Background(), "a@example.vn\r\nBcc: x@example.vn", "s", "b"); err == nil {
		t.Fatal("a recipient with a line break was accepted")
	}
}
