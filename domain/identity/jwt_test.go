package identity

import (
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/require"
)

func testClaims() AccessClaims {
	c := AccessClaims{TenantID: "tn_1", SessionID: "sess_1", Role: "authenticated", AAL: "aal1"}
	c.Subject = "usr_1"
	return c
}

func TestSignerRotation(t *testing.T) {
	now := time.Now()
	old := newSigner(nil, []JWTKey{{ID: "k1", Secret: []byte(strings.Repeat("a", 32))}}, "platform")
	token, err := old.sign(testClaims(), now, time.Hour)
	require.NoError(t, err)

	// Prepending a new key keeps old tokens valid and signs with the new one.
	rotated := newSigner(nil, []JWTKey{{ID: "k2", Secret: []byte(strings.Repeat("b", 32))}, {ID: "k1", Secret: []byte(strings.Repeat("a", 32))}}, "platform")
	c, err := rotated.verify(token, now)
	require.NoError(t, err)
	require.Equal(t, "usr_1", c.Subject)
	fresh, err := rotated.sign(testClaims(), now, time.Hour)
	require.NoError(t, err)
	parsed, _, err := jwt.NewParser().ParseUnverified(fresh, &AccessClaims{})
	require.NoError(t, err)
	require.Equal(t, "k2", parsed.Header["kid"])

	// Dropping the old key ends its tokens.
	dropped := newSigner(nil, []JWTKey{{ID: "k2", Secret: []byte(strings.Repeat("b", 32))}}, "platform")
	_, err = dropped.verify(token, now)
	require.Error(t, err)
}

func TestSignerRefuses(t *testing.T) {
	now := time.Now()
	s := newSigner([]byte("server secret"), nil, "platform")
	token, err := s.sign(testClaims(), now, time.Hour)
	require.NoError(t, err)

	_, err = s.verify(token, now.Add(2*time.Hour))
	require.Error(t, err, "expired")
	_, err = newSigner([]byte("server secret"), nil, "other").verify(token, now)
	require.Error(t, err, "wrong issuer")
	_, err = newSigner([]byte("another secret"), nil, "platform").verify(token, now)
	require.Error(t, err, "wrong key")

	// alg "none" and a tampered payload are refused.
	none, err := jwt.NewWithClaims(jwt.SigningMethodNone, testClaims()).SignedString(jwt.UnsafeAllowNoneSignatureType)
	require.NoError(t, err)
	_, err = s.verify(none, now)
	require.Error(t, err)
	parts := strings.Split(token, ".")
	_, err = s.verify(parts[0]+"."+parts[1]+"x."+parts[2], now)
	require.Error(t, err)

	// A token without a session id is refused even when signed.
	c := testClaims()
	c.SessionID = ""
	noSid, err := s.sign(c, now, time.Hour)
	require.NoError(t, err)
	_, err = s.verify(noSid, now)
	require.Error(t, err)
}

func TestPasswordHasher(t *testing.T) {
	h := newHasher(Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1}, 1)
	ctx := t.Context()
	enc, err := h.Hash(ctx, "correct horse")
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(enc, "$argon2id$v=19$m=64,t=1,p=1$"))
	ok, err := h.Verify(ctx, "correct horse", enc)
	require.NoError(t, err)
	require.True(t, ok)
	ok, _ = h.Verify(ctx, "wrong", enc)
	require.False(t, ok)
	ok, _ = h.Verify(ctx, "anything", "")
	require.False(t, ok, "no password set")
	ok, _ = h.Verify(ctx, "anything", "$bcrypt$garbage")
	require.False(t, ok)

	// Hashes made under other parameters still verify (parameters upgrade).
	stronger := newHasher(Argon2Params{MemoryKiB: 128, Time: 2, Threads: 1}, 1)
	ok, _ = stronger.Verify(ctx, "correct horse", enc)
	require.True(t, ok)
}

func TestSealerBindsOwner(t *testing.T) {
	s := newSealer([]byte("secret"))
	sealed := s.seal([]byte("totp seed"), "mfa:tn_1:mfa_1")
	plain, err := s.open(sealed, "mfa:tn_1:mfa_1")
	require.NoError(t, err)
	require.Equal(t, "totp seed", string(plain))
	_, err = s.open(sealed, "mfa:tn_2:mfa_1")
	require.Error(t, err, "moved to another tenant")
	_, err = newSealer([]byte("other")).open(sealed, "mfa:tn_1:mfa_1")
	require.Error(t, err)
}
