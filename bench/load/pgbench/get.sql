-- Captured from the server with log_statement = all by `load capture` (bench/README.md).
-- Variables: the run's tenant, type, stage property and key (-D); :num a random preloaded
-- object; :r a random number that makes new ids unique; timestamps are now().
\set n random(1, :nobj)
\set num :idbase + :n
\set r random(1, 9000000000000000000)
SELECT "o"."tenant_id", "o"."id", "o"."object_type_id", "o"."properties", "o"."version", "o"."created_by", "o"."updated_by", "o"."created_at", "o"."updated_at", "o"."deleted_at" FROM "objects" AS "o" WHERE (tenant_id = ':tenant' AND object_type_id = ':type' AND id = 'obj_00000000:num');
