-- 005: scheduled refreshes, and adverts that are open to internal applicants only.
CREATE SEQUENCE refresh_run_ids START 1;
CREATE TABLE refresh_runs (
    refresh_id   INTEGER PRIMARY KEY DEFAULT nextval('refresh_run_ids'),
    started_at   TIMESTAMP NOT NULL,
    finished_at  TIMESTAMP,
    status       VARCHAR NOT NULL,            -- running | succeeded | failed
    sources      VARCHAR,                     -- the sources crawled, comma-separated
    crawl_run_ids VARCHAR,                    -- their crawl_runs rows
    adverts_new  INTEGER DEFAULT 0,
    adverts_updated INTEGER DEFAULT 0,
    adverts_closed INTEGER DEFAULT 0,
    lines_matched INTEGER DEFAULT 0,
    published    BOOLEAN DEFAULT false,
    log_file     VARCHAR,
    message      VARCHAR
);

-- Internal-only adverts are kept for history but never published (views and exports leave them out).
ALTER TABLE adverts ADD COLUMN internal_only BOOLEAN DEFAULT false;
