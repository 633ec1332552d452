package recorded

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/headercheck/headercheck/inspect/received"
)

// Field is one header field of the message, unfolded.
type Field struct {
	Name  string
	Value string
	Index int // position among the message's header fields, top first
}

// Input is what Read needs: the message's header fields and the Received
// walk that says where the receiving side begins and who it is.
type Input struct {
	Fields []Field
	Chain  received.Chain
}

// Read parses every Authentication-Results and ARC-Authentication-Results
// field of the message, top first, and decides which to trust (RFC 8601
// §5, §7.1; see the package comment for the rule).
func Read(in Input) []Header {
	boundaryField := -1 // index in Fields of the boundary's Received field
	if b := in.Chain.Boundary; b >= 0 {
		n := 0
		for _, f := range in.Fields {
			if strings.EqualFold(f.Name, "Received") {
				if n == b {
					boundaryField = f.Index
					break
				}
				n++
			}
		}
	}
	var out []Header
	above := 0 // Received fields above the current one
	for _, f := range in.Fields {
		if strings.EqualFold(f.Name, "Received") {
			above++
			continue
		}
		var arc bool
		switch {
		case strings.EqualFold(f.Name, "Authentication-Results"):
		case strings.EqualFold(f.Name, "ARC-Authentication-Results"):
			arc = true
		default:
			continue
		}
		h := Parse(f.Value, arc)
		h.Index = f.Index
		h.delivery = above
		out = append(out, h)
	}
	for i := range out {
		out[i].Trusted, out[i].Why = trust(out[i], out, boundaryField, in)
	}
	return out
}

// traceBlock lists the fields a receiving MTA writes beside its own
// Received field: a header among only these, right below the boundary's
// Received field, is still part of the boundary hop's block.
func traceBlock(name string) bool {
	switch strings.ToLower(name) {
	case "received-spf", "authentication-results", "arc-authentication-results", "arc-seal",
		"arc-message-signature", "return-path", "x-received", "delivered-to":
		return true
	}
	return false
}

// trust decides whether a header can be believed, and says why.
//
// RFC 8601 §4 asks receivers to put Authentication-Results above their
// Received field, and §7.1 (item 5) builds trust on that. Gmail writes it
// just below its own Received field instead (Received, Received-SPF,
// Authentication-Results). So a receiving-side header in that block is
// trusted too, unless the same authserv-id also wrote one above the
// boundary: then the receiver's own header is there, and the copy below
// came with the message. A sender that connects straight to the receiver
// can put a forged header in the same place; RFC 8601 §5 has the receiver
// delete such forgeries, and the reason says so.
func trust(h Header, all []Header, boundaryField int, in Input) (bool, string) {
	c := in.Chain
	side := strings.Join(c.Receiving, ", ")
	own := receivingID(h.AuthServID, c.Receiving)
	by := h.AuthServID
	if by == "" {
		by = "a writer that names no authserv-id"
	}
	if boundaryField < 0 {
		return false, "The Received chain shows no point where the message entered the receiving side, so nothing shows who added this header or when (RFC 8601 §7.1)."
	}
	hop := fmt.Sprintf("received[%d]", c.Boundary)
	if h.Index < boundaryField {
		switch {
		case own != "":
			return true, fmt.Sprintf("Written by %s, part of the receiving side (%s), above the Received header where the message entered it (%s): it records what the receiver found at delivery (RFC 8601 §5).", h.AuthServID, own, hop)
		case h.AuthServID == "":
			return true, fmt.Sprintf("It names no authserv-id (Microsoft 365 writes it that way) but sits above the Received header where the message entered the receiving side (%s), so the receiving side added it; it is trusted by its position alone.", hop)
		}
		return false, fmt.Sprintf("It was added after the message entered the receiving side (%s), but its authserv-id %s is not the receiving side's (%s), so the receiving side does not vouch for it (RFC 8601 §2.5, §5).", hop, h.AuthServID, orNone(side))
	}
	if own != "" {
		if inBoundaryBlock(h, boundaryField, in.Fields) && !ownAbove(h, all, boundaryField) {
			return true, fmt.Sprintf("Written by %s, part of the receiving side (%s), just below the Received header it wrote when the message entered (%s), as Gmail places it. A sender could put a forged header in the same place, but a receiver following RFC 8601 §5 deletes those, and no other header of %s stands above, so it is taken as the receiver's own.", h.AuthServID, own, hop, h.AuthServID)
		}
		return false, fmt.Sprintf("It claims to come from the receiving side (%s) but sits below the Received header where the message entered it (%s), so it was already in the message when the receiver got it: a forged header, which RFC 8601 §5 tells the receiver to delete.", h.AuthServID, hop)
	}
	return false, fmt.Sprintf("It was already in the message before the receiving side got it (it sits below %s), written by %s: a server on the way, such as a forwarder or a mailing list, or whoever wrote the message. Nothing proves what it claims (RFC 8601 §7.1).", hop, by)
}

// inBoundaryBlock reports whether only trace fields stand between the
// boundary's Received field and h: the block the boundary hop wrote.
func inBoundaryBlock(h Header, boundaryField int, fields []Field) bool {
	for _, f := range fields {
		if f.Index <= boundaryField || f.Index >= h.Index {
			continue
		}
		if !traceBlock(f.Name) {
			return false
		}
	}
	return true
}

// ownAbove reports whether a header of the same field and authserv-id
// stands above the boundary's Received field.
func ownAbove(h Header, all []Header, boundaryField int) bool {
	for _, o := range all {
		if o.Index < boundaryField && o.Field == h.Field && o.AuthServID == h.AuthServID {
			return true
		}
	}
	return false
}

// receivingID returns the receiving-side domain id belongs to, or "".
func receivingID(id string, receiving []string) string {
	id = strings.TrimSuffix(strings.ToLower(id), ".")
	if id == "" {
		return ""
	}
	for _, d := range receiving {
		d = strings.TrimSuffix(strings.ToLower(d), ".")
		if d != "" && (id == d || strings.HasSuffix(id, "."+d)) {
			return d
		}
	}
	return ""
}

func orNone(s string) string {
	if s == "" {
		return "none known"
	}
	return s
}

func atoiSmall(s string) (int, bool) {
	if s == "" || len(s) > 2 {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 50 {
		return 0, false
	}
	return n, true
}

func joinProblem(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// clip shortens s to at most n bytes, on a UTF-8 boundary, marking the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}

// unquote removes the quotes of a quoted-string and its quoted-pairs
// (RFC 5322 §3.2.4); anything else is returned as it is.
func unquote(s string) string {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return s
	}
	s = s[1 : len(s)-1]
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
