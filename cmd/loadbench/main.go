// Command loadbench drives a running kolgraph service at a fixed request
// rate with a realistic mix of GraphQL operations, and prints throughput,
// latency percentiles, errors and the server's memory before and after.
//
// By default it builds kolgraph, starts it on a free loopback port with a
// fresh embedded store (seeded with the sample region), and stops it at the
// end:
//
//	go run ./cmd/loadbench -rate 2000 -duration 60s -mix reads
//	go run ./cmd/loadbench -rate 200 -duration 30s -mix writes
//
// The writes mix is entity reads and heavy rankings (territory BETWEENNESS,
// REACH and EIGENVECTOR, hospital INFLUENCE) with one write a second (an
// upsertInfluence between two HCPs of one hospital) sent beside the rate:
// what analytics do after a write. Latency is reported per class of
// operation (entity reads, rankings, writes), so a slow ranking cannot hide
// in, nor inflate, the entity reads' p99.
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
	"maps"
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
	writes   float64 // writes per second beside the rate (mix writes)
}

func run(ctx context.Context, args []string, out io.Writer) error {
	var o options
	fs := flag.NewFlagSet("loadbench", flag.ContinueOnError)
	fs.StringVar(&o.target, "target", "", "base URL of a running service on loopback (default: build and start one)")
	fs.IntVar(&o.rate, "rate", 2000, "requests per second")
	fs.DurationVar(&o.duration, "duration", 60*time.Second, "measured duration")
	fs.DurationVar(&o.warmup, "warmup", 5*time.Second, "unmeasured warm-up at the same rate")
	fs.StringVar(&o.mix, "mix", "reads", "operation mix: reads (entity reads), mixed (reads, connections, rankings, account matrices, paths) or writes (reads, heavy rankings and -writes upserts a second)")
	fs.Float64Var(&o.writes, "writes", 1, "writes per second beside the rate, in the writes mix")
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
	ops, write, err := newMix(ctx, o.target, o.mix)
	if err != nil {
		return err
	}
	if o.mix != "writes" {
		write = nil
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: o.workers, MaxConnsPerHost: o.workers}, Timeout: 10 * time.Second}

	fmt.Fprintf(out, "loadbench: %s, %d req/s, mix %q, warm-up %s, measured %s\n", o.target, o.rate, o.mix, o.warmup, o.duration)
	if write != nil {
		fmt.Fprintf(out, "plus %.1f writes/s\n", o.writes)
	}
	if o.warmup > 0 {
		drive(ctx, client, o, ops, write, o.warmup)
	}
	settle(ctx)
	before, _ := memory(ctx, client, o.target)
	res := drive(ctx, client, o, ops, write, o.duration)
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
	// Likewise the per-credential bound on heavy analytics in flight (an
	// environment variable, which a build without the setting ignores).
	cmd.Env = append(os.Environ(), "KOLGRAPH_HEAVY_PER_CREDENTIAL=0")
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
	class  string // reported apart: "entity read", "ranking", "write", "other"
	weight int
	body   func(r *rand.Rand) []byte
}

// Classes of operations, reported apart.
const (
	classRead    = "entity read"
	classRanking = "ranking"
	classWrite   = "write"
	classOther   = "other"
)

func gql(query string, vars map[string]any) []byte {
	b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return b
}

// newMix reads ids from the service itself, so the mix works on any data.
// write, for the writes mix, is the write sent -writes times a second.
func newMix(ctx context.Context, base, mix string) (ops []op, write *op, err error) {
	var ids struct {
		Data struct {
			Hcps struct {
				Edges []struct {
					Node struct {
						ID       string
						Hospital struct{ ID string }
					}
				}
			}
			Hospitals struct {
				Edges []struct{ Node struct{ ID string } }
			}
			Territories []struct{ ID string }
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/query", bytes.NewReader(gql(
		`{ hcps(first: 500) { edges { node { id hospital { id } } } } hospitals(first: 500) { edges { node { id } } }
		   territories { id } }`, nil)))
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&ids); err != nil {
		return nil, nil, err
	}
	var hcps, hospitals, territories []string
	byHospital := map[string][]string{}
	for _, e := range ids.Data.Hcps.Edges {
		hcps = append(hcps, e.Node.ID)
		byHospital[e.Node.Hospital.ID] = append(byHospital[e.Node.Hospital.ID], e.Node.ID)
	}
	for _, e := range ids.Data.Hospitals.Edges {
		hospitals = append(hospitals, e.Node.ID)
	}
	for _, t := range ids.Data.Territories {
		territories = append(territories, t.ID)
	}
	if len(hcps) == 0 || len(hospitals) == 0 {
		return nil, nil, errors.New("the service has no HCPs or hospitals to read")
	}
	pick := func(r *rand.Rand, xs []string) string { return xs[r.IntN(len(xs))] }
	hcp := func(r *rand.Rand) []byte {
		return gql(`query HCP($id: ID!) { hcp(id: $id) { id name position title department { name } hospital { name city }
			influences(first: 10) { weight kind to { id name } } } }`, map[string]any{"id": pick(r, hcps)})
	}
	hospital := func(r *rand.Rand) []byte {
		return gql(`query Hospital($id: ID!) { hospital(id: $id) { id name tier city departments { id name specialty }
			committees { name kind } } }`, map[string]any{"id": pick(r, hospitals)})
	}
	node := func(r *rand.Rand) []byte {
		return gql(`query Node($id: ID!) { node(id: $id) { id __typename } }`, map[string]any{"id": pick(r, hcps)})
	}
	reads := []op{{"hcp", classRead, 6, hcp}, {"hospital", classRead, 3, hospital}, {"node", classRead, 1, node}}
	switch mix {
	case "reads":
		return reads, nil, nil
	case "mixed":
		return append(reads,
			op{"hcps", classOther, 2, func(r *rand.Rand) []byte {
				return gql(`query HCPs($h: ID) { hcps(filter: {hospital: $h, role: "physician"}, first: 20) { totalCount
					edges { cursor node { id name title } } } }`, map[string]any{"h": pick(r, hospitals)})
			}},
			op{"ranking", classRanking, 2, func(r *rand.Rand) []byte {
				return gql(`query Ranking($h: ID) { influenceRanking(scope: {hospital: $h}, first: 10) { graphVersion
					edges { node { rank value hcp { name position } } } } }`, map[string]any{"h": pick(r, hospitals)})
			}},
			op{"influence", classOther, 1, func(r *rand.Rand) []byte {
				return gql(`query Influence($id: ID!) { hcp(id: $id) { influence { value rank components { name contribution } } } }`,
					map[string]any{"id": pick(r, hcps)})
			}},
			op{"matrix", classOther, 1, func(r *rand.Rand) []byte {
				return gql(`query Matrix($h: ID) { accountMatrix(scope: {hospital: $h}, product: "RX01") {
					cells { segment count members(first: 5) { edges { node { id } } } } pareto { topShare } } }`,
					map[string]any{"h": pick(r, hospitals)})
			}},
			op{"paths", classOther, 1, func(r *rand.Rand) []byte {
				return gql(`query Paths($from: ID!, $to: ID!) { strongestPaths(from: [$from], to: $to, k: 3, maxHops: 6) {
					id strength hops { from { id } to { id } weight } } }`,
					map[string]any{"from": hcps[0], "to": pick(r, hcps[1:])})
			}},
		), nil, nil
	case "writes":
		if len(territories) == 0 {
			return nil, nil, errors.New("the writes mix needs territories to rank")
		}
		var pairs []string // hospitals with two HCPs or more: a write stays in one
		for h, ps := range byHospital {
			if len(ps) >= 2 {
				pairs = append(pairs, h)
			}
		}
		slices.Sort(pairs)
		if len(pairs) == 0 {
			return nil, nil, errors.New("the writes mix needs a hospital with two HCPs")
		}
		// 4 requests in 104 are heavy rankings: about 8 a second at 200 req/s.
		ops := []op{{"hcp", classRead, 60, hcp}, {"hospital", classRead, 30, hospital}, {"node", classRead, 10, node}}
		for _, m := range []string{"BETWEENNESS", "REACH", "EIGENVECTOR"} {
			ops = append(ops, op{"territory " + m, classRanking, 1, func(r *rand.Rand) []byte {
				return gql(`query Ranking($t: ID, $m: InfluenceMetric) { influenceRanking(scope: {territory: $t}, metric: $m, first: 10) {
					graphVersion edges { node { rank value hcp { id } } } } }`, map[string]any{"t": pick(r, territories), "m": m})
			}})
		}
		ops = append(ops, op{"hospital INFLUENCE", classRanking, 1, func(r *rand.Rand) []byte {
			return gql(`query Ranking($h: ID) { influenceRanking(scope: {hospital: $h}, first: 10) { graphVersion
				edges { node { rank value hcp { name position } } } } }`, map[string]any{"h": pick(r, hospitals)})
		}})
		write = &op{"upsertInfluence", classWrite, 0, func(r *rand.Rand) []byte {
			ps := byHospital[pick(r, pairs)]
			i := r.IntN(len(ps))
			j := (i + 1 + r.IntN(len(ps)-1)) % len(ps)
			return gql(`mutation W($in: InfluenceInput!) { upsertInfluence(input: $in) { changed graphVersion } }`,
				map[string]any{"in": map[string]any{"from": ps[i], "to": ps[j], "weight": 0.05 + 0.9*r.Float64(),
					"kind": "co_author", "evidence": "loadbench"}})
		}}
		return ops, write, nil
	}
	return nil, nil, fmt.Errorf("unknown mix %q (reads, mixed, writes)", mix)
}

type result struct {
	latencies []time.Duration
	classes   []string
	errors    atomic.Int64
	stale     atomic.Int64 // rankings answered from the previous graph version
	byOp      map[string]*atomic.Int64
	sent      int
	took      time.Duration

	mu     sync.Mutex
	writes []time.Duration // latencies of the writes beside the rate
}

// drive sends rate requests per second for d, open loop: request i is due at
// start + i/rate, and its latency counts from then. write, when set, is also
// sent o.writes times a second, on its own schedule.
func drive(ctx context.Context, client *http.Client, o options, ops []op, write *op, d time.Duration) *result {
	total := int(d.Seconds() * float64(o.rate))
	res := &result{latencies: make([]time.Duration, total), classes: make([]string, total), byOp: map[string]*atomic.Int64{}}
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
				stale, err := send(ctx, client, o.target, j.b)
				res.latencies[j.i] = time.Since(j.due)
				res.classes[j.i] = j.op.class
				if stale {
					res.stale.Add(1)
				}
				if err != nil {
					res.errors.Add(1)
					res.byOp[j.op.name].Add(1)
				}
			}
		})
	}
	start := time.Now()
	writeCtx, stopWrites := context.WithCancel(ctx)
	if write != nil && o.writes > 0 {
		res.byOp[write.name] = new(atomic.Int64)
		wr := rand.New(rand.NewPCG(o.seed, 1))
		every := time.Duration(float64(time.Second) / o.writes)
		wg.Go(func() {
			for k := 0; ; k++ {
				due := start.Add(time.Duration(k) * every)
				select {
				case <-writeCtx.Done():
					return
				case <-time.After(time.Until(due)):
				}
				_, err := send(ctx, client, o.target, write.body(wr))
				took := time.Since(due)
				res.mu.Lock()
				res.writes = append(res.writes, took)
				res.mu.Unlock()
				if err != nil {
					res.errors.Add(1)
					res.byOp[write.name].Add(1)
				}
			}
		})
	}
	r := rand.New(rand.NewPCG(o.seed, 0))
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
	stopWrites()
	wg.Wait()
	res.sent = i
	res.latencies = res.latencies[:i]
	res.classes = res.classes[:i]
	res.took = time.Since(start)
	return res
}

// send posts one operation; stale reports an answer whose
// extensions.analytics says it came from an older graph version.
func send(ctx context.Context, client *http.Client, base string, body []byte) (stale bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/query", bytes.NewReader(body))
	if err != nil {
		return false, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return false, err
	}
	if resp.StatusCode != http.StatusOK || bytes.Contains(b, []byte(`"errors"`)) {
		return false, fmt.Errorf("status %d: %.200s", resp.StatusCode, b)
	}
	return bytes.Contains(b, []byte(`"stale":true`)), nil
}

func percentiles(lat []time.Duration) string {
	lat = slices.Clone(lat)
	slices.Sort(lat)
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(p*float64(len(lat))))]
	}
	return fmt.Sprintf("p50 %s  p95 %s  p99 %s  max %s", pct(.50).Round(time.Microsecond),
		pct(.95).Round(time.Microsecond), pct(.99).Round(time.Microsecond), pct(1).Round(time.Microsecond))
}

func (r *result) print(out io.Writer, o options) {
	fmt.Fprintf(out, "sent %d requests in %s: %.0f req/s (target %d)\n", r.sent, r.took.Round(time.Millisecond),
		float64(r.sent)/r.took.Seconds(), o.rate)
	fmt.Fprintf(out, "latency %s\n", percentiles(r.latencies))
	byClass := map[string][]time.Duration{}
	for i, c := range r.classes {
		byClass[c] = append(byClass[c], r.latencies[i])
	}
	if len(r.writes) > 0 {
		byClass[classWrite] = r.writes
	}
	if len(byClass) > 1 {
		for _, c := range []string{classRead, classRanking, classWrite, classOther} {
			if lat := byClass[c]; len(lat) > 0 {
				fmt.Fprintf(out, "  %-12s %6d  %s\n", c, len(lat), percentiles(lat))
			}
		}
	}
	if n := r.stale.Load(); n > 0 {
		fmt.Fprintf(out, "answers from an older graph version (extensions.analytics.stale): %d\n", n)
	}
	fmt.Fprintf(out, "errors %d", r.errors.Load())
	names := slices.Sorted(maps.Keys(r.byOp))
	for _, name := range names {
		if n := r.byOp[name].Load(); n > 0 {
			fmt.Fprintf(out, " (%s: %d)", name, n)
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
