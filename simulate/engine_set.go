package simulate

import "math/bits"

// nodeSet is a set of node positions (0..n-1) that iterates in position order
// in time proportional to the members visited, not to n: a two-level bitmap
// (a summary bit per non-empty word). Positions are the engine's node order.
type nodeSet struct {
	words   []uint64
	summary []uint64
	count   int
}

func newNodeSet(n int) nodeSet {
	w := (n + 63) / 64
	return nodeSet{words: make([]uint64, w), summary: make([]uint64, (w+63)/64)}
}

func (s *nodeSet) has(i int32) bool { return s.words[i>>6]&(1<<(uint(i)&63)) != 0 }

func (s *nodeSet) add(i int32) {
	w := i >> 6
	b := uint64(1) << (uint(i) & 63)
	if s.words[w]&b != 0 {
		return
	}
	s.words[w] |= b
	s.summary[w>>6] |= 1 << (uint(w) & 63)
	s.count++
}

func (s *nodeSet) remove(i int32) {
	w := i >> 6
	b := uint64(1) << (uint(i) & 63)
	if s.words[w]&b == 0 {
		return
	}
	s.words[w] &^= b
	if s.words[w] == 0 {
		s.summary[w>>6] &^= 1 << (uint(w) & 63)
	}
	s.count--
}

// next returns the smallest member >= i, or -1.
func (s *nodeSet) next(i int32) int32 {
	if i < 0 {
		i = 0
	}
	w := int(i >> 6)
	if w >= len(s.words) {
		return -1
	}
	if m := s.words[w] & (^uint64(0) << (uint(i) & 63)); m != 0 {
		return int32(w<<6 + bits.TrailingZeros64(m))
	}
	w++
	for sw := w >> 6; sw < len(s.summary); sw++ {
		m := s.summary[sw]
		if sw == w>>6 {
			m &= ^uint64(0) << (uint(w) & 63)
		}
		if m != 0 {
			ww := sw<<6 + bits.TrailingZeros64(m)
			return int32(ww<<6 + bits.TrailingZeros64(s.words[ww]))
		}
	}
	return -1
}

// grow makes room for positions up to n-1.
func (s *nodeSet) grow(n int) {
	w := (n + 63) / 64
	for len(s.words) < w {
		s.words = append(s.words, 0)
	}
	for len(s.summary) < (w+63)/64 {
		s.summary = append(s.summary, 0)
	}
}

// mergedIter walks the union of up to three disjoint sets in position order.
type mergedIter struct {
	sets [3]*nodeSet
	cur  [3]int32
	n    int
}

func newMergedIter(sets ...*nodeSet) mergedIter {
	var it mergedIter
	it.n = copy(it.sets[:], sets)
	for k := 0; k < it.n; k++ {
		it.cur[k] = it.sets[k].next(0)
	}
	return it
}

// nextNode returns the next member of the union, or -1.
func (it *mergedIter) nextNode() int32 {
	best, bk := int32(-1), -1
	for k := 0; k < it.n; k++ {
		if c := it.cur[k]; c >= 0 && (best < 0 || c < best) {
			best, bk = c, k
		}
	}
	if bk >= 0 {
		it.cur[bk] = it.sets[bk].next(best + 1)
	}
	return best
}
