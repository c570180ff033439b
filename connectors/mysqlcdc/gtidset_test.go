package mysqlcdc

import (
	"errors"
	"strings"
	"testing"
)

func TestGTIDStartSets(t *testing.T) {
	errLost := errors.New("lost")
	lost := func(string) error { return errLost }
	const a, b = "3e11fa47-71ca-11e1-9e33-c80aa9429562", "4e11fa47-71ca-11e1-9e33-c80aa9429562"
	for _, tc := range []struct {
		name, offset, purged, include, want string
		mysql, lost                         bool
	}{
		{name: "mariadb: offset after the oldest list", offset: "0-1-10", purged: "0-1-8", want: "0-1-10"},
		{name: "mariadb: offset behind the oldest list", offset: "0-1-5", purged: "0-1-8", lost: true},
		{name: "mariadb: a domain the offset lacks is purged", offset: "0-1-10", purged: "0-1-8,1-1-3", lost: true},
		{name: "mariadb: a domain filtered out starts at its first available", offset: "0-1-10", purged: "0-1-8,1-2-3", include: "0-1", want: "0-1-10,1-2-3"},
		{name: "mariadb: one GTID per domain, the highest", offset: "0-1-10,0-2-12,1-1-4", purged: "", want: "0-2-12,1-1-4"},
		{name: "mysql: purged contained", mysql: true, offset: a + ":1-20", purged: a + ":1-5", want: a + ":1-20"},
		{name: "mysql: purged past the offset", mysql: true, offset: a + ":1-3", purged: a + ":1-5", lost: true},
		{name: "mysql: a new source starts after its purged", mysql: true, offset: a + ":1-20", purged: a + ":1-5," + b + ":1-7", include: a,
			want: a + ":1-20," + b + ":1-7"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := GTIDConfig{}
			if tc.include != "" {
				g.GTIDIncludes = []string{tc.include}
			}
			f := g.sourceFilter()
			start := mariadbStartSet
			if tc.mysql {
				start = mysqlStartSet
			}
			got, err := start(filterGTIDs(tc.offset, f), tc.purged, f, lost)
			if tc.lost {
				if !errors.Is(err, errLost) {
					t.Fatalf("got %q, %v; want lost", got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestEventGTID(t *testing.T) {
	for info, want := range map[string]string{
		"BEGIN GTID 0-1-5": "0-1-5", "GTID 2-7-100 cid=4": "2-7-100",
		"SET @@SESSION.GTID_NEXT= '3e11fa47-71ca-11e1-9e33-c80aa9429562:23'": "3e11fa47-71ca-11e1-9e33-c80aa9429562:23",
		"COMMIT": "",
	} {
		if got := eventGTID(info); got != want {
			t.Errorf("eventGTID(%q) = %q, want %q", info, got, want)
		}
	}
}

func TestGTIDConfigCheck(t *testing.T) {
	for _, tc := range []struct {
		g    GTIDConfig
		want string
	}{
		{GTIDConfig{GTIDIncludes: []string{"0-1"}}, ""},
		{GTIDConfig{GTIDIncludes: []string{"0-1"}, GTIDExcludes: []string{"1-1"}}, "Invalid value 1-1 for configuration gtid.source.excludes: Cannot specify GTID excludes when includes are provided."},
		{GTIDConfig{GTIDExcludes: []string{"("}}, "gtid.source.excludes"},
	} {
		errs := tc.g.checkGTIDConfig()
		if tc.want == "" && len(errs) > 0 || tc.want != "" && (len(errs) == 0 || !strings.Contains(errs.Error(), tc.want)) {
			t.Errorf("%+v: %v, want %q", tc.g, errs, tc.want)
		}
	}
	ex := GTIDConfig{GTIDExcludes: []string{"0-.*"}}
	if !(&gtidFilter{}).keep("x") || ex.sourceFilter().keep("0-1") || !ex.sourceFilter().keep("1-1") {
		t.Error("filter")
	}
}
