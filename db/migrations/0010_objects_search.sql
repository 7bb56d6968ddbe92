-- Search over objects (issue 4, step 3): full text over the string values
-- of each document, and a safe timestamp cast for filters on datetime
-- values stored in the JSONB document.

-- Every string value of the document (nested ones too), as simple-config
-- lexemes: no stemming and no stop words, so names, codes and e-mail
-- parts all match. jsonb_to_tsvector with an explicit configuration is
-- immutable. A tsvector holds at most 1 MB, which a 1 MB document of
-- distinct words exceeds: rather than failing the object's write, such a
-- document is indexed by the words of its first 200,000 characters.
CREATE FUNCTION platform_search_vector(doc jsonb) RETURNS tsvector
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    RETURN jsonb_to_tsvector('simple'::regconfig, doc, '["string"]'::jsonb);
EXCEPTION WHEN program_limit_exceeded THEN
    RETURN to_tsvector('simple'::regconfig, left(doc::text, 200000));
END;
$$;
ALTER TABLE objects ADD COLUMN search tsvector
    GENERATED ALWAYS AS (platform_search_vector(properties)) STORED;
CREATE INDEX objects_search ON objects USING gin (search);

-- platform_try_timestamptz casts text to timestamptz, or answers NULL for
-- text that is not one: a filter on a datetime property must not fail
-- (500) on an object whose value predates the property's definition.
CREATE FUNCTION platform_try_timestamptz(v text) RETURNS timestamptz
    LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN v::timestamptz;
EXCEPTION WHEN others THEN
    RETURN NULL;
END;
$$;

-- Typed reads of a JSONB value for the filter compiler (db/objects_filter.go):
-- the value as numeric, text, boolean, timestamptz or array when its JSON
-- type fits, else NULL, so a comparison never fails on mixed data. (SQL
-- functions, inlined by the planner; each takes the value once, so the
-- compiler passes a property name as one argument.)
CREATE FUNCTION platform_jsonb_num(v jsonb) RETURNS numeric
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
    $$ SELECT CASE WHEN jsonb_typeof(v) = 'number' THEN v::numeric END $$;
CREATE FUNCTION platform_jsonb_text(v jsonb) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
    $$ SELECT CASE WHEN jsonb_typeof(v) = 'string' THEN v #>> '{}' END $$;
CREATE FUNCTION platform_jsonb_bool(v jsonb) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
    $$ SELECT CASE WHEN jsonb_typeof(v) = 'boolean' THEN v::boolean END $$;
CREATE FUNCTION platform_jsonb_time(v jsonb) RETURNS timestamptz
    LANGUAGE sql STABLE PARALLEL SAFE AS
    $$ SELECT CASE WHEN jsonb_typeof(v) = 'string' THEN platform_try_timestamptz(v #>> '{}') END $$;
CREATE FUNCTION platform_jsonb_array(v jsonb) RETURNS jsonb
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
    $$ SELECT CASE WHEN jsonb_typeof(v) = 'array' THEN v END $$;
