package memstore

import (
	"sync"
	"testing"

	"github.com/innolic/ledger/eventstore"
	"github.com/innolic/ledger/eventstore/storetest"
)

func TestConformance(t *testing.T) {
	var mu sync.Mutex
	logs := map[string]*Store{}
	storetest.Run(t, func(t testing.TB, name string) eventstore.Store {
		mu.Lock()
		defer mu.Unlock()
		s, ok := logs[name]
		if !ok {
			s = New()
		} else {
			s = s.Reopen()
		}
		logs[name] = s
		return s
	})
}
