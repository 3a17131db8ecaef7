-- Digital reports (báo cáo số): an upper unit sets a report template
-- (period, due-date rule, recipients, fields, versions); periods are opened
-- with their due dates, each expected unit gets one submission row per
-- period, which it drafts, submits and resubmits until the upper unit's
-- leader accepts it.

CREATE TABLE report_templates (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    issuer_unit_id    bigint NOT NULL REFERENCES units (id),
    name              text NOT NULL COLLATE vi CHECK (btrim(name) <> ''),   -- the current version's name
    period_kind       text NOT NULL CHECK (period_kind IN ('week', 'month', 'quarter', 'half_year', 'year', 'ad_hoc')),
    -- working_days: due_n working days after the period ends; month_day:
    -- day due_n of the month after the period ends (moved to the next
    -- working day); manual: each (ad hoc) period carries its own due date.
    due_rule          text NOT NULL CHECK (due_rule IN ('working_days', 'month_day', 'manual')),
    due_n             integer NOT NULL DEFAULT 0 CHECK (due_n BETWEEN 0 AND 366),
    -- subtree: every unit of recipients_level below the issuer; list: the
    -- units in report_template_units (their successors once they end).
    recipients_kind   text NOT NULL CHECK (recipients_kind IN ('subtree', 'list')),
    recipients_level  unit_level,
    starts_on         date NOT NULL,          -- the first period is the one holding this day
    current_version   integer NOT NULL DEFAULT 1,
    active            boolean NOT NULL DEFAULT true,
    created_by        bigint REFERENCES users (id),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    search            text GENERATED ALWAYS AS (vn_fold(name)) STORED,
    CHECK ((recipients_kind = 'subtree') = (recipients_level IS NOT NULL)),
    CHECK ((period_kind = 'ad_hoc') = (due_rule = 'manual'))
);
CREATE INDEX report_templates_issuer ON report_templates (issuer_unit_id, name, id);

CREATE TABLE report_template_units (
    template_id  bigint NOT NULL REFERENCES report_templates (id),
    unit_id      bigint NOT NULL REFERENCES units (id),
    PRIMARY KEY (template_id, unit_id)
);
CREATE INDEX report_template_units_unit ON report_template_units (unit_id);

-- A version's fields never change once a unit has filled it in: editing
-- then makes a new version, and submissions keep theirs. Field keys are
-- stable across versions, so figures of one measure add up over time.
CREATE TABLE report_template_versions (
    template_id  bigint NOT NULL REFERENCES report_templates (id),
    version      integer NOT NULL CHECK (version > 0),
    name         text NOT NULL,
    description  text NOT NULL DEFAULT '',
    fields       jsonb NOT NULL CHECK (jsonb_typeof(fields) = 'array'),
    created_by   bigint REFERENCES users (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (template_id, version)
);

CREATE TABLE report_periods (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    template_id  bigint NOT NULL REFERENCES report_templates (id),
    label        text NOT NULL,               -- Tháng 11/2026, Quý IV/2026, …
    starts_on    date NOT NULL,
    ends_on      date NOT NULL,
    due_date     date NOT NULL,
    created_by   bigint REFERENCES users (id), -- NULL: opened by the schedule
    created_at   timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_on >= starts_on),
    UNIQUE (template_id, label)
);
CREATE INDEX report_periods_template ON report_periods (template_id, starts_on DESC, id DESC);
CREATE UNIQUE INDEX report_periods_start ON report_periods (template_id, starts_on, ends_on);

-- One row per expected unit and period, made when the period opens, so
-- "who has not submitted" is a plain query. status: pending (chưa nộp,
-- maybe a draft), awaiting_approval (waiting for the unit's own leader),
-- submitted, returned (by the upper unit, to be resubmitted), accepted.
CREATE TABLE report_submissions (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    period_id           bigint NOT NULL REFERENCES report_periods (id),
    template_id         bigint NOT NULL REFERENCES report_templates (id),
    unit_id             bigint NOT NULL REFERENCES units (id),
    version             integer NOT NULL,
    status              text NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'awaiting_approval', 'submitted', 'returned', 'accepted')),
    data                jsonb NOT NULL DEFAULT '{}',  -- the values as typed: the draft, or what was last submitted
    revision            integer NOT NULL DEFAULT 0,   -- how many times it was submitted
    draft_saved_at      timestamptz,
    draft_saved_by      bigint REFERENCES users (id),
    first_submitted_at  timestamptz,                  -- lateness is judged on the first submission
    submitted_at        timestamptz,
    submitted_by        bigint REFERENCES users (id),
    decided_at          timestamptz,                  -- last return or acceptance
    decided_by          bigint REFERENCES users (id),
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (period_id, unit_id),
    FOREIGN KEY (template_id, version) REFERENCES report_template_versions (template_id, version),
    CHECK ((status IN ('submitted', 'returned', 'accepted')) <= (first_submitted_at IS NOT NULL))
);
CREATE INDEX report_submissions_unit ON report_submissions (unit_id, status);
CREATE INDEX report_submissions_template ON report_submissions (template_id, period_id);

-- Every submission as sent: the history behind returns and resubmissions.
CREATE TABLE report_revisions (
    submission_id  bigint NOT NULL REFERENCES report_submissions (id),
    revision       integer NOT NULL CHECK (revision > 0),
    version        integer NOT NULL,
    data           jsonb NOT NULL,
    submitted_by   bigint REFERENCES users (id),
    submitted_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (submission_id, revision)
);

-- The numbers of the latest submitted revision, exact (numeric), for sums
-- and averages across units.
CREATE TABLE report_values (
    submission_id  bigint NOT NULL REFERENCES report_submissions (id),
    field_key      text NOT NULL,
    value          numeric NOT NULL,
    PRIMARY KEY (submission_id, field_key)
);
CREATE INDEX report_values_field ON report_values (field_key);

-- What happened to a submission: sent to the unit's leader, sent back by
-- them, submitted, returned with a comment, accepted, reminded.
CREATE TABLE report_events (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    submission_id  bigint NOT NULL REFERENCES report_submissions (id),
    at             timestamptz NOT NULL DEFAULT now(),
    actor_id       bigint REFERENCES users (id),
    kind           text NOT NULL CHECK (kind IN ('sent_for_approval', 'sent_back', 'submitted', 'returned', 'accepted', 'reminded')),
    revision       integer,
    comment        text NOT NULL DEFAULT '',
    details        jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX report_events_submission ON report_events (submission_id, at, id);
CREATE INDEX report_events_reminded ON report_events (submission_id) WHERE kind = 'reminded';

-- Attachments of a submission (bytes in the object store, rows in files).
-- A file stays linked once uploaded, so earlier revisions can still show it.
CREATE TABLE report_files (
    submission_id  bigint NOT NULL REFERENCES report_submissions (id),
    file_id        bigint NOT NULL REFERENCES files (id),
    field_key      text NOT NULL,
    name           text NOT NULL,
    PRIMARY KEY (submission_id, file_id)
);
CREATE INDEX report_files_file ON report_files (file_id);

-- Report compliance per unit and period, for dashboards: on_time or late
-- by the first submission's day in Vietnam against the due date; missing
-- when nothing was submitted and the due date has passed; not_due before.
CREATE VIEW report_compliance AS
SELECT s.id AS submission_id, s.template_id, t.issuer_unit_id, s.period_id, p.label AS period_label,
       p.starts_on, p.ends_on, p.due_date, s.unit_id, s.status,
       (s.first_submitted_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS first_submitted_on,
       CASE
           WHEN s.first_submitted_at IS NULL THEN
               CASE WHEN (now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::date > p.due_date THEN 'missing' ELSE 'not_due' END
           WHEN (s.first_submitted_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date <= p.due_date THEN 'on_time'
           ELSE 'late'
       END AS compliance
FROM report_submissions s
JOIN report_periods p ON p.id = s.period_id
JOIN report_templates t ON t.id = s.template_id;
