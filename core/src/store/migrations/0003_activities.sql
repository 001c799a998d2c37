-- Schema 3. Activities (runs, rides, swims), one row per real-world session. The day is
-- plaintext for range queries (same leak as sample chunks); everything else is sealed.
CREATE TABLE activities (
    id            TEXT PRIMARY KEY,                      -- random uuid
    day           INTEGER NOT NULL,                      -- UTC day of the start
    source_lookup BLOB NOT NULL UNIQUE,                  -- HMAC(source id)
    body          BLOB NOT NULL,                         -- sealed Activity without track
    track         BLOB                                   -- sealed, deflated track points
);
CREATE INDEX activities_by_day ON activities(day);

-- Extra source ids of an activity that arrived from several apps.
CREATE TABLE activity_aliases (
    source_lookup BLOB PRIMARY KEY,
    activity_id   TEXT NOT NULL REFERENCES activities(id) ON DELETE CASCADE
) WITHOUT ROWID;
