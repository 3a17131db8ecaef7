DROP TABLE IF EXISTS calendar_feeds;
DROP TABLE IF EXISTS schedule_attendees;
DROP TABLE IF EXISTS schedule_entries;
DROP TABLE IF EXISTS schedules;
