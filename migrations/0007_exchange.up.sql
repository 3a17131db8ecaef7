-- Exchange with outside organisations in edXML (QCVN 102:2016/BTTTT):
-- organ identifiers of our units, documents received as envelopes with
-- every metadata field, status messages both ways.

-- A unit's identifier on the national exchange axis (mã định danh, e.g.
-- 000.00.00.G12). Units without one are written as VT.{id}.
CREATE TABLE exchange_organ_ids (
    unit_id     bigint PRIMARY KEY REFERENCES units (id),
    organ_id    text NOT NULL UNIQUE CHECK (organ_id ~ '^[^\s,]{1,64}$'),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- An incoming document received as an edXML envelope. metadata is the
-- whole envelope as last received (business code 0, 2 or 3), attachment
-- bytes excepted: the documents row holds what its columns can, this
-- holds everything.
CREATE TABLE exchange_documents (
    document_id              bigint PRIMARY KEY REFERENCES documents (id),
    receiving_unit_id        bigint NOT NULL REFERENCES units (id),
    edxml_document_id        text NOT NULL,   -- OrganId,yyyy/MM/dd,Số/Ký hiệu
    from_organ_id            text NOT NULL,
    business_code            smallint NOT NULL CHECK (business_code BETWEEN 0 AND 3),
    metadata                 jsonb NOT NULL,
    replaces_document_id     bigint REFERENCES documents (id),
    replaced_by_document_id  bigint REFERENCES documents (id),
    imported_by              bigint REFERENCES users (id),
    imported_at              timestamptz NOT NULL DEFAULT now(),
    updated_at               timestamptz NOT NULL DEFAULT now()
);
-- The same envelope is imported once per receiving unit.
CREATE UNIQUE INDEX exchange_documents_once ON exchange_documents (receiving_unit_id, edxml_document_id);
CREATE INDEX exchange_documents_docid ON exchange_documents (edxml_document_id);

-- Every exchange message in or out: envelopes received (new, recall,
-- update, replace), status messages we owe the outside sender of an
-- imported document (out), and status messages outside recipients send
-- about our documents (in).
CREATE TABLE exchange_messages (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    direction      text NOT NULL CHECK (direction IN ('in', 'out')),
    kind           text NOT NULL CHECK (kind IN ('document', 'status')),
    document_id    bigint NOT NULL REFERENCES documents (id),
    business_code  smallint CHECK (business_code BETWEEN 0 AND 3),
    status_code    text CHECK (status_code ~ '^0[1-6]$'),
    organ_id       text NOT NULL DEFAULT '',  -- the other side
    recipient_id   bigint REFERENCES outgoing_recipients (id),
    payload        jsonb NOT NULL DEFAULT '{}',
    actor_id       bigint REFERENCES users (id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'status') = (status_code IS NOT NULL)),
    CHECK ((kind = 'document') = (business_code IS NOT NULL))
);
CREATE INDEX exchange_messages_document ON exchange_messages (document_id, id);
CREATE INDEX exchange_messages_out_status ON exchange_messages (id) WHERE direction = 'out' AND kind = 'status';

-- An outside recipient's identifier and the last status it reported.
ALTER TABLE outgoing_recipients
    ADD COLUMN organ_id              text,
    ADD COLUMN exchange_status       text CHECK (exchange_status ~ '^0[1-6]$'),
    ADD COLUMN exchange_status_at    timestamptz,
    ADD COLUMN exchange_description  text NOT NULL DEFAULT '',
    ADD CONSTRAINT outgoing_recipients_exchange_organ CHECK (unit_id IS NULL OR (organ_id IS NULL AND exchange_status IS NULL));

-- Every status change of an imported document owes its outside sender a
-- status message. A trigger catches the change whichever capability makes
-- it (registering, rejecting, assigning, handling, finishing, returning),
-- in the same transaction. Who acted is read later from the timeline entry
-- written in that transaction (same now()).
CREATE FUNCTION exchange_status_out() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO exchange_messages (direction, kind, document_id, status_code, organ_id, payload)
    SELECT 'out', 'status', NEW.id, NEW.status, e.from_organ_id,
        jsonb_build_object('reason', NEW.reject_reason, 'arrival_number', NEW.arrival_number, 'unit_id', NEW.unit_id)
    FROM exchange_documents e WHERE e.document_id = NEW.id;
    RETURN NULL;
END $$;

CREATE TRIGGER documents_exchange_status AFTER UPDATE OF status ON documents
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION exchange_status_out();
