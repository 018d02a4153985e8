package sphinx

/*
#include <malloc.h>

static long parley_heap_in_use(void) {
	struct mallinfo2 m = mallinfo2();
	return (long)(m.uordblks + m.hblkhd);
}
*/
import "C"

// heapInUse is how many bytes of C heap are allocated, for the tests that
// check that decoders give back all they take.
func heapInUse() int64 { return int64(C.parley_heap_in_use()) }
