package tlog

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// backupMagic is the first line of a backup stream. After it comes one line
// of JSON (backupHeader), then Badger's own backup stream to the end.
const backupMagic = "TRAZO-BACKUP 1\n"

// backupHeader describes a backup. Files holds the data directory's
// top-level files (the log's note key and every key file kept beside the
// store): a backup is as secret as the data directory itself.
type backupHeader struct {
	Origin string            `json:"origin"`
	Size   uint64            `json:"size"`
	Root   []byte            `json:"root"`
	Files  map[string][]byte `json:"files"`
}

// BackupInfo describes a backup written or restored.
type BackupInfo struct {
	Origin string
	Size   uint64 // tree size the backup guarantees
	Root   []byte // root at Size
}

// Backup writes a consistent backup of the log to w while the log stays
// open for appends: the data directory's key files, then a snapshot of the
// store, with every checkpoint issued before it. The snapshot holds at
// least Size entries (appends that commit
// while it runs may be included too). It returns the size and root it
// guarantees, or an error from reading the files or writing to w.
func (l *Log) Backup(w io.Writer) (BackupInfo, error) {
	// Store the checkpoints issued so far first, so that the backup has
	// every one of them.
	if err := l.Exclusive(context.Background(), l.persistCheckpoints); err != nil {
		return BackupInfo{}, err
	}
	l.mu.RLock()
	info := BackupInfo{Origin: l.opts.Origin, Size: l.head.size, Root: append([]byte(nil), l.head.root...)}
	l.mu.RUnlock()
	files, err := topLevelFiles(l.dir)
	if err != nil {
		return BackupInfo{}, err
	}
	hdr, err := json.Marshal(backupHeader{Origin: info.Origin, Size: info.Size, Root: info.Root, Files: files})
	if err != nil {
		return BackupInfo{}, err
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	if _, err := io.WriteString(bw, backupMagic); err != nil {
		return BackupInfo{}, fmt.Errorf("tlog: write backup: %w", err)
	}
	if _, err := bw.Write(append(hdr, '\n')); err != nil {
		return BackupInfo{}, fmt.Errorf("tlog: write backup: %w", err)
	}
	if _, err := l.db.Backup(bw, 0); err != nil {
		return BackupInfo{}, fmt.Errorf("tlog: write backup: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return BackupInfo{}, fmt.Errorf("tlog: write backup: %w", err)
	}
	return info, nil
}

// topLevelFiles reads the regular files directly in dir (key files), but
// not the lock file nor Badger's directory.
func topLevelFiles(dir string) (map[string][]byte, error) {
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("tlog: read data directory: %w", err)
	}
	files := make(map[string][]byte)
	for _, de := range des {
		if !de.Type().IsRegular() || de.Name() == "LOCK" || strings.HasPrefix(de.Name(), ".") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, de.Name()))
		if err != nil {
			return nil, fmt.Errorf("tlog: read %s: %w", de.Name(), err)
		}
		files[de.Name()] = b
	}
	return files, nil
}

// Restore rebuilds a data directory from a backup stream read from r. dir
// must not exist or be empty. The restored log is opened and checked: its
// tree head must match its nodes, and its root at the backup's size must
// be the root the backup recorded. opts must carry the same Origin and, for
// an encrypted store, the EncryptionKey to use for the restored store. It
// returns what the backup guaranteed, or an error, in which case dir may
// hold a partial restore and should be removed.
func Restore(dir string, r io.Reader, opts Options) (BackupInfo, error) {
	if des, err := os.ReadDir(dir); err == nil && len(des) > 0 {
		return BackupInfo{}, fmt.Errorf("tlog: restore into %s: directory is not empty", dir)
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return BackupInfo{}, fmt.Errorf("tlog: restore into %s: %w", dir, err)
	}
	br := bufio.NewReaderSize(r, 1<<20)
	magic := make([]byte, len(backupMagic))
	if _, err := io.ReadFull(br, magic); err != nil || string(magic) != backupMagic {
		return BackupInfo{}, errors.New("tlog: restore: not a Trazo backup")
	}
	line, err := br.ReadBytes('\n')
	if err != nil {
		return BackupInfo{}, fmt.Errorf("tlog: restore: backup header: %w", err)
	}
	var hdr backupHeader
	if err := json.Unmarshal(line, &hdr); err != nil {
		return BackupInfo{}, fmt.Errorf("tlog: restore: backup header: %w", err)
	}
	if opts.Origin == "" {
		opts.Origin = hdr.Origin
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return BackupInfo{}, fmt.Errorf("tlog: restore: %w", err)
	}
	for name, b := range hdr.Files {
		if name != filepath.Base(name) || name == "LOCK" || name == "." || name == ".." {
			return BackupInfo{}, fmt.Errorf("tlog: restore: bad file name %q in backup", name)
		}
		perm := os.FileMode(0o600)
		if name == verifierKeyFile {
			perm = 0o644
		}
		if err := writeFileSync(filepath.Join(dir, name), b, perm); err != nil {
			return BackupInfo{}, fmt.Errorf("tlog: restore: %w", err)
		}
	}
	lock, err := lockDir(dir)
	if err != nil {
		return BackupInfo{}, err
	}
	db, err := openStore(dir, opts.withDefaults())
	if err != nil {
		lock.Close()
		return BackupInfo{}, err
	}
	loadErr := db.Load(br, 256)
	closeErr := db.Close()
	lock.Close()
	if loadErr != nil {
		return BackupInfo{}, fmt.Errorf("tlog: restore: load store: %w", loadErr)
	}
	if closeErr != nil {
		return BackupInfo{}, fmt.Errorf("tlog: restore: close store: %w", closeErr)
	}

	l, err := Open(dir, opts)
	if err != nil {
		return BackupInfo{}, fmt.Errorf("tlog: restore: open restored log: %w", err)
	}
	defer l.Close()
	root, err := l.RootAt(hdr.Size)
	if err != nil {
		return BackupInfo{}, fmt.Errorf("tlog: restore: restored log is shorter than the backup's size %d: %w", hdr.Size, err)
	}
	if !bytes.Equal(root, hdr.Root) {
		return BackupInfo{}, fmt.Errorf("%w: restored root at size %d is %x, backup recorded %x", ErrCorrupt, hdr.Size, root, hdr.Root)
	}
	return BackupInfo{Origin: hdr.Origin, Size: hdr.Size, Root: hdr.Root}, nil
}
