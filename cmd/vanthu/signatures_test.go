package main

import (
	"strings"
	"testing"

	"vanthu/internal/signature/sigtest"
)

// serve stops before touching the database when the agency certificate
// cannot be opened, with an error naming the setting; the password shows
// neither in the error nor in the log.
func TestServeRefusesUnusableSignatureSettings(t *testing.T) {
	pki := sigtest.New(t)
	p12 := sigtest.WriteFile(t, "agency.p12", pki.AgencyP12(t, "Mat-Khau-Dung-7"))
	r := runWith(t, map[string]string{
		"VANTHU_DATABASE_URL":        "postgres://nobody@127.0.0.1:1/none?sslmode=disable",
		"VANTHU_AGENCY_P12_FILE":     p12,
		"VANTHU_AGENCY_P12_PASSWORD": "Mat-Khau-Sai-9",
	}, "serve")
	if r.err == nil || !strings.Contains(r.err.Error(), "VANTHU_AGENCY_P12_FILE") || !strings.Contains(r.err.Error(), "sai mật khẩu") {
		t.Fatalf("serve with a wrong PKCS#12 password = %v", r.err)
	}
	if strings.Contains(r.err.Error()+r.stderr, "Mat-Khau-Sai-9") {
		t.Fatal("the password was printed")
	}
	r = runWith(t, map[string]string{"VANTHU_SIGNATURE_TRUST_ROOTS_FILE": "/nonexistent/roots.pem"}, "serve")
	if r.err == nil || !strings.Contains(r.err.Error(), "VANTHU_SIGNATURE_TRUST_ROOTS_FILE") {
		t.Fatalf("serve with a missing trust file = %v", r.err)
	}
}
