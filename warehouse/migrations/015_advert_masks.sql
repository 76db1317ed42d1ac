-- 015: each advert's need masks (as demand_facts carries them), kept per advert so that publishing recomputes
-- only the stale adverts' masks (2.1 s of regrouping every need at 400,000 adverts) and joins them to the
-- adverts' current columns.
CREATE TABLE advert_masks (
    advert_id             INTEGER NOT NULL,
    competency_any        UBIGINT[] NOT NULL,
    subdomain_any         UBIGINT NOT NULL,
    domain_any            UBIGINT NOT NULL,
    competency_essential  UBIGINT[] NOT NULL,
    subdomain_essential   UBIGINT NOT NULL,
    domain_essential      UBIGINT NOT NULL,
    competency_desirable  UBIGINT[] NOT NULL,
    subdomain_desirable   UBIGINT NOT NULL,
    domain_desirable      UBIGINT NOT NULL
);
