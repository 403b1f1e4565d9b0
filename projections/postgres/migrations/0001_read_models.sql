-- 0001: the first read models: people, organization, activation keys,
-- history and the checkpoint. Tables carry no foreign keys on purpose: rows
-- arrive from a log the writer already validated, they are rewritten in
-- one transaction per batch in no particular table order, and a license
-- department querying them needs indexes, not constraints.

-- checkpoint is the last log position applied to every table below, with
-- the hash of that event (so a projector refuses a different log) and its
-- time (the read models' "as of"). It moves in the same transaction as the
-- rows: that is what makes the projection exactly once.
CREATE TABLE checkpoint (
    name     text PRIMARY KEY,
    position bigint NOT NULL,
    hash     text NOT NULL,
    time     timestamptz
);
INSERT INTO checkpoint (name, position, hash) VALUES ('read-models', 0, '');

-- persons: every registered person; vendor marks the license department;
-- ssa_mail is false when the person opted out of SSA expiry mails.
CREATE TABLE persons (
    id       bigint PRIMARY KEY,
    email    text NOT NULL,
    name     text NOT NULL,
    vendor   boolean NOT NULL,
    ssa_mail boolean NOT NULL
);
CREATE INDEX persons_email ON persons (lower(email));

-- tokens: each person's bearer tokens as listed to them (id, label and
-- the SHA-256 of the secret).
CREATE TABLE tokens (
    person   bigint NOT NULL,
    token_id text NOT NULL,
    label    text NOT NULL,
    hash     text NOT NULL,
    PRIMARY KEY (person, token_id)
);

-- auth_tokens: the token hashes that authenticate now, and whom.
CREATE TABLE auth_tokens (
    hash   text PRIMARY KEY,
    person bigint NOT NULL
);
CREATE INDEX auth_tokens_person ON auth_tokens (person);

-- companies: customer_id is the vendor's 5-digit customer number ('' while
-- not linked).
CREATE TABLE companies (
    id          bigint PRIMARY KEY,
    name        text NOT NULL,
    customer_id text NOT NULL
);

-- members: a person's right in a company ("right" is a reserved word in
-- SQL, hence the column name).
CREATE TABLE members (
    company       bigint NOT NULL,
    person        bigint NOT NULL,
    member_right  text NOT NULL,
    buy_on_credit boolean NOT NULL,
    PRIMARY KEY (company, person)
);
CREATE INDEX members_person ON members (person);

-- projects with their properties (cc_mails: a JSON array) and SSA state. Dates are ISO text
-- (YYYY-MM-DD, '' for none), exactly as the ledger holds them; they compare
-- correctly as text.
CREATE TABLE projects (
    id                  bigint PRIMARY KEY,
    company             bigint NOT NULL,
    name                text NOT NULL,
    description         text NOT NULL,
    update_url          text NOT NULL,
    trusted_certificate text NOT NULL,
    trust_value         text NOT NULL,
    devices_app_guid    text NOT NULL,
    cc_mails            jsonb NOT NULL,
    auto_ssa            boolean NOT NULL,
    ssa_end             text NOT NULL
);
CREATE INDEX projects_company ON projects (company);

-- project_grants: the other companies given rights on a project (an
-- external project for them).
CREATE TABLE project_grants (
    project bigint NOT NULL,
    company bigint NOT NULL,
    PRIMARY KEY (project, company)
);
CREATE INDEX project_grants_company ON project_grants (company);

-- contracts: myApps Cloud Service and software rental contracts.
CREATE TABLE contracts (
    id           bigint PRIMARY KEY,
    company      bigint NOT NULL,
    kind         text NOT NULL,
    state        text NOT NULL,
    concluded_by bigint NOT NULL
);
CREATE INDEX contracts_company ON contracts (company);

-- balances: the non-zero count per project, license type and version
-- (version 0: types without versions). A row disappears when it reaches 0.
CREATE TABLE balances (
    project  bigint NOT NULL,
    type     text NOT NULL,
    version  integer NOT NULL,
    quantity bigint NOT NULL,
    PRIMARY KEY (project, type, version)
);

-- keys: activation keys, vendor-issued (from_project NULL) and own;
-- redeemed_into is NULL while the key is open.
CREATE TABLE keys (
    code            text PRIMARY KEY,
    from_project    bigint,
    order_number    text NOT NULL,
    order_reference text NOT NULL,
    comment         text NOT NULL,
    redeemed_into   bigint,
    deleted         boolean NOT NULL
);
CREATE INDEX keys_from_project ON keys (from_project);
CREATE INDEX keys_redeemed_into ON keys (redeemed_into);

-- key_lines: a key's current contents.
CREATE TABLE key_lines (
    code     text NOT NULL,
    type     text NOT NULL,
    version  integer NOT NULL,
    quantity bigint NOT NULL,
    PRIMARY KEY (code, type, version)
);

-- history: every event with its envelope, for per-entity history views
-- (tags: company:7, project:12, person:3, key:ABCDE, device:...) and for
-- auditors; summary is a one-line rendering of the payload.
CREATE TABLE history (
    position      bigint PRIMARY KEY,
    time          timestamptz NOT NULL,
    type          text NOT NULL,
    actor_person  text NOT NULL,
    actor_company text NOT NULL,
    actor_vendor  boolean NOT NULL,
    channel       text NOT NULL,
    command       text NOT NULL,
    tags          text[] NOT NULL,
    summary       text NOT NULL,
    data          jsonb NOT NULL
);
CREATE INDEX history_tags ON history USING gin (tags);
CREATE INDEX history_time ON history (time);
