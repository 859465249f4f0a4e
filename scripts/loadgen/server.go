package main

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// server is "trazo serve" running as a child process.
type server struct {
	bin, dir, addr string
	logFile        *os.File
	cmd            *exec.Cmd
	done           chan struct{}
	waitErr        error
}

var servingRE = regexp.MustCompile(`on http://(\S+) `)

// startServer starts "trazo serve" on dir and addr (127.0.0.1:0 for any
// port) and returns once it has printed the address it serves on. Its
// stderr (the JSON access log) goes to logFile.
func startServer(bin, dir, addr string, logFile *os.File) (*server, error) {
	s := &server{bin: bin, dir: dir, logFile: logFile, done: make(chan struct{})}
	s.cmd = exec.Command(bin, "serve", "--data-dir", dir, "--addr", addr)
	s.cmd.Stderr = logFile
	out, err := s.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	first := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			select {
			case first <- sc.Text():
			default:
			}
		}
		close(first)
	}()
	go func() { s.waitErr = s.cmd.Wait(); close(s.done) }()
	select {
	case line, ok := <-first:
		m := servingRE.FindStringSubmatch(line)
		if !ok || m == nil {
			s.kill()
			return nil, fmt.Errorf("trazo serve did not start (first line %q): %v; see %s", line, s.waitErr, logFile.Name())
		}
		s.addr = m[1]
		return s, nil
	case <-time.After(60 * time.Second):
		s.kill()
		return nil, fmt.Errorf("trazo serve printed nothing in 60 s; see %s", logFile.Name())
	}
}

func (s *server) url() string { return "http://" + s.addr }
func (s *server) pid() int    { return s.cmd.Process.Pid }

// stop sends SIGTERM and waits for the process to exit (killing it after
// 30 s); it returns how long the shutdown took.
func (s *server) stop() (time.Duration, error) {
	start := time.Now()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return 0, err
	}
	select {
	case <-s.done:
		return time.Since(start), s.waitErr
	case <-time.After(30 * time.Second):
		s.kill()
		return time.Since(start), fmt.Errorf("still running 30 s after SIGTERM")
	}
}

func (s *server) kill() {
	select {
	case <-s.done:
	default:
		s.cmd.Process.Signal(syscall.SIGKILL)
		<-s.done
	}
}

// restart stops the server with SIGTERM, starts it again on the same
// directory and address, and returns how long the shutdown took and how
// long from the new process's start until GET /readyz answered 200.
func (s *server) restart() (shutdown, ready time.Duration, err error) {
	shutdown, err = s.stop()
	if err != nil {
		return 0, 0, fmt.Errorf("shutdown: %w", err)
	}
	start := time.Now()
	n, err := startServer(s.bin, s.dir, s.addr, s.logFile)
	if err != nil {
		return shutdown, 0, err
	}
	*s = *n
	hc := &http.Client{Timeout: time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for ctx.Err() == nil {
		resp, err := hc.Get(s.url() + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return shutdown, time.Since(start), nil
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	return shutdown, 0, fmt.Errorf("/readyz not 200 within 60 s")
}

// procStatusKB returns a field of /proc/<pid>/status in KiB (VmHWM: peak
// resident set size; VmRSS: the current one).
func procStatusKB(pid int, field string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, pid)
}

// procCPU returns the CPU time (user and system) process pid has used.
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name may hold spaces; fields count from after its ')'.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	const ticks = 100 // USER_HZ on Linux
	return time.Duration(utime+stime) * time.Second / ticks
}

// selfCPU returns the CPU time this process (the load generator) has used.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// token mints a token with "trazo token".
func token(bin, dir, role, org, sub string) (string, error) {
	out, err := exec.Command(bin, "token", "--data-dir", dir, "--role", role, "--org", org, "--sub", sub, "--ttl", "12h").Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return "", fmt.Errorf("trazo token: %v: %s", err, ee.Stderr)
		}
		return "", fmt.Errorf("trazo token: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}
