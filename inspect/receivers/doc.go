// Package receivers decodes the verdict headers that receiving mail
// systems write into a message — Microsoft 365 / Exchange Online,
// SpamAssassin, Gmail, rspamd, Proofpoint, Mimecast, Barracuda — so that an
// investigator does not have to decode "SFV:SPM;SCL:5;CAT:PHSH" by hand.
// These are the receivers' own findings, shown beside headercheck's replay
// of SPF, DKIM and DMARC, never in place of it.
//
// Every decoded header keeps its raw value beside the meaning of each of
// its fields, and says whether it can be believed. RFC 8601 §5 (for
// Authentication-Results, and by the same reasoning for any verdict
// header): only what the receiving side added after the message arrived
// is trustworthy; everything else could have been written by the sender.
// A header is trusted when it sits above the Received field of the trust
// boundary (the receiving side prepends its headers after the message
// arrived) and, for Authentication-Results headers with an authserv-id,
// when that authserv-id is the receiving side's (RFC 8601 §2.5, §5).
// Meanings come from the vendors' public documentation; where a vendor
// does not document a field, the decoder says so instead of guessing.
//
// Where this package chooses or diverges:
//
//   - Exchange Online writes its own verdict headers (X-Forefront-Antispam-
//     Report, X-Microsoft-Antispam, X-MS-Exchange-Organization-*) at the
//     bottom of the header, not on top. When the trust boundary's Received
//     field shows that Exchange Online received the message (its "by" host
//     is under outlook.com or office365.com), those headers are trusted
//     wherever they sit: Exchange Online strips X-MS-Exchange-Organization-*
//     headers that arrive from outside (its "header firewall"), and copies
//     of its antispam headers that arrive from another tenant are renamed
//     with "-Untrusted" (X-Forefront-Antispam-Report-Untrusted), as real
//     mail relayed between tenants shows. "-Untrusted" headers are never
//     trusted.
//   - Microsoft 365 writes Authentication-Results without an authserv-id;
//     such a header is trusted by its position alone, and its meaning says
//     so.
//   - An authserv-id matches the receiving side when it equals one of
//     Input.AuthServIDs or is a subdomain of one. With no authserv-ids
//     given, position alone decides, and the header's basis says so.
//   - The X-Spam-* names are SpamAssassin's; rspamd and others write some of
//     them too. They are decoded as SpamAssassin's.
//   - Decoded values are kept as written (not escaped): renderers pass them
//     through inspect/safe like any text from a message.
package receivers
