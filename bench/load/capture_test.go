package main

import (
	"strings"
	"testing"

	"github.com/platformhq/platform/domain"
)

var captureTestState = &State{TenantID: "tn_01m87n8h618cgm58c25x2nyxqc", TypeID: "ot_01m87n8hbfbaxwqawa6kzvmvaa",
	KeyID: "key_01m87n8hce5jsp3wa9zd293kcg", Props: map[string]string{"stage": "prop_01m87n8hbqfkv6x13sdygd81qj"}}

// An update as Postgres logs it, with River's polling, a parameter
// DETAIL, the end of a transaction begun before the excerpt and an empty
// one after it.
const captureTestLog = `2026-11-24 20:52:03.090 UTC [21640] LOG:  statement: commit
2026-11-24 20:52:03.100 UTC [21640] LOG:  execute <unnamed>: -- name: JobGetAvailable :many
	WITH locked_jobs AS (SELECT id FROM river_job)
	SELECT 1
2026-11-24 20:52:03.100 UTC [21640] DETAIL:  parameters: $1 = NULL
2026-11-24 20:52:03.139 UTC [21636] LOG:  statement: begin
2026-11-24 20:52:03.140 UTC [21636] LOG:  execute <unnamed>: SELECT "o"."id", "o"."version" FROM "objects" AS "o" WHERE (tenant_id = 'tn_01m87n8h618cgm58c25x2nyxqc' AND object_type_id = 'ot_01m87n8hbfbaxwqawa6kzvmvaa') AND (id IN ('obj_00000000100000000000005919')) AND (deleted_at IS NULL) ORDER BY id FOR UPDATE
2026-11-24 20:52:03.140 UTC [21636] LOG:  statement: INSERT INTO "object_versions" ("tenant_id", "object_id", "version", "properties", "updated_by", "updated_at") VALUES ('tn_01m87n8h618cgm58c25x2nyxqc', 'obj_00000000100000000000005919', 1, '{"name":"Deal 5919"}', 'key_01m87n8hce5jsp3wa9zd293kcg', '2026-01-01 01:38:39+00:00')
2026-11-24 20:52:03.141 UTC [21636] LOG:  execute <unnamed>: UPDATE "objects" AS "o" SET "version" = 2, "updated_at" = '2026-11-24 20:52:03.140775+00:00' WHERE (tenant_id = 'tn_01m87n8h618cgm58c25x2nyxqc' AND id = 'obj_00000000100000000000005919') RETURNING properties
2026-11-24 20:52:03.142 UTC [21636] LOG:  statement: INSERT INTO "outbox_events" ("tenant_id", "id") VALUES ('tn_01m87n8h618cgm58c25x2nyxqc', 'evt_01m87n9zk0bqk7m9v4y0wq2bce')
2026-11-24 20:52:03.142 UTC [21636] LOG:  statement: commit
2026-11-24 20:52:03.150 UTC [21637] LOG:  statement: UPDATE outbox_events AS o SET published_at = '2026-11-24 20:52:03.15+00:00'
		FROM unnest('{"tn_01m87n8h618cgm58c25x2nyxqc"}'::text[], '{"evt_01m87n9zk0bqk7m9v4y0wq2bce"}'::text[]) AS v(tenant_id, id)
		WHERE o.tenant_id = v.tenant_id AND o.id = v.id
2026-11-24 20:52:03.160 UTC [21636] LOG:  statement: begin
2026-11-24 20:52:03.160 UTC [21636] LOG:  statement: commit
`

func TestCapturePgbenchFromLog(t *testing.T) {
	script, err := pgbenchFromLog(captureTestState, captureTestLog)
	if err != nil {
		t.Fatal(err)
	}
	var stmts []string
	for _, line := range strings.Split(script, "\n") {
		if line != "" && !strings.HasPrefix(line, "--") && !strings.HasPrefix(line, `\set`) {
			stmts = append(stmts, line)
		}
	}
	want := []string{
		"begin;",
		`SELECT "o"."id", "o"."version" FROM "objects" AS "o" WHERE (tenant_id = ':tenant' AND object_type_id = ':type') AND (id IN ('obj_00000000:num')) AND (deleted_at IS NULL) ORDER BY id FOR UPDATE \gset cur_`,
		`INSERT INTO "object_versions" ("tenant_id", "object_id", "version", "properties", "updated_by", "updated_at") VALUES (':tenant', 'obj_00000000:num', :cur_version, '{"name":"Deal 5919"}', ':key', now());`,
		`UPDATE "objects" AS "o" SET "version" = :cur_version + 1, "updated_at" = now() WHERE (tenant_id = ':tenant' AND id = 'obj_00000000:num') RETURNING properties;`,
		`INSERT INTO "outbox_events" ("tenant_id", "id") VALUES (':tenant', 'evt_f:r-0');`,
		"commit;",
		`UPDATE outbox_events AS o SET published_at = now() FROM unnest('{":tenant"}'::text[], '{"evt_f:r-0"}'::text[]) AS v(tenant_id, id) WHERE o.tenant_id = v.tenant_id AND o.id = v.id;`,
	}
	if strings.Join(stmts, "\n") != strings.Join(want, "\n") {
		t.Fatalf("script statements:\n%s\nwant:\n%s", strings.Join(stmts, "\n"), strings.Join(want, "\n"))
	}
	for _, set := range []string{`\set n random(1, :nobj)`, `\set num :idbase + :n`, `\set r random(`} {
		if !strings.Contains(script, set) {
			t.Errorf("script lacks %q:\n%s", set, script)
		}
	}
}

func TestCaptureNothingLogged(t *testing.T) {
	if _, err := pgbenchFromLog(captureTestState, "2026-11-24 20:52:03.160 UTC [1] LOG:  statement: LISTEN x\n"); err == nil {
		t.Fatal("a log without the request's statements must be an error")
	}
}

func TestPreloadIDIsAValidULID(t *testing.T) {
	for _, n := range []int{1, 1_000_000} {
		id := preloadID(n)
		if !domain.ValidID("obj_", id) || !strings.HasPrefix(id, "obj_00000000") {
			t.Errorf("preloadID(%d) = %q", n, id)
		}
	}
}
