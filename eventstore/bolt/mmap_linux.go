package bolt

import "syscall"

// mmapFlags makes the kernel map the whole file in one go when bbolt maps
// it, instead of one page fault per page on first touch: the scan at Open
// touches every page, and so would readers. etcd opens bbolt the same way.
const mmapFlags = syscall.MAP_POPULATE
