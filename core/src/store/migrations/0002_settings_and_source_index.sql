-- Schema 2. Owner settings (insight switches, display preferences), sealed; and a unique
-- index so one medical-record or imported item maps to one entry.
CREATE TABLE settings (
    lookup BLOB PRIMARY KEY,                             -- HMAC(setting name)
    body   BLOB NOT NULL
) WITHOUT ROWID;

CREATE UNIQUE INDEX entries_by_source ON entries(source_lookup) WHERE source_lookup IS NOT NULL;
