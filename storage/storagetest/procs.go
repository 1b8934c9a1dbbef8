package storagetest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// RequireEnv names the variable that makes the tests running Redis servers
// of their own fail instead of skip when a binary is missing: CI sets it
// to "require" (.ci/run), so they cannot pass there by not running.
const RequireEnv = "REDAKTOR_FAILOVER_TESTS"

// need skips the test (fails it when RequireEnv says so) unless every
// binary is installed, and returns the path of each.
func need(t testing.TB, why string, bins ...string) []string {
	t.Helper()
	paths := make([]string, len(bins))
	for i, bin := range bins {
		p, err := exec.LookPath(bin)
		if err != nil {
			if os.Getenv(RequireEnv) == "require" {
				t.Fatalf("%s is not installed and %s=require: %s", bin, RequireEnv, why)
			}
			t.Skipf("%s is not installed: %s", bin, why)
		}
		paths[i] = p
	}
	return paths
}

// node is one redis-server (or sentinel) process; exited closes when it
// ended.
type node struct {
	cmd    *exec.Cmd
	exited chan struct{}
	out    *bytes.Buffer
}

// procs are the servers of one test, by address; all are killed when the
// test ends.
type procs struct {
	t     testing.TB
	mu    sync.Mutex
	nodes map[string]*node
}

func newProcs(t testing.TB) *procs {
	p := &procs{t: t, nodes: map[string]*node{}}
	t.Cleanup(p.stopAll)
	return p
}

// start runs bin with the arguments args gives for a free port and a data
// directory of its own, and returns its address once it answers. A port
// found free can be taken before the server binds it (by another test's
// server: tests run in parallel, and beside other test processes): the
// server then exits, or another answers on its port. Then it tries again
// on another port.
func (p *procs) start(bin string, args func(port, dir string) []string) string {
	p.t.Helper()
	var why string
	for range 5 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			p.t.Fatal(err)
		}
		addr := l.Addr().String()
		_ = l.Close()
		dir := filepath.Join(p.t.TempDir(), strings.ReplaceAll(addr, ":", "_"))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			p.t.Fatal(err)
		}
		_, port, _ := net.SplitHostPort(addr)
		n := &node{exited: make(chan struct{}), out: &bytes.Buffer{}}
		n.cmd = exec.Command(bin, args(port, dir)...)
		n.cmd.Stdout, n.cmd.Stderr = n.out, n.out
		if err := n.cmd.Start(); err != nil {
			p.t.Fatal(err)
		}
		go func() { _ = n.cmd.Wait(); close(n.exited) }()
		p.mu.Lock()
		p.nodes[addr] = n
		p.mu.Unlock()
		if answersAs(addr, n, 20*time.Second) {
			return addr
		}
		p.kill(addr)
		why = fmt.Sprintf("%s: %s", addr, lastLine(n.out.String()))
	}
	p.t.Fatalf("no %s would start on a free port; last: %s", filepath.Base(bin), why)
	return ""
}

// kill stops the server at addr the hard way.
func (p *procs) kill(addr string) {
	p.mu.Lock()
	n := p.nodes[addr]
	delete(p.nodes, addr)
	p.mu.Unlock()
	if n != nil {
		_ = n.cmd.Process.Kill()
		<-n.exited
	}
}

func (p *procs) stopAll() {
	p.mu.Lock()
	var addrs []string
	for a := range p.nodes {
		addrs = append(addrs, a)
	}
	p.mu.Unlock()
	for _, a := range addrs {
		p.kill(a)
	}
}

// killCaughtUp kills the primary at addr once its replicas have applied
// everything it had written. Redis replicates asynchronously: a write
// acknowledged in the instant before a crash can be lost with the primary
// whatever its client does, and a test of how a client follows the
// failover must not fail on that.
func (p *procs) killCaughtUp(addr string) {
	p.t.Helper()
	waitAnswer(p.t, addr, caughtUp)
	p.kill(addr)
}

// caughtUp: every replica of the primary n has applied its whole
// replication stream as it was when asked.
func caughtUp(n *redis.Client) bool {
	ctx := context.Background()
	info, err := n.Info(ctx, "replication").Result()
	if err != nil {
		return false
	}
	fields := infoFields(info)
	written, err := strconv.ParseInt(fields["master_repl_offset"], 10, 64)
	if err != nil || fields["connected_slaves"] == "0" || fields["connected_slaves"] == "" {
		return false
	}
	for k, v := range fields {
		if !strings.HasPrefix(k, "slave") || strings.Contains(k, "_") {
			continue
		}
		var ip, port string
		for _, kv := range strings.Split(v, ",") {
			name, val, _ := strings.Cut(kv, "=")
			switch name {
			case "ip":
				ip = val
			case "port":
				port = val
			}
		}
		r := redis.NewClient(&redis.Options{Addr: net.JoinHostPort(ip, port), DialTimeout: 100 * time.Millisecond, MaxRetries: -1})
		rinfo, err := r.Info(ctx, "replication").Result()
		_ = r.Close()
		if err != nil {
			return false
		}
		applied, err := strconv.ParseInt(infoFields(rinfo)["slave_repl_offset"], 10, 64)
		if err != nil || applied < written {
			return false
		}
	}
	return true
}

// infoFields splits the lines of an INFO answer into name and value.
func infoFields(info string) map[string]string {
	fields := map[string]string{}
	for _, line := range strings.Split(info, "\n") {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), ":"); ok {
			fields[k] = v
		}
	}
	return fields
}

// answersAs reports whether the node's own process answers at addr within
// d, and false as soon as it exits.
func answersAs(addr string, n *node, d time.Duration) bool {
	cl := redis.NewClient(&redis.Options{Addr: addr, DialTimeout: 100 * time.Millisecond, MaxRetries: -1})
	defer cl.Close()
	want := "process_id:" + strconv.Itoa(n.cmd.Process.Pid) + "\r\n"
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		select {
		case <-n.exited:
			return false
		default:
		}
		if info, err := cl.Info(context.Background(), "server").Result(); err == nil {
			return strings.Contains(info, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return false
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// waitAnswer waits until the server at addr answers and ok holds.
func waitAnswer(t testing.TB, addr string, ok func(*redis.Client) bool) {
	t.Helper()
	n := redis.NewClient(&redis.Options{Addr: addr, DialTimeout: 100 * time.Millisecond, MaxRetries: -1})
	defer n.Close()
	deadline := time.Now().Add(20 * time.Second)
	for n.Ping(context.Background()).Err() != nil || !ok(n) {
		if time.Now().After(deadline) {
			t.Fatalf("redis node %s not ready within 20 s", addr)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
