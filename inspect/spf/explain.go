package spf

import (
	"fmt"
	"strings"

	"github.com/headercheck/headercheck/inspect/trace"
)

// explain says, in plain words, what the result of a check means for a
// receiver (RFC 7208 §8) and which term of which record decided it.
func explain(o outcome, domain string, id Identity, ip string) string {
	who := "the MAIL FROM domain " + domain
	if id == HELO {
		who = "the HELO name " + domain
	}
	rec := "the record"
	if o.at != domain && o.at != "" {
		rec = fmt.Sprintf("the record of %s (which %s hands over to with redirect=)", o.at, domain)
	}
	switch o.result {
	case trace.Pass:
		if o.mech == All {
			return fmt.Sprintf("SPF passes for %s only because %s ends with +all, which allows every address on the internet; such a pass says nothing about who really sent the message (RFC 7208 §8.3).", who, rec)
		}
		var how string
		switch {
		case o.mech == Include && o.inner != nil:
			in := o.inner
			chain := strings.TrimLeft(o.term, "+")
			for in.mech == Include && in.inner != nil {
				chain += " then " + strings.TrimLeft(in.term, "+")
				in = in.inner
			}
			how = "it matched " + in.term + " in the record of " + in.at + ", reached through " + chain
			if in.mech == All {
				how = "the record of " + in.at + ", reached through " + chain + ", ends with +all and so allows every address"
			}
		default:
			how = "it matched " + o.term + " in " + rec
		}
		return ip + " is allowed to send mail for " + who + ": " + how + ". SPF passes, so a receiver may hold " + domain + " responsible for the message; this says nothing about the From: address a reader sees, which DMARC compares (RFC 7208 §8.3)."
	case trace.Fail:
		var s string
		if o.mech == All {
			s = ip + " is not in any address " + who + " allows, and " + rec + " ends with -all, which asks receivers to reject the message (RFC 7208 §8.4)."
		} else {
			s = ip + " matched " + o.term + " in " + rec + ", which explicitly forbids it to send for " + who + ": SPF fails, and the domain asks receivers to reject the message (RFC 7208 §8.4)."
		}
		if o.exp != "" {
			s += fmt.Sprintf(" %s adds its own explanation (its words, not headercheck's): %q", o.at, o.exp)
		}
		return s
	case trace.SoftFail:
		if o.mech == All {
			return ip + " is not in any address " + who + " allows, and " + rec + " ends with ~all, which asks receivers to accept but mark the message (RFC 7208 §8.5)."
		}
		return fmt.Sprintf("%s matched %s in %s: %s says it is probably not allowed to send (softfail), so receivers should accept the message but may look at it more closely (RFC 7208 §8.5).", ip, o.term, rec, who)
	case trace.Neutral:
		switch {
		case o.mech == All:
			return fmt.Sprintf("%s is not in any address %s lists, and %s ends with ?all: the domain states nothing about it, and a receiver treats the message as if there were no SPF record (RFC 7208 §8.2).", ip, who, rec)
		case o.term == "":
			return fmt.Sprintf("%s matched none of the terms of %s, which has neither an all nor a redirect=, so the result is neutral, as if it ended with ?all; a receiver treats this as if there were no SPF record (RFC 7208 §4.7, §8.2).", ip, rec)
		}
		return fmt.Sprintf("%s matched %s in %s, whose \"?\" qualifier means neutral: %s makes no statement about it, and a receiver treats this as if there were no SPF record (RFC 7208 §8.2).", ip, o.term, rec, who)
	case trace.None:
		return capital(o.reason) + ", so SPF says nothing about whether " + ip + " may send for " + domain + "; a receiver has no SPF information about the message (RFC 7208 §8.1)."
	case trace.TempError:
		if strings.Contains(o.reason, missingWords) {
			return fmt.Sprintf("SPF for %s could not be finished: %s%s, so the replay cannot tell; live, a DNS failure here is a temporary error (4xx) that asks the sender to try again later (RFC 7208 §8.6). Replay against live DNS, or with a snapshot that holds the answer.", who, where(o, domain), o.reason)
		}
		return fmt.Sprintf("SPF for %s could not be finished: %s%s. This is a temporary DNS problem: a receiver answers with a temporary error (4xx), asking the sender to try again later (RFC 7208 §8.6).", who, where(o, domain), o.reason)
	case trace.PermError:
		return fmt.Sprintf("The SPF policy of %s cannot be used: %s%s. This is an error in the domain's DNS that its operator must fix; what a receiver does with it is its own policy (RFC 7208 §8.7).", domain, where(o, domain), o.reason)
	}
	return ""
}

// where names the record an exception came from when that is not the
// first domain's own.
func where(o outcome, domain string) string {
	if o.at == "" || o.at == domain {
		return ""
	}
	return fmt.Sprintf("in the record of %s, which %s includes or redirects to, ", o.at, domain)
}

// capital starts a sentence with a capital letter, unless it starts with a
// name (a domain, an address, a term like ip4:...), which is never
// capitalised: a student would not recognise "Mail.bank.example".
func capital(s string) string {
	if s == "" {
		return s
	}
	word, _, _ := strings.Cut(s, " ")
	if strings.ContainsAny(word, ".:@=") {
		return s
	}
	if c := s[0]; c >= 'a' && c <= 'z' {
		return string(c-'a'+'A') + s[1:]
	}
	return s
}
