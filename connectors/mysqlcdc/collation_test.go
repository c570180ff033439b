package mysqlcdc

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/pingcap/tidb/pkg/parser/charset"
)

// TestCollationByName pins the collation ids go-mysql's client sends in the
// connection handshake: it looks them up with TiDB's
// parser/charset.GetCollationByName, which ferry replaces (go.mod) with
// connectors/mysqlcdc/tidbparser. The golden file was written by TiDB's
// package itself (every collation of its table, the utf8mb3_ aliases, a
// name in upper case, and names it does not know, as "error").
func TestCollationByName(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "collations.golden"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	for sc := bufio.NewScanner(f); sc.Scan(); n++ {
		name, want, _ := strings.Cut(sc.Text(), " ")
		c, err := charset.GetCollationByName(name)
		switch {
		case want == "error":
			if err == nil {
				t.Errorf("GetCollationByName(%q) = id %d, want an error", name, c.ID)
			}
		case err != nil:
			t.Errorf("GetCollationByName(%q): %v, want id %s", name, err, want)
		case strconv.Itoa(c.ID) != want:
			t.Errorf("GetCollationByName(%q) = id %d, want %s", name, c.ID, want)
		}
	}
	if n < 270 {
		t.Fatalf("testdata/collations.golden holds %d names, want TiDB's whole table", n)
	}
}
