package embedded

// slab hands out encoded records carved from large chunks. bbolt keeps the
// values of a transaction's puts until the commit; encoding them into one
// growing buffer would leave every outgrown copy behind as garbage (twice
// the bytes a region's import writes), and one allocation per record would
// cost the collector a million objects.
type slab struct {
	chunk   []byte
	scratch []byte
}

// slabChunk is the size of a chunk; a record larger than that gets a chunk
// of its own size.
const slabChunk = 1 << 20

// encode appends a record with enc and returns it, capacity clipped so
// that nobody appends into the next one.
func (s *slab) encode(enc func([]byte) []byte) []byte {
	s.scratch = enc(s.scratch[:0])
	n := len(s.scratch)
	if cap(s.chunk)-len(s.chunk) < n {
		s.chunk = make([]byte, 0, max(slabChunk, n))
	}
	start := len(s.chunk)
	s.chunk = append(s.chunk, s.scratch...)
	return s.chunk[start:len(s.chunk):len(s.chunk)]
}
