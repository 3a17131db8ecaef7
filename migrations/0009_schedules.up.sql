-- Work schedules (lịch công tác): one weekly schedule per unit and ISO week
-- (Monday–Sunday), drafted by the unit's office, clerks and leaders and
-- published to the unit; entries with their attendees; and the secret
-- iCalendar feed address of each person.

CREATE TABLE schedules (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    unit_id       bigint NOT NULL REFERENCES units (id),
    week_start    date NOT NULL CHECK (extract(isodow FROM week_start) = 1),  -- the Monday
    status        text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
    published_at  timestamptz,
    published_by  bigint REFERENCES users (id),
    created_by    bigint REFERENCES users (id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT schedules_published CHECK ((status = 'published') = (published_at IS NOT NULL)),
    CONSTRAINT schedules_unit_week UNIQUE (unit_id, week_start)
);
CREATE INDEX schedules_week ON schedules (week_start);

-- One item of a weekly schedule. An entry removed after publishing is kept
-- as cancelled (calendar feeds announce it); one changed after publishing
-- is marked adjusted (điều chỉnh). sequence is the iCalendar SEQUENCE.
CREATE TABLE schedule_entries (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    schedule_id       bigint NOT NULL REFERENCES schedules (id) ON DELETE CASCADE,
    uid               uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
    day               date NOT NULL,
    start_time        time NOT NULL,
    end_time          time CHECK (end_time IS NULL OR end_time > start_time),
    place             text NOT NULL CHECK (btrim(place) <> ''),
    content           text NOT NULL CHECK (btrim(content) <> ''),
    attendees_text    text NOT NULL DEFAULT '',   -- attendees not on the platform, as written
    preparer_unit_id  bigint REFERENCES units (id),
    preparer_user_id  bigint REFERENCES users (id),
    preparer_text     text NOT NULL DEFAULT '',
    notes             text NOT NULL DEFAULT '',
    recurring         boolean NOT NULL DEFAULT false,  -- copied to the next week on request
    copied_from       bigint REFERENCES schedule_entries (id) ON DELETE SET NULL,
    adjusted_at       timestamptz,
    cancelled_at      timestamptz,
    sequence          integer NOT NULL DEFAULT 0,
    created_by        bigint REFERENCES users (id),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX schedule_entries_schedule ON schedule_entries (schedule_id, day, start_time);
CREATE INDEX schedule_entries_day ON schedule_entries (day);
CREATE INDEX schedule_entries_preparer_unit ON schedule_entries (preparer_unit_id) WHERE preparer_unit_id IS NOT NULL;
CREATE INDEX schedule_entries_preparer_user ON schedule_entries (preparer_user_id) WHERE preparer_user_id IS NOT NULL;

-- People on the platform who preside (chair) or attend an entry.
CREATE TABLE schedule_attendees (
    entry_id  bigint NOT NULL REFERENCES schedule_entries (id) ON DELETE CASCADE,
    user_id   bigint NOT NULL REFERENCES users (id),
    role      text NOT NULL CHECK (role IN ('chair', 'attendee')),
    position  integer NOT NULL DEFAULT 0,
    PRIMARY KEY (entry_id, user_id)
);
CREATE INDEX schedule_attendees_user ON schedule_attendees (user_id);

-- A person's secret calendar feed address: only the token's SHA-256 is
-- kept. Rotating replaces it; revoking deletes the row.
CREATE TABLE calendar_feeds (
    user_id       bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    token_hash    bytea NOT NULL UNIQUE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz
);
