ALTER TABLE document_files DROP COLUMN version;
DROP TABLE outgoing_recipients;
DROP INDEX documents_source;
ALTER TABLE documents
    DROP CONSTRAINT documents_outgoing_number_unique,
    DROP CONSTRAINT documents_outgoing_state,
    DROP COLUMN reject_reason,
    DROP COLUMN recalled_at,
    DROP COLUMN source_document_id,
    DROP COLUMN issued_at,
    DROP COLUMN outgoing_number,
    DROP COLUMN outgoing_state;
