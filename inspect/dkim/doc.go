// Package dkim verifies DKIM signatures (RFC 6376, updated by RFC 8301 and
// RFC 8463) one step at a time, so that a reader can follow why each
// signature passed or failed.
//
// Each DKIM-Signature header field gives one Signature: a result named as
// in RFC 8601 §2.7.1, one plain sentence of reason, and the trace.Steps
// that led there — the tags read, the key fetched through dnsx.Resolver
// (so the lookup is traced, cached and can be replayed from a snapshot),
// the body hash computed here and compared with bh=, and the header
// signature checked with the standard library's crypto. Computing the body
// hash separately tells "the body changed in transit" apart from "a signed
// header changed, or the key is not the one that signed".
//
// The pieces are exported for ARC (RFC 8617), whose signatures are built
// the same way: the tag-list parser (ParseTagList), the byte-exact header
// splitter (Split), header and body canonicalization (CanonHeader,
// CanonBody), the body hash with l= (HashRawBody, which canonicalizes and
// hashes in one pass without building the canonical body, and HashBody),
// the header hash (HeaderHash), key records (ParseKey, LookupKey, and
// KeyCache to parse each record once per run) and the signature check
// itself (VerifyHash).
//
// Where this package diverges from, or chooses within, the RFCs:
//
//   - Evaluation time is Options.Now, not the clock: x= is judged as of the
//     time the caller chooses (e.g. when the message was received).
//   - rsa-sha1 and RSA keys under 1024 bits give fail, per RFC 8301 §3.1
//     and §3.2; they are never handed to the crypto.
//   - l= is honoured as RFC 6376 §3.5 defines it. Whether such a signature
//     is acceptable is local policy (§8.2): by default it passes with a
//     warning, as large receivers do; Options.Strict makes it policy.
//   - An expired signature (x= before Now) is permerror, as go-msgauth and
//     most verifiers report it; its hashes are still checked and shown, so
//     an investigator can see that it was genuine when it was fresh.
//   - Syntax errors in the signature give neutral (RFC 8601 §2.7.1: "the
//     signature ... contained syntax errors"); missing, revoked or
//     unusable keys and the checks of RFC 6376 §6.1.1 (i= outside d=, From
//     not signed) give permerror.
//   - The key record may hold an RSAPublicKey or a SubjectPublicKeyInfo
//     (RFC 6376 erratum 3017); real keys are nearly always the latter.
//   - Several TXT records at the selector are refused (permerror): RFC 6376
//     §3.6.2.2 leaves the result undefined, and go-msgauth refuses too.
//   - Lines are taken to end in CRLF or in a lone LF (mail stored on Unix);
//     a lone LF is read as CRLF, as the message would travel in SMTP
//     (RFC 6376 §5.3). A lone CR is kept as data.
//   - A header line without a colon is not a field by RFC 5322, but like
//     go-msgauth this package treats it as one named by its text.
//   - At most Options.MaxSignatures (default 10) signatures are verified
//     (RFC 6376 §6.1 and §8.4 allow a limit); the rest are listed, marked
//     not checked, with result neutral.
//
// go-msgauth's verifier is the test oracle (TestDifferential,
// FuzzDifferential). Where it departs from RFC 6376 — a lone CR read as a
// line break by its relaxed canonicalization, Unicode white space beyond
// FWS stripped from tag values and field names, field names RFC 5322 does
// not allow accepted in h= — this package follows the RFC; fuzz_test.go
// lists these cases and the property skips them.
package dkim
