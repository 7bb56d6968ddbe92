package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app"
	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/db/dbtest"
	"github.com/platformhq/platform/domain"
)

// These tests call run() as the binary would, configured through the
// environment. t.Setenv makes them sequential (no t.Parallel).

const testAdminKey = "main-test-admin-key"

// useTestEnv points the CLI at this package's test database and Redis.
func useTestEnv(t *testing.T) {
	t.Helper()
	dbtest.DB(t) // creates and migrates the package database
	t.Setenv("DATABASE_URL", dbtest.PackageDatabaseURL())
	t.Setenv("REDIS_URL", dbtest.RedisURL())
	t.Setenv("PLATFORM_SECRET", "main-test-secret")
	t.Setenv("PLATFORM_ADMIN_KEY", testAdminKey)
	t.Setenv("PLATFORM_ADDR", "")
	t.Setenv("PLATFORM_ENV", "")
}

// freshDatabase creates an empty database (not migrated) and points
// DATABASE_URL at it; it is dropped when the test ends.
func freshDatabase(t *testing.T) string {
	t.Helper()
	useTestEnv(t)
	ctx := context.Background()
	adminDB, err := db.Open(ctx, dbtest.URL(), db.Options{MaxOpenConns: 1})
	require.NoError(t, err)
	name := fmt.Sprintf("maintest_%d", time.Now().UnixNano())
	_, err = adminDB.ExecContext(ctx, "CREATE DATABASE "+name)
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = adminDB.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		_ = adminDB.Close()
	})
	u, err := url.Parse(dbtest.URL())
	require.NoError(t, err)
	u.Path = "/" + name
	t.Setenv("DATABASE_URL", u.String())
	return u.String()
}

// syncBuffer is a bytes.Buffer safe for a writer goroutine and a reader.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// runCLI runs the command and returns its stdout, stderr and error.
func runCLI(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr syncBuffer
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := run(ctx, args, &stdout, &stderr)
	return stdout.String(), stderr.String(), err
}

var credentialsJSON = regexp.MustCompile(`^\{"tenant_id":"(tn_[0-9a-z]{26})","api_key":"(sk_[0-9A-Za-z]{40,44})"\}\n$`)

func TestMainHelp(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}, {}} {
		out, _, err := runCLI(t, args...)
		require.NoError(t, err, "%v", args)
		for _, v := range []string{"DATABASE_URL", "REDIS_URL", "PLATFORM_ADDR", "PLATFORM_ADMIN_KEY", "PLATFORM_SECRET"} {
			require.Regexp(t, `(?m)^\s+`+v+`\s+\S`, out, "%v documents %s", args, v)
		}
		for _, cmd := range []string{"serve", "migrate", "tenant create", "key create", "demo", "--addr", "--json", "--name", "--tenant", "--scopes"} {
			require.Contains(t, out, cmd, "%v documents %s", args, cmd)
		}
	}

	out, _, err := runCLI(t, "version")
	require.NoError(t, err)
	require.Equal(t, app.Version+"\n", out)

	_, _, err = runCLI(t, "frobnicate")
	require.ErrorContains(t, err, "frobnicate")
	_, _, err = runCLI(t, "tenant")
	require.Error(t, err)
	_, _, err = runCLI(t, "key", "delete")
	require.Error(t, err)
	_, _, err = runCLI(t, "serve", "--no-such-flag")
	require.Error(t, err)
}

func TestMainMigrate(t *testing.T) {
	freshDatabase(t)
	out, _, err := runCLI(t, "migrate")
	require.NoError(t, err)
	require.Contains(t, out, "applied 0001_foundation")
	require.NotContains(t, out, "up to date")

	out, _, err = runCLI(t, "migrate")
	require.NoError(t, err)
	require.Equal(t, "database is up to date\n", out, "a second migrate applies nothing")

	// The migrated database serves the CLI.
	out, _, err = runCLI(t, "tenant", "create", "--name", "After migrate", "--json")
	require.NoError(t, err)
	require.Regexp(t, credentialsJSON, out)
}

func TestMainMigrateConcurrently(t *testing.T) {
	freshDatabase(t)
	const n = 3
	outs := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var stdout, stderr syncBuffer
			errs[i] = run(context.Background(), []string{"migrate"}, &stdout, &stderr)
			outs[i] = stdout.String()
		}()
	}
	wg.Wait()
	applied := 0
	for i := range n {
		require.NoError(t, errs[i], "migrate #%d: %s", i, outs[i])
		if strings.Contains(outs[i], "applied 0001_foundation") {
			applied++
		} else {
			require.Equal(t, "database is up to date\n", outs[i])
		}
	}
	require.Equal(t, 1, applied, "exactly one migrator applies each migration")

	out, _, err := runCLI(t, "migrate")
	require.NoError(t, err)
	require.Equal(t, "database is up to date\n", out)
}

func TestMainMigrateUnreachableDatabase(t *testing.T) {
	useTestEnv(t)
	t.Setenv("DATABASE_URL", "postgres://platform@127.0.0.1:1/platform?sslmode=disable&connect_timeout=2")
	start := time.Now()
	_, _, err := runCLI(t, "migrate")
	require.Error(t, err)
	require.Less(t, time.Since(start), 30*time.Second)
}

func TestMainTenantCreate(t *testing.T) {
	useTestEnv(t)
	out, _, err := runCLI(t, "tenant", "create", "--name", "CLI tenant", "--json")
	require.NoError(t, err)
	m := credentialsJSON.FindStringSubmatch(out)
	require.NotNil(t, m, "exactly {\"tenant_id\":\"tn_...\",\"api_key\":\"sk_...\"}: %q", out)
	require.True(t, domain.ValidID(domain.PrefixTenant, m[1]))

	// The tenant exists with that name, and its key has scope *.
	a := openApp(t)
	row, err := db.TenantGetByID(context.Background(), a.Core.DB, m[1])
	require.NoError(t, err)
	require.Equal(t, "CLI tenant", row.Name)
	require.Equal(t, "free", row.Plan)
	p, err := a.Keys.Authenticate(context.Background(), m[2], "127.0.0.1")
	require.NoError(t, err)
	require.Equal(t, m[1], p.TenantID)
	require.Equal(t, []string{"*"}, p.Scopes)

	// Plain output names both too.
	out, _, err = runCLI(t, "tenant", "create", "--name", "CLI tenant 2", "--plan", "pro")
	require.NoError(t, err)
	require.Regexp(t, `tenant_id:\s+tn_[0-9a-z]{26}`, out)
	require.Regexp(t, `api_key:\s+sk_[0-9A-Za-z]+`, out)

	// Errors.
	for _, args := range [][]string{
		{"tenant", "create", "--json"},                           // no name
		{"tenant", "create", "--name", "   "},                    // blank name
		{"tenant", "create", "--name", "X", "--plan", "gold"},    // unknown plan
		{"tenant", "create", "--name", "X", "--bogus-flag"},      // unknown flag
		{"tenant", "delete", "--name", "X"},                      // unknown action
		{"tenant", "create", "--name", strings.Repeat("n", 201)}, // too long
	} {
		out, _, err := runCLI(t, args...)
		require.Error(t, err, "%v", args)
		require.NotContains(t, out, "sk_", "%v prints no key", args)
	}
}

func TestMainKeyCreate(t *testing.T) {
	useTestEnv(t)
	out, _, err := runCLI(t, "tenant", "create", "--name", "Key owner", "--json")
	require.NoError(t, err)
	m := credentialsJSON.FindStringSubmatch(out)
	require.NotNil(t, m, out)
	tenantID := m[1]

	out, _, err = runCLI(t, "key", "create", "--tenant", tenantID, "--scopes", "read,write", "--label", "ci", "--json")
	require.NoError(t, err)
	var k struct {
		TenantID string   `json:"tenant_id"`
		KeyID    string   `json:"key_id"`
		APIKey   string   `json:"api_key"`
		Scopes   []string `json:"scopes"`
	}
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&k), out)
	require.Equal(t, tenantID, k.TenantID)
	require.True(t, domain.ValidID(domain.PrefixKey, k.KeyID), k.KeyID)
	require.Regexp(t, `^sk_[0-9A-Za-z]{40,44}$`, k.APIKey)
	require.Equal(t, []string{"read", "write"}, k.Scopes)

	a := openApp(t)
	p, err := a.Keys.Authenticate(context.Background(), k.APIKey, "127.0.0.1")
	require.NoError(t, err)
	require.Equal(t, tenantID, p.TenantID)
	require.Equal(t, k.KeyID, p.KeyID)
	require.Equal(t, []string{"read", "write"}, p.Scopes)

	// Spaces and a publishable key.
	out, _, err = runCLI(t, "key", "create", "--tenant", tenantID, "--scopes", " ai , files ", "--json")
	require.NoError(t, err)
	require.Contains(t, out, `"scopes":["ai","files"]`)
	out, _, err = runCLI(t, "key", "create", "--tenant", tenantID, "--json")
	require.NoError(t, err)
	require.Contains(t, out, `"scopes":[]`)
	// Plain output.
	out, _, err = runCLI(t, "key", "create", "--tenant", tenantID, "--scopes", "*")
	require.NoError(t, err)
	require.Regexp(t, `(?m)^key_id:\s+key_`, out)
	require.Regexp(t, `(?m)^api_key:\s+sk_`, out)
	require.Regexp(t, `(?m)^scopes:\s+\*$`, out)

	// Errors: unknown tenant (well formed or not), no tenant, bad scopes.
	for _, args := range [][]string{
		{"key", "create", "--tenant", domain.NewID(domain.PrefixTenant), "--scopes", "read", "--json"},
		{"key", "create", "--tenant", "tn_nope", "--scopes", "read"},
		{"key", "create", "--scopes", "read"},
		{"key", "create", "--tenant", tenantID, "--scopes", "read,root"},
	} {
		out, _, err := runCLI(t, args...)
		require.Error(t, err, "%v", args)
		require.NotContains(t, out, "sk_", "%v prints no key", args)
	}
	_, _, err = runCLI(t, "key", "create", "--tenant", domain.NewID(domain.PrefixTenant))
	require.ErrorContains(t, err, "not found")
}

func TestMainDemo(t *testing.T) {
	useTestEnv(t)
	out1, _, err := runCLI(t, "demo", "--json")
	require.NoError(t, err)
	m1 := credentialsJSON.FindStringSubmatch(out1)
	require.NotNil(t, m1, out1)
	out2, _, err := runCLI(t, "demo", "--json")
	require.NoError(t, err)
	m2 := credentialsJSON.FindStringSubmatch(out2)
	require.NotNil(t, m2, out2)
	require.Equal(t, m1[1], m2[1], "demo reuses its tenant")
	require.NotEqual(t, m1[2], m2[2], "each run issues a fresh key (secrets are stored hashed)")

	a := openApp(t)
	for _, key := range []string{m1[2], m2[2]} {
		p, err := a.Keys.Authenticate(context.Background(), key, "127.0.0.1")
		require.NoError(t, err)
		require.Equal(t, m1[1], p.TenantID)
		require.Equal(t, []string{"*"}, p.Scopes)
	}
}

// openApp opens the platform on the current environment (for assertions).
func openApp(t *testing.T) *app.App {
	t.Helper()
	cfg, err := app.ConfigFromEnv()
	require.NoError(t, err)
	cfg.Log = slog.New(slog.DiscardHandler)
	a, err := app.New(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(a.Close)
	return a
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

func TestMainServe(t *testing.T) {
	useTestEnv(t)
	// A key made by the CLI works on the server (same PLATFORM_SECRET).
	out, _, err := runCLI(t, "tenant", "create", "--name", "Served", "--json")
	require.NoError(t, err)
	cli := credentialsJSON.FindStringSubmatch(out)
	require.NotNil(t, cli, out)

	addr := freeAddr(t)
	base := "http://" + addr
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve", "--addr", addr, "--demo"}, &stdout, &stderr) }()

	client := &http.Client{Timeout: 10 * time.Second}
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case err := <-done:
			t.Fatalf("serve exited early: %v\nstdout: %s\nstderr: %s", err, stdout.String(), stderr.String())
		default:
		}
		res, err := client.Get(base + "/health")
		if err == nil {
			_ = res.Body.Close()
			if res.StatusCode == http.StatusOK {
				break
			}
		}
		require.True(t, time.Now().Before(deadline), "serve never became healthy; stderr: %s", stderr.String())
		time.Sleep(50 * time.Millisecond)
	}

	// serve --demo prints the URLs and the demo key.
	printed := stdout.String()
	require.Contains(t, printed, base+"/docs")
	require.Contains(t, printed, base+"/graphql")
	demoKey := regexp.MustCompile(`Demo API key:\s+(sk_[0-9A-Za-z]+)`).FindStringSubmatch(printed)
	require.NotNil(t, demoKey, printed)
	demoTenant := regexp.MustCompile(`Demo tenant:\s+(tn_[0-9a-z]{26})`).FindStringSubmatch(printed)
	require.NotNil(t, demoTenant, printed)

	get := func(path string, header map[string]string) (int, []byte) {
		req, err := http.NewRequest("GET", base+path, nil)
		require.NoError(t, err)
		for k, v := range header {
			req.Header.Set(k, v)
		}
		res, err := client.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		return res.StatusCode, body
	}

	// curl -H "X-API-Key: <demo key>" .../v1/keys lists the demo key.
	status, body := get("/v1/keys", map[string]string{"X-API-Key": demoKey[1]})
	require.Equal(t, http.StatusOK, status, string(body))
	var list struct {
		Success bool `json:"success"`
		Data    []struct {
			ID     string   `json:"id"`
			Prefix string   `json:"prefix"`
			Scopes []string `json:"scopes"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal(body, &list))
	require.True(t, list.Success)
	require.NotEmpty(t, list.Data)
	found := false
	for _, k := range list.Data {
		if strings.HasPrefix(demoKey[1], k.Prefix) {
			found = true
			require.Equal(t, []string{"*"}, k.Scopes)
		}
	}
	require.True(t, found, "the demo key is listed: %s", body)
	require.NotContains(t, string(body), demoKey[1])

	status, body = get("/v1/keys", map[string]string{"Authorization": "Bearer " + cli[2]})
	require.Equal(t, http.StatusOK, status, "a CLI-made key works: %s", body)
	status, body = get("/v1/admin/tenants/"+demoTenant[1], map[string]string{"Authorization": "Bearer " + testAdminKey})
	require.Equal(t, http.StatusOK, status, "PLATFORM_ADMIN_KEY guards the admin API: %s", body)
	status, _ = get("/v1/admin/tenants", map[string]string{"Authorization": "Bearer wrong"})
	require.Equal(t, http.StatusUnauthorized, status)
	status, body = get("/ready", nil)
	require.Equal(t, http.StatusOK, status, string(body))
	status, _ = get("/docs", nil)
	require.Equal(t, http.StatusOK, status)
	status, _ = get("/", nil)
	require.Equal(t, http.StatusOK, status)

	// Structured JSON logs with request id, route, status and duration.
	require.Eventually(t, func() bool { return strings.Contains(stderr.String(), `"route":"/v1/keys"`) }, 5*time.Second, 20*time.Millisecond)
	var sawRequest bool
	for _, line := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
		var entry map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &entry), "log lines are JSON when stderr is not a terminal: %q", line)
		if entry["msg"] == "request" && entry["route"] == "/v1/keys" {
			sawRequest = true
			require.Regexp(t, `^req_`, entry["request_id"])
			require.Contains(t, entry, "status")
			require.Contains(t, entry, "duration_ms")
		}
		require.NotContains(t, line, demoKey[1], "secrets never reach the logs")
	}
	require.True(t, sawRequest)

	// Graceful shutdown: a request in flight when the context ends is
	// completed, then run returns nil.
	pr, pw := io.Pipe()
	payload := []byte(`{"label":"in flight","scopes":["read"]}`)
	req, err := http.NewRequest("POST", base+"/v1/keys", pr)
	require.NoError(t, err)
	req.ContentLength = int64(len(payload))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-API-Key", demoKey[1])
	type result struct {
		status int
		body   []byte
		err    error
	}
	inflight := make(chan result, 1)
	go func() {
		res, err := client.Do(req)
		if err != nil {
			inflight <- result{err: err}
			return
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		inflight <- result{status: res.StatusCode, body: b}
	}()
	_, err = pw.Write(payload[:10])
	require.NoError(t, err)
	time.Sleep(300 * time.Millisecond) // the server is reading the body
	cancel()
	time.Sleep(300 * time.Millisecond) // shutdown has begun
	_, err = pw.Write(payload[10:])
	require.NoError(t, err)
	require.NoError(t, pw.Close())
	select {
	case r := <-inflight:
		require.NoError(t, r.err)
		require.Equal(t, http.StatusCreated, r.status, "the in-flight request is drained: %s", r.body)
	case <-time.After(30 * time.Second):
		t.Fatal("the in-flight request never completed")
	}

	select {
	case err := <-done:
		require.NoError(t, err, "graceful shutdown returns nil; stderr: %s", stderr.String())
	case <-time.After(45 * time.Second):
		t.Fatal("serve did not stop after its context was cancelled")
	}
	require.Contains(t, stderr.String(), "shutting down")
	// Nothing listens any more.
	_, err = net.DialTimeout("tcp", addr, time.Second)
	require.Error(t, err)
}

func TestMainServePortInUse(t *testing.T) {
	useTestEnv(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var stdout, stderr syncBuffer
	err = run(ctx, []string{"serve", "--addr", ln.Addr().String()}, &stdout, &stderr)
	require.Error(t, err, "a busy port is an error, not a hang")
}

func TestMainProductionRequiresSecret(t *testing.T) {
	useTestEnv(t)
	t.Setenv("PLATFORM_ENV", "production")
	t.Setenv("PLATFORM_SECRET", "")
	_, _, err := runCLI(t, "migrate")
	require.ErrorContains(t, err, "PLATFORM_SECRET")
}

// TestMainSubcommandHelp checks that a subcommand's --help prints its flags
// to the writers run was given and is not a failure, and that a bad flag's
// usage goes there too (not to the process's os.Stderr).
func TestMainSubcommandHelp(t *testing.T) {
	useTestEnv(t)
	for _, tc := range []struct {
		args []string
		flag string
	}{
		{[]string{"serve", "--help"}, "-addr"},
		{[]string{"tenant", "create", "--help"}, "-name"},
		{[]string{"key", "create", "--help"}, "-tenant"},
		{[]string{"demo", "--help"}, "-json"},
	} {
		out, errOut, err := runCLI(t, tc.args...)
		require.NoError(t, err, "%v: asking for help is not an error", tc.args)
		require.Contains(t, out+errOut, tc.flag, "%v documents %s", tc.args, tc.flag)
	}
	_, errOut, err := runCLI(t, "tenant", "create", "--bogus-flag")
	require.ErrorContains(t, err, "bogus-flag")
	require.Contains(t, errOut, "-name", "usage is written to the given stderr")
}
