package identity

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"runtime"
	"strings"

	"golang.org/x/crypto/argon2"

	"github.com/platformhq/platform/domain"
)

// Argon2Params are argon2id's cost parameters.
type Argon2Params struct {
	MemoryKiB uint32
	Time      uint32
	Threads   uint8
}

// DefaultArgon2 follows RFC 9106's second recommended option, lightened to
// 64 MiB so a 2-core box can still serve a few logins a second per core.
var DefaultArgon2 = Argon2Params{MemoryKiB: 64 * 1024, Time: 3, Threads: 2}

// hasher hashes and verifies passwords with argon2id. A semaphore bounds
// concurrent hashes: each costs MemoryKiB, so a login flood queues instead
// of exhausting memory.
type hasher struct {
	params Argon2Params
	sem    chan struct{}
	// dummy is verified against when a user does not exist, so that a
	// login for an unknown email costs as much as one for a known email.
	dummy string
}

func newHasher(p Argon2Params, concurrency int) *hasher {
	if p.MemoryKiB == 0 {
		p = DefaultArgon2
	}
	if p.Threads == 0 {
		p.Threads = 1
	}
	if p.Time == 0 {
		p.Time = 1
	}
	if concurrency <= 0 {
		concurrency = 2 * runtime.GOMAXPROCS(0)
	}
	h := &hasher{params: p, sem: make(chan struct{}, concurrency)}
	h.dummy = h.encode([]byte("dummy-password-for-timing"), []byte("0123456789abcdef"))
	return h
}

func (h *hasher) acquire(ctx context.Context) error {
	select {
	case h.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return domain.Errorf(domain.CodeUnavailable, "The server is busy; retry shortly.")
	}
}

func (h *hasher) release() { <-h.sem }

// Hash returns the PHC string of password.
func (h *hasher) Hash(ctx context.Context, password string) (string, error) {
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", domain.Internal(err)
	}
	return h.encode([]byte(password), salt), nil
}

func (h *hasher) encode(password, salt []byte) string {
	p := h.params
	key := argon2.IDKey(password, salt, p.Time, p.MemoryKiB, p.Threads, 32)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemoryKiB, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// Verify reports whether password matches encoded (a PHC string, possibly
// made with other parameters). An empty encoded (no password set, unknown
// user) still spends one hash, then reports false.
func (h *hasher) Verify(ctx context.Context, password, encoded string) (bool, error) {
	if err := h.acquire(ctx); err != nil {
		return false, err
	}
	defer h.release()
	known := encoded != ""
	if !known {
		encoded = h.dummy
	}
	var version int
	var p Argon2Params
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, nil
	}
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, nil
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &p.Threads); err != nil {
		return false, nil
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false, nil
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, uint32(len(want)))
	return known && subtle.ConstantTimeCompare(got, want) == 1, nil
}

// hashOptional hashes a password a request may carry (nil when absent).
func (s *Service) hashOptional(ctx context.Context, password *string) (*string, error) {
	if password == nil {
		return nil, nil
	}
	hash, err := s.hasher.Hash(ctx, *password)
	if err != nil {
		return nil, err
	}
	return &hash, nil
}
