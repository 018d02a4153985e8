package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/pflag"

	"github.com/parleyhq/parley/runtime/agent"
	"github.com/parleyhq/parley/runtime/textcall"
)

const chatUsage = `usage: parley chat AGENT [--agents DIR] [--var NAME=VALUE ...] [--caller NUMBER]

Talk to an agent in the terminal, typing as the caller: each line is answered
by the agent's chat plugin through the same turn engine as a phone call, its
tools really run, and the replies, tool calls and the sentiment of your lines
are printed. Text only: the speech plugins are not used. AGENT is an agent's
name (in --agents, default PARLEY_AGENTS_DIR) or the path of an agent file.
Ends at end of input (Ctrl-D), on /quit, or when the agent hangs up; lines
can also come from a pipe.
`

// chat is `parley chat`: a text console over one textcall.Session.
func chat(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := pflag.NewFlagSet("parley chat", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("agents", "", "directory of agent files (default PARLEY_AGENTS_DIR, agents)")
	varFlags := fs.StringArray("var", nil, "NAME=VALUE: a value of one of the agent's variables (repeat for more)")
	caller := fs.String("caller", "", "the caller's number (the caller_number variable)")
	file := fs.String("config", "", "YAML config file (also PARLEY_CONFIG)")
	fs.Usage = func() {
		fmt.Fprint(stderr, chatUsage, "\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return nil
		}
		return exitCode(2)
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return exitCode(2)
	}
	m, err := newTextMode(*file, stderr)
	if err != nil {
		return err
	}
	defer m.Close()
	if *dir == "" {
		*dir = m.cfg.AgentsDir
	}
	spec, err := findAgent(fs.Arg(0), *dir, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "parley chat:", err)
		return exitCode(2)
	}
	values, err := flagVariables(spec, *varFlags)
	if err != nil {
		fmt.Fprintln(stderr, "parley chat:", err)
		return exitCode(2)
	}
	p, ok := m.start(ctx, spec, stderr)
	if !ok {
		fmt.Fprintf(stderr, "parley chat: the plugins of agent %s cannot serve it (above)\n", spec.Name)
		return exitCode(1)
	}
	s := textcall.New(textcall.Config{Spec: spec, Chat: p.Chat, Sentiment: p.Sentiment, Engine: m.engine, Variables: values, CallerNumber: *caller})
	c := &console{w: stdout, echo: !isTerminal(stdin)}
	fmt.Fprintf(stdout, "parley chat: agent %s (%s). Type as the caller; /quit or Ctrl-D ends. Text only: nothing is spoken.\n", spec.Name, relPath(spec.File))
	if g := s.Greeting(); g != "" {
		fmt.Fprintf(stdout, "agent: %s\n", g)
	}
	lines := readLines(ctx, stdin)
	for {
		c.prompt()
		var l line
		select {
		case <-ctx.Done():
			return nil
		case l = <-lines:
		}
		switch {
		case l.err != nil:
			if errors.Is(l.err, io.EOF) {
				return nil
			}
			return fmt.Errorf("read: %w", l.err)
		case l.tooLong:
			fmt.Fprintf(stdout, "  (that line is longer than %d bytes; say it in shorter lines)\n", agent.MaxSayBytes)
			continue
		}
		text := strings.TrimSpace(l.text)
		if text == "" {
			continue
		}
		if text == "/quit" || text == "/exit" {
			return nil
		}
		c.said(text)
		t, err := s.Say(ctx, text, c)
		c.turn(t, err)
		if s.Ended() {
			return nil
		}
	}
}

// line is one line of input, or why there is none.
type line struct {
	text    string
	tooLong bool
	err     error
}

// readLines reads r line by line into the returned channel until it ends
// (the last item holds the error, io.EOF at the end) or ctx is done. A line
// longer than agent.MaxSayBytes is dropped and reported as tooLong. The
// reading goroutine stops with the input; the process ends it otherwise.
func readLines(ctx context.Context, r io.Reader) <-chan line {
	out := make(chan line)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				select {
				case out <- line{err: fmt.Errorf("reading input panicked: %v", p)}:
				case <-ctx.Done():
				}
			}
		}()
		br := bufio.NewReaderSize(r, 4096)
		for {
			l := readLine(br)
			select {
			case out <- l:
			case <-ctx.Done():
				return
			}
			if l.err != nil {
				return
			}
		}
	}()
	return out
}

// readLine reads one line of at most agent.MaxSayBytes; the rest of a
// longer one is read and dropped. A last line without a newline counts.
func readLine(br *bufio.Reader) line {
	var b []byte
	tooLong := false
	for {
		chunk, isPrefix, err := br.ReadLine()
		if err != nil {
			if len(b) > 0 || tooLong {
				return line{text: string(b), tooLong: tooLong}
			}
			return line{err: err}
		}
		if len(b)+len(chunk) > agent.MaxSayBytes {
			tooLong, b = true, nil
		} else if !tooLong {
			b = append(b, chunk...)
		}
		if !isPrefix {
			return line{text: string(b), tooLong: tooLong}
		}
	}
}

// isTerminal reports whether r is a terminal (then the console prompts;
// otherwise it echoes each line, so a piped session reads as a transcript).
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
