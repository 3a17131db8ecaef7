-- Foundation: extensions and helpers every capability relies on.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS btree_gin;

-- unaccent() is STABLE because its dictionary could change; ours does not,
-- so this wrapper is declared IMMUTABLE to be usable in indexes. It also folds
-- đ/Đ, which unaccent leaves alone, and lower-cases, so a query typed without
-- diacritics matches the stored Vietnamese text.
CREATE FUNCTION vn_fold(input text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
RETURN lower(translate(public.unaccent('public.unaccent'::regdictionary, input), 'đĐ', 'dD'));

CREATE TEXT SEARCH CONFIGURATION vn_simple (COPY = simple);
ALTER TEXT SEARCH CONFIGURATION vn_simple
  ALTER MAPPING FOR hword, hword_part, word WITH public.unaccent, simple;
