-- 016: the example candidates keep their line's score, so that publishing can merge a batch's best lines into
-- each competency's list (warehouse/demand_facts.py) instead of ranking every advert's best line again.
ALTER TABLE example_candidates ADD COLUMN score DOUBLE;
