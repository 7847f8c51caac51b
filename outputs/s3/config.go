package s3

import (
	"errors"
	"net/url"
	"strings"

	"github.com/auditship/auditship/internal/component"
	"github.com/auditship/auditship/internal/template"
	"github.com/auditship/auditship/outputs/objectstore"
)

// Server-side encryption modes S3 accepts in server_side_encryption.
const (
	SSEAES256 = "AES256"
	SSEKMS    = "aws:kms"
)

// Config is the body of an `output "s3" "NAME"` block.
type Config struct {
	Bucket         string `hcl:"bucket"`
	Prefix         string `hcl:"prefix,optional"` // key prefix, without leading or trailing "/"
	Key            string `hcl:"key,optional"`    // key template under Prefix
	Region         string `hcl:"region,optional"`
	Endpoint       string `hcl:"endpoint,optional"` // S3-compatible service URL; empty is AWS
	ForcePathStyle bool   `hcl:"force_path_style,optional"`

	// Static credentials; without them the AWS default chain applies.
	AccessKeyID     string `hcl:"access_key_id,optional"`
	SecretAccessKey string `hcl:"secret_access_key,optional"`
	SessionToken    string `hcl:"session_token,optional"`

	ServerSideEncryption string `hcl:"server_side_encryption,optional"` // "" | AES256 | aws:kms
	KMSKeyID             string `hcl:"kms_key_id,optional"`

	Format      string `hcl:"format,optional"`      // ndjson | json_array
	Compression string `hcl:"compression,optional"` // none | gzip | zstd

	ObjectLock *ObjectLock `hcl:"object_lock,block"` // WORM retention of every object written
}

// ObjectLock is the `object_lock` block: the Object Lock retention set on
// every object the output writes (batches, manifests, checkpoints). The
// bucket must have Object Lock enabled.
type ObjectLock struct {
	Mode   string `hcl:"mode"`   // GOVERNANCE | COMPLIANCE
	Retain string `hcl:"retain"` // "7y", "90d", "36h"
}

func newConfig() *Config {
	return &Config{
		Key:         objectstore.DefaultName,
		Region:      "us-east-1",
		Format:      objectstore.FormatNDJSON,
		Compression: objectstore.CompressionGzip,
	}
}

// Validate reports every problem with the attributes. Messages never quote
// a credential.
func (c *Config) Validate() error {
	_, err := c.parse()
	return err
}

// parsed is a checked Config.
type parsed struct {
	codec objectstore.Codec
	key   *template.Template
	lock  *retention // nil without object_lock
}

func (c *Config) parse() (parsed, error) {
	var p parsed
	var err, lerr error
	p.codec, p.key, err = objectstore.Parse(c.Format, c.Compression, "key", c.Key)
	errs := []error{checkBucket(c.Bucket), checkPath("prefix", c.Prefix), err}
	if err == nil {
		errs = append(errs, checkPath("key", c.Key))
	}
	if strings.TrimSpace(c.Region) == "" {
		errs = append(errs, component.Errorf("region", "must name a region, such as \"us-east-1\""))
	}
	p.lock, lerr = c.ObjectLock.parse()
	errs = append(errs, checkEndpoint(c.Endpoint), c.checkCredentials(), c.checkSSE(), lerr)
	return p, errors.Join(errs...)
}

// checkBucket applies the S3 bucket naming rules, so that a typo fails at
// validate rather than as a permanent error at the first batch.
func checkBucket(b string) error {
	if strings.HasPrefix(b, "arn:") { // an access point ARN
		return nil
	}
	ok := len(b) >= 3 && len(b) <= 63 && alnum(b[0]) && alnum(b[len(b)-1]) && !strings.Contains(b, "..")
	for i := 0; ok && i < len(b); i++ {
		ok = alnum(b[i]) || b[i] == '-' || b[i] == '.'
	}
	if !ok {
		return component.Errorf("bucket", "%q is not a bucket name: 3-63 lower-case letters, digits, '.' and '-', "+
			"starting and ending with a letter or digit", b)
	}
	return nil
}

func alnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

// checkPath refuses leading "/", empty, "." and ".." segments in the prefix
// or the key template's own text: S3 would store them, but consoles, sync
// tools and file-system gateways mangle such keys.
func checkPath(attr, p string) error {
	if p == "" {
		return nil
	}
	if strings.HasPrefix(p, "/") {
		return component.Errorf(attr, "must not start with \"/\"")
	}
	segs := strings.Split(strings.TrimSuffix(p, "/"), "/")
	for _, seg := range segs {
		if seg == "" || seg == "." || seg == ".." {
			return component.Errorf(attr, "must not contain empty, \".\" or \"..\" segments")
		}
	}
	return nil
}

func checkEndpoint(e string) error {
	if e == "" {
		return nil
	}
	u, err := url.Parse(e)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https"):
		return component.Errorf("endpoint", "must be an http:// or https:// URL with a host")
	case u.User != nil:
		return component.Errorf("endpoint", "must not hold credentials; use access_key_id and secret_access_key")
	case u.RawQuery != "" || u.Fragment != "":
		return component.Errorf("endpoint", "must not have a query or fragment")
	}
	return nil
}

func (c *Config) checkCredentials() error {
	var errs []error
	if (c.AccessKeyID == "") != (c.SecretAccessKey == "") {
		errs = append(errs, component.Errorf("secret_access_key",
			"access_key_id and secret_access_key must be set together (or neither, for the AWS default chain)"))
	}
	if c.SessionToken != "" && c.AccessKeyID == "" {
		errs = append(errs, component.Errorf("session_token", "needs access_key_id and secret_access_key"))
	}
	return errors.Join(errs...)
}

func (c *Config) checkSSE() error {
	switch c.ServerSideEncryption {
	case "", SSEAES256:
		if c.KMSKeyID != "" {
			return component.Errorf("kms_key_id", "needs server_side_encryption = %q", SSEKMS)
		}
	case SSEKMS:
	default:
		return component.Errorf("server_side_encryption", "must be %q or %q, not %q",
			SSEAES256, SSEKMS, c.ServerSideEncryption)
	}
	return nil
}

// prefix is Prefix without a trailing "/".
func (c *Config) prefix() string { return strings.TrimSuffix(c.Prefix, "/") }

// KeySpace tells validate where this output writes, to reject two outputs
// whose keys can collide: s3://[endpoint host/]bucket/prefix.
func (c *Config) KeySpace() (dest, template string) {
	dest = "s3://"
	if u, err := url.Parse(c.Endpoint); err == nil && u.Host != "" {
		dest += u.Host + strings.TrimSuffix(u.Path, "/") + "/"
	}
	dest += c.Bucket
	if p := c.prefix(); p != "" {
		dest += "/" + p
	}
	return dest, c.Key
}
