// Peer server for the chatd benchmark (issue 5): Go + gorilla/websocket, idiomatic style.
//
//	/echo          echoes every message back, text stays text, binary stays binary
//	/chat/ROOM     every text message from a member is broadcast to all members of ROOM
//	               (sender included) as "NAME: text", NAME from the ?name= query
//
// Usage: gorilla-peer PORT (listens on 127.0.0.1 only, prints "ready" once listening).
// Meant to run with GOMAXPROCS=1 so it is compared single-core against chatd.
// Built offline in GOPATH mode against Debian's golang-github-gorilla-websocket-dev (see ../build.sh).
package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"

	"github.com/gorilla/websocket"
)

var upgrader = websocket.Upgrader{
	ReadBufferSize:  4096,
	WriteBufferSize: 4096,
	CheckOrigin:     func(*http.Request) bool { return true }, // benchmark clients send no Origin
}

// member: one connection in a room; a single writer goroutine owns conn writes
// (gorilla allows one concurrent writer), fed by a bounded queue. gone is closed when
// the member leaves; out is never closed, because a publisher holding an older room
// snapshot may still send to it (it selects on gone instead of blocking forever).
type member struct {
	conn *websocket.Conn
	out  chan *websocket.PreparedMessage
	gone chan struct{}
}

// queueSize bounds a member's queue, in messages (as in gorilla's chat example). A member
// whose queue is full is a slow consumer and is dropped, so it never stalls the room.
const queueSize = 256

// room keeps its members as a copy-on-write slice: joins/leaves copy it, broadcasts
// only read a snapshot, so a broadcast never holds the lock while it blocks.
type room struct {
	mu      sync.Mutex
	members []*member
}

var (
	roomsMu sync.Mutex
	rooms   = map[string]*room{}
)

func getRoom(name string) *room {
	roomsMu.Lock()
	defer roomsMu.Unlock()
	r := rooms[name]
	if r == nil {
		r = &room{}
		rooms[name] = r
	}
	return r
}

func (r *room) snapshot() []*member {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.members
}

func (r *room) join(m *member) {
	r.mu.Lock()
	defer r.mu.Unlock()
	next := make([]*member, len(r.members), len(r.members)+1)
	copy(next, r.members)
	r.members = append(next, m)
}

func (r *room) leave(m *member) {
	r.mu.Lock()
	defer r.mu.Unlock()
	next := make([]*member, 0, len(r.members))
	for _, x := range r.members {
		if x != m {
			next = append(next, x)
		}
	}
	r.members = next
}

func echo(w http.ResponseWriter, req *http.Request) {
	c, err := upgrader.Upgrade(w, req, nil)
	if err != nil {
		return
	}
	defer c.Close()
	for {
		kind, data, err := c.ReadMessage()
		if err != nil {
			return
		}
		if c.WriteMessage(kind, data) != nil {
			return
		}
	}
}

func chat(w http.ResponseWriter, req *http.Request) {
	name := req.URL.Query().Get("name")
	if name == "" {
		name = "anonymous"
	}
	c, err := upgrader.Upgrade(w, req, nil)
	if err != nil {
		return
	}
	r := getRoom(strings.TrimPrefix(req.URL.Path, "/chat/"))
	m := &member{conn: c, out: make(chan *websocket.PreparedMessage, queueSize), gone: make(chan struct{})}
	r.join(m)
	done := make(chan struct{})
	go func() { // writer
		defer close(done)
		for {
			select {
			case pm := <-m.out:
				if c.WritePreparedMessage(pm) != nil {
					c.Close() // makes the reader fail, which closes gone
					<-m.gone
					return
				}
			case <-m.gone:
				return
			}
		}
	}()
	prefix := []byte(name + ": ")
	for {
		kind, data, err := c.ReadMessage()
		if err != nil {
			break
		}
		if kind != websocket.TextMessage {
			continue
		}
		// Encode once: PreparedMessage caches the framed bytes shared by all members.
		pm, err := websocket.NewPreparedMessage(websocket.TextMessage, append(append([]byte{}, prefix...), data...))
		if err != nil {
			continue
		}
		for _, x := range r.snapshot() {
			select {
			case x.out <- pm:
			case <-x.gone:
			default:
				// Slow consumer (its queue is full; its writer is likely stuck in a write to a
				// peer that stopped reading): drop it instead of blocking the room. Close may be
				// called concurrently with everything else; the member's blocked write and read
				// fail, and its reader leaves the room.
				x.conn.Close()
			}
		}
	}
	r.leave(m)
	close(m.gone)
	<-done
	c.Close()
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: gorilla-peer PORT")
		os.Exit(2)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:"+os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/echo", echo)
	mux.HandleFunc("/", chat) // any other path is a room; only /chat/NAME is used
	fmt.Println("ready")
	http.Serve(ln, mux)
}
