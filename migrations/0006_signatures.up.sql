-- PDF signatures (domain.md §6): the verification report of every stored
-- PDF, and the issued electronic copies that carry the agency's signature.

-- One report per file, made when the file arrives and again on request
-- ("verify again", e.g. after the trusted roots change). A file shared by
-- several documents (exchange on the platform) has one report.
CREATE TABLE file_signatures (
    file_id           bigint PRIMARY KEY REFERENCES files (id),
    status            text NOT NULL CHECK (status IN ('valid', 'altered', 'untrusted', 'expired', 'invalid', 'unsigned', 'unreadable')),
    reason            text NOT NULL DEFAULT '',     -- Vietnamese, when not valid
    -- Whether trusted roots were configured, and which (SHA-256 over the
    -- set): without them nothing can be "valid".
    trust_configured  boolean NOT NULL,
    roots_sha256      text NOT NULL DEFAULT '',
    -- Each signature: signer name, organisation, serial, issuer, signing
    -- time and its source, validity, coverage, reason.
    signatures        jsonb NOT NULL DEFAULT '[]',
    details           jsonb NOT NULL DEFAULT '[]',  -- English details for support
    verified_at       timestamptz NOT NULL DEFAULT now(),
    verified_by       bigint REFERENCES users (id)  -- NULL: verified on arrival
);

-- A document's files are originals (as uploaded or received) or the issued
-- electronic copy: an original PDF with the agency's signature appended,
-- made at issue; the original stays untouched beside it.
ALTER TABLE document_files
    ADD COLUMN role text NOT NULL DEFAULT 'original' CHECK (role IN ('original', 'issued_copy')),
    ADD COLUMN source_file_id bigint REFERENCES files (id),
    ADD CONSTRAINT document_files_issued_copy_source CHECK ((role = 'issued_copy') = (source_file_id IS NOT NULL));
