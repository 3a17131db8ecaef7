package server_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"vanthu/internal/config"
	"vanthu/internal/testkit"
)

// Bodies over VANTHU_MAX_BODY_BYTES are refused with 413 and a Vietnamese
// message, on a real route.
func TestLimitBody(t *testing.T) {
	app := testkit.Start(t, func(c *config.Config) { c.MaxBodyBytes = 1024 })
	c := app.NewClient()
	resp := c.PostForm("/login", url.Values{"login": {"a"}, "password": {strings.Repeat("x", 2048)}})
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(body), "vượt quá giới hạn 1 KB") {
		t.Fatalf("2 KB login form: %d %s", resp.StatusCode, body)
	}
	resp = c.PostForm("/login", url.Values{"login": {"a"}, "password": {"short"}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("small login form: %d, want 401", resp.StatusCode)
	}
}
