-- 006: which competencies each advert needs, rebuilt from current_matches at every publish,
-- so the dashboard's demand queries group a small table instead of re-joining every match.
CREATE TABLE advert_needs (
    advert_id      INTEGER NOT NULL,
    competency_id  VARCHAR NOT NULL,
    subdomain_id   VARCHAR NOT NULL,
    domain_id      VARCHAR NOT NULL,
    has_essential  BOOLEAN NOT NULL,   -- at least one essential line matched it
    has_desirable  BOOLEAN NOT NULL,   -- at least one desirable line matched it
    has_other      BOOLEAN NOT NULL    -- at least one duty or responsibility line matched it
);
