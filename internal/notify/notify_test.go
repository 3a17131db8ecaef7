package notify_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"vanthu/internal/apperr"
	"vanthu/internal/identity"
	"vanthu/internal/notify"
	"vanthu/internal/platform/postgres/pgtest"
)

func user(t *testing.T, db *pgxpool.Pool, login string) int64 {
	t.Helper()
	u, err := identity.NewStore(db).Create(context.Background(), db, identity.NewUser{
		Login: login, FullName: "Người dùng " + login, Password: "Kiem-thu-2026-mat-khau"})
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// seed creates one notification per title for userID, an hour apart and
// the first the oldest, marking those in read read; it returns their ids.
func seed(t *testing.T, db *pgxpool.Pool, s *notify.Store, userID int64, titles []string, read map[string]bool) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	base := time.Now().Add(-time.Duration(len(titles)+1) * time.Hour)
	ids := map[string]int64{}
	for i, title := range titles {
		id, err := s.Create(ctx, userID, "assigned", title, "/documents/"+fmt.Sprint(i+1))
		if err != nil {
			t.Fatal(err)
		}
		var readAt any
		if read[title] {
			readAt = base.Add(time.Duration(i)*time.Hour + time.Minute)
		}
		if _, err := db.Exec(ctx, `UPDATE notifications SET created_at = $2, read_at = $3 WHERE id = $1`,
			id, base.Add(time.Duration(i)*time.Hour), readAt); err != nil {
			t.Fatal(err)
		}
		ids[title] = id
	}
	return ids
}

func titles(items []notify.Notification) []string {
	out := make([]string, 0, len(items))
	for _, n := range items {
		out = append(out, n.Title)
	}
	return out
}

func same(a, b []string) bool { return fmt.Sprint(a) == fmt.Sprint(b) }

// List puts the unread first, newest first, then (when asked) the read
// ones, newest first; keyset pages walk across the boundary without
// losing or repeating a notification; nobody sees anyone else's.
func TestListUnreadFirstThenRead(t *testing.T) {
	db := pgtest.NewPool(t)
	ctx := context.Background()
	s := notify.New(db)
	a, b := user(t, db, "an"), user(t, db, "binh")
	// Oldest first: r1 u1 r2 u2 u3 r3 (r = read, u = unread).
	ids := seed(t, db, s, a, []string{"r1", "u1", "r2", "u2", "u3", "r3"}, map[string]bool{"r1": true, "r2": true, "r3": true})
	seed(t, db, s, b, []string{"b1", "b2"}, map[string]bool{"b1": true})

	p, err := s.List(ctx, a, false, "", 50)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"u3", "u2", "u1"}; !same(titles(p.Items), want) || p.NextCursor != "" {
		t.Fatalf("unread only = %v (next %q), want %v", titles(p.Items), p.NextCursor, want)
	}
	all := []string{"u3", "u2", "u1", "r3", "r2", "r1"}
	p, err = s.List(ctx, a, true, "", 50)
	if err != nil {
		t.Fatal(err)
	}
	if !same(titles(p.Items), all) || p.NextCursor != "" {
		t.Fatalf("with read = %v (next %q), want %v", titles(p.Items), p.NextCursor, all)
	}
	if p.Items[0].ReadAt != nil || p.Items[3].ReadAt == nil {
		t.Fatalf("read marks: %+v", p.Items)
	}

	// Every page size walks the same list, page boundaries anywhere.
	for limit := 1; limit <= 7; limit++ {
		var got []string
		cur, pages := "", 0
		for {
			p, err := s.List(ctx, a, true, cur, limit)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Items) > limit {
				t.Fatalf("limit %d: page of %d", limit, len(p.Items))
			}
			got = append(got, titles(p.Items)...)
			pages++
			if p.NextCursor == "" || pages > 10 {
				break
			}
			cur = p.NextCursor
		}
		if !same(got, all) {
			t.Fatalf("limit %d: walked %v, want %v", limit, got, all)
		}
	}
	// A cursor of the unread part still works for the unread-only list.
	p, _ = s.List(ctx, a, false, "", 2)
	p, err = s.List(ctx, a, false, p.NextCursor, 2)
	if err != nil || !same(titles(p.Items), []string{"u1"}) || p.NextCursor != "" {
		t.Fatalf("second unread page = %v %q %v", titles(p.Items), p.NextCursor, err)
	}
	// ListUnread is the unread part alone.
	p, _ = s.ListUnread(ctx, a, "", 0)
	if !same(titles(p.Items), []string{"u3", "u2", "u1"}) {
		t.Fatalf("ListUnread = %v", titles(p.Items))
	}
	// Nothing at all: an empty list, not nil.
	c := user(t, db, "cuong")
	if p, err := s.List(ctx, c, true, "", 10); err != nil || p.Items == nil || len(p.Items) != 0 || p.NextCursor != "" {
		t.Fatalf("empty list = %+v %v", p, err)
	}
	if _, err := s.List(ctx, a, true, "not-a-cursor", 10); err == nil {
		t.Fatal("a bad cursor was accepted")
	} else if e, ok := apperr.As(err); !ok || e.Kind != apperr.KindInvalid {
		t.Fatalf("bad cursor: %v", err)
	}

	// Open marks read and gives the link; someone else's is not found.
	link, err := s.Open(ctx, a, ids["u2"])
	if err != nil || link != "/documents/4" {
		t.Fatalf("Open = %q %v", link, err)
	}
	if _, err := s.Open(ctx, b, ids["u3"]); !errors.Is(err, notify.ErrNotFound) {
		t.Fatalf("Open someone else's = %v", err)
	}
	if n, _ := s.UnreadCount(ctx, a); n != 2 {
		t.Fatalf("unread after open = %d, want 2", n)
	}
	p, _ = s.List(ctx, a, true, "", 50)
	if want := []string{"u3", "u1", "r3", "u2", "r2", "r1"}; !same(titles(p.Items), want) {
		t.Fatalf("after opening u2 = %v, want %v", titles(p.Items), want)
	}

	// Mark all read up to a notification leaves later ones unread.
	late, err := s.Create(ctx, a, "presented", "late", "/documents/9")
	if err != nil {
		t.Fatal(err)
	}
	if n, err := s.MarkAllReadUpTo(ctx, a, ids["u3"]); err != nil || n != 2 {
		t.Fatalf("MarkAllReadUpTo = %d %v, want 2", n, err)
	}
	p, _ = s.List(ctx, a, false, "", 50)
	if len(p.Items) != 1 || p.Items[0].ID != late {
		t.Fatalf("unread after marking up to u3 = %v", titles(p.Items))
	}
	if n, err := s.MarkAllReadUpTo(ctx, a, 0); err != nil || n != 1 {
		t.Fatalf("MarkAllReadUpTo(0) = %d %v, want 1", n, err)
	}
	if n, _ := s.UnreadCount(ctx, b); n != 1 {
		t.Fatalf("b's unread = %d: marking a's touched b's", n)
	}
}
