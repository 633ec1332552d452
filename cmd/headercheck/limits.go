package main

import (
	"errors"
	"flag"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/headercheck/headercheck/inspect"
	"github.com/headercheck/headercheck/inspect/message"
	"github.com/headercheck/headercheck/inspect/safe"
	"github.com/headercheck/headercheck/inspect/spf"
)

// limits are the resource bounds a user may change: each guards memory or
// time against hostile input, and each says so in the report (a step or
// an error) when it bites. Zero fields take the defaults of the packages
// that apply them; --help names those defaults.
type limits struct {
	maxSize    byteSize // --max-size: larger messages are refused (message.DefaultMaxMessageSize)
	maxFields  int      // --max-fields: header fields read (message.DefaultMaxHeaderFields)
	maxLine    byteSize // --max-line: a field with a longer line is skipped (message.DefaultMaxLineLength)
	maxDKIM    int      // --max-dkim: DKIM signatures verified (dkim.DefaultMaxSignatures)
	spfLookups int      // --spf-lookups: DNS-querying SPF terms (RFC 7208 §4.6.4: 10)
	spfVoids   int      // --spf-voids: SPF lookups that found nothing (RFC 7208 §4.6.4: 2)
}

// Bounds of the limit flags themselves: below them nothing useful can be
// read; above them a typo would let one message take the machine.
const (
	minSizeLimit = 1 << 10
	maxSizeLimit = 1 << 40
	maxCount     = 10_000_000
	maxSPFLimit  = 1000
)

func (l *limits) register(fs *flag.FlagSet) {
	fs.Var(&l.maxSize, "max-size", "")
	fs.IntVar(&l.maxFields, "max-fields", 0, "")
	fs.Var(&l.maxLine, "max-line", "")
	fs.IntVar(&l.maxDKIM, "max-dkim", 0, "")
	fs.IntVar(&l.spfLookups, "spf-lookups", 0, "")
	fs.IntVar(&l.spfVoids, "spf-voids", 0, "")
}

// check validates the limit flags that were given (set holds their names).
func (l *limits) check(set map[string]bool) error {
	for _, s := range []struct {
		flag     string
		v        int64
		min, max int64
		unit     string
	}{
		{"max-size", int64(l.maxSize), minSizeLimit, maxSizeLimit, "bytes"},
		{"max-line", int64(l.maxLine), minSizeLimit, maxSizeLimit, "bytes"},
		{"max-fields", int64(l.maxFields), 1, maxCount, ""},
		{"max-dkim", int64(l.maxDKIM), 1, maxCount, ""},
		{"spf-lookups", int64(l.spfLookups), 1, maxSPFLimit, ""},
		{"spf-voids", int64(l.spfVoids), 1, maxSPFLimit, ""},
	} {
		if !set[s.flag] || s.v >= s.min && s.v <= s.max {
			continue
		}
		if s.unit == "bytes" {
			return fmt.Errorf("--%s %d: want from 1KiB to 1TiB", s.flag, s.v)
		}
		return fmt.Errorf("--%s %d: want 1 to %d", s.flag, s.v, s.max)
	}
	return nil
}

// messageOptions are the loader's limits.
func (l limits) messageOptions() message.Options {
	return message.Options{
		MaxMessageSize:  int64(l.maxSize),
		MaxHeaderFields: l.maxFields,
		MaxLineLength:   int(l.maxLine),
	}
}

// inspectLimits are the checks' limits.
func (l limits) inspectLimits() inspect.Limits {
	return inspect.Limits{
		SPF:            spf.Limits{Lookups: l.spfLookups, Voids: l.spfVoids},
		DKIMSignatures: l.maxDKIM,
	}
}

// byteSize is a flag.Value for a number of bytes: 65536, 64KiB, 64MiB,
// 1GiB (k, K, KB and KiB all mean 1024, and so on: sizes of files and
// memory, not of disks).
type byteSize int64

func (b *byteSize) String() string {
	if b == nil {
		return "0"
	}
	return strconv.FormatInt(int64(*b), 10)
}

func (b *byteSize) Set(s string) error {
	n, err := parseByteSize(s)
	if err != nil {
		return err
	}
	*b = byteSize(n)
	return nil
}

var errByteSize = errors.New("want a size such as 65536, 512KiB, 64MiB or 1GiB")

func parseByteSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := 0
	for i < len(t) && t[i] >= '0' && t[i] <= '9' {
		i++
	}
	if i == 0 || i > 15 {
		return 0, fmt.Errorf("%s: %w", safe.Text(s), errByteSize)
	}
	n, err := strconv.ParseInt(t[:i], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", safe.Text(s), errByteSize)
	}
	var shift uint
	switch strings.ToLower(strings.TrimSpace(t[i:])) {
	case "", "b":
	case "k", "kb", "kib":
		shift = 10
	case "m", "mb", "mib":
		shift = 20
	case "g", "gb", "gib":
		shift = 30
	case "t", "tb", "tib":
		shift = 40
	default:
		return 0, fmt.Errorf("%s: %w", safe.Text(s), errByteSize)
	}
	if n > math.MaxInt64>>shift {
		return 0, fmt.Errorf("%s: too large", safe.Text(s))
	}
	return n << shift, nil
}
