package main

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/dnsx/dnstest"
)

// TestExamplesSnapshot: testdata/examples.dns, which every test here
// answers DNS from, is what testdata/examples.zone answers on a real DNS
// server for the bundled examples, written by the Saver that --save-dns
// uses, plus a last line making every other name not exist. Replaying it
// gives the reports a live run gives. -update rewrites it.
func TestExamplesSnapshot(t *testing.T) {
	srv := dnstest.Start(t, "testdata/examples.zone")
	client := dnsx.NewClient(srv.Addr)
	client.Timeout = 500 * time.Millisecond
	live := dnsx.NewSaver(client)
	e := env{now: testNow, dns: live}
	var want []string
	for _, in := range []string{phishing, inbox} {
		want = append(want, runWith(t, e, "", "--text", in).stdout)
	}
	if *update {
		live.Comment = []string{"The DNS of the bundled examples (testdata/examples), from testdata/examples.zone;", "written by TestExamplesSnapshot -update. Every name it does not answer does not exist."}
		path := "testdata/examples.dns"
		if err := live.Save(path); err != nil {
			t.Fatal(err)
		}
		f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.WriteString("\n; every other name does not exist\n;! zone .\n"); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}
	snap, err := dnsx.LoadSnapshot("testdata/examples.dns")
	if err != nil {
		t.Fatal(err)
	}
	for i, in := range []string{phishing, inbox} {
		got := runWith(t, env{now: testNow, dns: snap}, "", "--text", in).stdout
		// The replay says where its answers came from; nothing else differs.
		replayed := "  Replayed from the DNS snapshot examples.dns: nothing was sent to the network.\n"
		if strings.Count(got, replayed) != strings.Count(got, "DNS queries (") {
			t.Errorf("%s: the replay does not say it was replayed from examples.dns:\n%s", in, got)
		}
		got = strings.ReplaceAll(got, replayed, "")
		if got != want[i] {
			t.Errorf("%s: the snapshot's report differs from the live one (run with -update):\n%s\n---\n%s", in, got, want[i])
		}
	}
}
