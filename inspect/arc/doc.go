// Package arc validates the Authenticated Received Chain of a message
// (RFC 8617) one step at a time and decodes what each intermediary
// recorded, so that a reader can see who handled a forwarded message, what
// each of them saw when it arrived, and where the chain of custody broke.
//
// ARC is Experimental, and the DMARC working group has a draft that moves
// it to Historic; Microsoft 365 and Gmail still act on ARC from sealers
// they trust, which is why headercheck verifies it. Its result is always
// shown beside the DMARC replay, never instead of it: a passing chain only
// says that the sealers' own records are intact, and whether to believe a
// sealer is a receiver's local policy (RFC 8617 §7.2). Result.Rescue writes
// down the policy headercheck applies for --trust-arc.
//
// Verify follows the validator steps of RFC 8617 §5.2: collect the ARC
// sets (ARC-Authentication-Results, ARC-Message-Signature and ARC-Seal by
// their instance tag i=), check their structure (instances 1..N without
// gaps or duplicates, at most 50, cv=none on i=1 and cv=pass above),
// verify the newest ARC-Message-Signature like a DKIM signature, and verify
// every ARC-Seal from the newest down over the ARC header fields it covers
// (§5.1.1). The signature machinery is the DKIM package's: its tag-list
// parser, byte-exact header splitter, canonicalization, body hash, key
// lookup (so every key query is traced, cached and replayable) and
// signature check.
//
// Where this package diverges from, or chooses within, RFC 8617:
//
//   - Older ARC-Message-Signatures are verified too, from the newest down
//     until one fails (§5.2 step 5 makes that optional). Their results
//     never change the chain status; they show where the message was
//     changed on the way (the "oldest-pass" of §6, reported as OldestPass).
//   - After the first ARC-Seal that fails, the older seals are not checked
//     (§5.2 step 6 stops there); they are listed as not checked.
//   - A chain whose newest seal says cv=fail is reported as failing at
//     that instance without any cryptography (§5.2 step 2): that sealer
//     found the chain broken when the message reached it.
//   - As RFC 8617 §5.2.1 demands, every error is permanent: a key lookup
//     that times out fails the chain. The step still says it was a DNS
//     problem, so a later replay may pass.
//   - RFC 8301 applies to ARC signatures as it does to DKIM: rsa-sha1 and
//     RSA keys under 1024 bits fail. Ed25519 (RFC 8463) is accepted, as
//     dkimpy does, although RFC 8617 predates it.
//   - An ARC-Message-Signature whose h= lists ARC header fields breaks the
//     MUST NOT of §4.1.2; early sealers (Google's before 2019 among them)
//     signed ARC-Authentication-Results, so such a signature is verified as
//     written and a warning step says so.
//   - An ARC-Seal with an h= tag fails (§4.1.3). Tags the RFC does not
//     define are ignored, as RFC 6376 §3.2 asks of DKIM.
//   - x= on an ARC-Message-Signature is judged against Options.Now as DKIM
//     does (an expired signature fails); with a zero Now it is not judged.
//   - Authentication results inside ARC-Authentication-Results are read
//     with go-msgauth's authres parser after comments, quoted strings and
//     stray words are taken care of here, since that parser splits on
//     every ";" and space (see ParseResults).
package arc
