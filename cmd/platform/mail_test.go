package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

func TestMainMailList(t *testing.T) {
	useTestEnv(t)
	out, _, err := runCLI(t, "tenant", "create", "--name", "Mail tenant", "--json")
	require.NoError(t, err)
	m := credentialsJSON.FindStringSubmatch(out)
	require.NotNil(t, m, out)
	tenantID := m[1]

	a := openApp(t)
	ctx := context.Background()
	at := time.Now().UTC().Truncate(time.Second)
	for i, msg := range []db.AuthMessage{
		{Channel: "email", Recipient: "jane@example.com", Kind: "verification", Subject: "Confirm your email address",
			Body: "b", Link: "http://127.0.0.1:8080/v1/auth/verify?token=t1&tenant_id=" + tenantID},
		{Channel: "sms", Recipient: "+15551234567", Kind: "otp", Body: "Your code is 123456", Code: "123456"},
		{Channel: "email", Recipient: "jane@example.com", Kind: "recovery", Subject: "Reset your password",
			Body: "b", Link: "http://127.0.0.1:8080/v1/auth/reset-password?token=t2"},
	} {
		msg.TenantID, msg.ID, msg.Status = tenantID, domain.NewID(domain.PrefixMessage), "stored"
		msg.CreatedAt = at.Add(time.Duration(i) * time.Second)
		require.NoError(t, db.AuthMessageInsert(ctx, a.Core.DB, &msg))
	}

	out, _, err = runCLI(t, "mail", "list", "--tenant", tenantID, "--json")
	require.NoError(t, err)
	var rows []struct {
		TenantID  string    `json:"tenant_id"`
		CreatedAt time.Time `json:"created_at"`
		Channel   string    `json:"channel"`
		Recipient string    `json:"recipient"`
		Kind      string    `json:"kind"`
		Link      string    `json:"link"`
		Code      string    `json:"code"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rows), out)
	require.Len(t, rows, 3)
	require.Equal(t, []string{"recovery", "otp", "verification"}, []string{rows[0].Kind, rows[1].Kind, rows[2].Kind}, "newest first")
	require.Equal(t, "123456", rows[1].Code)
	require.Equal(t, tenantID, rows[0].TenantID)

	// Table output, filtered by recipient (emails match case-insensitively).
	out, _, err = runCLI(t, "mail", "list", "--tenant", tenantID, "--to", "Jane@Example.com", "--limit", "1")
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 2, out)
	require.Regexp(t, `^TIME\s+TENANT\s+CHANNEL\s+RECIPIENT\s+KIND\s+SUBJECT\s+LINK / CODE$`, lines[0])
	for _, want := range []string{tenantID, "email", "jane@example.com", "recovery", "Reset your password", "token=t2"} {
		require.Contains(t, lines[1], want)
	}

	out, _, err = runCLI(t, "mail", "list", "--tenant", tenantID, "--to", "+15551234567")
	require.NoError(t, err)
	require.Contains(t, out, "123456")
	require.NotContains(t, out, "jane@example.com")

	out, _, err = runCLI(t, "mail", "list", "--to", "nobody@example.com")
	require.NoError(t, err)
	require.Equal(t, "no messages\n", out)

	out, _, err = runCLI(t, "mail", "--help")
	require.NoError(t, err)
	require.Contains(t, out, "mail list")
	out, _, err = runCLI(t, "--help")
	require.NoError(t, err)
	require.Contains(t, out, "platform mail list")

	for _, args := range [][]string{
		{"mail"},
		{"mail", "send"},
		{"mail", "list", "--limit", "0"},
		{"mail", "list", "--tenant", "acme"},
		{"mail", "list", "extra"},
		{"mail", "list", "--bogus"},
	} {
		_, _, err := runCLI(t, args...)
		require.Error(t, err, "%v", args)
	}
}
