package spf_test

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/headercheck/headercheck/inspect/spf"
)

func ExampleParse() {
	rec, err := spf.Parse("v=spf1 ip4:192.0.2.0/24 a:mail.example.org/28 include:_spf.example.net -all")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range rec.Terms {
		fmt.Printf("%-26s qualifier %c, asks DNS: %v\n", t.Text, t.Qualifier, t.QueriesDNS())
	}

	_, err = spf.Parse("v=spf1 a:192.0.2.1 -all")
	var se *spf.SyntaxError
	if errors.As(err, &se) {
		fmt.Println(se.Reason)
	}
	// Output:
	// ip4:192.0.2.0/24           qualifier +, asks DNS: false
	// a:mail.example.org/28      qualifier +, asks DNS: true
	// include:_spf.example.net   qualifier +, asks DNS: true
	// -all                       qualifier -, asks DNS: false
	// a: needs a host name, not an address; to allow the address 192.0.2.1 write ip4:192.0.2.1 (RFC 7208 §5.6)
}

func ExampleExpand() {
	env := spf.MacroEnv{
		Sender: "strong-bad@email.example.com",
		Domain: "email.example.com",
		IP:     netip.MustParseAddr("192.0.2.3"),
	}
	name, _ := spf.Expand("%{ir}.%{v}._spf.%{d2}", false, env)
	fmt.Println(name)
	text, _ := spf.Expand("%{i} may not send for %{d}; see https://%{d}/spf?s=%{S}", true, env)
	fmt.Println(text)
	// Output:
	// 3.2.0.192.in-addr._spf.example.com
	// 192.0.2.3 may not send for email.example.com; see https://email.example.com/spf?s=strong-bad%40email.example.com
}
