//go:build !linux

package bolt

// mmapFlags is zero where MAP_POPULATE does not exist.
const mmapFlags = 0
