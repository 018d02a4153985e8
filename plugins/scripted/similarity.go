package main

// similar is the similarity of a and b when they are at most k edits
// apart, else 0. Similarity is 1 minus the optimal-string-alignment
// distance (Levenshtein plus transposition of neighbours: "ordr", "oredr")
// over the longer length: 1 for equal strings, 0 for nothing in common.
// buf is scratch space for boundedDistance.
func similar(a, b []rune, k int, buf *[]int) float64 {
	longer := max(len(a), len(b))
	if longer == 0 {
		return 1
	}
	if abs(len(a)-len(b)) > k {
		return 0
	}
	var d int
	if k <= 1 {
		d = editsUpToOne(a, b) // most words: fewer than ten letters at 0.8
	} else {
		d = boundedDistance(a, b, k, buf)
	}
	if d > k {
		return 0
	}
	return 1 - float64(d)/float64(longer)
}

// maxEdits is the most edits at which words of length n (the longer of
// the two) are still at least threshold similar.
func maxEdits(threshold float64, n int) int {
	// The epsilon keeps (1-0.8)*5 at 1.
	return int((1-threshold)*float64(n) + 1e-9)
}

// boundedDistance is the optimal-string-alignment distance between a and b
// when it is at most k, else k+1. It fills only the band of cells within k
// of the diagonal and stops at the first row whose cells all exceed k, so
// a comparison that fails costs a few cells, not len(a)*len(b). buf is
// scratch space, grown as needed, so that the many comparisons of a turn
// share one allocation.
func boundedDistance(a, b []rune, k int, buf *[]int) int {
	over := k + 1
	if abs(len(a)-len(b)) > k {
		return over
	}
	if len(a) == 0 || len(b) == 0 {
		return len(a) + len(b)
	}
	// Three rolling rows: the one before last (for transpositions), the
	// last, and the current.
	n := len(b) + 2
	if len(*buf) < 3*n {
		*buf = make([]int, 3*n)
	}
	prev2, prev, cur := (*buf)[:n], (*buf)[n:2*n], (*buf)[2*n:3*n]
	for j := range prev {
		prev[j] = min(j, over)
	}
	for i := 1; i <= len(a); i++ {
		lo, hi := max(1, i-k), min(len(b), i+k)
		cur[lo-1] = over
		if lo == 1 {
			cur[0] = min(i, over)
		}
		rowMin := cur[lo-1]
		for j := lo; j <= hi; j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d = min(d, prev2[j-2]+1)
			}
			d = min(d, over)
			cur[j] = d
			rowMin = min(rowMin, d)
		}
		cur[hi+1] = over // the next row reads one cell past this band
		if rowMin > k {
			return over
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// editsUpToOne is the optimal-string-alignment distance between a and b
// when it is 0 or 1, else 2, in one pass: with the common prefix and
// suffix set aside, one edit leaves at most one rune on either side, or two
// swapped ones.
func editsUpToOne(a, b []rune) int {
	if abs(len(a)-len(b)) > 1 {
		return 2
	}
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	if i == len(a) && i == len(b) {
		return 0
	}
	ja, jb := len(a), len(b)
	for ja > i && jb > i && a[ja-1] == b[jb-1] {
		ja, jb = ja-1, jb-1
	}
	switch ra, rb := ja-i, jb-i; {
	case ra <= 1 && rb <= 1:
		return 1
	case ra == 2 && rb == 2 && a[i] == b[i+1] && a[i+1] == b[i]:
		return 1
	}
	return 2
}
