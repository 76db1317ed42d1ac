-- 012: crawl batches (written by scrapyd jobs, merged by `cijobs load`). A batch's id is recorded in the same
-- transaction as its adverts and its crawl run, so a batch loaded twice adds nothing; a batch that could not be
-- loaded is recorded with the reason (and shown by `cijobs status`).
CREATE TABLE loaded_batches (
    batch_id     VARCHAR PRIMARY KEY,
    name         VARCHAR NOT NULL,         -- its folder's name: <finished UTC>-<source>-<batch id>
    source       VARCHAR NOT NULL,
    run_id       INTEGER,                  -- the crawl_runs row it became
    crawled_at   TIMESTAMP,                -- when its crawl finished
    loaded_at    TIMESTAMP NOT NULL,
    adverts      INTEGER,
    pages        INTEGER,
    bytes        BIGINT,                   -- the batch's size on disk (compressed)
    load_seconds DOUBLE
);
CREATE TABLE rejected_batches (
    name         VARCHAR NOT NULL,
    rejected_at  TIMESTAMP NOT NULL,
    reason       VARCHAR NOT NULL
);
