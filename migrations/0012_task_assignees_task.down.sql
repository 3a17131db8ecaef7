DROP INDEX task_assignees_task;
