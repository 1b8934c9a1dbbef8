package broadcast_test

import (
	"flag"
	"os"
	"strconv"
	"testing"
)

// waiters is how many tests run at once unless -parallel says otherwise.
// The broadcast tests mostly wait for their pacer and for Redis servers of
// their own, not on a core, so the default of GOMAXPROCS (two on the
// machines the suite must be fast on) would leave those waits in a row.
const waiters = 6

func TestMain(m *testing.M) {
	flag.Parse()
	explicit := false
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "test.parallel" })
	if !explicit {
		if err := flag.Set("test.parallel", strconv.Itoa(waiters)); err != nil {
			panic(err)
		}
	}
	os.Exit(m.Run())
}
