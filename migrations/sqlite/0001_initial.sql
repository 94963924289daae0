-- ai-modeler schema, SQLite dialect. Times are Unix milliseconds (INTEGER), ids
-- are UUID text, trees are JSON text. Keep in step with ../postgres/0001_initial.sql.

-- Instance-wide values generated on first start (the session signing secret).
CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

-- Plan limits (DESIGN §6); NULL means unlimited. Editable by the operator.
CREATE TABLE plan_configs (
    plan               TEXT PRIMARY KEY,
    max_projects       INTEGER,
    max_resolution     INTEGER NOT NULL,
    api_calls_per_hour INTEGER,
    text_to_3d_per_day INTEGER,
    max_collaborators  INTEGER NOT NULL,
    formats            TEXT NOT NULL,          -- JSON array of format names, or ["*"]
    stripe_price_id    TEXT,
    updated_at         INTEGER NOT NULL
);
INSERT INTO plan_configs VALUES
    ('free',       5,    128,  100,   10,   0,  '["obj","stl"]', NULL, 0),
    ('pro',        100,  512,  10000, 500,  5,  '["*"]',         NULL, 0),
    ('enterprise', NULL, 1024, NULL,  NULL, 50, '["*"]',         NULL, 0);

-- Users and their profile. password_hash is NULL for users known only through
-- Supabase; supabase_sub links those.
CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    password_hash TEXT,
    display_name  TEXT,
    plan          TEXT NOT NULL REFERENCES plan_configs (plan),
    supabase_sub  TEXT UNIQUE,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);

-- Browser and script sessions; a token names its row, logout sets revoked_at.
CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    revoked_at   INTEGER,
    user_agent   TEXT,
    ip           TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Logged-out third-party tokens (Supabase), by SHA-256, until they expire anyway.
CREATE TABLE revoked_tokens (
    token_hash TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL
);

-- API keys: only the SHA-256 of the key is kept; prefix is what lists show.
CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    key_hash     TEXT NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER
);
CREATE INDEX api_keys_user ON api_keys (user_id);

-- The template gallery (builtin rows come from templates/*.json in the binary).
CREATE TABLE templates (
    slug        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    description TEXT NOT NULL,
    tags        TEXT NOT NULL,                 -- JSON array, for display
    tree        TEXT NOT NULL,
    compiled_id TEXT NOT NULL,
    node_count  INTEGER NOT NULL,
    source      TEXT NOT NULL DEFAULT 'builtin',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE TABLE template_tags (
    slug TEXT NOT NULL REFERENCES templates (slug) ON DELETE CASCADE,
    tag  TEXT NOT NULL,
    PRIMARY KEY (slug, tag)
);
CREATE INDEX template_tags_tag ON template_tags (tag);

-- Projects; deleted_at set = in the trash (purged after the retention period).
CREATE TABLE projects (
    id              TEXT PRIMARY KEY,
    owner_id        TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    current_version INTEGER NOT NULL,
    template_slug   TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    deleted_at      INTEGER
);
CREATE INDEX projects_owner ON projects (owner_id, deleted_at, updated_at);
CREATE INDEX projects_trash ON projects (deleted_at);

-- Version history: one row per save, never updated.
CREATE TABLE sdf_trees (
    project_id    TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    version       INTEGER NOT NULL,
    tree          TEXT NOT NULL,
    compiled_id   TEXT NOT NULL,
    node_count    INTEGER NOT NULL,
    message       TEXT,
    author_id     TEXT REFERENCES users (id) ON DELETE SET NULL,
    restored_from INTEGER,
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (project_id, version)
);

-- Exports made from a project's version (filled by the export routes later).
CREATE TABLE exports (
    id         TEXT PRIMARY KEY,
    project_id TEXT REFERENCES projects (id) ON DELETE CASCADE,
    version    INTEGER,
    user_id    TEXT REFERENCES users (id) ON DELETE CASCADE,
    format     TEXT NOT NULL,
    mesh_id    TEXT,
    bytes      INTEGER,
    created_at INTEGER NOT NULL
);

-- Metered usage per user, kind and hour (quotas and billing read it).
CREATE TABLE api_usage (
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    bucket_start INTEGER NOT NULL,
    count        INTEGER NOT NULL,
    PRIMARY KEY (user_id, kind, bucket_start)
);

-- Collaboration documents (empty until real-time collaboration lands).
CREATE TABLE collab_sessions (
    id         TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    user_id    TEXT REFERENCES users (id) ON DELETE SET NULL,
    state      BLOB,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
