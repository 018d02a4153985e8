package metrics

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestFaults(t *testing.T) {
	m := New()
	fams := families(t, m)
	assert.Equal(t, 0.0, value(t, fams, "parley_panics_total", "component", ComponentPipeline), "series exist at zero")
	assert.Equal(t, 0.0, value(t, fams, "parley_store_errors_total", "op", OpAppendTurns))

	m.Panicked(ComponentPipeline)
	m.Panicked(ComponentLive)
	m.Panicked("call 550e8400-e29b-41d4-a716-446655440000") // not a component
	m.StoreFailed(OpAppendTurns)
	m.StoreFailed(OpAppendTurns)
	m.StoreFailed("drop table")
	var nilMetrics *Metrics
	nilMetrics.Panicked(ComponentLive)
	nilMetrics.StoreFailed(OpPing)

	fams = families(t, m)
	assert.Equal(t, 1.0, value(t, fams, "parley_panics_total", "component", ComponentPipeline))
	assert.Equal(t, 1.0, value(t, fams, "parley_panics_total", "component", ComponentLive))
	assert.Equal(t, 1.0, value(t, fams, "parley_panics_total", "component", other))
	assert.Len(t, fams["parley_panics_total"].GetMetric(), len(components))
	assert.Equal(t, 2.0, value(t, fams, "parley_store_errors_total", "op", OpAppendTurns))
	assert.Equal(t, 1.0, value(t, fams, "parley_store_errors_total", "op", other))
	assert.Len(t, fams["parley_store_errors_total"].GetMetric(), len(storeOps))
}
