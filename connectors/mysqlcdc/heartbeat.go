package mysqlcdc

import (
	"time"

	"github.com/ferryhq/ferry/connectors"
)

var (
	heartbeatKeySchema = connectors.StructBuilder().Name("io.debezium.connector.common.ServerNameKey").
				Field("serverName", connectors.StringSchema).MustBuild()
	heartbeatValueSchema = connectors.StructBuilder().Name("io.debezium.connector.common.Heartbeat").
				Field("ts_ms", connectors.Int64Schema).MustBuild()
)

// heartbeat returns a heartbeat record on __debezium-heartbeat.<prefix>
// when heartbeat.interval.ms has passed without records: it commits the
// position after the last transaction, so an idle captured set still moves
// its offset along the binlog.
func (tk *Task) heartbeat() []*connectors.Record {
	st := &tk.stream
	iv := time.Duration(tk.cfg.HeartbeatMs) * time.Millisecond
	// Not inside the partly written transaction of a resumed offset: a
	// heartbeat's offset would drop its event/row skip counts.
	// One per invocation at most: the poll after it returns nothing and the
	// invocation ends (the scheduler calls again after poll.interval.ms).
	if iv <= 0 || st.tx != nil || st.skipping || st.beaten || time.Since(st.beat) < iv {
		return nil
	}
	st.beaten = true
	st.beat = time.Now()
	now := tk.clock()
	rp := restartPoint{at: st.at(), gtids: st.gtids.String(), tsSec: now.Unix()}
	key := connectors.NewStruct(heartbeatKeySchema)
	key.Set(0, tk.cfg.prefix())
	val := connectors.NewStruct(heartbeatValueSchema)
	val.Set(0, now.UnixMilli())
	r := connectors.NewSourceRecord(tk.partition, tk.inc.store(rp.offset()), "__debezium-heartbeat."+tk.cfg.prefix(), heartbeatValueSchema, val)
	r.KeySchema, r.Key = heartbeatKeySchema, key
	return []*connectors.Record{r}
}
