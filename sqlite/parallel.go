package sqlite

import (
	"fmt"
	"runtime"
	"sync"
)

// minPerWorker is the least work worth a goroutine of its own: sealing and
// encoding one row takes a few microseconds.
const minPerWorker = 256

// forEach calls fn for every i in [0, n), spread over the processors when n
// is large enough to gain from it. fn may write only what belongs to i. The
// error returned is that of the lowest i whose fn failed (or panicked), so
// the outcome does not depend on scheduling.
func forEach(n int, fn func(i int) error) error {
	workers := min(runtime.GOMAXPROCS(0), n/minPerWorker)
	if workers <= 1 {
		for i := range n {
			if err := fn(i); err != nil {
				return err
			}
		}
		return nil
	}
	chunk := (n + workers - 1) / workers
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := w*chunk, min(n, (w+1)*chunk)
		wg.Go(func() {
			defer func() {
				if p := recover(); p != nil {
					errs[w] = fmt.Errorf("panic: %v", p)
				}
			}()
			for i := lo; i < hi; i++ {
				if err := fn(i); err != nil {
					errs[w] = err
					return
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
