-- Every task's assignees by task: the access predicate and the dashboard's
-- tasks by status look them up per task (the unique indexes are partial).
CREATE INDEX task_assignees_task ON task_assignees (task_id);

-- References to documents that had no index: deleting a document checked
-- each of them by reading the whole table (a million documents: seconds
-- per row).
CREATE INDEX documents_replaced_by ON documents (replaced_by_id) WHERE replaced_by_id IS NOT NULL;
CREATE INDEX assignments_reply_document ON assignments (reply_document_id) WHERE reply_document_id IS NOT NULL;
CREATE INDEX exchange_documents_replaces ON exchange_documents (replaces_document_id) WHERE replaces_document_id IS NOT NULL;
CREATE INDEX exchange_documents_replaced_by ON exchange_documents (replaced_by_document_id) WHERE replaced_by_document_id IS NOT NULL;
