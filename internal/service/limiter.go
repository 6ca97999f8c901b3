package service

import (
	"sync"
	"time"

	"github.com/lifeline-iot/lifeline/internal/clock"
)

// Login throttling: after maxLoginFailures failed attempts for one email
// address from one source within loginWindow, further attempts are refused
// until the window passes. Counts are per server process; behind a load
// balancer each server counts on its own, which still bounds guessing.
const (
	maxLoginFailures = 10
	loginWindow      = 15 * time.Minute
)

type loginLimiter struct {
	mu    sync.Mutex
	clk   clock.Clock
	fails map[string][]time.Time
}

func newLoginLimiter(clk clock.Clock) *loginLimiter {
	return &loginLimiter{clk: clk, fails: map[string][]time.Time{}}
}

// recent returns the failures for key inside the window, dropping older ones.
func (l *loginLimiter) recent(key string) []time.Time {
	cutoff := l.clk.Now().Add(-loginWindow)
	fs := l.fails[key]
	i := 0
	for i < len(fs) && fs[i].Before(cutoff) {
		i++
	}
	fs = fs[i:]
	if len(fs) == 0 {
		delete(l.fails, key)
	} else {
		l.fails[key] = fs
	}
	return fs
}

func (l *loginLimiter) allowed(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.recent(key)) < maxLoginFailures
}

func (l *loginLimiter) fail(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.fails[key] = append(l.recent(key), l.clk.Now())
	if len(l.fails) > 100_000 { // bound memory under a spray of distinct keys
		for k := range l.fails {
			delete(l.fails, k)
			if len(l.fails) <= 50_000 {
				break
			}
		}
	}
}

func (l *loginLimiter) reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fails, key)
}
