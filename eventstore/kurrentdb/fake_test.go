package kurrentdb

import (
	"errors"
	"io"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	api "github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"github.com/google/uuid"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// fakeServer is an in-memory stand-in for the Streams gRPC service of a
// KurrentDB node, so that the adapter runs through the real client without
// a server. It models the server's documented behaviour the adapter relies
// on: the expected-revision check, the idempotent retry of events whose ids
// are already at the expected positions, an inclusive read start, an
// exclusive subscription start and live delivery. It is evidence that the
// adapter drives the client correctly, not that a real server agrees; the
// conformance run against LEDGER_KURRENTDB_URL is the authority for that.
type fakeServer struct {
	api.UnimplementedStreamsServer

	mu      sync.Mutex
	streams map[string][]fakeEvent
	commit  uint64
	changed chan struct{} // closed and replaced on every append
}

type fakeEvent struct {
	id       uuid.UUID
	typ      string
	meta     map[string]string
	data     []byte
	custom   []byte
	revision uint64
	commit   uint64
}

func newFakeServer() *fakeServer {
	return &fakeServer{streams: make(map[string][]fakeEvent), changed: make(chan struct{})}
}

// serve runs the service on addr ("127.0.0.1:0" for any port) until the
// returned server is stopped.
func (f *fakeServer) serve(t testing.TB, addr string) (*grpc.Server, string) {
	t.Helper()
	var lis net.Listener
	var err error
	for range 50 { // a restarted server may wait for its old port
		if lis, err = net.Listen("tcp", addr); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("fake server: %v", err)
	}
	srv := grpc.NewServer()
	api.RegisterStreamsServer(srv, f)
	go srv.Serve(lis)
	return srv, lis.Addr().String()
}

func (f *fakeServer) Append(stream api.Streams_AppendServer) error {
	head, err := stream.Recv()
	if err != nil {
		return err
	}
	opts := head.GetOptions()
	if opts == nil {
		return status.Error(codes.InvalidArgument, "append without options")
	}
	var proposed []*api.AppendReq_ProposedMessage
	for {
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		proposed = append(proposed, req.GetProposedMessage())
	}
	return stream.SendAndClose(f.append(string(opts.GetStreamIdentifier().GetStreamName()), opts, proposed))
}

func (f *fakeServer) append(name string, opts *api.AppendReq_Options, proposed []*api.AppendReq_ProposedMessage) *api.AppendResp {
	f.mu.Lock()
	defer f.mu.Unlock()
	evs := f.streams[name]
	current := int64(len(evs)) - 1 // -1: no stream
	expected := int64(-2)          // any
	switch {
	case opts.GetNoStream() != nil:
		expected = -1
	case opts.GetAny() == nil && opts.GetStreamExists() == nil:
		expected = int64(opts.GetRevision())
	}
	ids := make([]uuid.UUID, len(proposed))
	for i, p := range proposed {
		ids[i], _ = esdb.ParseUUIDFromInt64(p.GetId().GetStructured().GetMostSignificantBits(), p.GetId().GetStructured().GetLeastSignificantBits())
	}
	if expected != -2 && expected != current {
		// A retry: the same ids already right after the expected revision.
		last := expected + int64(len(ids))
		if expected < current && last <= current {
			same := true
			for i, id := range ids {
				same = same && evs[expected+1+int64(i)].id == id
			}
			if same {
				return success(uint64(last), evs[last].commit)
			}
		}
		wrong := &api.AppendResp_WrongExpectedVersion{}
		if current < 0 {
			wrong.CurrentRevisionOption = &api.AppendResp_WrongExpectedVersion_CurrentNoStream{CurrentNoStream: &shared.Empty{}}
		} else {
			wrong.CurrentRevisionOption = &api.AppendResp_WrongExpectedVersion_CurrentRevision{CurrentRevision: uint64(current)}
		}
		if expected < 0 {
			wrong.ExpectedRevisionOption = &api.AppendResp_WrongExpectedVersion_ExpectedNoStream{ExpectedNoStream: &shared.Empty{}}
		} else {
			wrong.ExpectedRevisionOption = &api.AppendResp_WrongExpectedVersion_ExpectedRevision{ExpectedRevision: uint64(expected)}
		}
		return &api.AppendResp{Result: &api.AppendResp_WrongExpectedVersion_{WrongExpectedVersion: wrong}}
	}
	for i, p := range proposed {
		f.commit += 100
		evs = append(evs, fakeEvent{id: ids[i], typ: p.GetMetadata()["type"], meta: p.GetMetadata(),
			data: p.GetData(), custom: p.GetCustomMetadata(), revision: uint64(len(evs)), commit: f.commit})
	}
	f.streams[name] = evs
	close(f.changed)
	f.changed = make(chan struct{})
	last := evs[len(evs)-1]
	return success(last.revision, last.commit)
}

func success(revision, commit uint64) *api.AppendResp {
	return &api.AppendResp{Result: &api.AppendResp_Success_{Success: &api.AppendResp_Success{
		CurrentRevisionOption: &api.AppendResp_Success_CurrentRevision{CurrentRevision: revision},
		PositionOption:        &api.AppendResp_Success_Position{Position: &api.AppendResp_Position{CommitPosition: commit, PreparePosition: commit}},
	}}}
}

func (f *fakeServer) Read(req *api.ReadReq, stream api.Streams_ReadServer) error {
	opts := req.GetOptions()
	so := opts.GetStream()
	if so == nil {
		return status.Error(codes.Unimplemented, "the fake reads streams only")
	}
	name := string(so.GetStreamIdentifier().GetStreamName())
	if opts.GetSubscription() != nil {
		return f.subscribe(name, so, stream)
	}
	f.mu.Lock()
	evs := f.streams[name]
	f.mu.Unlock()
	if len(evs) == 0 {
		return stream.Send(&api.ReadResp{Content: &api.ReadResp_StreamNotFound_{StreamNotFound: &api.ReadResp_StreamNotFound{StreamIdentifier: so.GetStreamIdentifier()}}})
	}
	count := opts.GetCount()
	if opts.GetReadDirection() == api.ReadReq_Options_Backwards {
		from := int64(len(evs)) - 1
		if so.GetEnd() == nil && so.GetStart() == nil {
			from = min(from, int64(so.GetRevision()))
		} else if so.GetStart() != nil {
			from = 0
		}
		for i := from; i >= 0 && count > 0; i, count = i-1, count-1 {
			if err := stream.Send(readEvent(name, evs[i])); err != nil {
				return err
			}
		}
		return nil
	}
	from := uint64(0)
	switch {
	case so.GetEnd() != nil:
		from = uint64(len(evs))
	case so.GetStart() == nil:
		from = so.GetRevision() // a read's start is inclusive
	}
	for i := from; i < uint64(len(evs)) && count > 0; i, count = i+1, count-1 {
		if err := stream.Send(readEvent(name, evs[i])); err != nil {
			return err
		}
	}
	return nil
}

// subscribe delivers the events after the start (a subscription's start
// revision is exclusive), then each new one, until the client goes away.
func (f *fakeServer) subscribe(name string, so *api.ReadReq_Options_StreamOptions, stream api.Streams_ReadServer) error {
	if err := stream.Send(&api.ReadResp{Content: &api.ReadResp_Confirmation{Confirmation: &api.ReadResp_SubscriptionConfirmation{SubscriptionId: uuid.NewString()}}}); err != nil {
		return err
	}
	f.mu.Lock()
	next := uint64(0)
	switch {
	case so.GetEnd() != nil:
		next = uint64(len(f.streams[name]))
	case so.GetStart() == nil:
		next = so.GetRevision() + 1
	}
	f.mu.Unlock()
	caughtUp := false
	for {
		f.mu.Lock()
		evs, changed := f.streams[name], f.changed
		f.mu.Unlock()
		for ; next < uint64(len(evs)); next++ {
			if err := stream.Send(readEvent(name, evs[next])); err != nil {
				return err
			}
		}
		if !caughtUp {
			caughtUp = true
			if err := stream.Send(&api.ReadResp{Content: &api.ReadResp_CaughtUp_{CaughtUp: &api.ReadResp_CaughtUp{}}}); err != nil {
				return err
			}
		}
		select {
		case <-changed:
		case <-stream.Context().Done():
			return stream.Context().Err()
		}
	}
}

func readEvent(name string, e fakeEvent) *api.ReadResp {
	most, least := esdb.UUIDAsInt64(e.id)
	meta := map[string]string{"created": strconv.FormatInt(time.Now().UnixNano()/100, 10)}
	for k, v := range e.meta {
		meta[k] = v
	}
	return &api.ReadResp{Content: &api.ReadResp_Event{Event: &api.ReadResp_ReadEvent{
		Event: &api.ReadResp_ReadEvent_RecordedEvent{
			Id:               &shared.UUID{Value: &shared.UUID_Structured_{Structured: &shared.UUID_Structured{MostSignificantBits: most, LeastSignificantBits: least}}},
			StreamIdentifier: &shared.StreamIdentifier{StreamName: []byte(name)},
			StreamRevision:   e.revision, PreparePosition: e.commit, CommitPosition: e.commit,
			Metadata: meta, CustomMetadata: e.custom, Data: e.data,
		},
		Position: &api.ReadResp_ReadEvent_CommitPosition{CommitPosition: e.commit},
	}}}
}
