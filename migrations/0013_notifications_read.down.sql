DROP INDEX IF EXISTS notifications_user_read;
