package dataplane

import (
	"bufio"
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	edgetypes "github.com/trustedge/trustedge/x/edge/types"
)

// loadSampler measures what MsgHeartbeat reports: this process's CPU (in
// millicores, over the time since the previous sample) and resident memory,
// the server's network throughput (all interfaces but loopback, from
// /proc/net/dev), and the bytes under the node's data directories (the
// chain's data and the stream store). Readings
// it cannot take (another OS, no /proc) are reported as 0, never guessed.
// Active tasks stay 0 until a task module assigns work to nodes.
type loadSampler struct {
	dataDirs []string

	lastWall time.Time
	lastCPU  time.Duration
	lastNet  uint64
}

func newLoadSampler(dataDirs ...string) *loadSampler {
	s := &loadSampler{dataDirs: outermost(dataDirs)}
	s.lastWall, s.lastCPU, s.lastNet = time.Now(), processCPU(), netBytes()
	return s
}

// Sample returns the load since the previous call (or since construction).
func (s *loadSampler) Sample() edgetypes.Load {
	now, cpu, net := time.Now(), processCPU(), netBytes()
	wall := now.Sub(s.lastWall)
	var l edgetypes.Load
	if wall > 0 {
		if cpu > s.lastCPU {
			l.CpuMillicores = uint64((cpu - s.lastCPU) * 1000 / wall)
		}
		if net > s.lastNet {
			l.BandwidthKbps = (net - s.lastNet) * 8 * uint64(time.Second) / uint64(wall) / 1000
		}
	}
	s.lastWall, s.lastCPU, s.lastNet = now, cpu, net
	l.MemoryMib = residentBytes() >> 20
	var bytes uint64
	for _, d := range s.dataDirs {
		bytes += dirBytes(d)
	}
	l.StorageGib = bytes >> 30
	return l
}

// outermost drops empty dirs, repeats and dirs inside another of dirs (a
// stream store kept at the old default, <home>/data/streams), so no byte
// counts twice.
func outermost(dirs []string) []string {
	var clean []string
	for _, d := range dirs {
		if d == "" {
			continue
		}
		if abs, err := filepath.Abs(d); err == nil {
			d = abs
		}
		if d = filepath.Clean(d); !slices.Contains(clean, d) {
			clean = append(clean, d)
		}
	}
	var out []string
	for _, d := range clean {
		inside := false
		for _, o := range clean {
			rel, err := filepath.Rel(o, d)
			if o != d && err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				inside = true
			}
		}
		if !inside {
			out = append(out, d)
		}
	}
	return out
}

// processCPU is the user + system CPU time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// residentBytes is the process's resident set (Linux /proc/self/statm).
func residentBytes() uint64 {
	bz, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	fields := strings.Fields(string(bz))
	if len(fields) < 2 {
		return 0
	}
	pages, err := strconv.ParseUint(fields[1], 10, 64)
	if err != nil {
		return 0
	}
	return pages * uint64(os.Getpagesize())
}

// netBytes sums received and sent bytes over every interface but loopback
// (Linux /proc/net/dev): the edge server's traffic, not only this process's.
func netBytes() uint64 {
	bz, err := os.ReadFile("/proc/net/dev")
	if err != nil {
		return 0
	}
	var total uint64
	sc := bufio.NewScanner(bytes.NewReader(bz))
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok || strings.TrimSpace(name) == "lo" {
			continue
		}
		f := strings.Fields(rest)
		if len(f) < 9 { // rx bytes is field 0, tx bytes field 8
			continue
		}
		rx, err1 := strconv.ParseUint(f[0], 10, 64)
		tx, err2 := strconv.ParseUint(f[8], 10, 64)
		if err1 == nil && err2 == nil {
			total += rx + tx
		}
	}
	return total
}

// dirBytes is the apparent size of the files under dir (0 if unreadable).
func dirBytes(dir string) uint64 {
	if dir == "" {
		return 0
	}
	var total uint64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // a file removed mid-walk (compaction) is not an error
		}
		if d.Type().IsRegular() {
			if info, err := d.Info(); err == nil {
				total += uint64(info.Size())
			}
		}
		return nil
	})
	return total
}
