package message_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/headercheck/headercheck/inspect/message"
)

// TestReleaseReuse releases every message of an mbox file and reads the
// next (and the first again) into the memory it gave back: each must hold
// its own bytes, as a Source that never released read them; a released
// message has nothing left to point into the reused memory.
func TestReleaseReuse(t *testing.T) {
	var b strings.Builder
	for i := range 6 {
		fmt.Fprintf(&b, "From a@b.example Sun Nov 29 10:00:00 2026\nFrom: a@b.example\nSubject: %d\n\n%s\n\n", i, strings.Repeat(fmt.Sprintf("line %d of message %d\n", i, i), 200*(6-i)))
	}
	path := filepath.Join(t.TempDir(), "r.mbox")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	ref, err := message.Open(path, message.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ref.Close()
	src, err := message.Open(path, message.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	for _, i := range []int{0, 1, 2, 3, 4, 5, 0, 5, 1} {
		want, err := ref.Message(i)
		if err != nil {
			t.Fatal(err)
		}
		got, err := src.Message(i)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Raw, want.Raw) || got.Get("Subject") != want.Get("Subject") {
			t.Fatalf("message %d after releases: %d bytes, Subject %q; want %d bytes, Subject %q", i+1, len(got.Raw), got.Get("Subject"), len(want.Raw), want.Get("Subject"))
		}
		src.Release(got)
		if got.Raw != nil || got.Fields != nil {
			t.Errorf("message %d: Release left Raw or Fields", i+1)
		}
		src.Release(got) // a second release does nothing
	}
}
