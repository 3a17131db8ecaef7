-- Units, people, sessions, grants and the audit log.

-- ICU collation for Vietnamese sorting of names.
CREATE COLLATION IF NOT EXISTS vi (provider = icu, locale = 'vi-VN');

CREATE TYPE unit_level AS ENUM ('central', 'province', 'body', 'district', 'commune', 'grassroots', 'cell');
CREATE TYPE clearance_level AS ENUM ('none', 'mat', 'toi_mat', 'tuyet_mat');
CREATE TYPE member_role AS ENUM ('admin', 'unit_admin', 'clerk', 'leader', 'handler');

-- A unit is a party organisation over a validity period. The administrative
-- code is data, not a key: codes are reused with new meanings after mergers.
CREATE TABLE units (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code        text,
    name        text NOT NULL COLLATE vi CHECK (btrim(name) <> ''),
    symbol      text NOT NULL DEFAULT '',          -- issuer notation in document symbols: TU, ĐU, VPTU…
    level       unit_level NOT NULL,
    kind        text NOT NULL DEFAULT '',          -- Tỉnh ủy, Thành ủy, Đảng ủy xã, Văn phòng…
    parent_id   bigint REFERENCES units (id),
    valid_from  date NOT NULL DEFAULT DATE '1930-02-03',
    valid_to    date,                              -- last day the unit existed; NULL while it exists
    note        text NOT NULL DEFAULT '',
    search      text GENERATED ALWAYS AS (vn_fold(coalesce(code, '') || ' ' || name)) STORED,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT units_validity CHECK (valid_to IS NULL OR valid_to >= valid_from),
    CONSTRAINT units_not_own_parent CHECK (parent_id <> id)
);
CREATE UNIQUE INDEX units_code_period ON units (code, level, valid_from) WHERE code IS NOT NULL;
CREATE INDEX units_parent ON units (parent_id);
CREATE INDEX units_level_current ON units (level) WHERE valid_to IS NULL;
CREATE INDEX units_search_trgm ON units USING gin (search gin_trgm_ops);

-- A person. Roles come from memberships in units.
CREATE TABLE users (
    id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    login                 text NOT NULL CHECK (login ~ '^[a-z0-9][a-z0-9._-]{1,62}$'),
    full_name             text NOT NULL COLLATE vi CHECK (btrim(full_name) <> ''),
    email                 text NOT NULL DEFAULT '',
    password_hash         text NOT NULL,
    clearance             clearance_level NOT NULL DEFAULT 'none',
    must_change_password  boolean NOT NULL DEFAULT false,
    failed_logins         integer NOT NULL DEFAULT 0,
    locked_until          timestamptz,
    disabled_at           timestamptz,
    enabled_at            timestamptz,                 -- last re-enabling; restarts the inactivity clock
    totp_secret           text,
    totp_enabled_at       timestamptz,
    totp_last_step        bigint NOT NULL DEFAULT 0,   -- refuses a code used twice
    last_login_at         timestamptz,
    password_changed_at   timestamptz NOT NULL DEFAULT now(),
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    search                text GENERATED ALWAYS AS (vn_fold(login || ' ' || full_name || ' ' || email)) STORED
);
CREATE UNIQUE INDEX users_login ON users (login);
CREATE INDEX users_search_trgm ON users USING gin (search gin_trgm_ops);

CREATE TABLE memberships (
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    unit_id     bigint NOT NULL REFERENCES units (id),
    role        member_role NOT NULL,
    title       text NOT NULL DEFAULT '',          -- position: Chánh Văn phòng, Bí thư…
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, unit_id, role)
);
CREATE INDEX memberships_unit ON memberships (unit_id);

-- Server-side sessions; the cookie carries a random token, we keep its hash.
CREATE TABLE sessions (
    token_hash      bytea PRIMARY KEY,
    user_id         bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    state           text NOT NULL CHECK (state IN ('active', 'mfa_pending', 'mfa_enroll')),
    acting_unit_id  bigint REFERENCES units (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_seen_at    timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    ip              text NOT NULL DEFAULT '',
    user_agent      text NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE api_tokens (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id       bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name          text NOT NULL DEFAULT '',
    token_hash    bytea NOT NULL UNIQUE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz,
    revoked_at    timestamptz
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Explicit grants give one person, or everyone whose scope covers a unit,
-- access to one record outside their scope (e.g. a document assigned to
-- another department).
CREATE TABLE grants (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      bigint REFERENCES users (id) ON DELETE CASCADE,
    unit_id      bigint REFERENCES units (id),
    object_type  text NOT NULL,
    object_id    bigint NOT NULL,
    permission   text NOT NULL CHECK (permission IN ('view', 'edit')),
    granted_by   bigint REFERENCES users (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz,
    CHECK ((user_id IS NULL) <> (unit_id IS NULL))
);
CREATE UNIQUE INDEX grants_user_object ON grants (user_id, object_type, object_id, permission) WHERE user_id IS NOT NULL;
CREATE UNIQUE INDEX grants_unit_object ON grants (unit_id, object_type, object_id, permission) WHERE unit_id IS NOT NULL;
CREATE INDEX grants_object ON grants (object_type, object_id);

-- Organisational changes: merge, split, dissolve, rename, reclassify, move,
-- create. Each keeps its legal basis; merges and splits keep their report.
CREATE TABLE unit_events (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind            text NOT NULL CHECK (kind IN ('create', 'merge', 'split', 'dissolve', 'rename', 'reclassify', 'move')),
    unit_id         bigint REFERENCES units (id),   -- the unit a rename/reclassify/move/dissolve/create is about
    effective_date  date NOT NULL,
    legal_basis     text NOT NULL DEFAULT '',
    old_value       text NOT NULL DEFAULT '',
    new_value       text NOT NULL DEFAULT '',
    report          jsonb,
    created_by      bigint REFERENCES users (id),
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX unit_events_unit ON unit_events (unit_id);

-- Who came before whom: one row per predecessor→successor link of an event.
CREATE TABLE unit_succession (
    event_id        bigint NOT NULL REFERENCES unit_events (id),
    predecessor_id  bigint NOT NULL REFERENCES units (id),
    successor_id    bigint NOT NULL REFERENCES units (id),
    PRIMARY KEY (event_id, predecessor_id, successor_id),
    CHECK (predecessor_id <> successor_id)
);
CREATE INDEX unit_succession_pred ON unit_succession (predecessor_id);
CREATE INDEX unit_succession_succ ON unit_succession (successor_id);

-- Audit: append-only, hash-chained, partitioned by month. Each entry's hash
-- covers the previous entry's hash and its own fields, computed here in SQL
-- so that writing and verifying use one definition.
CREATE TABLE audit_log (
    id           bigint NOT NULL,
    at           timestamptz NOT NULL DEFAULT now(),
    actor_id     bigint,
    actor_login  text NOT NULL DEFAULT '',
    action       text NOT NULL,
    outcome      text NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
    object_type  text NOT NULL DEFAULT '',
    object_id    text NOT NULL DEFAULT '',
    unit_id      bigint,
    ip           text NOT NULL DEFAULT '',
    user_agent   text NOT NULL DEFAULT '',
    request_id   text NOT NULL DEFAULT '',
    details      jsonb NOT NULL DEFAULT '{}',
    prev_hash    bytea NOT NULL,
    hash         bytea NOT NULL,
    PRIMARY KEY (id, at)
) PARTITION BY RANGE (at);
CREATE TABLE audit_log_default PARTITION OF audit_log DEFAULT;
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor ON audit_log (actor_id, at);
CREATE INDEX audit_log_object ON audit_log (object_type, object_id);

CREATE SEQUENCE audit_log_id_seq;

-- The chain head: one row, locked by every append, so entries form a single
-- sequence with no forks even with many replicas.
CREATE TABLE audit_head (
    singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    last_id    bigint NOT NULL,
    last_hash  bytea NOT NULL
);
INSERT INTO audit_head (last_id, last_hash) VALUES (0, '\x'::bytea);

CREATE FUNCTION audit_digest(prev_hash bytea, id bigint, at timestamptz, actor_id bigint, actor_login text,
    action text, outcome text, object_type text, object_id text, unit_id bigint, ip text, user_agent text,
    request_id text, details jsonb) RETURNS bytea
LANGUAGE sql IMMUTABLE PARALLEL SAFE
-- A JSON array keeps field boundaries unambiguous: no value can shift
-- bytes into its neighbour without changing the hash.
RETURN sha256(prev_hash || convert_to(jsonb_build_array(
    id, (extract(epoch FROM at) * 1000000)::bigint, actor_id, actor_login, action, outcome, object_type,
    object_id, unit_id, ip, user_agent, request_id, details)::text, 'UTF8'));

CREATE FUNCTION audit_append(p_actor_id bigint, p_actor_login text, p_action text, p_outcome text,
    p_object_type text, p_object_id text, p_unit_id bigint, p_ip text, p_user_agent text,
    p_request_id text, p_details jsonb) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    head audit_head%ROWTYPE;
    new_id bigint;
    new_at timestamptz := clock_timestamp();
    new_hash bytea;
BEGIN
    SELECT * INTO head FROM audit_head FOR UPDATE;
    new_id := nextval('audit_log_id_seq');
    new_hash := audit_digest(head.last_hash, new_id, new_at, p_actor_id, p_actor_login, p_action, p_outcome,
                             p_object_type, p_object_id, p_unit_id, p_ip, p_user_agent, p_request_id, p_details);
    INSERT INTO audit_log (id, at, actor_id, actor_login, action, outcome, object_type, object_id, unit_id,
                           ip, user_agent, request_id, details, prev_hash, hash)
    VALUES (new_id, new_at, p_actor_id, p_actor_login, p_action, p_outcome, p_object_type, p_object_id,
            p_unit_id, p_ip, p_user_agent, p_request_id, p_details, head.last_hash, new_hash);
    UPDATE audit_head SET last_id = new_id, last_hash = new_hash;
    RETURN new_id;
END $$;

-- Only partition maintenance (which moves rows out of the default
-- partition) may delete, and it says so with a transaction-local setting.
CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('vanthu.audit_maintenance', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();

-- audit_ensure_partition creates the month's partition (bounds at midnight
-- UTC) holding day d. Rows that fell into the default partition because
-- maintenance had not run are moved into it, so creation never gets stuck.
CREATE FUNCTION audit_ensure_partition(d date) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    start_day date := date_trunc('month', d)::date;
    lo timestamptz := start_day::timestamp AT TIME ZONE 'UTC';
    hi timestamptz := (start_day + interval '1 month')::timestamp AT TIME ZONE 'UTC';
    name text := 'audit_log_' || to_char(start_day, 'YYYY_MM');
BEGIN
    IF to_regclass(name) IS NOT NULL THEN
        RETURN;
    END IF;
    EXECUTE format('CREATE TABLE %I (LIKE audit_log INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', name);
    PERFORM set_config('vanthu.audit_maintenance', 'on', true);
    EXECUTE format('WITH moved AS (DELETE FROM audit_log_default WHERE at >= %L AND at < %L RETURNING *)
                    INSERT INTO %I SELECT * FROM moved', lo, hi, name);
    PERFORM set_config('vanthu.audit_maintenance', 'off', true);
    EXECUTE format('ALTER TABLE audit_log ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', name, lo, hi);
END $$;

SELECT audit_ensure_partition((date_trunc('month', now()) + make_interval(months => m))::date)
FROM generate_series(-1, 2) AS m;
