package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// pocketBase are the orientation figures of the brief: PocketBase 0.39 on
// this machine, same shapes, authenticated, 16 clients, another day (its
// commits do not wait for the disk). Batch is records/s.
var pocketBase = map[string]float64{"get": 5300, "create": 3400, "update": 2900, "search": 1850, "batch": 8200}

const (
	beginMarker = "<!-- bench-load:begin (written by scripts/bench-load.sh) -->"
	endMarker   = "<!-- bench-load:end -->"
)

func reportCommand(_ context.Context, args []string) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	resultsPath := fs.String("results", "results.jsonl", "results of run and floor")
	work := fs.String("work", ".", "work directory (uptime files, pprof tops)")
	readme := fs.String("readme", "bench/README.md", `file whose marked section is replaced ("-": stdout)`)
	if err := fs.Parse(args); err != nil {
		return err
	}
	results, err := readResults(*resultsPath)
	if err != nil {
		return err
	}
	md := renderReport(results, *work)
	if *readme == "-" {
		_, err := os.Stdout.WriteString(md)
		return err
	}
	return replaceSection(*readme, md)
}

func readResults(path string) ([]Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Result
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var r Result
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, r)
	}
	return out, sc.Err()
}

// pair is a server measurement and the floor measured right after it.
type pair struct{ server, floor *Result }

func pairs(results []Result) []pair {
	var out []pair
	for i := range results {
		r := &results[i]
		if r.Kind != "server" {
			continue
		}
		p := pair{server: r}
		for j := i + 1; j < len(results); j++ {
			f := &results[j]
			if f.Kind == "floor" && f.Scenario == r.Scenario && f.Clients == r.Clients && f.Label == r.Label {
				p.floor = f
				break
			}
		}
		out = append(out, p)
	}
	return out
}

func renderReport(results []Result, work string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Run of %s. Machine load (`uptime`) at the start: %s; at the end: %s.\n\n",
		time.Now().UTC().Format("2006-01-02 15:04 UTC"), readTrim(filepath.Join(work, "uptime-start.txt")),
		readTrim(filepath.Join(work, "uptime-end.txt")))
	b.WriteString("| scenario | objects | commits | clients | req/s | records/s | p50 ms | p90 ms | p99 ms | floor tps | floor p50/p99 ms | ratio to floor | PocketBase (16 clients) | ratio to PocketBase |\n")
	b.WriteString("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for _, p := range pairs(results) {
		writeRow(&b, p)
	}
	b.WriteString("\nratio to floor = server req/s ÷ pgbench tps of the same statements (same clients, same duration); " +
		"ratio to PocketBase compares records/s with its figure from another day (orientation only).\n")
	writeProfiles(&b, work)
	return b.String()
}

func writeRow(b *strings.Builder, p pair) {
	s := p.server
	commits := "durable"
	switch {
	case s.Label == "sync-off":
		commits = "`synchronous_commit=off`"
	case s.Scenario == "get" || s.Scenario == "search":
		commits = "(read)"
	}
	floorTPS, floorLat, ratio := "–", "–", "–"
	if f := p.floor; f != nil && f.PerSec > 0 {
		floorTPS = rate(f.PerSec)
		floorLat = fmt.Sprintf("%.2f / %.2f", f.P50Ms, f.P99Ms)
		ratio = fmt.Sprintf("%.2f", s.PerSec/f.PerSec)
	}
	pb, pbRatio := "–", "–"
	if v, ok := pocketBase[s.Scenario]; ok && s.Clients == 16 && s.Objects <= 100_000 {
		pb = fmt.Sprintf("%.0f", v)
		pbRatio = fmt.Sprintf("%.2f", s.RecordsPerSec/v)
	}
	status := ""
	if s.Errors > 0 {
		status = fmt.Sprintf(" (FAILED: %d errors)", s.Errors)
	}
	if s.Requests == 0 {
		status += " (no request completed in the window)"
	}
	fmt.Fprintf(b, "| %s%s | %d | %s | %d | %s | %s | %.2f | %.2f | %.2f | %s | %s | %s | %s | %s |\n",
		s.Scenario, status, s.Objects, commits, s.Clients, rate(s.PerSec), rate(s.RecordsPerSec), s.P50Ms, s.P90Ms, s.P99Ms,
		floorTPS, floorLat, ratio, pb, pbRatio)
}

// rate shows a per-second figure, with a decimal below 10.
func rate(v float64) string {
	if v < 10 {
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.0f", v)
}

// writeProfiles appends the top of each CPU profile the run took.
func writeProfiles(b *strings.Builder, work string) {
	tops, _ := filepath.Glob(filepath.Join(work, "cpu-*.top.txt"))
	for _, t := range tops {
		name := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(t), "cpu-"), ".top.txt")
		fmt.Fprintf(b, "\nCPU profile of the server, %s at 16 clients (`go tool pprof -top`, first lines):\n\n```\n%s\n```\n",
			name, firstLines(readTrim(t), 22))
	}
}

func readTrim(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(not recorded)"
	}
	return strings.TrimSpace(string(b))
}

func firstLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	return strings.Join(lines[:min(n, len(lines))], "\n")
}

// replaceSection puts md between the markers of the README (appending the
// markers when missing), keeping the hand-written text around them.
func replaceSection(path, md string) error {
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	text := string(old)
	section := beginMarker + "\n" + md + endMarker
	i, j := strings.Index(text, beginMarker), strings.Index(text, endMarker)
	if i >= 0 && j > i {
		text = text[:i] + section + text[j+len(endMarker):]
	} else {
		text = strings.TrimRight(text, "\n") + "\n\n" + section + "\n"
	}
	return os.WriteFile(path, []byte(text), 0o644)
}
