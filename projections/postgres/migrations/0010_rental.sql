-- 0010: the Devices App: instances, domains (each linked to one project),
-- the devices registered in them, which domain's rental licenses a device
-- holds, and the rental project a device sits in beside its own project.
-- Passwords are stored as the domain stores them: RFC 7616 digests (HA1,
-- MD5 and SHA-256), never the password. JSON columns hold what the
-- domain state holds, to stay comparable.

CREATE TABLE devices_instances (
    id       bigint PRIMARY KEY,
    company  bigint NOT NULL,
    name     text NOT NULL,
    password jsonb NOT NULL
);
CREATE INDEX devices_instances_company ON devices_instances (company);

-- devices_domains: settings are domain.DomainSettings, prices the iSC per
-- unit and month of each rented line (by line id), account the rental
-- account (prepaid part, charged through, lapse, totals), mailed the day of
-- the last expiry mail per recipient.
CREATE TABLE devices_domains (
    name     text PRIMARY KEY,
    instance bigint NOT NULL,
    company  bigint NOT NULL,
    project  bigint NOT NULL,
    password jsonb NOT NULL,
    settings jsonb NOT NULL,
    contact  bigint NOT NULL,
    prices   jsonb NOT NULL,
    account  jsonb NOT NULL,
    mailed   jsonb NOT NULL
);
CREATE INDEX devices_domains_company ON devices_domains (company);

CREATE TABLE domain_devices (
    domain text NOT NULL,
    mac    text NOT NULL,
    type   text NOT NULL,
    PRIMARY KEY (domain, mac)
);

-- rented_by: the domain whose rental licenses a device holds.
CREATE TABLE rented_by (
    mac    text PRIMARY KEY,
    domain text NOT NULL
);

ALTER TABLE device_placements ADD COLUMN rental_project bigint NOT NULL DEFAULT 0;
COMMENT ON COLUMN device_placements.rental_project IS 'the rental project the device sits in beside project (0: none)';
