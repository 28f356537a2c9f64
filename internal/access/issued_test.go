package access

import (
	"strconv"
	"testing"
)

// TestIssuedBounded: the store never holds more than its capacity, and a
// path used recently survives a flood of new ones that evicts older ones.
func TestIssuedBounded(t *testing.T) {
	s := newIssued(100)
	s.put(&Path{ID: "keep"})
	for i := range 1000 {
		s.put(&Path{ID: strconv.Itoa(i)})
		if s.get("keep") == nil {
			t.Fatalf("recently used path evicted after %d puts", i)
		}
		if n := s.len(); n > 100 {
			t.Fatalf("%d paths stored, capacity 100", n)
		}
	}
	if s.get("0") != nil {
		t.Error("the oldest unused path is still stored")
	}
}

func (s *issued) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.young) + len(s.old)
}
