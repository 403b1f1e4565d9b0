-- 0008: indexes set aside during a bulk catch-up (a rebuild, or a projector
-- starting far behind the log): Postgres builds an index once from the
-- finished table much faster than it maintains it row by row. Each row
-- says how to create one index of a table again; the projector drops the
-- index and inserts its row in one transaction, and creates it and deletes
-- the row in another, at the end of the catch-up or, after a crash, at its
-- next start.
CREATE TABLE deferred_indexes (
    name       text PRIMARY KEY,
    tbl        text NOT NULL,
    definition text NOT NULL
);
