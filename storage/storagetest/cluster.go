package storagetest

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
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
	procs map[string]*exec.Cmd
}

// StartCluster starts and joins six nodes; they are killed when the test ends.
func StartCluster(t testing.TB) *Cluster {
	t.Helper()
	for _, bin := range []string{"redis-server", "redis-cli"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skip(bin + " is not installed: this test builds a Redis Cluster of its own")
		}
	}
	c := &Cluster{t: t, procs: map[string]*exec.Cmd{}}
	t.Cleanup(c.stopAll)
	for range 6 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		_ = l.Close()
		c.Addrs = append(c.Addrs, addr)
		dir := filepath.Join(t.TempDir(), strings.ReplaceAll(addr, ":", "_"))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		_, port, _ := net.SplitHostPort(addr)
		cmd := exec.Command("redis-server", "--bind", "127.0.0.1", "--port", port, "--dir", dir,
			"--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "500",
			"--cluster-replica-validity-factor", "0",
			"--appendonly", "yes", "--save", "", "--maxmemory-policy", "noeviction")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		c.procs[addr] = cmd
	}
	for _, a := range c.Addrs {
		waitAnswer(t, a, func(*redis.Client) bool { return true })
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
	cmd := c.procs[addr]
	delete(c.procs, addr)
	c.mu.Unlock()
	if cmd != nil && cmd.Process != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
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
