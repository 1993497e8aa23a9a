package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// userHZ is the unit of /proc CPU times (USER_HZ, 100 on every Linux ABI).
const userHZ = 100

// cpuSample is the CPU time used so far by the machine, the validators and
// this process. It shows where the window's CPU went: a 2-core box shared
// by four validators and the load generator is CPU-bound, and other work on
// the machine skews the result.
type cpuSample struct {
	at      time.Time
	total   float64   // all CPUs, busy+idle, seconds
	idle    float64   // idle+iowait, seconds
	nodes   []float64 // per validator process, seconds (-1: unknown)
	self    float64
	ok      bool
	numCPUs int
}

// nodePIDs reads <home>/node<i>/trustedged.pid as scripts/localnet.sh writes
// them; n < 1 takes every node<i> the localnet has (as many as node0,
// node1, … exist).
func nodePIDs(home string, n int) []int {
	if n < 1 {
		for n = 0; ; n++ {
			if _, err := os.Stat(filepath.Join(home, fmt.Sprintf("node%d", n))); err != nil {
				break
			}
		}
	}
	pids := make([]int, n)
	for i := range pids {
		bz, err := os.ReadFile(filepath.Join(home, fmt.Sprintf("node%d", i), "trustedged.pid"))
		pids[i] = -1
		if err == nil {
			if p, err := strconv.Atoi(strings.TrimSpace(string(bz))); err == nil {
				pids[i] = p
			}
		}
	}
	return pids
}

func sampleCPU(pids []int) cpuSample {
	s := cpuSample{at: time.Now(), nodes: make([]float64, len(pids))}
	bz, err := os.ReadFile("/proc/stat")
	if err != nil {
		return s
	}
	for _, line := range strings.Split(string(bz), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if f[0] == "cpu" && len(f) >= 9 {
			var v [8]float64
			for i := range v {
				v[i], _ = strconv.ParseFloat(f[i+1], 64)
			}
			for _, x := range v {
				s.total += x / userHZ
			}
			s.idle = (v[3] + v[4]) / userHZ
			s.ok = true
		} else if strings.HasPrefix(f[0], "cpu") {
			s.numCPUs++
		}
	}
	for i, p := range pids {
		s.nodes[i] = procCPU(p)
	}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		s.self = float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
	}
	return s
}

// procCPU is utime+stime of a process in seconds, -1 if unknown.
func procCPU(pid int) float64 {
	if pid <= 0 {
		return -1
	}
	bz, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return -1
	}
	s := string(bz)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return -1
	}
	f := strings.Fields(s[i+1:]) // f[0] is field 3 (state)
	if len(f) < 13 {
		return -1
	}
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) / userHZ
}

// cpuReport describes the CPU use between two samples, in cores, and the
// validators' CPU per committed tx.
func cpuReport(a, b cpuSample, committed int) string {
	if !a.ok || !b.ok {
		return "cpu: /proc not available"
	}
	wall := b.at.Sub(a.at).Seconds()
	if wall <= 0 {
		return ""
	}
	var nodes float64
	per := make([]string, len(a.nodes))
	for i := range a.nodes {
		if a.nodes[i] < 0 || b.nodes[i] < 0 {
			per[i] = "?"
			continue
		}
		d := b.nodes[i] - a.nodes[i]
		nodes += d
		per[i] = fmt.Sprintf("%.2f", d/wall)
	}
	self := b.self - a.self
	busy := (b.total - a.total) - (b.idle - a.idle)
	other := busy - nodes - self
	msg := fmt.Sprintf("cpu (cores of %d): validators %.2f [%s], tebench %.2f, other processes %.2f, idle %.2f",
		max(a.numCPUs, 1), nodes/wall, strings.Join(per, " "), self/wall, max(other, 0)/wall, (b.idle-a.idle)/wall)
	if committed > 0 {
		msg += fmt.Sprintf("; validator CPU per committed tx %.2f ms (all %d nodes)", nodes/float64(committed)*1000, len(a.nodes))
	}
	return msg
}
