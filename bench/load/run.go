package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"sync"
	"time"
)

// Result is one measurement (server or floor), one JSON line of the
// results file.
type Result struct {
	Kind     string  `json:"kind"` // "server" or "floor"
	Scenario string  `json:"scenario"`
	Label    string  `json:"label"` // durable, sync-off, 1000000-objects
	Clients  int     `json:"clients"`
	Objects  int     `json:"objects"`
	Seconds  float64 `json:"seconds"`
	Requests int     `json:"requests"`
	PerSec   float64 `json:"per_sec"`
	// RecordsPerSec counts objects (100 per batch request).
	RecordsPerSec float64 `json:"records_per_sec"`
	P50Ms         float64 `json:"p50_ms"`
	P90Ms         float64 `json:"p90_ms"`
	P99Ms         float64 `json:"p99_ms"`
	Errors        int     `json:"errors"`
	FirstError    string  `json:"first_error,omitempty"`
}

// checkEvery: answers whose body is checked (the first of each client and
// one in checkEvery after it), so decoding stays off the measured path.
const checkEvery = 64

func runCommand(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	statePath := fs.String("state", "state.json", "state file")
	name := fs.String("scenario", "get", "get, create, update, search or batch")
	clients := fs.Int("clients", 2, "concurrent clients (closed loop)")
	duration := fs.Duration("duration", 10*time.Second, "measured time")
	warmup := fs.Duration("warmup", 2*time.Second, "unmeasured time first")
	label := fs.String("label", "durable", "label of the measurement")
	pprofURL := fs.String("pprof", "", "server pprof base URL: take a CPU profile of the measured time")
	profileOut := fs.String("profile-out", "cpu.pprof", "where the CPU profile goes")
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
	l := &loadRun{st: st, sc: sc, clients: *clients, warmup: *warmup, duration: *duration,
		http: newHTTPClient(*clients)}
	var profile sync.WaitGroup
	if *pprofURL != "" {
		profile.Go(func() {
			if err := takeProfile(ctx, *pprofURL, *warmup, *duration, *profileOut); err != nil {
				fmt.Fprintln(os.Stderr, "load: profile:", err)
			}
		})
	}
	res := l.run(ctx)
	profile.Wait()
	res.Label = *label
	if err := json.NewEncoder(os.Stdout).Encode(res); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "  server %-6s c=%-2d %8.0f req/s  p50 %.2f  p90 %.2f  p99 %.2f ms  errors %d\n",
		res.Scenario, res.Clients, res.PerSec, res.P50Ms, res.P90Ms, res.P99Ms, res.Errors)
	if res.Errors > 0 {
		return fmt.Errorf("%s: %d failed requests, first: %s", res.Scenario, res.Errors, res.FirstError)
	}
	return nil
}

// takeProfile records the server's CPU during the measured window.
func takeProfile(ctx context.Context, base string, warmup, duration time.Duration, out string) error {
	select {
	case <-time.After(warmup):
	case <-ctx.Done():
		return ctx.Err()
	}
	secs := max(1, int(duration.Seconds()))
	url := fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", base, secs)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", url, res.Status)
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, res.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// loadRun is a closed loop: each client sends its next request when the
// previous answer has been read.
type loadRun struct {
	st               *State
	sc               scenario
	clients          int
	warmup, duration time.Duration
	http             *http.Client
	mu               sync.Mutex
	samples          []time.Duration
	errors           int
	firstError       string
}

func (l *loadRun) run(ctx context.Context) Result {
	start := time.Now()
	measureFrom := start.Add(l.warmup)
	until := measureFrom.Add(l.duration)
	var wg sync.WaitGroup
	for i := range l.clients {
		wg.Go(func() { l.client(ctx, i, measureFrom, until) })
	}
	wg.Wait()
	slices.Sort(l.samples)
	n := len(l.samples)
	secs := l.duration.Seconds()
	return Result{Kind: "server", Scenario: l.sc.name, Clients: l.clients, Objects: l.st.Objects, Seconds: secs,
		Requests: n, PerSec: float64(n) / secs, RecordsPerSec: float64(n*l.sc.records) / secs,
		P50Ms: percentileMs(l.samples, 0.50), P90Ms: percentileMs(l.samples, 0.90), P99Ms: percentileMs(l.samples, 0.99),
		Errors: l.errors, FirstError: l.firstError}
}

// client loops until the window ends; only requests that start and end
// inside the measured window count.
func (l *loadRun) client(ctx context.Context, id int, measureFrom, until time.Time) {
	rng := rand.New(rand.NewPCG(uint64(id)+1, uint64(time.Now().UnixNano())))
	samples := make([]time.Duration, 0, 1<<16)
	failures, first := 0, ""
	for seq := 0; ctx.Err() == nil; seq++ {
		t0 := time.Now()
		if !t0.Before(until) {
			break
		}
		err := l.one(ctx, rng, seq*l.clients+id, seq%checkEvery == 0)
		t1 := time.Now()
		if err != nil {
			if failures++; first == "" {
				first = err.Error()
			}
			continue
		}
		if !t0.Before(measureFrom) && !t1.After(until) {
			samples = append(samples, t1.Sub(t0))
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.samples = append(l.samples, samples...)
	l.errors += failures
	if l.firstError == "" {
		l.firstError = first
	}
}

func (l *loadRun) one(ctx context.Context, rng *rand.Rand, seq int, check bool) error {
	method, path, body := l.sc.request(l.st, rng, seq)
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, l.st.URL+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+l.st.Key)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := l.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, truncate(string(out), 300))
	}
	if check && l.sc.check != nil {
		if err := l.sc.check(out); err != nil {
			return errors.Join(fmt.Errorf("%s %s", method, path), err)
		}
	}
	return nil
}

// percentileMs is the nearest-rank percentile of sorted samples.
func percentileMs(sorted []time.Duration, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.5) - 1
	i = min(max(i, 0), len(sorted)-1)
	return float64(sorted[i].Microseconds()) / 1000
}
