package redis

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/ferryhq/ferry/connectors"
	goredis "github.com/redis/go-redis/v9"
)

func sinkConfig(t *testing.T, props map[string]string) SinkConfig {
	t.Helper()
	cfg, err := parseSink(props)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestSinkCommands(t *testing.T) {
	person := connectors.StructBuilder().Field("name", connectors.StringSchema).Field("age", connectors.OptionalInt32Schema).
		Field("score", connectors.Float64Schema).MustBuild()
	st := connectors.NewStruct(person).MustPut("name", "ann").MustPut("score", 1.0)
	for _, tc := range []struct {
		name  string
		props map[string]string
		key   any
		value any
		want  [][]any
		bad   bool
	}{
		{"stream struct", nil, "k", st, [][]any{{"XADD", "orders", "*", "name", "ann", "score", "1.0"}}, false},
		{"stream map sorted", map[string]string{"redis.key": "s:${topic}"}, nil, map[string]any{"b": int64(2), "a": "x"},
			[][]any{{"XADD", "s:orders", "*", "a", "x", "b", "2"}}, false},
		{"stream null", nil, "k", nil, nil, true},
		{"stream string", nil, "k", "text", nil, true},
		{"string", map[string]string{"redis.type": "STRING"}, "k1", "v1", [][]any{{"SET", "orders:k1", "v1"}}, false},
		{"string passthrough", map[string]string{"redis.type": "STRING", "redis.key": ""}, []byte("k1"), []byte("v1"), [][]any{{"SET", "k1", "v1"}}, false},
		{"string passthrough int key", map[string]string{"redis.type": "STRING", "redis.key": ""}, int64(3), "v", nil, true},
		{"string int key in key space", map[string]string{"redis.type": "STRING", "redis.separator": "/"}, int64(3), "v", [][]any{{"SET", "orders/3", "v"}}, false},
		{"string tombstone", map[string]string{"redis.type": "STRING"}, "k1", nil, [][]any{{"DEL", "orders:k1"}}, false},
		{"hash", map[string]string{"redis.type": "HASH"}, "k1", st, [][]any{{"HSET", "orders:k1", "name", "ann", "score", "1.0"}}, false},
		{"json string", map[string]string{"redis.type": "JSON"}, "k1", `{"a":1}`, [][]any{{"JSON.SET", "orders:k1", "$", `{"a":1}`}}, false},
		{"json map", map[string]string{"redis.type": "JSON"}, "k1", map[string]any{"a": int64(1)}, [][]any{{"JSON.SET", "orders:k1", "$", `{"a":1}`}}, false},
		{"list", map[string]string{"redis.type": "LIST"}, "m", "x", [][]any{{"RPUSH", "orders", "m"}}, false},
		{"lpush", map[string]string{"redis.command": "LPUSH"}, "m", "x", [][]any{{"LPUSH", "orders", "m"}}, false},
		{"list remove", map[string]string{"redis.type": "LIST"}, "m", nil, [][]any{{"LREM", "orders", 0, "m"}}, false},
		{"set", map[string]string{"redis.type": "SET"}, "m", "x", [][]any{{"SADD", "orders", "m"}}, false},
		{"set remove", map[string]string{"redis.type": "SET"}, "m", nil, [][]any{{"SREM", "orders", "m"}}, false},
		{"zset", map[string]string{"redis.type": "ZSET"}, "m", int32(7), [][]any{{"ZADD", "orders", 7.0, "m"}}, false},
		{"zset text score", map[string]string{"redis.type": "ZSET"}, "m", "7", nil, true},
		{"timeseries", map[string]string{"redis.type": "TIMESERIES"}, int64(1000), 2.5, [][]any{{"TS.ADD", "orders", int64(1000), 2.5}}, false},
		{"timeseries text key", map[string]string{"redis.type": "TIMESERIES"}, "1000", 2.5, nil, true},
		{"del command", map[string]string{"redis.command": "DEL"}, "k", "ignored", [][]any{{"DEL", "orders:k"}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := sinkConfig(t, tc.props)
			got, err := commands(&cfg, &connectors.Record{Topic: "orders", Key: tc.key, Value: tc.value})
			if tc.bad {
				if !errors.Is(err, ErrValue) {
					t.Fatalf("got %v, %v; want ErrValue", got, err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %#v, %v; want %#v", got, err, tc.want)
			}
		})
	}
}

func TestConfigCheck(t *testing.T) {
	for _, tc := range []struct {
		name   string
		props  map[string]string
		source bool
		bad    string
	}{
		{"defaults", nil, false, ""},
		{"multiexec string", map[string]string{"redis.type": "STRING", "redis.multiexec": "true"}, false, "redis.multiexec"},
		{"multiexec stream", map[string]string{"redis.multiexec": "true"}, false, ""},
		{"empty collection key", map[string]string{"redis.type": "SET", "redis.key": ""}, false, "redis.key"},
		{"cluster", map[string]string{"redis.cluster": "true"}, false, "redis.cluster"},
		{"bad uri", map[string]string{"redis.uri": "http://x"}, false, "redis.uri"},
		{"charset", map[string]string{"redis.charset": "ISO-8859-1"}, false, "redis.charset"},
		{"unknown type", map[string]string{"redis.type": "GRAPH"}, false, "redis.type"},
		{"source ok", map[string]string{"redis.stream.name": "s"}, true, ""},
		{"source dollar", map[string]string{"redis.stream.name": "s", "redis.stream.offset": "$"}, true, ""},
		{"source bad offset", map[string]string{"redis.stream.name": "s", "redis.stream.offset": "latest"}, true, "redis.stream.offset"},
		{"source no stream", map[string]string{}, true, "redis.stream.name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if tc.source {
				_, err = parseSource(tc.props)
			} else {
				_, err = parseSink(tc.props)
			}
			var ce *connectors.ConfigError
			switch {
			case tc.bad == "" && err != nil:
				t.Fatal(err)
			case tc.bad != "" && (!errors.As(err, &ce) || ce.Key != tc.bad):
				t.Fatalf("got %v, want an error on %s", err, tc.bad)
			}
		})
	}
}

func TestSourceRecord(t *testing.T) {
	task := &SourceTask{cfg: SourceConfig{Stream: "orders"}}
	r := task.record("redis_orders", goredis.XMessage{ID: "1700000000123-4", Values: map[string]any{"a": "1"}})
	want := connectors.NewStruct(ValueSchema).MustPut("id", "1700000000123-4").MustPut("body", map[string]any{"a": "1"}).MustPut("stream", "orders")
	if r.Key != "1700000000123-4" || r.Timestamp != 1700000000123 || r.Topic != "redis_orders" ||
		!r.Value.(*connectors.Struct).Equal(want) || r.SourceOffset[OffsetField] != "1700000000123-4" || len(r.SourcePartition) != 0 {
		t.Fatalf("%+v", r)
	}
}

func TestSourceSplitsToOneTask(t *testing.T) {
	tcs, err := sourceConnector{}.TaskConfigs(context.Background(), map[string]string{"redis.stream.name": "s"}, 4)
	if err != nil || len(tcs) != 1 {
		t.Fatalf("%d tasks, %v", len(tcs), err)
	}
}
