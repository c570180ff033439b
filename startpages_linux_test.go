package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

func TestDroppable(t *testing.T) {
	const file, copied, absent = pagePresent | pageFile, pagePresent, 0
	cases := []struct {
		name  string
		flags []uint64
		want  [][2]int
	}{
		{"none", nil, nil},
		{"all from the file", []uint64{file, file, absent, file}, [][2]int{{0, 4}}},
		{"a private copy splits the run", []uint64{file, copied, absent, file}, [][2]int{{0, 1}, {2, 4}}},
		{"copies at both ends", []uint64{copied, file, file, copied}, [][2]int{{1, 3}}},
		{"only copies", []uint64{copied, copied}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := droppable(tc.flags); !slices.Equal(got, tc.want) {
				t.Errorf("droppable = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestReadOnlyMapping(t *testing.T) {
	const exe = "/usr/bin/ferry"
	cases := []struct {
		line       string
		start, end uintptr
		ok         bool
	}{
		{"00400000-0279d000 r-xp 00000000 fe:00 99 /usr/bin/ferry", 0x400000, 0x279d000, true},
		{"0279d000-04cf1000 r--p 0239d000 fe:00 99 /usr/bin/ferry", 0x279d000, 0x4cf1000, true},
		{"04cf1000-04ef4000 rw-p 048f1000 fe:00 99 /usr/bin/ferry", 0, 0, false},
		{"04cf1000-04ef4000 r--s 048f1000 fe:00 99 /usr/bin/ferry", 0, 0, false},
		{"7f4643b5f000-7f4643cb5000 r-xp 00026000 fe:00 3 /usr/lib/libc.so.6", 0, 0, false},
		{"371217c00000-371218800000 rw-p 00000000 00:00 0", 0, 0, false},
	}
	for _, tc := range cases {
		start, end, ok := readOnlyMapping(tc.line, exe)
		if start != tc.start || end != tc.end || ok != tc.ok {
			t.Errorf("%q: %#x-%#x %v, want %#x-%#x %v", tc.line, start, end, ok, tc.start, tc.end, tc.ok)
		}
	}
}

// TestDropFilePagesKeepsCopies maps a file read-only and private with one
// page written over (a private copy, as a breakpoint makes in code): after
// dropFilePages the other pages are no longer resident, and the written page
// still reads as written.
func TestDropFilePagesKeepsCopies(t *testing.T) {
	page := os.Getpagesize()
	path := filepath.Join(t.TempDir(), "exe")
	if err := os.WriteFile(path, bytes.Repeat([]byte{'f'}, 8*page), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := syscall.Mmap(int(f.Fd()), 0, 8*page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Munmap(m)
	for i := 0; i < 8; i++ {
		if m[i*page] != 'f' { // faults every page in
			t.Fatalf("page %d reads %q", i, m[i*page])
		}
	}
	m[3*page] = 'c'
	if err := syscall.Mprotect(m, syscall.PROT_READ); err != nil {
		t.Fatal(err)
	}
	before := residentPages(t, path)
	dropFilePages(path)
	after := residentPages(t, path)
	if m[3*page] != 'c' {
		t.Fatalf("the private copy was dropped: page 3 reads %q, want 'c'", m[3*page])
	}
	if before != 8 || after != 1 {
		t.Errorf("resident pages of the mapping %d before, %d after, want 8 and 1 (the copy)", before, after)
	}
}

// residentPages is the Rss of the process's mappings of path, in pages.
func residentPages(t *testing.T, path string) int {
	t.Helper()
	smaps, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	kb, in := 0, false
	for _, line := range strings.Split(string(smaps), "\n") {
		fields := strings.Fields(line)
		switch {
		case len(fields) >= 5 && strings.Contains(fields[0], "-") && !strings.HasSuffix(fields[0], ":"):
			in = len(fields) >= 6 && fields[5] == path
		case in && len(fields) == 3 && fields[0] == "Rss:":
			n, _ := strconv.Atoi(fields[1])
			kb += n
		}
	}
	return kb * 1024 / os.Getpagesize()
}
