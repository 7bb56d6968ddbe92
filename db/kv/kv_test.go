package kv_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/platformhq/platform/db/dbtest"
	"github.com/platformhq/platform/db/kv"
)

func TestLimiterAdmitsExactlyTheLimitUnderConcurrency(t *testing.T) {
	t.Parallel()
	rdb := dbtest.Redis(t)
	lim := kv.NewLimiter(rdb)
	lim.Timeout = 5 * time.Second
	subject := kv.TenantKey(fmt.Sprintf("tn_test%d", time.Now().UnixNano()), "rl", "key_x")
	now := time.Date(2026, 1, 1, 12, 0, 30, 0, time.UTC)
	windows := []kv.Window{{Limit: 7, Period: time.Minute}, {Limit: 100, Period: time.Hour}}

	var allowed, denied atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d, err := lim.Allow(context.Background(), subject, now, windows)
			require.NoError(t, err)
			if d.Allowed {
				allowed.Add(1)
			} else {
				denied.Add(1)
				require.Positive(t, d.RetryAfter)
			}
		}()
	}
	wg.Wait()
	require.EqualValues(t, 7, allowed.Load())
	require.EqualValues(t, 43, denied.Load())

	// The hour window counted only the admitted requests.
	d, err := lim.Allow(context.Background(), subject, now.Add(time.Minute), windows)
	require.NoError(t, err)
	require.True(t, d.Allowed)
	require.Equal(t, 100-8, d.Windows[1].Remaining)
}

func TestLimiterCountsUsageOnlyWhenAllowed(t *testing.T) {
	t.Parallel()
	rdb := dbtest.Redis(t)
	lim := kv.NewLimiter(rdb)
	tenant := fmt.Sprintf("tn_test%d", time.Now().UnixNano())
	now := time.Now()
	counter := kv.MonthlyCounterKey(tenant, "requests", now)
	windows := []kv.Window{{Limit: 2, Period: time.Minute}, {Limit: 10, Period: time.Hour}}
	for i := 0; i < 5; i++ {
		_, err := lim.Allow(context.Background(), kv.TenantKey(tenant, "rl", "k"), now, windows, counter)
		require.NoError(t, err)
	}
	n, err := rdb.Get(context.Background(), counter).Int()
	require.NoError(t, err)
	require.Equal(t, 2, n)
}

func TestHubFansOutToEverySubscriber(t *testing.T) {
	t.Parallel()
	rdb := dbtest.Redis(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, b := kv.NewHub(rdb, log), kv.NewHub(rdb, log) // two "instances"
	defer a.Close()
	defer b.Close()
	ctx := context.Background()
	ch := fmt.Sprintf("test:%d", time.Now().UnixNano())
	sa, cancelA, err := a.Subscribe(ctx, ch)
	require.NoError(t, err)
	sb, cancelB, err := b.Subscribe(ctx, ch)
	require.NoError(t, err)
	require.NoError(t, a.Publish(ctx, ch, []byte("hello")))
	for _, s := range []<-chan []byte{sa, sb} {
		select {
		case m := <-s:
			require.Equal(t, "hello", string(m))
		case <-time.After(3 * time.Second):
			t.Fatal("message not delivered")
		}
	}
	cancelA()
	cancelB()
	_, open := <-sa
	require.False(t, open, "cancel closes the subscriber channel")
}

func TestIdempotencyClaimAndReplay(t *testing.T) {
	t.Parallel()
	rdb := dbtest.Redis(t)
	ctx := context.Background()
	key := kv.TenantKey(fmt.Sprintf("tn_test%d", time.Now().UnixNano()), "idem", "k1")
	rec, err := kv.IdempotencyClaim(ctx, rdb, key, "h1")
	require.NoError(t, err)
	require.Nil(t, rec, "first claim wins")
	rec, err = kv.IdempotencyClaim(ctx, rdb, key, "h1")
	require.NoError(t, err)
	require.True(t, rec.Pending)
	require.NoError(t, kv.IdempotencyStore(ctx, rdb, key, kv.StoredResponse{BodyHash: "h1", Status: 201, Body: []byte("x")}))
	rec, err = kv.IdempotencyClaim(ctx, rdb, key, "h1")
	require.NoError(t, err)
	require.False(t, rec.Pending)
	require.Equal(t, 201, rec.Status)
}
