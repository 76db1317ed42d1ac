-- 001: the first schema. Foreign keys are kept in code, not in DuckDB constraints,
-- because DuckDB cannot update rows that a foreign key references.

CREATE TABLE sources (
    source       VARCHAR PRIMARY KEY,
    name         VARCHAR NOT NULL,
    base_url     VARCHAR,
    attribution  VARCHAR
);

CREATE SEQUENCE crawl_run_ids START 1;
CREATE TABLE crawl_runs (
    run_id             INTEGER PRIMARY KEY DEFAULT nextval('crawl_run_ids'),
    source             VARCHAR NOT NULL,
    started_at         TIMESTAMP NOT NULL,
    finished_at        TIMESTAMP,
    status             VARCHAR NOT NULL,          -- running | succeeded | failed
    requests           INTEGER DEFAULT 0,
    responses_ok       INTEGER DEFAULT 0,
    responses_error    INTEGER DEFAULT 0,
    adverts_seen       INTEGER DEFAULT 0,
    adverts_new        INTEGER DEFAULT 0,
    adverts_updated    INTEGER DEFAULT 0,
    adverts_unchanged  INTEGER DEFAULT 0,
    adverts_closed     INTEGER DEFAULT 0,
    parse_errors       INTEGER DEFAULT 0,
    message            VARCHAR
);

-- Every advert page as fetched (contact block removed, emails and phones redacted),
-- zlib-compressed, so that a better parser can re-run without re-crawling.
CREATE TABLE raw_pages (
    url           VARCHAR NOT NULL,
    content_hash  VARCHAR NOT NULL,
    source        VARCHAR NOT NULL,
    reference     VARCHAR,
    fetched_at    TIMESTAMP NOT NULL,
    http_status   INTEGER NOT NULL,
    body          BLOB NOT NULL,
    parse_ok      BOOLEAN NOT NULL,
    parse_error   VARCHAR,
    run_id        INTEGER,
    PRIMARY KEY (url, content_hash)
);

CREATE SEQUENCE advert_ids START 1;
CREATE TABLE adverts (
    advert_id          INTEGER PRIMARY KEY DEFAULT nextval('advert_ids'),
    source             VARCHAR NOT NULL,
    reference          VARCHAR NOT NULL,
    url                VARCHAR NOT NULL,
    title              VARCHAR NOT NULL,
    employer           VARCHAR,
    town               VARCHAR,
    postcode           VARCHAR,
    band               VARCHAR,
    pay_scheme         VARCHAR,
    salary_min         DOUBLE,
    salary_max         DOUBLE,
    salary_period      VARCHAR,                  -- year | month | week | day | hour
    contract_type      VARCHAR,
    contract_duration  VARCHAR,
    working_pattern    VARCHAR,
    staff_group        VARCHAR,
    date_posted        DATE,
    closing_date       DATE,
    first_seen         TIMESTAMP NOT NULL,
    last_seen          TIMESTAMP NOT NULL,
    status             VARCHAR NOT NULL,          -- open | closed
    closed_at          DATE,
    is_informatics     BOOLEAN NOT NULL,
    informatics_score  DOUBLE NOT NULL,
    summary            VARCHAR,
    duties             VARCHAR,
    responsibilities   VARCHAR,
    about_organisation VARCHAR,                   -- stored, never matched
    content_hash       VARCHAR NOT NULL,
    UNIQUE (source, reference)
);

CREATE SEQUENCE requirement_ids START 1;
CREATE TABLE requirements (
    requirement_id  INTEGER PRIMARY KEY DEFAULT nextval('requirement_ids'),
    advert_id       INTEGER NOT NULL,
    position        INTEGER NOT NULL,
    section         VARCHAR NOT NULL,             -- person_specification | duties | responsibilities | summary
    category        VARCHAR,                      -- Qualifications, Experience, ...
    level           VARCHAR,                      -- essential | desirable | NULL for duties
    text            VARCHAR NOT NULL,
    UNIQUE (advert_id, position)
);

CREATE TABLE framework_versions (
    version     VARCHAR PRIMARY KEY,
    name        VARCHAR NOT NULL,
    source_file VARCHAR,
    loaded_at   TIMESTAMP NOT NULL,
    is_current  BOOLEAN NOT NULL
);

CREATE TABLE domains (
    framework_version VARCHAR NOT NULL,
    domain_id         VARCHAR NOT NULL,
    title             VARCHAR NOT NULL,
    title_confidence  VARCHAR,
    description       VARCHAR,
    PRIMARY KEY (framework_version, domain_id)
);

CREATE TABLE subdomains (
    framework_version VARCHAR NOT NULL,
    subdomain_id      VARCHAR NOT NULL,
    domain_id         VARCHAR NOT NULL,
    title             VARCHAR NOT NULL,
    title_confidence  VARCHAR,
    PRIMARY KEY (framework_version, subdomain_id)
);

CREATE TABLE competencies (
    framework_version VARCHAR NOT NULL,
    competency_id     VARCHAR NOT NULL,
    subdomain_id      VARCHAR NOT NULL,
    domain_id         VARCHAR NOT NULL,
    statement         VARCHAR NOT NULL,
    confidence        VARCHAR NOT NULL,           -- seen | inferred | official
    placement         VARCHAR,
    evidence          VARCHAR,
    keywords          VARCHAR[],
    PRIMARY KEY (framework_version, competency_id)
);

CREATE TABLE matches (
    requirement_id    INTEGER NOT NULL,
    competency_id     VARCHAR NOT NULL,
    framework_version VARCHAR NOT NULL,
    matcher_version   VARCHAR NOT NULL,
    score             DOUBLE NOT NULL,
    evidence          VARCHAR,
    PRIMARY KEY (requirement_id, competency_id, framework_version, matcher_version)
);

-- Which requirements a matcher has already looked at (including those it matched to nothing).
CREATE TABLE matched_requirements (
    requirement_id    INTEGER NOT NULL,
    framework_version VARCHAR NOT NULL,
    matcher_version   VARCHAR NOT NULL,
    matched_at        TIMESTAMP NOT NULL,
    PRIMARY KEY (requirement_id, framework_version, matcher_version)
);
