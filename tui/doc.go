// Package tui is headercheck's interactive terminal UI (Bubble Tea v2, Lip
// Gloss v2, Bubbles v2): it renders the same inspect.Report as the text and
// JSON reports, so the facts and the words are the checks' own; this
// package owns only the layout.
//
// The screen is a summary bar (From with any phishing signs, Subject,
// Date, the verdict badge and its one-line reason), a bar of views, the
// view, and a line of keys:
//
//   - Overview: the story of the verdict, one line per check, what the
//     receivers recorded (RFC 8601 Authentication-Results) and their own
//     verdict headers, and a --demo lesson beside or above it;
//   - Route: the Received chain (RFC 5321 §4.4) oldest first, the trust
//     boundary marked and the envelope derived from it; t makes another hop
//     the boundary and replays SPF (RFC 7208) and DMARC (RFC 9989) for it
//     with inspect.WhatIf, and w edits the envelope the same way;
//   - SPF (with the HELO identity and iprev, RFC 8601 §3), DKIM (RFC 6376,
//     one tree per signature) and DMARC (both standards, the verdict, the
//     ARC chain of RFC 8617): step trees with the selected step's detail,
//     explanation, rule and DNS exchange beside or below;
//   - Headers: the raw header, searchable; DNS: every exchange.
//
// An mbox opens on a message list whose verdicts are filled in by
// inspections of the rows on screen, a few at a time, all through one DNS
// cache for the session.
//
// Where it chooses:
//
//   - Everything that came from the message or from DNS goes through
//     inspect/safe before it is laid out, so escape sequences, C0 and C1
//     controls and bidi overrides show as visible escapes; result and
//     disposition words are escaped too, although they are ours.
//   - Checks stream in through inspect.Options.OnUpdate: each shows a
//     spinner until its result arrives, and Update never waits for DNS.
//     r replays with a fresh cache so a DNS change since shows; a replay or
//     a what-if started while another runs cancels the older one, whose
//     late results are dropped.
//   - A what-if keeps what the user did not change: fields of the form left
//     as they were stay derived from the message, and t drops a client IP
//     and HELO typed before, since choosing a hop means using its client.
//   - Below MinWidth×MinHeight the screen only asks for a larger window;
//     from 80×24 up every view fits, and the detail panes go beside the
//     lists from 100 columns (140 for Route).
//   - Colours come in pairs for dark and light backgrounds; the terminal is
//     asked for its background and the style sheet rebuilt when it answers.
//     The active view and the selected row are also marked with brackets
//     and a cursor, so the screen reads without colour.
package tui
