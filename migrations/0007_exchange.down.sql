DROP TRIGGER documents_exchange_status ON documents;
DROP FUNCTION exchange_status_out();
ALTER TABLE outgoing_recipients
    DROP CONSTRAINT outgoing_recipients_exchange_organ,
    DROP COLUMN exchange_description,
    DROP COLUMN exchange_status_at,
    DROP COLUMN exchange_status,
    DROP COLUMN organ_id;
DROP TABLE exchange_messages;
DROP TABLE exchange_documents;
DROP TABLE exchange_organ_ids;
