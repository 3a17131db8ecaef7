-- Registers, documents with their files, handling (directions and
-- assignments), the working-day calendar and notifications.

-- A register (sổ văn bản) of a unit, with its numbering policy as data.
CREATE TABLE registers (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    unit_id              bigint NOT NULL REFERENCES units (id),
    kind                 text NOT NULL CHECK (kind IN ('incoming', 'outgoing', 'internal')),
    name                 text NOT NULL COLLATE vi CHECK (btrim(name) <> ''),
    preset               text NOT NULL DEFAULT 'custom' CHECK (preset IN ('party', 'state', 'custom')),
    reset_period         text NOT NULL CHECK (reset_period IN ('year', 'term', 'never')),
    per_type             boolean NOT NULL,        -- a sequence per document type
    confidential_series  boolean NOT NULL,        -- confidential documents numbered apart
    term_start           date,                    -- current committee term, for reset_period = 'term'
    is_default           boolean NOT NULL DEFAULT false,
    active               boolean NOT NULL DEFAULT true,
    created_at           timestamptz NOT NULL DEFAULT now(),
    CHECK (reset_period <> 'term' OR term_start IS NOT NULL)
);
CREATE UNIQUE INDEX registers_unit_name ON registers (unit_id, name);
CREATE UNIQUE INDEX registers_one_default ON registers (unit_id, kind) WHERE is_default;

-- The last number given in each sequence. Taking a number updates this row
-- inside the registering transaction: numbers are gap-free because a
-- rolled-back registration rolls its number back too.
CREATE TABLE register_counters (
    register_id  bigint NOT NULL REFERENCES registers (id),
    period       text NOT NULL,   -- '2026', 'term:2025-10-15' or 'all'
    series       text NOT NULL,   -- '' (shared), a type code, with '/mat' for a confidential series
    last_number  integer NOT NULL,
    PRIMARY KEY (register_id, period, series)
);

-- The catalogue of document types, versioned: Quy định 399-QĐ/TW (2026)
-- replaced 66-QĐ/TW; old documents keep the type they were issued with.
CREATE TABLE document_types (
    catalogue   text NOT NULL,
    code        text NOT NULL,
    name        text NOT NULL,
    position    integer NOT NULL,
    valid_from  date NOT NULL,
    valid_to    date,
    PRIMARY KEY (catalogue, code, name)
);
INSERT INTO document_types (catalogue, code, name, position, valid_from) VALUES
    ('399-QĐ/TW', '', 'Cương lĩnh', 1, '2026-01-01'),
    ('399-QĐ/TW', '', 'Điều lệ', 2, '2026-01-01'),
    ('399-QĐ/TW', '', 'Chiến lược', 3, '2026-01-01'),
    ('399-QĐ/TW', 'NQ', 'Nghị quyết', 4, '2026-01-01'),
    ('399-QĐ/TW', 'QĐ', 'Quyết định', 5, '2026-01-01'),
    ('399-QĐ/TW', 'CT', 'Chỉ thị', 6, '2026-01-01'),
    ('399-QĐ/TW', 'KL', 'Kết luận', 7, '2026-01-01'),
    ('399-QĐ/TW', 'QC', 'Quy chế', 8, '2026-01-01'),
    ('399-QĐ/TW', 'QĐ', 'Quy định', 9, '2026-01-01'),
    ('399-QĐ/TW', 'TT', 'Thông tri', 10, '2026-01-01'),
    ('399-QĐ/TW', 'HD', 'Hướng dẫn', 11, '2026-01-01'),
    ('399-QĐ/TW', 'TB', 'Thông báo', 12, '2026-01-01'),
    ('399-QĐ/TW', '', 'Thông cáo', 13, '2026-01-01'),
    ('399-QĐ/TW', '', 'Tuyên bố', 14, '2026-01-01'),
    ('399-QĐ/TW', '', 'Lời kêu gọi', 15, '2026-01-01'),
    ('399-QĐ/TW', 'BC', 'Báo cáo', 16, '2026-01-01'),
    ('399-QĐ/TW', 'KH', 'Kế hoạch', 17, '2026-01-01'),
    ('399-QĐ/TW', '', 'Quy hoạch', 18, '2026-01-01'),
    ('399-QĐ/TW', 'CTr', 'Chương trình', 19, '2026-01-01'),
    ('399-QĐ/TW', 'ĐA', 'Đề án', 20, '2026-01-01'),
    ('399-QĐ/TW', 'PA', 'Phương án', 21, '2026-01-01'),
    ('399-QĐ/TW', '', 'Dự án', 22, '2026-01-01'),
    ('399-QĐ/TW', 'TTr', 'Tờ trình', 23, '2026-01-01'),
    ('399-QĐ/TW', 'CV', 'Công văn', 24, '2026-01-01'),
    ('399-QĐ/TW', 'BB', 'Biên bản', 25, '2026-01-01'),
    ('399-QĐ/TW', 'GGT', 'Giấy giới thiệu', 26, '2026-01-01'),
    ('399-QĐ/TW', 'GM', 'Giấy mời', 27, '2026-01-01'),
    ('399-QĐ/TW', 'GCN', 'Giấy chứng nhận', 28, '2026-01-01'),
    ('399-QĐ/TW', 'GĐĐ', 'Giấy đi đường', 29, '2026-01-01'),
    ('399-QĐ/TW', 'GNP', 'Giấy nghỉ phép', 30, '2026-01-01'),
    ('399-QĐ/TW', 'PC', 'Phiếu chuyển', 31, '2026-01-01'),
    ('399-QĐ/TW', 'PG', 'Phiếu gửi', 32, '2026-01-01'),
    ('399-QĐ/TW', '', 'Thư công', 33, '2026-01-01'),
    ('399-QĐ/TW', 'BS', 'Bản sao', 34, '2026-01-01'),
    ('66-QĐ/TW', 'QĐi', 'Quy định', 9, '2017-01-01');
UPDATE document_types SET valid_to = '2025-12-31' WHERE catalogue = '66-QĐ/TW';

-- Outside organisations that send documents, for autocompletion.
CREATE TABLE organisations (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL COLLATE vi,
    search      text GENERATED ALWAYS AS (vn_fold(name)) STORED,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX organisations_name ON organisations (vn_fold(name));
CREATE INDEX organisations_search_trgm ON organisations USING gin (search gin_trgm_ops);

CREATE TABLE documents (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    direction         text NOT NULL CHECK (direction IN ('incoming', 'outgoing', 'internal')),
    unit_id           bigint NOT NULL REFERENCES units (id),
    register_id       bigint REFERENCES registers (id),
    number_period     text,
    number_series     text,
    arrival_number    integer,
    arrived_at        timestamptz,
    status            text NOT NULL CHECK (status IN ('01', '02', '03', '04', '05', '06')),
    type_name         text NOT NULL,
    type_code         text NOT NULL DEFAULT '',
    code_number       text NOT NULL DEFAULT '',
    code_notation     text NOT NULL DEFAULT '',
    issued_date       date,
    organ_name        text NOT NULL,
    organ_unit_id     bigint REFERENCES units (id),
    subject           text NOT NULL,
    page_amount       integer CHECK (page_amount IS NULL OR page_amount > 0),
    signer_position   text NOT NULL DEFAULT '',
    signer_full_name  text NOT NULL DEFAULT '',
    priority          text NOT NULL DEFAULT 'thuong' CHECK (priority IN ('thuong', 'khan', 'thuong_khan', 'hoa_toc', 'hoa_toc_hen_gio')),
    priority_time     timestamptz,
    confidentiality   clearance_level NOT NULL DEFAULT 'none',
    due_date          date,
    receivers         text NOT NULL DEFAULT '',
    notes             text NOT NULL DEFAULT '',
    presented_to      bigint REFERENCES users (id),
    completed_at      timestamptz,
    created_by        bigint REFERENCES users (id),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    symbol            text NOT NULL DEFAULT '',   -- as written: 57-NQ/TW, 15/TTg-KGVX
    search_text       text GENERATED ALWAYS AS (vn_fold(subject || ' ' || organ_name)) STORED,
    CONSTRAINT documents_arrival_unique UNIQUE (register_id, number_period, number_series, arrival_number),
    CONSTRAINT documents_incoming_arrived CHECK (direction <> 'incoming' OR arrived_at IS NOT NULL)
);
CREATE INDEX documents_unit_arrived ON documents (unit_id, arrived_at DESC, id DESC);
CREATE INDEX documents_arrived ON documents (arrived_at DESC, id DESC);
CREATE INDEX documents_symbol ON documents (symbol);
CREATE INDEX documents_duplicate ON documents (symbol, vn_fold(organ_name));
CREATE INDEX documents_search_fts ON documents USING gin (to_tsvector('simple', search_text));
CREATE INDEX documents_search_trgm ON documents USING gin (search_text gin_trgm_ops);
CREATE INDEX documents_status_arrived ON documents (status, arrived_at DESC, id DESC);
CREATE INDEX documents_presented ON documents (presented_to) WHERE presented_to IS NOT NULL;

-- File bytes live in the object store; a file may belong to several
-- documents (exchange between units references, never copies).
CREATE TABLE files (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    object_key    text NOT NULL UNIQUE,
    sha256        text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size          bigint NOT NULL CHECK (size >= 0),
    content_type  text NOT NULL,
    created_by    bigint REFERENCES users (id),
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE document_files (
    document_id  bigint NOT NULL REFERENCES documents (id),
    file_id      bigint NOT NULL REFERENCES files (id),
    name         text NOT NULL,
    position     integer NOT NULL,
    PRIMARY KEY (document_id, file_id)
);
CREATE INDEX document_files_file ON document_files (file_id);

-- The timeline of a document: every registration, presentation,
-- direction, assignment, view, return and completion.
CREATE TABLE document_events (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    document_id  bigint NOT NULL REFERENCES documents (id),
    at           timestamptz NOT NULL DEFAULT now(),
    actor_id     bigint REFERENCES users (id),
    kind         text NOT NULL,
    details      jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX document_events_doc ON document_events (document_id, at);

CREATE TABLE document_comments (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    document_id  bigint NOT NULL REFERENCES documents (id),
    author_id    bigint NOT NULL REFERENCES users (id),
    body         text NOT NULL CHECK (btrim(body) <> ''),
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX document_comments_doc ON document_comments (document_id, created_at);

-- A leader's direction (bút phê) on a document.
CREATE TABLE directions (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    document_id  bigint NOT NULL REFERENCES documents (id),
    author_id    bigint NOT NULL REFERENCES users (id),
    body         text NOT NULL,
    deadline     date,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX directions_doc ON directions (document_id);

-- Who handles what: lead (chủ trì), cooperate (phối hợp) or inform (để biết),
-- to a person or a unit; a unit leader re-assigns within the unit (parent_id).
CREATE TABLE assignments (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    document_id        bigint NOT NULL REFERENCES documents (id),
    direction_id       bigint REFERENCES directions (id),
    parent_id          bigint REFERENCES assignments (id),
    assignee_user_id   bigint REFERENCES users (id),
    assignee_unit_id   bigint REFERENCES units (id),
    role               text NOT NULL CHECK (role IN ('lead', 'cooperate', 'inform')),
    status             text NOT NULL CHECK (status IN ('assigned', 'in_progress', 'done', 'returned', 'reassigned')),
    deadline           date,
    progress           integer NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    progress_note      text NOT NULL DEFAULT '',
    result             text NOT NULL DEFAULT '',
    reply_document_id  bigint REFERENCES documents (id),
    return_reason      text NOT NULL DEFAULT '',
    assigned_by        bigint REFERENCES users (id),
    created_at         timestamptz NOT NULL DEFAULT now(),
    accepted_at        timestamptz,
    completed_at       timestamptz,
    reminded_at        timestamptz,
    CHECK ((assignee_user_id IS NULL) <> (assignee_unit_id IS NULL))
);
CREATE INDEX assignments_doc ON assignments (document_id);
CREATE INDEX assignments_user_open ON assignments (assignee_user_id, status) WHERE status IN ('assigned', 'in_progress');
CREATE INDEX assignments_unit_open ON assignments (assignee_unit_id, status) WHERE status IN ('assigned', 'in_progress');
CREATE INDEX assignments_user ON assignments (assignee_user_id) WHERE assignee_user_id IS NOT NULL;
CREATE INDEX assignments_unit ON assignments (assignee_unit_id) WHERE assignee_unit_id IS NOT NULL;
CREATE INDEX assignments_deadline_open ON assignments (deadline) WHERE status IN ('assigned', 'in_progress');

-- Saved filters of the registry list, per person.
CREATE TABLE saved_filters (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name        text NOT NULL,
    query       text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (user_id, name)
);

-- Working-day calendar: weekdays that are holidays (or days off in lieu)
-- and weekend days declared working days.
CREATE TABLE calendar_days (
    day   date PRIMARY KEY,
    kind  text NOT NULL CHECK (kind IN ('holiday', 'workday')),
    name  text NOT NULL
);

-- In-app notifications.
CREATE TABLE notifications (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind        text NOT NULL,
    title       text NOT NULL,
    link        text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    read_at     timestamptz
);
CREATE INDEX notifications_user_unread ON notifications (user_id, created_at DESC) WHERE read_at IS NULL;
