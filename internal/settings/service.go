package settings

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/kolgraph/kolgraph/internal/account"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// Log is the part of the store settings live in: the audit log.
type Log interface {
	AuditLog(ctx context.Context, f kolgraph.AuditFilter, p kolgraph.Page) (*kolgraph.AuditPage, error)
	AppendAudit(ctx context.Context, entries []kolgraph.AuditEntry) error
}

var _ Log = kolgraph.Store(nil)

// Version is one version of the document.
type Version struct {
	// Number counts versions from 1; 0 is the defaults (or file) of a
	// store where none was recorded (a read-only use, e.g. a report).
	Number int
	At     time.Time
	// Actor is who made it: a user id, "system" for the defaults and the
	// settings file.
	Actor string
	// Source says how: "defaults", "settings file", "mutation updateSettings".
	Source   string
	Document Document
	// JSON is Document.JSON().
	JSON string
}

// Stamp is what a result says of the settings it used.
func (v *Version) Stamp() account.SettingsStamp {
	return account.SettingsStamp{Version: v.Number, Values: v.Document.Values()}
}

// record is a version as its audit entry keeps it (After; Before is the
// previous version's).
type record struct {
	Version int    `json:"version"`
	Source  string `json:"source"`
	// FileSHA256 is the settings file's the version was based on (empty
	// without a file): when the operator edits the file, the file wins.
	FileSHA256 string          `json:"fileSha256,omitempty"`
	Document   json.RawMessage `json:"document"`
}

// Options configure Open.
type Options struct {
	// Defaults is the document of the services' defaults (From).
	Defaults Document
	// File is the settings file overlaying the defaults; "" for none.
	File string
	// ReadOnly opens without recording anything: the current version is
	// the latest stored one, or the file's as number 0.
	ReadOnly bool
}

// Service keeps the current version and records new ones.
type Service struct {
	log      Log
	base     Document // the defaults overlaid by the file
	fileHash string
	source   string // of base: "defaults" or "settings file"
	now      func() time.Time

	mu       sync.Mutex
	current  *Version
	history  map[int]*Version
	lastFile string // FileSHA256 of the current version
	cursor   string // the last settings entry read
	onChange func(*Version)
}

// actorSystem records the versions nobody asked for: defaults and file.
const actorSystem = "system"

// Open reads the settings file and the stored versions. The current
// version is the latest stored one, unless the file differs from the one
// that version was based on: then the operator's edit wins and is
// recorded as a new version (administrators' later changes build on it).
// A store with no version records the defaults (or the file) as version 1.
func Open(ctx context.Context, log Log, o Options) (*Service, error) {
	s := &Service{log: log, base: o.Defaults, source: "defaults", now: time.Now, history: map[int]*Version{}}
	if o.File != "" {
		data, err := os.ReadFile(o.File)
		if err != nil {
			return nil, fmt.Errorf("settings file: %w", err)
		}
		if s.base, err = Parse(data, o.Defaults); err != nil {
			return nil, fmt.Errorf("settings file %s: %s", o.File, kolgraph.ErrorMessage(err))
		}
		sum := sha256.Sum256(data)
		s.fileHash, s.source = hex.EncodeToString(sum[:]), "settings file"
	}
	if err := s.refresh(ctx); err != nil {
		return nil, err
	}
	fileChanged := s.fileHash != "" && s.fileHash != s.lastFile
	switch {
	case o.ReadOnly && (s.current == nil || fileChanged):
		s.current = &Version{Number: 0, Actor: actorSystem, Source: s.source, Document: s.base, JSON: s.base.JSON()}
	case o.ReadOnly:
	case s.current == nil || fileChanged:
		if _, err := s.record(ctx, actorSystem, s.source, s.base); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// OnChange sets the function told of each new current version (after
// Update, or Refresh finding another instance's). Set it before Watch.
func (s *Service) OnChange(f func(*Version)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onChange = f
}

// Current is the version in force.
func (s *Service) Current() *Version {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.current
}

// At returns version n (0: the unrecorded defaults of a read-only use).
func (s *Service) At(n int) (*Version, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.current != nil && s.current.Number == n {
		return s.current, true
	}
	v, ok := s.history[n]
	return v, ok
}

// Update makes document data (JSON; fields left out take the defaults,
// or the settings file's values) the new current version, recorded in the
// audit log as actor's. expected, when set, is the version the change was
// made against: if another one is current the update is ECONFLICT. A
// document equal to the current one records nothing and returns it.
func (s *Service) Update(ctx context.Context, actor, source string, data []byte, expected *int) (*Version, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.refreshLocked(ctx); err != nil {
		return nil, err
	}
	if expected != nil && *expected != s.current.Number {
		return nil, kolgraph.Errorf(kolgraph.ECONFLICT, "the settings are at version %d, not %d: read them again and retry", s.current.Number, *expected)
	}
	d, err := Parse(data, s.base)
	if err != nil {
		return nil, err
	}
	if d.JSON() == s.current.JSON {
		return s.current, nil
	}
	v, err := s.recordLocked(ctx, actor, source, d)
	if err != nil {
		return nil, err
	}
	s.changed(v)
	return v, nil
}

// Refresh reads versions recorded since the last look (by another
// instance) and makes the latest current.
func (s *Service) Refresh(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	before := s.current
	if err := s.refreshLocked(ctx); err != nil {
		return err
	}
	if s.current != before {
		s.changed(s.current)
	}
	return nil
}

// Watch calls Refresh every interval until ctx ends, telling fail of
// errors.
func (s *Service) Watch(ctx context.Context, every time.Duration, fail func(error)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.Refresh(ctx); err != nil && ctx.Err() == nil {
				fail(err)
			}
		}
	}
}

func (s *Service) changed(v *Version) {
	if s.onChange != nil {
		s.onChange(v)
	}
}

func (s *Service) refresh(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refreshLocked(ctx)
}

// refreshLocked reads the settings entries after s.cursor.
func (s *Service) refreshLocked(ctx context.Context) error {
	f := kolgraph.AuditFilter{Kind: kolgraph.KindSettings, EntityID: kolgraph.SettingsEntity}
	for {
		page, err := s.log.AuditLog(ctx, f, kolgraph.Page{First: kolgraph.MaxPageSize, After: s.cursor})
		if err != nil {
			return fmt.Errorf("settings: read the stored versions: %w", err)
		}
		for _, e := range page.Items {
			var r record
			if err := json.Unmarshal([]byte(e.After), &r); err != nil {
				return fmt.Errorf("settings: stored version at %s: %w", e.Cursor(), err)
			}
			d, err := decodeStored(r.Document, s.base)
			if err != nil {
				return fmt.Errorf("settings: stored version %d: %w", r.Version, err)
			}
			v := &Version{Number: r.Version, At: e.At, Actor: e.Actor, Source: r.Source, Document: d, JSON: d.JSON()}
			s.history[v.Number] = v
			s.current, s.lastFile, s.cursor = v, r.FileSHA256, e.Cursor()
		}
		if !page.HasNext {
			return nil
		}
	}
}

func (s *Service) record(ctx context.Context, actor, source string, d Document) (*Version, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.recordLocked(ctx, actor, source, d)
}

// recordLocked appends d as the version after the current one and makes
// it current.
func (s *Service) recordLocked(ctx context.Context, actor, source string, d Document) (*Version, error) {
	n, op, before := 1, kolgraph.OpCreate, ""
	if s.current != nil {
		n, op = s.current.Number+1, kolgraph.OpUpdate
		before = s.payload(s.current, s.lastFile)
	}
	v := &Version{Number: n, Actor: actor, Source: source, Document: d, JSON: d.JSON()}
	e := kolgraph.AuditEntry{Actor: actor, Source: source, Kind: kolgraph.KindSettings, EntityID: kolgraph.SettingsEntity,
		Op: op, Before: before, After: s.payload(v, s.fileHash)}
	if err := s.log.AppendAudit(ctx, []kolgraph.AuditEntry{e}); err != nil {
		return nil, fmt.Errorf("settings: record version %d: %w", n, err)
	}
	// Read it back: the store stamps the time and the cursor, and an entry
	// another instance appended meanwhile is ordered by the log.
	if err := s.refreshLocked(ctx); err != nil {
		return nil, err
	}
	if s.current.Number != n || s.current.JSON != v.JSON {
		return nil, kolgraph.Errorf(kolgraph.ECONFLICT, "another instance recorded settings version %d at the same time; read them again and retry", s.current.Number)
	}
	return s.current, nil
}

func (s *Service) payload(v *Version, fileHash string) string {
	b, err := json.Marshal(record{Version: v.Number, Source: v.Source, FileSHA256: fileHash, Document: json.RawMessage(v.JSON)})
	if err != nil {
		panic(fmt.Sprintf("settings: encode version: %v", err))
	}
	return string(b)
}
