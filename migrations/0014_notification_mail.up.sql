-- E-mail copies of notifications go out through one outbox (notify.Outbox)
-- when SMTP is configured. A notification waits for it while mailed_at is
-- NULL; mailed_at is when the outbox was done with it: sent, or given up
-- (mail_error says why: no address, too old, too many failures).
-- mail_next_at is the earliest time it may be tried again: a claim holds it
-- for a while (so replicas never send one twice), a failure backs it off.
--
-- Notifications that exist now count as done, so an upgrade mails nothing
-- old: mailed_at is added with a default, which PostgreSQL stores once for
-- the existing rows (no table rewrite), and the default is then dropped, so
-- new notifications start unmailed.
ALTER TABLE notifications
    ADD COLUMN mailed_at     timestamptz DEFAULT now(),
    ADD COLUMN mail_attempts integer NOT NULL DEFAULT 0,
    ADD COLUMN mail_next_at  timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN mail_error    text;
ALTER TABLE notifications ALTER COLUMN mailed_at DROP DEFAULT;

-- The outbox's queue: only notifications still waiting.
CREATE INDEX notifications_unmailed ON notifications (mail_next_at, id) WHERE mailed_at IS NULL;
