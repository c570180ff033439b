package simpledateformat

import (
	"testing"
	"time"
)

func TestFormatAndParse(t *testing.T) {
	ts := time.Date(2024, 3, 7, 15, 4, 5, 678e6, time.UTC)
	tests := []struct{ pattern, want string }{
		{"yyyyMMdd", "20240307"},
		{"yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", "2024-03-07T15:04:05.678Z"},
		{"yy/M/d h:mm a", "24/3/7 3:04 PM"},
		{"EEE, d MMM yyyy HH:mm:ss Z", "Thu, 7 Mar 2024 15:04:05 +0000"},
		{"EEEE MMMM D 'o''clock' ''", "Thursday March 67 o'clock '"},
	}
	for _, tt := range tests {
		f, err := Compile(tt.pattern)
		if err != nil {
			t.Fatalf("%s: %v", tt.pattern, err)
		}
		if got := f.Format(ts); got != tt.want {
			t.Errorf("Format(%s) = %q, want %q", tt.pattern, got, tt.want)
		}
	}
	f, _ := Compile("yyyy-MM-dd HH:mm:ss.SSS")
	got, err := f.Parse("2024-13-32 25:00:00.5 trailing")
	if err != nil || !got.Equal(time.Date(2025, 2, 2, 1, 0, 0, 5e6, time.UTC)) {
		t.Errorf("lenient parse = %v, %v", got, err)
	}
	if _, err := Compile("yyyy-bb"); err == nil {
		t.Error("illegal letter accepted")
	}
	if _, err := f.Parse("2024/01/01"); err == nil {
		t.Error("mismatched text parsed")
	}
}
