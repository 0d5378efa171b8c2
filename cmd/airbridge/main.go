// Command airbridge runs an evacuation and withdrawal airlift: the ledger
// server, the demo, the checks and the benchmarks.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		var exit exitError
		if errors.As(err, &exit) {
			os.Exit(int(exit))
		}
		fmt.Fprintln(os.Stderr, "airbridge:", err)
		os.Exit(1)
	}
}

// exitError ends the program with a status and no further message: the
// command has already said what went wrong.
type exitError int

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

const usage = `airbridge runs an evacuation airlift: people into the airport, processed,
onto the planes.

Usage:
  airbridge <command> [flags]

Commands:
  serve     serve the API over a database
  demo      serve a fresh database seeded with the kabul-2021 scenario
  verify    check the ledger's hash chain and compare it with the read tables
  users     add, list and disable users
  tokens    issue, revoke and list API tokens
  keys      create, rotate and destroy the keys that seal personal data
  certs     write a self-signed TLS certificate for development
  manifest  solve a manifest instance, or write it as an LP model
  callforward export  the signed invitations of a nation's called groups, as CSV
  invite verify       check an invitation offline, from the operation's public key
  import persons      register an embassy's list (CSV or XLSX), checked row by row
  mrz                 parse passport and visa MRZs on stdin, with every check digit
  export manifest     a flight's manifest as PAXLST, CSV, XLSX or PDF
  boardingpass        a person's boarding pass: IATA BCBP text, PDF417 barcode or printable PDF
  sim       simulate an evacuation (the airport's digital twin): kabul-2021, historical against coordinated
  withdraw plan       the troops' withdrawal: floors kept, deadlines met or what it would take
  withdraw lp         the withdrawal as an integer program, for glpsol or cbc
  bench     measure airbridge (bench ingest)
  version   print the version

Run "airbridge <command> --help" for a command's flags.
`

// run is the whole program; main only wires it to the process.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitError(2)
	}
	env := &environment{ctx: ctx, getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	if getenv("GOGC") == "" {
		// The store keeps the operation's state in memory, a large heap that
		// every collection marks: collecting less often halves the collector's
		// share of a busy server's CPU, for a heap at most five times the live
		// state. GOGC in the environment overrides it.
		debug.SetGCPercent(400)
	}
	err := env.dispatch(args)
	if errors.Is(err, errHelp) {
		return nil
	}
	return err
}

func (env *environment) dispatch(args []string) error {
	switch args[0] {
	case "serve":
		return env.serve(args[1:])
	case "demo":
		return env.demo(args[1:])
	case "verify":
		return env.verify(args[1:])
	case "bench":
		return env.bench(args[1:])
	case "users":
		return env.users(args[1:])
	case "tokens":
		return env.tokens(args[1:])
	case "keys":
		return env.keys(args[1:])
	case "certs":
		return env.certs(args[1:])
	case "manifest":
		return env.manifest(args[1:])
	case "callforward":
		return env.callforward(args[1:])
	case "invite":
		return env.inviteCmd(args[1:])
	case "import":
		return env.importCmd(args[1:])
	case "mrz":
		return env.mrzCmd(args[1:])
	case "export":
		return env.exportCmd(args[1:])
	case "boardingpass":
		return env.boardingPass(args[1:])
	case "sim":
		return env.simCmd(args[1:])
	case "withdraw":
		return env.withdrawCmd(args[1:])
	case "version", "--version":
		if err := env.parse(env.flags("version", "version"), args[1:]); err != nil {
			return err
		}
		fmt.Fprintln(env.stdout, "airbridge", version)
		return nil
	case "help", "-h", "--help", "-help":
		fmt.Fprint(env.stdout, usage)
		return nil
	}
	fmt.Fprintf(env.stderr, "airbridge: unknown command %q\n\n%s", args[0], usage)
	return exitError(2)
}

// environment is what every subcommand receives from run.
type environment struct {
	ctx            context.Context
	getenv         func(string) string
	stdin          io.Reader
	stdout, stderr io.Writer
}

// flags returns a flag set for a subcommand that prints its usage to stdout
// on --help and reports errors on stderr.
func (env *environment) flags(name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet("airbridge "+name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: airbridge %s\n\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args; --help prints the usage on stdout and ends the command
// successfully.
func (env *environment) parse(fs *flag.FlagSet, args []string) error {
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fs.SetOutput(env.stdout)
		fs.Usage()
		return errHelp
	}
	fs.SetOutput(env.stderr)
	if err != nil {
		fmt.Fprintf(env.stderr, "airbridge: %v\n", err)
		fs.Usage()
		return exitError(2)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(env.stderr, "airbridge: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return exitError(2)
	}
	return nil
}

// errHelp ends a command after printing its help.
var errHelp = errors.New("help shown")
