package access

import "sync"

// issued keeps up to max paths by id in two generations: lookups and puts go
// to the young one; when it holds max/2, it becomes the old one and the old
// one is dropped. A path found in the old generation moves to the young, so
// the recently used survive, at O(1) per operation and no per-entry links.
type issued struct {
	mu         sync.Mutex
	half       int
	young, old map[string]*Path
}

func newIssued(capacity int) *issued {
	h := max(capacity/2, 1)
	return &issued{half: h, young: make(map[string]*Path, h)}
}

func (s *issued) get(id string) *Path {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.young[id]; ok {
		return p
	}
	p, ok := s.old[id]
	if ok {
		s.putLocked(p)
	}
	return p
}

func (s *issued) put(p *Path) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.young[p.ID]; !ok {
		s.putLocked(p)
	}
}

func (s *issued) putLocked(p *Path) {
	if len(s.young) >= s.half {
		s.old, s.young = s.young, make(map[string]*Path, s.half)
	}
	s.young[p.ID] = p
}
