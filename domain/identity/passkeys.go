package identity

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// Passkeys (WebAuthn) with github.com/go-webauthn/webauthn. The tenant's
// auth-config names the relying party (rp_id, rp_name, origins).
//
// Ceremony state: each begin stores the library's SessionData in Redis as a
// one-time token whose token is the ceremony's challenge itself (only its
// HMAC is the key). The browser's response carries that challenge in its
// signed clientDataJSON, so complete finds its ceremony without a separate
// challenge id, takes it with GETDEL (single use: a replayed response finds
// nothing) and the library then checks the challenge, origin and signature
// against it. Several ceremonies may be outstanding at once (two tabs);
// each lives 5 minutes.

// One-time token kinds of the passkey ceremonies.
const (
	ottPasskeyReg  = "passkey_reg"  // registration ceremony (SessionData + user)
	ottPasskeyAuth = "passkey_auth" // authentication ceremony (SessionData)

	passkeyCeremonyTTL = 5 * time.Minute
)

// Passkey limits and throttles.
const (
	maxPasskeys          = 20  // passkeys per user
	passkeyNameMaxLength = 100 // friendly_name
	actPasskeyBegin      = "passkey_begin"
)

// Passkey is a registered passkey as its owner sees it; credential_id is
// the WebAuthn credential id in base64url (no padding), as browsers write it.
type Passkey struct {
	ID           string     `json:"id"`
	UserID       string     `json:"user_id"`
	CredentialID string     `json:"credential_id"`
	FriendlyName string     `json:"friendly_name"`
	CreatedAt    time.Time  `json:"created_at"`
	LastUsedAt   *time.Time `json:"last_used_at"`
}

// PasskeyOptions answers a begin: the PublicKeyCredentialCreationOptions
// (registration) or PublicKeyCredentialRequestOptions (authentication) as
// JSON, binary members in base64url, ready for
// PublicKeyCredential.parseCreationOptionsFromJSON / parseRequestOptionsFromJSON.
type PasskeyOptions struct {
	Options json.RawMessage `json:"options"`
}

// PasskeyRegisterInput is the body of POST /v1/auth/passkeys/register/complete:
// the browser's PublicKeyCredential (toJSON()) and a name for the list.
type PasskeyRegisterInput struct {
	Credential   json.RawMessage `json:"credential"`
	FriendlyName string          `json:"friendly_name"`
}

// PasskeyLoginBeginInput is the body of POST /v1/auth/passkeys/authenticate/begin.
// With an email the options list that user's passkeys (allowCredentials);
// without one the login is discoverable (the authenticator offers its
// passkeys for the relying party, no email typed).
type PasskeyLoginBeginInput struct {
	Email string `json:"email"`
}

// PasskeyLoginInput is the body of POST /v1/auth/passkeys/authenticate/complete.
type PasskeyLoginInput struct {
	Credential json.RawMessage `json:"credential"`
}

// PasskeyRef names a passkey (path parameter): its pk_ id or its
// credential id in base64url.
type PasskeyRef struct {
	CredentialID string `path:"credential_id" json:"-"`
}

// PasskeyDeleted answers a deletion.
type PasskeyDeleted struct {
	Deleted bool `json:"deleted"`
}

// passkeyRegCeremony is what a registration begin leaves for its complete.
type passkeyRegCeremony struct {
	UserID  string               `json:"user_id"`
	Session webauthn.SessionData `json:"session"`
}

// passkeyFlags is the flags document of a stored passkey: the authenticator
// flags of its last ceremony (raw, so that the library's credential record
// is rebuilt exactly) and the attestation format, which the library needs
// to tell legacy U2F credentials apart.
type passkeyFlags struct {
	Raw            uint8  `json:"raw"`
	UserPresent    bool   `json:"user_present"`
	UserVerified   bool   `json:"user_verified"`
	BackupEligible bool   `json:"backup_eligible"`
	BackupState    bool   `json:"backup_state"`
	Format         string `json:"attestation_format,omitempty"`
}

func flagsDoc(f webauthn.CredentialFlags, format string) json.RawMessage {
	raw, _ := json.Marshal(passkeyFlags{Raw: uint8(f.ProtocolValue()), UserPresent: f.UserPresent,
		UserVerified: f.UserVerified, BackupEligible: f.BackupEligible, BackupState: f.BackupState, Format: format})
	return raw
}

func passkeyFromRow(r *db.AuthPasskey) Passkey {
	return Passkey{ID: r.ID, UserID: r.UserID, CredentialID: base64.RawURLEncoding.EncodeToString(r.CredentialID),
		FriendlyName: r.FriendlyName, CreatedAt: r.CreatedAt, LastUsedAt: r.LastUsedAt}
}

// credentialFromRow rebuilds the library's credential record.
func credentialFromRow(r *db.AuthPasskey) webauthn.Credential {
	var f passkeyFlags
	_ = json.Unmarshal(r.Flags, &f)
	transports := make([]protocol.AuthenticatorTransport, 0, len(r.Transports))
	for _, t := range r.Transports {
		transports = append(transports, protocol.AuthenticatorTransport(t))
	}
	return webauthn.Credential{ID: r.CredentialID, PublicKey: r.PublicKey, AttestationType: r.AttestationType,
		AttestationFormat: f.Format, Transport: transports,
		Flags:         webauthn.NewCredentialFlags(protocol.AuthenticatorFlags(f.Raw)),
		Authenticator: webauthn.Authenticator{AAGUID: r.AAGUID, SignCount: uint32(r.SignCount)}}
}

// passkeyUser adapts a user and its passkeys to webauthn.User. The user
// handle is the user id's bytes (usr_..., well under WebAuthn's 64 bytes),
// so a discoverable assertion names its user directly.
type passkeyUser struct {
	u     *db.AuthUser
	creds []webauthn.Credential
}

func (p passkeyUser) WebAuthnID() []byte { return []byte(p.u.ID) }

func (p passkeyUser) WebAuthnName() string {
	if p.u.Email != nil {
		return *p.u.Email
	}
	if p.u.Phone != nil {
		return *p.u.Phone
	}
	return p.u.ID
}

// WebAuthnDisplayName is the user's name from its metadata ("name" or
// "full_name"), else its account name.
func (p passkeyUser) WebAuthnDisplayName() string {
	var meta map[string]any
	_ = json.Unmarshal(p.u.UserMetadata, &meta)
	for _, k := range []string{"name", "full_name"} {
		if s, ok := meta[k].(string); ok && strings.TrimSpace(s) != "" {
			return truncate(strings.TrimSpace(s), 64)
		}
	}
	return p.WebAuthnName()
}

func (p passkeyUser) WebAuthnCredentials() []webauthn.Credential { return p.creds }

// relyingParty builds the tenant's WebAuthn relying party. Passkeys that
// are disabled or not configured are FORBIDDEN, naming the fix.
func relyingParty(cfg *Config) (*webauthn.WebAuthn, error) {
	pk := cfg.Passkeys
	if !pk.Enabled || pk.RPID == "" || len(pk.Origins) == 0 {
		return nil, domain.Errorf(domain.CodeForbidden,
			"Passkeys are not enabled for this tenant; configure passkeys (enabled, rp_id, origins) with PATCH /v1/auth-config.")
	}
	name := pk.RPName
	if name == "" {
		name = pk.RPID
	}
	required := true
	wa, err := webauthn.New(&webauthn.Config{RPID: pk.RPID, RPDisplayName: name, RPOrigins: pk.Origins,
		AttestationPreference: protocol.PreferNoAttestation,
		// Passkeys are discoverable credentials (login without an email);
		// user verification is preferred: a verified assertion counts as
		// two factors (aal2), an unverified one as a first factor.
		AuthenticatorSelection: protocol.AuthenticatorSelection{ResidentKey: protocol.ResidentKeyRequirementRequired,
			RequireResidentKey: &required, UserVerification: protocol.VerificationPreferred}})
	if err != nil {
		return nil, domain.Wrap(err, domain.CodeForbidden,
			"The tenant's passkey configuration is invalid; fix passkeys in PATCH /v1/auth-config.")
	}
	return wa, nil
}

// passkeyContext loads what every passkey call needs: the configuration
// and the relying party of tenantID.
func (s *Service) passkeyContext(ctx context.Context, tenantID string) (*Config, *webauthn.WebAuthn, error) {
	cfg, err := s.config(ctx, tenantID)
	if err != nil {
		return nil, nil, err
	}
	wa, err := relyingParty(cfg)
	return cfg, wa, err
}

// passkeyUserOf loads a user and its passkeys.
func (s *Service) passkeyUserOf(ctx context.Context, tenantID, userID string) (passkeyUser, []db.AuthPasskey, error) {
	u, err := db.AuthUserGet(ctx, s.core.DB, tenantID, userID)
	if db.IsNoRows(err) {
		return passkeyUser{}, nil, domain.NotFound("user")
	}
	if err != nil {
		return passkeyUser{}, nil, domain.Internal(err)
	}
	rows, err := db.AuthPasskeysOfUser(ctx, s.core.DB, tenantID, userID)
	if err != nil {
		return passkeyUser{}, nil, domain.Internal(err)
	}
	creds := make([]webauthn.Credential, 0, len(rows))
	for i := range rows {
		creds = append(creds, credentialFromRow(&rows[i]))
	}
	return passkeyUser{u: u, creds: creds}, rows, nil
}

// storeCeremony keeps a ceremony's state under its challenge (see the top
// of this file).
func (s *Service) storeCeremony(ctx context.Context, tenantID, kind, challenge string, payload any) error {
	raw, err := json.Marshal(payload)
	if err != nil {
		return domain.Internal(err)
	}
	err = s.core.Redis.Set(ctx, s.ottKey(tenantID, kind, challenge), raw, passkeyCeremonyTTL).Err()
	if err != nil {
		return domain.Wrap(err, domain.CodeUnavailable, "The token store is unavailable; retry shortly.")
	}
	return nil
}

// takeCeremony consumes the ceremony of challenge; a missing, expired or
// used one is stale (reported by the caller in its own terms), the token
// store being down stays UNAVAILABLE.
func (s *Service) takeCeremony(ctx context.Context, tenantID, kind, challenge string, dst any) (stale bool, err error) {
	err = s.consumeOTT(ctx, tenantID, kind, challenge, dst)
	var de *domain.Error
	if errors.As(err, &de) && de.Code == domain.CodeInvalidToken {
		return true, nil
	}
	return false, err
}

// protocolDetail describes a library error for a client: its summary and,
// when there is one, the detail (such as the expected and received origins).
func protocolDetail(err error) string {
	var pe *protocol.Error
	if !errors.As(err, &pe) {
		return "the response could not be verified"
	}
	msg := pe.Details
	if pe.DevInfo != "" {
		msg += " (" + pe.DevInfo + ")"
	}
	return strings.ToValidUTF8(truncate(msg, 300), "")
}

// BeginPasskeyRegistration starts registering a passkey for the signed-in
// user: creation options requiring a discoverable credential, preferring
// user verification and excluding the user's existing passkeys.
// Errors: UNAUTHORIZED (not a user's token), FORBIDDEN (passkeys not
// configured, anonymous user), CONFLICT (too many passkeys).
func (s *Service) BeginPasskeyRegistration(ctx context.Context) (*PasskeyOptions, error) {
	p, err := domain.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	_, wa, err := s.passkeyContext(ctx, p.TenantID)
	if err != nil {
		return nil, err
	}
	user, _, err := s.passkeyUserOf(ctx, p.TenantID, p.UserID)
	if err != nil {
		return nil, err
	}
	if user.u.IsAnonymous {
		return nil, domain.Errorf(domain.CodeForbidden, "Anonymous users cannot register passkeys; add an email to the account first.")
	}
	if len(user.creds) >= maxPasskeys {
		return nil, domain.Errorf(domain.CodeConflict, "A user may register at most %d passkeys; delete one first.", maxPasskeys)
	}
	creation, session, err := wa.BeginRegistration(user,
		webauthn.WithExclusions(webauthn.Credentials(user.creds).CredentialDescriptors()))
	if err != nil {
		return nil, domain.Internal(err)
	}
	if err := s.storeCeremony(ctx, p.TenantID, ottPasskeyReg, session.Challenge,
		passkeyRegCeremony{UserID: p.UserID, Session: *session}); err != nil {
		return nil, err
	}
	return optionsAnswer(creation.Response)
}

func optionsAnswer(v any) (*PasskeyOptions, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, domain.Internal(err)
	}
	return &PasskeyOptions{Options: raw}, nil
}

// CompletePasskeyRegistration verifies the browser's attestation against
// the caller's open registration (challenge, origin, relying party id,
// signature) and stores the passkey. Errors: VALIDATION_FAILED on
// credential (malformed, unknown or used challenge, wrong origin, bad
// signature) or friendly_name; CONFLICT when the credential is registered.
func (s *Service) CompletePasskeyRegistration(ctx context.Context, in PasskeyRegisterInput) (*Passkey, error) {
	p, err := domain.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	_, wa, err := s.passkeyContext(ctx, p.TenantID)
	if err != nil {
		return nil, err
	}
	name, err := passkeyName(in.FriendlyName)
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(in.Credential)) == 0 || string(bytes.TrimSpace(in.Credential)) == "null" {
		return nil, domain.Invalid("credential", "is required (the PublicKeyCredential from navigator.credentials.create)")
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(in.Credential)
	if err != nil {
		return nil, domain.Invalid("credential", "is not a valid WebAuthn registration response: "+protocolDetail(err))
	}
	var cer passkeyRegCeremony
	stale, err := s.takeCeremony(ctx, p.TenantID, ottPasskeyReg, parsed.Response.CollectedClientData.Challenge, &cer)
	if err != nil {
		return nil, err
	}
	// Another user's ceremony is as good as none for this caller.
	if stale || cer.UserID != p.UserID {
		return nil, domain.Invalid("credential", "answers an unknown, expired or already used challenge; begin the registration again")
	}
	user, _, err := s.passkeyUserOf(ctx, p.TenantID, p.UserID)
	if err != nil {
		return nil, err
	}
	cred, err := wa.CreateCredential(user, cer.Session, parsed)
	if err != nil {
		return nil, domain.Invalid("credential", "could not be verified: "+protocolDetail(err))
	}
	return s.storePasskey(ctx, p.TenantID, p.UserID, name, cred)
}

func passkeyName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if !utf8.ValidString(name) || utf8.RuneCountInString(name) > passkeyNameMaxLength {
		return "", domain.Invalid("friendly_name", "must be at most 100 characters")
	}
	if name == "" {
		name = "Passkey"
	}
	return name, nil
}

func (s *Service) storePasskey(ctx context.Context, tenantID, userID, name string, cred *webauthn.Credential) (*Passkey, error) {
	transports := make([]string, 0, len(cred.Transport))
	for _, t := range cred.Transport {
		transports = append(transports, string(t))
	}
	row := &db.AuthPasskey{TenantID: tenantID, ID: domain.NewID(domain.PrefixPasskey), UserID: userID,
		CredentialID: cred.ID, PublicKey: cred.PublicKey, AttestationType: cred.AttestationType,
		AAGUID: cred.Authenticator.AAGUID, SignCount: int64(cred.Authenticator.SignCount), Transports: transports,
		Flags: flagsDoc(cred.Flags, cred.AttestationFormat), FriendlyName: name, CreatedAt: s.now()}
	err := s.core.Write(ctx, func(w *domain.Write) error {
		if err := db.AuthPasskeyInsert(ctx, w.Tx, row); err != nil {
			if db.IsUniqueViolation(err) {
				return domain.Errorf(domain.CodeConflict, "This passkey is already registered.")
			}
			return domain.Internal(err)
		}
		return w.Audit(tenantID, "passkey.register", "passkey", row.ID,
			map[string]any{"user_id": userID, "friendly_name": name})
	})
	if err != nil {
		return nil, err
	}
	out := passkeyFromRow(row)
	return &out, nil
}

// BeginPasskeyLogin starts a passkey sign-in. The bearer is any key of the
// tenant. With an email that names a user with passkeys the options list
// them (allowCredentials); otherwise (no email, an unknown email, a user
// without passkeys) the login is discoverable, so the answer does not tell
// whether an email is registered. Errors: FORBIDDEN (not configured),
// VALIDATION_FAILED (malformed email), RATE_LIMITED.
func (s *Service) BeginPasskeyLogin(ctx context.Context, in PasskeyLoginBeginInput) (*PasskeyOptions, error) {
	tenantID, err := callerTenant(ctx)
	if err != nil {
		return nil, err
	}
	cfg, wa, err := s.passkeyContext(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	if err := s.throttle(ctx, tenantID, actPasskeyBegin, cfg.RateLimits.LoginPerMinute); err != nil {
		return nil, err
	}
	email := normalizeEmail(in.Email)
	var v domain.Validation
	checkEmail(&v, "email", email, false)
	if err := v.Err(); err != nil {
		return nil, err
	}
	user, err := s.passkeyLoginUser(ctx, tenantID, email)
	if err != nil {
		return nil, err
	}
	var assertion *protocol.CredentialAssertion
	var session *webauthn.SessionData
	if user != nil {
		assertion, session, err = wa.BeginLogin(*user)
	} else {
		assertion, session, err = wa.BeginDiscoverableLogin()
	}
	if err != nil {
		return nil, domain.Internal(err)
	}
	if err := s.storeCeremony(ctx, tenantID, ottPasskeyAuth, session.Challenge, session); err != nil {
		return nil, err
	}
	return optionsAnswer(assertion.Response)
}

// passkeyLoginUser is the user an email names when it has passkeys, else nil.
func (s *Service) passkeyLoginUser(ctx context.Context, tenantID, email string) (*passkeyUser, error) {
	if email == "" {
		return nil, nil
	}
	u, err := db.AuthUserByEmail(ctx, s.core.DB, tenantID, email)
	if db.IsNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, domain.Internal(err)
	}
	user, _, err := s.passkeyUserOf(ctx, tenantID, u.ID)
	if err != nil || len(user.creds) == 0 {
		return nil, err
	}
	return &user, nil
}

func errPasskeyLogin(msg string) error {
	return domain.Errorf(domain.CodeInvalidCredentials, "%s", msg)
}

// CompletePasskeyLogin verifies an assertion against its open ceremony and
// signs its user in. The sign counter must move forward (an authenticator
// that reports a counter not above the stored one may be a clone: refused,
// nothing updated). An assertion with user verification is two factors in
// one and starts an aal2 session directly; without it the sign-in follows
// the normal path (MFA challenge when the user has factors).
// Errors: INVALID_CREDENTIALS (unknown, expired or replayed challenge,
// unknown passkey, failed verification, counter regression),
// VALIDATION_FAILED (malformed credential), USER_BANNED, RATE_LIMITED.
func (s *Service) CompletePasskeyLogin(ctx context.Context, in PasskeyLoginInput) (*SignIn, error) {
	tenantID, err := callerTenant(ctx)
	if err != nil {
		return nil, err
	}
	cfg, wa, err := s.passkeyContext(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	if err := s.throttle(ctx, tenantID, actLogin, cfg.RateLimits.LoginPerMinute); err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(in.Credential)) == 0 || string(bytes.TrimSpace(in.Credential)) == "null" {
		return nil, domain.Invalid("credential", "is required (the PublicKeyCredential from navigator.credentials.get)")
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes(in.Credential)
	if err != nil {
		return nil, domain.Invalid("credential", "is not a valid WebAuthn assertion: "+protocolDetail(err))
	}
	var session webauthn.SessionData
	stale, err := s.takeCeremony(ctx, tenantID, ottPasskeyAuth, parsed.Response.CollectedClientData.Challenge, &session)
	if err != nil {
		return nil, err
	}
	if stale {
		return nil, errPasskeyLogin("The passkey challenge is unknown, expired or already used; begin the sign-in again.")
	}
	row, err := db.AuthPasskeyByCredential(ctx, s.core.DB, tenantID, parsed.RawID)
	if db.IsNoRows(err) {
		return nil, errPasskeyLogin("This passkey is not registered.")
	}
	if err != nil {
		return nil, domain.Internal(err)
	}
	user, _, err := s.passkeyUserOf(ctx, tenantID, row.UserID)
	if err != nil {
		return nil, err
	}
	cred, err := s.validateAssertion(wa, user, session, parsed)
	if err != nil {
		return nil, err
	}
	if err := admit(cfg, user.u); err != nil {
		return nil, err
	}
	if err := s.usePasskey(ctx, row, cred, parsed.Response.AuthenticatorData.Counter); err != nil {
		return nil, err
	}
	if !parsed.Response.AuthenticatorData.Flags.HasUserVerified() {
		return s.signIn(ctx, cfg, tenantID, user.u, "passkey")
	}
	var sess *Session
	err = s.core.Write(ctx, func(w *domain.Write) error {
		sess, err = s.startSession(ctx, w, cfg, newSessionInput{TenantID: tenantID, User: user.u, Method: "passkey", AAL: "aal2"})
		return err
	})
	if err != nil {
		return nil, err
	}
	return &SignIn{Session: sess}, nil
}

// validateAssertion runs the library's checks: for a ceremony begun with an
// email, that the passkey is that user's; for a discoverable one, that the
// user handle names the passkey's owner. Then challenge, origin, relying
// party, signature and flags.
func (s *Service) validateAssertion(wa *webauthn.WebAuthn, user passkeyUser, session webauthn.SessionData,
	parsed *protocol.ParsedCredentialAssertionData) (*webauthn.Credential, error) {
	var cred *webauthn.Credential
	var err error
	if len(session.UserID) > 0 {
		cred, err = wa.ValidateLogin(user, session, parsed)
	} else {
		cred, err = wa.ValidateDiscoverableLogin(func(_, userHandle []byte) (webauthn.User, error) {
			if !bytes.Equal(userHandle, user.WebAuthnID()) {
				return nil, errors.New("the user handle does not name the passkey's owner")
			}
			return user, nil
		}, session, parsed)
	}
	if err != nil {
		return nil, domain.Wrap(err, domain.CodeInvalidCredentials, "The passkey could not be verified: "+protocolDetail(err)+".")
	}
	return cred, nil
}

// usePasskey records a verified assertion: the new counter, flags and time.
// A counter regression (the library's clone warning, or a concurrent
// assertion that moved the counter first) refuses the sign-in and is
// audited.
func (s *Service) usePasskey(ctx context.Context, row *db.AuthPasskey, cred *webauthn.Credential, counter uint32) error {
	var cloned bool
	err := s.core.Write(ctx, func(w *domain.Write) error {
		moved := false
		if !cred.Authenticator.CloneWarning {
			var err error
			moved, err = db.AuthPasskeyUse(ctx, w.Tx, row.TenantID, row.ID, int64(counter),
				flagsDoc(cred.Flags, cred.AttestationFormat), s.now())
			if err != nil {
				return domain.Internal(err)
			}
		}
		if moved {
			w.SkipAudit("signature counter bookkeeping; the session start audits the sign-in")
			return nil // the session start audits the sign-in
		}
		cloned = true
		return w.Audit(row.TenantID, "passkey.clone_warning", "passkey", row.ID,
			map[string]any{"user_id": row.UserID, "stored_count": row.SignCount, "presented_count": counter})
	})
	if err != nil {
		return err
	}
	if cloned {
		return errPasskeyLogin("The passkey's signature counter did not advance (possible cloned authenticator); sign-in refused.")
	}
	return nil
}

// ListPasskeys lists the signed-in user's passkeys, oldest first.
func (s *Service) ListPasskeys(ctx context.Context) ([]Passkey, error) {
	p, err := domain.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	return s.listPasskeys(ctx, p.TenantID, p.UserID)
}

// UserPasskeys lists a user's passkeys for GraphQL's AuthUser.passkeys: the
// user itself, or a credential with the auth scope (admin views of
// user(id) and users). Errors: INSUFFICIENT_SCOPE for anyone else.
func (s *Service) UserPasskeys(ctx context.Context, userID string) ([]Passkey, error) {
	p, err := domain.RequireTenant(ctx)
	if err != nil {
		return nil, err
	}
	if p.Kind != domain.PrincipalUser || p.UserID != userID {
		if p, err = domain.Authorize(ctx, domain.ScopeAuth, permUsersRead); err != nil {
			return nil, err
		}
	}
	return s.listPasskeys(ctx, p.TenantID, userID)
}

func (s *Service) listPasskeys(ctx context.Context, tenantID, userID string) ([]Passkey, error) {
	rows, err := db.AuthPasskeysOfUser(ctx, s.core.DB, tenantID, userID)
	if err != nil {
		return nil, domain.Internal(err)
	}
	out := make([]Passkey, 0, len(rows))
	for i := range rows {
		out = append(out, passkeyFromRow(&rows[i]))
	}
	return out, nil
}

// DeletePasskey removes one of the signed-in user's passkeys, named by its
// pk_ id or its base64url credential id. Anyone else's is NOT_FOUND.
func (s *Service) DeletePasskey(ctx context.Context, in PasskeyRef) (*PasskeyDeleted, error) {
	p, err := domain.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	ref := strings.TrimSpace(in.CredentialID)
	var id string
	var credID []byte
	if strings.HasPrefix(ref, domain.PrefixPasskey) {
		id = ref
	} else if credID, err = base64.RawURLEncoding.DecodeString(strings.TrimRight(ref, "=")); err != nil || len(credID) == 0 {
		return nil, domain.NotFound("passkey")
	}
	err = s.core.Write(ctx, func(w *domain.Write) error {
		deleted, err := db.AuthPasskeyDelete(ctx, w.Tx, p.TenantID, p.UserID, id, credID)
		if db.IsNoRows(err) {
			return domain.NotFound("passkey")
		}
		if err != nil {
			return domain.Internal(err)
		}
		return w.Audit(p.TenantID, "passkey.delete", "passkey", deleted, map[string]any{"user_id": p.UserID})
	})
	if err != nil {
		return nil, err
	}
	return &PasskeyDeleted{Deleted: true}, nil
}
