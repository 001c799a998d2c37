-- Schema 7. The history of imports on this device, for the apps' imports screen: one row
-- per import run. The body is sealed JSON holding file names (no folders) and counts only,
-- never values or problem text. `at` is plain for ordering, like every other time column.
CREATE TABLE import_log (
    id   TEXT PRIMARY KEY,                               -- random uuid
    at   INTEGER NOT NULL,                               -- UTC ms when the import finished
    body BLOB NOT NULL                                   -- sealed ImportLogEntry
);
CREATE INDEX import_log_by_time ON import_log(at);
