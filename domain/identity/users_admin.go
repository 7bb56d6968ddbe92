package identity

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"

	"github.com/uptrace/bun"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
)

// ListUsersInput is GET /v1/users's query.
type ListUsersInput struct {
	Limit  int    `query:"limit"`
	Offset int    `query:"offset"`
	Search string `query:"search"`
	Role   string `query:"role"`
}

// UserList is an offset list of users.
type UserList struct {
	Users []User `json:"users"`
	Total int    `json:"total"`
}

// CreateUserInput is the body of POST /v1/users.
type CreateUserInput struct {
	Email         string          `json:"email"`
	Password      string          `json:"password"`
	Phone         string          `json:"phone"`
	Role          string          `json:"role"`
	EmailVerified bool            `json:"email_verified"`
	UserMetadata  json.RawMessage `json:"user_metadata"`
}

// UserRef names one user (path parameter).
type UserRef struct {
	UserID string `path:"user_id" json:"-"`
}

// UpdateUserInput is the body of PATCH /v1/users/:user_id.
type UpdateUserInput struct {
	UserID        string          `path:"user_id" json:"-"`
	Email         *string         `json:"email"`
	Phone         *string         `json:"phone"`
	Role          *string         `json:"role"`
	Banned        *bool           `json:"banned"`
	BanReason     *string         `json:"ban_reason"`
	EmailVerified *bool           `json:"email_verified"`
	UserMetadata  json.RawMessage `json:"user_metadata"`
	AppMetadata   json.RawMessage `json:"app_metadata"`
	Password      *string         `json:"password"`
}

// DeleteUserInput is DELETE /v1/users/:user_id's parameters.
type DeleteUserInput struct {
	UserID       string `path:"user_id" json:"-"`
	Force        bool   `query:"force"`
	ConfirmToken string `query:"confirm_token"`
}

// UserDeleted answers a user deletion.
type UserDeleted struct {
	UserID  string `json:"user_id"`
	Deleted bool   `json:"deleted"`
}

// roleRe is the shape of a user's role string.
var roleRe = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,62}$`)

// maxBanReason bounds ban_reason.
const maxBanReason = 500

// End users' permissions for the admin endpoints (keys need the auth scope).
const (
	permUsersRead       = "users:read"
	permUsersManage     = "users:manage"
	permAuthConfigRead  = "authconfig:read"
	permAuthConfigWrite = "authconfig:manage"
)

// adminTenant is the tenant of an admin call: a key with the auth scope, or
// an end user whose roles grant permission.
func adminTenant(ctx context.Context, permission string) (string, error) {
	p, err := domain.Authorize(ctx, domain.ScopeAuth, permission)
	if err != nil {
		return "", err
	}
	return p.TenantID, nil
}

// ListUsers lists the tenant's users (auth scope), newest first, filtered
// by an email or phone substring and an exact role.
func (s *Service) ListUsers(ctx context.Context, in ListUsersInput) (UserList, error) {
	tenantID, err := adminTenant(ctx, permUsersRead)
	if err != nil {
		return UserList{}, err
	}
	search, role := strings.TrimSpace(in.Search), strings.TrimSpace(in.Role)
	var v domain.Validation
	v.Check(in.Offset < 0, "offset", "must be 0 or more")
	v.Check(len(search) > 254, "search", "must be at most 254 characters")
	v.Check(role != "" && !roleRe.MatchString(role), "role", "must match ^[a-z][a-z0-9_-]{0,62}$")
	if err := v.Err(); err != nil {
		return UserList{}, err
	}
	rows, total, err := db.AuthUserList(ctx, s.core.DB, db.AuthUserListParams{TenantID: tenantID,
		Search: search, Role: role, Limit: domain.ClampLimit(in.Limit), Offset: in.Offset})
	if err != nil {
		return UserList{}, domain.Internal(err)
	}
	out := UserList{Users: make([]User, 0, len(rows)), Total: total}
	for i := range rows {
		out.Users = append(out.Users, userFromRow(&rows[i]))
	}
	return out, nil
}

// CreateUser creates a user (auth scope). The password is optional (the
// user then signs in passwordless) but must meet the tenant's policy when
// given. Errors: VALIDATION_FAILED, CONFLICT.
func (s *Service) CreateUser(ctx context.Context, in CreateUserInput) (User, error) {
	tenantID, err := adminTenant(ctx, permUsersManage)
	if err != nil {
		return User{}, err
	}
	cfg, err := s.config(ctx, tenantID)
	if err != nil {
		return User{}, err
	}
	email, phone, role := normalizeEmail(in.Email), strings.TrimSpace(in.Phone), strings.TrimSpace(in.Role)
	if role == "" {
		role = DefaultRole
	}
	var v domain.Validation
	v.Check(email == "" && phone == "", "email", "is required unless phone is given")
	checkEmail(&v, "email", email, false)
	checkPhone(&v, "phone", phone, false)
	if in.Password != "" {
		cfg.checkPassword(&v, "password", in.Password)
	}
	v.Check(!roleRe.MatchString(role), "role", "must match ^[a-z][a-z0-9_-]{0,62}$")
	meta := checkMetadata(&v, "user_metadata", in.UserMetadata)
	if err := v.Err(); err != nil {
		return User{}, err
	}
	now := s.now()
	provider := "email"
	if email == "" {
		provider = "phone"
	}
	u := &db.AuthUser{TenantID: tenantID, ID: domain.NewID(domain.PrefixUser), Role: role, UserMetadata: meta,
		AppMetadata: json.RawMessage(`{"provider":"` + provider + `"}`), CreatedAt: now, UpdatedAt: now}
	if email != "" {
		u.Email = &email
		if in.EmailVerified {
			u.EmailVerifiedAt = &now
		}
	}
	if phone != "" {
		u.Phone = &phone
	}
	if in.Password != "" {
		hash, err := s.hasher.Hash(ctx, in.Password)
		if err != nil {
			return User{}, err
		}
		u.PasswordHash = &hash
	}
	err = s.core.Write(ctx, func(w *domain.Write) error { return s.insertUser(ctx, w, u) })
	if err != nil {
		return User{}, err
	}
	return userFromRow(u), nil
}

// GetUser returns one user (auth scope). Errors: NOT_FOUND (also for
// another tenant's user).
func (s *Service) GetUser(ctx context.Context, in UserRef) (User, error) {
	tenantID, err := adminTenant(ctx, permUsersRead)
	if err != nil {
		return User{}, err
	}
	u, err := s.adminUser(ctx, s.core.DB, tenantID, in.UserID, false)
	if err != nil {
		return User{}, err
	}
	return userFromRow(u), nil
}

// adminUser loads a user of tenantID, row-locked when forUpdate. Errors:
// NOT_FOUND.
func (s *Service) adminUser(ctx context.Context, idb bun.IDB, tenantID, id string, forUpdate bool) (*db.AuthUser, error) {
	if !domain.ValidID(domain.PrefixUser, id) {
		return nil, domain.NotFound("user")
	}
	get := db.AuthUserGet
	if forUpdate {
		get = db.AuthUserGetForUpdate
	}
	u, err := get(ctx, idb, tenantID, id)
	if db.IsNoRows(err) {
		return nil, domain.NotFound("user")
	}
	if err != nil {
		return nil, domain.Internal(err)
	}
	return u, nil
}

// UpdateUser changes a user's email, phone, role, ban, verification,
// metadata or password (auth scope). Banning revokes all the user's
// sessions in the same transaction, so its access tokens stop at once.
// Errors: NOT_FOUND, VALIDATION_FAILED, CONFLICT.
func (s *Service) UpdateUser(ctx context.Context, in UpdateUserInput) (User, error) {
	tenantID, err := adminTenant(ctx, permUsersManage)
	if err != nil {
		return User{}, err
	}
	ch, err := s.checkUserUpdate(ctx, tenantID, in)
	if err != nil {
		return User{}, err
	}
	var out User
	err = s.core.Write(ctx, func(w *domain.Write) error {
		u, err := s.adminUser(ctx, w.Tx, tenantID, in.UserID, true)
		if err != nil {
			return err
		}
		before := userFromRow(u)
		changed, banned, err := s.applyUserUpdate(u, ch)
		if err != nil {
			return err
		}
		if err := db.AuthUserUpdate(ctx, w.Tx, u); err != nil {
			if db.IsUniqueViolation(err) {
				return domain.Errorf(domain.CodeConflict, "A user with this email or phone already exists.")
			}
			return domain.Internal(err)
		}
		revoked := 0
		if banned {
			ids, err := db.AuthSessionsRevoke(ctx, w.Tx, tenantID, u.ID, nil, "banned", u.UpdatedAt)
			if err != nil {
				return domain.Internal(err)
			}
			revoked = len(ids)
		}
		out = userFromRow(u)
		if err := w.Audit(tenantID, "user.update", "user", u.ID, map[string]any{"changed": changed,
			"before": auditUser(before), "after": auditUser(out), "sessions_revoked": revoked}); err != nil {
			return err
		}
		return w.Emit(tenantID, Topic, EventUserUpdated, out)
	})
	return out, err
}

// userChange is a validated UpdateUserInput: normalized values and the
// new password's hash.
type userChange struct {
	in           UpdateUserInput
	email, phone *string
	role         *string
	userMeta     json.RawMessage
	appMeta      json.RawMessage
	passwordHash *string
}

// checkUserUpdate validates an update before any row is locked (hashing a
// password is slow).
func (s *Service) checkUserUpdate(ctx context.Context, tenantID string, in UpdateUserInput) (*userChange, error) {
	ch := &userChange{in: in}
	var v domain.Validation
	if in.Email != nil {
		e := normalizeEmail(*in.Email)
		checkEmail(&v, "email", e, false)
		ch.email = &e
	}
	if in.Phone != nil {
		p := strings.TrimSpace(*in.Phone)
		checkPhone(&v, "phone", p, false)
		ch.phone = &p
	}
	if in.Role != nil {
		r := strings.TrimSpace(*in.Role)
		v.Check(!roleRe.MatchString(r), "role", "must match ^[a-z][a-z0-9_-]{0,62}$")
		ch.role = &r
	}
	v.Check(in.BanReason != nil && len(*in.BanReason) > maxBanReason, "ban_reason", "must be at most 500 characters")
	if len(in.UserMetadata) > 0 {
		ch.userMeta = checkMetadata(&v, "user_metadata", in.UserMetadata)
	}
	if len(in.AppMetadata) > 0 {
		ch.appMeta = checkMetadata(&v, "app_metadata", in.AppMetadata)
	}
	if in.Password != nil {
		cfg, err := s.config(ctx, tenantID)
		if err != nil {
			return nil, err
		}
		cfg.checkPassword(&v, "password", *in.Password)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	hash, err := s.hashOptional(ctx, in.Password)
	ch.passwordHash = hash
	return ch, err
}

// applyUserUpdate applies ch to u and returns the names of the members it
// changed and whether this update bans the user.
func (s *Service) applyUserUpdate(u *db.AuthUser, ch *userChange) (changed []string, banned bool, err error) {
	now := s.now()
	in := ch.in
	if ch.email != nil && !sameString(u.Email, *ch.email) {
		u.Email, u.EmailVerifiedAt = optString(*ch.email), nil
		changed = append(changed, "email")
	}
	if ch.phone != nil && !sameString(u.Phone, *ch.phone) {
		u.Phone, u.PhoneVerifiedAt = optString(*ch.phone), nil
		changed = append(changed, "phone")
	}
	if u.Email == nil && u.Phone == nil && !u.IsAnonymous {
		return nil, false, domain.Invalid("email", "cannot be removed from a user without a phone")
	}
	if ch.role != nil && u.Role != *ch.role {
		u.Role = *ch.role
		changed = append(changed, "role")
	}
	if in.Banned != nil && *in.Banned != u.Banned {
		u.Banned, banned = *in.Banned, *in.Banned
		u.BannedAt, u.BanReason = nil, ""
		if banned {
			u.BannedAt = &now
		}
		changed = append(changed, "banned")
	}
	if reason := strings.TrimSpace(stringOf(in.BanReason)); in.BanReason != nil && u.Banned && u.BanReason != reason {
		u.BanReason = reason
		changed = append(changed, "ban_reason")
	}
	if in.EmailVerified != nil && *in.EmailVerified != (u.EmailVerifiedAt != nil) {
		if u.Email == nil && *in.EmailVerified {
			return nil, false, domain.Invalid("email_verified", "needs an email address")
		}
		u.EmailVerifiedAt = nil
		if *in.EmailVerified {
			u.EmailVerifiedAt = &now
		}
		changed = append(changed, "email_verified")
	}
	if ch.userMeta != nil {
		u.UserMetadata = ch.userMeta
		changed = append(changed, "user_metadata")
	}
	if ch.appMeta != nil {
		u.AppMetadata = ch.appMeta
		changed = append(changed, "app_metadata")
	}
	if ch.passwordHash != nil {
		u.PasswordHash = ch.passwordHash
		changed = append(changed, "password")
	}
	u.UpdatedAt = now
	return changed, banned, nil
}

func stringOf(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func sameString(p *string, v string) bool { return (p == nil && v == "") || (p != nil && *p == v) }

func optString(v string) *string {
	if v == "" {
		return nil
	}
	return &v
}

// auditUser is the audit summary of a user: no metadata (it may hold
// personal data) and never a password hash.
func auditUser(u User) map[string]any {
	return map[string]any{"email": u.Email, "phone": u.Phone, "role": u.Role, "banned": u.Banned,
		"ban_reason": u.BanReason, "email_verified": u.EmailVerified, "has_password": u.HasPassword}
}

// DeleteUser deletes a user (auth scope). A user with live sessions or MFA
// factors answers 409 DEPENDENCY_EXISTS with a confirm token; the retry
// with ?force=true&confirm_token=... deletes them with the user. Errors:
// NOT_FOUND, DEPENDENCY_EXISTS, INVALID_CONFIRM_TOKEN.
func (s *Service) DeleteUser(ctx context.Context, in DeleteUserInput) (UserDeleted, error) {
	tenantID, err := adminTenant(ctx, permUsersManage)
	if err != nil {
		return UserDeleted{}, err
	}
	var out UserDeleted
	err = s.core.Write(ctx, func(w *domain.Write) error {
		u, err := s.adminUser(ctx, w.Tx, tenantID, in.UserID, true)
		if err != nil {
			return err
		}
		sessions, factors, err := db.AuthUserDependents(ctx, w.Tx, tenantID, u.ID, s.now())
		if err != nil {
			return domain.Internal(err)
		}
		var deps []domain.Dependency
		for _, d := range []domain.Dependency{{Type: "sessions", Count: sessions, Label: "Active sessions"},
			{Type: "mfa_factors", Count: factors, Label: "MFA factors"}} {
			if d.Count > 0 {
				deps = append(deps, d)
			}
		}
		resource := "user:" + u.ID
		switch {
		case len(deps) > 0 && (!in.Force || in.ConfirmToken == ""):
			return s.core.DependencyError(ctx, tenantID, resource, deps, true)
		case len(deps) > 0:
			if err := s.core.ConsumeConfirmToken(ctx, tenantID, resource, in.ConfirmToken); err != nil {
				return err
			}
		}
		if _, err := db.AuthUserDelete(ctx, w.Tx, tenantID, u.ID); err != nil {
			return domain.Internal(err)
		}
		before := userFromRow(u)
		out = UserDeleted{UserID: u.ID, Deleted: true}
		if err := w.Audit(tenantID, "user.delete", "user", u.ID, map[string]any{"before": auditUser(before),
			"sessions_deleted": sessions, "mfa_factors_deleted": factors}); err != nil {
			return err
		}
		return w.Emit(tenantID, Topic, EventUserDeleted, before)
	})
	return out, err
}

// ListUserFactors lists a user's MFA factors (auth scope). Errors:
// NOT_FOUND.
func (s *Service) ListUserFactors(ctx context.Context, in UserRef) ([]Factor, error) {
	tenantID, err := adminTenant(ctx, permUsersRead)
	if err != nil {
		return nil, err
	}
	u, err := s.adminUser(ctx, s.core.DB, tenantID, in.UserID, false)
	if err != nil {
		return nil, err
	}
	return s.listFactors(ctx, tenantID, u.ID)
}
