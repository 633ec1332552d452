// Package aggregate shows the reporting side of DMARC for one inspected
// message, the part a classroom rarely sees: where the domain owner asks
// for reports (the rua and ruf tags of the DMARC record that applied, RFC
// 9989 §4.7), whether a receiver may send them there (the external
// destination check of RFC 9990 §4 and RFC 9991 §5), whether this message
// would trigger a failure report (fo, RFC 9989 §4.7), and the <record>
// this message adds to the aggregate report the receiver sends each day,
// as the complete <feedback> XML document of RFC 9990 §3.1 and Appendix A
// that the domain owner would receive.
//
// Check takes what an inspection found (a Message: inspect runs Check
// itself, into Report.Reporting, and Report.AggregateMessage makes one for
// other callers) and returns plain data with a step trace, like every
// check; Feedback.XML renders the document. The only DNS it
// asks is the external destination check, through the injected
// dnsx.Resolver (a snapshot replays it); with no resolver, external
// destinations are listed as not verified.
//
// Where this package chooses:
//
//   - One message makes one report with one record and count 1. A real
//     report sums a day of messages per source IP and outcome
//     (RFC 9990 §3.1.1.7); the report metadata says it is an
//     illustration.
//   - The report follows the DMARC standard that decided the verdict:
//     discovery_method is "treewalk" under RFC 9989 and "psl" under RFC
//     7489 (RFC 9990 §3.1.1.5). policy_published gives every tag with its
//     discovered or default value, as §3.1.1.5 asks.
//   - Whether a destination is external is decided with the Public Suffix
//     List, as RFC 7489 §7.1 did: its Organizational Domain against the
//     policy domain's. RFC 9990 §4 means the Organizational Domain of RFC
//     9989, found with a DNS tree walk; a walk for every destination host
//     would ask DNS about domains the message never named, and for
//     ordinary registered domains both give the same answer.
//   - The date range is the UTC day of the delivery (the trust-boundary
//     hop's date), else of the time the report was evaluated as of:
//     "typically ... a single UTC day" (RFC 9990 §3.1.1.4).
//   - policy_evaluated.disposition is what a receiver that follows the
//     deciding standard does: "pass" for DMARC pass under an enforcing
//     policy, "none" for delivery otherwise (RFC 9990 Appendix A,
//     ActionDispositionType). A disposition weaker than the published
//     policy carries a reason: policy_test_mode for t=y, trusted_forwarder
//     for a trusted ARC sealer, other for RFC 7489's pct sampling or a DNS
//     failure (RFC 9990 §3.1.1.9, §3.1.6).
//   - auth_results lists every DKIM signature checked, in the order of
//     preference of RFC 9990 §3.1.3, at most 100; SPF is the MAIL FROM
//     identity (scope mfrom), or the HELO identity that stands in for a
//     null sender (RFC 7208 §2.4), which the human_result then says.
package aggregate
