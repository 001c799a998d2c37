-- Schema 4. Consent: grants (sealed) and the owner's audit log. Each audit row is sealed
-- and carries `chain` = HMAC(lookup key, previous chain | seq | at | SHA-256(body)), so
-- any edit, reordering or removal inside the log breaks verification; the sealed head
-- (last seq and chain) in meta('audit_head') catches a cut-off tail.
CREATE TABLE grants (
    id         TEXT PRIMARY KEY,                         -- random uuid
    created_at INTEGER NOT NULL,
    body       BLOB NOT NULL                             -- sealed Grant
);

CREATE TABLE audit_log (
    seq   INTEGER PRIMARY KEY,                           -- 1, 2, 3 ... no gaps
    at    INTEGER NOT NULL,                              -- ms since epoch
    body  BLOB NOT NULL,                                 -- sealed AuditEvent
    chain BLOB NOT NULL
);
