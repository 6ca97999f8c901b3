package filesystem

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"path/filepath"

	"github.com/lifeline-iot/lifeline/internal/blob"
)

// Each object is one file whose header records what Stat returns without
// rereading the content:
//
//	magic   8 bytes  "LLBLOB1\n"
//	sha256 32 bytes  digest of the content
//	sha512 64 bytes  digest of the content
//	keylen  2 bytes  big-endian length of the key
//	key     keylen bytes
//	content
//
// Put writes the header with zero digests, streams the content, then fills
// in the digests before the file is published. Keeping the digests inside the
// file makes publishing a single atomic link.
const magic = "LLBLOB1\n"

const (
	sumsOffset = len(magic)
	fixedLen   = len(magic) + sha256.Size + sha512.Size + 2
)

// objectPath returns where key's file lives: objects/<2 hex>/<64 hex>, named
// by the SHA-256 of the key. Hashed names keep keys free of file-system
// limits (name length, case folding, a key that is also another key's
// directory) and spread files over 256 directories.
func (s *Store) objectPath(key string) (dir, file string) {
	sum := sha256.Sum256([]byte(key))
	name := hex.EncodeToString(sum[:])
	dir = filepath.Join(s.root, objectsDir, name[:2])
	return dir, filepath.Join(dir, name)
}

// header returns the header for key, with zero digests.
func header(key string) []byte {
	h := make([]byte, fixedLen, fixedLen+len(key))
	copy(h, magic)
	binary.BigEndian.PutUint16(h[fixedLen-2:], uint16(len(key)))
	return append(h, key...)
}

// readHeader reads and checks the header of key's file and returns its
// length and the digests it records.
func readHeader(r io.Reader, key string) (n int64, sum256, sum512 []byte, err error) {
	h := make([]byte, fixedLen+len(key))
	if _, err := io.ReadFull(r, h); err != nil {
		return 0, nil, nil, fmt.Errorf("reading header: %w", err)
	}
	if string(h[:sumsOffset]) != magic {
		return 0, nil, nil, fmt.Errorf("bad magic %q", h[:sumsOffset])
	}
	if l := binary.BigEndian.Uint16(h[fixedLen-2:]); int(l) != len(key) || !bytes.Equal(h[fixedLen:], []byte(key)) {
		return 0, nil, nil, fmt.Errorf("file holds a different key (length %d)", l)
	}
	sum256 = h[sumsOffset : sumsOffset+sha256.Size]
	sum512 = h[sumsOffset+sha256.Size : sumsOffset+sha256.Size+sha512.Size]
	return int64(len(h)), sum256, sum512, nil
}

// writeSums fills in the digests of a header written by header.
func writeSums(w io.WriterAt, up *blob.Upload) error {
	s256, s512 := up.Sums()
	_, err := w.WriteAt(append(s256, s512...), int64(sumsOffset))
	return err
}
