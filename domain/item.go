package domain

import (
	"sort"
	"strconv"
)

// Item is a license type at a version ("PBX-Port" 13, written PBX-Port13).
// Types without versions (SSC, GVL-Purchase) have version 0.
type Item struct {
	Type    string `json:"type" maxLength:"100"`
	Version int    `json:"version,omitempty"`
}

func (it Item) String() string {
	if it.Version == 0 {
		return it.Type
	}
	return it.Type + strconv.Itoa(it.Version)
}

// Line is a quantity of one item, as held in a key or a balance.
type Line struct {
	Item
	Quantity int64 `json:"quantity"`
}

// Balance is a count per item. A project's balance is negative only after a
// purchase on credit.
type Balance map[Item]int64

// Lines returns the non-zero entries sorted by type and version, the order
// every answer uses so that read models compare equal.
func (b Balance) Lines() []Line {
	out := make([]Line, 0, len(b))
	for it, q := range b {
		if q != 0 {
			out = append(out, Line{Item: it, Quantity: q})
		}
	}
	SortLines(out)
	return out
}

// Add adds every line to b.
func (b Balance) Add(lines []Line, sign int64) {
	for _, l := range lines {
		b[l.Item] += sign * l.Quantity
	}
}

// SortLines orders lines by type, then version.
func SortLines(ls []Line) {
	sort.Slice(ls, func(i, j int) bool {
		if ls[i].Type != ls[j].Type {
			return ls[i].Type < ls[j].Type
		}
		return ls[i].Version < ls[j].Version
	})
}
