package domain

import (
	"crypto/rand"
	"strings"
	"sync"
	"time"

	"github.com/oklog/ulid/v2"
)

// ID prefixes. Every id is a prefix plus a lower-case ULID, so ids sort by
// creation time and say what they name.
const (
	PrefixTenant   = "tn_"
	PrefixKey      = "key_"
	PrefixRequest  = "req_"
	PrefixEvent    = "evt_"
	PrefixAudit    = "aud_"
	PrefixUser     = "usr_"
	PrefixSession  = "sess_"
	PrefixFactor   = "mfa_"
	PrefixMessage  = "msg_"
	PrefixIdentity = "ident_"
	PrefixPasskey  = "pk_"
)

var (
	entropyMu sync.Mutex
	entropy   = ulid.Monotonic(rand.Reader, 0)
)

// NewID returns prefix + a time-sortable, unique ULID.
func NewID(prefix string) string {
	entropyMu.Lock()
	id := ulid.MustNew(ulid.Timestamp(time.Now()), entropy)
	entropyMu.Unlock()
	return prefix + strings.ToLower(id.String())
}

// ValidID reports whether s looks like an id with the given prefix; callers use
// it to answer 404 for garbage without a database round trip.
func ValidID(prefix, s string) bool {
	if !strings.HasPrefix(s, prefix) {
		return false
	}
	_, err := ulid.ParseStrict(strings.ToUpper(s[len(prefix):]))
	return err == nil
}
