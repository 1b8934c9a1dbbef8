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

// Cluster is a Redis Cluster of a test's own: three primaries with one
// replica each on local ports, with a short node timeout so that a killed
// primary is replaced within a second or two. StartCluster skips the test
// without redis-server and redis-cli.
type Cluster struct {
	t     testing.TB
	Addrs []string

	mu    sync.Mutex
	procs map[string]*node
}

// node is one redis-server of the cluster; exited closes when it ended.
type node struct {
	cmd    *exec.Cmd
	exited chan struct{}
	out    *bytes.Buffer
}

// startNode starts a node on a free port and returns its address once it
// answers. A port found free can be taken before redis-server binds it (by
// another test's server: tests run in parallel, and beside other test
// processes): the server then exits, or another answers on its port. Then
// it tries again on another port.
func (c *Cluster) startNode() string {
	c.t.Helper()
	var why string
	for range 5 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			c.t.Fatal(err)
		}
		addr := l.Addr().String()
		_ = l.Close()
		dir := filepath.Join(c.t.TempDir(), strings.ReplaceAll(addr, ":", "_"))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			c.t.Fatal(err)
		}
		_, port, _ := net.SplitHostPort(addr)
		n := &node{exited: make(chan struct{}), out: &bytes.Buffer{}}
		n.cmd = exec.Command("redis-server", "--bind", "127.0.0.1", "--port", port, "--dir", dir,
			"--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "500",
			"--cluster-replica-validity-factor", "0",
			"--appendonly", "yes", "--save", "", "--maxmemory-policy", "noeviction")
		n.cmd.Stdout, n.cmd.Stderr = n.out, n.out
		if err := n.cmd.Start(); err != nil {
			c.t.Fatal(err)
		}
		go func() { _ = n.cmd.Wait(); close(n.exited) }()
		c.mu.Lock()
		c.procs[addr] = n
		c.mu.Unlock()
		if answersAs(addr, n, 20*time.Second) {
			return addr
		}
		c.Kill(addr)
		why = fmt.Sprintf("%s: %s", addr, lastLine(n.out.String()))
	}
	c.t.Fatalf("no redis node would start on a free port; last: %s", why)
	return ""
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

// StartCluster starts and joins six nodes; they are killed when the test ends.
func StartCluster(t testing.TB) *Cluster {
	t.Helper()
	for _, bin := range []string{"redis-server", "redis-cli"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skip(bin + " is not installed: this test builds a Redis Cluster of its own")
		}
	}
	c := &Cluster{t: t, procs: map[string]*node{}}
	t.Cleanup(c.stopAll)
	for range 6 {
		c.Addrs = append(c.Addrs, c.startNode())
	}
	args := append([]string{"--cluster", "create"}, c.Addrs...)
	args = append(args, "--cluster-replicas", "1", "--cluster-yes")
	if out, err := exec.Command("redis-cli", args...).CombinedOutput(); err != nil {
		t.Fatalf("redis-cli --cluster create: %v\n%s", err, out)
	}
	for _, a := range c.Addrs {
		waitAnswer(t, a, clusterOK)
	}
	for _, a := range c.Addrs {
		waitAnswer(t, a, replicating)
	}
	return c
}

// clusterOK: the node sees every slot served and the six nodes.
func clusterOK(n *redis.Client) bool {
	info, err := n.ClusterInfo(context.Background()).Result()
	return err == nil && strings.Contains(info, "cluster_state:ok") &&
		strings.Contains(info, "cluster_slots_ok:16384") && strings.Contains(info, "cluster_known_nodes:6")
}

// replicating: a primary, or a replica in sync with its primary.
func replicating(n *redis.Client) bool {
	info, err := n.Info(context.Background(), "replication").Result()
	return err == nil && (strings.Contains(info, "role:master") || strings.Contains(info, "master_link_status:up"))
}

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

// URL is a REDIS_URL for the cluster, with short timeouts.
func (c *Cluster) URL() string {
	u := "redis://" + c.Addrs[0] + "?cluster=true&dial_timeout=100ms&read_timeout=500ms&write_timeout=500ms"
	for _, a := range c.Addrs[1:] {
		u += "&addr=" + a
	}
	return u
}

// Kill stops the node at addr the hard way.
func (c *Cluster) Kill(addr string) {
	c.mu.Lock()
	n := c.procs[addr]
	delete(c.procs, addr)
	c.mu.Unlock()
	if n != nil {
		_ = n.cmd.Process.Kill()
		<-n.exited
	}
}

func (c *Cluster) stopAll() {
	c.mu.Lock()
	var addrs []string
	for a := range c.procs {
		addrs = append(addrs, a)
	}
	c.mu.Unlock()
	for _, a := range addrs {
		c.Kill(a)
	}
}
