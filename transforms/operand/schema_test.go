package operand

import (
	"strconv"
	"sync"
	"testing"

	"github.com/ferryhq/ferry/connectors"
)

func TestCache(t *testing.T) {
	schemas := make([]*connectors.Schema, cacheSize+1)
	for i := range schemas {
		schemas[i] = connectors.StructBuilder().Name("s" + strconv.Itoa(i)).MustBuild()
	}
	var c Cache[string]
	builds := 0
	build := func(s *connectors.Schema) (string, error) { builds++; return s.Name, nil }
	for round := 0; round < 2; round++ {
		for _, s := range schemas[:cacheSize] {
			if v, _ := c.GetOrBuild(s, build); v != s.Name {
				t.Fatalf("GetOrBuild(%s) = %s", s.Name, v)
			}
		}
	}
	if builds != cacheSize {
		t.Errorf("%d builds for %d schemas looked up twice, want %d", builds, cacheSize, cacheSize)
	}
	c.GetOrBuild(schemas[cacheSize], build) // the 17th starts the cache over
	c.GetOrBuild(schemas[0], build)
	if builds != cacheSize+2 {
		t.Errorf("%d builds after the 17th schema, want %d", builds, cacheSize+2)
	}
}

// TestCacheConcurrent is for -race: lookups and additions from many goroutines.
func TestCacheConcurrent(t *testing.T) {
	var c Cache[*connectors.Schema]
	s := connectors.StructBuilder().MustBuild()
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 100; i++ {
				other := connectors.StructBuilder().MustBuild()
				for _, in := range []*connectors.Schema{s, other} {
					if v, _ := c.GetOrBuild(in, func(x *connectors.Schema) (*connectors.Schema, error) { return x, nil }); v != in {
						t.Errorf("GetOrBuild returned another schema's entry")
					}
				}
			}
		}()
	}
	wg.Wait()
}
