//go:build !linux

package dbtest

// memoryDir finds no memory file system where /dev/shm is not Linux's.
func memoryDir() string { return "" }
