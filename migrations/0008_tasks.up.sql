-- Tasks (giao việc): work given by an assigner to lead and cooperating
-- assignees (people or units) with a deadline counted in working days,
-- subtasks, progress updates with files, extension requests, completion
-- then acceptance or return; and directing documents (văn bản chỉ đạo)
-- whose implementation is tracked through their tasks.

CREATE TABLE tasks (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The assigning unit (the assigner's acting unit): leaders above it see
    -- the task; a merge moves it to the successor while the task is open.
    unit_id            bigint NOT NULL REFERENCES units (id),
    parent_id          bigint REFERENCES tasks (id),
    -- Where the task comes from: a leader's direction on a document, a
    -- directing document (resolution, directive, conclusion), or nothing.
    source             text NOT NULL CHECK (source IN ('standalone', 'direction', 'directing')),
    document_id        bigint REFERENCES documents (id),
    direction_id       bigint REFERENCES directions (id),
    title              text NOT NULL COLLATE vi CHECK (btrim(title) <> ''),
    description        text NOT NULL DEFAULT '',
    priority           text NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    priority_rank      smallint GENERATED ALWAYS AS (CASE priority WHEN 'urgent' THEN 3 WHEN 'high' THEN 2 WHEN 'normal' THEN 1 ELSE 0 END) STORED,
    -- new → in_progress → completed (awaiting acceptance) → accepted;
    -- completed → returned (open again); any open state → cancelled.
    status             text NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'in_progress', 'returned', 'completed', 'accepted', 'cancelled')),
    start_date         date NOT NULL,
    due_date           date NOT NULL,
    working_days       integer CHECK (working_days BETWEEN 0 AND 366),   -- as asked, when the deadline was given so
    progress           integer NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    assigner_id        bigint NOT NULL REFERENCES users (id),
    result             text NOT NULL DEFAULT '',
    return_reason      text NOT NULL DEFAULT '',
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    completed_at       timestamptz,
    accepted_at        timestamptz,
    cancelled_at       timestamptz,
    -- Escalations already sent, by the due date they were about: each is
    -- sent once, and again only after the deadline changes.
    near_due_sent_for  date,
    overdue_sent_for   date,
    search_text        text GENERATED ALWAYS AS (vn_fold(title || ' ' || description)) STORED,
    CONSTRAINT tasks_due_after_start CHECK (due_date >= start_date),
    CONSTRAINT tasks_source_document CHECK (source = 'standalone' OR document_id IS NOT NULL),
    CONSTRAINT tasks_source_direction CHECK (source <> 'direction' OR direction_id IS NOT NULL),
    CONSTRAINT tasks_not_own_parent CHECK (parent_id <> id)
);
CREATE INDEX tasks_due ON tasks (due_date, id);
CREATE INDEX tasks_open_due ON tasks (due_date) WHERE status IN ('new', 'in_progress', 'returned');
CREATE INDEX tasks_created ON tasks (created_at DESC, id DESC);
CREATE INDEX tasks_assigner ON tasks (assigner_id, due_date);
CREATE INDEX tasks_unit ON tasks (unit_id);
CREATE INDEX tasks_parent ON tasks (parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX tasks_document ON tasks (document_id) WHERE document_id IS NOT NULL;
CREATE INDEX tasks_search_fts ON tasks USING gin (to_tsvector('simple', search_text));

-- Who does the task: exactly one lead (chủ trì) and any cooperating
-- (phối hợp) assignees, each a person or a unit.
CREATE TABLE task_assignees (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    task_id  bigint NOT NULL REFERENCES tasks (id),
    user_id  bigint REFERENCES users (id),
    unit_id  bigint REFERENCES units (id),
    role     text NOT NULL CHECK (role IN ('lead', 'cooperate')),
    CHECK ((user_id IS NULL) <> (unit_id IS NULL))
);
CREATE UNIQUE INDEX task_assignees_user ON task_assignees (task_id, user_id) WHERE user_id IS NOT NULL;
CREATE UNIQUE INDEX task_assignees_unit ON task_assignees (task_id, unit_id) WHERE unit_id IS NOT NULL;
CREATE UNIQUE INDEX task_assignees_one_lead ON task_assignees (task_id) WHERE role = 'lead';
CREATE INDEX task_assignees_by_user ON task_assignees (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX task_assignees_by_unit ON task_assignees (unit_id) WHERE unit_id IS NOT NULL;

-- Progress reports: a percent (the lead's sets the task's progress), a
-- note and files.
CREATE TABLE task_updates (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    task_id     bigint NOT NULL REFERENCES tasks (id),
    author_id   bigint NOT NULL REFERENCES users (id),
    role        text NOT NULL CHECK (role IN ('lead', 'cooperate')),
    percent     integer CHECK (percent BETWEEN 0 AND 100),
    note        text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX task_updates_task ON task_updates (task_id, created_at);

-- Files of a task, each attached with a progress report; the bytes live in
-- the object store like every other file.
CREATE TABLE task_files (
    task_id    bigint NOT NULL REFERENCES tasks (id),
    file_id    bigint NOT NULL REFERENCES files (id),
    update_id  bigint REFERENCES task_updates (id),
    name       text NOT NULL,
    position   integer NOT NULL,
    PRIMARY KEY (task_id, file_id)
);
CREATE INDEX task_files_update ON task_files (update_id);

-- Extension requests (gia hạn), decided by the assigner; one pending at a
-- time per task.
CREATE TABLE task_extensions (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    task_id        bigint NOT NULL REFERENCES tasks (id),
    requested_by   bigint NOT NULL REFERENCES users (id),
    old_due        date NOT NULL,
    requested_due  date NOT NULL,
    reason         text NOT NULL CHECK (btrim(reason) <> ''),
    status         text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    decided_by     bigint REFERENCES users (id),
    decided_at     timestamptz,
    decision_note  text NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL DEFAULT now(),
    CHECK (requested_due > old_due)
);
CREATE UNIQUE INDEX task_extensions_one_pending ON task_extensions (task_id) WHERE status = 'pending';
CREATE INDEX task_extensions_task ON task_extensions (task_id, created_at);

-- The timeline of a task.
CREATE TABLE task_events (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    task_id   bigint NOT NULL REFERENCES tasks (id),
    at        timestamptz NOT NULL DEFAULT now(),
    actor_id  bigint REFERENCES users (id),
    kind      text NOT NULL,
    details   jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX task_events_task ON task_events (task_id, at);

-- Directing documents (văn bản chỉ đạo: a resolution, directive or
-- conclusion) whose implementation is tracked through their tasks.
CREATE TABLE directing_documents (
    document_id  bigint PRIMARY KEY REFERENCES documents (id),
    marked_by    bigint NOT NULL REFERENCES users (id),
    marked_at    timestamptz NOT NULL DEFAULT now(),
    note         text NOT NULL DEFAULT ''
);
