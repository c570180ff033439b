package s3sink

import (
	"context"
	"crypto/sha256"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestBodyHashedAsWritten: an object sent with one PutObject to a plain
// HTTP store is hashed as its bytes are written, and the request is signed
// with that sum (the fake store refuses a signed hash that is not the
// body's, as S3 does); over HTTPS nothing is hashed (the SDK signs
// UNSIGNED-PAYLOAD), and a multipart upload leaves hashing its parts to
// the SDK. Before, the SDK read every body once more to hash it when it was
// sent.
func TestBodyHashedAsWritten(t *testing.T) {
	lines := []string{strings.Repeat("a", 40) + "\n", strings.Repeat("b", 40) + "\n", strings.Repeat("c", 40) + "\n"}
	for _, tc := range []struct {
		name     string
		https    bool
		partSize int
		hashed   bool // the sum is kept through the last write
	}{
		{name: "one PutObject over HTTP", partSize: 1 << 20, hashed: true},
		{name: "HTTPS", https: true, partSize: 1 << 20},
		{name: "multipart over HTTP", partSize: 50},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := &fakeS3{objects: map[string][]byte{}, parts: map[string]map[int][]byte{}}
			srv := httptest.NewServer(fake)
			defer srv.Close()
			task, ctx := openOnFake(t, srv.URL, tc.partSize)
			defer task.Close()
			s := task.store
			if tc.https {
				s.hashes = hashesBodies(strings.Replace(srv.URL, "http://", "https://", 1))
			}
			u := s.newUpload("obj", 0)
			for _, l := range lines {
				u.Write([]byte(l))
				if err := u.sendParts(ctx); err != nil {
					t.Fatal(err)
				}
			}
			if (u.sum != nil) != tc.hashed {
				t.Fatalf("hashed as written: %v, want %v", u.sum != nil, tc.hashed)
			}
			if tc.hashed {
				if got, want := u.sum.Sum(nil), sha256.Sum256([]byte(strings.Join(lines, ""))); string(got) != string(want[:]) {
					t.Fatalf("sum %x, want %x", got, want)
				}
			}
			if tc.https {
				return // the fake store speaks HTTP only
			}
			if err := u.commit(context.Background()); err != nil {
				t.Fatal(err)
			}
			if got := string(fake.objects["/b/obj"]); got != strings.Join(lines, "") {
				t.Fatalf("object %q, want the lines", got)
			}
		})
	}
}

// TestHashesBodies: bodies are hashed for plain HTTP endpoints only.
func TestHashesBodies(t *testing.T) {
	for endpoint, want := range map[string]bool{"http://127.0.0.1:7070": true, "HTTP://minio:9000": true,
		"https://s3.example.com": false, "": false, "http:/": false} {
		if got := hashesBodies(endpoint); got != want {
			t.Errorf("hashesBodies(%q) = %v, want %v", endpoint, got, want)
		}
	}
}
