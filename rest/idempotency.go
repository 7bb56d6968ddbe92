package rest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"time"

	"github.com/platformhq/platform/db/kv"
	"github.com/platformhq/platform/domain"
)

// idempotentWriter records the answer to a request that carried an
// Idempotency-Key, so a retry with the same key and body replays it.
type idempotentWriter struct {
	statusRecorder
	a    *API
	ctx  context.Context
	key  string
	hash string
	buf  bytes.Buffer
}

func (w *idempotentWriter) Write(b []byte) (int, error) {
	w.buf.Write(b)
	return w.statusRecorder.Write(b)
}

// finish stores a final answer; server errors release the key so that the
// client's retry runs again.
func (w *idempotentWriter) finish() {
	ctx := context.WithoutCancel(w.ctx)
	rdb := w.a.cfg.Core.Redis
	if w.status >= 500 || w.status == 0 {
		_ = kv.IdempotencyRelease(ctx, rdb, w.key)
		return
	}
	rec := kv.StoredResponse{BodyHash: w.hash, Status: w.status, Body: w.buf.Bytes(),
		Header: map[string]string{"Content-Type": w.Header().Get("Content-Type")}}
	if err := kv.IdempotencyStore(ctx, rdb, w.key, rec); err != nil {
		w.a.log.Warn("idempotency record not stored", "err", err)
	}
}

// beginIdempotent handles the Idempotency-Key header of a POST: it replays a
// stored answer (handled = true), refuses a conflicting or concurrent reuse,
// or returns a writer that records this answer. Without Redis the request
// simply runs (and is not protected against replays).
func (a *API) beginIdempotent(w http.ResponseWriter, r *http.Request, body []byte) (*idempotentWriter, bool) {
	key := r.Header.Get("Idempotency-Key")
	p := domain.PrincipalFrom(r.Context())
	if r.Method != http.MethodPost || key == "" || p == nil || p.TenantID == "" {
		return nil, false
	}
	if len(key) > 255 {
		writeError(w, r, domain.Invalid("Idempotency-Key", "must be at most 255 characters"))
		return nil, true
	}
	keyHash := sha256.Sum256([]byte(key))
	redisKey := kv.TenantKey(p.TenantID, "idem", p.ActorID(), hex.EncodeToString(keyHash[:]))
	h := sha256.New()
	h.Write([]byte(r.Method + " " + r.URL.Path + "?" + r.URL.RawQuery + "\n"))
	h.Write(body)
	bodyHash := hex.EncodeToString(h.Sum(nil))

	claimCtx, cancel := context.WithTimeout(r.Context(), 300*time.Millisecond)
	defer cancel()
	rec, err := kv.IdempotencyClaim(claimCtx, a.cfg.Core.Redis, redisKey, bodyHash)
	switch {
	case err != nil:
		a.log.Warn("idempotency store unavailable; request runs unprotected", "err", err)
		return nil, false
	case rec == nil:
		return &idempotentWriter{statusRecorder: statusRecorder{ResponseWriter: w}, a: a, ctx: r.Context(), key: redisKey, hash: bodyHash}, false
	case rec.BodyHash != bodyHash:
		writeError(w, r, domain.Errorf(domain.CodeIdempotencyConflict,
			"This Idempotency-Key was used with a different request."))
	case rec.Pending:
		writeError(w, r, domain.Errorf(domain.CodeConflict,
			"A request with this Idempotency-Key is still in progress; retry later."))
	default:
		for k, v := range rec.Header {
			w.Header().Set(k, v)
		}
		w.Header().Set("Idempotent-Replayed", "true")
		w.WriteHeader(rec.Status)
		_, _ = w.Write(rec.Body)
	}
	return nil, true
}
