-- Device removals asked on one device and waiting for a second device's confirmation (ADR
-- 0048), in the database rather than one instance's memory (issue 19): behind a load
-- balancer the confirmation may reach another instance than the request did.
CREATE TABLE IF NOT EXISTS sync_removals (
    account TEXT NOT NULL, target TEXT NOT NULL, requester TEXT NOT NULL,
    expires_at BIGINT NOT NULL, PRIMARY KEY (account, target));
