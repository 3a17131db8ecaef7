-- Outgoing drafts under review: the signer chosen by the drafter, version
-- notes, the approval circuit (rounds of sequential steps, each with one or
-- more parallel reviewers, then the office's format check, then the
-- signer), and links between a document and the one it replaces or
-- corrects.

-- The leader who will sign (the printed position and name stay in
-- signer_position / signer_full_name). A replaced document (and each
-- recipient's copy) is marked when its replacement is issued.
ALTER TABLE documents
    ADD COLUMN signer_user_id  bigint REFERENCES users (id),
    ADD COLUMN replaced_at     timestamptz,
    -- The document to open instead: the replacement for the original; for a
    -- recipient's copy, that recipient's copy of the replacement (NULL when
    -- the replacement was not sent to it).
    ADD COLUMN replaced_by_id  bigint REFERENCES documents (id);

-- Outgoing lists: by unit and by state, newest first; a drafter's own.
CREATE INDEX documents_outgoing_unit_created ON documents (unit_id, created_at DESC, id DESC) WHERE direction = 'outgoing';
CREATE INDEX documents_outgoing_state_created ON documents (outgoing_state, created_at DESC, id DESC) WHERE direction = 'outgoing';
CREATE INDEX documents_outgoing_drafter ON documents (created_by, created_at DESC, id DESC) WHERE direction = 'outgoing';

-- What a version is: files of one upload share document_files.version;
-- who and when come from files.created_by / created_at. A row here adds
-- the uploader's note and whether it is the signer's signed PDF. Version 1
-- made with the draft has no row unless noted.
CREATE TABLE outgoing_versions (
    document_id  bigint NOT NULL REFERENCES documents (id),
    version      integer NOT NULL CHECK (version >= 1),
    kind         text NOT NULL DEFAULT 'draft' CHECK (kind IN ('draft', 'signed')),
    note         text NOT NULL DEFAULT '',
    created_by   bigint REFERENCES users (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (document_id, version)
);

-- A round of review: the drafter submits a version with a circuit; the
-- round runs its review steps in order (stage review, current_step), then
-- waits for the format check (stage format), then for the signer (stage
-- signing), and closes approved, returned (with a reason) or withdrawn.
-- Returning starts over: the drafter revises and submits a new round.
CREATE TABLE outgoing_rounds (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    document_id        bigint NOT NULL REFERENCES documents (id),
    number             integer NOT NULL CHECK (number >= 1),
    version            integer NOT NULL CHECK (version >= 0),
    stage              text NOT NULL CHECK (stage IN ('review', 'format', 'signing', 'approved', 'returned', 'withdrawn')),
    current_step       integer CHECK (current_step >= 1),
    steps              integer NOT NULL CHECK (steps >= 0),
    signer_id          bigint NOT NULL REFERENCES users (id),
    note               text NOT NULL DEFAULT '',
    submitted_by       bigint NOT NULL REFERENCES users (id),
    submitted_at       timestamptz NOT NULL DEFAULT now(),
    format_checked_by  bigint REFERENCES users (id),
    format_checked_at  timestamptz,
    format_note        text NOT NULL DEFAULT '',
    closed_by          bigint REFERENCES users (id),
    closed_at          timestamptz,
    return_reason      text NOT NULL DEFAULT '',
    UNIQUE (document_id, number),
    CHECK ((stage = 'review') = (current_step IS NOT NULL)),
    CHECK ((stage IN ('approved', 'returned', 'withdrawn')) = (closed_at IS NOT NULL)),
    CHECK (stage <> 'returned' OR btrim(return_reason) <> '')
);
-- One open round per document.
CREATE UNIQUE INDEX outgoing_rounds_open ON outgoing_rounds (document_id) WHERE closed_at IS NULL;
CREATE INDEX outgoing_rounds_signer_open ON outgoing_rounds (signer_id) WHERE stage = 'signing';
CREATE INDEX outgoing_rounds_format_open ON outgoing_rounds (stage) WHERE stage = 'format';

-- The reviewers of a round: several in one step review in parallel (all
-- must agree), steps run in order.
CREATE TABLE outgoing_reviews (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    round_id     bigint NOT NULL REFERENCES outgoing_rounds (id),
    step         integer NOT NULL CHECK (step >= 1),
    reviewer_id  bigint NOT NULL REFERENCES users (id),
    decision     text CHECK (decision IN ('approved', 'returned')),
    note         text NOT NULL DEFAULT '',
    decided_at   timestamptz,
    UNIQUE (round_id, reviewer_id),
    CHECK ((decision IS NULL) = (decided_at IS NULL)),
    CHECK (decision IS DISTINCT FROM 'returned' OR btrim(note) <> '')
);
CREATE INDEX outgoing_reviews_pending ON outgoing_reviews (reviewer_id, round_id) WHERE decision IS NULL;

-- A document that replaces (thay thế: a content error) or corrects
-- (đính chính: a format error) an issued one. A document links to at most
-- one original.
CREATE TABLE outgoing_links (
    document_id  bigint PRIMARY KEY REFERENCES documents (id),
    target_id    bigint NOT NULL REFERENCES documents (id),
    kind         text NOT NULL CHECK (kind IN ('replaces', 'corrects')),
    reason       text NOT NULL CHECK (btrim(reason) <> ''),
    created_by   bigint REFERENCES users (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    CHECK (document_id <> target_id)
);
CREATE INDEX outgoing_links_target ON outgoing_links (target_id);
