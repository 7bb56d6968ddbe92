package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// The floor runs the statements the server sends, captured rather than
// written by hand: with log_statement = all on the benchmark database
// (scripts/bench-load.sh sets it and restarts the server), capture sends
// one request of each scenario, reads what Postgres logged meanwhile and
// turns it into a pgbench script (pgbenchFromLog): the run's ids become
// pgbench variables, new ids random ones, timestamps now().

// captureOrder (the default): reads first, so that the writes' objects do
// not change what the reads see.
var captureOrder = []string{"get", "search", "create", "update", "batch"}

func captureCommand(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("capture", flag.ContinueOnError)
	statePath := fs.String("state", "state.json", "state file")
	logPath := fs.String("log", "", "the Postgres server log (log_statement = all)")
	out := fs.String("out", ".", "directory for the <scenario>.sql scripts and <scenario>.log excerpts")
	only := fs.String("scenarios", strings.Join(captureOrder, ","), "scenarios to capture, comma-separated")
	if err := fs.Parse(args); err != nil {
		return err
	}
	st, err := loadState(*statePath)
	if err != nil {
		return err
	}
	c := newHTTPClient(1)
	rng := rand.New(rand.NewPCG(1, 2))
	for _, name := range strings.Split(*only, ",") {
		sc, ok := scenarios[name]
		if !ok {
			return fmt.Errorf("unknown scenario %q", name)
		}
		// A first request warms the server's caches (the key's principal,
		// the type); of two more, the capture with fewer statements is
		// kept (the other may hold a background job's).
		if err := sendOnce(ctx, c, st, sc, rng); err != nil {
			return err
		}
		var logged string
		for range 2 {
			l, err := captureLog(*logPath, func() error { return sendOnce(ctx, c, st, sc, rng) })
			if err != nil {
				return err
			}
			if logged == "" || len(logStatements(l)) < len(logStatements(logged)) {
				logged = l
			}
		}
		if err := os.WriteFile(filepath.Join(*out, name+".log"), []byte(logged), 0o644); err != nil {
			return err
		}
		script, err := pgbenchFromLog(st, logged)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if err := os.WriteFile(filepath.Join(*out, name+".sql"), []byte(script), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "capture: %s, %d statements\n", name, strings.Count(script, ";\n")+strings.Count(script, `\gset`))
	}
	return nil
}

func sendOnce(ctx context.Context, c *http.Client, st *State, sc scenario, rng *rand.Rand) error {
	method, path, body := sc.request(st, rng, rng.IntN(1000))
	req, err := http.NewRequestWithContext(ctx, method, st.URL+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+st.Key)
	req.Header.Set("Content-Type", "application/json")
	res, err := c.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, truncate(string(b), 300))
	}
	return nil
}

// captureLog returns what the server log gained while fn ran, plus half a
// second for the statements after the answer (the outbox marked
// published).
func captureLog(path string, fn func() error) (string, error) {
	before, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if err := fn(); err != nil {
		return "", err
	}
	time.Sleep(500 * time.Millisecond)
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	if _, err := f.Seek(before.Size(), io.SeekStart); err != nil {
		return "", err
	}
	b, err := io.ReadAll(f)
	return string(b), err
}

var (
	// logEntry starts a log entry: "2026-11-24 20:18:03.263 UTC [3073] LOG:  ".
	logEntry = regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? \S+ \[\d+\] (\w+):  (.*)$`)
	// logStatement is the statement of a LOG entry, in either protocol.
	logStatement = regexp.MustCompile(`^(?:statement|execute [^:]*): (.*)$`)
	preloadedID  = regexp.MustCompile(`obj_00000000(1\d{17})`)
	ulidID       = regexp.MustCompile(`\b([a-z]+)_([0-9a-hjkmnp-tv-z]{26})\b`)
	sqlTimestamp = regexp.MustCompile(`'\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?\+00:00'`)
	versionSet   = regexp.MustCompile(`"version" = \d+`)
	versionValue = regexp.MustCompile(`('obj_00000000:num'), \d+, `)
)

// logStatements are the statements of a log excerpt, in order, without
// the background work of the process (River's queue, LISTEN/NOTIFY, pool
// pings) and without transactions that did nothing.
func logStatements(logged string) []string {
	var stmts []string
	inStatement := false
	for _, line := range strings.Split(logged, "\n") {
		if m := logEntry.FindStringSubmatch(line); m != nil {
			inStatement = false
			if s := logStatement.FindStringSubmatch(m[3]); m[2] == "LOG" && s != nil {
				stmts = append(stmts, s[1])
				inStatement = true
			}
			continue
		}
		if inStatement {
			stmts[len(stmts)-1] += "\n" + line
		}
	}
	var kept []string
	inTx := false
	for _, s := range stmts {
		s = strings.TrimSpace(s)
		if background(s) {
			continue
		}
		switch {
		case strings.EqualFold(s, "begin"):
			inTx = true
		case strings.EqualFold(s, "commit") || strings.EqualFold(s, "rollback"):
			// A background transaction that began before the excerpt, or
			// one that did nothing but background work.
			if !inTx {
				continue
			}
			inTx = false
			if strings.EqualFold(kept[len(kept)-1], "begin") {
				kept = kept[:len(kept)-1]
				continue
			}
		}
		kept = append(kept, s)
	}
	return kept
}

func background(s string) bool {
	for _, marker := range []string{"-- name:", "river_", "pg_notify", "-- ping"} {
		if strings.Contains(s, marker) {
			return true
		}
	}
	upper := strings.ToUpper(s)
	return strings.HasPrefix(upper, "LISTEN") || strings.HasPrefix(upper, "UNLISTEN") || s == ""
}

// pgbenchFromLog turns the captured statements into a pgbench script.
func pgbenchFromLog(st *State, logged string) (string, error) {
	stmts := logStatements(logged)
	if len(stmts) == 0 {
		return "", errors.New("no statements captured (is log_statement = all on the benchmark database?)")
	}
	fixed := strings.NewReplacer(st.TenantID, ":tenant", st.TypeID, ":type", st.Props["stage"], ":stage_prop", st.KeyID, ":key")
	newIDs := map[string]string{}
	var body strings.Builder
	usesPreloaded := false
	for _, s := range stmts {
		s = fixed.Replace(s)
		if preloadedID.MatchString(s) {
			usesPreloaded = true
			s = preloadedID.ReplaceAllString(s, "obj_00000000:num")
		}
		s = ulidID.ReplaceAllStringFunc(s, func(id string) string {
			if r, ok := newIDs[id]; ok {
				return r
			}
			r := fmt.Sprintf("%s_f:r-%d", id[:strings.IndexByte(id, '_')], len(newIDs))
			newIDs[id] = r
			return r
		})
		s = sqlTimestamp.ReplaceAllString(s, "now()")
		body.WriteString(pgbenchStatement(s))
	}
	var b strings.Builder
	b.WriteString("-- Captured from the server with log_statement = all by `load capture` (bench/README.md).\n")
	b.WriteString("-- Variables: the run's tenant, type, stage property and key (-D); :num a random preloaded\n")
	b.WriteString("-- object; :r a random number that makes new ids unique; timestamps are now().\n")
	if usesPreloaded {
		b.WriteString("\\set n random(1, :nobj)\n\\set num :idbase + :n\n")
	}
	b.WriteString("\\set r random(1, 9000000000000000000)\n")
	b.WriteString(body.String())
	return b.String(), nil
}

// pgbenchStatement ends one statement for pgbench, on one line. The row an
// update locks is read into cur_* variables so that the version it writes
// is the next one (object_versions is keyed by version).
func pgbenchStatement(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if strings.HasSuffix(s, "FOR UPDATE") && strings.Contains(s, ":num") {
		return s + " \\gset cur_\n"
	}
	if strings.HasPrefix(s, `INSERT INTO "object_versions"`) {
		s = versionValue.ReplaceAllString(s, "$1, :cur_version, ")
	}
	if strings.HasPrefix(s, `UPDATE "objects"`) {
		s = versionSet.ReplaceAllString(s, `"version" = :cur_version + 1`)
	}
	return s + ";\n"
}
