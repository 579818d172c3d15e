//go:build tools

// Package tools pins the test servers that tokensim's cluster tests start
// (`make check-cluster`): versitygw, an S3-compatible gateway (Apache-2.0)
// serving a local directory. It is a separate module so that the server's
// dependencies stay out of tokensim's go.mod; build it with
//
//	cd tools && go build -o ../.tools/versitygw github.com/versity/versitygw/cmd/versitygw
package tools

import _ "github.com/versity/versitygw/cmd/versitygw"
