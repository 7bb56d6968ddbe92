package identity

import (
	"bytes"
	"crypto/subtle"
	"encoding/base64"
	"image/png"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/platformhq/platform/domain"
)

// TOTP parameters (RFC 6238 as the contract fixes them): SHA-1, 6 digits,
// 30-second steps, one step of clock skew either way.
const (
	totpPeriod = 30
	totpSkew   = 1
	totpDigits = 6
)

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// newTOTPKey generates a secret for account at issuer and its
// provisioning URI and QR code.
func newTOTPKey(issuer, account string) (TOTPSecret, error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: account,
		Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return TOTPSecret{}, domain.Internal(err)
	}
	img, err := key.Image(200, 200)
	if err != nil {
		return TOTPSecret{}, domain.Internal(err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return TOTPSecret{}, domain.Internal(err)
	}
	return TOTPSecret{Secret: key.Secret(), URI: key.URL(),
		QRURI: "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())}, nil
}

// normalizeCode strips the spaces and dashes people type into codes.
func normalizeCode(code string) string {
	return strings.NewReplacer(" ", "", "-", "").Replace(strings.TrimSpace(code))
}

// matchTOTP returns the time step (within the skew window around now) whose
// code equals code and which is later than lastStep, or ok false. Steps at
// or before lastStep are refused: a code is accepted once.
func matchTOTP(secret, code string, now time.Time, lastStep int64) (step int64, ok bool) {
	if len(code) != totpDigits {
		return 0, false
	}
	cur := now.Unix() / totpPeriod
	for st := cur - totpSkew; st <= cur+totpSkew; st++ {
		if st <= lastStep {
			continue
		}
		want, err := totp.GenerateCodeCustom(secret, time.Unix(st*totpPeriod, 0), totpOpts)
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return st, true
		}
	}
	return 0, false
}
