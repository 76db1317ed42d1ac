-- 011: demand facts, rebuilt at every publish (warehouse/demand_facts.py), so that a dashboard filter reads
-- one row an advert instead of joining every match: each published advert with the columns the filters and
-- pages read (role family and region worked out once, not per query) and bit masks of the competencies,
-- subdomains and domains it needs, per level of the lines that matched.

-- Which bit of a mask stands for which competency, subdomain or domain of the current framework.
CREATE TABLE demand_bits (
    kind  VARCHAR NOT NULL,   -- competency | subdomain | domain
    id         VARCHAR NOT NULL,
    domain_id  VARCHAR NOT NULL,  -- the domain it belongs to (a domain: itself)
    bit        INTEGER NOT NULL,  -- competencies: word bit // 64 (1-based in the list), bit bit % 64
    PRIMARY KEY (kind, id)
);

CREATE TABLE demand_facts (
    advert_id             INTEGER NOT NULL,
    source                VARCHAR NOT NULL,
    reference             VARCHAR NOT NULL,
    url                   VARCHAR NOT NULL,
    title                 VARCHAR NOT NULL,
    employer              VARCHAR,
    town                  VARCHAR,
    region                VARCHAR,
    band                  VARCHAR,
    role_family           VARCHAR,
    salary_min            DOUBLE,
    salary_max            DOUBLE,
    salary_period         VARCHAR,
    date_posted           DATE,
    closing_date          DATE,
    last_seen             TIMESTAMP NOT NULL,
    status                VARCHAR NOT NULL,
    closed_at             DATE,
    is_informatics        BOOLEAN NOT NULL,
    duplicate_of          INTEGER,
    -- needed through any line / an essential line / a desirable line
    competency_any        UBIGINT[] NOT NULL,
    competency_essential  UBIGINT[] NOT NULL,
    competency_desirable  UBIGINT[] NOT NULL,
    subdomain_any         UBIGINT NOT NULL,
    subdomain_essential   UBIGINT NOT NULL,
    subdomain_desirable   UBIGINT NOT NULL,
    domain_any            UBIGINT NOT NULL,
    domain_essential      UBIGINT NOT NULL,
    domain_desirable      UBIGINT NOT NULL
);

-- The best-scored line behind each need, per level, for the example lines of the competency page.
ALTER TABLE advert_needs ADD COLUMN example_any INTEGER;
ALTER TABLE advert_needs ADD COLUMN example_any_score DOUBLE;
ALTER TABLE advert_needs ADD COLUMN example_essential INTEGER;
ALTER TABLE advert_needs ADD COLUMN example_essential_score DOUBLE;
ALTER TABLE advert_needs ADD COLUMN example_desirable INTEGER;
ALTER TABLE advert_needs ADD COLUMN example_desirable_score DOUBLE;

-- The best-scored lines of each competency per level (the first EXAMPLE_CANDIDATES), so that the example
-- line under a filter is usually found among a few rows instead of every advert's needs.
CREATE TABLE example_candidates (
    competency_id   VARCHAR NOT NULL,
    level           VARCHAR NOT NULL,   -- any | essential | desirable
    rank            INTEGER NOT NULL,   -- 1 = best (score, then the earliest line)
    requirement_id  INTEGER NOT NULL,
    advert_id       INTEGER NOT NULL
);
