package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kolgraph/kolgraph/internal/account"
	"github.com/kolgraph/kolgraph/internal/analyses"
	"github.com/kolgraph/kolgraph/internal/config"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/labels"
	"github.com/kolgraph/kolgraph/internal/snapshot"
	"github.com/kolgraph/kolgraph/internal/tiering"
	"github.com/kolgraph/kolgraph/internal/viewer"
)

// runReport implements `kolgraph report`: the tiering report of a territory,
// hospital or department for a product, from the configured store (the same
// flags and KOLGRAPH_* variables as serve; an empty embedded store is seeded
// like serve does), written to a file or stdout.
//
// It builds one analytics snapshot and computes only the influence scores of
// the asked scope: no background refresh, no warming of every hospital.
func runReport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("kolgraph report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	territory := fs.String("territory", "", "territory id, e.g. T01 (one of -territory, -hospital, -department; none: every hospital)")
	hospital := fs.String("hospital", "", "hospital id, e.g. H001")
	department := fs.String("department", "", "department id, e.g. D001-01")
	product := fs.String("product", "", "product id, e.g. RX01 (none: each department's own potential)")
	format := fs.String("format", "", "csv, xlsx, html or md (default: from the -o file's extension, else csv)")
	lang := fs.String("lang", "zh-CN", "language of the labels: zh-CN or en")
	level := fs.String("level", "hcp", "rows: hcp, department or hospital")
	out := fs.String("o", "-", "output file; - is stdout")
	user := fs.String("user", "", "user id (e.g. U004): an HCP report then cites, for each A-segment HCP, the strongest influence paths from that user's contacts")
	server := fs.String("server", "", "base URL of a running kolgraph (e.g. http://127.0.0.1:8080): ask it for the report instead of opening the store, so that it works while serve holds the data directory")
	token := fs.String("token", "", "bearer token (or API key) for -server; default $KOLGRAPH_TOKEN. Its subject is the user whose paths the report cites")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: kolgraph report -territory T01 -product RX01 [-format csv|xlsx|html|md] [-lang zh-CN|en] [-o FILE] [flags]\n\n"+
			"Writes the tiering report: every HCP (or department, hospital) of the scope with its potential,\n"+
			"influence, A/B/C/D segment, visit cadence and playbook. Store flags are serve's.\n\n")
		fs.PrintDefaults()
	}
	cfg, err := config.LoadFlags(fs, args, getenv)
	if err != nil {
		return err
	}
	f, err := reportFormat(*format, *out)
	if err != nil {
		return err
	}
	lvl, err := tiering.ParseLevel(*level)
	if err != nil {
		return err
	}
	lg, ok := labels.Parse(*lang, labels.ZH)
	if !ok {
		return fmt.Errorf("-lang must be zh-CN or en (got %q)", *lang)
	}
	req := tiering.Request{
		Scope:     snapshot.Scope{Territory: *territory, Hospital: *hospital, Department: *department},
		ProductID: *product,
		Lang:      lg,
	}
	if *server != "" {
		if *user != "" {
			return errors.New("-user does not go with -server: the token's subject is the user")
		}
		if *token == "" {
			*token = getenv("KOLGRAPH_TOKEN")
		}
		return remoteReport(ctx, *server, *token, req, lvl, f, *out, stdout, stderr)
	}

	started := time.Now()
	m := NewMain(stderr)
	m.Config, m.Log = cfg, newLogger(cfg, stderr)
	defer m.Close()
	svc, err := m.openOnce(ctx)
	if err != nil {
		return err
	}
	if snap, err := m.Snapshots.Get(); err != nil {
		return err
	} else if _, ok := snap.Users[*user]; *user != "" && !ok {
		return fmt.Errorf("report: %w", kolgraph.Errorf(kolgraph.ENOTFOUND, "no user %q", *user))
	}
	rep, err := svc.Report(viewer.WithUser(ctx, *user), req, lvl)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf, rep); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if *out == "-" {
		_, err = stdout.Write(buf.Bytes())
		return err
	}
	// HCP names are personal data: the file is the user's alone.
	if err := os.WriteFile(*out, buf.Bytes(), 0o600); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	counts := map[account.Segment]int{}
	unclassified := 0
	for _, r := range rep.Rows {
		if r.Segment == "" {
			unclassified++
		}
		counts[r.Segment]++
	}
	fmt.Fprintf(stderr, "wrote %s: %s, %d rows (A %d, B %d, C %d, D %d, unclassified %d), graph %s, in %v\n",
		*out, rep.Title, len(rep.Rows), counts[account.SegmentA], counts[account.SegmentB], counts[account.SegmentC],
		counts[account.SegmentD], unclassified, rep.GraphVersion, time.Since(started).Round(time.Millisecond))
	return nil
}

// remoteReport asks a running service for the report
// (GET /reports/tiering) and writes what it answers; an error answer
// becomes an error naming its code and message.
func remoteReport(ctx context.Context, base, token string, req tiering.Request, l account.Level, f tiering.Format,
	out string, stdout, stderr io.Writer) error {
	u, err := url.Parse(strings.TrimSuffix(base, "/") + "/reports/tiering")
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("-server must be an http(s) URL (got %q)", base)
	}
	q := url.Values{"format": {string(f)}, "level": {string(l)}, "lang": {string(req.Lang)}}
	for k, v := range map[string]string{"territory": req.Scope.Territory, "hospital": req.Scope.Hospital,
		"department": req.Scope.Department, "product": req.ProductID} {
		if v != "" {
			q.Set(k, v)
		}
	}
	u.RawQuery = q.Encode()
	hr, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return err
	}
	if token != "" {
		hr.Header.Set("Authorization", "Bearer "+token)
	}
	started := time.Now()
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("report: reading the answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Errors []struct {
				Message    string
				Extensions struct{ Code string }
			}
		}
		if json.Unmarshal(body, &e) == nil && len(e.Errors) > 0 {
			return fmt.Errorf("report: %s: %s (HTTP %d)", e.Errors[0].Extensions.Code, e.Errors[0].Message, resp.StatusCode)
		}
		return fmt.Errorf("report: HTTP %d from %s", resp.StatusCode, u.Redacted())
	}
	if out == "-" {
		_, err = stdout.Write(body)
		return err
	}
	// HCP names are personal data: the file is the user's alone.
	if err := os.WriteFile(out, body, 0o600); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	fmt.Fprintf(stderr, "wrote %s: %d bytes from %s, graph %s, in %v\n", out, len(body), u.Host,
		resp.Header.Get("X-Graph-Version"), time.Since(started).Round(time.Millisecond))
	return nil
}

// reportFormat is the -format flag, or the output file's extension.
func reportFormat(flagValue, out string) (tiering.Format, error) {
	if flagValue != "" {
		return tiering.ParseFormat(flagValue)
	}
	if ext := strings.TrimPrefix(filepath.Ext(out), "."); out != "-" && ext != "" {
		if f, err := tiering.ParseFormat(ext); err == nil {
			return f, nil
		}
	}
	return tiering.CSV, nil
}

// openOnce opens the store (seeding it when empty, as serve does) and builds
// one snapshot and the services a one-shot command needs.
func (m *Main) openOnce(ctx context.Context) (*tiering.Service, error) {
	st, err := m.openStore(ctx)
	if err != nil {
		return nil, err
	}
	m.Store = st
	if err := m.seedIfEmpty(ctx, false); err != nil { // one-shot: no history recorder to date the versions
		return nil, err
	}
	m.Snapshots = snapshot.NewManager(m.Store, m.Log)
	if err := m.Snapshots.Refresh(ctx); err != nil {
		return nil, fmt.Errorf("build the analytics snapshot: %w", err)
	}
	if err := m.openSettings(ctx, true); err != nil {
		return nil, err
	}
	if m.Analytics, err = analyses.New(m.Snapshots, m.Store, m.configFor(m.Settings.Current())); err != nil {
		return nil, err
	}
	return m.Analytics.Tiering, nil
}
