package postgrescdc

import (
	"time"

	"github.com/ferryhq/ferry/connectors"
)

// heartbeat returns a heartbeat record when heartbeat.interval.ms has passed
// since the last event and the stream is idle: its offset moves past the
// WAL the server has decoded, so the slot advances while tables are quiet.
func (tk *Task) heartbeat() []*connectors.Record {
	s := &tk.stream
	if tk.cfg.HeartbeatMs <= 0 || s.walEnd == 0 || s.cur != nil || s.heartbeatSent ||
		time.Since(tk.lastEvent) < time.Duration(tk.cfg.HeartbeatMs)*time.Millisecond {
		return nil
	}
	s.heartbeatSent = true // one per invocation: an idle invocation still ends
	tk.lastEvent = time.Now()
	s.safe = max(s.safe, s.walEnd)
	at := s.walEnd - 1 // no commit record starts here, so nothing is skipped on resume
	off := map[string]any{OffsetLSN: int64(at), OffsetLSNProc: int64(at), OffsetLSNCommit: int64(at), OffsetTsUsec: tk.lastEvent.UnixMicro()}
	if s.lastFinal != 0 {
		off[OffsetLastCommit] = int64(s.lastFinal)
	}
	tk.inc.stamp(off)
	key := connectors.NewStruct(heartbeatKey)
	key.Set(0, tk.cfg.TopicPrefix)
	val := connectors.NewStruct(heartbeatValue)
	val.Set(0, tk.lastEvent.UnixMilli())
	r := connectors.NewSourceRecord(tk.partition, off, "__debezium-heartbeat."+tk.cfg.TopicPrefix, heartbeatValue, val)
	r.KeySchema, r.Key = heartbeatKey, key
	return []*connectors.Record{r}
}

// Debezium's heartbeat key and value schemas.
var (
	heartbeatKey = connectors.StructBuilder().Name("io.debezium.connector.common.ServerNameKey").
			Field("serverName", connectors.StringSchema).MustBuild()
	heartbeatValue = connectors.StructBuilder().Name("io.debezium.connector.common.Heartbeat").
			Field("ts_ms", connectors.Int64Schema).MustBuild()
)
