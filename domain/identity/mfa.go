package identity

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/db/kv"
	"github.com/platformhq/platform/domain"
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

// MFA limits.
const (
	maxFactors          = 10 // factors per user
	recoveryCodeCount   = 10 // recovery codes issued on the first verified factor
	mfaTicketAttempts   = 5  // wrong codes a ticket survives before it is dropped
	mfaChallengePerMin  = 10 // step-up attempts per user and minute
	mfaVerifyPerMin     = 10 // enrollment verifications per user and minute
	mfaCompletePerMin   = 30 // complete/recover attempts per user and minute (tickets are cheap to re-obtain)
	factorNameMaxLength = 100
)

// errCodeMismatch marks the answer to a wrong, replayed or malformed code
// (one answer for all, so that a reply does not tell them apart).
var errCodeMismatch = errors.New("identity: mfa code mismatch")

func errWrongCode() error {
	return domain.Wrap(errCodeMismatch, domain.CodeInvalidToken, "The code is invalid or was already used.")
}

func errBadTicket() error {
	return domain.Errorf(domain.CodeInvalidToken, "The MFA ticket is invalid or has expired.")
}

// factorAAD binds a sealed TOTP secret to its tenant and factor.
func factorAAD(tenantID, factorID string) string { return "mfa:" + tenantID + ":" + factorID }

func factorFromRow(r *db.AuthFactor) Factor {
	f := Factor{ID: r.ID, Type: r.Type, FriendlyName: r.FriendlyName, Status: "unverified",
		CreatedAt: r.CreatedAt, VerifiedAt: r.VerifiedAt}
	if r.VerifiedAt != nil {
		f.Status = "verified"
	}
	return f
}

// listFactors lists a user's factors, verified or not, oldest first (also
// used by the admin view GET /v1/users/:user_id/mfa).
func (s *Service) listFactors(ctx context.Context, tenantID, userID string) ([]Factor, error) {
	rows, err := db.AuthFactorsOfUser(ctx, s.core.DB, tenantID, userID)
	if err != nil {
		return nil, domain.Internal(err)
	}
	out := make([]Factor, 0, len(rows))
	for i := range rows {
		out = append(out, factorFromRow(&rows[i]))
	}
	return out, nil
}

// useCode checks code against factor f and, when it matches a time step
// later than the last one used, records that step in w (and marks the
// factor verified). Errors: INVALID_TOKEN (errWrongCode).
func (s *Service) useCode(ctx context.Context, w *domain.Write, f *db.AuthFactor, code string) error {
	secret, err := s.sealer.open(f.SecretEnc, factorAAD(f.TenantID, f.ID))
	if err != nil {
		return domain.Internal(err)
	}
	now := s.now()
	step, ok := matchTOTP(string(secret), normalizeCode(code), now, f.LastUsedStep)
	if !ok {
		return errWrongCode()
	}
	// The conditional update is the replay guard under concurrency: of two
	// requests with one code, only one moves last_used_step.
	accepted, err := db.AuthFactorUseStep(ctx, w.Tx, f.TenantID, f.ID, step, now)
	if err != nil {
		return domain.Internal(err)
	}
	if !accepted {
		return errWrongCode()
	}
	return nil
}

// EnrollTOTP starts a TOTP enrollment for the signed-in user: the factor
// stays unverified until VerifyFactor. Errors: UNAUTHORIZED, FORBIDDEN
// (anonymous user), VALIDATION_FAILED, CONFLICT (name taken, too many).
func (s *Service) EnrollTOTP(ctx context.Context, in EnrollInput) (Enrolled, error) {
	p, err := domain.RequireUser(ctx)
	if err != nil {
		return Enrolled{}, err
	}
	name := strings.TrimSpace(in.FriendlyName)
	if name == "" {
		name = "Authenticator"
	}
	if utf8.RuneCountInString(name) > factorNameMaxLength || !utf8.ValidString(name) {
		return Enrolled{}, domain.Invalid("friendly_name", "must be at most 100 characters")
	}
	u, err := db.AuthUserGet(ctx, s.core.DB, p.TenantID, p.UserID)
	if db.IsNoRows(err) {
		return Enrolled{}, domain.NotFound("user")
	}
	if err != nil {
		return Enrolled{}, domain.Internal(err)
	}
	if u.IsAnonymous {
		return Enrolled{}, domain.Errorf(domain.CodeForbidden, "Anonymous users cannot enroll MFA factors; link an email first.")
	}
	key, err := s.newUserTOTPKey(ctx, u)
	if err != nil {
		return Enrolled{}, err
	}
	id := domain.NewID(domain.PrefixFactor)
	err = s.core.Write(ctx, func(w *domain.Write) error {
		return s.insertFactor(ctx, w, u, &db.AuthFactor{TenantID: p.TenantID, ID: id, UserID: u.ID, Type: "totp",
			FriendlyName: name, SecretEnc: s.sealer.seal([]byte(key.Secret), factorAAD(p.TenantID, id)), CreatedAt: s.now()})
	})
	if err != nil {
		return Enrolled{}, err
	}
	return Enrolled{FactorID: id, Type: "totp", TOTP: key}, nil
}

// newUserTOTPKey makes a key labelled with the tenant's name (issuer) and
// the user's email (or id) as authenticator apps show them.
func (s *Service) newUserTOTPKey(ctx context.Context, u *db.AuthUser) (TOTPSecret, error) {
	t, err := db.TenantGetByID(ctx, s.core.DB, u.TenantID)
	if err != nil {
		return TOTPSecret{}, domain.Internal(err)
	}
	issuer := strings.TrimSpace(t.Name)
	if issuer == "" {
		issuer = s.opts.Issuer
	}
	account := u.ID
	if u.Email != nil {
		account = *u.Email
	}
	return newTOTPKey(issuer, account)
}

// insertFactor stores f after dropping the user's abandoned (unverified)
// enrollments, under the user's row lock so that concurrent enrollments
// cannot pass the name and count checks together.
func (s *Service) insertFactor(ctx context.Context, w *domain.Write, u *db.AuthUser, f *db.AuthFactor) error {
	if err := lockUser(ctx, w, u.TenantID, u.ID); err != nil {
		return err
	}
	if err := db.AuthFactorsDeleteUnverified(ctx, w.Tx, u.TenantID, u.ID); err != nil {
		return domain.Internal(err)
	}
	existing, err := db.AuthFactorsOfUser(ctx, w.Tx, u.TenantID, u.ID)
	if err != nil {
		return domain.Internal(err)
	}
	if len(existing) >= maxFactors {
		return domain.Errorf(domain.CodeConflict, "A user may enroll at most %d factors; unenroll one first.", maxFactors)
	}
	for _, e := range existing {
		if strings.EqualFold(e.FriendlyName, f.FriendlyName) {
			return domain.Errorf(domain.CodeConflict, "A factor named %q already exists.", f.FriendlyName).With("field", "friendly_name")
		}
	}
	if err := db.AuthFactorInsert(ctx, w.Tx, f); err != nil {
		return domain.Internal(err)
	}
	return w.Audit(u.TenantID, "mfa.enroll", "mfa_factor", f.ID, map[string]any{"user_id": u.ID, "type": f.Type, "friendly_name": f.FriendlyName})
}

// lockUser row-locks a user in w: it serializes one user's factor changes.
func lockUser(ctx context.Context, w *domain.Write, tenantID, userID string) error {
	_, err := db.AuthUserGetForUpdate(ctx, w.Tx, tenantID, userID)
	if db.IsNoRows(err) {
		return domain.NotFound("user")
	}
	if err != nil {
		return domain.Internal(err)
	}
	return nil
}

// ListFactors lists the signed-in user's factors.
func (s *Service) ListFactors(ctx context.Context) ([]Factor, error) {
	p, err := domain.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	return s.listFactors(ctx, p.TenantID, p.UserID)
}

// requireCode validates the factor id and code fields every code check
// takes.
func requireCode(factorID, code string) error {
	var v domain.Validation
	v.Check(strings.TrimSpace(factorID) == "", "factor_id", "is required")
	v.Check(strings.TrimSpace(code) == "", "code", "is required")
	v.Check(len(code) > 64, "code", "is too long")
	return v.Err()
}

// VerifyFactor completes an enrollment with a first code (or re-verifies a
// verified factor). The user's first verified factor comes with recovery
// codes, shown this once; the caller's session becomes aal2. Errors:
// NOT_FOUND (not the caller's factor), INVALID_TOKEN (wrong or replayed
// code), RATE_LIMITED.
func (s *Service) VerifyFactor(ctx context.Context, in MFAVerifyInput) (MFAVerified, error) {
	p, err := domain.RequireUser(ctx)
	if err != nil {
		return MFAVerified{}, err
	}
	if err := requireCode(in.FactorID, in.Code); err != nil {
		return MFAVerified{}, err
	}
	if err := s.limit(ctx, kv.TenantKey(p.TenantID, "mfaverify", p.UserID), mfaVerifyPerMin, time.Minute); err != nil {
		return MFAVerified{}, err
	}
	out := MFAVerified{Verified: true}
	err = s.core.Write(ctx, func(w *domain.Write) error {
		// The user's row lock serializes verifications, so two first
		// factors cannot both issue recovery codes.
		if err := lockUser(ctx, w, p.TenantID, p.UserID); err != nil {
			return err
		}
		f, err := ownFactor(ctx, w, p, in.FactorID, false)
		if err != nil {
			return err
		}
		verifiedBefore, err := db.AuthFactorsVerifiedCount(ctx, w.Tx, p.TenantID, p.UserID)
		if err != nil {
			return domain.Internal(err)
		}
		if err := s.useCode(ctx, w, f, in.Code); err != nil {
			return err
		}
		if f.VerifiedAt == nil && verifiedBefore == 0 {
			if out.RecoveryCodes, err = s.issueRecoveryCodes(ctx, w, p.TenantID, p.UserID); err != nil {
				return err
			}
		}
		if err := db.AuthSessionSetAAL(ctx, w.Tx, p.TenantID, p.UserID, p.SessionID, "aal2"); err != nil {
			return domain.Internal(err)
		}
		return w.Audit(p.TenantID, "mfa.verify", "mfa_factor", f.ID, map[string]any{"user_id": p.UserID,
			"first_verification": f.VerifiedAt == nil, "recovery_codes_issued": len(out.RecoveryCodes) > 0})
	})
	if err != nil {
		return MFAVerified{}, err
	}
	return out, nil
}

// recoveryCodeHash is the stored HMAC of a canonical recovery code.
func (s *Service) recoveryCodeHash(tenantID, userID, code string) []byte {
	return tokenHash(s.core.Secret, "mfa-recovery:"+tenantID+":"+userID+":"+code)
}

// canonicalRecoveryCode is how a typed recovery code is compared:
// lower-case, without spaces or dashes.
func canonicalRecoveryCode(code string) string { return strings.ToLower(normalizeCode(code)) }

// issueRecoveryCodes replaces the user's recovery codes with new ones and
// returns them (xxxxx-xxxxx, lower-case base36: about 51 bits each).
func (s *Service) issueRecoveryCodes(ctx context.Context, w *domain.Write, tenantID, userID string) ([]string, error) {
	codes := make([]string, recoveryCodeCount)
	hashes := make([][]byte, recoveryCodeCount)
	for i := range codes {
		raw := strings.ToLower(randomToken("", 10))
		codes[i] = raw[:5] + "-" + raw[5:]
		hashes[i] = s.recoveryCodeHash(tenantID, userID, raw)
	}
	if err := db.AuthRecoveryCodesReplace(ctx, w.Tx, tenantID, userID, hashes, s.now()); err != nil {
		return nil, domain.Internal(err)
	}
	return codes, nil
}

// Unenroll removes one of the signed-in user's factors; with no verified
// factor left, the user's recovery codes go too. Errors: NOT_FOUND.
func (s *Service) Unenroll(ctx context.Context, in FactorIDRef) (Unenrolled, error) {
	p, err := domain.RequireUser(ctx)
	if err != nil {
		return Unenrolled{}, err
	}
	err = s.core.Write(ctx, func(w *domain.Write) error {
		if err := lockUser(ctx, w, p.TenantID, p.UserID); err != nil {
			return err
		}
		f, err := ownFactor(ctx, w, p, in.FactorID, false)
		if err != nil {
			return err
		}
		if _, err := db.AuthFactorDelete(ctx, w.Tx, p.TenantID, p.UserID, f.ID); err != nil {
			return domain.Internal(err)
		}
		left, err := db.AuthFactorsVerifiedCount(ctx, w.Tx, p.TenantID, p.UserID)
		if err != nil {
			return domain.Internal(err)
		}
		if left == 0 {
			if err := db.AuthRecoveryCodesDelete(ctx, w.Tx, p.TenantID, p.UserID); err != nil {
				return domain.Internal(err)
			}
		}
		return w.Audit(p.TenantID, "mfa.unenroll", "mfa_factor", f.ID, map[string]any{"user_id": p.UserID,
			"was_verified": f.VerifiedAt != nil, "session_aal": p.AAL, "verified_factors_left": left})
	})
	if err != nil {
		return Unenrolled{}, err
	}
	return Unenrolled{Unenrolled: true}, nil
}

// Challenge verifies a code of the signed-in user's verified factor
// (step-up) and raises the session to aal2. It only ever acts on the
// caller: a user_id naming anyone else is FORBIDDEN. Errors: NOT_FOUND,
// INVALID_TOKEN, RATE_LIMITED.
func (s *Service) Challenge(ctx context.Context, in ChallengeInput) (Challenged, error) {
	p, err := domain.RequireUser(ctx)
	if err != nil {
		return Challenged{}, err
	}
	if uid := strings.TrimSpace(in.UserID); uid != "" && uid != p.UserID {
		return Challenged{}, domain.Errorf(domain.CodeForbidden, "A step-up challenge verifies the caller's own factor only.")
	}
	if err := requireCode(in.FactorID, in.Code); err != nil {
		return Challenged{}, err
	}
	if err := s.limit(ctx, kv.TenantKey(p.TenantID, "mfachal", p.UserID), mfaChallengePerMin, time.Minute); err != nil {
		return Challenged{}, err
	}
	err = s.core.Write(ctx, func(w *domain.Write) error {
		f, err := ownFactor(ctx, w, p, in.FactorID, true)
		if err != nil {
			return err
		}
		if err := s.useCode(ctx, w, f, in.Code); err != nil {
			return err
		}
		if err := db.AuthSessionSetAAL(ctx, w.Tx, p.TenantID, p.UserID, p.SessionID, "aal2"); err != nil {
			return domain.Internal(err)
		}
		return w.Audit(p.TenantID, "mfa.challenge", "mfa_factor", f.ID, map[string]any{"user_id": p.UserID, "session_id": p.SessionID})
	})
	if err != nil {
		return Challenged{}, err
	}
	return Challenged{UserID: p.UserID, Verified: true}, nil
}

// pendingMFA is an open MFA ticket: its tenant, raw token and payload.
type pendingMFA struct {
	TenantID string
	Token    string
	mfaTicket
}

// openTicket resolves an mfa_ticket ("<tenant_id>.<token>") without
// consuming it, so that a wrong code does not cost the ticket and a bad
// ticket does not burn a code. A bearer sent along must belong to the
// ticket's tenant. Errors: INVALID_TOKEN, TENANT_SUSPENDED.
func (s *Service) openTicket(ctx context.Context, raw string) (*pendingMFA, error) {
	tenantID, token, ok := strings.Cut(strings.TrimSpace(raw), ".")
	if !ok || tenantID == "" || token == "" {
		return nil, errBadTicket()
	}
	if p := domain.PrincipalFrom(ctx); p != nil && p.TenantID != "" && p.TenantID != tenantID {
		return nil, errBadTicket()
	}
	if _, err := s.portalTenant(ctx, tenantID); err != nil {
		if c := domain.ErrorCode(err); c == domain.CodeNotFound || c == domain.CodeValidationFailed {
			return nil, errBadTicket()
		}
		return nil, err
	}
	t := &pendingMFA{TenantID: tenantID, Token: token}
	if err := s.peekOTT(ctx, tenantID, ottMFATicket, token, &t.mfaTicket); err != nil {
		return nil, err
	}
	if err := s.limit(ctx, kv.TenantKey(tenantID, "mfacomplete", t.UserID), mfaCompletePerMin, time.Minute); err != nil {
		return nil, err
	}
	return t, nil
}

// attemptsKey counts the wrong codes given with one ticket.
func (s *Service) attemptsKey(t *pendingMFA) string {
	return s.ottKey(t.TenantID, "mfa_attempts", t.Token)
}

// ticketFailure counts a wrong code against the ticket and drops the
// ticket after mfaTicketAttempts of them: a password alone then buys only
// a few guesses per login.
func (s *Service) ticketFailure(ctx context.Context, t *pendingMFA) {
	key := s.attemptsKey(t)
	n, err := s.core.Redis.Incr(ctx, key).Result()
	if err != nil {
		s.core.Log.Warn("mfa ticket attempt not counted", "err", err)
		return
	}
	if n == 1 {
		_ = s.core.Redis.Expire(ctx, key, mfaTicketTTL).Err()
	}
	if n >= mfaTicketAttempts {
		s.dropOTT(ctx, t.TenantID, ottMFATicket, t.Token)
		_ = s.core.Redis.Del(ctx, key).Err()
	}
}

// finishTicket consumes the ticket (single use: of two racing
// completions one wins), re-checks that the user may sign in and starts
// an aal2 session in w.
func (s *Service) finishTicket(ctx context.Context, w *domain.Write, cfg *Config, t *pendingMFA, method string) (*Session, error) {
	var again mfaTicket
	if err := s.consumeOTT(ctx, t.TenantID, ottMFATicket, t.Token, &again); err != nil {
		return nil, err
	}
	_ = s.core.Redis.Del(ctx, s.attemptsKey(t)).Err()
	if again.UserID != t.UserID {
		return nil, errBadTicket()
	}
	u, err := db.AuthUserGet(ctx, w.Tx, t.TenantID, t.UserID)
	if db.IsNoRows(err) {
		return nil, errBadTicket()
	}
	if err != nil {
		return nil, domain.Internal(err)
	}
	if err := admit(cfg, u); err != nil {
		return nil, err
	}
	return s.startSession(ctx, w, cfg, newSessionInput{TenantID: t.TenantID, User: u, Method: method, AAL: "aal2"})
}

// CompleteMFA finishes an MFA sign-in with a ticket and a TOTP code of one
// of the ticket user's verified factors. A wrong code leaves the ticket
// usable (up to mfaTicketAttempts wrong codes). Errors: VALIDATION_FAILED,
// INVALID_TOKEN, USER_BANNED, EMAIL_NOT_CONFIRMED, RATE_LIMITED.
func (s *Service) CompleteMFA(ctx context.Context, in CompleteInput) (*Session, error) {
	if err := checkCompleteInput(in); err != nil {
		return nil, err
	}
	t, err := s.openTicket(ctx, in.MFATicket)
	if err != nil {
		return nil, err
	}
	cfg, err := s.config(ctx, t.TenantID)
	if err != nil {
		return nil, err
	}
	f, err := db.AuthFactorGet(ctx, s.core.DB, t.TenantID, t.UserID, strings.TrimSpace(in.FactorID))
	if err != nil && !db.IsNoRows(err) {
		return nil, domain.Internal(err)
	}
	if err != nil || f.VerifiedAt == nil {
		s.ticketFailure(ctx, t)
		return nil, errWrongCode()
	}
	var sess *Session
	err = s.core.Write(ctx, func(w *domain.Write) error {
		if err := s.useCode(ctx, w, f, in.Code); err != nil {
			return err
		}
		sess, err = s.finishTicket(ctx, w, cfg, t, t.Method+"+totp")
		return err
	})
	if errors.Is(err, errCodeMismatch) {
		s.ticketFailure(ctx, t)
	}
	if err != nil {
		return nil, err
	}
	return sess, nil
}

// checkCompleteInput reports every missing field of a ticket completion.
func checkCompleteInput(in CompleteInput) error {
	var v domain.Validation
	v.Check(strings.TrimSpace(in.MFATicket) == "", "mfa_ticket", "is required")
	v.Check(strings.TrimSpace(in.FactorID) == "", "factor_id", "is required")
	v.Check(strings.TrimSpace(in.Code) == "", "code", "is required")
	v.Check(len(in.Code) > 64, "code", "is too long")
	return v.Err()
}

// RecoverMFA finishes an MFA sign-in with a single-use recovery code
// instead of a TOTP code. Errors: VALIDATION_FAILED, INVALID_TOKEN,
// USER_BANNED, EMAIL_NOT_CONFIRMED, RATE_LIMITED.
func (s *Service) RecoverMFA(ctx context.Context, in RecoverInput) (*Session, error) {
	var v domain.Validation
	v.Check(strings.TrimSpace(in.MFATicket) == "", "mfa_ticket", "is required")
	v.Check(strings.TrimSpace(in.RecoveryCode) == "", "recovery_code", "is required")
	v.Check(len(in.RecoveryCode) > 64, "recovery_code", "is too long")
	if err := v.Err(); err != nil {
		return nil, err
	}
	t, err := s.openTicket(ctx, in.MFATicket)
	if err != nil {
		return nil, err
	}
	cfg, err := s.config(ctx, t.TenantID)
	if err != nil {
		return nil, err
	}
	hash := s.recoveryCodeHash(t.TenantID, t.UserID, canonicalRecoveryCode(in.RecoveryCode))
	var sess *Session
	err = s.core.Write(ctx, func(w *domain.Write) error {
		used, err := db.AuthRecoveryCodeUse(ctx, w.Tx, t.TenantID, t.UserID, hash, s.now())
		if err != nil {
			return domain.Internal(err)
		}
		if !used {
			return errWrongCode()
		}
		if err := w.Audit(t.TenantID, "mfa.recovery_code_used", "user", t.UserID, map[string]any{}); err != nil {
			return err
		}
		sess, err = s.finishTicket(ctx, w, cfg, t, "recovery")
		return err
	})
	if errors.Is(err, errCodeMismatch) {
		s.ticketFailure(ctx, t)
	}
	if err != nil {
		return nil, err
	}
	return sess, nil
}

// ownFactor loads one of the caller's factors (only a verified one when
// verified is set). Errors: NOT_FOUND.
func ownFactor(ctx context.Context, w *domain.Write, p *domain.Principal, factorID string, verified bool) (*db.AuthFactor, error) {
	f, err := db.AuthFactorGet(ctx, w.Tx, p.TenantID, p.UserID, strings.TrimSpace(factorID))
	if db.IsNoRows(err) || (err == nil && verified && f.VerifiedAt == nil) {
		return nil, domain.NotFound("factor")
	}
	if err != nil {
		return nil, domain.Internal(err)
	}
	return f, nil
}
