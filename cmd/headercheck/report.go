package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/headercheck/headercheck/inspect/message"
	"github.com/headercheck/headercheck/inspect/safe"
)

// oneLine keeps a file name on one comment line of a snapshot.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, safe.Text(s))
}

func openInput(cfg *config, stdin io.Reader) (*message.Source, error) {
	if cfg.input == "" || cfg.input == "-" {
		return message.Read(stdin, "stdin", cfg.limits.messageOptions())
	}
	return message.Open(cfg.input, cfg.limits.messageOptions())
}

func countNoun(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
