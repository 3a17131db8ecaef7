// Package mail sends plain-text e-mail through an SMTP relay. It is used
// only when VANTHU_SMTP_ADDR is set (notify.Outbox sends the e-mail copies
// of notifications through it); in-app notifications never depend on it.
package mail

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/smtp"
	"strings"
	"time"
)

// Config says how to reach the relay.
type Config struct {
	Addr     string // host:port
	From     string
	Username string
	Password string
	// StartTLS upgrades the connection when the server offers it; required
	// when credentials are sent.
	StartTLS bool
}

// Sender sends messages through one relay.
type Sender struct {
	cfg Config
}

// New returns a sender for cfg.
func New(cfg Config) *Sender { return &Sender{cfg: cfg} }

// Send delivers one message with a UTF-8 subject and body.
func (s *Sender) Send(ctx context.Context, to, subject, body string) error {
	if strings.ContainsAny(to, "\r\n") || strings.ContainsAny(s.cfg.From, "\r\n") {
		return errors.New("mail: address contains a line break")
	}
	d := net.Dialer{Timeout: 10 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("mail: dial %s: %w", s.cfg.Addr, err)
	}
	if deadline, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(deadline)
	} else {
		_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	}
	host, _, _ := net.SplitHostPort(s.cfg.Addr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("mail: %w", err)
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok && s.cfg.StartTLS {
		if err := c.StartTLS(&tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}); err != nil {
			return fmt.Errorf("mail: starttls: %w", err)
		}
	}
	if s.cfg.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", s.cfg.Username, s.cfg.Password, host)); err != nil {
			return fmt.Errorf("mail: auth: %w", err)
		}
	}
	if err := c.Mail(s.cfg.From); err != nil {
		return fmt.Errorf("mail: from: %w", err)
	}
	if err := c.Rcpt(to); err != nil {
		return fmt.Errorf("mail: rcpt: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("mail: data: %w", err)
	}
	msg := "From: " + s.cfg.From + "\r\n" +
		"To: " + to + "\r\n" +
		"Subject: " + encodeSubject(subject) + "\r\n" +
		"Date: " + time.Now().Format(time.RFC1123Z) + "\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\n" +
		wrap(base64.StdEncoding.EncodeToString([]byte(body)), 76)
	if _, err := w.Write([]byte(msg)); err != nil {
		return fmt.Errorf("mail: write: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("mail: send: %w", err)
	}
	return c.Quit()
}

// encodeSubject encodes a UTF-8 subject and folds it between its encoded
// words, so a long Vietnamese subject never makes a header line longer
// than SMTP allows (998 characters).
func encodeSubject(subject string) string {
	subject = strings.Join(strings.Fields(subject), " ")
	return strings.ReplaceAll(mime.QEncoding.Encode("utf-8", subject), "?= =?", "?=\r\n =?")
}

func wrap(s string, n int) string {
	var b strings.Builder
	for len(s) > n {
		b.WriteString(s[:n] + "\r\n")
		s = s[n:]
	}
	b.WriteString(s + "\r\n")
	return b.String()
}
