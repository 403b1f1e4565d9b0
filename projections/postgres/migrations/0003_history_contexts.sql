-- 0003: history contexts, for the portal's history tab. Each event belongs
-- to the contexts ("company:7", "person:3", "device:00-90-33-...") it
-- touched as the state was when it happened: its company, person and
-- device tags, the acting person, the companies owning the projects it
-- touched and the companies holding the devices it touched. A project moved
-- to another company so leaves its earlier rows with the old company; a
-- company join copies the absorbed company's rows into the joining one.
CREATE TABLE history_contexts (
    context  text NOT NULL,
    position bigint NOT NULL,
    PRIMARY KEY (context, position)
);
