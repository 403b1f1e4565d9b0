package bolt

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
)

// Open checks the file's structure itself, reading it with ReadAt, before
// bbolt reads it through its memory map. bbolt trusts its file: a page id
// that points past the end of the file is a memory fault, a damaged page a
// panic, and when it opens a file for writing it walks every page to
// rebuild its free list (we do not store one, see Options.NoFreelistSync)
// and panics on a goroutine of its own at the first inconsistency it
// finds, which no recover can catch. So the checks below are at least
// those of that walk (go.etcd.io/bbolt, tx_check.go), and a file that
// passes them cannot make bbolt fault or panic at Open; the scan that
// follows reads every record.
//
// The layout is bbolt's file format version 2 (go.etcd.io/bbolt
// internal/common), in the machine's byte order as bbolt writes it.
const (
	pageHeaderSize = 16 // id uint64, flags uint16, count uint16, overflow uint32
	elementSize    = 16 // a branch or leaf element
	bucketHeader   = 16 // a bucket's root page id and sequence, before an inline page

	branchPageFlag   = 0x01
	leafPageFlag     = 0x02
	freelistPageFlag = 0x10
	bucketLeafFlag   = 0x01

	boltMagic   = 0xED0CDAED
	boltVersion = 2
	noFreelist  = ^uint64(0)
	metaSize    = 64 // the meta after the page header; the last 8 bytes are its checksum

	// maxTreeDepth bounds the walk; bbolt's trees of a few billion keys are
	// less than ten levels deep.
	maxTreeDepth = 64
)

var ne = binary.NativeEndian

// meta is the part of a bbolt meta page the check needs.
type meta struct {
	pageSize uint32
	root     uint64 // root page of the bucket of buckets
	freelist uint64 // page of the stored free list, or noFreelist
	pages    uint64 // high water mark: pages 0 to pages-1 are in use
	txid     uint64
}

// parseMeta reads the meta of the page b and checks its magic number,
// version and checksum.
func parseMeta(b []byte) (meta, error) {
	if len(b) < pageHeaderSize+metaSize {
		return meta{}, errors.New("too short for a bbolt meta page")
	}
	m := b[pageHeaderSize : pageHeaderSize+metaSize]
	if ne.Uint32(m[0:]) != boltMagic {
		return meta{}, errors.New("no bbolt magic number")
	}
	if v := ne.Uint32(m[4:]); v != boltVersion {
		return meta{}, fmt.Errorf("bbolt format version %d, want %d", v, boltVersion)
	}
	h := fnv.New64a()
	h.Write(m[:metaSize-8])
	if h.Sum64() != ne.Uint64(m[metaSize-8:]) {
		return meta{}, errors.New("its checksum does not match")
	}
	return meta{pageSize: ne.Uint32(m[8:]), root: ne.Uint64(m[16:]), freelist: ne.Uint64(m[32:]),
		pages: ne.Uint64(m[40:]), txid: ne.Uint64(m[48:])}, nil
}

// readMetas reads both meta pages of a file of size bytes and returns the
// one bbolt uses, the newer. Both must be intact: bbolt would silently
// fall back to the older one, which loses the last commit if the newer one
// was damaged, and a meta page is written with one write of a few dozen
// bytes at the start of a page, so it is not torn by a crash.
func readMetas(r io.ReaderAt, size int64) (meta, error) {
	var m [2]meta
	pageSize := int64(0)
	for i := range m {
		b := make([]byte, pageHeaderSize+metaSize)
		if _, err := r.ReadAt(b, int64(i)*pageSize); err != nil {
			return meta{}, fmt.Errorf("reading meta page %d: %w", i, truncated(err, size))
		}
		var err error
		if m[i], err = parseMeta(b); err != nil {
			return meta{}, fmt.Errorf("meta page %d is damaged (%v)", i, err)
		}
		ps := int64(m[i].pageSize)
		if ps < 512 || ps > 1<<20 || ps&(ps-1) != 0 || (i == 1 && ps != pageSize) {
			return meta{}, fmt.Errorf("meta page %d names the page size %d", i, ps)
		}
		pageSize = ps
	}
	cur := m[0]
	if m[1].txid > m[0].txid {
		cur = m[1]
	}
	ps := uint64(pageSize)
	switch {
	case cur.pages < 3 || cur.pages > 1<<40:
		return meta{}, fmt.Errorf("the meta page names %d pages in use", cur.pages)
	case cur.pages > uint64(size)/ps:
		return meta{}, fmt.Errorf("the file is truncated: it has %d bytes, but its pages in use reach byte %d", size, cur.pages*ps)
	case cur.root < 2 || cur.root >= cur.pages:
		return meta{}, fmt.Errorf("the meta page names the root page %d, outside the pages in use", cur.root)
	}
	return cur, nil
}

// truncated says what an end of file met by a read means.
func truncated(err error, size int64) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("the file is truncated (%d bytes)", size)
	}
	return err
}

// walker reads and checks pages.
type walker struct {
	r    io.ReaderAt
	size int64
	m    meta
	ps   uint64
	seen []uint64   // pages reached so far, one bit each
	bufs [][]byte   // one page buffer per tree level
	keys [][][]byte // one scratch list of branch keys per tree level
}

// checkFile checks the structure of a bbolt file of size bytes holding a
// ledger log: intact meta pages, no page beyond the end of the file, every
// page reached once and of the type its parent says, elements and keys
// inside their pages, keys in bbolt's order, and nothing but the events
// bucket with plain values under 8-byte keys.
// It returns the meta page bbolt will use.
func checkFile(r io.ReaderAt, size int64) (meta, error) {
	m, err := readMetas(r, size)
	if err != nil {
		return m, err
	}
	w := &walker{r: r, size: size, m: m, ps: uint64(m.pageSize), seen: make([]uint64, (m.pages+63)/64)}
	events, err := w.buckets()
	if err != nil {
		return m, err
	}
	if err := w.events(events); err != nil {
		return m, err
	}
	return m, w.freelist()
}

// buckets walks the bucket of buckets and returns the value of the events
// bucket's entry, the only entry a ledger log has.
func (w *walker) buckets() ([]byte, error) {
	var events []byte
	root, err := w.page(w.m.root, 0)
	if err != nil {
		return nil, err
	}
	_, err = w.tree(w.m.root, root, 0, nil, nil, func(k, v []byte, flags uint32) error {
		switch {
		case flags&bucketLeafFlag == 0:
			return fmt.Errorf("the file holds a value outside any bucket (key %q): not a ledger log", k)
		case !bytes.Equal(k, bucketName):
			return fmt.Errorf("the file holds a bucket %q: not a ledger log", k)
		case len(v) < bucketHeader:
			return errors.New("the events bucket's entry is too short")
		}
		events = bytes.Clone(v)
		return nil
	})
	if err == nil && events == nil {
		err = errors.New("the file has no events bucket: not a ledger log")
	}
	return events, err
}

// events walks the events bucket, inline in its entry or in pages of its
// own, whose values are the records.
func (w *walker) events(entry []byte) error {
	leaf := func(k, _ []byte, flags uint32) error {
		if flags&bucketLeafFlag != 0 || len(k) != 8 {
			return fmt.Errorf("the events bucket holds a key %x that is not a position", k)
		}
		return nil
	}
	root := ne.Uint64(entry)
	if root == 0 {
		inline := entry[bucketHeader:]
		if len(inline) < pageHeaderSize || ne.Uint16(inline[8:]) != leafPageFlag {
			return errors.New("the events bucket's inline page is damaged")
		}
		_, err := w.tree(0, inline, 1, nil, nil, leaf)
		return err
	}
	p, err := w.page(root, 1)
	if err != nil {
		return err
	}
	_, err = w.tree(root, p, 1, nil, nil, leaf)
	return err
}

// page reads page id and its overflow pages into the buffer of the tree
// level depth, after checking that it lies inside the pages in use, is
// reached for the first time and is a branch or leaf page.
func (w *walker) page(id uint64, depth int) ([]byte, error) {
	if depth >= maxTreeDepth {
		return nil, fmt.Errorf("page %d is more than %d levels deep", id, maxTreeDepth)
	}
	for len(w.bufs) <= depth {
		w.bufs = append(w.bufs, make([]byte, w.ps))
	}
	p, err := w.read(id, depth)
	if err != nil {
		return nil, err
	}
	if flags := ne.Uint16(p[8:]); flags != branchPageFlag && flags != leafPageFlag {
		return nil, fmt.Errorf("page %d has the type %#x where a branch or leaf page belongs", id, flags)
	}
	return p, nil
}

// read reads page id with its overflow into the buffer of depth and marks
// the pages reached.
func (w *walker) read(id uint64, depth int) ([]byte, error) {
	if id < 2 || id >= w.m.pages {
		return nil, fmt.Errorf("a page refers to page %d, outside the pages in use (2 to %d)", id, w.m.pages-1)
	}
	p := w.bufs[depth][:w.ps]
	if _, err := w.r.ReadAt(p, int64(id*w.ps)); err != nil {
		return nil, fmt.Errorf("reading page %d: %w", id, truncated(err, w.size))
	}
	if got := ne.Uint64(p); got != id {
		return nil, fmt.Errorf("page %d is marked as page %d", id, got)
	}
	overflow := uint64(ne.Uint32(p[12:]))
	if id+overflow >= w.m.pages {
		return nil, fmt.Errorf("page %d with %d overflow pages runs past the pages in use", id, overflow)
	}
	for i := id; i <= id+overflow; i++ {
		if w.seen[i/64]&(1<<(i%64)) != 0 {
			return nil, fmt.Errorf("page %d is reached twice", i)
		}
		w.seen[i/64] |= 1 << (i % 64)
	}
	if overflow > 0 {
		n := (1 + overflow) * w.ps
		if uint64(cap(w.bufs[depth])) < n {
			w.bufs[depth] = append(make([]byte, 0, n), p...)
		}
		p = w.bufs[depth][:n]
		if _, err := w.r.ReadAt(p[w.ps:], int64((id+1)*w.ps)); err != nil {
			return nil, fmt.Errorf("reading page %d: %w", id, truncated(err, w.size))
		}
	}
	return p, nil
}

// element returns the key and value (leaf) or child page (branch) of
// element i of page p, checked to lie inside the page.
func element(p []byte, i int, leaf bool) (k, v []byte, child uint64, flags uint32, err error) {
	at := uint64(pageHeaderSize + i*elementSize)
	e := p[at : at+elementSize]
	var pos, ksize, vsize uint64
	if leaf {
		flags, pos, ksize, vsize = ne.Uint32(e), uint64(ne.Uint32(e[4:])), uint64(ne.Uint32(e[8:])), uint64(ne.Uint32(e[12:]))
	} else {
		pos, ksize, child = uint64(ne.Uint32(e)), uint64(ne.Uint32(e[4:])), ne.Uint64(e[8:])
	}
	start := at + pos
	if start+ksize+vsize > uint64(len(p)) {
		return nil, nil, 0, 0, fmt.Errorf("element %d lies outside its page", i)
	}
	return p[start : start+ksize], p[start+ksize : start+ksize+vsize], child, flags, nil
}

// tree checks the branch or leaf page p (page id, 0 for an inline page) at
// level depth and the subtree below it: keys sorted, at least lo and
// below hi (nil: unbounded), as bbolt's own check wants them. leaf is
// called for every leaf element. It returns the largest key of the
// subtree, nil for an empty one.
func (w *walker) tree(id uint64, p []byte, depth int, lo, hi []byte, leaf func(k, v []byte, flags uint32) error) ([]byte, error) {
	isLeaf := ne.Uint16(p[8:]) == leafPageFlag
	count := int(ne.Uint16(p[10:]))
	if pageHeaderSize+count*elementSize > len(p) {
		return nil, fmt.Errorf("page %d: its %d elements do not fit in it", id, count)
	}
	if isLeaf {
		return w.leaf(id, p, count, lo, hi, leaf)
	}
	for len(w.keys) <= depth {
		w.keys = append(w.keys, nil)
	}
	keys, children := w.keys[depth][:0], make([]uint64, count)
	for i := range count {
		k, _, child, _, err := element(p, i, false)
		if err != nil {
			return nil, fmt.Errorf("page %d: %w", id, err)
		}
		keys, children[i] = append(keys, k), child
	}
	w.keys[depth] = keys
	var max []byte
	prev := lo
	for i, child := range children {
		if err := keyOrder(id, i, keys[i], prev, hi); err != nil {
			return nil, err
		}
		next := hi
		if i < count-1 {
			next = keys[i+1]
		}
		c, err := w.page(child, depth+1)
		if err != nil {
			return nil, err
		}
		if max, err = w.tree(child, c, depth+1, keys[i], next, leaf); err != nil {
			return nil, err
		}
		prev = max
	}
	return max, nil
}

// leaf checks the elements of the leaf page p.
func (w *walker) leaf(id uint64, p []byte, count int, lo, hi []byte, fn func(k, v []byte, flags uint32) error) ([]byte, error) {
	prev := lo
	for i := range count {
		k, v, _, flags, err := element(p, i, true)
		if err != nil {
			return nil, fmt.Errorf("page %d: %w", id, err)
		}
		if err := keyOrder(id, i, k, prev, hi); err != nil {
			return nil, err
		}
		if err := fn(k, v, flags); err != nil {
			return nil, err
		}
		prev = k
	}
	if count == 0 {
		return nil, nil
	}
	return bytes.Clone(prev), nil
}

// keyOrder applies bbolt's rules to key i of page id: the first key at
// least the one its parent names for the page, every later one above the
// one before, all below the parent's next key.
func keyOrder(id uint64, i int, key, prev, hi []byte) error {
	switch {
	case i == 0 && prev != nil && bytes.Compare(prev, key) > 0,
		i > 0 && bytes.Compare(prev, key) >= 0,
		hi != nil && bytes.Compare(key, hi) >= 0:
		return fmt.Errorf("page %d: key %d (%x) is out of order", id, i, key)
	}
	return nil
}

// freelist checks a stored free list, which bbolt reads instead of walking
// the pages when a file has one (ours do not, but a file written by other
// tools may): the page must be a free list, and every page it names must
// lie inside the pages in use and not be reached from the trees, or bbolt
// would write over live pages.
func (w *walker) freelist() error {
	if w.m.freelist == noFreelist {
		return nil
	}
	if len(w.bufs) == 0 {
		w.bufs = append(w.bufs, make([]byte, w.ps))
	}
	p, err := w.read(w.m.freelist, 0)
	if err != nil {
		return fmt.Errorf("free list: %w", err)
	}
	if ne.Uint16(p[8:]) != freelistPageFlag {
		return fmt.Errorf("free list: page %d is not a free list page", w.m.freelist)
	}
	at, count := uint64(pageHeaderSize), uint64(ne.Uint16(p[10:]))
	if count == 0xFFFF { // the count is the first element
		count, at = ne.Uint64(p[at:]), at+8
	}
	if count > (uint64(len(p))-at)/8 {
		return fmt.Errorf("free list: %d pages do not fit in page %d", count, w.m.freelist)
	}
	for i := range count {
		id := ne.Uint64(p[at+8*i:])
		if id < 2 || id >= w.m.pages || w.seen[id/64]&(1<<(id%64)) != 0 {
			return fmt.Errorf("free list: it names page %d, which is in use or outside the file", id)
		}
	}
	return nil
}
