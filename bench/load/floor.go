package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The floors are pgbench scripts of the statements the server sends for
// one request of each scenario, captured by `load capture` into
// --scripts (scripts/bench-load.sh keeps the last run's in
// bench/load/pgbench/).

func floorCommand(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("floor", flag.ContinueOnError)
	statePath := fs.String("state", "state.json", "state file")
	dbURL := fs.String("db", "", "benchmark database URL")
	name := fs.String("scenario", "get", "get, create, update, search or batch")
	clients := fs.Int("clients", 2, "pgbench clients")
	duration := fs.Duration("duration", 10*time.Second, "measured time")
	label := fs.String("label", "durable", "label of the measurement")
	work := fs.String("work", os.TempDir(), "directory for pgbench's transaction logs")
	scripts := fs.String("scripts", "bench/load/pgbench", "directory of the captured <scenario>.sql scripts")
	if err := fs.Parse(args); err != nil {
		return err
	}
	st, err := loadState(*statePath)
	if err != nil {
		return err
	}
	sc, ok := scenarios[*name]
	if !ok {
		return fmt.Errorf("unknown scenario %q", *name)
	}
	res, err := runPgbench(ctx, st, sc, filepath.Join(*scripts, sc.name+".sql"), *dbURL, *clients, *duration, *work)
	if err != nil {
		return err
	}
	res.Label = *label
	fmt.Fprintf(os.Stderr, "  floor  %-6s c=%-2d %8.0f tps    p50 %.2f  p90 %.2f  p99 %.2f ms\n",
		res.Scenario, res.Clients, res.PerSec, res.P50Ms, res.P90Ms, res.P99Ms)
	return json.NewEncoder(os.Stdout).Encode(res)
}

// runPgbench runs the scenario's script for the duration: simple query
// protocol (bun sends every value inlined in the statement text, so
// Postgres parses and plans each statement as it does for the server),
// one connection per client, transaction latencies logged.
func runPgbench(ctx context.Context, st *State, sc scenario, scriptPath, dbURL string, clients int, d time.Duration, work string) (Result, error) {
	dir, err := os.MkdirTemp(work, "pgbench-"+sc.name+"-")
	if err != nil {
		return Result{}, err
	}
	defer os.RemoveAll(dir)
	secs := max(1, int(d.Seconds()))
	args := []string{"-n", "-M", "simple", "-c", strconv.Itoa(clients), "-j", strconv.Itoa(min(clients, 2)),
		"-T", strconv.Itoa(secs), "-f", scriptPath, "-l", "--log-prefix", filepath.Join(dir, "tx")}
	for k, v := range pgbenchVars(st) {
		args = append(args, "-D", k+"="+v)
	}
	cmd := exec.CommandContext(ctx, "pgbench", append(args, dbURL)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return Result{}, fmt.Errorf("pgbench %s: %w\n%s", sc.name, err, out)
	}
	tps, failed, err := parsePgbench(string(out))
	if err != nil {
		return Result{}, err
	}
	lat, err := readTxLogs(dir)
	if err != nil {
		return Result{}, err
	}
	return Result{Kind: "floor", Scenario: sc.name, Clients: clients, Objects: st.Objects, Seconds: float64(secs),
		Requests: len(lat), PerSec: tps, RecordsPerSec: tps * float64(sc.records),
		P50Ms: percentileMs(lat, 0.50), P90Ms: percentileMs(lat, 0.90), P99Ms: percentileMs(lat, 0.99),
		Errors: failed}, nil
}

// pgbenchVars are the -D variables of every script.
func pgbenchVars(st *State) map[string]string {
	return map[string]string{
		"tenant": st.TenantID, "type": st.TypeID, "stage_prop": st.Props["stage"], "key": st.KeyID,
		"nobj": strconv.Itoa(st.Objects), "idbase": strconv.Itoa(preloadIDBase),
	}
}

var (
	tpsLine    = regexp.MustCompile(`(?m)^tps = ([0-9.]+) \(without initial connection time\)`)
	failedLine = regexp.MustCompile(`(?m)^number of failed transactions: ([0-9]+)`)
)

func parsePgbench(out string) (tps float64, failed int, err error) {
	m := tpsLine.FindStringSubmatch(out)
	if m == nil {
		return 0, 0, fmt.Errorf("no tps in pgbench output:\n%s", out)
	}
	tps, err = strconv.ParseFloat(m[1], 64)
	if f := failedLine.FindStringSubmatch(out); f != nil {
		failed, _ = strconv.Atoi(f[1])
	}
	if failed > 0 {
		return tps, failed, fmt.Errorf("pgbench: %d failed transactions:\n%s", failed, out)
	}
	return tps, failed, err
}

// readTxLogs reads pgbench's per-transaction logs (one file per thread:
// "client tx latency_us script epoch epoch_us") into sorted latencies.
func readTxLogs(dir string) ([]time.Duration, error) {
	files, err := filepath.Glob(filepath.Join(dir, "tx.*"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, errors.New("pgbench wrote no transaction log")
	}
	var lat []time.Duration
	for _, f := range files {
		if err := readTxLog(f, &lat); err != nil {
			return nil, err
		}
	}
	slices.Sort(lat)
	return lat, nil
}

func readTxLog(path string, lat *[]time.Duration) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 3 {
			continue
		}
		us, err := strconv.ParseInt(fields[2], 10, 64)
		if err != nil {
			return fmt.Errorf("%s: %q", path, sc.Text())
		}
		*lat = append(*lat, time.Duration(us)*time.Microsecond)
	}
	return sc.Err()
}
