package server_test

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"vanthu/internal/identity"
	"vanthu/internal/testkit"
)

func TestRegisterAdministration(t *testing.T) {
	app := testkit.Start(t)
	province := app.Unit("Tỉnh ủy Thử", "province", 0)
	other := app.Unit("Tỉnh ủy Khác", "province", 0)
	admin := app.User("quantri.thu", province, identity.RoleUnitAdmin, identity.ClearanceNone)
	c := app.Login("quantri.thu", app.EnableTOTP(admin))

	form := url.Values{"unit_id": {strconv.FormatInt(province, 10)}, "name": {"Sổ văn bản đi mật"}, "kind": {"outgoing"},
		"preset": {"custom"}, "reset_period": {"year"}, "confidential_series": {"1"}}
	resp := c.PostForm("/admin/registers", form)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create register: %d", resp.StatusCode)
	}
	var perType, confidential bool
	if err := app.DB.QueryRow(t.Context(), `SELECT per_type, confidential_series FROM registers WHERE unit_id = $1 AND name = 'Sổ văn bản đi mật'`, province).Scan(&perType, &confidential); err != nil || perType || !confidential {
		t.Fatalf("stored policy per_type=%v confidential=%v err=%v", perType, confidential, err)
	}
	page := c.Get("/admin/registers?unit_id=" + strconv.FormatInt(province, 10))
	body, _ := io.ReadAll(page.Body)
	page.Body.Close()
	if !strings.Contains(string(body), "Sổ văn bản đi mật") || !strings.Contains(string(body), "văn bản mật có dãy số riêng") {
		t.Fatal("register list does not show the new register and its policy")
	}

	// Term numbering needs the term's first day; a bad date is explained.
	form.Set("name", "Sổ theo nhiệm kỳ")
	form.Set("reset_period", "term")
	form.Set("term_start", "32/13/2025")
	resp = c.PostForm("/admin/registers", form)
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(body), "dd/mm/yyyy") {
		t.Fatalf("bad term start: %d", resp.StatusCode)
	}
	if n := app.QueryInt(`SELECT count(*) FROM registers WHERE name = 'Sổ theo nhiệm kỳ'`); n != 0 {
		t.Fatal("a refused register was stored")
	}

	// Another province's registers are not this administrator's.
	form.Set("unit_id", strconv.FormatInt(other, 10))
	form.Set("term_start", "")
	form.Set("reset_period", "year")
	resp = c.PostForm("/admin/registers", form)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("register in another province: %d, want 403", resp.StatusCode)
	}
	resp = c.Get("/admin/registers?unit_id=" + strconv.FormatInt(other, 10))
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("viewing another province's registers: %d, want 404", resp.StatusCode)
	}
}
