package server_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"vanthu/internal/notify"
	"vanthu/internal/platform/mail"
	"vanthu/internal/platform/mail/smtptest"
	"vanthu/internal/platform/vntime"
	"vanthu/internal/schedules"
)

// Every notification the capabilities make goes out by e-mail exactly once,
// through the one outbox, to its person's address with the Vietnamese title
// as the subject and an absolute link: a routing assignment, the copies
// delivered by issuing an outgoing document, a published schedule. A person
// without an address gets the in-app notification only.
func TestNotificationsGoOutByEmailOnce(t *testing.T) {
	e := newOgEnv(t)
	app := e.app
	ctx := context.Background()
	relay := smtptest.Start(t)
	outbox := notify.NewOutbox(app.DB, mail.New(mail.Config{Addr: relay.Addr, From: "vanthu@tinhuy.test"}), app.URL)
	// Everyone has an address but the clerk of Huyện ủy B.
	app.Exec(`UPDATE users SET email = login || '@tinhuy.test' WHERE login <> 'vanthub'`)
	handlerID := app.QueryInt(`SELECT id FROM users WHERE login = 'chuyenvien'`)

	// deliver runs the outbox and checks every notification made since the
	// last run: done, and e-mailed once to its person (or skipped for want
	// of an address), nothing else sent. It returns the recipients by kind.
	var lastID int64
	deliver := func(step string) map[string][]string {
		t.Helper()
		before := len(relay.Messages())
		res, err := outbox.Deliver(ctx, 500)
		if err != nil {
			t.Fatalf("%s: Deliver: %v", step, err)
		}
		msgs := relay.Messages()[before:]
		rows, err := app.DB.Query(ctx, `SELECT n.id, n.kind, n.title, n.link, u.email, n.mailed_at IS NOT NULL, coalesce(n.mail_error, '')
			FROM notifications n JOIN users u ON u.id = n.user_id WHERE n.id > $1 ORDER BY n.id`, lastID)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		kinds := map[string][]string{}
		mailed, skipped := 0, 0
		for rows.Next() {
			var id int64
			var kind, title, link, email, reason string
			var done bool
			if err := rows.Scan(&id, &kind, &title, &link, &email, &done, &reason); err != nil {
				t.Fatal(err)
			}
			lastID = max(lastID, id)
			if !done {
				t.Errorf("%s: notification %d (%s) still waiting", step, id, kind)
				continue
			}
			if email == "" {
				skipped++
				if reason != "no e-mail address" {
					t.Errorf("%s: notification %d to nobody's address: reason %q", step, id, reason)
				}
				continue
			}
			mailed++
			kinds[kind] = append(kinds[kind], email)
			matches := 0
			for _, m := range msgs {
				if m.To == email && m.Subject == "[Vanthu] "+title && strings.Contains(m.Body, "Xem chi tiết: "+app.URL+link+"\n") {
					matches++
				}
			}
			if matches != 1 || !isVietnamese(title) {
				t.Errorf("%s: notification %d (%s, %q to %s) e-mailed %d times", step, id, kind, title, email, matches)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if len(msgs) != mailed || res.Sent != mailed || res.Skipped != skipped || res.Failed != 0 {
			t.Fatalf("%s: %d e-mails, result %+v; want %d sent, %d skipped", step, len(msgs), res, mailed, skipped)
		}
		return kinds
	}

	// Routing: the leader directs a registered document to the handler.
	doc := printoutRegister(t, app, e.clerk, printoutMeta(12, "Về việc tổng kết công tác năm 2025"))
	deliver("registration")
	e.call(e.leader, "POST", fmt.Sprintf("/api/v1/documents/%d/directions", doc.ID),
		map[string]any{"lead": map[string]any{"user_id": handlerID}, "deadline_working_days": 3}, http.StatusCreated, nil)
	if got := deliver("direction")["assigned"]; !slices.Equal(got, []string{"chuyenvien@tinhuy.test"}) {
		t.Fatalf("assignment e-mailed to %v", got)
	}

	// Outgoing: issuing delivers copies to the districts, whose clerks are
	// told; the clerk of B, without an address, only in-app.
	d := e.create(e.drafter, e.meta(), http.StatusCreated)
	p := fmt.Sprintf("/api/v1/outgoing/%d", d.ID)
	e.call(e.leader, "POST", p+"/approve", nil, http.StatusOK, nil)
	deliver("approval")
	e.call(e.clerk, "POST", p+"/issue", nil, http.StatusOK, nil)
	if got := deliver("issue")["incoming_arrived"]; !slices.Equal(got, []string{"vanthua@tinhuy.test"}) {
		t.Fatalf("delivered copies e-mailed to %v", got)
	}
	if n := app.QueryInt(`SELECT count(*) FROM notifications n JOIN users u ON u.id = n.user_id
		WHERE u.login = 'vanthub' AND n.kind = 'incoming_arrived' AND n.read_at IS NULL`); n != 1 {
		t.Fatalf("the clerk of B has %d in-app notifications of the copy, want 1", n)
	}

	// Schedules: the clerk publishes the week with the handler attending.
	week := schedules.WeekOf(vntime.Today())
	e.call(e.clerk, "POST", "/api/v1/schedules/entries", map[string]any{"unit_id": e.unit, "date": week.Start().Format("2006-01-02"),
		"start": "08:00", "place": "Phòng họp số 1", "content": "Giao ban đầu tuần", "attendee_ids": []int64{handlerID}}, http.StatusCreated, nil)
	e.call(e.clerk, "POST", "/api/v1/schedules/publish", map[string]any{"unit_id": e.unit, "week": week.String()}, http.StatusOK, nil)
	if got := deliver("publication")["schedule.published"]; !slices.Contains(got, "chuyenvien@tinhuy.test") {
		t.Fatalf("publication e-mailed to %v", got)
	}

	// Nothing is left, nothing goes twice.
	if res, err := outbox.Deliver(ctx, 500); err != nil || res != (notify.Delivery{}) {
		t.Fatalf("last pass = %+v, %v", res, err)
	}
}
