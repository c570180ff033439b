package scheduler

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/transforms/catalogue"
)

// validateErrors runs PUT .../config/validate and returns the ConfigInfos
// and its errors (warnings included) by key.
func validateErrors(t *testing.T, h http.Handler, plugin, config string) (configInfos, map[string][]string) {
	t.Helper()
	code, body, _ := call(t, h, "PUT", "/connector-plugins/"+plugin+"/config/validate", config)
	if code != http.StatusOK {
		t.Fatalf("validate: %d %s", code, body)
	}
	var got configInfos
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	errs := map[string][]string{}
	for _, c := range got.Configs {
		if len(c.Value.Errors) > 0 {
			errs[c.Value.Name] = c.Value.Errors
		}
	}
	return got, errs
}

// TestUnknownKeysAreWarnings checks that keys no declaration knows are shown
// by /config/validate as a warning entry not counted in error_count, that
// keys handed on to clients, providers and converters are not, and that
// the create is accepted (Kafka Connect accepts unknown keys).
func TestUnknownKeysAreWarnings(t *testing.T) {
	base := `"name":"s","connector.class":"FileStreamSink","topics":"a","file":"/tmp/x"`
	tests := []struct {
		name, extra string
		warned      []string
	}{
		{"typo of a framework key", `"tasks.mx":"2"`, []string{"tasks.mx"}},
		{"typo of a connector key", `"fille":"/tmp/y"`, []string{"fille"}},
		{"unknown transformation key", `"transforms":"m","transforms.m.type":"MaskField$Value","transforms.m.fields":"a","transforms.m.feilds":"b"`,
			[]string{"transforms.m.feilds"}},
		{"keys of an alias not listed", `"transforms.gone.type":"Filter"`, []string{"transforms.gone.type"}},
		{"client overrides and converter keys pass", `"consumer.override.max.poll.records":"5","value.converter.schemas.enable":"false",` +
			`"value.converter.basic.auth.credentials.source":"USER_INFO","config.providers":"file"`, nil},
		{"declared keys pass", `"errors.tolerance":"all","transforms":"f","transforms.f.type":"Filter","transforms.f.negate":"false",` +
			`"transforms.f.predicate":"p","predicates":"p","predicates.p.type":"RecordIsTombstone"`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newTestScheduler(t, newFakeStore(), nil).Handler()
			got, errs := validateErrors(t, h, "FileStreamSink", "{"+base+","+tt.extra+"}")
			if count := got.ErrorCount; count != 0 {
				t.Errorf("error_count %d, want 0: %v", count, errs)
			}
			var warned []string
			for key, msgs := range errs {
				if len(msgs) != 1 || !strings.HasPrefix(msgs[0], "Warning: "+key+" is not a configuration key") {
					t.Errorf("entry %s: %v, want one warning", key, msgs)
				}
				warned = append(warned, key)
			}
			slices.Sort(warned)
			if !slices.Equal(warned, tt.warned) {
				t.Errorf("warned %v, want %v", warned, tt.warned)
			}
			code, body, _ := call(t, h, "POST", "/connectors", `{"name":"s","config":{`+base+","+tt.extra+`}}`)
			if code != http.StatusCreated {
				t.Errorf("create: %d %s, want 201", code, body)
			}
		})
	}
}

// TestOneEngine checks that create, update, patch and /config/validate
// report the same problems for the same config: one validation engine.
func TestOneEngine(t *testing.T) {
	tests := []struct{ name, config string }{
		{"framework and connector", `"connector.class":"TestSource","tasks.max":"zero"`},
		{"framework rules", `"connector.class":"TestSource","tables":"x","errors.tolerance":"some","tasks.max":"0"`},
		{"transformation", `"connector.class":"TestSource","tables":"x","transforms":"c","transforms.c.type":"Cast$Value","transforms.c.spec":"a:bytes"`},
		{"unknown transformation", `"connector.class":"TestSource","tables":"x","transforms":"c","transforms.c.type":"com.acme.Nope"`},
		{"negate not boolean", `"connector.class":"TestSource","tables":"x","transforms":"f","transforms.f.type":"Filter",` +
			`"transforms.f.predicate":"p","transforms.f.negate":"maybe","predicates":"p","predicates.p.type":"RecordIsTombstone"`},
		{"converter", `"connector.class":"TestSource","tables":"x","value.converter":"Nope"`},
		{"converter key", `"connector.class":"TestSource","tables":"x","value.converter":"JsonConverter","value.converter.schemas.enable":"perhaps"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := newFakeStore()
			h := newTestScheduler(t, store, nil).Handler()
			got, errs := validateErrors(t, h, "TestSource", `{"name":"c",`+tt.config+"}")
			count := got.ErrorCount
			var want []string
			for _, msgs := range errs {
				want = append(want, msgs...)
			}
			if count == 0 || count != len(want) {
				t.Fatalf("validate: error_count %d, errors %v", count, errs)
			}
			if _, body, _ := call(t, h, "POST", "/connectors", `{"name":"ok","config":{"connector.class":"TestSource","tables":"x"}}`); body == "" {
				t.Fatal("create ok")
			}
			for _, r := range []req{
				{"POST", "/connectors", `{"name":"c","config":{` + tt.config + `}}`},
				{"PUT", "/connectors/ok/config", `{` + tt.config + `}`},
				{"PATCH", "/connectors/ok/config", `{"tables":null,` + tt.config + `}`},
			} {
				code, body, _ := call(t, h, r.method, r.path, r.body)
				var e struct{ Message string }
				_ = json.Unmarshal([]byte(body), &e)
				if code != http.StatusBadRequest || !strings.Contains(e.Message, "contains the following") {
					t.Errorf("%s %s: %d %s, want the invalid-config 400", r.method, r.path, code, body)
					continue
				}
				for _, m := range want {
					if !strings.Contains(e.Message, "\n"+m+"\n") {
						t.Errorf("%s %s: message lacks %q:\n%s", r.method, r.path, m, e.Message)
					}
				}
			}
		})
	}
}

// TestUnhonouredHook checks that the keys the Unhonoured hook names are
// reported by create and validate.
func TestUnhonouredHook(t *testing.T) {
	s, err := New(Options{Store: newFakeStore(), Catalogue: testCatalogue{catalogue.WithConnectors(testRegistry(), nil, "4.0.0")},
		Dispatcher: nopDispatcher{}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Unhonoured: func(config map[string]string) error {
			if v, ok := config["consumer.override.sasl.mechanism"]; ok {
				return &connectors.ConfigError{Key: "consumer.override.sasl.mechanism", Value: v, Reason: "ferry cannot apply it"}
			}
			return errors.New("unexpected")
		}})
	if err != nil {
		t.Fatal(err)
	}
	cfg := `"connector.class":"TestSource","tables":"x","consumer.override.sasl.mechanism":"GSSAPI"`
	got, errs := validateErrors(t, s.Handler(), "TestSource", `{"name":"c",`+cfg+"}")
	if count := got.ErrorCount; count != 1 || len(errs["consumer.override.sasl.mechanism"]) != 1 {
		t.Errorf("validate: %d %v", count, errs)
	}
	if code, body, _ := call(t, s.Handler(), "POST", "/connectors", `{"name":"c","config":{`+cfg+`}}`); code != 400 || !strings.Contains(body, "ferry cannot apply it") {
		t.Errorf("create: %d %s", code, body)
	}
}

// TestUnhonouredWarningAccepted checks that a key the hook marks as a
// warning (accepted, no effect: a Kafka Connect config setting
// consumer.override.max.poll.interval.ms) is shown by /config/validate but
// not counted, and does not refuse the create.
func TestUnhonouredWarningAccepted(t *testing.T) {
	s, err := New(Options{Store: newFakeStore(), Catalogue: testCatalogue{catalogue.WithConnectors(testRegistry(), nil, "4.0.0")},
		Dispatcher: nopDispatcher{}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Unhonoured: func(config map[string]string) error {
			if v, ok := config["consumer.override.max.poll.interval.ms"]; ok {
				return &connectors.ConfigError{Key: "consumer.override.max.poll.interval.ms", Value: v, Reason: "no consumer lives that long", Warning: true}
			}
			return nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	cfg := `"connector.class":"TestSource","tables":"x","consumer.override.max.poll.interval.ms":"600000"`
	got, errs := validateErrors(t, s.Handler(), "TestSource", `{"name":"c",`+cfg+"}")
	if msgs := errs["consumer.override.max.poll.interval.ms"]; got.ErrorCount != 0 || len(msgs) != 1 || !strings.HasPrefix(msgs[0], "Warning: ") {
		t.Errorf("validate: error_count %d, %v", got.ErrorCount, errs)
	}
	if code, body, _ := call(t, s.Handler(), "POST", "/connectors", `{"name":"c","config":{`+cfg+`}}`); code != 201 {
		t.Errorf("create: %d %s, want 201", code, body)
	}
}

// TestTasksMaxBounds checks tasks.max beyond Java's INT and beyond ferry's
// MaxTasks: /config/validate reports it and create answers 400 before any
// split (regression: "2147483648" passed validation and the split tried to
// build 2^31 task configs).
func TestTasksMaxBounds(t *testing.T) {
	tests := []struct{ value, err string }{
		{"2147483648", "Invalid value 2147483648 for configuration tasks.max: Not a number of type INT"},
		{"100000", "Invalid value 100000 for configuration tasks.max: Value must be no more than 1000"},
		{"0", "Invalid value 0 for configuration tasks.max: Value must be at least 1"},
	}
	for _, tt := range tests {
		h := newTestScheduler(t, newFakeStore(), nil).Handler()
		cfg := `"name":"c","connector.class":"TestSource","tables":"x","tasks.max":"` + tt.value + `"`
		if got, errs := validateErrors(t, h, "TestSource", "{"+cfg+"}"); got.ErrorCount != 1 || !slices.Contains(errs["tasks.max"], tt.err) {
			t.Errorf("validate tasks.max=%s: %d %v, want %q", tt.value, got.ErrorCount, errs, tt.err)
		}
		code, body, _ := call(t, h, "POST", "/connectors", `{"name":"c","config":{`+cfg+`}}`)
		if code != http.StatusBadRequest || !strings.Contains(body, tt.err) {
			t.Errorf("create tasks.max=%s: %d %s", tt.value, code, body)
		}
	}
	h := newTestScheduler(t, newFakeStore(), nil).Handler()
	if code, body, _ := call(t, h, "POST", "/connectors", `{"name":"c","config":{"connector.class":"TestSource","tables":"x","tasks.max":"1000"}}`); code != http.StatusCreated {
		t.Errorf("tasks.max=1000: %d %s", code, body)
	}
}

// TestBlankNameRefused checks that PUT refuses a blank or padded connector
// name from its URL as POST refuses (after trimming) a blank one
// (regression: PUT /connectors/%20/config created a connector named " ").
func TestBlankNameRefused(t *testing.T) {
	cfg := `{"connector.class":"TestSource","tables":"x"}`
	tests := []struct {
		r    req
		want string
	}{
		{req{"POST", "/connectors", `{"name":" ","config":` + cfg + `}`}, "for configuration name: String may not be empty"},
		{req{"PUT", "/connectors/%20/config", cfg}, "for configuration name: String may not be empty"},
		{req{"PUT", "/connectors/%09/config", cfg}, "for configuration name: String may not be empty"},
		{req{"PUT", "/connectors/%20a/config", cfg}, `String may not begin or end with whitespace; use \"a\"`},
	}
	for _, tt := range tests {
		store := newFakeStore()
		h := newTestScheduler(t, store, nil).Handler()
		code, body, _ := call(t, h, tt.r.method, tt.r.path, tt.r.body)
		if code != http.StatusBadRequest || !strings.Contains(body, tt.want) {
			t.Errorf("%s %s: %d %s, want 400 with %q", tt.r.method, tt.r.path, code, body, tt.want)
		}
		if _, body, _ := call(t, h, "GET", "/connectors", ""); body != "[]" {
			t.Errorf("%s %s stored a connector: %s", tt.r.method, tt.r.path, body)
		}
	}
}
