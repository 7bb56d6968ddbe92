package identity

import (
	"context"
	"time"
)

// SessionInfo is one of a user's sessions.
type SessionInfo struct {
	ID           string    `json:"id"`
	UserID       string    `json:"user_id"`
	IP           string    `json:"ip"`
	UserAgent    string    `json:"user_agent"`
	Method       string    `json:"method"`
	AAL          string    `json:"aal"`
	Current      bool      `json:"current"`
	CreatedAt    time.Time `json:"created_at"`
	LastActiveAt time.Time `json:"last_active_at"`
	ExpiresAt    time.Time `json:"expires_at"`
}

// SessionRef names one session (path parameter).
type SessionRef struct {
	SessionID string `path:"session_id" json:"-"`
}

// RevokedCount answers a revocation of all sessions.
type RevokedCount struct {
	Revoked int `json:"revoked"`
}

// RevokedOne answers a revocation of one session.
type RevokedOne struct {
	Revoked bool `json:"revoked"`
}

// ListSessions lists the signed-in user's active sessions, newest first.
func (s *Service) ListSessions(ctx context.Context) ([]SessionInfo, error) {
	return nil, errNotYet
}

// RevokeSession revokes one of the signed-in user's sessions.
func (s *Service) RevokeSession(ctx context.Context, in SessionRef) (RevokedOne, error) {
	return RevokedOne{}, errNotYet
}

// RevokeAllSessions revokes every session of the signed-in user (the
// current one included).
func (s *Service) RevokeAllSessions(ctx context.Context) (RevokedCount, error) {
	return RevokedCount{}, errNotYet
}
