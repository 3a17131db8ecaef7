-- Dashboards: per-unit aggregates of documents and assignments, kept by
-- triggers in the same transaction as every change, so a figure read from
-- them always equals a count over the base tables (the dashboard test
-- compares them). Days are calendar days in Vietnam.
--
-- dash_doc_day     one row per unit, day and confidentiality: incoming
--                  documents registered that day (the arrival cohort) and
--                  how their handling ended; outgoing documents issued that
--                  day.
-- dash_doc_open    incoming documents still in handling (03, 04, 05) by
--                  arrival day and due date ('infinity' without one), so
--                  "overdue today" is a sum over due < today.
-- dash_asg_open    open handling assignments (lead or cooperate) of each
--                  person, by the document's unit and the deadline.
--
-- Rows are keyed by the document's current owning unit and its
-- confidentiality, which is what access decides visibility on: a merge
-- that moves a document moves its figures too.

CREATE FUNCTION dash_vn_day(ts timestamptz) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
RETURN (ts AT TIME ZONE 'Asia/Ho_Chi_Minh')::date;

-- 1 when day is a working day given its calendar listing (kind NULL: not
-- listed), as calendar.Working decides.
CREATE FUNCTION dash_working(day date, kind text) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE kind WHEN 'holiday' THEN 0 WHEN 'workday' THEN 1
    ELSE CASE WHEN extract(isodow FROM day) < 6 THEN 1 ELSE 0 END END;

-- Mondays to Fridays from Monday 5 January 1970 up to and including d
-- (negative before it): differences count weekdays in (a, b].
CREATE FUNCTION dash_weekday_index(d date) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
RETURN 5 * floor((d - DATE '1970-01-05') / 7.0)::bigint
    + least((d - DATE '1970-01-05') - 7 * floor((d - DATE '1970-01-05') / 7.0)::bigint + 1, 5);

-- Working days after a up to and including b (negative when b is before
-- a), like calendar.WorkingDaysBetween.
CREATE FUNCTION dash_working_days(a date, b date) RETURNS integer
LANGUAGE sql STABLE PARALLEL SAFE STRICT
RETURN CASE WHEN b < a THEN -1 ELSE 1 END * (
    (dash_weekday_index(greatest(a, b)) - dash_weekday_index(least(a, b)))::integer
    + coalesce((SELECT sum(dash_working(c.day, c.kind) - dash_working(c.day, NULL))::integer
                FROM calendar_days c WHERE c.day > least(a, b) AND c.day <= greatest(a, b)), 0));

CREATE TABLE dash_doc_day (
    unit_id            bigint NOT NULL,
    day                date NOT NULL,
    conf               clearance_level NOT NULL,
    received           integer NOT NULL DEFAULT 0,  -- incoming registered (03–06) that arrived this day
    done               integer NOT NULL DEFAULT 0,  -- of them, finished (06)
    done_on_time       integer NOT NULL DEFAULT 0,  -- finished on or before the due date
    done_late          integer NOT NULL DEFAULT 0,  -- finished after the due date
    timed              integer NOT NULL DEFAULT 0,  -- finished with a completion time
    handling_seconds   bigint NOT NULL DEFAULT 0,   -- Σ completed_at − arrived_at
    handling_workdays  bigint NOT NULL DEFAULT 0,   -- Σ working days from arrival to completion
    issued             integer NOT NULL DEFAULT 0,  -- outgoing issued this day
    PRIMARY KEY (unit_id, day, conf)
);

CREATE TABLE dash_doc_open (
    unit_id  bigint NOT NULL,
    day      date NOT NULL,   -- arrival day
    due      date NOT NULL,   -- due date, 'infinity' when none
    conf     clearance_level NOT NULL,
    n        integer NOT NULL DEFAULT 0,
    PRIMARY KEY (unit_id, day, due, conf)
);

CREATE TABLE dash_asg_open (
    unit_id   bigint NOT NULL,   -- the document's owning unit
    user_id   bigint NOT NULL,
    deadline  date NOT NULL,     -- 'infinity' when none
    conf      clearance_level NOT NULL,
    n         integer NOT NULL DEFAULT 0,
    PRIMARY KEY (unit_id, user_id, deadline, conf)
);

-- dash_doc_apply adds (p_sign 1) or takes away (p_sign -1) what document d
-- contributes.
CREATE FUNCTION dash_doc_apply(d documents, p_sign integer) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    arrival date;
    finished date;
    is_done boolean;
BEGIN
    IF d.direction = 'incoming' AND d.status IN ('03', '04', '05', '06') AND d.arrived_at IS NOT NULL THEN
        arrival := dash_vn_day(d.arrived_at);
        is_done := d.status = '06';
        finished := CASE WHEN is_done THEN dash_vn_day(d.completed_at) END;
        INSERT INTO dash_doc_day AS r (unit_id, day, conf, received, done, done_on_time, done_late, timed,
                                       handling_seconds, handling_workdays)
        VALUES (d.unit_id, arrival, d.confidentiality, p_sign,
                p_sign * is_done::integer,
                p_sign * coalesce(finished <= d.due_date, false)::integer,
                p_sign * coalesce(finished > d.due_date, false)::integer,
                p_sign * (finished IS NOT NULL)::integer,
                p_sign * CASE WHEN finished IS NOT NULL THEN round(extract(epoch FROM d.completed_at - d.arrived_at))::bigint ELSE 0 END,
                p_sign * CASE WHEN finished IS NOT NULL THEN dash_working_days(arrival, finished) ELSE 0 END)
        ON CONFLICT (unit_id, day, conf) DO UPDATE SET
            received = r.received + excluded.received,
            done = r.done + excluded.done,
            done_on_time = r.done_on_time + excluded.done_on_time,
            done_late = r.done_late + excluded.done_late,
            timed = r.timed + excluded.timed,
            handling_seconds = r.handling_seconds + excluded.handling_seconds,
            handling_workdays = r.handling_workdays + excluded.handling_workdays;
        IF NOT is_done THEN
            INSERT INTO dash_doc_open AS r (unit_id, day, due, conf, n)
            VALUES (d.unit_id, arrival, coalesce(d.due_date, 'infinity'), d.confidentiality, p_sign)
            ON CONFLICT (unit_id, day, due, conf) DO UPDATE SET n = r.n + excluded.n;
        END IF;
    ELSIF d.direction = 'outgoing' AND d.issued_at IS NOT NULL THEN
        INSERT INTO dash_doc_day AS r (unit_id, day, conf, issued)
        VALUES (d.unit_id, dash_vn_day(d.issued_at), d.confidentiality, p_sign)
        ON CONFLICT (unit_id, day, conf) DO UPDATE SET issued = r.issued + excluded.issued;
    END IF;
END $$;

-- dash_asg_apply adds or takes away what assignment a contributes, under
-- its document's unit and confidentiality.
CREATE FUNCTION dash_asg_apply(a assignments, p_unit bigint, p_conf clearance_level, p_sign integer) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF a.assignee_user_id IS NOT NULL AND a.role <> 'inform' AND a.status IN ('assigned', 'in_progress') AND p_unit IS NOT NULL THEN
        INSERT INTO dash_asg_open AS r (unit_id, user_id, deadline, conf, n)
        VALUES (p_unit, a.assignee_user_id, coalesce(a.deadline, 'infinity'), p_conf, p_sign)
        ON CONFLICT (unit_id, user_id, deadline, conf) DO UPDATE SET n = r.n + excluded.n;
    END IF;
END $$;

CREATE FUNCTION dash_documents_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM dash_doc_apply(OLD, -1);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM dash_doc_apply(NEW, 1);
    END IF;
    -- A document moved to another unit (a merge) or reclassified takes its
    -- people's open work along.
    IF TG_OP = 'UPDATE' AND (OLD.unit_id, OLD.confidentiality) IS DISTINCT FROM (NEW.unit_id, NEW.confidentiality) THEN
        PERFORM dash_asg_apply(a, OLD.unit_id, OLD.confidentiality, -1), dash_asg_apply(a, NEW.unit_id, NEW.confidentiality, 1)
        FROM assignments a WHERE a.document_id = NEW.id;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER dash_documents_insert AFTER INSERT ON documents
    FOR EACH ROW EXECUTE FUNCTION dash_documents_changed();
CREATE TRIGGER dash_documents_delete AFTER DELETE ON documents
    FOR EACH ROW EXECUTE FUNCTION dash_documents_changed();
CREATE TRIGGER dash_documents_update AFTER UPDATE ON documents
    FOR EACH ROW
    WHEN ((OLD.direction, OLD.unit_id, OLD.confidentiality, OLD.status, OLD.arrived_at, OLD.completed_at, OLD.due_date, OLD.issued_at)
          IS DISTINCT FROM
          (NEW.direction, NEW.unit_id, NEW.confidentiality, NEW.status, NEW.arrived_at, NEW.completed_at, NEW.due_date, NEW.issued_at))
    EXECUTE FUNCTION dash_documents_changed();

CREATE FUNCTION dash_assignments_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    doc_unit bigint;
    doc_conf clearance_level;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        SELECT d.unit_id, d.confidentiality INTO doc_unit, doc_conf FROM documents d WHERE d.id = OLD.document_id;
        PERFORM dash_asg_apply(OLD, doc_unit, doc_conf, -1);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        SELECT d.unit_id, d.confidentiality INTO doc_unit, doc_conf FROM documents d WHERE d.id = NEW.document_id;
        PERFORM dash_asg_apply(NEW, doc_unit, doc_conf, 1);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER dash_assignments_insert AFTER INSERT ON assignments
    FOR EACH ROW WHEN (NEW.assignee_user_id IS NOT NULL)
    EXECUTE FUNCTION dash_assignments_changed();
CREATE TRIGGER dash_assignments_delete AFTER DELETE ON assignments
    FOR EACH ROW WHEN (OLD.assignee_user_id IS NOT NULL)
    EXECUTE FUNCTION dash_assignments_changed();
CREATE TRIGGER dash_assignments_update AFTER UPDATE ON assignments
    FOR EACH ROW
    WHEN ((OLD.document_id, OLD.assignee_user_id, OLD.role, OLD.status, OLD.deadline)
          IS DISTINCT FROM (NEW.document_id, NEW.assignee_user_id, NEW.role, NEW.status, NEW.deadline))
    EXECUTE FUNCTION dash_assignments_changed();

-- A day that becomes (or stops being) a working day changes the handling
-- time, in working days, of every finished document whose handling spans
-- it: one pass over the finished documents per statement.
CREATE FUNCTION dash_calendar_apply(days date[], deltas integer[]) RETURNS void
LANGUAGE sql AS $$
    UPDATE dash_doc_day r SET handling_workdays = r.handling_workdays + c.delta
    FROM (
        SELECT d.unit_id, dash_vn_day(d.arrived_at) AS day, d.confidentiality AS conf, sum(x.delta) AS delta
        FROM (SELECT u.day, sum(u.delta) AS delta FROM unnest(days, deltas) AS u(day, delta)
              GROUP BY u.day HAVING sum(u.delta) <> 0) x
        JOIN documents d ON d.direction = 'incoming' AND d.status = '06' AND d.completed_at IS NOT NULL
            AND x.day > dash_vn_day(d.arrived_at) AND x.day <= dash_vn_day(d.completed_at)
        GROUP BY 1, 2, 3
    ) c
    WHERE r.unit_id = c.unit_id AND r.day = c.day AND r.conf = c.conf;
$$;

CREATE FUNCTION dash_calendar_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    days date[];
    deltas integer[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(n.day), array_agg(dash_working(n.day, n.kind) - dash_working(n.day, NULL)) INTO days, deltas FROM new_days n;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(o.day), array_agg(dash_working(o.day, NULL) - dash_working(o.day, o.kind)) INTO days, deltas FROM old_days o;
    ELSE
        SELECT array_agg(x.day), array_agg(x.delta) INTO days, deltas FROM (
            SELECT o.day, dash_working(o.day, NULL) - dash_working(o.day, o.kind) AS delta FROM old_days o
            UNION ALL
            SELECT n.day, dash_working(n.day, n.kind) - dash_working(n.day, NULL) FROM new_days n) x;
    END IF;
    IF days IS NOT NULL THEN
        PERFORM dash_calendar_apply(days, deltas);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER dash_calendar_insert AFTER INSERT ON calendar_days
    REFERENCING NEW TABLE AS new_days
    FOR EACH STATEMENT EXECUTE FUNCTION dash_calendar_changed();
CREATE TRIGGER dash_calendar_update AFTER UPDATE ON calendar_days
    REFERENCING OLD TABLE AS old_days NEW TABLE AS new_days
    FOR EACH STATEMENT EXECUTE FUNCTION dash_calendar_changed();
CREATE TRIGGER dash_calendar_delete AFTER DELETE ON calendar_days
    REFERENCING OLD TABLE AS old_days
    FOR EACH STATEMENT EXECUTE FUNCTION dash_calendar_changed();

-- dash_rebuild computes every aggregate afresh from the base tables: for a
-- bulk load that ran with triggers off (the benchmark's COPY), and for the
-- documents that existed before this migration.
CREATE FUNCTION dash_rebuild() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE documents, assignments, calendar_days IN SHARE MODE;
    TRUNCATE dash_doc_day, dash_doc_open, dash_asg_open;
    INSERT INTO dash_doc_day (unit_id, day, conf, received, done, done_on_time, done_late, timed,
                              handling_seconds, handling_workdays, issued)
    SELECT unit_id, day, conf, sum(received), sum(done), sum(done_on_time), sum(done_late), sum(timed),
           sum(handling_seconds), sum(handling_workdays), sum(issued)
    FROM (
        SELECT d.unit_id, dash_vn_day(d.arrived_at) AS day, d.confidentiality AS conf, 1 AS received,
               (d.status = '06')::integer AS done,
               coalesce(d.status = '06' AND dash_vn_day(d.completed_at) <= d.due_date, false)::integer AS done_on_time,
               coalesce(d.status = '06' AND dash_vn_day(d.completed_at) > d.due_date, false)::integer AS done_late,
               (d.status = '06' AND d.completed_at IS NOT NULL)::integer AS timed,
               CASE WHEN d.status = '06' AND d.completed_at IS NOT NULL
                    THEN round(extract(epoch FROM d.completed_at - d.arrived_at))::bigint ELSE 0 END AS handling_seconds,
               CASE WHEN d.status = '06' AND d.completed_at IS NOT NULL
                    THEN dash_working_days(dash_vn_day(d.arrived_at), dash_vn_day(d.completed_at)) ELSE 0 END AS handling_workdays,
               0 AS issued
        FROM documents d
        WHERE d.direction = 'incoming' AND d.status IN ('03', '04', '05', '06') AND d.arrived_at IS NOT NULL
        UNION ALL
        SELECT d.unit_id, dash_vn_day(d.issued_at), d.confidentiality, 0, 0, 0, 0, 0, 0, 0, 1
        FROM documents d
        WHERE d.direction = 'outgoing' AND d.issued_at IS NOT NULL
    ) x
    GROUP BY unit_id, day, conf;
    INSERT INTO dash_doc_open (unit_id, day, due, conf, n)
    SELECT d.unit_id, dash_vn_day(d.arrived_at), coalesce(d.due_date, 'infinity'), d.confidentiality, count(*)
    FROM documents d
    WHERE d.direction = 'incoming' AND d.status IN ('03', '04', '05') AND d.arrived_at IS NOT NULL
    GROUP BY 1, 2, 3, 4;
    INSERT INTO dash_asg_open (unit_id, user_id, deadline, conf, n)
    SELECT d.unit_id, a.assignee_user_id, coalesce(a.deadline, 'infinity'), d.confidentiality, count(*)
    FROM assignments a JOIN documents d ON d.id = a.document_id
    WHERE a.assignee_user_id IS NOT NULL AND a.role <> 'inform' AND a.status IN ('assigned', 'in_progress')
    GROUP BY 1, 2, 3, 4;
END $$;

SELECT dash_rebuild();
