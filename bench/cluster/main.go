// Command cluster runs bench/callload against one runtime instance or three
// behind HAProxy, all on this machine and on one PostgreSQL, to measure what
// several instances cost: the three share NATS (calls are joined through
// whichever instance the load balancer picks, so two of three joins are
// forwarded to the call's owner), the one has no bus and no load balancer.
//
//	make build && go build -o bin/plugins/fakeprovider ./bench/fakeprovider
//	go build -o /tmp/callload ./bench/callload
//	go run ./bench/cluster -instances 3 -callload /tmp/callload -- -calls 30 -duration 20s -agent bench -json
//
// Everything after -- goes to callload, followed by -url of the load
// balancer (or of the one instance). Results: bench/RESULTS.md.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/parleyhq/parley/bench/internal/spawn"
	"github.com/parleyhq/parley/internal/bustest"
	"github.com/parleyhq/parley/internal/lbtest"
	"github.com/parleyhq/parley/internal/pgtest"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "cluster:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("cluster", flag.ContinueOnError)
	instances := fs.Int("instances", 3, "runtime instances: 1 (no bus, no load balancer) or 3 (NATS and HAProxy)")
	bin := fs.String("bin", "bin/parley", "the runtime binary (plugins in plugins/ beside it)")
	agents := fs.String("agents", "bench/agents", "agents directory")
	agent := fs.String("default-agent", "bench", "the instances' default agent (their readiness needs it)")
	callload := fs.String("callload", "", "the callload binary (go build -o /tmp/callload ./bench/callload)")
	keep := fs.Bool("keep", false, "keep the runtimes' data directories and logs")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *instances != 1 && *instances != 3 {
		return errors.New("-instances must be 1 or 3")
	}
	if *callload == "" {
		return errors.New("-callload is required")
	}
	agentsDir, err := filepath.Abs(*agents)
	if err != nil {
		return err
	}

	pg, err := pgtest.Launch()
	if err != nil {
		return err
	}
	defer func() { _ = pg.Stop() }()
	env := []string{"PARLEY_DATABASE_URL=" + pg.URL("postgres"), "PARLEY_LOG_LEVEL=warn"}
	if *instances == 3 {
		nats, err := bustest.LaunchNATS()
		if err != nil {
			return err
		}
		defer func() { _ = nats.Stop() }()
		env = append(env, "PARLEY_BUS_URL="+nats.URL)
	}
	var bases [3]string
	for i := range *instances {
		rt, err := spawn.Start(*bin, spawn.Options{
			AgentsDir: agentsDir, DefaultAgent: *agent, TempPrefix: fmt.Sprintf("cluster-%d-", i+1),
			Env: append(append([]string(nil), env...), fmt.Sprintf("PARLEY_INSTANCE_ID=%s", lbtest.Server(i))),
		})
		if err != nil {
			return err
		}
		defer func() {
			if err := rt.Stop(10*time.Second, *keep); err != nil {
				fmt.Fprintln(os.Stderr, "cluster:", err)
			}
		}()
		bases[i] = rt.URL
		fmt.Fprintf(os.Stderr, "cluster: %s at %s (pid %d)\n", lbtest.Server(i), rt.URL, rt.PID)
	}
	url := bases[0]
	if *instances == 3 {
		lb, err := lbtest.Launch(bases)
		if err != nil {
			return err
		}
		defer func() { _ = lb.Stop() }()
		url = lb.Base
		time.Sleep(time.Second) // the health checks mark every instance up
	}
	fmt.Fprintf(os.Stderr, "cluster: %d instance(s), callload at %s\n", *instances, url)
	cmd := exec.Command(*callload, append(fs.Args(), "-url", url)...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	// Ctrl-C goes to callload (it ends its calls); this waits for it.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		for s := range sig {
			_ = cmd.Process.Signal(s)
		}
	}()
	return cmd.Wait()
}
