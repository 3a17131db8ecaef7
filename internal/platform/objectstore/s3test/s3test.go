// Package s3test gives tests a real S3-compatible bucket of their own.
//
// `make test` starts versitygw and sets VANTHU_TEST_S3_ENDPOINT,
// VANTHU_TEST_S3_ACCESS_KEY, VANTHU_TEST_S3_SECRET_KEY and
// VANTHU_TEST_VERSITYGW (the binary, for tests that start and stop a server
// of their own). Without them the test fails rather than skips.
package s3test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"vanthu/internal/platform/objectstore"
)

func env(t testing.TB, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		t.Fatalf("%s is not set: run the tests with 'make test', which starts a throwaway S3 server", name)
	}
	return v
}

// Config returns settings for a new, empty bucket on the shared test
// server; the bucket and its objects are removed at cleanup.
func Config(t testing.TB) objectstore.Config {
	t.Helper()
	cfg := objectstore.Config{
		Endpoint:  env(t, "VANTHU_TEST_S3_ENDPOINT"),
		Region:    "us-east-1",
		Bucket:    "t-" + randomHex(8),
		AccessKey: env(t, "VANTHU_TEST_S3_ACCESS_KEY"),
		SecretKey: env(t, "VANTHU_TEST_S3_SECRET_KEY"),
	}
	t.Cleanup(func() { removeBucket(t, cfg) })
	return cfg
}

// NewStore returns a store on a new bucket that already exists.
func NewStore(t testing.TB) *objectstore.Store {
	t.Helper()
	return NewStoreFor(t, Config(t))
}

// NewStoreFor returns a store for cfg with its bucket created.
func NewStoreFor(t testing.TB, cfg objectstore.Config) *objectstore.Store {
	t.Helper()
	st, err := objectstore.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.EnsureBucket(context.Background()); err != nil {
		t.Fatalf("create test bucket: %v", err)
	}
	return st
}

func removeBucket(t testing.TB, cfg objectstore.Config) {
	c, err := minio.New(cfg.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""), Region: cfg.Region})
	if err != nil {
		t.Errorf("cleanup client: %v", err)
		return
	}
	ctx := context.Background()
	if ok, err := c.BucketExists(ctx, cfg.Bucket); err != nil || !ok {
		return
	}
	for obj := range c.ListObjects(ctx, cfg.Bucket, minio.ListObjectsOptions{Recursive: true, WithVersions: true}) {
		if obj.Err != nil {
			break
		}
		_ = c.RemoveObject(ctx, cfg.Bucket, obj.Key, minio.RemoveObjectOptions{VersionID: obj.VersionID, ForceDelete: true})
	}
	_ = c.RemoveBucket(ctx, cfg.Bucket)
}

// Server is a versitygw process owned by one test.
type Server struct {
	Endpoint  string
	AccessKey string
	SecretKey string
	dir       string
	bin       string
	cmd       *exec.Cmd
}

// StartServer starts a private versitygw on a free port, stopped at cleanup.
func StartServer(t testing.TB) *Server {
	t.Helper()
	s := &Server{
		AccessKey: "test-access",
		SecretKey: "test-secret-" + randomHex(4),
		dir:       t.TempDir(),
		bin:       env(t, "VANTHU_TEST_VERSITYGW"),
		Endpoint:  freeAddr(t),
	}
	s.Start(t)
	t.Cleanup(func() { s.Stop(t) })
	return s
}

// Start (re)starts the process on the same address and data folder.
func (s *Server) Start(t testing.TB) {
	t.Helper()
	for _, d := range []string{"data", "versions"} {
		if err := os.MkdirAll(filepath.Join(s.dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	s.cmd = exec.Command(s.bin, "--port", s.Endpoint, "--access", s.AccessKey, "--secret", s.SecretKey, "--quiet",
		"posix", "--versioning-dir", filepath.Join(s.dir, "versions"), filepath.Join(s.dir, "data"))
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start versitygw: %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.DialTimeout("tcp", s.Endpoint, 100*time.Millisecond); err == nil {
			c.Close()
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("versitygw did not listen on %s", s.Endpoint)
}

// Stop ends the process; stopping a stopped server does nothing.
func (s *Server) Stop(t testing.TB) {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	s.cmd = nil
}

// Config returns store settings for bucket on this server.
func (s *Server) Config(bucket string) objectstore.Config {
	return objectstore.Config{Endpoint: s.Endpoint, Region: "us-east-1", Bucket: bucket, AccessKey: s.AccessKey, SecretKey: s.SecretKey}
}

func freeAddr(t testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
