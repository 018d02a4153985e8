// The official socket.io-client 4.8, driven by a Go test (internal/e2e's
// Bridge): the signaling of callers whose WebRTC peers the test holds.
// Not a test file itself. One JSON line per command on stdin:
//   {"op":"open","id":K,"url":BASE,"headers":{...}}  io(BASE+'/signaling')
//       with the original client's options (polling, then the upgrade to
//       websocket), headers on every request (a load balancer's cookie);
//   {"op":"emit","id":K,"event":E,"data":D}          socket.emit(E, D);
//   {"op":"close","id":K}                            socket.disconnect().
// One JSON line per event on stdout: {"id":K,"event":E,"data":D} for
// every server event, and open (data: the Engine.IO transport it opened
// with), upgrade (the transport it upgraded to), connect, connect_error
// (the message), disconnect (the reason) and closed. stdin ending disconnects every socket and exits.
import { createInterface } from 'node:readline';
import { io } from 'socket.io-client';

const sockets = new Map();
const out = (id, event, data) => process.stdout.write(JSON.stringify({ id, event, data }) + '\n');

function open({ id, url, headers }) {
  const s = io(url + '/signaling', { forceNew: true, reconnection: false, timeout: 20000, extraHeaders: headers || {} });
  sockets.set(id, s);
  s.io.on('open', () => {
    out(id, 'open', s.io.engine.transport.name);
    s.io.engine.once('upgrade', (t) => out(id, 'upgrade', t.name));
  });
  s.on('connect', () => out(id, 'connect'));
  s.on('connect_error', (err) => out(id, 'connect_error', err.message));
  s.on('disconnect', (reason) => out(id, 'disconnect', reason));
  s.onAny((event, data) => out(id, event, data));
}

const commands = {
  open,
  emit: ({ id, event, data }) => sockets.get(id)?.emit(event, data),
  close: ({ id }) => {
    sockets.get(id)?.disconnect();
    sockets.delete(id);
    out(id, 'closed');
  },
};

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  let cmd;
  try {
    cmd = JSON.parse(line);
  } catch (err) {
    process.stderr.write(`bridge: not JSON: ${line}\n`);
    return;
  }
  const run = commands[cmd.op];
  if (!run) {
    process.stderr.write(`bridge: unknown op ${cmd.op}\n`);
    return;
  }
  run(cmd);
});
lines.on('close', () => {
  for (const s of sockets.values()) s.disconnect();
  process.exit(0);
});
