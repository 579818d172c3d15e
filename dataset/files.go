package dataset

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/tokensim/tokensim/storage"
)

// WriteAtomic writes path through a temporary file in the same directory
// (".<base>.tmp-*"), buffered, synced and renamed into place, so that path only
// ever holds a complete file (storage.WriteAtomic with a 1 MiB buffer). The
// file's mode is 0644 whatever the umask: a study's files are shared data
// (other users, shards on other machines). On error the temporary file is
// removed and path is untouched; the error wraps the cause.
func WriteAtomic(path string, write func(w *bufio.Writer) error) error {
	return storage.WriteAtomic(path, func(f io.Writer) error {
		bw := bufio.NewWriterSize(f, 1<<20)
		if err := write(bw); err != nil {
			return err
		}
		return bw.Flush()
	})
}

// WriteFileAtomic writes data to path as WriteAtomic does, in one write
// (data is in memory already: no buffer; the pipeline rewrites the manifest
// after every chunk, and a 1 MiB buffer per call was most of its allocation).
func WriteFileAtomic(path string, data []byte) error {
	return storage.WriteAtomic(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// WriteJSONAtomic writes v as JSON indented by two spaces, followed by a
// newline, to path with WriteAtomic.
func WriteJSONAtomic(path string, v any) error {
	data, err := jsonRecord(v)
	if err != nil {
		return err
	}
	return WriteFileAtomic(path, data)
}

// jsonRecord is the bytes of a JSON record file (manifest, progress
// record): v indented by two spaces, followed by a newline.
func jsonRecord(v any) ([]byte, error) {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

// ReadJSON decodes the JSON file at path into v; a decoding error names the path.
func ReadJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// MarshalJSON is json.Marshal without HTML escaping (so "<", ">" and "&"
// stay as they are in configuration text and hashes stay stable).
func MarshalJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// SHA256Hex returns the lower-case hex SHA-256 (FIPS 180-4) of b: 64 characters.
func SHA256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// HashFile returns the size in bytes and the lower-case hex SHA-256 of the
// file at path.
func HashFile(path string) (int64, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return 0, "", err
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}
