-- 013: each advert's re-post signature (employer, title and person specification), stored when its content is
-- loaded, so that linking re-posts compares the loaded batch's signatures instead of recomputing every
-- advert's from its requirement lines on every load (that cost the whole warehouse: 23.6 s to load 200
-- adverts into 400,000). NULL without an employer or a title, as such adverts are never linked.
ALTER TABLE adverts ADD COLUMN repost_signature VARCHAR;

UPDATE adverts SET repost_signature = signatures.signature
FROM (
    SELECT a.advert_id,
           md5(lower(trim(a.employer)) || chr(31) || lower(trim(a.title)) || chr(31) ||
               md5(coalesce(string_agg(r.text, chr(10) ORDER BY r.position)
                            FILTER (WHERE r.section = 'person_specification'), ''))) AS signature
    FROM adverts a LEFT JOIN requirements r USING (advert_id)
    GROUP BY a.advert_id, a.employer, a.title
) signatures
WHERE adverts.advert_id = signatures.advert_id;
