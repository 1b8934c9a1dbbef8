package storagetest

import (
	"context"
	"net"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redaktor/redaktor/storage"
)

// Server is a redis-server of a test's own, with AOF as compose.yaml runs
// it, for tests that kill and restart Redis (the shared one must never be).
// StartServer skips the test when the binary is not installed.
type Server struct {
	t    testing.TB
	Addr string
	dir  string

	mu  sync.Mutex
	cmd *exec.Cmd
}

// StartServer starts a redis-server on a free local port; it is killed when
// the test ends.
func StartServer(t testing.TB) *Server {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server is not installed: this test kills and restarts a Redis of its own")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{t: t, Addr: l.Addr().String(), dir: t.TempDir()}
	_ = l.Close()
	s.Start()
	t.Cleanup(s.Kill)
	return s
}

// Start (re)starts the server on its address and data directory, and
// returns once it answers.
func (s *Server) Start() {
	s.t.Helper()
	_, port, _ := net.SplitHostPort(s.Addr)
	cmd := exec.Command("redis-server", "--bind", "127.0.0.1", "--port", port, "--dir", s.dir,
		"--appendonly", "yes", "--appendfsync", "always", "--save", "", "--maxmemory-policy", "noeviction")
	if err := cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	s.mu.Lock()
	s.cmd = cmd
	s.mu.Unlock()
	c := redis.NewClient(&redis.Options{Addr: s.Addr, DialTimeout: 100 * time.Millisecond, MaxRetries: -1})
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for c.Ping(context.Background()).Err() != nil {
		if time.Now().After(deadline) {
			s.t.Fatal("redis-server did not answer within 10 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Kill stops the server the hard way, like a crash or a power cut; what
// was written before is kept by the AOF (fsync always).
func (s *Server) Kill() {
	s.mu.Lock()
	cmd := s.cmd
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil || cmd.Process == nil {
		return
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
}

// Open connects to the server with short timeouts (a call to a dead
// server fails fast) on a fresh prefix.
func (s *Server) Open(t testing.TB) Redis {
	t.Helper()
	url := "redis://" + s.Addr + "?dial_timeout=100ms&read_timeout=500ms&write_timeout=500ms"
	c, err := storage.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return Redis{Client: c, Prefix: "t" + randomHex(6), URL: url}
}
