package objectstore

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"io"

	"github.com/klauspost/compress/zstd"
)

// Decompress undoes a stored body's compression (none, gzip, zstd).
func Decompress(r io.Reader, compression string) (io.ReadCloser, error) {
	switch compression {
	case CompressionGzip:
		return gzip.NewReader(r)
	case CompressionZstd:
		d, err := zstd.NewReader(r)
		if err != nil {
			return nil, err
		}
		return d.IOReadCloser(), nil
	}
	return io.NopCloser(r), nil
}

// EachLine calls fn with each event line of a decoded body, numbered from
// 0, without its newline (and, in a JSON array, without the brackets'
// lines and the separating commas). The line is fn's until it returns:
// its bytes are then reused (a replay reads gigabytes through here).
func EachLine(r io.Reader, format string, fn func(i int, line []byte) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var long []byte // a line longer than br's buffer, put together
	for i := 0; ; {
		line, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			long = append(long[:0], line...)
			for err == bufio.ErrBufferFull {
				line, err = br.ReadSlice('\n')
				long = append(long, line...)
			}
			line = long
		}
		if err != nil && err != io.EOF {
			return err // what was read of the line is no line
		}
		line = bytes.TrimSuffix(line, []byte{'\n'})
		if format == FormatJSONArray {
			line = bytes.TrimSuffix(line, []byte(","))
			if s := string(line); s == "[" || s == "]" || s == "[]" {
				line = nil
			}
		}
		if len(line) > 0 {
			if ferr := fn(i, line); ferr != nil {
				return ferr
			}
			i++
		}
		if err == io.EOF {
			return nil
		}
	}
}
