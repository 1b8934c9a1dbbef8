package main

import (
	"strings"
	"testing"
	"time"

	"github.com/redaktor/redaktor/intake"
)

func TestFloodLimitSettings(t *testing.T) {
	t.Parallel()
	cases := []struct {
		env     map[string]string
		want    intake.FloodLimit
		problem string
	}{
		{env: nil, want: intake.DefaultFloodLimit},
		{env: map[string]string{"FLOOD_LIMIT": "0"}, want: intake.FloodLimit{Updates: 0, Window: 10 * time.Second, CoolDown: time.Minute}},
		{env: map[string]string{"FLOOD_LIMIT": "50", "FLOOD_WINDOW": "20s", "FLOOD_COOLDOWN": "5m"},
			want: intake.FloodLimit{Updates: 50, Window: 20 * time.Second, CoolDown: 5 * time.Minute}},
		{env: map[string]string{"FLOOD_LIMIT": "много"}, problem: "FLOOD_LIMIT"},
		{env: map[string]string{"FLOOD_COOLDOWN": "минута"}, problem: "FLOOD_COOLDOWN"},
		{env: map[string]string{"FLOOD_WINDOW": "-1s"}, problem: "FLOOD_WINDOW"},
	}
	for _, c := range cases {
		env := map[string]string{"BOT_TOKEN": "1:abc"}
		for k, v := range c.env {
			env[k] = v
		}
		cfg, err := loadConfig(func(k string) string { return env[k] })
		if c.problem != "" {
			if err == nil || !strings.Contains(err.Error(), c.problem) {
				t.Errorf("%v: error %v, want one naming %s", c.env, err, c.problem)
			}
			continue
		}
		if err != nil {
			t.Errorf("%v: %v", c.env, err)
			continue
		}
		if cfg.Flood != c.want {
			t.Errorf("%v: limit %+v, want %+v", c.env, cfg.Flood, c.want)
		}
	}
}
