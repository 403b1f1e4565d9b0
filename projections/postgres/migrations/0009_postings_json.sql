-- 0009: history.postings as json instead of jsonb. The legs are written
-- once per event and read only through the postings view, by reports;
-- jsonb parses and converts every leg on insert, which was about a fifth
-- of Postgres's work on catch-up, while json only checks the text. The
-- view unnests the same rows as before.
DROP VIEW postings;
ALTER TABLE history ALTER COLUMN postings DROP DEFAULT;
ALTER TABLE history ALTER COLUMN postings TYPE json USING postings::json;
ALTER TABLE history ALTER COLUMN postings SET DEFAULT '[]';

CREATE VIEW postings AS
SELECT h.position,
       p.n::integer AS n,
       p.leg->>'account' AS account,
       p.leg->'item'->>'type' AS type,
       coalesce((p.leg->'item'->>'version')::integer, 0) AS version,
       (p.leg->>'amount')::bigint AS amount
FROM history h CROSS JOIN LATERAL json_array_elements(h.postings) WITH ORDINALITY AS p(leg, n);
