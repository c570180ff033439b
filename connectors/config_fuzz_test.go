package connectors

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary connector configs (key=value lines) to the
// config parser of the framework structs: it never panics, and every
// failure is a ConfigErrors whose entries wrap ErrConfig and name a key.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"name=a\nconnector.class=FileStreamSink\ntopics=t",
		"name=\nconnector.class=x\ntasks.max=0",
		"name=a\nconnector.class=x\ntasks.max=99999999999999999999\nerrors.retry.timeout=-2",
		"name=a\nconnector.class=x\nerrors.tolerance=ALL\nexactly.once.support=Required\ntransaction.boundary=interval",
		"name=a\nconnector.class=x\ntopics.regex=(\nerrors.deadletterqueue.topic.replication.factor=40000",
		"name=a\nconnector.class=x\ntopics=a,,b ,\nerrors.log.enable=yes",
		"name=a\nconnector.class=x\ntransforms=a,a\npredicates= , ",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		props := map[string]string{}
		for _, line := range strings.Split(text, "\n") {
			k, v, _ := strings.Cut(line, "=")
			props[k] = v
		}
		check := func(err error) {
			if err == nil {
				return
			}
			var ces ConfigErrors
			if !errors.As(err, &ces) || len(ces) == 0 || !errors.Is(err, ErrConfig) {
				t.Fatalf("parse error %v (%T) is not ConfigErrors", err, err)
			}
			for _, ce := range ces {
				if ce.Key == "" {
					t.Fatalf("config error names no key: %v", ce)
				}
			}
		}
		var src SourceConnectorConfig
		check(Declare(src).Parse(props, &src))
		var sink SinkConnectorConfig
		err := Declare(sink).Parse(props, &sink)
		check(err)
		if err == nil {
			check(sink.Check())
		}
	})
}
