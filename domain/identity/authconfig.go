package identity

import "context"

// UpdateConfigInput is the body of PATCH /v1/auth-config: absent members
// keep their value. Secrets are accepted here and never returned.
type UpdateConfigInput struct {
	// TODO(helper D): one pointer field per Config member, plus
	// captcha_secret and providers[*].client_secret.
}

// GetAuthConfig returns the caller's tenant's auth configuration (auth
// scope); secrets appear only as "…_set" booleans.
func (s *Service) GetAuthConfig(ctx context.Context) (*Config, error) {
	return nil, errNotYet
}

// UpdateAuthConfig changes the configuration (auth scope).
func (s *Service) UpdateAuthConfig(ctx context.Context, in UpdateConfigInput) (*Config, error) {
	return nil, errNotYet
}
