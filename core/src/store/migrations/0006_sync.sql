-- Schema 6. Sync (ADR 0012): every change to the record as an operation with a hybrid
-- logical clock, sealed like any other value; the winning clock of each last-writer-wins
-- register; and the ids of purged entries so a late operation cannot bring one back.
CREATE TABLE sync_ops (
    op_id   TEXT PRIMARY KEY,                            -- device id '-' hlc: unique, no secret
    hlc     INTEGER NOT NULL,
    entity  BLOB,                                        -- HMAC(entry id) when the op is about an entry
    body    BLOB NOT NULL,                               -- sealed Op
    local   INTEGER NOT NULL,                            -- 1 = made on this device
    pushed  INTEGER NOT NULL,                            -- 1 = the relay has it
    applied INTEGER NOT NULL                             -- 0 = parked until its entry arrives
);
CREATE INDEX sync_ops_to_push ON sync_ops(hlc) WHERE pushed = 0;
CREATE INDEX sync_ops_parked ON sync_ops(entity) WHERE applied = 0;

CREATE TABLE sync_registers (
    lookup BLOB PRIMARY KEY,                             -- HMAC(register name)
    hlc    INTEGER NOT NULL,
    device TEXT NOT NULL,
    flag   INTEGER                                       -- the value of a yes/no register
) WITHOUT ROWID;

CREATE TABLE sync_purged (
    lookup BLOB PRIMARY KEY                              -- HMAC(entry id)
) WITHOUT ROWID;
