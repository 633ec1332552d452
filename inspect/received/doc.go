// Package received reads a message's Received header fields (RFC 5321
// §4.4, RFC 5322 §3.6.7) the way real mail servers write them, walks the
// chain from the top-most (last) hop down to decide where the message
// entered the receiving organization, and derives from that hop the SMTP
// envelope SPF is replayed for: the client address, the HELO name and,
// from Return-Path, the MAIL FROM.
//
// Parse reads one field, ParseDate one date, and Analyze a whole message's
// trace fields (Input) into a Chain: the hops with their delays and
// anomalies, the boundary hop, the envelope with where each value came from,
// the decision as trace steps, and the informational X-Originating-IP style
// findings. Chain.WithBoundary redoes the analysis for a hop the user picks.
//
// Where it diverges from the RFCs, and why:
//
//   - The grammar is read leniently, because no server follows it exactly:
//     TCP-info is taken from any comment after the from name that holds an
//     address (Postfix, Sendmail, Exchange, Exim, qmail, ZMailer and
//     CommuniGate each write it differently); a date is found without the
//     ';' before it (SendGrid); words after the date are read as clauses
//     (Courier). Each lenient reading that is not suspicious is recorded in
//     Hop.Notes, so the strays are visible.
//   - from_helo is the name after "from" (RFC 5321 §4.4), except when the
//     receiver names the HELO in a comment ("HELO x", "helo=x", "EHLO x",
//     as qmail, Exim and CommuniGate do): then the name after from is the
//     receiver's own reverse lookup and goes to from_rdns. A from name
//     without such a marker is never taken for a reverse DNS name, even
//     when a server (Exim, qmail) happens to put one there: the contract
//     says from_rdns comes from the TCP-info, and a name the client chose
//     must not pass for one the receiver looked up.
//   - from_ip comes only from the TCP-info, or from the from name when a
//     HELO marker shows it is the receiver's record; an address the client
//     only claimed (a bracketed HELO with no TCP-info) is left out. IPv4
//     addresses written as IPv4-mapped IPv6 (::ffff:192.0.2.1) are given in
//     IPv4 form, as SPF compares them (RFC 7208 §5).
//   - Dates: the obsolete forms of RFC 5322 §4.3 are accepted although
//     RFC 5321 §4.4 forbids them in Received; a zone name RFC 5322 does not
//     define is read as -0000 (UTC) as §4.3 says, with an anomaly, because
//     it may be hours off; a date with no zone at all (asctime), or one that
//     names a day that does not exist, is rejected rather than guessed.
//   - The trust boundary (RFC 8601 §1.2 leaves it undefined on purpose) is
//     the first hop, from the top, whose client is outside the receiving
//     organization. That organization is the registrable domain (Public
//     Suffix List) of the top-most server that names itself, plus the
//     domains the walk proves internal (a server reached through an
//     internal hop) and those the user gives; the top-most
//     Authentication-Results authserv-id (RFC 8601 §2.5) names it only when
//     no server does, because a sender can add that header too. A client is
//     inside when it connected from a private, loopback or link-local
//     address, or when the reverse DNS name the receiver recorded is in the
//     organization. When the receiver recorded no name (Exchange, Gmail),
//     the client's own HELO name is taken, with a warning step: that is how
//     Microsoft 365's internal hops look, and a forged HELO there is shown
//     as the hop to check. A receiver that recorded "unknown" or "may be
//     forged" makes the hop the boundary whatever the HELO says.
//   - The documentation prefixes (RFC 5737, RFC 3849) count as public
//     addresses, so examples and lessons read like real mail.
package received
