-- ds01-events fleet store (PostgreSQL 12 or later). Idempotent: apply it again
-- after an upgrade. Applied by `ds01-events setup --central --db URL`, or by
--   psql "$DS01_EVENTS_DB" -v ON_ERROR_STOP=1 -f deploy/postgresql/ds01-events.sql
--
-- rsyslog (deploy/rsyslog/ds01-central.conf) calls ds01_ingest(host, tag, line)
-- for every line it receives. The original line is kept byte for byte (`line`,
-- what `query --json` prints); `event` is the same line as jsonb for queries.

CREATE TABLE IF NOT EXISTS ds01_events (
    id          bigserial PRIMARY KEY,
    host        text NOT NULL,
    ts          timestamptz,          -- the event's timestamp (v1) or ts (pre-v1); NULL when unreadable
    event_type  text,
    "user"      text,
    line        text NOT NULL,
    event       jsonb NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);
-- exactly once: imfile may re-read a renamed file from its start
CREATE UNIQUE INDEX IF NOT EXISTS ds01_events_once ON ds01_events (host, md5(line));
CREATE INDEX IF NOT EXISTS ds01_events_ts ON ds01_events (ts, id);
CREATE INDEX IF NOT EXISTS ds01_events_type_ts ON ds01_events (event_type, ts);
CREATE INDEX IF NOT EXISTS ds01_events_user_ts ON ds01_events ("user", ts);
CREATE INDEX IF NOT EXISTS ds01_events_host_ts ON ds01_events (host, ts);

-- GPU samples: their own table, one index besides the unique one, and a
-- retention (ds01_prune_gpu_samples). They are most of the rows (see
-- docs/fleet.md for the figures) and are read by host and time only.
CREATE TABLE IF NOT EXISTS ds01_gpu_samples (
    id          bigserial PRIMARY KEY,
    host        text NOT NULL,
    ts          timestamptz,
    line        text NOT NULL,
    event       jsonb NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX IF NOT EXISTS ds01_gpu_samples_once ON ds01_gpu_samples (host, md5(line));
CREATE INDEX IF NOT EXISTS ds01_gpu_samples_host_ts ON ds01_gpu_samples (host, ts);

-- Lines that are not a JSON object (a bare NaN from the older Python writer, a
-- cut line). An admin finds them with:
--   SELECT host, stream, received_at, reason, line FROM ds01_quarantine ORDER BY id;
CREATE TABLE IF NOT EXISTS ds01_quarantine (
    id          bigserial PRIMARY KEY,
    host        text NOT NULL,
    stream      text NOT NULL,
    line        text NOT NULL,
    reason      text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX IF NOT EXISTS ds01_quarantine_once ON ds01_quarantine (host, stream, md5(line));

-- The event's time: v1 `timestamp`, pre-v1 `ts`; NULL rather than an error.
CREATE OR REPLACE FUNCTION ds01_event_time(doc jsonb) RETURNS timestamptz
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN COALESCE(doc->>'timestamp', doc->>'ts')::timestamptz;
EXCEPTION WHEN others THEN
    RETURN NULL;
END $$;

-- The line as jsonb; a line the strict parser refuses gets one more try with
-- bare NaN/Infinity/-Infinity (the older Python writer's) read as null, as the
-- file reader (ds01-events query) reads them. NULL when it still fails.
CREATE OR REPLACE FUNCTION ds01_lenient_jsonb(p_line text, OUT doc jsonb, OUT reason text)
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    BEGIN
        doc := p_line::jsonb;
        RETURN;
    EXCEPTION WHEN others THEN
        reason := SQLERRM;
    END;
    BEGIN
        doc := regexp_replace(p_line, '(?<![A-Za-z0-9_"])(-?Infinity|NaN)(?![A-Za-z0-9_"])', 'null', 'g')::jsonb;
        reason := 'bare NaN/Infinity, read as null';
    EXCEPTION WHEN others THEN
        doc := NULL;
    END;
END $$;

-- Never fails on the line's content, so one bad line never stalls rsyslog's
-- queue: it is stored (once), or quarantined. A line with a bare NaN is both:
-- queryable as the file reader shows it, and listed for the admin.
CREATE OR REPLACE FUNCTION ds01_ingest(p_host text, p_tag text, p_line text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    parsed record;
BEGIN
    parsed := ds01_lenient_jsonb(p_line);
    IF parsed.reason IS NOT NULL OR parsed.doc IS NULL OR jsonb_typeof(parsed.doc) <> 'object' THEN
        INSERT INTO ds01_quarantine (host, stream, line, reason)
        VALUES (p_host, p_tag, p_line, COALESCE(parsed.reason, 'not a JSON object')) ON CONFLICT DO NOTHING;
        IF parsed.doc IS NULL OR jsonb_typeof(parsed.doc) <> 'object' THEN
            RETURN;
        END IF;
    END IF;
    IF p_tag = 'ds01-gpu' THEN
        INSERT INTO ds01_gpu_samples (host, ts, line, event)
        VALUES (p_host, ds01_event_time(parsed.doc), p_line, parsed.doc) ON CONFLICT DO NOTHING;
    ELSE
        INSERT INTO ds01_events (host, ts, event_type, "user", line, event)
        VALUES (p_host, ds01_event_time(parsed.doc), COALESCE(parsed.doc->>'event_type', parsed.doc->>'event'),
                parsed.doc->>'user', p_line, parsed.doc) ON CONFLICT DO NOTHING;
    END IF;
END $$;

-- Retention for GPU samples, e.g. daily from cron on the central host:
--   psql "$DS01_EVENTS_DB" -c "SELECT ds01_prune_gpu_samples('90 days')"
CREATE OR REPLACE FUNCTION ds01_prune_gpu_samples(keep interval) RETURNS bigint
LANGUAGE sql AS $$
    WITH gone AS (DELETE FROM ds01_gpu_samples WHERE ts < now() - keep RETURNING 1)
    SELECT count(*) FROM gone
$$;
