// Peer server for the chatd benchmark (issue 5): Node.js + the `ws` package (Debian node-ws).
//
//   /echo        echoes every message back, text stays text, binary stays binary
//   /chat/ROOM   every text message from a member is broadcast to all members of ROOM
//                (sender included) as "NAME: text", NAME from the ?name= query
//
// Usage: NODE_PATH=/usr/share/nodejs node server.js PORT
// (Debian installs ws outside any node_modules, hence NODE_PATH.) Listens on 127.0.0.1
// only and prints "ready" once listening. Node is single-threaded, like chatd's loop.
'use strict';
const { WebSocketServer } = require('ws');

const port = Number(process.argv[2]);
if (!port) { console.error('usage: node server.js PORT'); process.exit(2); }

// perMessageDeflate off (the ws default too) so every peer sends plain frames.
const wss = new WebSocketServer({ host: '127.0.0.1', port, perMessageDeflate: false, clientTracking: false });
const rooms = new Map(); // room name -> Set of sockets

wss.on('connection', (ws, req) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname === '/echo') {
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
    return;
  }
  const roomName = url.pathname.startsWith('/chat/') ? url.pathname.slice(6) : url.pathname;
  const name = url.searchParams.get('name') || 'anonymous';
  let room = rooms.get(roomName);
  if (!room) { room = new Set(); rooms.set(roomName, room); }
  room.add(ws);
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    // Encode once: build the payload Buffer once and hand the same Buffer to every
    // member (ws still frames it per socket; that is ws's own cost, kept on purpose).
    // ws has no outbound cap: a member that stops reading just grows its bufferedAmount
    // (server memory) until the socket dies; nothing is dropped and the room is not slowed.
    const payload = Buffer.concat([Buffer.from(name + ': '), data]);
    for (const member of room) {
      if (member.readyState === 1) member.send(payload, { binary: false });
    }
  });
  ws.on('close', () => {
    room.delete(ws);
    if (room.size === 0) rooms.delete(roomName);
  });
  ws.on('error', () => {});
});

wss.on('listening', () => console.log('ready'));
