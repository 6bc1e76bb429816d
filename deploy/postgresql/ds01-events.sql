-- ds01-events fleet store (PostgreSQL 12 or later). Idempotent: apply it again
-- after an upgrade. Applied by `ds01-events setup --central --db URL`, or by
--   psql "$DS01_EVENTS_DB" -v ON_ERROR_STOP=1 -f deploy/postgresql/ds01-events.sql
-- Its string literals hold backslashes: they mean what they say only with
-- standard_conforming_strings on, whatever the server or role default.
SET standard_conforming_strings = on;
--
-- rsyslog (deploy/rsyslog/ds01-central.conf) calls ds01_ingest_latin1(host, tag,
-- line) for every line it receives, in a session whose client encoding is
-- LATIN1 (the line's bytes, whatever they are) and whose
-- standard_conforming_strings is on. The original line is kept byte for byte
-- (`line`, what `query --json` prints); `event` is the same line as jsonb for
-- queries (where jsonb cannot hold a \u0000, it holds U+FFFD instead).

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
CREATE INDEX IF NOT EXISTS ds01_gpu_samples_ts ON ds01_gpu_samples (ts, id);

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
-- a line that is not UTF-8: its bytes as they came (line then shows them with octal escapes)
ALTER TABLE ds01_quarantine ADD COLUMN IF NOT EXISTS raw bytea;
CREATE INDEX IF NOT EXISTS ds01_quarantine_received ON ds01_quarantine (received_at);

-- How long each table keeps its rows (by the event's time; the quarantine by
-- arrival). ds01_ingest prunes a few thousand old rows now and then, so no cron
-- job is needed. Change with e.g.
--   UPDATE ds01_retention SET keep = '2 years' WHERE what = 'events';
-- (keep NULL: forever). A line older than its table's retention is not stored.
CREATE TABLE IF NOT EXISTS ds01_retention (
    what text PRIMARY KEY CHECK (what IN ('events', 'gpu_samples', 'quarantine')),
    keep interval
);
INSERT INTO ds01_retention (what, keep) VALUES ('events', '400 days'), ('gpu_samples', '14 days'), ('quarantine', '90 days')
ON CONFLICT (what) DO NOTHING;

-- The event's time, as the file reader (ds01-events query) reads it: v1
-- `timestamp`, pre-v1 `ts`; an ISO 8601 time without a zone is UTC (the older
-- Python writer wrote UTC), whatever the server's TimeZone; a number is
-- seconds since the epoch; NULL rather than an error.
CREATE OR REPLACE FUNCTION ds01_event_time(doc jsonb) RETURNS timestamptz
LANGUAGE plpgsql IMMUTABLE SET timezone = 'UTC' SET standard_conforming_strings = on AS $$
DECLARE
    t jsonb := CASE WHEN jsonb_typeof(doc->'timestamp') = 'string' THEN doc->'timestamp' ELSE doc->'ts' END;
    s text;
BEGIN
    IF jsonb_typeof(t) = 'number' THEN
        RETURN to_timestamp((t #>> '{}')::double precision);
    END IF;
    s := t #>> '{}';
    IF jsonb_typeof(t) <> 'string'
       OR s !~ '^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?([Zz]|[+-]\d{2}(:?\d{2})?)?$' THEN
        RETURN NULL;
    END IF;
    RETURN s::timestamptz; -- no zone: this function's TimeZone, UTC
EXCEPTION WHEN others THEN
    RETURN NULL;
END $$;

-- The line as jsonb; a line the strict parser refuses gets one more try with
-- bare NaN/Infinity/-Infinity (the older Python writer's) read as null, as the
-- file reader (ds01-events query) reads them (reason says so). jsonb cannot
-- hold U+0000: an escaped \u0000 becomes \ufffd in the jsonb only (the line
-- stays as it is; no reason). NULL when it still fails.
CREATE OR REPLACE FUNCTION ds01_lenient_jsonb(p_line text, OUT doc jsonb, OUT reason text)
LANGUAGE plpgsql IMMUTABLE SET standard_conforming_strings = on AS $$
DECLARE
    -- \u0000 not itself escaped (preceded by an even number of backslashes)
    text_ok text := CASE WHEN strpos(p_line, '\u0000') > 0
                         THEN regexp_replace(p_line, '(?<!\\)((?:\\\\)*)\\u0000', '\1\\ufffd', 'g') ELSE p_line END;
BEGIN
    BEGIN
        doc := text_ok::jsonb;
        RETURN;
    EXCEPTION WHEN others THEN
        reason := SQLERRM;
    END;
    BEGIN
        doc := regexp_replace(text_ok, '(?<![A-Za-z0-9_"])(-?Infinity|NaN)(?![A-Za-z0-9_"])', 'null', 'g')::jsonb;
        reason := 'bare NaN/Infinity, read as null';
    EXCEPTION WHEN others THEN
        doc := NULL;
    END;
END $$;

-- Old rows out, a bounded number per call (ds01_ingest calls it now and then).
CREATE OR REPLACE FUNCTION ds01_prune(batch integer DEFAULT 5000) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    keep_events interval := (SELECT keep FROM ds01_retention WHERE what = 'events');
    keep_gpu interval := (SELECT keep FROM ds01_retention WHERE what = 'gpu_samples');
    keep_quarantine interval := (SELECT keep FROM ds01_retention WHERE what = 'quarantine');
    n bigint := 0;
    m bigint;
BEGIN
    IF keep_events IS NOT NULL THEN
        DELETE FROM ds01_events WHERE id IN (SELECT id FROM ds01_events WHERE ts < now() - keep_events ORDER BY ts LIMIT batch);
        GET DIAGNOSTICS m = ROW_COUNT; n := n + m;
    END IF;
    IF keep_gpu IS NOT NULL THEN
        DELETE FROM ds01_gpu_samples WHERE id IN (SELECT id FROM ds01_gpu_samples WHERE ts < now() - keep_gpu ORDER BY ts LIMIT batch);
        GET DIAGNOSTICS m = ROW_COUNT; n := n + m;
    END IF;
    IF keep_quarantine IS NOT NULL THEN
        DELETE FROM ds01_quarantine WHERE id IN (SELECT id FROM ds01_quarantine WHERE received_at < now() - keep_quarantine ORDER BY received_at LIMIT batch);
        GET DIAGNOSTICS m = ROW_COUNT; n := n + m;
    END IF;
    RETURN n;
END $$;

-- Never fails on the line's content, so one bad line never stalls rsyslog's
-- queue: it is stored (once), or quarantined. A line with a bare NaN is both:
-- queryable as the file reader shows it, and listed for the admin. What is
-- not the line's fault (a full disk: class 53, insufficient resources) must
-- not drop it: ompgsql drops a failed statement (and, rolled back with it, the
-- statements before it in its transaction), so the function waits and tries
-- again until there is room, and rsyslog's queue waits behind it (on disk).
CREATE OR REPLACE FUNCTION ds01_ingest(p_host text, p_tag text, p_line text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    parsed record;
    v_ts timestamptz;
BEGIN
    parsed := ds01_lenient_jsonb(p_line);
    v_ts := CASE WHEN parsed.doc IS NULL THEN NULL ELSE ds01_event_time(parsed.doc) END;
    LOOP
        BEGIN
            IF parsed.reason IS NOT NULL OR parsed.doc IS NULL OR jsonb_typeof(parsed.doc) <> 'object' THEN
                INSERT INTO ds01_quarantine (host, stream, line, reason)
                VALUES (p_host, p_tag, p_line, COALESCE(parsed.reason, 'not a JSON object')) ON CONFLICT DO NOTHING;
                IF parsed.doc IS NULL OR jsonb_typeof(parsed.doc) <> 'object' THEN
                    RETURN;
                END IF;
            END IF;
            IF p_tag = 'ds01-gpu' THEN
                IF v_ts < now() - (SELECT keep FROM ds01_retention WHERE what = 'gpu_samples') THEN RETURN; END IF;
                INSERT INTO ds01_gpu_samples (host, ts, line, event)
                VALUES (p_host, v_ts, p_line, parsed.doc) ON CONFLICT DO NOTHING;
            ELSE
                IF v_ts < now() - (SELECT keep FROM ds01_retention WHERE what = 'events') THEN RETURN; END IF;
                INSERT INTO ds01_events (host, ts, event_type, "user", line, event)
                VALUES (p_host, v_ts, COALESCE(parsed.doc->>'event_type', parsed.doc->>'event'),
                        parsed.doc->>'user', p_line, parsed.doc) ON CONFLICT DO NOTHING;
            END IF;
            IF random() < 0.001 THEN
                PERFORM ds01_prune();
            END IF;
            RETURN;
        EXCEPTION WHEN insufficient_resources THEN
            RAISE WARNING 'ds01_ingest: % (the line waits; retrying in 2 s)', SQLERRM;
            PERFORM pg_sleep(2);
        END;
    END LOOP;
END $$;

-- rsyslog's entry point: the line arrives as LATIN1 text (one character per
-- byte), so PostgreSQL never refuses the statement for its bytes. A line that
-- is UTF-8 (every line our writers write) goes on to ds01_ingest; one that is
-- not goes to the quarantine with its bytes in `raw` (and shown with octal
-- escapes in `line`), and its neighbours are stored as usual.
CREATE OR REPLACE FUNCTION ds01_ingest_latin1(p_host text, p_tag text, p_line text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    bytes bytea := convert_to(p_line, 'LATIN1');
    line text;
BEGIN
    BEGIN
        line := convert_from(bytes, 'UTF8');
    EXCEPTION WHEN others THEN
        LOOP
            BEGIN
                INSERT INTO ds01_quarantine (host, stream, line, reason, raw)
                VALUES (p_host, p_tag, encode(bytes, 'escape'), 'not valid UTF-8 (line shown with octal escapes; the bytes are in raw)', bytes)
                ON CONFLICT DO NOTHING;
                RETURN;
            EXCEPTION WHEN insufficient_resources THEN
                RAISE WARNING 'ds01_ingest_latin1: % (the line waits; retrying in 2 s)', SQLERRM;
                PERFORM pg_sleep(2);
            END;
        END LOOP;
    END;
    PERFORM ds01_ingest(p_host, p_tag, line);
END $$;

-- Retention for GPU samples, e.g. daily from cron on the central host:
--   psql "$DS01_EVENTS_DB" -c "SELECT ds01_prune_gpu_samples('90 days')"
CREATE OR REPLACE FUNCTION ds01_prune_gpu_samples(keep interval) RETURNS bigint
LANGUAGE sql AS $$
    WITH gone AS (DELETE FROM ds01_gpu_samples WHERE ts < now() - keep RETURNING 1)
    SELECT count(*) FROM gone
$$;
