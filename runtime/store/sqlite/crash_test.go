package sqlite_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/runtime/call"
	"github.com/parleyhq/parley/runtime/store"
	"github.com/parleyhq/parley/runtime/store/sqlite"
)

// The crash test re-runs this test binary as a writer child and kills it.
const (
	envCrashDB    = "PARLEY_SQLITE_CRASH_DB"
	envCrashRound = "PARLEY_SQLITE_CRASH_ROUND"
	crashBatch    = 3 // turns per AppendTurns in the child
	sharedCallID  = "shared"
)

// TestHelperProcess is the child of TestCrashDurability, not a test: it
// writes until killed, printing "committed <n>" once iteration n's writes
// have all returned nil. Iteration n creates call r<round>-<n>, appends a
// batch of turns to it and another batch to the long-lived shared call.
func TestHelperProcess(t *testing.T) {
	path := os.Getenv(envCrashDB)
	if path == "" {
		t.Skip("helper process for TestCrashDurability")
	}
	round := os.Getenv(envCrashRound)
	ctx := context.Background()
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	shared := &call.Call{ID: sharedCallID, SessionID: sharedCallID, Status: call.StatusInProgress, CreatedAt: time.Now()}
	if err := s.CreateCall(ctx, shared); err != nil && !errors.Is(err, store.ErrDuplicate) {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Minute) // never outlive a parent that died
	for n := 1; time.Now().Before(deadline); n++ {
		c := &call.Call{
			ID: crashCallID(round, n), SessionID: "s-" + crashCallID(round, n),
			Status: call.StatusInProgress, CreatedAt: time.Now(),
		}
		if err := s.CreateCall(ctx, c); err != nil {
			t.Fatal(err)
		}
		if err := s.AppendTurns(ctx, c.ID, crashTurns(n)...); err != nil {
			t.Fatal(err)
		}
		if err := s.AppendTurns(ctx, sharedCallID, crashTurns(n)...); err != nil {
			t.Fatal(err)
		}
		fmt.Printf("committed %d\n", n)
	}
}

func crashCallID(round string, n int) string { return fmt.Sprintf("r%s-%d", round, n) }

func crashTurns(n int) []*store.Turn {
	turns := make([]*store.Turn, crashBatch)
	for i := range turns {
		turns[i] = userTurn(fmt.Sprintf("iteration %d turn %d", n, i))
	}
	return turns
}

// TestCrashDurability SIGKILLs a writer process mid-stream, several times on
// the same file, and checks after each kill that everything the child
// reported committed is there and that no batch of turns was half-written.
func TestCrashDurability(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	path := filepath.Join(t.TempDir(), "parley.db")
	sharedWant := 0
	for round := range 8 {
		killAfter := 1 + round*5
		delay := time.Duration(rand.Int64N(int64(5 * time.Millisecond)))
		committed := runAndKill(t, path, round, killAfter, delay)
		require.GreaterOrEqual(t, committed, killAfter)
		sharedWant += committed * crashBatch
		t.Logf("round %d: killed %v after commit %d; %d reported", round, delay, killAfter, committed)

		ctx := context.Background()
		s, err := sqlite.Open(ctx, path)
		require.NoError(t, err, "round %d: reopen after kill", round)
		for n := 1; n <= committed; n++ {
			id := crashCallID(strconv.Itoa(round), n)
			_, err := s.Call(ctx, id)
			require.NoError(t, err, "round %d: committed call %s lost", round, id)
			turns, err := s.Turns(ctx, id)
			require.NoError(t, err)
			require.Len(t, turns, crashBatch, "round %d: call %s", round, id)
		}
		shared, err := s.Turns(ctx, sharedCallID)
		require.NoError(t, err)
		// The child may have committed one more batch than it got to report.
		assert.GreaterOrEqual(t, len(shared), sharedWant, "round %d: committed shared turns lost", round)
		sharedWant = len(shared)
		require.NoError(t, s.Close())

		assertWholeBatches(t, path, round)
	}
}

// assertWholeBatches checks every call's turns: a multiple of the batch size,
// numbered 1..n without gaps.
func assertWholeBatches(t *testing.T, path string, round int) {
	t.Helper()
	db := rawDB(t, path)
	rows, err := db.Query("SELECT call_id, COUNT(*), MIN(seq), MAX(seq) FROM turns GROUP BY call_id")
	require.NoError(t, err)
	defer rows.Close()
	for rows.Next() {
		var (
			id             string
			n, first, last int
		)
		require.NoError(t, rows.Scan(&id, &n, &first, &last))
		assert.Zero(t, n%crashBatch, "round %d: call %s has a partial batch (%d turns)", round, id, n)
		assert.Equal(t, [2]int{1, n}, [2]int{first, last}, "round %d: call %s seqs not 1..%d", round, id, n)
	}
	require.NoError(t, rows.Err())
	var ok string
	require.NoError(t, db.QueryRow("PRAGMA integrity_check").Scan(&ok))
	assert.Equal(t, "ok", ok)
}

// runAndKill starts the writer child on path, kills it delay after it has
// reported killAfter commits, and returns the highest commit it reported,
// including lines still in the pipe when it died. The delay lets the kill
// land anywhere in an iteration rather than always just after a report.
func runAndKill(t *testing.T, path string, round, killAfter int, delay time.Duration) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), envCrashDB+"="+path, envCrashRound+"="+strconv.Itoa(round))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())

	// The child's test output (a t.Fatal, say) goes to stdout too; keep it
	// for the failure message. Read it only once reported is closed.
	var (
		reported = make(chan int)
		output   strings.Builder
	)
	go func() {
		defer close(reported)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			v, ok := strings.CutPrefix(sc.Text(), "committed ")
			if n, err := strconv.Atoi(v); ok && err == nil {
				reported <- n
				continue
			}
			output.WriteString(sc.Text() + "\n")
		}
	}()

	var (
		last    int
		kill    <-chan time.Time // nil, so never ready, until armed
		timeout = time.After(30 * time.Second)
	)
wait:
	for {
		select {
		case n, ok := <-reported:
			if !ok {
				_ = cmd.Wait()
				t.Fatalf("round %d: child exited after %d commits without being killed:\n%s%s",
					round, last, output.String(), stderr.String())
			}
			last = n
			if n >= killAfter && kill == nil {
				kill = time.After(delay)
			}
		case <-kill:
			// Kill is SIGKILL on Unix: no deferred Close, no flush, no
			// chance to finish the transaction the child is in.
			require.NoError(t, cmd.Process.Kill())
			break wait
		case <-timeout:
			_ = cmd.Process.Kill()
			for range reported {
			}
			_ = cmd.Wait()
			t.Fatalf("round %d: child reported only %d commits in 30s:\n%s%s", round, last, output.String(), stderr.String())
		}
	}
	for n := range reported { // lines written before the kill still count
		last = n
	}
	err = cmd.Wait()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "round %d: child: %v\n%s", round, err, stderr.String())
	return last
}
