-- Dashboards: per-unit aggregates of documents and assignments, kept by
-- triggers in the same transaction as every change, so a figure read from
-- them always equals a count over the base tables (the dashboard test
-- compares them). Days are calendar days in Vietnam.
--
-- dash_doc_agg    per grain (d day, w week, m month), unit, period start
--                 and confidentiality: incoming documents registered in the
--                 period (the arrival cohort) and how their handling ended;
--                 outgoing documents issued in it. A range reads whole
--                 months or weeks from the coarse grains and the days
--                 around them from the daily one.
-- dash_open_now   incoming documents still in handling (03, 04, 05) per
--                 unit and due date: what is open, and overdue, today.
--                 (Of a period's documents, those still open are received
--                 minus done.)
-- dash_asg_open   open handling assignments (lead or cooperate) of each
--                 person, by the document's unit and the deadline.
--
-- Due dates and deadlines are stored as they are ('infinity' without one)
-- until they pass: dash_fold(day) then merges every row due before day
-- into one row due '-infinity' ("overdue"), keeping the open tables small
-- however long documents stay open. Sums are unchanged by folding, and a
-- change written with an older watermark only leaves a row that the next
-- fold merges, so no lock is shared between writers and the fold.
--
-- Rows are keyed by the document's current owning unit and its
-- confidentiality, which is what access decides visibility on: a merge
-- that moves a document moves its figures too.

-- The small functions are plain SQL expressions (not STRICT) so the
-- planner inlines them.
CREATE FUNCTION dash_vn_day(ts timestamptz) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE
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
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN 5 * floor((d - DATE '1970-01-05') / 7.0)::bigint
    + least((d - DATE '1970-01-05') - 7 * floor((d - DATE '1970-01-05') / 7.0)::bigint + 1, 5);

-- Working days after a up to and including b (negative when b is before
-- a), like calendar.WorkingDaysBetween. PL/pgSQL keeps the calendar
-- query's plan for the session.
CREATE FUNCTION dash_working_days(a date, b date) RETURNS integer
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    lo date := least(a, b);
    hi date := greatest(a, b);
    n integer;
BEGIN
    IF a IS NULL OR b IS NULL THEN
        RETURN NULL;
    END IF;
    SELECT coalesce(sum(dash_working(c.day, c.kind) - dash_working(c.day, NULL)), 0) INTO n
    FROM calendar_days c WHERE c.day > lo AND c.day <= hi;
    n := n + (dash_weekday_index(hi) - dash_weekday_index(lo))::integer;
    RETURN CASE WHEN b < a THEN -n ELSE n END;
END $$;

CREATE TABLE dash_doc_agg (
    grain              "char" NOT NULL CHECK (grain IN ('d', 'w', 'm')),
    unit_id            bigint NOT NULL,
    day                date NOT NULL,               -- the first day of the period
    conf               clearance_level NOT NULL,
    received           integer NOT NULL DEFAULT 0,  -- incoming registered (03–06) that arrived in the period
    done               integer NOT NULL DEFAULT 0,  -- of them, finished (06)
    done_on_time       integer NOT NULL DEFAULT 0,  -- finished on or before the due date
    done_late          integer NOT NULL DEFAULT 0,  -- finished after the due date
    timed              integer NOT NULL DEFAULT 0,  -- finished with a completion time
    handling_seconds   bigint NOT NULL DEFAULT 0,   -- Σ completed_at − arrived_at
    handling_workdays  bigint NOT NULL DEFAULT 0,   -- Σ working days from arrival to completion
    issued             integer NOT NULL DEFAULT 0,  -- outgoing issued in the period
    PRIMARY KEY (grain, unit_id, day, conf)
);

CREATE TABLE dash_open_now (
    unit_id  bigint NOT NULL,
    due      date NOT NULL,
    conf     clearance_level NOT NULL,
    n        integer NOT NULL DEFAULT 0,
    PRIMARY KEY (unit_id, due, conf)
);

CREATE TABLE dash_asg_open (
    unit_id   bigint NOT NULL,   -- the document's owning unit
    user_id   bigint NOT NULL,
    deadline  date NOT NULL,     -- 'infinity' when none, '-infinity' once folded
    conf      clearance_level NOT NULL,
    n         integer NOT NULL DEFAULT 0,
    PRIMARY KEY (unit_id, user_id, deadline, conf)
);

-- The fold watermark: due dates before it are stored as '-infinity'.
CREATE TABLE dash_state (
    singleton      boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    folded_before  date NOT NULL
);
INSERT INTO dash_state (folded_before) VALUES ('-infinity');

-- dash_due is how a due date or deadline is stored.
CREATE FUNCTION dash_due(due date) RETURNS date
LANGUAGE sql STABLE PARALLEL SAFE
RETURN CASE WHEN due IS NULL THEN 'infinity'::date
    WHEN due < (SELECT folded_before FROM dash_state) THEN '-infinity'::date ELSE due END;

-- The periods holding a day: (grain, first day).
CREATE FUNCTION dash_grains(day date) RETURNS TABLE (grain "char", start date)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT * FROM (VALUES ('d'::"char", day), ('w'::"char", date_trunc('week', day)::date),
                          ('m'::"char", date_trunc('month', day)::date)) v
$$;

-- dash_day_add adds one contribution to the periods holding a day (in
-- PL/pgSQL, whose statement plans the session keeps: a trigger calls it on
-- every change).
CREATE FUNCTION dash_day_add(p_unit bigint, p_day date, p_conf clearance_level, p_received integer, p_done integer,
    p_on_time integer, p_late integer, p_timed integer, p_seconds bigint, p_workdays bigint, p_issued integer) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO dash_doc_agg AS r (grain, unit_id, day, conf, received, done, done_on_time, done_late, timed,
                                   handling_seconds, handling_workdays, issued)
    VALUES ('d', p_unit, p_day, p_conf, p_received, p_done, p_on_time, p_late, p_timed, p_seconds, p_workdays, p_issued),
           ('m', p_unit, date_trunc('month', p_day)::date, p_conf, p_received, p_done, p_on_time, p_late, p_timed, p_seconds, p_workdays, p_issued),
           ('w', p_unit, date_trunc('week', p_day)::date, p_conf, p_received, p_done, p_on_time, p_late, p_timed, p_seconds, p_workdays, p_issued)
    ON CONFLICT (grain, unit_id, day, conf) DO UPDATE SET
        received = r.received + excluded.received, done = r.done + excluded.done,
        done_on_time = r.done_on_time + excluded.done_on_time, done_late = r.done_late + excluded.done_late,
        timed = r.timed + excluded.timed, handling_seconds = r.handling_seconds + excluded.handling_seconds,
        handling_workdays = r.handling_workdays + excluded.handling_workdays, issued = r.issued + excluded.issued;
END $$;

-- dash_open_add counts a document open today.
CREATE FUNCTION dash_open_add(p_unit bigint, p_due date, p_conf clearance_level, p_n integer) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO dash_open_now AS r (unit_id, due, conf, n) VALUES (p_unit, dash_due(p_due), p_conf, p_n)
    ON CONFLICT (unit_id, due, conf) DO UPDATE SET n = r.n + excluded.n;
END $$;

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
        PERFORM dash_day_add(d.unit_id, arrival, d.confidentiality, p_sign,
            p_sign * is_done::integer,
            p_sign * coalesce(finished <= d.due_date, false)::integer,
            p_sign * coalesce(finished > d.due_date, false)::integer,
            p_sign * (finished IS NOT NULL)::integer,
            p_sign * CASE WHEN finished IS NOT NULL THEN round(extract(epoch FROM d.completed_at - d.arrived_at))::bigint ELSE 0 END,
            p_sign * CASE WHEN finished IS NOT NULL THEN dash_working_days(arrival, finished) ELSE 0 END,
            0);
        IF NOT is_done THEN
            PERFORM dash_open_add(d.unit_id, d.due_date, d.confidentiality, p_sign);
        END IF;
    ELSIF d.direction = 'outgoing' AND d.issued_at IS NOT NULL THEN
        PERFORM dash_day_add(d.unit_id, dash_vn_day(d.issued_at), d.confidentiality, 0, 0, 0, 0, 0, 0, 0, p_sign);
    END IF;
END $$;

-- dash_asg_apply adds or takes away what assignment a contributes, under
-- its document's unit and confidentiality.
CREATE FUNCTION dash_asg_apply(a assignments, p_unit bigint, p_conf clearance_level, p_sign integer) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF a.assignee_user_id IS NOT NULL AND a.role <> 'inform' AND a.status IN ('assigned', 'in_progress') AND p_unit IS NOT NULL THEN
        INSERT INTO dash_asg_open AS r (unit_id, user_id, deadline, conf, n)
        VALUES (p_unit, a.assignee_user_id, dash_due(a.deadline), p_conf, p_sign)
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
-- Only what the figures read: moving between 03, 04 and 05 (presenting,
-- directing, accepting) changes nothing and takes no aggregate row lock.
CREATE TRIGGER dash_documents_update AFTER UPDATE ON documents
    FOR EACH ROW
    WHEN ((OLD.direction, OLD.unit_id, OLD.confidentiality, OLD.arrived_at, OLD.due_date, OLD.issued_at,
           OLD.status IN ('03', '04', '05', '06'), OLD.status = '06', CASE WHEN OLD.status = '06' THEN OLD.completed_at END)
          IS DISTINCT FROM
          (NEW.direction, NEW.unit_id, NEW.confidentiality, NEW.arrived_at, NEW.due_date, NEW.issued_at,
           NEW.status IN ('03', '04', '05', '06'), NEW.status = '06', CASE WHEN NEW.status = '06' THEN NEW.completed_at END))
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
    UPDATE dash_doc_agg r SET handling_workdays = r.handling_workdays + c.delta
    FROM (
        SELECT g.grain, d.unit_id, g.start AS day, d.confidentiality AS conf, sum(x.delta) AS delta
        FROM (SELECT u.day, sum(u.delta) AS delta FROM unnest(days, deltas) AS u(day, delta)
              GROUP BY u.day HAVING sum(u.delta) <> 0) x
        JOIN documents d ON d.direction = 'incoming' AND d.status = '06' AND d.completed_at IS NOT NULL
            AND x.day > dash_vn_day(d.arrived_at) AND x.day <= dash_vn_day(d.completed_at)
        CROSS JOIN LATERAL dash_grains(dash_vn_day(d.arrived_at)) g
        GROUP BY 1, 2, 3, 4
    ) c
    WHERE r.grain = c.grain AND r.unit_id = c.unit_id AND r.day = c.day AND r.conf = c.conf;
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

-- dash_fold moves the watermark to day (never back, never past today in
-- Vietnam) and merges the rows due before it. Safe to run at any time and
-- from several replicas (one at a time, by an advisory lock).
CREATE FUNCTION dash_fold(p_day date) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    cutoff date := least(p_day, dash_vn_day(now()));
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtext('vanthu.dash_fold')) THEN
        RETURN;
    END IF;
    UPDATE dash_state SET folded_before = cutoff WHERE folded_before < cutoff;
    WITH moved AS (
        DELETE FROM dash_open_now WHERE due < cutoff AND due > '-infinity' RETURNING unit_id, conf, n
    )
    INSERT INTO dash_open_now AS r (unit_id, due, conf, n)
    SELECT unit_id, '-infinity', conf, sum(n) FROM moved GROUP BY 1, 3 ORDER BY 1, 3
    ON CONFLICT (unit_id, due, conf) DO UPDATE SET n = r.n + excluded.n;
    WITH moved AS (
        DELETE FROM dash_asg_open WHERE deadline < cutoff AND deadline > '-infinity' RETURNING unit_id, user_id, conf, n
    )
    INSERT INTO dash_asg_open AS r (unit_id, user_id, deadline, conf, n)
    SELECT unit_id, user_id, '-infinity', conf, sum(n) FROM moved GROUP BY 1, 2, 4 ORDER BY 1, 2, 4
    ON CONFLICT (unit_id, user_id, deadline, conf) DO UPDATE SET n = r.n + excluded.n;
    -- Rows that sum to nothing are dropped so they do not pile up.
    DELETE FROM dash_open_now WHERE n = 0;
    DELETE FROM dash_asg_open WHERE n = 0;
END $$;

-- dash_rebuild computes every aggregate afresh from the base tables, folded
-- up to today: for a bulk load that ran with triggers off (the benchmark's
-- COPY), and for the documents that existed before this migration.
CREATE FUNCTION dash_rebuild() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    first_day date;
    last_day date;
BEGIN
    LOCK TABLE documents, assignments, calendar_days IN SHARE MODE;
    TRUNCATE dash_doc_agg, dash_open_now, dash_asg_open;
    UPDATE dash_state SET folded_before = greatest(folded_before, dash_vn_day(now()));
    -- Working days as a running count over every day the documents
    -- span, so each document's handling time is a difference of two
    -- lookups instead of a calendar query.
    SELECT least(min(dash_vn_day(arrived_at)), min(dash_vn_day(completed_at))) - 1,
           greatest(max(dash_vn_day(arrived_at)), max(dash_vn_day(completed_at))) + 1
    INTO first_day, last_day
    FROM documents WHERE direction = 'incoming' AND status = '06' AND completed_at IS NOT NULL;
    CREATE TEMPORARY TABLE dash_workday_index ON COMMIT DROP AS
    SELECT g::date AS day, sum(dash_working(g::date, c.kind)) OVER (ORDER BY g) AS idx
    FROM generate_series(coalesce(first_day, current_date), coalesce(last_day, current_date), interval '1 day') g
    LEFT JOIN calendar_days c ON c.day = g::date;
    ALTER TABLE dash_workday_index ADD PRIMARY KEY (day);
    ANALYZE dash_workday_index;

    CREATE TEMPORARY TABLE dash_day_rows ON COMMIT DROP AS
    SELECT unit_id, day, conf, sum(received) AS received, sum(done) AS done, sum(done_on_time) AS done_on_time,
           sum(done_late) AS done_late, sum(timed) AS timed, sum(handling_seconds) AS handling_seconds,
           sum(handling_workdays) AS handling_workdays, sum(issued) AS issued
    FROM (
        SELECT d.unit_id, x.arrival AS day, d.confidentiality AS conf, 1 AS received,
               (d.status = '06')::integer AS done,
               coalesce(d.status = '06' AND x.finished <= d.due_date, false)::integer AS done_on_time,
               coalesce(d.status = '06' AND x.finished > d.due_date, false)::integer AS done_late,
               (x.finished IS NOT NULL)::integer AS timed,
               coalesce(round(extract(epoch FROM d.completed_at - d.arrived_at))::bigint * (x.finished IS NOT NULL)::integer, 0) AS handling_seconds,
               coalesce((wb.idx - wa.idx)::bigint, 0) AS handling_workdays,
               0 AS issued
        FROM documents d
        CROSS JOIN LATERAL (SELECT dash_vn_day(d.arrived_at) AS arrival,
                                   CASE WHEN d.status = '06' THEN dash_vn_day(d.completed_at) END AS finished) x
        LEFT JOIN dash_workday_index wa ON x.finished IS NOT NULL AND wa.day = x.arrival
        LEFT JOIN dash_workday_index wb ON x.finished IS NOT NULL AND wb.day = x.finished
        WHERE d.direction = 'incoming' AND d.status IN ('03', '04', '05', '06') AND d.arrived_at IS NOT NULL
        UNION ALL
        SELECT d.unit_id, dash_vn_day(d.issued_at), d.confidentiality, 0, 0, 0, 0, 0, 0, 0, 1
        FROM documents d
        WHERE d.direction = 'outgoing' AND d.issued_at IS NOT NULL
    ) x
    GROUP BY unit_id, day, conf;
    INSERT INTO dash_doc_agg (grain, unit_id, day, conf, received, done, done_on_time, done_late, timed,
                              handling_seconds, handling_workdays, issued)
    SELECT g.grain, r.unit_id, g.start, r.conf, sum(r.received), sum(r.done), sum(r.done_on_time), sum(r.done_late), sum(r.timed),
           sum(r.handling_seconds), sum(r.handling_workdays), sum(r.issued)
    FROM dash_day_rows r CROSS JOIN LATERAL dash_grains(r.day) g
    GROUP BY 1, 2, 3, 4;

    INSERT INTO dash_open_now (unit_id, due, conf, n)
    SELECT d.unit_id, dash_due(d.due_date), d.confidentiality, count(*)
    FROM documents d
    WHERE d.direction = 'incoming' AND d.status IN ('03', '04', '05') AND d.arrived_at IS NOT NULL
    GROUP BY 1, 2, 3;
    INSERT INTO dash_asg_open (unit_id, user_id, deadline, conf, n)
    SELECT d.unit_id, a.assignee_user_id, dash_due(a.deadline), d.confidentiality, count(*)
    FROM assignments a JOIN documents d ON d.id = a.document_id
    WHERE a.assignee_user_id IS NOT NULL AND a.role <> 'inform' AND a.status IN ('assigned', 'in_progress')
    GROUP BY 1, 2, 3, 4;
    DROP TABLE dash_workday_index;
    DROP TABLE dash_day_rows;
END $$;

SELECT dash_rebuild();
