// Package catalog ships the default product catalog, embedded in the
// binary so that the ledger runs anywhere; `--catalog FILE` replaces it.
package catalog

import (
	_ "embed"
	"fmt"
	"os"

	"github.com/innolic/ledger/domain"
)

//go:embed catalog.json
var defaultJSON []byte

// Default returns the shipped catalog.
func Default() *domain.Catalog {
	c, err := domain.ParseCatalog(defaultJSON)
	if err != nil {
		panic(fmt.Sprintf("embedded catalog is invalid: %v", err)) // caught by the package's test
	}
	return c
}

// Load reads a catalog file, or returns the default for an empty path.
func Load(path string) (*domain.Catalog, error) {
	if path == "" {
		return Default(), nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return domain.ParseCatalog(b)
}
