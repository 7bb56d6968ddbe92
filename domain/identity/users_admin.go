package identity

import (
	"context"
	"encoding/json"
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

// ListUsers lists the tenant's users (auth scope).
func (s *Service) ListUsers(ctx context.Context, in ListUsersInput) (UserList, error) {
	return UserList{}, errNotYet
}

// CreateUser creates a user (auth scope).
func (s *Service) CreateUser(ctx context.Context, in CreateUserInput) (User, error) {
	return User{}, errNotYet
}

// GetUser returns one user (auth scope).
func (s *Service) GetUser(ctx context.Context, in UserRef) (User, error) {
	return User{}, errNotYet
}

// UpdateUser changes a user's role, ban, email, metadata (auth scope).
func (s *Service) UpdateUser(ctx context.Context, in UpdateUserInput) (User, error) {
	return User{}, errNotYet
}

// DeleteUser deletes a user with the dependency flow (auth scope).
func (s *Service) DeleteUser(ctx context.Context, in DeleteUserInput) (UserDeleted, error) {
	return UserDeleted{}, errNotYet
}

// ListUserFactors lists a user's MFA factors (auth scope).
func (s *Service) ListUserFactors(ctx context.Context, in UserRef) ([]Factor, error) {
	return nil, errNotYet
}
