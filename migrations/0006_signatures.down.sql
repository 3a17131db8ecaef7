ALTER TABLE document_files
    DROP CONSTRAINT document_files_issued_copy_source,
    DROP COLUMN source_file_id,
    DROP COLUMN role;
DROP TABLE file_signatures;
