package storagetest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Credentials of the test server's root user (the server accepts only these;
// it listens on 127.0.0.1 only).
const (
	AccessKey = "tokensim-test"
	SecretKey = "tokensim-test-secret"
)

// ErrNoServer: the versitygw binary was not found (build it with `make tools`).
var ErrNoServer = errors.New("storagetest: no versitygw binary")

// S3Server is a versitygw S3 gateway (posix backend, sidecar metadata)
// serving a local directory on 127.0.0.1.
type S3Server struct {
	Endpoint string // http://127.0.0.1:PORT
	cmd      *exec.Cmd
	done     chan error
	client   *s3.Client
}

// VersityGW returns the path of the versitygw binary: $TOKENSIM_VERSITYGW, or
// .tools/versitygw in the repository root above dir (a test's working
// directory); "" if there is none.
func VersityGW(dir string) string {
	if p := os.Getenv("TOKENSIM_VERSITYGW"); p != "" {
		return p
	}
	for d := dir; ; d = filepath.Dir(d) {
		p := filepath.Join(d, ".tools", "versitygw")
		if _, err := os.Stat(p); err == nil {
			return p
		}
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil && filepath.Base(d) != "tools" {
			return ""
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

// StartS3 starts the gateway bin serving root (created) on a free port of
// 127.0.0.1, waits (at most 20 s) until it accepts connections, and sets
// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_REGION in this process's
// environment (inherited by the tokensim processes the tests start).
func StartS3(bin, root string) (*S3Server, error) {
	if bin == "" {
		return nil, ErrNoServer
	}
	meta, data := filepath.Join(root, "meta"), filepath.Join(root, "data")
	for _, d := range []string{meta, data} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(bin, "--port", addr, "posix", "--sidecar", meta, data)
	cmd.Env = append(os.Environ(), "ROOT_ACCESS_KEY="+AccessKey, "ROOT_SECRET_KEY="+SecretKey)
	logf, err := os.Create(filepath.Join(root, "versitygw.log"))
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, err
	}
	s := &S3Server{Endpoint: "http://" + addr, cmd: cmd, done: make(chan error, 1)}
	go func() { s.done <- cmd.Wait(); logf.Close() }()
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			break
		}
		select {
		case err := <-s.done:
			return nil, fmt.Errorf("versitygw exited: %v (log in %s)", err, logf.Name())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.Stop()
			return nil, fmt.Errorf("versitygw did not listen on %s within 20 s", addr)
		}
	}
	os.Setenv("AWS_ACCESS_KEY_ID", AccessKey)
	os.Setenv("AWS_SECRET_ACCESS_KEY", SecretKey)
	os.Setenv("AWS_REGION", "us-east-1")
	s.client = s3.New(s3.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(s.Endpoint), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(AccessKey, SecretKey, ""),
	})
	return s, nil
}

// Bucket creates bucket name and returns the s3:// URL of prefix in it, with
// the query gocloud.dev/blob/s3blob needs to reach this server.
func (s *S3Server) Bucket(ctx context.Context, name, prefix string) (string, error) {
	if _, err := s.client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		return "", fmt.Errorf("creating bucket %s: %w", name, err)
	}
	return s.URL(name, prefix), nil
}

// URL returns the s3:// URL of prefix in bucket on this server.
func (s *S3Server) URL(bucket, prefix string) string {
	u := url.URL{Scheme: "s3", Host: bucket, Path: "/" + prefix,
		RawQuery: "endpoint=" + url.QueryEscape(s.Endpoint) + "&use_path_style=true&region=us-east-1"}
	return u.String()
}

// Client returns an S3 client of the server (for listing in tests).
func (s *S3Server) Client() *s3.Client { return s.client }

// Keys lists every key under prefix in bucket (tests only: tokensim itself
// never lists), at most 10,000.
func (s *S3Server) Keys(ctx context.Context, bucket, prefix string) ([]string, error) {
	var keys []string
	p := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() && len(keys) < 10000 {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, o := range out.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	return keys, nil
}

// Stop ends the server (SIGTERM, then SIGKILL after 5 s).
func (s *S3Server) Stop() {
	if s == nil || s.cmd.Process == nil {
		return
	}
	s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
}

// Port returns the server's TCP port.
func (s *S3Server) Port() int {
	u, _ := url.Parse(s.Endpoint)
	p, _ := strconv.Atoi(u.Port())
	return p
}

// ListMultipartUploads returns the number of multipart uploads in progress in bucket.
func (s *S3Server) ListMultipartUploads(ctx context.Context, bucket string) (int, error) {
	out, err := s.client.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket)})
	if err != nil {
		return 0, err
	}
	return len(out.Uploads), nil
}
