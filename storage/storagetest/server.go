package storagetest

import (
	"bytes"
	"context"
	"net"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/redaktor/redaktor/storage"
)

// Server is a redis-server of a test's own, with AOF as compose.yaml runs
// it, for tests that kill and restart Redis (the shared one must never be).
// StartServer skips the test when the binary is not installed.
type Server struct {
	t    testing.TB
	Addr string
	dir  string
	bin  string

	mu   sync.Mutex
	proc *node
}

// StartServer starts a redis-server on a free local port; it is killed when
// the test ends. A port found free can be taken before redis-server binds
// it (tests run in parallel, and beside other test processes): then it
// tries another.
func StartServer(t testing.TB) *Server {
	t.Helper()
	bin := need(t, "this test kills and restarts a Redis of its own", "redis-server")[0]
	s := &Server{t: t, dir: t.TempDir(), bin: bin}
	t.Cleanup(s.Kill)
	var why string
	for range 5 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		s.Addr = l.Addr().String()
		_ = l.Close()
		if why = s.start(); why == "" {
			return s
		}
	}
	t.Fatalf("redis-server would not start on a free port: %s", why)
	return nil
}

// Start (re)starts the server on its address and data directory, and
// returns once it answers.
func (s *Server) Start() {
	s.t.Helper()
	if why := s.start(); why != "" {
		s.t.Fatalf("redis-server did not start again on %s: %s", s.Addr, why)
	}
}

// start starts the server and returns "" once this server (not another
// that took its port) answers, or why not.
func (s *Server) start() string {
	_, port, _ := net.SplitHostPort(s.Addr)
	n := &node{exited: make(chan struct{}), out: &bytes.Buffer{}}
	n.cmd = exec.Command(s.bin, "--bind", "127.0.0.1", "--port", port, "--dir", s.dir,
		"--appendonly", "yes", "--appendfsync", "always", "--save", "", "--maxmemory-policy", "noeviction")
	n.cmd.Stdout, n.cmd.Stderr = n.out, n.out
	if err := n.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	go func() { _ = n.cmd.Wait(); close(n.exited) }()
	s.mu.Lock()
	s.proc = n
	s.mu.Unlock()
	if answersAs(s.Addr, n, 10*time.Second) {
		return ""
	}
	s.Kill()
	return lastLine(n.out.String())
}

// Kill stops the server the hard way, like a crash or a power cut; what
// was written before is kept by the AOF (fsync always).
func (s *Server) Kill() {
	s.mu.Lock()
	n := s.proc
	s.proc = nil
	s.mu.Unlock()
	if n == nil {
		return
	}
	_ = n.cmd.Process.Kill()
	<-n.exited
}

// Open connects to the server with short timeouts (a call to a dead
// server fails fast) on a fresh prefix.
func (s *Server) Open(t testing.TB) Redis {
	t.Helper()
	return openOwn(t, "redis://"+s.Addr+"?"+shortTimeouts)
}

// shortTimeouts make a call to a dead server fail fast.
const shortTimeouts = "dial_timeout=100ms&read_timeout=500ms&write_timeout=500ms"

// openOwn connects to a Redis of the test's own on a fresh prefix.
func openOwn(t testing.TB, url string) Redis {
	t.Helper()
	c, err := storage.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return Redis{Client: c, Prefix: "t" + randomHex(6), URL: url}
}
