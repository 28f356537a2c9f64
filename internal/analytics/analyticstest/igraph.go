package analyticstest

import (
	"bytes"
	_ "embed"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/kolgraph/kolgraph/internal/analytics"
)

// igraphScript times igraph's PageRank; see its doc string.
//
//go:embed testdata/igraph_pagerank.py
var igraphScript []byte

// Python is the interpreter the igraph comparison runs: Debian's
// python3-igraph installs for /usr/bin/python3, which need not be the
// python3 on PATH.
const Python = "/usr/bin/python3"

// Igraph is what one igraph PageRank run gave.
type Igraph struct {
	Scores  []float64       // by node index of the graph
	Calls   []time.Duration // each Graph.pagerank call, timed alone
	Version string
}

// Min is the fastest call.
func (r Igraph) Min() time.Duration {
	m := r.Calls[0]
	for _, c := range r.Calls[1:] {
		m = min(m, c)
	}
	return m
}

// IgraphPageRank computes the PageRank of g's reversed edges (influence flows
// to the one who sways, as analytics.PageRank defines it) with igraph's
// PRPACK implementation, calling it repeats times on one igraph Graph built
// from exactly g's edges and weights. It skips tb when Python has no igraph
// (apt-get install python3-igraph) and fails it on any other error.
func IgraphPageRank(tb testing.TB, g *analytics.Graph, damping float64, repeats int) Igraph {
	tb.Helper()
	if _, err := os.Stat(Python); err != nil {
		tb.Skipf("no %s: the igraph comparison needs python3-igraph", Python)
	}
	dir := tb.TempDir()
	script := filepath.Join(dir, "igraph_pagerank.py")
	edges := filepath.Join(dir, "edges.bin")
	out := filepath.Join(dir, "scores.bin")
	if err := os.WriteFile(script, igraphScript, 0o600); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(edges, reversedEdges(g), 0o600); err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(Python, script, edges, out, strconv.FormatFloat(damping, 'g', -1, 64), strconv.Itoa(repeats))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ee := (*exec.ExitError)(nil); errors.As(err, &ee) && ee.ExitCode() == 3 {
		tb.Skipf("%s has no igraph module (apt-get install python3-igraph)", Python)
	}
	if err != nil {
		tb.Fatalf("igraph: %v\n%s", err, stderr.Bytes())
	}
	var res struct {
		Seconds []float64 `json:"seconds"`
		Version string    `json:"version"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		tb.Fatalf("igraph output %q: %v", stdout.Bytes(), err)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		tb.Fatal(err)
	}
	if len(raw) != 8*g.Nodes() {
		tb.Fatalf("igraph wrote %d bytes for %d nodes", len(raw), g.Nodes())
	}
	r := Igraph{Scores: make([]float64, g.Nodes()), Version: res.Version}
	for i := range r.Scores {
		r.Scores[i] = math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:]))
	}
	for _, s := range res.Seconds {
		r.Calls = append(r.Calls, time.Duration(s*float64(time.Second)))
	}
	if len(r.Calls) == 0 {
		tb.Fatal("igraph timed no call")
	}
	return r
}

// reversedEdges encodes g's edges reversed in the script's input format:
// int64 n, int64 m, m int32 sources, m int32 targets, m float64 weights.
func reversedEdges(g *analytics.Graph) []byte {
	n, m := g.Nodes(), g.Edges()
	buf := make([]byte, 16+16*m)
	binary.LittleEndian.PutUint64(buf, uint64(n))
	binary.LittleEndian.PutUint64(buf[8:], uint64(m))
	src, dst, w := buf[16:16+4*m], buf[16+4*m:16+8*m], buf[16+8*m:]
	e := 0
	for u := range int32(n) {
		to, ws := g.OutNeighbors(u)
		for i, v := range to {
			binary.LittleEndian.PutUint32(src[4*e:], uint32(v)) // reversed: v -> u
			binary.LittleEndian.PutUint32(dst[4*e:], uint32(u))
			binary.LittleEndian.PutUint64(w[8*e:], math.Float64bits(ws[i]))
			e++
		}
	}
	return buf
}
