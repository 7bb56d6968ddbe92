-- Captured from the server with log_statement = all by `load capture` (bench/README.md).
-- Variables: the run's tenant, type, stage property and key (-D); :num a random preloaded
-- object; :r a random number that makes new ids unique; timestamps are now().
\set r random(1, 9000000000000000000)
SELECT "o"."tenant_id", "o"."id", "o"."object_type_id", "o"."properties", "o"."version", "o"."created_by", "o"."updated_by", "o"."created_at", "o"."updated_at", "o"."deleted_at" FROM "objects" AS "o" WHERE (o.tenant_id = ':tenant' AND o.object_type_id = ':type') AND (o.deleted_at IS NULL) AND ((((EXISTS (SELECT 1 FROM object_index AS fi WHERE fi.tenant_id = o.tenant_id AND fi.property_id = ':stage_prop' AND fi.object_id = o.id AND fi.v_text = CAST('won' AS text)))))) ORDER BY "o"."created_at" DESC, o.id DESC LIMIT 21;
SELECT count(*) FROM (SELECT 1 FROM "objects" AS "o" WHERE (o.tenant_id = ':tenant' AND o.object_type_id = ':type' AND o.deleted_at IS NULL) AND ((((EXISTS (SELECT 1 FROM object_index AS fi WHERE fi.tenant_id = o.tenant_id AND fi.property_id = ':stage_prop' AND fi.object_id = o.id AND fi.v_text = CAST('won' AS text)))))) LIMIT 10001) AS capped;
