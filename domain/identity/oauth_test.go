package identity

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/platformhq/platform/domain"
)

func TestOAuthClientRefusesPrivateAddresses(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()

	// Refused at dial time, after resolution: a literal loopback address
	// and a name resolving to it alike.
	for _, u := range []string{srv.URL, strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)} {
		resp, err := outboundClient(false).Get(u)
		if err == nil {
			resp.Body.Close()
			t.Fatalf("%s: want refusal, got HTTP %d", u, resp.StatusCode)
		}
		if !errors.Is(err, errPrivateAddr) {
			t.Fatalf("%s: want errPrivateAddr, got %v", u, err)
		}
	}
	if de := domain.AsError(exchangeError(&wrapErr{errPrivateAddr})); de.Code != domain.CodeValidationFailed || de.Fields["provider"] == nil {
		t.Fatalf("exchange error: %+v", de)
	}

	resp, err := outboundClient(true).Get(srv.URL)
	if err != nil {
		t.Fatalf("allowed: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("allowed: HTTP %d", resp.StatusCode)
	}
}

type wrapErr struct{ err error }

func (w *wrapErr) Error() string { return "wrapped: " + w.err.Error() }
func (w *wrapErr) Unwrap() error { return w.err }

func TestOAuthPrivateAddr(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1": true, "::1": true, "10.1.2.3": true, "192.168.0.1": true, "172.16.0.1": true,
		"169.254.169.254": true, "0.0.0.0": true, "::ffff:127.0.0.1": true, "fe80::1": true, "fd00::1": true,
		"8.8.8.8": false, "2606:4700::1111": false,
	} {
		if got := privateAddr(netip.MustParseAddr(addr)); got != want {
			t.Errorf("privateAddr(%s) = %v, want %v", addr, got, want)
		}
	}
}

func TestOAuthState(t *testing.T) {
	key := deriveKey([]byte("secret"), "oauth-state")
	state := signOAuthState(key, "tn_abc", "nonce123")
	tenant, nonce, ok := parseOAuthState(key, state)
	if !ok || tenant != "tn_abc" || nonce != "nonce123" {
		t.Fatalf("round trip: %q %q %v", tenant, nonce, ok)
	}
	parts := strings.Split(state, ".")
	for _, bad := range []string{
		"", "tn_abc", "tn_abc.nonce123", state + ".x",
		"tn_other." + parts[1] + "." + parts[2],
		parts[0] + ".nonce124." + parts[2],
		parts[0] + "." + parts[1] + "." + parts[2][:len(parts[2])-1],
		signOAuthState(deriveKey([]byte("other"), "oauth-state"), "tn_abc", "nonce123"),
		".." + parts[2],
	} {
		if _, _, ok := parseOAuthState(key, bad); ok {
			t.Errorf("accepted %q", bad)
		}
	}
}

func TestOAuthClaims(t *testing.T) {
	decode := func(s string) map[string]any {
		dec := json.NewDecoder(strings.NewReader(s))
		dec.UseNumber()
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	ext := externalFromClaims("oauth:github", decode(`{"id": 12345678901, "email": " Me@Example.COM ", "name": "Me", "access_token": "leak"}`))
	if ext.Subject != "12345678901" || ext.Email != "me@example.com" || ext.EmailVerified || ext.Name != "Me" {
		t.Fatalf("github-style: %+v", ext)
	}
	if strings.Contains(string(ext.Data), "leak") {
		t.Fatalf("data keeps a token: %s", ext.Data)
	}
	ext = externalFromClaims("oauth:google", decode(`{"sub": "g-1", "email": "a@b.co", "email_verified": "true"}`))
	if ext.Subject != "g-1" || !ext.EmailVerified {
		t.Fatalf("oidc: %+v", ext)
	}
	ext = externalFromClaims("oauth:x", decode(`{"sub": "x", "email": "not an email", "email_verified": true}`))
	if ext.Email != "" || ext.EmailVerified {
		t.Fatalf("bad email kept: %+v", ext)
	}
	ext = externalFromClaims("oauth:x", decode(`{"sub": {"nested": 1}}`))
	if ext.Subject != "" {
		t.Fatalf("object subject: %+v", ext)
	}
}

func TestOAuthProviderError(t *testing.T) {
	got := providerError("access_denied\n", "no\x00pe "+strings.Repeat("é", 300))
	if strings.ContainsAny(got, "\x00\n") || !strings.HasPrefix(got, "access_denied (no pe éé") || len([]rune(got)) > 64+200+5 {
		t.Fatalf("sanitized: %q", got)
	}
	if providerError("e", "") != "e" {
		t.Fatal("no description")
	}
}
