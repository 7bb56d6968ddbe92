package identity

import (
	"errors"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// JWTKey is one HMAC key for access tokens, named by its key id (kid).
type JWTKey struct {
	ID     string
	Secret []byte
}

// AccessClaims are the claims of an end user's access token. sid names the
// session, checked on every request, so revoking it ends the token at once.
type AccessClaims struct {
	jwt.RegisteredClaims
	TenantID  string `json:"tid"`
	SessionID string `json:"sid"`
	Role      string `json:"role"`
	Email     string `json:"email,omitempty"`
	AAL       string `json:"aal"`
	Anonymous bool   `json:"is_anonymous,omitempty"`
}

// signer signs with the first key and verifies with any key, by kid.
type signer struct {
	keys   []JWTKey
	byID   map[string][]byte
	issuer string
}

func newSigner(secret []byte, keys []JWTKey, issuer string) *signer {
	if len(keys) == 0 {
		keys = []JWTKey{{ID: "k1", Secret: deriveKey(secret, "jwt:k1")}}
	}
	s := &signer{keys: keys, byID: map[string][]byte{}, issuer: issuer}
	for _, k := range keys {
		s.byID[k.ID] = k.Secret
	}
	return s
}

func (s *signer) sign(c AccessClaims, now time.Time, ttl time.Duration) (string, error) {
	c.Issuer = s.issuer
	c.Audience = jwt.ClaimStrings{"authenticated"}
	c.IssuedAt = jwt.NewNumericDate(now)
	c.ExpiresAt = jwt.NewNumericDate(now.Add(ttl))
	t := jwt.NewWithClaims(jwt.SigningMethodHS256, c)
	t.Header["kid"] = s.keys[0].ID
	return t.SignedString(s.keys[0].Secret)
}

var errBadToken = errors.New("invalid access token")

// verify checks signature, algorithm, issuer, audience and expiry against now.
func (s *signer) verify(token string, now time.Time) (*AccessClaims, error) {
	c := new(AccessClaims)
	_, err := jwt.ParseWithClaims(token, c, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		if key, ok := s.byID[kid]; ok {
			return key, nil
		}
		return nil, errBadToken
	}, jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}), jwt.WithIssuer(s.issuer),
		jwt.WithAudience("authenticated"), jwt.WithExpirationRequired(), jwt.WithTimeFunc(func() time.Time { return now }))
	if err != nil || c.Subject == "" || c.TenantID == "" || c.SessionID == "" {
		return nil, errBadToken
	}
	return c, nil
}
