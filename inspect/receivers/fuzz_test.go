package receivers_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/headercheck/headercheck/inspect/receivers"
)

// headerNames are the names the decoders know, and one unknown.
func headerNames() []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range decodeCases {
		if !seen[c.header] {
			seen[c.header] = true
			out = append(out, c.header)
		}
	}
	return append(out, "X-Rspamd-Queue-Id", "X-Spamd-Bar", "X-Proofpoint-GUID", "X-MC-Unique", "X-Google-Smtp-Source", "X-Gm-Gg")
}

// FuzzDecode runs every vendor decoder on arbitrary values: no panic, a
// meaning for every field, bounded output, and JSON that marshals.
func FuzzDecode(f *testing.F) {
	names := headerNames()
	index := map[string]int{}
	for i, n := range names {
		index[n] = i
	}
	for _, c := range decodeCases {
		f.Add(uint8(index[c.header]), c.value)
	}
	f.Add(uint8(0), ";;;:::")
	f.Add(uint8(index["X-Spamd-Result"]), "default: False [ / ]; (; )[; X(1)[[[; Y(2)")
	f.Add(uint8(index["X-Spam-Report"]), "---- -1.0 A_B -2 C_D 1.1.1 E_F")
	f.Fuzz(func(t *testing.T, sel uint8, value string) {
		name := names[int(sel)%len(names)]
		in := receivers.Input{Boundary: 1, AuthServIDs: []string{"example.net"}, Fields: []receivers.Field{
			{Name: name, Value: strings.TrimSpace(strings.NewReplacer("\r\n", "", "\n", "").Replace(value)), Raw: value, Pos: 0},
			{Name: "Received", Value: "from a by mx.example.net", Pos: 1},
		}}
		for _, h := range receivers.Decode(in) {
			if len(h.Keys) != len(h.Fields) || len(h.Meaning) != len(h.Fields) || len(h.Keys) > 128 {
				t.Errorf("%s: %d keys, %d fields, %d meanings", name, len(h.Keys), len(h.Fields), len(h.Meaning))
			}
			for _, k := range h.Keys {
				if _, ok := h.Fields[k]; !ok || h.Meaning[k] == "" {
					t.Errorf("%s: key %q without a value or a meaning", name, k)
				}
				if len(h.Fields[k]) > 2048+len("…") {
					t.Errorf("%s: field %q is %d bytes long", name, k, len(h.Fields[k]))
				}
			}
			if h.Summary == "" || h.Vendor == "" || h.Basis == "" {
				t.Errorf("%s: summary %q, vendor %q, basis %q", name, h.Summary, h.Vendor, h.Basis)
			}
			if !h.Trusted && h.Why == "" {
				t.Errorf("%s: untrusted without a why", name)
			}
			if _, err := json.Marshal(h); err != nil {
				t.Errorf("%s: json: %v", name, err)
			}
		}
	})
}

// FuzzTrust feeds whole header blocks with any boundary: every header
// above the boundary, or Exchange Online's, may be trusted; nothing
// below it otherwise.
func FuzzTrust(f *testing.F) {
	f.Add("X-Spam-Flag: YES\nReceived: from a by b\nX-Forefront-Antispam-Report: SCL:9;\n", 1)
	f.Add("Authentication-Results: spf=pass; compauth=pass reason=100\nReceived: from x by y.mail.protection.outlook.com\nX-Microsoft-Antispam: BCL:0;\nX-Forefront-Antispam-Report-Untrusted: SFV:NSPM;\n", 1)
	f.Add("ARC-Authentication-Results: i=1; mx.google.com; dmarc=pass\nReceived: by mx.google.com\n", -1)
	f.Fuzz(func(t *testing.T, block string, boundary int) {
		var fields []receivers.Field
		for i, l := range strings.Split(block, "\n") {
			name, value, _ := strings.Cut(l, ":")
			fields = append(fields, receivers.Field{Name: name, Value: value, Pos: i})
			if i > 300 {
				break
			}
		}
		got := receivers.Decode(receivers.Input{Fields: fields, Boundary: boundary, AuthServIDs: []string{"example.org"}})
		if len(got) > 256 {
			t.Errorf("%d headers", len(got))
		}
		for _, h := range got {
			if h.Trusted && (boundary < 0 || (h.Position >= boundary && !strings.Contains(h.Basis, "Exchange Online"))) {
				t.Errorf("%s at %d trusted with boundary %d: %s", h.Header, h.Position, boundary, h.Basis)
			}
			if h.Trusted && strings.HasSuffix(strings.ToLower(strings.TrimSpace(h.Header)), "-untrusted") {
				t.Errorf("%s trusted", h.Header)
			}
		}
	})
}
