DROP INDEX exchange_documents_replaced_by;
DROP INDEX exchange_documents_replaces;
DROP INDEX assignments_reply_document;
DROP INDEX documents_replaced_by;
DROP INDEX task_assignees_task;
