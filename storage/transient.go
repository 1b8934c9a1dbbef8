package storage

import (
	"errors"
	"io"
	"net"
	"syscall"

	"github.com/redis/go-redis/v9"
)

// Transient reports whether err is a failure of Redis that passes by
// itself: the connection dropped or timed out, the pool was exhausted, or
// the server is loading its data, failing over or out of clients. Trying
// the same work again a little later may succeed; any other error of the
// store (a wrong type, a script's refusal, a missing key) would fail the
// same way again.
func Transient(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, redis.ErrPoolTimeout) ||
		errors.Is(err, redis.ErrPoolExhausted) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
		return true
	}
	if netErr, ok := errors.AsType[net.Error](err); ok && (netErr.Timeout() || isOpError(netErr)) {
		return true
	}
	return redis.IsLoadingError(err) || redis.IsClusterDownError(err) || redis.IsTryAgainError(err) ||
		redis.IsMasterDownError(err) || redis.IsReadOnlyError(err) || redis.IsMaxClientsError(err) ||
		redis.HasErrorPrefix(err, "BUSY ") || redis.HasErrorPrefix(err, "NOREPLICAS")
}

// isOpError: a dial, read or write that failed on the network.
func isOpError(err net.Error) bool {
	var op *net.OpError
	return errors.As(err, &op)
}
