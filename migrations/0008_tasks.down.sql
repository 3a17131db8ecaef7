DROP TABLE IF EXISTS directing_documents;
DROP TABLE IF EXISTS task_events;
DROP TABLE IF EXISTS task_extensions;
DROP TABLE IF EXISTS task_files;
DROP TABLE IF EXISTS task_updates;
DROP TABLE IF EXISTS task_assignees;
DROP TABLE IF EXISTS tasks;
