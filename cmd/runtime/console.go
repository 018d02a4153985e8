package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/parleyhq/parley/runtime/textcall"
	"github.com/parleyhq/parley/runtime/turn"
)

// maxShown bounds a tool's arguments and result as printed.
const maxShown = 300

// console prints a text call: the agent's reply as it is written, its
// tool calls, and after each turn the sentiment of the caller's line and
// whether the agent hung up. It is the session's textcall.Observer.
type console struct {
	w    io.Writer
	echo bool // print the caller's lines (input from a pipe)
	open bool // an "agent:" line is being written
}

var _ textcall.Observer = (*console)(nil)

func (c *console) prompt() {
	if !c.echo {
		fmt.Fprint(c.w, "you> ")
	}
}

func (c *console) said(text string) {
	if c.echo {
		fmt.Fprintf(c.w, "you: %s\n", text)
	}
}

// Delta implements textcall.Observer.
func (c *console) Delta(text string) {
	if !c.open {
		fmt.Fprint(c.w, "agent: ")
		c.open = true
		text = strings.TrimLeft(text, " ")
	}
	fmt.Fprint(c.w, text)
}

// Filler implements textcall.Observer.
func (c *console) Filler(phrase string) {
	c.endLine()
	fmt.Fprintf(c.w, "  (while the tool runs) %s\n", phrase)
}

// Tool implements textcall.Observer.
func (c *console) Tool(ev turn.ToolEvent) {
	c.endLine()
	tc := ev.Call
	if !ev.Done {
		fmt.Fprintf(c.w, "  tool call: %s %s\n", tc.Name, clip(tc.Arguments))
		return
	}
	if tc.Error != "" {
		fmt.Fprintf(c.w, "  tool %s failed after %s: %s\n", tc.Name, ms(tc.Duration), clip(tc.Error))
		return
	}
	fmt.Fprintf(c.w, "  tool %s answered in %s: %s\n", tc.Name, ms(tc.Duration), clip(tc.Result))
}

// turn prints the end of a turn.
func (c *console) turn(t textcall.Turn, err error) {
	c.endLine()
	if err != nil {
		fmt.Fprintf(c.w, "  error: %v\n", err)
	}
	switch {
	case t.Sentiment != nil:
		fmt.Fprintf(c.w, "  sentiment: %s (%.2f)\n", t.Sentiment.Label, t.Sentiment.Score)
	case t.SentimentErr != nil:
		fmt.Fprintf(c.w, "  sentiment failed: %v\n", t.SentimentErr)
	}
	switch {
	case t.Transfer != "":
		fmt.Fprintf(c.w, "  [the agent transferred the call to %s (%s)]\n", t.Destination, t.Transfer)
	case t.Hangup:
		fmt.Fprintln(c.w, "  [the agent hung up]")
	}
}

func (c *console) endLine() {
	if c.open {
		fmt.Fprintln(c.w)
		c.open = false
	}
}

// clip shortens s for the console.
func clip(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > maxShown {
		return string(r[:maxShown]) + "..."
	}
	return s
}

// ms formats d in milliseconds.
func ms(d time.Duration) string {
	return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000)
}
