package arc_test

import (
	"fmt"

	"github.com/headercheck/headercheck/inspect/arc"
)

func ExampleParseAAR() {
	a, err := arc.ParseAAR("i=1; lists.example.org; spf=pass smtp.mailfrom=jqd@d1.example;" +
		" dkim=pass (2048-bit key) header.i=@d1.example; dmarc=pass header.from=d1.example")
	if err != nil {
		fmt.Println(err)
	}
	fmt.Println(a.Summary)
	for _, r := range a.Results.Results {
		fmt.Printf("%s=%s for %s %q\n", r.Method, r.Result, r.Domain(), r.Comment)
	}
	// Output:
	// at i=1, lists.example.org saw SPF pass, DKIM pass, DMARC pass
	// spf=pass for d1.example ""
	// dkim=pass for d1.example "2048-bit key"
	// dmarc=pass for d1.example ""
}
