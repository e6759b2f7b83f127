package store_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/pbxgate/pbxgate/internal/store"
)

// The test binary runs itself as a child process when childModeEnv is set;
// see TestMain and runChild.
const (
	childModeEnv     = "PBXGATE_STORE_TEST_CHILD"
	childDirEnv      = "PBXGATE_STORE_TEST_DIR"
	childDatabaseEnv = "PBXGATE_STORE_TEST_DATABASE" // the database argument of Open; "" for SQLite
)

// Child modes.
const (
	childCrash = "crash" // commit one write, then write without committing and wait to be killed
	childOpen  = "open"  // wait for "go" on stdin, then open, write, close
	childLock  = "lock"  // take a lock and wait to be killed
)

// uncommittedRows × uncommittedSize bytes are written by the crash child
// with a tiny page cache, so that SQLite spills the uncommitted pages into
// the WAL file before the kill: recovery must then skip frames that are on
// disk, not merely never written.
const (
	uncommittedRows = 2000
	uncommittedSize = 4096
)

// runChild is the child process's main; it returns the exit code.
func runChild(mode, dir string) int {
	ctx := context.Background()
	switch mode {
	case childCrash:
		db, err := store.Open(ctx, "", dir, nil)
		if err != nil {
			fmt.Fprintln(os.Stderr, "child open:", err)
			return 2
		}
		return crashChild(ctx, db)
	case childOpen:
		return openChild(ctx, dir)
	case childLock:
		return lockChild(ctx, os.Getenv(childDatabaseEnv), dir)
	}
	fmt.Fprintln(os.Stderr, "unknown child mode", mode)
	return 2
}

func crashChild(ctx context.Context, db *store.DB) int {
	if _, err := db.Put(ctx, "crash", "committed-by-child", []byte("yes")); err != nil {
		fmt.Fprintln(os.Stderr, "child put:", err)
		return 2
	}
	tx, err := db.BeginRaw(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child begin:", err)
		return 2
	}
	stmts := []string{
		`PRAGMA cache_size = 16`,
		`UPDATE kv SET value = x'6f766572', version = version + 1 WHERE ns = 'crash' AND key = 'committed'`,
	}
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			fmt.Fprintln(os.Stderr, "child exec:", err)
			return 2
		}
	}
	val := bytes.Repeat([]byte{0xAB}, uncommittedSize)
	for i := range uncommittedRows {
		_, err := tx.ExecContext(ctx, `INSERT INTO kv (ns, key, value, version, updated) VALUES ('uncommitted', ?, ?, 1, 0)`,
			fmt.Sprintf("k%05d", i), val)
		if err != nil {
			fmt.Fprintln(os.Stderr, "child insert:", err)
			return 2
		}
	}
	fmt.Println("ready")
	// Wait to be killed. If the parent dies instead, stdin closes and the
	// child leaves without committing.
	_, _ = io.Copy(io.Discard, os.Stdin)
	return 3
}

func openChild(ctx context.Context, dir string) int {
	fmt.Println("ready")
	if line, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil || line != "go\n" {
		return 3
	}
	db, err := store.Open(ctx, "", dir, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child open:", err)
		return 2
	}
	defer db.Close()
	if _, err := db.Put(ctx, "procs", fmt.Sprint(os.Getpid()), []byte("x")); err != nil {
		fmt.Fprintln(os.Stderr, "child put:", err)
		return 2
	}
	return 0
}

// child is a started child process of the test binary.
type child struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *bufio.Reader
	stderr *bytes.Buffer
}

func startChild(t *testing.T, mode, dir string, env ...string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), childModeEnv+"="+mode, childDirEnv+"="+dir)
	cmd.Env = append(cmd.Env, env...)
	c := &child{cmd: cmd, stderr: new(bytes.Buffer)}
	cmd.Stderr = c.stderr
	var err error
	if c.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	c.stdout = bufio.NewReader(out)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// Harmless after a normal exit; ends a child a failed test left.
		_ = c.stdin.Close()
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return c
}

// waitReady reads the child's "ready" line.
func (c *child) waitReady(t *testing.T) {
	t.Helper()
	line, err := c.stdout.ReadString('\n')
	if err != nil || line != "ready\n" {
		_ = c.cmd.Wait()
		t.Fatalf("child did not get ready: %q, %v; stderr: %s", line, err, c.stderr)
	}
}

func TestSQLiteCrashMidTransaction(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := store.Open(ctx, "", dir, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, db, "crash", "committed", "original")
	mustPut(t, db, "crash", "other", "kept")
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	c := startChild(t, childCrash, dir)
	c.waitReady(t)
	wal, err := os.Stat(filepath.Join(dir, store.FileName+"-wal"))
	if err != nil {
		t.Fatal(err)
	}
	if wal.Size() < uncommittedRows*uncommittedSize/2 {
		t.Fatalf("WAL is %d bytes: the uncommitted transaction did not reach the disk, so the test proves nothing", wal.Size())
	}
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err = c.cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("child ended with %v, want killed by SIGKILL; stderr: %s", err, c.stderr)
	}

	db, err = store.Open(ctx, "", dir, testLogger(t))
	if err != nil {
		t.Fatalf("reopen after crash: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	var check string
	if err := db.QueryRowRaw(ctx, `PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check = %q, %v", check, err)
	}
	committed := []struct{ key, val string }{
		{"committed", "original"}, // the uncommitted update is gone
		{"other", "kept"},
		{"committed-by-child", "yes"}, // the child's own commit survived its death
	}
	for _, c := range committed {
		it, err := db.Get(ctx, "crash", c.key)
		if err != nil || string(it.Value) != c.val || it.Version != 1 {
			t.Errorf("Get(crash, %s) = %q v%d, %v; want %q v1", c.key, it.Value, it.Version, err, c.val)
		}
	}
	if items, err := db.List(ctx, "uncommitted", ""); err != nil || len(items) != 0 {
		t.Errorf("List(uncommitted) = %d items, %v; want none", len(items), err)
	}
	// The store is writable: no lock was left behind.
	if v, err := db.Put(ctx, "crash", "committed", []byte("after")); err != nil || v != 2 {
		t.Errorf("Put after crash = %d, %v; want version 2", v, err)
	}
}

// TestSQLiteConcurrentProcesses starts processes that open one new SQLite
// file at the same moment: each must migrate or see the migration, and
// write.
func TestSQLiteConcurrentProcesses(t *testing.T) {
	const n = 4
	dir := t.TempDir()
	children := make([]*child, n)
	for i := range children {
		children[i] = startChild(t, childOpen, dir)
	}
	for _, c := range children {
		c.waitReady(t)
	}
	for _, c := range children {
		if _, err := io.WriteString(c.stdin, "go\n"); err != nil {
			t.Fatal(err)
		}
	}
	for i, c := range children {
		if err := c.cmd.Wait(); err != nil {
			t.Errorf("child %d: %v; stderr: %s", i, err, strings.TrimSpace(c.stderr.String()))
		}
	}
	if t.Failed() {
		return
	}
	db, err := store.Open(context.Background(), "", dir, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	items, err := db.List(context.Background(), "procs", "")
	if err != nil || len(items) != n {
		t.Fatalf("List(procs) = %d items, %v; want %d", len(items), err, n)
	}
}
