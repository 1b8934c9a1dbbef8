package storagetest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// SentinelMaster is the name the sentinels of StartSentinel know the
// master by.
const SentinelMaster = "redaktor"

// Sentinel is a Redis master with one replica watched by three sentinels
// (quorum 2) of a test's own, on local ports, quick to fail over: a master
// that answers nothing for a second is replaced. StartSentinel skips the
// test without redis-server (fails it when RequireEnv says so).
type Sentinel struct {
	t         testing.TB
	Master    string
	Replica   string
	Sentinels []string
	procs     *procs
}

// StartSentinel starts the group and returns once every sentinel knows the
// replica and the other two; it is killed when the test ends.
func StartSentinel(t testing.TB) *Sentinel {
	t.Helper()
	server := need(t, "this test fails a Redis over with sentinels of its own", "redis-server")[0]
	// redis-sentinel is redis-server under another name; Debian ships it in
	// a package of its own, and redis-server --sentinel is the same program.
	sentinel, sentinelArgs := server, []string{"--sentinel"}
	if p, err := exec.LookPath("redis-sentinel"); err == nil {
		sentinel, sentinelArgs = p, nil
	}
	s := &Sentinel{t: t, procs: newProcs(t)}
	// A replica's first sync starts at once, not after the 5 s a master
	// waits for more replicas to sync with the same stream.
	data := func(port, dir string) []string {
		return []string{"--bind", "127.0.0.1", "--port", port, "--dir", dir,
			"--appendonly", "yes", "--save", "", "--maxmemory-policy", "noeviction",
			"--repl-diskless-sync-delay", "0"}
	}
	s.Master = s.procs.start(server, data)
	host, masterPort, _ := net.SplitHostPort(s.Master)
	s.Replica = s.procs.start(server, func(port, dir string) []string {
		return append(data(port, dir), "--replicaof", host, masterPort)
	})
	waitAnswer(t, s.Replica, replicating)
	for range 3 {
		s.Sentinels = append(s.Sentinels, s.procs.start(sentinel, func(port, dir string) []string {
			// A sentinel rewrites its configuration file: each has its own.
			// A failover not carried out in failover-timeout is tried again
			// only after twice that: 2 s, not the 6 min of the default.
			conf := filepath.Join(dir, "sentinel.conf")
			text := fmt.Sprintf("bind 127.0.0.1\nport %s\ndir %s\n", port, dir) +
				fmt.Sprintf("sentinel monitor %s %s %s 2\n", SentinelMaster, host, masterPort) +
				fmt.Sprintf("sentinel down-after-milliseconds %s 1000\n", SentinelMaster) +
				fmt.Sprintf("sentinel failover-timeout %s 1000\n", SentinelMaster)
			if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			return append([]string{conf}, sentinelArgs...)
		}))
	}
	for _, a := range s.Sentinels {
		waitSentinel(t, a)
	}
	return s
}

// waitSentinel waits until the sentinel at addr knows the master's replica
// and the two other sentinels: without them it could not agree on a
// failover.
func waitSentinel(t testing.TB, addr string) {
	t.Helper()
	c := redis.NewSentinelClient(&redis.Options{Addr: addr, DialTimeout: 100 * time.Millisecond, MaxRetries: -1})
	defer c.Close()
	deadline := time.Now().Add(20 * time.Second)
	for {
		m, err := c.Master(context.Background(), SentinelMaster).Result()
		if err == nil && m["num-slaves"] == "1" && m["num-other-sentinels"] == "2" && m["flags"] == "master" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("sentinel %s not ready within 20 s: %v %v", addr, m, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// URL is a REDIS_URL for the group (go-redis's failover form), with short
// timeouts.
func (s *Sentinel) URL() string {
	u := "redis://" + s.Sentinels[0] + "/0?master_name=" + SentinelMaster + "&" + shortTimeouts
	for _, a := range s.Sentinels[1:] {
		u += "&addr=" + a
	}
	return u
}

// Open connects to the group (URL) on a fresh prefix.
func (s *Sentinel) Open(t testing.TB) Redis {
	t.Helper()
	return openOwn(t, s.URL())
}

// KillMaster kills the master, once its replica has applied all it wrote
// (see killCaughtUp), and returns its address; the sentinels then promote
// the replica.
func (s *Sentinel) KillMaster() string {
	s.t.Helper()
	s.procs.killCaughtUp(s.Master)
	return s.Master
}

// MasterAddr asks the sentinels, in turn until one answers, which server
// is the master.
func (s *Sentinel) MasterAddr(ctx context.Context) (string, error) {
	var last error
	for _, a := range s.Sentinels {
		c := redis.NewSentinelClient(&redis.Options{Addr: a, DialTimeout: 100 * time.Millisecond, MaxRetries: -1})
		addr, err := c.GetMasterAddrByName(ctx, SentinelMaster).Result()
		_ = c.Close()
		if err == nil && len(addr) == 2 {
			return net.JoinHostPort(addr[0], addr[1]), nil
		}
		last = err
	}
	return "", fmt.Errorf("no sentinel says which server is the master: %w", last)
}
