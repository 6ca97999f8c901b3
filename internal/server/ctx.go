package server

import (
	"context"
	"time"
)

// contextWithTimeout bounds the database ping behind the lifeline_up metric.
func contextWithTimeout() context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	time.AfterFunc(time.Second, cancel)
	return ctx
}
