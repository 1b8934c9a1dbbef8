package storage

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/redis/go-redis/v9"
)

// Transient reports whether err is a failure of Redis that passes by
// itself: the connection dropped or timed out, the client could not reach
// a server (no sentinel, no cluster node, a closed or exhausted pool), or
// the server is loading its data, failing over or out of clients. Trying
// the same work again a little later may succeed; any other error of the
// store (a wrong type, a script's refusal, a missing key) would fail the
// same way again, and so would an error that is not Redis's at all.
func Transient(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) { // the caller gave up; a deadline is a timeout (below)
		return false
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, redis.ErrPoolTimeout) ||
		errors.Is(err, redis.ErrPoolExhausted) || errors.Is(err, redis.ErrClosed) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
		return true
	}
	if netErr, ok := errors.AsType[net.Error](err); ok && (netErr.Timeout() || isOpError(netErr)) {
		return true
	}
	if _, reply := errors.AsType[redis.Error](err); reply {
		return redis.IsLoadingError(err) || redis.IsClusterDownError(err) || redis.IsTryAgainError(err) ||
			redis.IsMasterDownError(err) || redis.IsReadOnlyError(err) || redis.IsMaxClientsError(err) ||
			redis.HasErrorPrefix(err, "BUSY ") || redis.HasErrorPrefix(err, "NOREPLICAS")
	}
	return isClientError(err)
}

// isClientError: an error go-redis made itself, not a server's reply (no
// sentinel or cluster node reachable, the client closed, ...). It never
// reached a server that could refuse the work, so the work may succeed
// once one is reachable again.
func isClientError(err error) bool {
	for e := range walk(err) {
		if _, reply := e.(redis.Error); !reply && strings.HasPrefix(e.Error(), "redis: ") {
			return true
		}
	}
	return false
}

// walk yields err and every error it wraps.
func walk(err error) func(func(error) bool) {
	return func(yield func(error) bool) {
		var visit func(error) bool
		visit = func(e error) bool {
			if e == nil {
				return true
			}
			if !yield(e) {
				return false
			}
			switch w := e.(type) {
			case interface{ Unwrap() error }:
				return visit(w.Unwrap())
			case interface{ Unwrap() []error }:
				for _, inner := range w.Unwrap() {
					if !visit(inner) {
						return false
					}
				}
			}
			return true
		}
		visit(err)
	}
}

// isOpError: a dial, read or write that failed on the network.
func isOpError(err net.Error) bool {
	var op *net.OpError
	return errors.As(err, &op)
}
