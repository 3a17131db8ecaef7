-- Outgoing documents (văn bản đi): drafts, approval, numbering at issue,
-- the recipients and the exchange on the platform.

-- The outgoing workflow state, apart from the 01–06 exchange status codes
-- (which describe a document as received). NULL for incoming documents.
ALTER TABLE documents
    ADD COLUMN outgoing_state      text CHECK (outgoing_state IN ('draft', 'approved', 'returned', 'issued', 'recalled')),
    -- The number given at issue by the outgoing register (arrival_number
    -- stays for incoming documents).
    ADD COLUMN outgoing_number     integer,
    ADD COLUMN issued_at           timestamptz,
    -- A copy delivered on the platform points back at the outgoing document.
    ADD COLUMN source_document_id  bigint REFERENCES documents (id),
    -- A recalled (thu hồi) copy is frozen and cancelled.
    ADD COLUMN recalled_at         timestamptz,
    -- Why a delivered copy was refused (status 02).
    ADD COLUMN reject_reason       text NOT NULL DEFAULT '',
    ADD CONSTRAINT documents_outgoing_state CHECK ((direction = 'outgoing') = (outgoing_state IS NOT NULL)),
    ADD CONSTRAINT documents_outgoing_number_unique UNIQUE (register_id, number_period, number_series, outgoing_number);
CREATE INDEX documents_source ON documents (source_document_id) WHERE source_document_id IS NOT NULL;

-- The recipients (nơi nhận) of an outgoing document: a unit on the platform
-- or an outside organisation by name. delivered_document_id is the copy
-- placed in the unit's incoming queue at issue.
CREATE TABLE outgoing_recipients (
    id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    document_id            bigint NOT NULL REFERENCES documents (id),
    position               integer NOT NULL,
    unit_id                bigint REFERENCES units (id),
    organ_name             text NOT NULL DEFAULT '',
    delivered_document_id  bigint REFERENCES documents (id),
    delivered_at           timestamptz,
    CHECK ((unit_id IS NULL) <> (btrim(organ_name) = '')),
    UNIQUE (document_id, position)
);
CREATE UNIQUE INDEX outgoing_recipients_unit ON outgoing_recipients (document_id, unit_id) WHERE unit_id IS NOT NULL;
CREATE INDEX outgoing_recipients_delivered ON outgoing_recipients (delivered_document_id) WHERE delivered_document_id IS NOT NULL;

-- Versions of a draft: each upload is a version, with who and when from
-- files.created_by / created_at. Registration files are version 1.
ALTER TABLE document_files ADD COLUMN version integer NOT NULL DEFAULT 1;
