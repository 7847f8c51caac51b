package stdin

import (
	"os"

	"golang.org/x/sys/unix"
)

// pipeSize is what a stdin pipe is grown to: a fast producer then fills
// reads of up to chunkSize instead of the default 64 KiB, with a quarter of
// the syscalls and wake-ups.
const pipeSize = 1 << 20

// growPipe enlarges f's pipe buffer when f is a pipe; anything else, or a
// refusal (an unprivileged user over /proc/sys/fs/pipe-max-size), is left
// as it is.
func growPipe(f *os.File) {
	fi, err := f.Stat()
	if err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		return
	}
	unix.FcntlInt(f.Fd(), unix.F_SETPIPE_SZ, pipeSize)
}
