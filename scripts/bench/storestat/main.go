// Command storestat reports what an object store holds after a bench run,
// as one line for the runner's -stat: objects, stored bytes, raw bytes
// (after gzip or zstd, by extension) and events (lines):
//
//	storestat -s3 http://127.0.0.1:7070 -bucket b [-create] [-delete]
//	storestat -azure "$CONN" -container c [-create] [-delete]
//
// S3 keys come from -access and -secret, else AUDITSHIP_TEST_S3_ACCESS_KEY
// and AUDITSHIP_TEST_S3_SECRET_KEY. -create makes the bucket or container
// and exits; -delete removes it and its objects after counting.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"
)

// store is the little the bench needs of a bucket or container.
type store interface {
	create(ctx context.Context) error
	list(ctx context.Context) ([]object, error)
	open(ctx context.Context, name string) (io.ReadCloser, error)
	remove(ctx context.Context, objs []object) error
}

type object struct {
	name string
	size int64
}

func main() {
	s3URL := flag.String("s3", "", "S3 endpoint URL (path-style)")
	bucket := flag.String("bucket", "", "S3 bucket")
	access := flag.String("access", os.Getenv("AUDITSHIP_TEST_S3_ACCESS_KEY"), "S3 access key id")
	secret := flag.String("secret", os.Getenv("AUDITSHIP_TEST_S3_SECRET_KEY"), "S3 secret key")
	azConn := flag.String("azure", "", "Azure Storage connection string")
	container := flag.String("container", "", "Azure container")
	create := flag.Bool("create", false, "create the bucket or container, then exit")
	remove := flag.Bool("delete", false, "delete the objects and the bucket or container after counting")
	flag.Parse()
	var st store
	var err error
	switch {
	case *s3URL != "" && *bucket != "":
		st = newS3(*s3URL, *bucket, *access, *secret)
	case *azConn != "" && *container != "":
		st, err = newAzure(*azConn, *container)
	default:
		err = errors.New("need -s3 URL -bucket NAME or -azure CONN -container NAME")
	}
	if err == nil {
		err = run(os.Stdout, st, *create, *remove)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "storestat:", err)
		os.Exit(1)
	}
}

func run(w io.Writer, st store, create, remove bool) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	if create {
		return st.create(ctx)
	}
	objs, err := st.list(ctx)
	if err != nil {
		return err
	}
	t, err := tally(ctx, st, objs)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, t.objects, t.stored, t.raw, t.events)
	if remove {
		return st.remove(ctx, objs)
	}
	return nil
}
