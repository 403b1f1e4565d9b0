-- 0005: postings, the accounting view: every license movement as legs
-- between accounts (vendor, consumed, key:<code>, project:<id>,
-- device:<mac>, free:<project>) per license type, summing to zero per event
-- (domain.Postings). The legs are kept with their event, as a JSON array in
-- history, and shown as rows by the view postings: a separate table would
-- write three rows and an index entry per event on catch-up, the largest
-- share of it, for a view a license department reads in reports.
-- Reconciliation is a GROUP BY:
--   SELECT account, type, version, sum(amount) FROM postings GROUP BY 1, 2, 3;
ALTER TABLE history ADD COLUMN postings jsonb NOT NULL DEFAULT '[]';

CREATE VIEW postings AS
SELECT h.position,
       p.n::integer AS n,
       p.leg->>'account' AS account,
       p.leg->'item'->>'type' AS type,
       coalesce((p.leg->'item'->>'version')::integer, 0) AS version,
       (p.leg->>'amount')::bigint AS amount
FROM history h CROSS JOIN LATERAL jsonb_array_elements(h.postings) WITH ORDINALITY AS p(leg, n);
