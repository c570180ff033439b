package main

import (
	"bufio"
	"encoding/binary"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// dropStartupPages unmaps the pages of ferry's own executable that the
// start-up touched, so that only the code and tables used afterwards stay in
// the process's resident set. Every package's init runs before main (about
// 380 in this binary, spread over 35 MB of code and 37 MB of tables), and the
// kernel maps at least 64 KiB of the file around each page a fault touches:
// after init ferry held about 34 MB of its binary, of which `make bench-kc`
// used only two thirds later (RssFile 31 MB at the end of a run with the
// drop, 44 MB without). The pages stay in the page cache (a later fault maps
// them again from there, no disk read), so a memory cgroup, which counts the
// page cache, sees no change; the process's RSS does.
//
// Only read-only, unwritten pages are dropped: a page of the mapping that
// holds a private copy (a debugger's or uprobe's breakpoint) is kept, so
// madvise(MADV_DONTNEED) never discards a change. Any failure leaves
// everything mapped.
func dropStartupPages() {
	if exe, err := os.Executable(); err == nil {
		dropFilePages(exe)
	}
}

// dropFilePages unmaps the pages of the process's read-only private
// mappings of file that hold no private copy.
func dropFilePages(file string) {
	maps, err := os.Open("/proc/self/maps")
	if err != nil {
		return
	}
	defer maps.Close()
	pagemap, err := os.Open("/proc/self/pagemap")
	if err != nil {
		return
	}
	defer pagemap.Close()
	page := uintptr(os.Getpagesize())
	sc := bufio.NewScanner(maps)
	for sc.Scan() {
		start, end, ok := readOnlyMapping(sc.Text(), file)
		if !ok {
			continue
		}
		flags, err := pageFlags(pagemap, start, end, page)
		if err != nil {
			return
		}
		for _, r := range droppable(flags) {
			syscall.Syscall(syscall.SYS_MADVISE, start+uintptr(r[0])*page, uintptr(r[1]-r[0])*page, syscall.MADV_DONTNEED)
		}
	}
}

// readOnlyMapping parses one line of /proc/self/maps: the range of a mapping
// of file that is neither writable nor shared.
func readOnlyMapping(line, file string) (start, end uintptr, ok bool) {
	f := strings.Fields(line)
	if len(f) < 6 || f[5] != file || len(f[1]) != 4 || f[1][1] == 'w' || f[1][3] != 'p' {
		return 0, 0, false
	}
	a, b, found := strings.Cut(f[0], "-")
	if !found {
		return 0, 0, false
	}
	s, err1 := strconv.ParseUint(a, 16, 64)
	e, err2 := strconv.ParseUint(b, 16, 64)
	if err1 != nil || err2 != nil || e <= s {
		return 0, 0, false
	}
	return uintptr(s), uintptr(e), true
}

// pageFlags reads the pagemap entries (one uint64 a page) of [start, end).
func pageFlags(pagemap io.ReaderAt, start, end, page uintptr) ([]uint64, error) {
	n := int((end - start) / page)
	buf := make([]byte, 8*n)
	if _, err := pagemap.ReadAt(buf, int64(start/page*8)); err != nil {
		return nil, err
	}
	flags := make([]uint64, n)
	for i := range flags {
		flags[i] = binary.LittleEndian.Uint64(buf[8*i:])
	}
	return flags, nil
}

// The pagemap bits dropStartupPages reads (the kernel's
// Documentation/admin-guide/mm/pagemap.rst).
const (
	pagePresent = 1 << 63
	pageFile    = 1 << 61 // file-backed or shared: not a private copy
)

// droppable returns the runs [from, to) of pages that hold no private copy:
// absent pages and pages mapped from the file, never a present page that is
// not (a copy written over the file's page).
func droppable(flags []uint64) [][2]int {
	var runs [][2]int
	from := -1
	for i, f := range flags {
		copied := f&pagePresent != 0 && f&pageFile == 0
		switch {
		case copied && from >= 0:
			runs = append(runs, [2]int{from, i})
			from = -1
		case !copied && from < 0:
			from = i
		}
	}
	if from >= 0 {
		runs = append(runs, [2]int{from, len(flags)})
	}
	return runs
}
