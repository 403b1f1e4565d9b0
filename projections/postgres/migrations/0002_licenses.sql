-- 0002: the license lifecycle: devices, where each sits, their license
-- lines, the vendor registry's orders and purchases on credit.

-- devices: every device the ledger knows (registered from an order or
-- created in a virtual range by its owner); rma: '', requested, received;
-- warranty_end includes the warranty extensions bound; test_until is the
-- end of the device's test license ('' none); return_locked: an
-- unencrypted download keeps its licenses from being returned.
CREATE TABLE devices (
    mac           text PRIMARY KEY,
    type          text NOT NULL,
    order_number  text NOT NULL,
    delivered     text NOT NULL,
    owner         bigint NOT NULL,
    rma           text NOT NULL,
    warranty_end  text NOT NULL,
    test_until    text NOT NULL,
    return_locked boolean NOT NULL
);

-- device_placements: a device in one company's project, with that
-- company's name and comment for it (a device may sit in several
-- companies).
CREATE TABLE device_placements (
    mac     text NOT NULL,
    company bigint NOT NULL,
    project bigint NOT NULL,
    name    text NOT NULL,
    comment text NOT NULL,
    PRIMARY KEY (mac, company)
);
CREATE INDEX device_placements_company ON device_placements (company, project);

-- license_lines: the licenses bound to a device.
CREATE TABLE license_lines (
    mac          text NOT NULL,
    id           bigint NOT NULL,
    type         text NOT NULL,
    version      integer NOT NULL,
    quantity     bigint NOT NULL,
    bind_date    text NOT NULL,
    ssa_end      text NOT NULL,
    external_key text NOT NULL,
    origin       text NOT NULL,
    PRIMARY KEY (mac, id)
);
CREATE INDEX license_lines_type ON license_lines (type, version);

-- order_devices: the devices the vendor registry holds per order number.
CREATE TABLE order_devices (
    order_number text NOT NULL,
    mac          text NOT NULL,
    PRIMARY KEY (order_number, mac)
);

-- credit_purchases: bindings bought on credit, for invoicing, in log
-- order (n counts from 1).
CREATE TABLE credit_purchases (
    n            bigint PRIMARY KEY,
    company      bigint NOT NULL,
    project      bigint NOT NULL,
    person       bigint NOT NULL,
    mac          text NOT NULL,
    lines        jsonb NOT NULL,
    order_number text NOT NULL,
    date         text NOT NULL
);
CREATE INDEX credit_purchases_company ON credit_purchases (company);

-- device_invalidations: license returns (invalidations) of a device, in
-- order (n counts from 1), with the confirmation number and the ids of
-- the license lines returned (a JSON array).
CREATE TABLE device_invalidations (
    mac          text NOT NULL,
    n            integer NOT NULL,
    confirmation text NOT NULL,
    date         text NOT NULL,
    project      bigint NOT NULL,
    lines        jsonb NOT NULL,
    PRIMARY KEY (mac, n)
);
