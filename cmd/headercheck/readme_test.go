package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// markedCommand returns the first line of the fenced block after marker in
// README.md, the way .ci/run finds it.
func markedCommand(t *testing.T, readme, marker string) string {
	t.Helper()
	_, after, ok := strings.Cut(readme, "\n"+marker+"\n")
	if !ok {
		t.Fatalf("README.md has no %s line", marker)
	}
	lines := strings.Split(after, "\n")
	if len(lines) < 2 || !strings.HasPrefix(lines[0], "```") {
		t.Fatalf("README.md: no fenced block right after %s", marker)
	}
	return lines[1]
}

func readme(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestReadmeInstall(t *testing.T) {
	if !strings.Contains(readme(t), "\ngo install github.com/headercheck/headercheck/cmd/headercheck@latest\n") {
		t.Error("README.md lacks the go install line")
	}
}

// TestReadmeTestCommand: the README gives the test command CI runs, and
// .ci/run reads that very line.
func TestReadmeTestCommand(t *testing.T) {
	cmd := markedCommand(t, readme(t), "<!-- test-command -->")
	if cmd != "go test -race ./..." {
		t.Errorf("README test command = %q, want go test -race ./...", cmd)
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash to run .ci/run with")
	}
	out, err := exec.Command(bash, "../../.ci/run", "--print-test-command").Output()
	if err != nil {
		t.Fatalf(".ci/run --print-test-command: %v", err)
	}
	if got := strings.TrimSpace(string(out)); got != cmd {
		t.Errorf(".ci/run would run %q, README.md says %q", got, cmd)
	}
}

// TestReadmeExample runs the README's example command the way a new user
// would after cloning, and checks it works offline.
func TestReadmeExample(t *testing.T) {
	cmd := markedCommand(t, readme(t), "<!-- example-command -->")
	args, ok := strings.CutPrefix(cmd, "go run ./cmd/headercheck ")
	if !ok {
		t.Fatalf("README example %q does not run ./cmd/headercheck", cmd)
	}
	var fields []string
	for _, a := range strings.Fields(args) {
		if _, err := os.Stat(filepath.Join("../..", a)); err == nil {
			a = filepath.Join("../..", a) // the README runs from the repository root
		}
		fields = append(fields, a)
	}
	// The example is lesson 2 of the gallery, an exact-domain spoof that a
	// receiver rejects (exit 4), replayed from the lesson's own snapshot:
	// pipeEnv's DNS must not be asked, so a fresh clone sees the same.
	r := runWith(t, pipeEnv, "", fields...)
	if r.code != exitReject || r.stderr != "" || !strings.Contains(r.stdout, "From:") || !strings.Contains(r.stdout, "Verdict: REJECT") {
		t.Errorf("README example: exit %d, stderr %q, stdout:\n%s", r.code, r.stderr, r.stdout)
	}
}

func TestReadmeUsage(t *testing.T) {
	text := readme(t)
	for _, want := range []string{"headercheck suspicious.eml", ".mbox", "headercheck - < suspicious.eml", "<pipe-message>headercheck", ":pipe -m headercheck", "## Benchmarks"} {
		if !strings.Contains(text, want) {
			t.Errorf("README.md lacks %q", want)
		}
	}
	// The benchmark commands name benchmarks that exist.
	bench, err := os.ReadFile("../../inspect/message/bench_test.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"func BenchmarkLoad50KiB(", "func BenchmarkIndexMbox(", `"1GiB"`, "HEADERCHECK_BENCH_1GIB"} {
		if !strings.Contains(string(bench), name) {
			t.Errorf("README.md runs a benchmark that inspect/message lacks: %s", name)
		}
	}
}

// TestReadmeBenchmarks: every `go test -bench PATTERN ./pkg` line of the
// README names benchmarks that exist in that package, so a documented
// benchmark command never silently runs nothing.
func TestReadmeBenchmarks(t *testing.T) {
	line := regexp.MustCompile(`go test [^\n]*-bench '?([^' ]+)'?[^\n]*? (\./inspect/[a-z/.]+)`)
	found := line.FindAllStringSubmatch(readme(t), -1)
	if len(found) < 5 {
		t.Fatalf("README.md gives %d benchmark commands, want the documented ones (at least 5)", len(found))
	}
	bench := regexp.MustCompile(`(?m)^func (Benchmark\w+)\(`)
	for _, f := range found {
		pattern, pkg := f[1], strings.TrimSuffix(f[2], "/...")
		top, _, _ := strings.Cut(pattern, "/") // a sub-benchmark pattern names its parent first
		re, err := regexp.Compile(top)
		if err != nil {
			t.Errorf("README: -bench %q: %v", pattern, err)
			continue
		}
		files, _ := filepath.Glob(filepath.Join("../..", pkg, "*_test.go"))
		if strings.HasSuffix(f[2], "/...") {
			more, _ := filepath.Glob(filepath.Join("../..", pkg, "*", "*_test.go"))
			files = append(files, more...)
		}
		matched := false
		for _, file := range files {
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range bench.FindAllStringSubmatch(string(b), -1) {
				matched = matched || re.MatchString(m[1])
			}
		}
		if !matched {
			t.Errorf("README: go test -bench %q %s runs no benchmark", pattern, f[2])
		}
	}
}
