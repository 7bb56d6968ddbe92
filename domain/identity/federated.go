package identity

import (
	"context"
	"encoding/json"
	"net/url"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// External is what a provider (OAuth/OIDC or SAML) vouches for.
type External struct {
	Provider      string // "oauth:google", "saml:okta", ...
	Subject       string // the provider's stable id of the account
	Email         string // normalized; may be empty
	EmailVerified bool   // the provider says the email is verified
	Name          string
	Data          json.RawMessage // profile claims kept for the user (no tokens)
}

// federatedSignIn signs in the user an external identity belongs to: the
// linked user; else the user with that email when the provider verified it
// (link by verified email only, so an unverified claim cannot take over an
// account); else a new user (when sign-ups are enabled). It then follows the
// normal sign-in path (ban and email checks, MFA challenge, session).
func (s *Service) federatedSignIn(ctx context.Context, tenantID string, ext External) (*SignIn, error) {
	cfg, err := s.config(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	if ext.Subject == "" {
		return nil, domain.Errorf(domain.CodeInvalidToken, "The provider did not identify the account.")
	}
	if len(ext.Data) == 0 {
		ext.Data = json.RawMessage("{}")
	}
	var user *db.AuthUser
	err = s.core.Write(ctx, func(w *domain.Write) error {
		user, err = s.linkExternal(ctx, w, cfg, tenantID, ext)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.signIn(ctx, cfg, tenantID, user, ext.Provider)
}

func (s *Service) linkExternal(ctx context.Context, w *domain.Write, cfg *Config, tenantID string, ext External) (*db.AuthUser, error) {
	now := s.now()
	ident, err := db.AuthIdentityFind(ctx, w.Tx, tenantID, ext.Provider, ext.Subject)
	switch {
	case err == nil:
		if err := db.AuthIdentityTouch(ctx, w.Tx, tenantID, ident.ID, ext.Data, now); err != nil {
			return nil, domain.Internal(err)
		}
		w.SkipAudit("identity last-sign-in bookkeeping; the session start audits the sign-in")
		return s.loadUser(ctx, w, tenantID, ident.UserID)
	case !db.IsNoRows(err):
		return nil, domain.Internal(err)
	}
	var user *db.AuthUser
	if ext.Email != "" && ext.EmailVerified {
		u, err := db.AuthUserByEmail(ctx, w.Tx, tenantID, ext.Email)
		switch {
		case err == nil:
			user = u
		case !db.IsNoRows(err):
			return nil, domain.Internal(err)
		}
	}
	if user == nil {
		if !cfg.SignupEnabled {
			return nil, domain.Errorf(domain.CodeForbidden, "Sign-ups are disabled for this tenant.")
		}
		if user, err = s.newExternalUser(ctx, w, tenantID, ext); err != nil {
			return nil, err
		}
	}
	var email *string
	if ext.Email != "" {
		email = &ext.Email
	}
	row := &db.AuthIdentity{TenantID: tenantID, ID: domain.NewID(domain.PrefixIdentity), UserID: user.ID,
		Provider: ext.Provider, Subject: ext.Subject, Email: email, Data: ext.Data, CreatedAt: now, LastSignInAt: &now}
	if err := db.AuthIdentityInsert(ctx, w.Tx, row); err != nil {
		if db.IsUniqueViolation(err) {
			return nil, domain.Errorf(domain.CodeConflict, "This account was linked concurrently; retry.")
		}
		return nil, domain.Internal(err)
	}
	if err := w.Audit(tenantID, "user.identity_link", "user", user.ID, map[string]any{"provider": ext.Provider}); err != nil {
		return nil, err
	}
	return user, nil
}

func (s *Service) newExternalUser(ctx context.Context, w *domain.Write, tenantID string, ext External) (*db.AuthUser, error) {
	now := s.now()
	meta := map[string]any{}
	if ext.Name != "" {
		meta["name"] = ext.Name
	}
	metaJSON, _ := json.Marshal(meta)
	app, _ := json.Marshal(map[string]any{"provider": ext.Provider})
	u := &db.AuthUser{TenantID: tenantID, ID: domain.NewID(domain.PrefixUser), Role: DefaultRole,
		UserMetadata: metaJSON, AppMetadata: app, CreatedAt: now, UpdatedAt: now}
	if ext.Email != "" {
		u.Email = &ext.Email
		if ext.EmailVerified {
			u.EmailVerifiedAt = &now
		}
	}
	if err := s.insertUser(ctx, w, u); err != nil {
		return nil, err
	}
	return u, nil
}

func (s *Service) loadUser(ctx context.Context, w *domain.Write, tenantID, userID string) (*db.AuthUser, error) {
	u, err := db.AuthUserGet(ctx, w.Tx, tenantID, userID)
	if db.IsNoRows(err) {
		return nil, domain.NotFound("user")
	}
	if err != nil {
		return nil, domain.Internal(err)
	}
	return u, nil
}

// FederatedAnswer is the answer of a browser sign-in (OAuth callback, SAML
// ACS): with a redirect target the browser is sent there with the tokens
// in the URL fragment (never in the query, so they stay out of server
// logs); without one the sign-in answers JSON.
type FederatedAnswer struct {
	*SignIn
	redirect string
}

// RedirectLocation implements rest.Redirector.
func (a FederatedAnswer) RedirectLocation() string { return a.redirect }

// MarshalJSON writes the sign-in.
func (a FederatedAnswer) MarshalJSON() ([]byte, error) { return json.Marshal(a.SignIn) }

// federatedAnswer builds the answer for a sign-in that should land on
// redirectTo (already allowlisted), or JSON when redirectTo is empty.
func federatedAnswer(in *SignIn, redirectTo string) FederatedAnswer {
	if redirectTo == "" {
		return FederatedAnswer{SignIn: in}
	}
	frag := url.Values{}
	switch {
	case in.Session != nil:
		frag.Set("access_token", in.Session.AccessToken)
		frag.Set("refresh_token", in.Session.RefreshToken)
		frag.Set("token_type", in.Session.TokenType)
		frag.Set("expires_in", itoa(in.Session.ExpiresIn))
	case in.MFARequired:
		frag.Set("mfa_required", "true")
		frag.Set("mfa_ticket", in.MFATicket)
	}
	u, err := url.Parse(redirectTo)
	if err != nil {
		return FederatedAnswer{SignIn: in}
	}
	u.Fragment = ""
	u.RawFragment = ""
	return FederatedAnswer{SignIn: in, redirect: u.String() + "#" + frag.Encode()}
}
