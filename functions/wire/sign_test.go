package wire

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

var (
	keyCur  = Key{Generation: 7, Secret: []byte("current-secret-0123456789abcdefgh")}
	keyPrev = Key{Generation: 6, Secret: []byte("previous-secret-0123456789abcdefg")}
)

// keys accepts the current and the previous key, as a function does during
// a rotation.
func keys(g int64) ([]byte, bool) {
	for _, k := range []Key{keyCur, keyPrev} {
		if k.Generation == g {
			return k.Secret, true
		}
	}
	return nil, false
}

func sampleInvocation() Invocation {
	return Invocation{ID: "orders-0-42", Connector: "orders", Task: 0, Epoch: 42, Class: "FileStreamSink",
		Config:   map[string]string{"file": "/tmp/out.txt", "topics": "orders"},
		Deadline: time.Date(2026, 12, 5, 11, 30, 0, 0, time.UTC), MaxRecords: 100}
}

// The signed form is part of the wire contract: a golden file fixes it.
func TestSignGolden(t *testing.T) {
	got, err := Sign(sampleInvocation(), keyCur)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "invocation_signed.json")
	if *update {
		if err := os.WriteFile(path, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, bytes.TrimSuffix(want, []byte("\n"))) {
		t.Fatalf("signed encoding changed:\ngot  %s\nwant %s", got, want)
	}
}

func TestVerify(t *testing.T) {
	signed := func(k Key) []byte {
		b, err := Sign(sampleInvocation(), k)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tamper := func(b []byte, old, new string) []byte { return []byte(strings.Replace(string(b), old, new, 1)) }
	good := signed(keyCur)
	cases := []struct {
		name    string
		payload []byte
		wantErr error // nil: verifies
	}{
		{"current key", good, nil},
		{"previous key during a rotation", signed(keyPrev), nil},
		{"unsigned", []byte(`{"id":"x","connector":"orders","task":0,"epoch":42,"connector_class":"FileStreamSink","config":{}}`), ErrUnsigned},
		{"older key than the previous", signed(Key{Generation: 5, Secret: []byte("old")}), ErrBadSignature},
		{"forged with a guessed secret", signed(Key{Generation: 7, Secret: []byte("guess")}), ErrBadSignature},
		{"config altered after signing", tamper(good, "/tmp/out.txt", "/etc/passwd"), ErrBadSignature},
		{"epoch altered after signing", tamper(good, `"epoch":42`, `"epoch":43`), ErrBadSignature},
		{"field appended after the signature", append(bytes.TrimSuffix(good, []byte("}")), []byte(`,"max_records":9}`)...), ErrBadSignature},
		{"duplicate config smuggled after the signature", append(bytes.TrimSuffix(good, []byte("}")), []byte(`,"config":{"file":"/etc/passwd"}}`)...), ErrBadSignature},
		{"not JSON", []byte(`{"id":`), nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			inv, err := Verify(tc.payload, keys)
			switch {
			case tc.name == "not JSON":
				if err == nil || !strings.Contains(err.Error(), "malformed invocation payload") {
					t.Fatalf("Verify = %v, want a malformed payload error", err)
				}
			case tc.wantErr != nil:
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("Verify = %+v, %v; want %v", inv, err, tc.wantErr)
				}
			default:
				want := sampleInvocation()
				inv.SigningKey, inv.Signature = 0, ""
				if err != nil || !reflect.DeepEqual(inv, want) {
					t.Fatalf("Verify = %+v, %v; want %+v", inv, err, want)
				}
			}
		})
	}
}
