-- 0004: the email index of the external interface (interface.php) and the
-- free pools of returned licenses.

-- person_emails: the normalized email (trimmed, lower case) each person is
-- found by.
CREATE TABLE person_emails (
    email_key text PRIMARY KEY,
    person    bigint NOT NULL
);
CREATE INDEX person_emails_person ON person_emails (person);

-- free_pool: licenses returned from devices into a project's free pool,
-- in the pool's order (n counts from 1), with their bind date, SSA end and
-- external key kept.
CREATE TABLE free_pool (
    project      bigint NOT NULL,
    n            integer NOT NULL,
    id           bigint NOT NULL,
    type         text NOT NULL,
    version      integer NOT NULL,
    quantity     bigint NOT NULL,
    bind_date    text NOT NULL,
    ssa_end      text NOT NULL,
    external_key text NOT NULL,
    origin       text NOT NULL,
    PRIMARY KEY (project, n)
);
