module github.com/ferryhq/ferry/transforms/wasm/examples/go

go 1.24
