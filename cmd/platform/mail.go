package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/platformhq/platform/cmd/platform/app"
	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

const mailUsage = "usage: platform mail list [--tenant tn_...] [--to ADDRESS] [--limit N] [--json]"

// mailCommand runs `platform mail ...`: the local outbox of end-user
// messages (verification, password reset, magic link, OTP), which is their
// delivery when no SMTP_URL is configured.
func mailCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
		_, err := fmt.Fprintln(stdout, mailUsage)
		return err
	}
	if len(args) < 1 || args[0] != "list" {
		return errors.New(mailUsage)
	}
	fs := flag.NewFlagSet("mail list", flag.ContinueOnError)
	fs.SetOutput(stderr)
	tenant := fs.String("tenant", "", "only messages of this tenant id")
	to := fs.String("to", "", "only messages to this recipient (email or E.164 phone)")
	limit := fs.Int("limit", 20, "number of messages, newest first (1-1000)")
	asJSON := fs.Bool("json", false, "print a JSON array")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (%s)", fs.Arg(0), mailUsage)
	}
	if *limit < 1 || *limit > 1000 {
		return errors.New("--limit must be between 1 and 1000")
	}
	if *tenant != "" && !domain.ValidID(domain.PrefixTenant, *tenant) {
		return fmt.Errorf("--tenant %q is not a tenant id (tn_...)", *tenant)
	}
	recipient := strings.TrimSpace(*to)
	if strings.Contains(recipient, "@") {
		recipient = strings.ToLower(recipient) // emails are stored lower-cased
	}
	return withApp(ctx, stderr, func(a *app.App) error {
		rows, err := db.AuthMessageList(ctx, a.Core.DB, *tenant, recipient, *limit)
		if err != nil {
			return fmt.Errorf("list messages: %w", err)
		}
		if *asJSON {
			return printMailJSON(stdout, rows)
		}
		return printMailTable(stdout, rows)
	})
}

// mailView is one message in --json output.
type mailView struct {
	ID        string    `json:"id"`
	TenantID  string    `json:"tenant_id"`
	CreatedAt time.Time `json:"created_at"`
	Channel   string    `json:"channel"`
	Recipient string    `json:"recipient"`
	Kind      string    `json:"kind"`
	Subject   string    `json:"subject"`
	Link      string    `json:"link,omitempty"`
	Code      string    `json:"code,omitempty"`
	Status    string    `json:"status"`
	Body      string    `json:"body"`
}

func printMailJSON(w io.Writer, rows []db.AuthMessage) error {
	out := make([]mailView, 0, len(rows))
	for _, m := range rows {
		out = append(out, mailView{ID: m.ID, TenantID: m.TenantID, CreatedAt: m.CreatedAt.UTC(), Channel: m.Channel,
			Recipient: m.Recipient, Kind: m.Kind, Subject: m.Subject, Link: m.Link, Code: m.Code, Status: m.Status, Body: m.Body})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func printMailTable(w io.Writer, rows []db.AuthMessage) error {
	if len(rows) == 0 {
		_, err := fmt.Fprintln(w, "no messages")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tTENANT\tCHANNEL\tRECIPIENT\tKIND\tSUBJECT\tLINK / CODE")
	for _, m := range rows {
		action := m.Link
		if action == "" {
			action = m.Code
		}
		if action == "" {
			action = "-"
		}
		subject := m.Subject
		if subject == "" {
			subject = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", m.CreatedAt.UTC().Format(time.RFC3339), m.TenantID,
			m.Channel, m.Recipient, m.Kind, subject, action)
	}
	return tw.Flush()
}
