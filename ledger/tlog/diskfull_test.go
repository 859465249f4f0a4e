package tlog

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestDiskFullOnTmpfs runs the ledger on a small tmpfs that the test mounts,
// fills the file system, and checks that appends are refused with
// ErrDiskFull (the server answers 503) instead of the process dying on a
// write into a memory-mapped page, that nothing acknowledged is lost, and
// that appends succeed again once space is freed, without a restart.
// Mounting needs root, which CI has.
func TestDiskFullOnTmpfs(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs needs root; CI runs as root")
	}
	mnt := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=128m", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Fatalf("mount tmpfs: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", mnt).Run() })

	dir := filepath.Join(mnt, "data")
	opts := Options{
		Origin:      testOrigin,
		Memory:      Memory{MemTableSize: 8 << 20, NumMemtables: 2, BlockCacheSize: 8 << 20, IndexCacheSize: 8 << 20},
		DiskReserve: 24 << 20,
	}
	l, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	acked := map[uint64][]byte{}
	appendOne := func(i int) (Receipt, error) {
		leaf := fmt.Appendf(nil, `{"i":%d,"pad":"%0200d"}`, i, i)
		rc, err := l.Append(t.Context(), leafFunc(leaf))
		if err == nil {
			acked[rc.Index] = rc.LeafHash
		}
		return rc, err
	}
	for i := range 1000 {
		if _, err := appendOne(i); err != nil {
			t.Fatalf("append %d with space left: %v", i, err)
		}
	}

	// Fill the file system until less than the reserve is free.
	free, err := freeBytes(dir)
	if err != nil {
		t.Fatal(err)
	}
	filler := filepath.Join(mnt, "filler")
	if err := os.WriteFile(filler, make([]byte, int(free)-(8<<20)), 0o600); err != nil {
		t.Fatalf("fill tmpfs: %v", err)
	}
	l.diskCheckedAt = 0 // the writer caches the answer for 100 ms
	size := l.Size()
	for i := range 20 {
		_, err := appendOne(1000 + i)
		if !errors.Is(err, ErrDiskFull) || !errors.Is(err, ErrStorage) {
			t.Fatalf("append on a full disk: err = %v, want ErrDiskFull wrapped in ErrStorage", err)
		}
	}
	if l.Size() != size {
		t.Fatalf("size changed from %d to %d while the disk was full", size, l.Size())
	}
	if err := l.Ready(t.Context()); !errors.Is(err, ErrDiskFull) {
		t.Errorf("Ready on a full disk = %v, want ErrDiskFull", err)
	}

	// Free the space: appends go on without a restart.
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	if err := l.Ready(t.Context()); err != nil {
		t.Fatalf("Ready after freeing space: %v", err)
	}
	rc, err := appendOne(2000)
	if err != nil {
		t.Fatalf("append after freeing space: %v", err)
	}
	if rc.Index != size {
		t.Errorf("append after freeing space got index %d, want %d", rc.Index, size)
	}
	for index, hash := range acked {
		e, err := l.Entry(index)
		if err != nil || !bytes.Equal(LeafHash(e), hash) {
			t.Fatalf("acknowledged entry %d lost or changed: %v", index, err)
		}
	}
	if err := l.Verify(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
}
