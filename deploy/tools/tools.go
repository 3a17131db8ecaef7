//go:build tools

// Package tools pins the versions of the development servers that make run
// and make test build from source, so the application's go.mod stays clean.
package tools

import _ "github.com/versity/versitygw/cmd/versitygw"
