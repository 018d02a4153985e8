package turn

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/parleyhq/parley/runtime/fault"
	"github.com/parleyhq/parley/runtime/metrics"
	"github.com/parleyhq/parley/runtime/provider"
	"github.com/parleyhq/parley/runtime/store"
	"github.com/parleyhq/parley/runtime/tools"
)

// outcome is one tool call carried out, as stored.
type outcome struct {
	tools.Outcome
	record store.ToolCall
}

// runTools carries out one round's tool calls at once (each in its own
// goroutine, a panic contained as that call's failure), speaks a filler
// when they are slow, and reports each start and end. It fills in calls'
// missing ids, in place, so that results pair with them.
func (e *Engine) runTools(ctx context.Context, req Request, round int, calls []provider.ToolCall, out Output) []outcome {
	results := make([]outcome, len(calls))
	var wg sync.WaitGroup
	for i := range calls {
		c := &calls[i]
		if c.ID == "" {
			c.ID = fmt.Sprintf("call_%d_%d", round+1, i+1)
		}
		started := time.Now()
		results[i].record = store.ToolCall{ID: c.ID, Name: c.Name, Arguments: c.Arguments, StartedAt: started}
		out.Tool(ToolEvent{CallID: req.CallID, Agent: req.Spec.Name, Spec: req.Spec, Call: results[i].record})
		if i >= maxParallelCalls {
			results[i].Outcome = tools.Outcome{Err: fmt.Errorf("too many tool calls at once: at most %d", maxParallelCalls), Metric: metrics.ToolError}
			results[i].Content = tools.ErrorContent(results[i].Err.Error())
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer fault.Recover(metrics.ComponentPipeline, func(p *fault.Panic) {
				results[i].Outcome = tools.Outcome{Err: fmt.Errorf("the tool failed inside the runtime"), Metric: metrics.ToolError}
				results[i].Content = tools.ErrorContent(results[i].Err.Error())
				if req.Fault != nil {
					req.Fault(p)
				}
			})
			results[i].Outcome = e.tools.Run(ctx, tools.Call{Spec: req.Spec, ID: c.ID, Name: c.Name, Arguments: c.Arguments, Values: req.Values})
		}()
	}
	e.waitWithFiller(ctx, req, round, calls, &wg, out)
	for i := range results {
		o := &results[i]
		r := &o.record
		r.Duration = o.Duration
		if o.Err != nil {
			r.Error = o.Err.Error()
		} else {
			r.Result = o.Result
		}
		e.metrics.ToolCalled(req.Spec.Name, r.Name, o.Metric, r.Duration)
		ev := ToolEvent{CallID: req.CallID, Agent: req.Spec.Name, Spec: req.Spec, Call: *r, Done: true, Transfer: o.Transfer, Destination: o.Destination}
		out.Tool(ev)
		if e.onTool != nil {
			e.onTool(ev)
		}
		if o.Err != nil {
			e.log.Warn("tool call failed; the model is told", "call", req.CallID, "agent", req.Spec.Name, "tool", r.Name, "outcome", o.Metric, "error", r.Error)
		}
	}
	return results
}

// waitWithFiller waits for the round's tools; when they run longer than
// the shortest filler delay of the tools called that have fillers, it
// speaks one of their phrases (in turn across rounds).
func (e *Engine) waitWithFiller(ctx context.Context, req Request, round int, calls []provider.ToolCall, wg *sync.WaitGroup, out Output) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		wg.Wait()
	}()
	var phrases []string
	var delay time.Duration
	for _, c := range calls {
		if t := req.Spec.Tool(c.Name); t != nil && len(t.Filler) > 0 {
			if phrases == nil || t.FillerDelay() < delay {
				delay = t.FillerDelay()
			}
			phrases = append(phrases, t.Filler...)
		}
	}
	if len(phrases) == 0 {
		<-done
		return
	}
	timer := time.NewTimer(delay)
	defer timer.Stop()
	select {
	case <-done:
		return
	case <-timer.C:
		if ctx.Err() == nil {
			_ = out.Filler(ctx, phrases[round%len(phrases)])
		}
	}
	<-done
}
