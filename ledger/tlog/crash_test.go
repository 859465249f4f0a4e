package tlog

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The crash test runs this test binary again as a child process that
// appends from 16 goroutines and prints "index leafhash" for every append
// acknowledged (returned by Append, so durable), while one more goroutine
// asks for the latest checkpoint every millisecond and prints
// "cp size hexnote" for each new one issued. The parent SIGKILLs it at a
// random moment, reopens the log and checks every acknowledged entry and
// that every checkpoint issued is served again with the same bytes.
const crashChildEnv = "TRAZO_LEDGER_CRASH_CHILD"

func TestMain(m *testing.M) {
	if dir := os.Getenv(crashChildEnv); dir != "" {
		os.Exit(crashChild(dir))
	}
	os.Exit(m.Run())
}

func crashChild(dir string) int {
	l, err := Open(dir, Options{Origin: testOrigin})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child open:", err)
		return 1
	}
	var mu sync.Mutex
	out := bufio.NewWriter(os.Stdout)
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			for i := 0; ; i++ {
				leaf := fmt.Appendf(nil, `{"pid":%d,"g":%d,"i":%d,"pad":"%s"}`, os.Getpid(), g, i, strings.Repeat("x", 200))
				rc, err := l.Append(context.Background(), leafFunc(leaf))
				if err != nil {
					fmt.Fprintln(os.Stderr, "child append:", err)
					os.Exit(1)
				}
				mu.Lock()
				fmt.Fprintf(out, "%d %x\n", rc.Index, rc.LeafHash)
				out.Flush() // one write per line: the parent sees only whole lines
				mu.Unlock()
			}
		})
	}
	wg.Go(func() {
		var last uint64
		for {
			note, size := l.LatestCheckpoint()
			if size != last {
				last = size
				mu.Lock()
				fmt.Fprintf(out, "cp %d %x\n", size, note)
				out.Flush()
				mu.Unlock()
			}
			time.Sleep(time.Millisecond)
		}
	})
	wg.Wait()
	return 0
}

func TestCrashSafetySIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("crash cycles start real processes; skipped with -short")
	}
	cycles := 20
	if s := os.Getenv("TRAZO_CRASH_CYCLES"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("TRAZO_CRASH_CYCLES=%q is not a positive number", s)
		}
		cycles = n
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	rnd := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 42))
	acked := map[uint64][]byte{}
	issued := map[uint64][]byte{} // checkpoints issued, by size
	for cycle := range cycles {
		cmd := exec.Command(exe, "-test.run=^$")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+dir)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string, 1<<16)
		go func() {
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		// Wait for the first acknowledgement, then kill at a random moment.
		first, ok := <-lines
		if !ok {
			cmd.Wait()
			t.Fatalf("cycle %d: child acknowledged nothing: %s", cycle, stderr.String())
		}
		time.Sleep(time.Duration(rnd.IntN(300)) * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		got := 0
		var cps []uint64 // sizes of the checkpoints issued in this cycle
		for _, line := range append([]string{first}, drain(lines)...) {
			if size, note, ok, err := parseCheckpointLine(line); ok {
				if err != nil {
					t.Fatalf("cycle %d: %v", cycle, err)
				}
				issued[size] = note
				cps = append(cps, size)
				continue
			}
			index, hash, err := parseAck(line)
			if err != nil {
				t.Fatalf("cycle %d: %v", cycle, err)
			}
			if _, dup := acked[index]; dup {
				t.Fatalf("cycle %d: index %d acknowledged twice", cycle, index)
			}
			acked[index] = hash
			got++
		}
		cmd.Wait()

		l, err := Open(dir, Options{Origin: testOrigin})
		if err != nil {
			t.Fatalf("cycle %d: reopen after SIGKILL: %v", cycle, err)
		}
		// Every acknowledged entry, read page by page (one read view a page,
		// not one an entry: the set grows with every cycle).
		found := 0
		for start := uint64(0); start < l.Size(); start += 4096 {
			page, err := l.Entries(start, 4096)
			if err != nil {
				t.Fatalf("cycle %d: read entries from %d: %v", cycle, start, err)
			}
			for i, e := range page {
				index := start + uint64(i)
				hash, ok := acked[index]
				if !ok {
					continue
				}
				found++
				if !bytes.Equal(LeafHash(e), hash) {
					t.Fatalf("cycle %d: entry %d has leaf hash %x, acknowledged %x", cycle, index, LeafHash(e), hash)
				}
			}
		}
		if found != len(acked) {
			for index := range acked {
				if index >= l.Size() {
					t.Fatalf("cycle %d: acknowledged entry %d lost: the log has %d entries", cycle, index, l.Size())
				}
			}
			t.Fatalf("cycle %d: %d of %d acknowledged entries found", cycle, found, len(acked))
		}
		if err := l.Verify(t.Context(), nil); err != nil {
			t.Fatalf("cycle %d: verify after SIGKILL: %v", cycle, err)
		}
		// Every checkpoint issued in this cycle, and some of the earlier
		// ones, is served again unchanged.
		thisCycle := len(cps)
		for range 20 {
			for size := range issued { // a random one
				cps = append(cps, size)
				break
			}
		}
		for _, size := range cps {
			note, err := l.CheckpointAt(size)
			if err != nil || !bytes.Equal(note, issued[size]) {
				t.Fatalf("cycle %d: checkpoint of size %d issued before the kill: served again %v, same bytes %v", cycle, size, err, bytes.Equal(note, issued[size]))
			}
		}
		size := l.Size()
		l.Close()
		t.Logf("cycle %d: %d acknowledged this cycle, %d in all, log size %d; %d checkpoints issued, all served again", cycle, got, len(acked), size, thisCycle)
	}
}

// drain returns every line still to come until the channel closes.
func drain(lines <-chan string) []string {
	var out []string
	for l := range lines {
		out = append(out, l)
	}
	return out
}

// parseCheckpointLine parses a "cp size hexnote" line; ok is false for
// any other line.
func parseCheckpointLine(line string) (size uint64, note []byte, ok bool, err error) {
	rest, ok := strings.CutPrefix(line, "cp ")
	if !ok {
		return 0, nil, false, nil
	}
	sz, hx, _ := strings.Cut(rest, " ")
	if size, err = strconv.ParseUint(sz, 10, 64); err != nil {
		return 0, nil, true, fmt.Errorf("malformed checkpoint line %q", line)
	}
	if note, err = hex.DecodeString(hx); err != nil || len(note) == 0 {
		return 0, nil, true, fmt.Errorf("malformed checkpoint line %q", line)
	}
	return size, note, true, nil
}

func parseAck(line string) (uint64, []byte, error) {
	idx, hx, ok := strings.Cut(line, " ")
	if !ok {
		return 0, nil, fmt.Errorf("malformed acknowledgement %q", line)
	}
	index, err := strconv.ParseUint(idx, 10, 64)
	if err != nil {
		return 0, nil, fmt.Errorf("malformed acknowledgement %q", line)
	}
	hash, err := hex.DecodeString(hx)
	if err != nil || len(hash) != 32 {
		return 0, nil, fmt.Errorf("malformed acknowledgement %q", line)
	}
	return index, hash, nil
}
