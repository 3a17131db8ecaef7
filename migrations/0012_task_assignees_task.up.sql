-- Every task's assignees by task: the access predicate and the dashboard's
-- tasks by status look them up per task (the unique indexes are partial).
CREATE INDEX task_assignees_task ON task_assignees (task_id);
