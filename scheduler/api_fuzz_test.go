package scheduler

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzDecodeBody feeds arbitrary request bodies to the REST API's JSON
// decoding (connector create, PATCH config): it never panics, and every
// failure is a 400 or 413 apiError with a message for the client.
func FuzzDecodeBody(f *testing.F) {
	for _, s := range []string{
		`{"name":"a","config":{"connector.class":"FileStreamSink","tasks.max":2,"topics":"t"}}`,
		`{"name":"a","config":{"x":null}}`,
		`{"name":"a","config":{"x":{"y":1}}}`,
		`{"name":"a","config":{"x":true,"y":1e400}}`,
		`{"name":"a","config":{}, "initial_state":"PAUSED"} trailing`,
		`{"tasks.max":null,"file":"/tmp/x"}`,
		`[]`, `"`, ``, `{"name":1}`, `{"config":"\ud800"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, dst := range []any{&createRequest{}, &configMap{}, &patchMap{}} {
			w := httptest.NewRecorder()
			r := httptest.NewRequest(http.MethodPost, "/connectors", strings.NewReader(string(body)))
			err := decodeBody(w, r, dst)
			if err == nil {
				continue
			}
			var ae *apiError
			if !errors.As(err, &ae) || (ae.Code != http.StatusBadRequest && ae.Code != http.StatusRequestEntityTooLarge) || ae.Message == "" {
				t.Fatalf("decoding %q into %T: %v is not a 400/413 apiError", body, dst, err)
			}
		}
	})
}
