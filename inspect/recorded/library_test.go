package recorded

import (
	"strings"

	"github.com/emersion/go-msgauth/authres"
)

// libraryView runs go-msgauth's authres over a field value with its
// comments removed (and, for ARC, its instance tag cut off), and returns
// what it read of each result, in order, for comparison with Parse. It
// returns nil where authres refuses the field (a version other than 1, no
// authserv-id): that is one reason Parse does not rely on it.
func libraryView(value string, arc bool) []map[string]any {
	clean, _ := stripComments(value)
	clean = strings.ReplaceAll(clean, "\x00", "")
	if arc {
		if _, after, ok := strings.Cut(clean, ";"); ok {
			clean = after
		}
	}
	_, results, err := authres.Parse(clean)
	if err != nil {
		return nil
	}
	out := make([]map[string]any, 0, len(results))
	for _, r := range results {
		out = append(out, libraryFields(r))
	}
	return out
}

func libraryFields(r authres.Result) map[string]any {
	switch r := r.(type) {
	case *authres.SPFResult:
		return map[string]any{"method": "spf", "result": string(r.Value), "smtp.mailfrom": r.From, "smtp.helo": r.Helo}
	case *authres.DKIMResult:
		return map[string]any{"method": "dkim", "result": string(r.Value), "header.d": r.Domain, "header.i": r.Identifier}
	case *authres.DMARCResult:
		return map[string]any{"method": "dmarc", "result": string(r.Value), "header.from": r.From}
	case *authres.IPRevResult:
		return map[string]any{"method": "iprev", "result": string(r.Value), "policy.iprev": r.IP}
	case *authres.AuthResult:
		return map[string]any{"method": "auth", "result": string(r.Value), "smtp.auth": r.Auth}
	case *authres.ARCResult:
		return map[string]any{"method": "arc", "result": string(r.Value), "smtp.remote-ip": r.RemoteIP}
	case *authres.DomainKeysResult:
		return map[string]any{"method": "domainkeys", "result": string(r.Value)}
	case *authres.SenderIDResult:
		return map[string]any{"method": "sender-id", "result": string(r.Value)}
	case *authres.GenericResult:
		return map[string]any{"method": r.Method, "result": string(r.Value)}
	}
	return nil
}
