package identity

import (
	"context"
	"time"

	"github.com/platformhq/platform/db"
	"github.com/platformhq/platform/domain"
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

// maxSessionsListed bounds the session list (a user rarely has more).
const maxSessionsListed = 100

func sessionFromRow(r *db.AuthSession, currentID string) SessionInfo {
	return SessionInfo{ID: r.ID, UserID: r.UserID, IP: r.IP, UserAgent: r.UserAgent, Method: r.Method, AAL: r.AAL,
		Current: r.ID == currentID, CreatedAt: r.CreatedAt, LastActiveAt: r.LastActiveAt, ExpiresAt: r.ExpiresAt}
}

// ListSessions lists the signed-in user's active sessions, newest first;
// the caller's own is marked current.
func (s *Service) ListSessions(ctx context.Context) ([]SessionInfo, error) {
	p, err := domain.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := db.AuthSessionsActive(ctx, s.core.DB, p.TenantID, p.UserID, s.now(), maxSessionsListed)
	if err != nil {
		return nil, domain.Internal(err)
	}
	out := make([]SessionInfo, 0, len(rows))
	for i := range rows {
		out = append(out, sessionFromRow(&rows[i], p.SessionID))
	}
	return out, nil
}

// RevokeSession revokes one of the signed-in user's sessions (its current
// one included); its access tokens stop at once. Another user's, an
// unknown or an already revoked session is NOT_FOUND.
func (s *Service) RevokeSession(ctx context.Context, in SessionRef) (RevokedOne, error) {
	p, err := domain.RequireUser(ctx)
	if err != nil {
		return RevokedOne{}, err
	}
	if !domain.ValidID(domain.PrefixSession, in.SessionID) {
		return RevokedOne{}, domain.NotFound("session")
	}
	err = s.core.Write(ctx, func(w *domain.Write) error {
		ids, err := db.AuthSessionsRevoke(ctx, w.Tx, p.TenantID, p.UserID, []string{in.SessionID}, "user_revoked", s.now())
		if err != nil {
			return domain.Internal(err)
		}
		if len(ids) == 0 {
			return domain.NotFound("session")
		}
		return w.Audit(p.TenantID, "session.revoke", "session", in.SessionID, map[string]any{"user_id": p.UserID, "reason": "user_revoked"})
	})
	if err != nil {
		return RevokedOne{}, err
	}
	return RevokedOne{Revoked: true}, nil
}

// RevokeAllSessions revokes every session of the signed-in user (the
// current one included) and answers how many were live.
func (s *Service) RevokeAllSessions(ctx context.Context) (RevokedCount, error) {
	p, err := domain.RequireUser(ctx)
	if err != nil {
		return RevokedCount{}, err
	}
	var n int
	err = s.core.Write(ctx, func(w *domain.Write) error {
		ids, err := db.AuthSessionsRevoke(ctx, w.Tx, p.TenantID, p.UserID, nil, "user_revoked_all", s.now())
		if err != nil {
			return domain.Internal(err)
		}
		n = len(ids)
		return w.Audit(p.TenantID, "session.revoke_all", "user", p.UserID, map[string]any{"session_ids": ids})
	})
	if err != nil {
		return RevokedCount{}, err
	}
	return RevokedCount{Revoked: n}, nil
}
