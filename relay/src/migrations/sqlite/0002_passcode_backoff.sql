-- Wrong passcodes per link and client address (issue 18): a client that keeps guessing waits
-- longer and longer; the link itself is never locked, so a stranger cannot lock out the recipient.
CREATE TABLE IF NOT EXISTS passcode_failures (
    link_id TEXT NOT NULL, client TEXT NOT NULL, failures INTEGER NOT NULL,
    blocked_until INTEGER NOT NULL, PRIMARY KEY (link_id, client));
