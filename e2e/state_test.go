package e2e

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"
)

// The agent's state in data_dir, read the way an operator would inspect
// it: pipelines/e2e/{buffer,inputs/app,outputs/<name>}.

func pipelineDir(dataDir string) string { return filepath.Join(dataDir, "pipelines", "e2e") }

func bufferDir(dataDir string) string { return filepath.Join(pipelineDir(dataDir), "buffer") }

func outputDir(dataDir, name string) string {
	return filepath.Join(pipelineDir(dataDir), "outputs", name)
}

// checkpointTotal sums the offsets in the file input's checkpoints.json:
// how many bytes of the log files are durable in the buffer. -1 while
// there is no readable checkpoint file.
func checkpointTotal(dataDir string) int64 {
	b, err := os.ReadFile(filepath.Join(pipelineDir(dataDir), "inputs", "app", "checkpoints.json"))
	if err != nil {
		return -1
	}
	var cp struct{ Files []struct{ Offset int64 } }
	if json.Unmarshal(b, &cp) != nil {
		return -1
	}
	var n int64
	for _, f := range cp.Files {
		n += f.Offset
	}
	return n
}

// waitCheckpoint waits until the checkpoints cover want bytes.
func waitCheckpoint(t *testing.T, dataDir string, want int64, d time.Duration) {
	t.Helper()
	if !waitFor(d, func() bool { return checkpointTotal(dataDir) == want }) {
		t.Fatalf("checkpoints cover %d bytes after %v, want %d", checkpointTotal(dataDir), d, want)
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// journalEntry is the part of a journal.log line the tests check.
type journalEntry struct {
	Op, ID, Key, SHA256, Spool string
	First, Last                uint64
}

// lastJournaled is the highest sequence number in a journaled batch.
func lastJournaled(entries []journalEntry) uint64 {
	var n uint64
	for _, e := range entries {
		if e.Op == "batch" {
			n = max(n, e.Last)
		}
	}
	return n
}

func readJournal(dataDir, output string) []journalEntry {
	f, err := os.Open(filepath.Join(outputDir(dataDir, output), "journal.log"))
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []journalEntry
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var e journalEntry
		if json.Unmarshal(sc.Bytes(), &e) == nil {
			out = append(out, e)
		}
	}
	return out
}

// undone lists the journaled batches without a "done" line.
func undone(entries []journalEntry) []journalEntry {
	done := map[string]bool{}
	for _, e := range entries {
		if e.Op == "done" {
			done[e.ID] = true
		}
	}
	var out []journalEntry
	for _, e := range entries {
		if e.Op == "batch" && !done[e.ID] {
			out = append(out, e)
		}
	}
	return out
}

// listDir returns the names in dir, sorted; none when it is missing.
func listDir(dir string) []string {
	ents, _ := os.ReadDir(dir)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

// segments lists the buffer's segment files, oldest first.
func segments(dataDir string) []string {
	var out []string
	for _, n := range listDir(bufferDir(dataDir)) {
		if filepath.Ext(n) == ".seg" {
			out = append(out, filepath.Join(bufferDir(dataDir), n))
		}
	}
	return out
}

// Buffer frames (agent/buffer/frame.go), little endian: magic(4) header
// CRC32C(4, of bytes 8..25) length(4) seq(8) kind(1) payload CRC32C(4)
// payload. Decoded here independently, to damage them on purpose.
const (
	frameHeader = 25
	kindEvent   = 1
	kindMarks   = 3
)

var frameMagic = []byte{0xA7, 0x5E, 0x1D, 0xC3}

type frameInfo struct {
	off, size int64 // where the frame starts; header + payload bytes
	seq       uint64
	kind      byte
	payload   []byte
}

// readFrames decodes an intact segment, failing the test on damage.
func readFrames(t *testing.T, path string) []frameInfo {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []frameInfo
	for off := 0; off < len(b); {
		f, err := decodeFrame(b[off:])
		if err != nil {
			t.Fatalf("%s at %d: %v", path, off, err)
		}
		f.off = int64(off)
		out = append(out, f)
		off += int(f.size)
	}
	return out
}

func decodeFrame(b []byte) (frameInfo, error) {
	if len(b) < frameHeader || string(b[:4]) != string(frameMagic) {
		return frameInfo{}, fmt.Errorf("no frame header")
	}
	crc := crc32.MakeTable(crc32.Castagnoli)
	if binary.LittleEndian.Uint32(b[4:]) != crc32.Checksum(b[8:frameHeader], crc) {
		return frameInfo{}, fmt.Errorf("bad header CRC")
	}
	n := int(binary.LittleEndian.Uint32(b[8:]))
	if len(b) < frameHeader+n {
		return frameInfo{}, fmt.Errorf("torn frame")
	}
	payload := b[frameHeader : frameHeader+n]
	if binary.LittleEndian.Uint32(b[21:]) != crc32.Checksum(payload, crc) {
		return frameInfo{}, fmt.Errorf("bad payload CRC")
	}
	return frameInfo{size: int64(frameHeader + n), seq: binary.LittleEndian.Uint64(b[12:]),
		kind: b[20], payload: payload}, nil
}
