package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"time"
)

// pprofAddrEnv names the listen address of the profiling endpoints. Unset
// (the default) serves none: profiles expose internals and cost CPU, so
// they are an operator's opt-in (bench/README.md uses them), and they get
// their own listener so that the API's middleware, rate limits and
// public address never apply to them.
const pprofAddrEnv = "PLATFORM_PPROF_ADDR"

// startPprof serves /debug/pprof/ on $PLATFORM_PPROF_ADDR until ctx ends.
func startPprof(ctx context.Context, log *slog.Logger) error {
	addr := os.Getenv(pprofAddrEnv)
	if addr == "" {
		return nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: pprofMux(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("pprof listener stopped", "err", err)
		}
	}()
	log.Info("pprof listening", "addr", ln.Addr().String())
	return nil
}

// pprofMux routes the standard profiles on a mux of its own (the
// net/http/pprof import also registers them on http.DefaultServeMux, which
// nothing serves).
func pprofMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}
