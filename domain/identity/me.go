package identity

import (
	"context"
	"encoding/json"
)

// UpdateMeInput is the body of PATCH /v1/auth/user. An anonymous user that
// sets an email and a password becomes a full account.
type UpdateMeInput struct {
	Email        *string         `json:"email"`
	Phone        *string         `json:"phone"`
	Password     *string         `json:"password"`
	UserMetadata json.RawMessage `json:"user_metadata"`
	Role         *string         `json:"role"` // refused: 403
	RedirectTo   string          `json:"redirect_to"`
}

// Me returns the signed-in user.
func (s *Service) Me(ctx context.Context) (User, error) {
	return User{}, errNotYet
}

// UpdateMe changes the signed-in user's email, phone, password or metadata.
func (s *Service) UpdateMe(ctx context.Context, in UpdateMeInput) (User, error) {
	return User{}, errNotYet
}

// ExportMe returns all data held about the signed-in user (GDPR), at most
// once an hour.
func (s *Service) ExportMe(ctx context.Context) (map[string]any, error) {
	return nil, errNotYet
}
