-- 0006: software service (SSA) records: per project whether automatic SSA
-- was requested and its SSA expiry mail settings, SSC to invoice under
-- automatic SSA, and the SSA expiry reminder outbox.

ALTER TABLE projects
    ADD COLUMN auto_ssa_requested boolean NOT NULL DEFAULT false,
    ADD COLUMN ssa_mail jsonb NOT NULL DEFAULT '{}';

-- ssc_invoices: SSC used without a balance debit (automatic SSA), in log
-- order (n counts from 1); date is the day number of domain.Day.
CREATE TABLE ssc_invoices (
    n       bigint PRIMARY KEY,
    project bigint NOT NULL,
    company bigint NOT NULL,
    cause   text NOT NULL,
    date    integer NOT NULL,
    ssc     bigint NOT NULL,
    exact   text NOT NULL
);
CREATE INDEX ssc_invoices_company ON ssc_invoices (company);

-- ssa_reminders: every SSA expiry reminder decided, sent or not; data is
-- the reminder as the API shows it (domain.Reminder as JSON), day its due
-- day number.
CREATE TABLE ssa_reminders (
    key     text PRIMARY KEY,
    project bigint NOT NULL,
    company bigint NOT NULL,
    day     integer NOT NULL,
    sent    boolean NOT NULL,
    data    jsonb NOT NULL
);
CREATE INDEX ssa_reminders_pending ON ssa_reminders (day, key) WHERE NOT sent;
