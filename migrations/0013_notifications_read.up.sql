-- The notification centre lists read notifications after the unread ones
-- (notifications_user_unread serves those and the unread count); without
-- this index every page of read ones would scan the whole table.
CREATE INDEX notifications_user_read ON notifications (user_id, created_at DESC, id DESC) WHERE read_at IS NOT NULL;
