package server_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"vanthu/internal/identity"
)

// An administrator views and declares a unit's edXML organ identifier on
// the unit's admin screen: malformed or taken identifiers are refused by
// the field; every change is audited; other people cannot see the screen.
func TestUnitExchangeIdentifierScreen(t *testing.T) {
	app, root, admin := uaAdmin(t)
	prov := app.Unit("Tỉnh ủy Bắc Ninh", "province", root)
	other := app.Unit("Tỉnh ủy Lào Cai", "province", root)
	otherAdmin := app.User("quantri.lc", other, identity.RoleUnitAdmin, identity.ClearanceNone)
	otherC := app.Login("quantri.lc", app.EnableTOTP(otherAdmin))
	app.User("vanthu.bn", prov, identity.RoleClerk, identity.ClearanceNone)
	clerk := app.Login("vanthu.bn", "")
	path := fmt.Sprintf("/admin/units/%d/exchange", prov)

	body := uaBody(t, admin.Get(fmt.Sprintf("/admin/units/%d", prov)), http.StatusOK)
	if !testID(body, "exchange-link") {
		t.Fatal("the unit page has no link to the identifier screen")
	}
	body = uaBody(t, admin.Get(path), http.StatusOK)
	wantText(t, body, fmt.Sprintf("VT.%d", prov), "Mã tạm của hệ thống")

	body = uaBody(t, admin.PostForm(path, url.Values{"organ_id": {"000 00.G12"}}), http.StatusUnprocessableEntity)
	if !testID(body, "organ_id-error") {
		t.Fatal("the malformed identifier has no message by its field")
	}
	wantText(t, body, "Mã định danh không được chứa dấu phẩy hay khoảng trắng")
	uaBody(t, admin.PostForm(path, url.Values{"organ_id": {"VT.99"}}), http.StatusUnprocessableEntity)

	loc := uaRedirect(t, admin.PostForm(path, url.Values{"organ_id": {" 000.00.00.G12 "}}))
	body = uaBody(t, admin.Get(loc), http.StatusOK)
	wantText(t, body, "Đã lưu mã định danh liên thông", "000.00.00.G12", "Đã khai báo")

	// Taken by another unit: said by the field.
	body = uaBody(t, admin.PostForm(fmt.Sprintf("/admin/units/%d/exchange", other), url.Values{"organ_id": {"000.00.00.G12"}}), http.StatusConflict)
	wantText(t, body, "đã được khai báo cho một đơn vị khác")
	if !testID(body, "organ-form") || !testID(body, "organ_id-error") {
		t.Fatal("the refused form is not shown again")
	}

	// Others: a clerk does not see admin screens; another province's
	// administrator may not touch this unit.
	uaBody(t, clerk.Get(path), http.StatusNotFound)
	uaBody(t, clerk.PostForm(path, url.Values{"organ_id": {"X.1"}}), http.StatusNotFound)
	uaBody(t, otherC.Get(path), http.StatusNotFound)
	uaBody(t, otherC.PostForm(path, url.Values{"organ_id": {"X.1"}}), http.StatusForbidden)

	// Emptied: back to the platform's identifier.
	uaRedirect(t, admin.PostForm(path, url.Values{"organ_id": {""}}))
	wantText(t, uaBody(t, admin.Get(path), http.StatusOK), fmt.Sprintf("VT.%d", prov), "Mã tạm của hệ thống")
	if n := app.QueryInt(`SELECT count(*) FROM audit_log WHERE action = 'exchange.organ_id' AND outcome = 'success' AND object_id = $1`,
		fmt.Sprint(prov)); n != 2 {
		t.Fatalf("%d audited changes, want 2", n)
	}
	if n := app.QueryInt(`SELECT count(*) FROM audit_log WHERE action = 'exchange.organ_id' AND outcome = 'denied'`); n != 1 {
		t.Fatalf("%d audited refusals, want 1", n)
	}
}
