-- Captured from the server with log_statement = all by `load capture` (bench/README.md).
-- Variables: the run's tenant, type, stage property and key (-D); :num a random preloaded
-- object; :r a random number that makes new ids unique; timestamps are now().
\set n random(1, :nobj)
\set num :idbase + :n
\set r random(1, 9000000000000000000)
begin;
SELECT "object_type"."tenant_id", "object_type"."id", "object_type"."name", "object_type"."display_name", "object_type"."description", "object_type"."created_by", "object_type"."created_at", "object_type"."updated_at" FROM "object_types" AS "object_type" WHERE (tenant_id = ':tenant') AND ("name" = 'deals') FOR KEY SHARE;
SELECT "object_property"."tenant_id", "object_property"."id", "object_property"."object_type_id", "object_property"."name", "object_property"."data_type", "object_property"."is_indexed", "object_property"."is_sortable", "object_property"."is_unique", "object_property"."is_required", "object_property"."default_value", "object_property"."enum_values", "object_property"."description", "object_property"."position", "object_property"."created_at", "object_property"."updated_at" FROM "object_properties" AS "object_property" WHERE (tenant_id = ':tenant' AND object_type_id = ':type') ORDER BY position, id LIMIT 500;
SELECT "o"."tenant_id", "o"."id", "o"."object_type_id", "o"."properties", "o"."version", "o"."created_by", "o"."updated_by", "o"."created_at", "o"."updated_at", "o"."deleted_at" FROM "objects" AS "o" WHERE (tenant_id = ':tenant' AND object_type_id = ':type') AND (id IN ('obj_00000000:num')) AND (deleted_at IS NULL) ORDER BY id FOR UPDATE \gset cur_
INSERT INTO "object_versions" ("tenant_id", "object_id", "version", "properties", "updated_by", "updated_at") VALUES (':tenant', 'obj_00000000:num', :cur_version, '{"name":"Deal 5919","owner":"owner-19","stage":"lost","amount":5919.50}', ':key', now());
UPDATE "objects" AS "o" SET "properties" = '{"amount":95853.46,"name":"Deal 5919","owner":"owner-19","stage":"lost"}', "version" = :cur_version + 1, "updated_by" = ':key', "updated_at" = now() WHERE (tenant_id = ':tenant' AND id = 'obj_00000000:num') RETURNING properties;
DELETE FROM "object_unique" AS "object_unique" WHERE (tenant_id = ':tenant') AND (object_id IN ('obj_00000000:num')) AND (property_id IN (':stage_prop'));
DELETE FROM "object_index" AS "object_index" WHERE (tenant_id = ':tenant') AND (object_id IN ('obj_00000000:num')) AND (property_id IN (':stage_prop'));
INSERT INTO "object_index" ("tenant_id", "object_type_id", "property_id", "object_id", "v_text", "v_num", "v_time") VALUES (':tenant', ':type', ':stage_prop', 'obj_00000000:num', 'lost', DEFAULT, DEFAULT) RETURNING "v_num", "v_time";
INSERT INTO "audit_logs" ("tenant_id", "id", "actor_type", "actor_id", "action", "resource_type", "resource_id", "changes", "ip", "request_id", "created_at") VALUES (':tenant', 'aud_f:r-0', 'key', ':key', 'object.update', 'object', 'obj_00000000:num', '{"from_version":1,"properties":["amount","stage"],"version":2}', '127.0.0.1', 'req_f:r-1', now());
INSERT INTO "outbox_events" ("tenant_id", "id", "topic", "type", "payload", "created_at", "published_at") VALUES (':tenant', 'evt_f:r-2', 'objects', 'object.updated', '{"id":"obj_00000000:num","object_type_id":":type","tenant_id":":tenant","properties":{"name":"Deal 5919","owner":"owner-19","stage":"lost","amount":95853.46},"created_at":"2026-01-01T01:38:39Z","updated_at":"2026-11-24T21:49:25.902204Z","created_by":":key","updated_by":":key","version":2,"is_deleted":false}', now(), DEFAULT) RETURNING "published_at";
commit;
UPDATE outbox_events AS o SET published_at = now() FROM unnest('{":tenant"}'::text[], '{"evt_f:r-2"}'::text[]) AS v(tenant_id, id) WHERE o.tenant_id = v.tenant_id AND o.id = v.id;
