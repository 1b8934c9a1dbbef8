package storagetest

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Cluster is a Redis Cluster of a test's own: three primaries with one
// replica each on local ports, with a short node timeout so that a killed
// primary is replaced within a second or two. StartCluster skips the test
// without redis-server and redis-cli (fails it when RequireEnv says so).
type Cluster struct {
	t     testing.TB
	Addrs []string
	procs *procs
}

// startNode starts a cluster node on a free port.
func (c *Cluster) startNode(server string) string {
	c.t.Helper()
	// A replica's first sync starts at once, not after the 5 s a primary
	// waits for more replicas to sync with the same stream.
	return c.procs.start(server, func(port, dir string) []string {
		return []string{"--bind", "127.0.0.1", "--port", port, "--dir", dir,
			"--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "500",
			"--cluster-replica-validity-factor", "0",
			"--appendonly", "yes", "--save", "", "--maxmemory-policy", "noeviction",
			"--repl-diskless-sync-delay", "0"}
	})
}

// StartCluster starts and joins six nodes; they are killed when the test ends.
func StartCluster(t testing.TB) *Cluster {
	t.Helper()
	bins := need(t, "this test builds a Redis Cluster of its own", "redis-server", "redis-cli")
	c := &Cluster{t: t, procs: newProcs(t)}
	for range 6 {
		c.Addrs = append(c.Addrs, c.startNode(bins[0]))
	}
	args := append([]string{"--cluster", "create"}, c.Addrs...)
	args = append(args, "--cluster-replicas", "1", "--cluster-yes")
	if out, err := exec.Command(bins[1], args...).CombinedOutput(); err != nil {
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

// URL is a REDIS_URL for the cluster, with short timeouts.
func (c *Cluster) URL() string {
	u := "redis://" + c.Addrs[0] + "?cluster=true&" + shortTimeouts
	for _, a := range c.Addrs[1:] {
		u += "&addr=" + a
	}
	return u
}

// Open connects to the cluster (URL) on a fresh prefix.
func (c *Cluster) Open(t testing.TB) Redis {
	t.Helper()
	return openOwn(t, c.URL())
}

// Kill stops the node at addr the hard way.
func (c *Cluster) Kill(addr string) { c.procs.kill(addr) }

// KillPrimaryOf kills the primary serving key, once its replica has
// applied all it wrote (see killCaughtUp), and returns its address.
func (c *Cluster) KillPrimaryOf(key string) string {
	c.t.Helper()
	primary, err := c.PrimaryOf(context.Background(), key)
	if err != nil {
		c.t.Fatal(err)
	}
	c.procs.killCaughtUp(primary)
	return primary
}

// PrimaryOf asks the nodes, in turn until one answers, which primary
// serves key's slot.
func (c *Cluster) PrimaryOf(ctx context.Context, key string) (string, error) {
	var last error
	for _, a := range c.Addrs {
		n := redis.NewClient(&redis.Options{Addr: a, DialTimeout: 100 * time.Millisecond, MaxRetries: -1})
		slot, err := n.ClusterKeySlot(ctx, key).Result()
		var slots []redis.ClusterSlot
		if err == nil {
			slots, err = n.ClusterSlots(ctx).Result()
		}
		_ = n.Close()
		if err != nil {
			last = err
			continue
		}
		for _, s := range slots {
			if int64(s.Start) <= slot && slot <= int64(s.End) && len(s.Nodes) > 0 {
				return s.Nodes[0].Addr, nil
			}
		}
		last = fmt.Errorf("node %s knows no primary of slot %d", a, slot)
	}
	return "", fmt.Errorf("no node of the cluster says who serves %q: %w", key, last)
}
