// Command lines is the ceiling for reading: it only splits its input into
// lines (bytes.IndexByte over 1 MiB reads) and prints the count, so the
// bench can show how far the agent is from the cost of merely reading.
package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
)

func main() {
	n, err := countLines(os.Stdin, make([]byte, 1<<20))
	if err != nil {
		fmt.Fprintln(os.Stderr, "lines:", err)
		os.Exit(1)
	}
	fmt.Println(n)
}

// countLines visits every line the way a reader must (find each '\n'),
// without doing anything with it.
func countLines(r io.Reader, buf []byte) (int, error) {
	n := 0
	for {
		k, err := r.Read(buf)
		for b := buf[:k]; ; n++ {
			i := bytes.IndexByte(b, '\n')
			if i < 0 {
				break
			}
			b = b[i+1:]
		}
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}
