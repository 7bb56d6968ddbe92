package identity

import (
	"context"
	"crypto/subtle"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/db/kv"
	"github.com/platformhq/platform/domain"
)

// OTPSendInput is the body of POST /v1/auth/otp/send.
type OTPSendInput struct {
	Phone string `json:"phone"`
}

// OTPVerifyInput is the body of POST /v1/auth/otp/verify.
type OTPVerifyInput struct {
	Phone string `json:"phone"`
	Code  string `json:"code"`
}

// SMS one-time codes: 6 digits, valid 10 minutes (by the domain clock), at
// most 5 guesses each, at most 5 sent to a phone an hour. A new code
// replaces the previous one.
const (
	otpDigits      = 6
	otpTTL         = 10 * time.Minute
	otpMaxAttempts = 5
	otpSendsPerHr  = 5

	noticeOTP = "If this phone can sign in, a code has been sent."
)

// otpKey is the Redis hash of a phone's pending code: code_hash (HMAC of
// phone and code), attempts, issued_at (unix nanoseconds).
func otpKey(tenantID, phone string) string { return kv.TenantKey(tenantID, "otp", phone) }

func (s *Service) otpHash(phone, code string) string {
	return hex.EncodeToString(tokenHash(s.core.Secret, phone+":"+code))
}

// SendOTP texts a one-time code to an E.164 phone number.
func (s *Service) SendOTP(ctx context.Context, in OTPSendInput) (Notice, error) {
	tenantID, err := callerTenant(ctx)
	if err != nil {
		return Notice{}, err
	}
	if err := s.sendOTP(ctx, tenantID, in); err != nil {
		return Notice{}, err
	}
	return Notice{Message: noticeOTP}, nil
}

// otpConfig loads the configuration of an OTP call, refusing when the
// tenant disabled phone sign-in, and counts the attempt.
func (s *Service) otpConfig(ctx context.Context, tenantID, action string) (*Config, error) {
	cfg, err := s.config(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	if !cfg.OTPEnabled {
		return nil, domain.Errorf(domain.CodeForbidden, "Phone (OTP) sign-in is disabled for this tenant.")
	}
	return cfg, s.throttle(ctx, tenantID, action, cfg.RateLimits.OTPPerMinute)
}

// sendOTP stores a fresh code for the phone and texts it. A phone without a
// user gets one only when sign-ups are open (the user is created on
// verify); a banned user's phone gets none. The answer is the same.
func (s *Service) sendOTP(ctx context.Context, tenantID string, in OTPSendInput) error {
	cfg, err := s.otpConfig(ctx, tenantID, actOTP)
	if err != nil {
		return err
	}
	phone := strings.TrimSpace(in.Phone)
	var v domain.Validation
	checkPhone(&v, "phone", phone, true)
	if err := v.Err(); err != nil {
		return err
	}
	// Per phone, whoever asks: bounds SMS cost and code guessing by resend.
	if err := s.limit(ctx, kv.TenantKey(tenantID, "otpsend", phone), otpSendsPerHr, time.Hour); err != nil {
		return err
	}
	u, err := db.AuthUserByPhone(ctx, s.core.DB, tenantID, phone)
	if err != nil && !db.IsNoRows(err) {
		return domain.Internal(err)
	}
	if (err != nil && !cfg.SignupEnabled) || (err == nil && u.Banned) {
		return nil
	}
	code := randomDigits(otpDigits)
	key := otpKey(tenantID, phone)
	_, err = s.core.Redis.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Del(ctx, key)
		p.HSet(ctx, key, "code_hash", s.otpHash(phone, code), "attempts", 0,
			"issued_at", strconv.FormatInt(s.now().UnixNano(), 10))
		p.Expire(ctx, key, otpTTL)
		return nil
	})
	if err != nil {
		return domain.Wrap(err, domain.CodeUnavailable, "The code store is unavailable; retry shortly.")
	}
	return s.opts.Sender.Send(ctx, Message{TenantID: tenantID, Channel: "sms", Recipient: phone, Kind: "otp",
		Body: "Your sign-in code is " + code + ". It expires in 10 minutes.", Code: code})
}

// VerifyOTP exchanges a phone and code for a session.
func (s *Service) VerifyOTP(ctx context.Context, in OTPVerifyInput) (*SignIn, error) {
	tenantID, err := callerTenant(ctx)
	if err != nil {
		return nil, err
	}
	return s.verifyOTP(ctx, tenantID, in)
}

// verifyOTP checks the code (single use, 5 guesses, 10 minutes), then finds
// or creates the phone's user, marks the phone verified and signs it in.
func (s *Service) verifyOTP(ctx context.Context, tenantID string, in OTPVerifyInput) (*SignIn, error) {
	cfg, err := s.otpConfig(ctx, tenantID, actOTP+"_verify")
	if err != nil {
		return nil, err
	}
	phone, code := strings.TrimSpace(in.Phone), strings.TrimSpace(in.Code)
	var v domain.Validation
	checkPhone(&v, "phone", phone, true)
	v.Check(code == "", "code", "is required")
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := s.checkOTP(ctx, tenantID, phone, code); err != nil {
		return nil, err
	}
	u, err := s.userByPhoneOrNew(ctx, cfg, tenantID, phone)
	if err != nil {
		return nil, err
	}
	if u.PhoneVerifiedAt == nil {
		// A unit of work of its own, audited as the user's act.
		err := s.core.Write(ctx, func(w *domain.Write) error {
			if err := db.AuthUserMarkPhoneVerified(ctx, w.Tx, tenantID, u.ID, s.now()); err != nil {
				return domain.Internal(err)
			}
			return w.AuditAs(string(domain.PrincipalUser), u.ID, tenantID, "auth.phone_verified", "user", u.ID,
				map[string]any{"phone": phone})
		})
		if err != nil {
			return nil, err
		}
		u.PhoneVerifiedAt = ptr(s.now())
	}
	return s.signIn(ctx, cfg, tenantID, u, "otp")
}

// otpTake atomically counts one attempt on a pending code and returns the
// new count, the code hash and the issue time; nothing when there is no
// code. Counting before comparing bounds guesses even when they race.
var otpTake = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local n = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
return {n, redis.call('HGET', KEYS[1], 'code_hash'), redis.call('HGET', KEYS[1], 'issued_at')}
`)

// checkOTP accepts the right code once; a wrong, expired, used or
// exhausted code is INVALID_TOKEN. The code is dropped when used, expired
// or guessed wrong for the fifth time.
func (s *Service) checkOTP(ctx context.Context, tenantID, phone, code string) error {
	key := otpKey(tenantID, phone)
	res, err := otpTake.Run(ctx, s.core.Redis, []string{key}).Slice()
	if err == redis.Nil {
		return invalidCode()
	}
	if err != nil || len(res) != 3 {
		return domain.Wrap(err, domain.CodeUnavailable, "The code store is unavailable; retry shortly.")
	}
	attempts, _ := res[0].(int64)
	hash, _ := res[1].(string)
	issuedRaw, _ := res[2].(string)
	issued, _ := strconv.ParseInt(issuedRaw, 10, 64)
	if attempts > otpMaxAttempts || s.now().Sub(time.Unix(0, issued)) >= otpTTL {
		s.core.Redis.Del(ctx, key)
		return invalidCode()
	}
	if subtle.ConstantTimeCompare([]byte(hash), []byte(s.otpHash(phone, code))) != 1 {
		if attempts >= otpMaxAttempts {
			s.core.Redis.Del(ctx, key)
		}
		return invalidCode()
	}
	// Single use: of two requests with the right code, only the one that
	// deletes it wins.
	if n, err := s.core.Redis.Del(ctx, key).Result(); err != nil || n == 0 {
		return invalidCode()
	}
	return nil
}

func invalidCode() error {
	return domain.Errorf(domain.CodeInvalidToken, "The code is invalid or has expired.")
}

// userByPhoneOrNew finds the phone's user or, when sign-ups are open,
// creates a passwordless one (the code just proved the phone).
func (s *Service) userByPhoneOrNew(ctx context.Context, cfg *Config, tenantID, phone string) (*db.AuthUser, error) {
	u, err := db.AuthUserByPhone(ctx, s.core.DB, tenantID, phone)
	if err == nil {
		return u, nil
	}
	if !db.IsNoRows(err) {
		return nil, domain.Internal(err)
	}
	if !cfg.SignupEnabled {
		return nil, invalidCode()
	}
	now := s.now()
	u = &db.AuthUser{TenantID: tenantID, ID: domain.NewID(domain.PrefixUser), Phone: &phone, Role: DefaultRole,
		PhoneVerifiedAt: &now, UserMetadata: []byte(`{}`), AppMetadata: []byte(`{"provider":"phone"}`),
		CreatedAt: now, UpdatedAt: now}
	err = s.core.Write(ctx, func(w *domain.Write) error { return s.insertUser(ctx, w, u) })
	if domain.ErrorCode(err) == domain.CodeConflict {
		if u, err = db.AuthUserByPhone(ctx, s.core.DB, tenantID, phone); err != nil {
			return nil, domain.Internal(err)
		}
		return u, nil
	}
	if err != nil {
		return nil, err
	}
	return u, nil
}
