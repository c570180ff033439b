package schemaregistry

import (
	"bytes"
	"errors"
	"testing"
)

func TestStrategies(t *testing.T) {
	cases := []struct {
		name, topic, record, want string
		isKey                     bool
		err                       error
	}{
		{"", "orders", "com.x.Order", "orders-value", false, nil},
		{"TopicNameStrategy", "orders", "", "orders-key", true, nil},
		{"io.confluent.kafka.serializers.subject.RecordNameStrategy", "orders", "com.x.Order", "com.x.Order", false, nil},
		{"RecordNameStrategy", "orders", "", "", false, ErrNoRecordName},
		{"io.confluent.kafka.serializers.subject.TopicRecordNameStrategy", "orders", "com.x.Order", "orders-com.x.Order", true, nil},
	}
	for _, tc := range cases {
		name := tc.name
		if name == "" {
			name = TopicNameStrategy.String()
		}
		s, err := ParseStrategy(name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got, err := s.Subject(tc.topic, tc.isKey, tc.record)
		if !errors.Is(err, tc.err) || got != tc.want {
			t.Errorf("%s(%s, key=%v, %q) = %q, %v; want %q, %v", name, tc.topic, tc.isKey, tc.record, got, err, tc.want, tc.err)
		}
	}
	if _, err := ParseStrategy("io.confluent.kafka.serializers.subject.Mine"); err == nil {
		t.Error("unknown strategy accepted")
	}
}

func TestWireHeader(t *testing.T) {
	cases := []struct {
		id    int
		index []int
		want  []byte
	}{
		{1, nil, []byte{0, 0, 0, 0, 1}},
		{0x01020304, nil, []byte{0, 1, 2, 3, 4}},
		{7, []int{0}, []byte{0, 0, 0, 0, 7, 0}},                 // the first-message shortcut
		{7, []int{1, 2}, []byte{0, 0, 0, 0, 7, 4, 2, 4}},        // zigzag varints: count 2, then 1, 2
		{7, []int{0, 64}, []byte{0, 0, 0, 0, 7, 4, 0, 0x80, 1}}, // 64 zigzags to 128
	}
	for _, tc := range cases {
		b := AppendHeader(nil, tc.id, tc.index)
		if !bytes.Equal(b, tc.want) {
			t.Errorf("AppendHeader(%d, %v) = %x, want %x", tc.id, tc.index, b, tc.want)
		}
		id, rest, err := SplitHeader(append(b, 'x'))
		if err != nil || id != tc.id {
			t.Fatalf("SplitHeader: %d %v", id, err)
		}
		if tc.index != nil {
			index, rest2, err := SplitIndex(rest)
			if err != nil || len(index) != len(tc.index) || string(rest2) != "x" {
				t.Errorf("SplitIndex(%x) = %v %q %v", rest, index, rest2, err)
			}
		}
	}
	for _, bad := range [][]byte{nil, {0, 0, 0}, {1, 0, 0, 0, 1}} {
		if _, _, err := SplitHeader(bad); !errors.Is(err, ErrWireFormat) {
			t.Errorf("SplitHeader(%x): %v", bad, err)
		}
	}
}

func TestCredentials(t *testing.T) {
	c := Config{URL: "http://fred:pw@r1:8081, https://r2", BasicAuthSource: "URL"}
	user, pass, urls, err := c.credentials()
	if err != nil || user != "fred" || pass != "pw" || len(urls) != 2 || urls[0] != "http://r1:8081" {
		t.Errorf("URL source: %q %q %v %v", user, pass, urls, err)
	}
	c = Config{URL: "http://r1", BasicAuthSource: "USER_INFO", BasicAuthUserInfo: "ann:sec:ret"}
	user, pass, _, _ = c.credentials()
	if user != "ann" || pass != "sec:ret" {
		t.Errorf("USER_INFO source: %q %q", user, pass)
	}
}
