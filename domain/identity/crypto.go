package identity

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"io"
	"math/big"

	"golang.org/x/crypto/hkdf"
)

// deriveKey derives a 32-byte purpose-bound key from the server secret, so
// that one secret never serves two purposes.
func deriveKey(secret []byte, purpose string) []byte {
	k := make([]byte, 32)
	if _, err := io.ReadFull(hkdf.New(sha256.New, secret, nil, []byte("platform/identity/"+purpose)), k); err != nil {
		panic(err) // hkdf only fails past 255 blocks
	}
	return k
}

// sealer encrypts secrets at rest (auth-config secrets, TOTP seeds, refresh
// successors) with AES-256-GCM under a key derived from PLATFORM_SECRET.
type sealer struct{ aead cipher.AEAD }

func newSealer(secret []byte) *sealer {
	block, err := aes.NewCipher(deriveKey(secret, "seal"))
	if err != nil {
		panic(err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return &sealer{aead: aead}
}

// seal encrypts plain; aad binds the ciphertext to its owner (tenant id,
// row id) so it cannot be moved to another row.
func (s *sealer) seal(plain []byte, aad string) []byte {
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic(err)
	}
	return s.aead.Seal(nonce, nonce, plain, []byte(aad))
}

var errUnseal = errors.New("identity: sealed value is corrupt or was moved")

func (s *sealer) open(sealed []byte, aad string) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n {
		return nil, errUnseal
	}
	out, err := s.aead.Open(nil, sealed[:n], sealed[n:], []byte(aad))
	if err != nil {
		return nil, errUnseal
	}
	return out, nil
}

// tokenHash is the HMAC under which opaque tokens (refresh, one-time,
// recovery codes) are stored and looked up: useless to whoever reads it.
func tokenHash(secret []byte, token string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("token:"))
	m.Write([]byte(token))
	return m.Sum(nil)
}

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// randomToken returns prefix + n random base62 characters.
func randomToken(prefix string, n int) string {
	b := make([]byte, n)
	max := big.NewInt(int64(len(base62)))
	for i := range b {
		v, err := rand.Int(rand.Reader, max)
		if err != nil {
			panic(err)
		}
		b[i] = base62[v.Int64()]
	}
	return prefix + string(b)
}

// randomDigits returns n random decimal digits (OTP codes).
func randomDigits(n int) string {
	b := make([]byte, n)
	for i := range b {
		v, err := rand.Int(rand.Reader, big.NewInt(10))
		if err != nil {
			panic(err)
		}
		b[i] = byte('0' + v.Int64())
	}
	return string(b)
}
