package inspect

import "github.com/headercheck/headercheck/inspect/aggregate"

// AggregateMessage is what DMARC's reporting side (package aggregate)
// needs of the report, for a caller that runs aggregate.Check itself (with
// another reporter name, or another resolver). Inspect already puts its
// own result in Reporting.
func (r *Report) AggregateMessage() *aggregate.Message {
	m := r.aggregateMessage(r.Verdict)
	return &m
}

func (r Report) aggregateMessage(v Verdict) aggregate.Message {
	return aggregate.Message{
		At:        r.At,
		Chain:     r.Chain,
		SPF:       r.SPF,
		DKIM:      r.DKIM,
		DMARC:     r.DMARC,
		DecidedBy: v.DecidedBy,
		ARC:       v.ARC,
	}
}
