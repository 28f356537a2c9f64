// Command loadbench drives a running kolgraph service at a fixed request
// rate with a realistic mix of GraphQL operations, and prints throughput,
// latency percentiles, errors and the server's memory before and after.
//
// By default it builds kolgraph, starts it on a free loopback port with a
// fresh embedded store (seeded with the sample region), and stops it at the
// end:
//
//	go run ./cmd/loadbench -rate 2000 -duration 60s -mix reads
//
// Latency is measured from each request's scheduled send time (open loop), so
// a server that falls behind cannot hide its queueing (no coordinated
// omission). Only loopback addresses are allowed as targets.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "loadbench:", err)
		os.Exit(1)
	}
}

type options struct {
	target   string
	rate     int
	duration time.Duration
	warmup   time.Duration
	mix      string
	workers  int
	seed     uint64
}

func run(ctx context.Context, args []string, out io.Writer) error {
	var o options
	fs := flag.NewFlagSet("loadbench", flag.ContinueOnError)
	fs.StringVar(&o.target, "target", "", "base URL of a running service on loopback (default: build and start one)")
	fs.IntVar(&o.rate, "rate", 2000, "requests per second")
	fs.DurationVar(&o.duration, "duration", 60*time.Second, "measured duration")
	fs.DurationVar(&o.warmup, "warmup", 5*time.Second, "unmeasured warm-up at the same rate")
	fs.StringVar(&o.mix, "mix", "reads", "operation mix: reads (entity reads) or mixed (reads, connections, rankings, account matrices, paths)")
	fs.IntVar(&o.workers, "workers", 256, "concurrent client connections")
	fs.Uint64Var(&o.seed, "seed", 1, "random seed of the request sequence")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.rate <= 0 || o.duration <= 0 || o.workers <= 0 {
		return errors.New("rate, duration and workers must be positive")
	}
	if o.target == "" {
		base, stopServer, err := startServer(ctx)
		if err != nil {
			return err
		}
		defer stopServer()
		o.target = base
	}
	if err := loopbackOnly(o.target); err != nil {
		return err
	}
	ops, err := newMix(ctx, o.target, o.mix)
	if err != nil {
		return err
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: o.workers, MaxConnsPerHost: o.workers}, Timeout: 10 * time.Second}

	fmt.Fprintf(out, "loadbench: %s, %d req/s, mix %q, warm-up %s, measured %s\n", o.target, o.rate, o.mix, o.warmup, o.duration)
	if o.warmup > 0 {
		drive(ctx, client, o, ops, o.warmup)
	}
	settle(ctx)
	before, _ := memory(ctx, client, o.target)
	res := drive(ctx, client, o, ops, o.duration)
	settle(ctx)
	after, _ := memory(ctx, client, o.target)
	res.print(out, o)
	fmt.Fprintf(out, "server memory (heap in use / resident): before %s / %s, after %s / %s\n",
		mib(before.heap), mib(before.rss), mib(after.heap), mib(after.rss))
	return nil
}

func loopbackOnly(target string) error {
	u, err := url.Parse(target)
	if err != nil {
		return err
	}
	ips, err := net.LookupIP(u.Hostname())
	if err != nil {
		return err
	}
	for _, ip := range ips {
		if !ip.IsLoopback() {
			return fmt.Errorf("target %s is not a loopback address: loadbench only loads this machine", target)
		}
	}
	return nil
}

// startServer builds kolgraph and starts it on a free port with a fresh
// embedded store.
func startServer(ctx context.Context) (string, func(), error) {
	dir, err := os.MkdirTemp("", "kolgraph-loadbench-")
	if err != nil {
		return "", nil, err
	}
	bin := filepath.Join(dir, "kolgraph")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/kolgraph")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		return "", nil, fmt.Errorf("build kolgraph (run loadbench from the repository root): %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	// Dev mode (loopback only) lets the load in without tokens, and one
	// client stands for many users, so the per-credential rate limit is off;
	// BenchmarkAuthorization in cmd/kolgraph measures what tokens add.
	cmd := exec.Command(bin, "serve", "-addr", addr, "-data-dir", filepath.Join(dir, "data"), "-log-level", "warn",
		"-dev-mode", "-rate-limit", "0")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop := func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
		os.RemoveAll(dir)
	}
	base := "http://" + addr
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base, stop, nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	stop()
	return "", nil, errors.New("the service did not become ready within 60s")
}

// op is one kind of request in the mix.
type op struct {
	name   string
	weight int
	body   func(r *rand.Rand) []byte
}

func gql(query string, vars map[string]any) []byte {
	b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return b
}

// newMix reads ids from the service itself, so the mix works on any data.
func newMix(ctx context.Context, base, mix string) ([]op, error) {
	var ids struct {
		Data struct {
			Hcps struct {
				Edges []struct{ Node struct{ ID string } }
			}
			Hospitals struct {
				Edges []struct{ Node struct{ ID string } }
			}
		}
	}
	resp, err := http.Post(base+"/query", "application/json", bytes.NewReader(gql(
		`{ hcps(first: 500) { edges { node { id } } } hospitals(first: 500) { edges { node { id } } } }`, nil)))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&ids); err != nil {
		return nil, err
	}
	var hcps, hospitals []string
	for _, e := range ids.Data.Hcps.Edges {
		hcps = append(hcps, e.Node.ID)
	}
	for _, e := range ids.Data.Hospitals.Edges {
		hospitals = append(hospitals, e.Node.ID)
	}
	if len(hcps) == 0 || len(hospitals) == 0 {
		return nil, errors.New("the service has no HCPs or hospitals to read")
	}
	pick := func(r *rand.Rand, xs []string) string { return xs[r.IntN(len(xs))] }
	reads := []op{
		{"hcp", 6, func(r *rand.Rand) []byte {
			return gql(`query HCP($id: ID!) { hcp(id: $id) { id name position title department { name } hospital { name city }
				influences(first: 10) { weight kind to { id name } } } }`, map[string]any{"id": pick(r, hcps)})
		}},
		{"hospital", 3, func(r *rand.Rand) []byte {
			return gql(`query Hospital($id: ID!) { hospital(id: $id) { id name tier city departments { id name specialty }
				committees { name kind } } }`, map[string]any{"id": pick(r, hospitals)})
		}},
		{"node", 1, func(r *rand.Rand) []byte {
			return gql(`query Node($id: ID!) { node(id: $id) { id __typename } }`, map[string]any{"id": pick(r, hcps)})
		}},
	}
	switch mix {
	case "reads":
		return reads, nil
	case "mixed":
		return append(reads,
			op{"hcps", 2, func(r *rand.Rand) []byte {
				return gql(`query HCPs($h: ID) { hcps(filter: {hospital: $h, role: "physician"}, first: 20) { totalCount
					edges { cursor node { id name title } } } }`, map[string]any{"h": pick(r, hospitals)})
			}},
			op{"ranking", 2, func(r *rand.Rand) []byte {
				return gql(`query Ranking($h: ID) { influenceRanking(scope: {hospital: $h}, first: 10) { graphVersion
					edges { node { rank value hcp { name position } } } } }`, map[string]any{"h": pick(r, hospitals)})
			}},
			op{"influence", 1, func(r *rand.Rand) []byte {
				return gql(`query Influence($id: ID!) { hcp(id: $id) { influence { value rank components { name contribution } } } }`,
					map[string]any{"id": pick(r, hcps)})
			}},
			op{"matrix", 1, func(r *rand.Rand) []byte {
				return gql(`query Matrix($h: ID) { accountMatrix(scope: {hospital: $h}, product: "RX01") {
					cells { segment count members(first: 5) { edges { node { id } } } } pareto { topShare } } }`,
					map[string]any{"h": pick(r, hospitals)})
			}},
			op{"paths", 1, func(r *rand.Rand) []byte {
				return gql(`query Paths($from: ID!, $to: ID!) { strongestPaths(from: [$from], to: $to, k: 3, maxHops: 6) {
					id strength hops { from { id } to { id } weight } } }`,
					map[string]any{"from": hcps[0], "to": pick(r, hcps[1:])})
			}},
		), nil
	}
	return nil, fmt.Errorf("unknown mix %q (reads, mixed)", mix)
}

type result struct {
	latencies []time.Duration
	errors    atomic.Int64
	byOp      map[string]*atomic.Int64
	sent      int
	took      time.Duration
}

// drive sends rate requests per second for d, open loop: request i is due at
// start + i/rate, and its latency counts from then.
func drive(ctx context.Context, client *http.Client, o options, ops []op, d time.Duration) *result {
	total := int(d.Seconds() * float64(o.rate))
	res := &result{latencies: make([]time.Duration, total), byOp: map[string]*atomic.Int64{}}
	for _, op := range ops {
		res.byOp[op.name] = new(atomic.Int64)
	}
	var weights []int
	for i, op := range ops {
		for range op.weight {
			weights = append(weights, i)
		}
	}
	type job struct {
		i   int
		due time.Time
		op  *op
		b   []byte
	}
	jobs := make(chan job, o.workers*4)
	var wg sync.WaitGroup
	for range o.workers {
		wg.Go(func() {
			for j := range jobs {
				err := send(ctx, client, o.target, j.b)
				res.latencies[j.i] = time.Since(j.due)
				if err != nil {
					res.errors.Add(1)
					res.byOp[j.op.name].Add(1)
				}
			}
		})
	}
	r := rand.New(rand.NewPCG(o.seed, 0))
	start := time.Now()
	interval := time.Second / time.Duration(o.rate)
	i := 0
	for ; i < total && ctx.Err() == nil; i++ {
		due := start.Add(time.Duration(i) * interval)
		if w := time.Until(due); w > 0 {
			time.Sleep(w)
		}
		op := &ops[weights[r.IntN(len(weights))]]
		jobs <- job{i: i, due: due, op: op, b: op.body(r)}
	}
	close(jobs)
	wg.Wait()
	res.sent = i
	res.latencies = res.latencies[:i]
	res.took = time.Since(start)
	return res
}

func send(ctx context.Context, client *http.Client, base string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/query", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || bytes.Contains(b, []byte(`"errors"`)) {
		return fmt.Errorf("status %d: %.200s", resp.StatusCode, b)
	}
	return nil
}

func (r *result) print(out io.Writer, o options) {
	lat := slices.Clone(r.latencies)
	slices.Sort(lat)
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(p*float64(len(lat))))]
	}
	fmt.Fprintf(out, "sent %d requests in %s: %.0f req/s (target %d)\n", r.sent, r.took.Round(time.Millisecond),
		float64(r.sent)/r.took.Seconds(), o.rate)
	fmt.Fprintf(out, "latency p50 %s  p95 %s  p99 %s  max %s\n", pct(.50).Round(time.Microsecond),
		pct(.95).Round(time.Microsecond), pct(.99).Round(time.Microsecond), pct(1).Round(time.Microsecond))
	fmt.Fprintf(out, "errors %d", r.errors.Load())
	for name, n := range r.byOp {
		if n.Load() > 0 {
			fmt.Fprintf(out, " (%s: %d)", name, n.Load())
		}
	}
	fmt.Fprintln(out)
}

type mem struct{ heap, rss float64 }

// memory reads the server's heap in use and resident set from /metrics.
func memory(ctx context.Context, client *http.Client, base string) (mem, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/metrics", nil)
	resp, err := client.Do(req)
	if err != nil {
		return mem{}, err
	}
	defer resp.Body.Close()
	var m mem
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 2 {
			continue
		}
		v, _ := strconv.ParseFloat(f[1], 64)
		switch f[0] {
		case "go_memstats_heap_inuse_bytes":
			m.heap = v
		case "process_resident_memory_bytes":
			m.rss = v
		}
	}
	return m, sc.Err()
}

// settle gives the server a moment to settle so memory readings compare.
func settle(ctx context.Context) {
	select {
	case <-ctx.Done():
	case <-time.After(2 * time.Second):
	}
}

func mib(b float64) string { return fmt.Sprintf("%.1f MiB", b/(1<<20)) }
