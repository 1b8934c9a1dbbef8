package storagetest

import (
	"errors"
	"net"
)

// reservePort holds addr so that no other process (another test's
// redis-server) can bind it, while it stays as dead as a killed server:
// every connection is closed at once, so a client or a cluster node gets
// an error, never an answer. A bare bound socket would not do: redis-server
// binds with SO_REUSEADDR and would share the port with it; a listener it
// cannot share. release frees the port.
func reservePort(addr string) (release func(), err error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			conn, err := l.Accept()
			if errors.Is(err, net.ErrClosed) {
				return
			}
			if err == nil {
				_ = conn.Close()
			}
		}
	}()
	return func() { _ = l.Close(); <-done }, nil
}
