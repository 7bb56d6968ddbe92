// Command platform is the one binary of the platform: the API server and its
// operational subcommands.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/platformhq/platform/cmd/platform/app"
	"github.com/platformhq/platform/domain"
	"github.com/platformhq/platform/domain/apikeys"
	"github.com/platformhq/platform/domain/tenancy"
)

const usage = `platform: a multi-tenant backend (REST + GraphQL).

Usage:
  platform serve [--addr ADDR] [--demo]   migrate, then serve the API (--demo: create or reuse a demo tenant and print its key)
  platform migrate                        apply pending database migrations
  platform tenant create --name NAME [--plan free|pro|enterprise] [--base-currency USD] [--json]
                                          create a tenant and its first API key (scope *)
  platform key create --tenant ID [--scopes read,write] [--label L] [--json]
                                          create an API key for a tenant
  platform demo [--json]                  create or reuse the demo tenant and print a fresh key
  platform mail list [--tenant ID] [--to ADDRESS] [--limit N] [--json]
                                          print the local outbox of end-user mail and SMS (verification,
                                          password reset, magic link, OTP), newest first, with links and codes
  platform version                        print the version

`

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "platform:", err)
		os.Exit(1)
	}
}

// run executes one command line; asking a subcommand for --help is no error.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	err := dispatch(ctx, args, stdout, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}

func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, usage+app.EnvHelp+"\n")
		return nil
	}
	switch args[0] {
	case "version":
		fmt.Fprintln(stdout, app.Version)
		return nil
	case "serve":
		return serve(ctx, args[1:], stdout, stderr)
	case "migrate":
		return withApp(ctx, stderr, func(a *app.App) error {
			names, err := a.Migrate(ctx)
			for _, n := range names {
				fmt.Fprintln(stdout, "applied", n)
			}
			if err == nil && len(names) == 0 {
				fmt.Fprintln(stdout, "database is up to date")
			}
			return err
		})
	case "tenant":
		if len(args) < 2 || args[1] != "create" {
			return errors.New("usage: platform tenant create --name NAME [--json]")
		}
		return tenantCreate(ctx, args[2:], stdout, stderr)
	case "key":
		if len(args) < 2 || args[1] != "create" {
			return errors.New("usage: platform key create --tenant ID --scopes read,write [--json]")
		}
		return keyCreate(ctx, args[2:], stdout, stderr)
	case "mail":
		return mailCommand(ctx, args[1:], stdout, stderr)
	case "demo":
		fs := flag.NewFlagSet("demo", flag.ContinueOnError)
		fs.SetOutput(stderr)
		asJSON := fs.Bool("json", false, "print JSON")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		return withApp(ctx, stderr, func(a *app.App) error {
			if _, err := a.Migrate(ctx); err != nil {
				return err
			}
			d, err := app.EnsureDemo(ctx, a)
			if err != nil {
				return err
			}
			return printCredentials(stdout, *asJSON, d.TenantID, d.APIKey)
		})
	}
	return fmt.Errorf("unknown command %q (see platform --help)", args[0])
}

// newLogger logs JSON when stderr is not a terminal, text otherwise.
func newLogger(stderr io.Writer) *slog.Logger {
	if f, ok := stderr.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			return slog.New(slog.NewTextHandler(stderr, nil))
		}
	}
	return slog.New(slog.NewJSONHandler(stderr, nil))
}

func withApp(ctx context.Context, stderr io.Writer, fn func(*app.App) error) error {
	cfg, err := app.ConfigFromEnv()
	if err != nil {
		return err
	}
	cfg.Log = newLogger(stderr)
	a, err := app.New(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	return fn(a)
}

func adminCtx(ctx context.Context, tenantID string) context.Context {
	return domain.WithPrincipal(ctx, &domain.Principal{Kind: domain.PrincipalAdmin, TenantID: tenantID})
}

func tenantCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("tenant create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	name := fs.String("name", "", "tenant name (required)")
	plan := fs.String("plan", "", "plan: free, pro or enterprise (default free)")
	base := fs.String("base-currency", "", "ISO 4217 base currency of the books (default USD)")
	asJSON := fs.Bool("json", false, `print {"tenant_id","api_key"} as JSON`)
	if err := fs.Parse(args); err != nil {
		return err
	}
	return withApp(ctx, stderr, func(a *app.App) error {
		p, err := a.Tenants.Create(adminCtx(ctx, ""), tenancy.CreateInput{Name: *name, Plan: *plan, BaseCurrency: *base})
		if err != nil {
			return describe(err)
		}
		return printCredentials(stdout, *asJSON, p.TenantID, p.APIKey)
	})
}

func keyCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("key create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	tenant := fs.String("tenant", "", "tenant id (required)")
	scopes := fs.String("scopes", "", "comma-separated scopes: read,write,schema,files,auth,ai,* (empty: publishable key)")
	label := fs.String("label", "", "label")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *tenant == "" {
		return errors.New("--tenant is required")
	}
	var list []string
	for _, s := range strings.Split(*scopes, ",") {
		if s = strings.TrimSpace(s); s != "" {
			list = append(list, s)
		}
	}
	return withApp(ctx, stderr, func(a *app.App) error {
		if _, err := a.Tenants.Get(adminCtx(ctx, ""), tenancy.TenantRef{TenantID: *tenant}); err != nil {
			return describe(err)
		}
		c, err := a.Keys.Create(adminCtx(ctx, *tenant), apikeys.CreateInput{Label: *label, Scopes: list})
		if err != nil {
			return describe(err)
		}
		if *asJSON {
			return json.NewEncoder(stdout).Encode(map[string]any{"tenant_id": *tenant, "key_id": c.Key.ID,
				"api_key": c.Token, "scopes": c.Key.Scopes})
		}
		fmt.Fprintf(stdout, "key_id:  %s\napi_key: %s\nscopes:  %s\n", c.Key.ID, c.Token, strings.Join(c.Key.Scopes, ","))
		return nil
	})
}

func printCredentials(w io.Writer, asJSON bool, tenantID, key string) error {
	if asJSON {
		return json.NewEncoder(w).Encode(struct {
			TenantID string `json:"tenant_id"`
			APIKey   string `json:"api_key"`
		}{tenantID, key})
	}
	fmt.Fprintf(w, "tenant_id: %s\napi_key:   %s\n", tenantID, key)
	return nil
}

// describe renders a domain error for a terminal.
func describe(err error) error {
	de := domain.AsError(err)
	if len(de.Fields) == 0 {
		return err
	}
	var parts []string
	for f, msgs := range de.Fields {
		parts = append(parts, f+" "+strings.Join(msgs, ", "))
	}
	return fmt.Errorf("%s: %s", de.Message, strings.Join(parts, "; "))
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "", "listen address (default $PLATFORM_ADDR or 127.0.0.1:8080)")
	demo := fs.Bool("demo", false, "create or reuse a demo tenant and print its API key")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	return withApp(ctx, stderr, func(a *app.App) error {
		if *addr != "" {
			a.Cfg.Addr = *addr
		}
		if _, err := a.Migrate(ctx); err != nil {
			return err
		}
		if err := startPprof(ctx, a.Cfg.Log); err != nil {
			return err
		}
		if *demo {
			d, err := app.EnsureDemo(ctx, a)
			if err != nil {
				return err
			}
			base := "http://" + a.Cfg.Addr
			fmt.Fprintf(stdout, "\nPlatform is up.\n  REST docs:          %s/docs\n  GraphQL playground: %s/graphql\n  Demo tenant:        %s\n  Demo API key:       %s\n\n  curl -H \"X-API-Key: %s\" %s/v1/keys\n\n",
				base, base, d.TenantID, d.APIKey, d.APIKey, base)
		}
		return listen(ctx, a)
	})
}

// listen serves until ctx ends, then drains in-flight requests.
func listen(ctx context.Context, a *app.App) error {
	srv := &http.Server{
		Addr:              a.Cfg.Addr,
		Handler:           a.Handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      0, // per-request deadlines instead, so websockets and streams live
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    1 << 20,
	}
	bgCtx, cancelBg := context.WithCancel(context.Background())
	bgDone := make(chan error, 1)
	go func() { bgDone <- a.Run(bgCtx) }()
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	a.Cfg.Log.Info("listening", "addr", a.Cfg.Addr, "version", app.Version)
	var err error
	select {
	case err = <-errc:
	case <-ctx.Done():
		a.Cfg.Log.Info("shutting down: draining in-flight requests")
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err = srv.Shutdown(shutdownCtx)
		cancel()
	}
	cancelBg()
	<-bgDone
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}
