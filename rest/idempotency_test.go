package rest_test

import (
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/cmd/platform/app/apptest"
)

func TestIdempotencyKey(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn := env.NewTenant(t)
	create := func(key string, label string) *apptest.Response {
		return env.Do(t, apptest.Request{Method: "POST", Path: "/v1/keys", Key: tn.Key,
			Body: map[string]any{"label": label}, Header: map[string]string{"Idempotency-Key": key}})
	}
	countKeys := func() int {
		var keys []map[string]any
		env.Do(t, apptest.Request{Path: "/v1/keys", Key: tn.Key}).Decode(t, &keys)
		return len(keys)
	}
	before := countKeys()

	first := create("create-1", "ci")
	require.Equal(t, http.StatusCreated, first.Status)
	replay := create("create-1", "ci")
	require.Equal(t, http.StatusCreated, replay.Status)
	require.JSONEq(t, string(first.Body), string(replay.Body), "a retry replays the first answer")
	require.Equal(t, "true", replay.Header.Get("Idempotent-Replayed"))
	require.Equal(t, before+1, countKeys(), "the retry created nothing")

	conflict := create("create-1", "different body")
	require.Equal(t, http.StatusConflict, conflict.Status)
	require.Equal(t, "IDEMPOTENCY_CONFLICT", conflict.Error.Code)

	// Failed validation is replayed too (4xx answers are final).
	bad := env.Do(t, apptest.Request{Method: "POST", Path: "/v1/keys", Key: tn.Key,
		Body: map[string]any{"scopes": []string{"nope"}}, Header: map[string]string{"Idempotency-Key": "bad-1"}})
	require.Equal(t, http.StatusBadRequest, bad.Status)

	// Keys are per tenant: another tenant may reuse the same Idempotency-Key.
	other := env.NewTenant(t)
	res := env.Do(t, apptest.Request{Method: "POST", Path: "/v1/keys", Key: other.Key,
		Body: map[string]any{"label": "ci"}, Header: map[string]string{"Idempotency-Key": "create-1"}})
	require.Equal(t, http.StatusCreated, res.Status)
	require.NotEqual(t, string(first.Body), string(res.Body))
}

func TestIdempotencyKeyUnderConcurrentRetries(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn := env.NewTenant(t)
	const n = 10
	results := make([]*apptest.Response, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = env.Do(t, apptest.Request{Method: "POST", Path: "/v1/keys", Key: tn.Key,
				Body: map[string]any{"label": "race"}, Header: map[string]string{"Idempotency-Key": "race-1"}})
		}()
	}
	wg.Wait()
	var created, inFlight int
	for _, r := range results {
		switch r.Status {
		case http.StatusCreated:
			created++
		case http.StatusConflict:
			require.Equal(t, "CONFLICT", r.Error.Code)
			inFlight++
		default:
			t.Fatalf("unexpected %d %s", r.Status, r.Body)
		}
	}
	require.Equal(t, n, created+inFlight)
	var keys []map[string]any
	env.Do(t, apptest.Request{Path: "/v1/keys", Key: tn.Key}).Decode(t, &keys)
	labelled := 0
	for _, k := range keys {
		if k["label"] == "race" {
			labelled++
		}
	}
	require.Equal(t, 1, labelled, "exactly one key was created")
}

func TestIdempotencyKeyTooLong(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tn := env.NewTenant(t)
	long := make([]byte, 300)
	for i := range long {
		long[i] = 'k'
	}
	res := env.Do(t, apptest.Request{Method: "POST", Path: "/v1/keys", Key: tn.Key, Body: map[string]any{},
		Header: map[string]string{"Idempotency-Key": string(long)}})
	require.Equal(t, http.StatusBadRequest, res.Status)
	require.Equal(t, "VALIDATION_FAILED", res.Error.Code)
}
