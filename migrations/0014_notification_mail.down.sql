DROP INDEX IF EXISTS notifications_unmailed;
ALTER TABLE notifications
    DROP COLUMN IF EXISTS mail_error,
    DROP COLUMN IF EXISTS mail_next_at,
    DROP COLUMN IF EXISTS mail_attempts,
    DROP COLUMN IF EXISTS mailed_at;
