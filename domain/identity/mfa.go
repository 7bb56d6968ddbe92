package identity

import (
	"context"
	"time"
)

// EnrollInput is the body of POST /v1/auth/mfa/enroll.
type EnrollInput struct {
	FriendlyName string `json:"friendly_name"`
}

// Enrolled answers an enrollment: the TOTP secret, shown this once.
type Enrolled struct {
	FactorID string     `json:"factor_id"`
	Type     string     `json:"type"`
	TOTP     TOTPSecret `json:"totp"`
}

// TOTPSecret is what an authenticator app needs.
type TOTPSecret struct {
	Secret string `json:"secret"`
	URI    string `json:"uri"`
	QRURI  string `json:"qr_uri"` // data:image/png;base64 QR code of URI
}

// Factor is an enrolled MFA factor.
type Factor struct {
	ID           string     `json:"id"`
	Type         string     `json:"type"`
	FriendlyName string     `json:"friendly_name"`
	Status       string     `json:"status"` // unverified | verified
	CreatedAt    time.Time  `json:"created_at"`
	VerifiedAt   *time.Time `json:"verified_at"`
}

// MFAVerifyInput is the body of POST /v1/auth/mfa/verify.
type MFAVerifyInput struct {
	FactorID string `json:"factor_id"`
	Code     string `json:"code"`
}

// MFAVerified answers the verification that completes an enrollment; the
// recovery codes are shown this once (on the first verified factor).
type MFAVerified struct {
	Verified      bool     `json:"verified"`
	RecoveryCodes []string `json:"recovery_codes,omitempty"`
}

// ChallengeInput is the body of POST /v1/auth/mfa/challenge (step-up).
type ChallengeInput struct {
	FactorID string `json:"factor_id"`
	Code     string `json:"code"`
	UserID   string `json:"user_id"` // must be the caller's own id when sent
}

// Challenged answers a step-up verification.
type Challenged struct {
	UserID   string `json:"user_id"`
	Verified bool   `json:"verified"`
}

// CompleteInput is the body of POST /v1/auth/mfa/complete.
type CompleteInput struct {
	MFATicket string `json:"mfa_ticket"`
	FactorID  string `json:"factor_id"`
	Code      string `json:"code"`
}

// RecoverInput is the body of POST /v1/auth/mfa/recover.
type RecoverInput struct {
	MFATicket    string `json:"mfa_ticket"`
	RecoveryCode string `json:"recovery_code"`
}

// FactorIDRef names one factor (path parameter).
type FactorIDRef struct {
	FactorID string `path:"factor_id" json:"-"`
}

// Unenrolled answers an unenrollment.
type Unenrolled struct {
	Unenrolled bool `json:"unenrolled"`
}

// EnrollTOTP starts a TOTP enrollment for the signed-in user.
func (s *Service) EnrollTOTP(ctx context.Context, in EnrollInput) (Enrolled, error) {
	return Enrolled{}, errNotYet
}

// ListFactors lists the signed-in user's factors.
func (s *Service) ListFactors(ctx context.Context) ([]Factor, error) {
	return nil, errNotYet
}

// VerifyFactor completes an enrollment with a first code.
func (s *Service) VerifyFactor(ctx context.Context, in MFAVerifyInput) (MFAVerified, error) {
	return MFAVerified{}, errNotYet
}

// Unenroll removes one of the signed-in user's factors.
func (s *Service) Unenroll(ctx context.Context, in FactorIDRef) (Unenrolled, error) {
	return Unenrolled{}, errNotYet
}

// Challenge verifies a code of the signed-in user's factor (step-up).
func (s *Service) Challenge(ctx context.Context, in ChallengeInput) (Challenged, error) {
	return Challenged{}, errNotYet
}

// CompleteMFA finishes an MFA sign-in with a ticket and a TOTP code.
func (s *Service) CompleteMFA(ctx context.Context, in CompleteInput) (*Session, error) {
	return nil, errNotYet
}

// RecoverMFA finishes an MFA sign-in with a single-use recovery code.
func (s *Service) RecoverMFA(ctx context.Context, in RecoverInput) (*Session, error) {
	return nil, errNotYet
}
