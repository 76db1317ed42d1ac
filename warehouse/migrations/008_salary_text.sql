-- 008: the salary as the advert shows it ("£13.50 - £17.00 an hour", "Competitive", "Band 5"), kept beside
-- the numbers parsed from it, so planners can see what an amount came from and adverts without one.
ALTER TABLE adverts ADD COLUMN salary_text VARCHAR;
