// Command load drives a running platform server over HTTP to measure the
// objects API under load, measures the PostgreSQL floor of the same
// statements with pgbench, and writes the results table of
// bench/README.md. scripts/bench-load.sh (make bench-load) runs the whole
// sequence; each subcommand is one step of it:
//
//	load setup   --url URL --credentials JSON --state FILE     object type and a key with a raised rate limit
//	load preload --state FILE --db URL --objects N             set-based insert up to N objects
//	load verify  --state FILE                                  read preloaded objects back through the API
//	load capture --state FILE --log PGLOG --out DIR            one request per scenario -> DIR/<scenario>.sql (pgbench)
//	load run     --state FILE --scenario S --clients C ...     one measurement: a JSON line on stdout
//	load floor   --state FILE --db URL --scenario S ...        the pgbench floor of S: a JSON line on stdout
//	load report  --results FILE --work DIR --readme FILE       the markdown table
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := dispatch(ctx, os.Args[1:]); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "load:", err)
		}
		os.Exit(1)
	}
}

func dispatch(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return errors.New("usage: load setup|preload|verify|capture|run|floor|report [flags] (see bench/README.md)")
	}
	commands := map[string]func(context.Context, []string) error{
		"setup":   setupCommand,
		"preload": preloadCommand,
		"verify":  verifyCommand,
		"capture": captureCommand,
		"run":     runCommand,
		"floor":   floorCommand,
		"report":  reportCommand,
	}
	cmd, ok := commands[args[0]]
	if !ok {
		return fmt.Errorf("unknown command %q", args[0])
	}
	return cmd(ctx, args[1:])
}
