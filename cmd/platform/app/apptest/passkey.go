package apptest

import (
	"crypto/ecdsa"
	"crypto/x509"

	"github.com/descope/virtualwebauthn"
)

// PasskeyCredential returns a software authenticator's EC2 credential whose
// public key coordinates are full 32 bytes. virtualwebauthn encodes them
// with big.Int.Bytes, which drops leading zero bytes (about one key in a
// hundred), and a correct relying party refuses such a key; retrying keeps
// tests deterministic.
func PasskeyCredential() virtualwebauthn.Credential {
	for {
		cred := virtualwebauthn.NewCredential(virtualwebauthn.KeyTypeEC2)
		parsed, err := x509.ParsePKCS8PrivateKey(cred.Key.Data)
		if err != nil {
			panic(err)
		}
		k := parsed.(*ecdsa.PrivateKey)
		if len(k.X.Bytes()) == 32 && len(k.Y.Bytes()) == 32 {
			return cred
		}
	}
}
