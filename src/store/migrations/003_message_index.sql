-- openclaw store, schema 3. A partial index over the message events (user and assistant): the
-- dashboard's sessions list counts each session's messages from the index alone (it covers the
-- query) instead of visiting every event row of the session (tool results, run markers, JSON).
-- Its WHERE clause must stay identical to store/sessions.ts MESSAGE_COUNT_SQL for SQLite to use it.
CREATE INDEX events_messages ON events (session_key, type) WHERE type IN ('user_message', 'assistant_message');
