package buffer

import (
	"encoding/binary"
	"hash/crc32"
)

// Frame layout, little endian:
//
//	0  magic      4
//	4  header CRC 4  (CRC32C of bytes 8..24)
//	8  length     4  (payload bytes)
//	12 seq        8
//	20 kind       1
//	21 data CRC   4  (CRC32C of the payload)
//	25 payload
const headerSize = 25

// magic is unlikely in text logs, so resync after damage rarely stops on
// a false candidate (and the CRCs reject those anyway).
var magic = [4]byte{0xA7, 0x5E, 0x1D, 0xC3}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

type header struct {
	length uint32
	seq    uint64
	kind   Kind
	sum    uint32
}

// frame is a decoded record; data aliases the reader's buffer.
type frame struct {
	seq  uint64
	kind Kind
	data []byte
}

// appendFrame encodes one record at the end of buf.
func appendFrame(buf []byte, seq uint64, kind Kind, payload []byte) []byte {
	n := len(buf)
	buf = append(buf, make([]byte, headerSize)...)
	h := buf[n:]
	copy(h, magic[:])
	binary.LittleEndian.PutUint32(h[8:], uint32(len(payload)))
	binary.LittleEndian.PutUint64(h[12:], seq)
	h[20] = byte(kind)
	binary.LittleEndian.PutUint32(h[21:], crc32.Checksum(payload, castagnoli))
	binary.LittleEndian.PutUint32(h[4:], crc32.Checksum(h[8:headerSize], castagnoli))
	return append(buf, payload...)
}

// parseHeader checks the magic, the header CRC and the length bound, so a
// damaged length is rejected before anything is allocated for it.
func parseHeader(b []byte, maxLen int64) (header, bool) {
	if [4]byte(b[:4]) != magic {
		return header{}, false
	}
	if binary.LittleEndian.Uint32(b[4:]) != crc32.Checksum(b[8:headerSize], castagnoli) {
		return header{}, false
	}
	h := header{
		length: binary.LittleEndian.Uint32(b[8:]),
		seq:    binary.LittleEndian.Uint64(b[12:]),
		kind:   Kind(b[20]),
		sum:    binary.LittleEndian.Uint32(b[21:]),
	}
	return h, int64(h.length) <= maxLen
}

// frameBytes is the encoded size of a record with n payload bytes.
func frameBytes(n int) int64 { return int64(headerSize + n) }
