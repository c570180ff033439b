package connectors

import "testing"

func TestSameTaskConfigs(t *testing.T) {
	props := map[string]string{"name": "c", "topics": "t"}
	for _, tt := range []struct{ max, want int }{{0, 1}, {1, 1}, {3, 3}} {
		got := SameTaskConfigs(props, tt.max)
		if len(got) != tt.want {
			t.Fatalf("SameTaskConfigs(_, %d) gave %d configs, want %d", tt.max, len(got), tt.want)
		}
		got[0]["name"] = "changed"
		if props["name"] != "c" || (len(got) > 1 && got[1]["name"] != "c") {
			t.Fatalf("copies share storage: props %v, configs %v", props, got)
		}
	}
}
