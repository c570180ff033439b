package debezium

import (
	"testing"
	"time"
)

// Times and Boxed return the values of the instant or number asked for,
// when it repeats and after it changes.
func TestBoxed(t *testing.T) {
	var times Times
	var ids Boxed[int64]
	var names Boxed[string]
	for _, at := range []time.Time{time.UnixMicro(1710504000123456), time.UnixMicro(1710504000123456), time.UnixMicro(0),
		time.UnixMicro(-1500), time.UnixMicro(1710504000123457)} {
		ms, us, ns := times.Of(at)
		if ms != any(at.UnixMilli()) || us != any(at.UnixMicro()) || ns != any(at.UnixMicro()*1000) {
			t.Errorf("Of(%v) = %v %v %v", at, ms, us, ns)
		}
		if id := ids.Of(at.UnixMicro()); id != any(at.UnixMicro()) {
			t.Errorf("Boxed.Of(%d) = %v", at.UnixMicro(), id)
		}
		if name := names.Of(at.String()); name != any(at.String()) {
			t.Errorf("Boxed.Of(%s) = %v", at, name)
		}
	}
}
