-- 014: the adverts whose needs changed since demand facts were last built (their requirement lines were
-- replaced, or their lines matched again), so that publishing rebuilds those adverts' needs instead of
-- regrouping every match (11 s at 400,000 adverts). Filled by loading and matching, emptied by publishing.
CREATE TABLE stale_needs (advert_id INTEGER NOT NULL);
