package aggregate_test

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/headercheck/headercheck/inspect"
	"github.com/headercheck/headercheck/inspect/aggregate"
	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/message"
	"github.com/headercheck/headercheck/testdata/lessons"
)

// The reporting side of a spoof: where bank.example asks for reports,
// and the row the spoofed message adds to the report it receives.
func ExampleCheck() {
	l, _ := lessons.Get("02-exact-spoof")
	snap, err := dnsx.ParseSnapshot(bytes.NewReader(l.DNS), l.Name+".dns")
	if err != nil {
		log.Fatal(err)
	}
	src, err := message.FromBytes("demo:"+l.Name, l.EML, message.Options{})
	if err != nil {
		log.Fatal(err)
	}
	m, _ := src.Message(0)
	rep, err := inspect.Inspect(context.Background(), m, inspect.Options{
		Resolver:  snap,
		Now:       func() time.Time { return l.At },
		NowSource: lessons.NowSource,
	})
	if err != nil {
		log.Fatal(err)
	}
	res := aggregate.Check(context.Background(), aggregate.Input{Report: rep.AggregateMessage(), Resolver: snap})
	for _, d := range res.Requests.Aggregate {
		fmt.Println("rua:", d.Address, d.Result)
	}
	doc, _ := res.Feedback.XML()
	s := string(doc)
	fmt.Print(s[strings.Index(s, "    <row>") : strings.Index(s, "</row>")+len("</row>")+1])
	// Output:
	// rua: dmarc-reports@bank.example pass
	//     <row>
	//       <source_ip>203.0.113.66</source_ip>
	//       <count>1</count>
	//       <policy_evaluated>
	//         <disposition>reject</disposition>
	//         <dkim>fail</dkim>
	//         <spf>fail</spf>
	//       </policy_evaluated>
	//     </row>
}
