// The guards of parley's signaling, with the official socket.io-client 4.8:
// the reserved peerId, one caller per agent call, observers, taking a call
// back, the peer cap, per-connection rate limits, the Origin check, and key
// mode. SIGNALING_URL is the open-mode server of signaling.test.mjs (rate
// limit 100 events/s, Origin http://good.example only); SIGNALING_KEY_URL
// a key-mode server whose Gate knows "key" as an API key and "token:ID" as
// the call token of session ID. The open-mode server has Socket.IO
// connection state recovery on (5 s). Run: node --test
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { io } from 'socket.io-client';

const base = process.env.SIGNALING_URL;
const keyBase = process.env.SIGNALING_KEY_URL;
if (!base || !keyBase) throw new Error('SIGNALING_URL or SIGNALING_KEY_URL is not set');

const open = [];
function socket(url, opts = {}) {
  const s = io(url + '/signaling', { transports: ['websocket'], forceNew: true, reconnection: false, timeout: 5000, ...opts });
  open.push(s);
  return s;
}
function connect(opts, url = base) {
  const s = socket(url, opts);
  return new Promise((resolve, reject) => {
    s.once('connect', () => resolve(s));
    s.once('connect_error', reject);
  });
}
function refused(opts, url = base) {
  const s = socket(url, opts);
  return new Promise((resolve, reject) => {
    s.once('connect', () => reject(new Error('connected, want connect_error')));
    s.once('connect_error', resolve);
  });
}
function next(s, event, ms = 3000) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timeout waiting for ${event}`)), ms);
    s.once(event, (d) => { clearTimeout(t); resolve(d); });
  });
}
// nextError waits for an `error` event with code, skipping others.
function nextError(s, code, ms = 5000) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timeout waiting for error ${code}`)), ms);
    const h = (e) => { if (e.code === code) { clearTimeout(t); s.off('error', h); resolve(e); } };
    s.on('error', h);
  });
}
const ack = (s, event, payload) => s.timeout(3000).emitWithAck(event, payload);
const code = async (s, event, payload) => (await ack(s, event, payload)).error?.code;
let n = 0;
const uid = (p) => `${p}-${process.pid}-${++n}`;
const offer = { type: 'offer', sdp: 'v=0' };

test.after(() => { for (const s of open) s.disconnect(); });

test('no client may be the agent', async () => {
  const a = await connect();
  for (const session of [uid('s-agent'), 's-live']) {
    for (const peerId of ['agent', 'Agent', ' AGENT ']) {
      assert.equal(await code(a, 'join-session', { sessionId: session, peerId }), 'RESERVED_PEER_ID', peerId);
    }
  }
  a.disconnect();
});

test('an agent call has one caller; others watch as observers', async () => {
  const session = uid('s-agent');
  const a = await connect(), b = await connect();
  const pa = uid('caller'), pb = uid('other');
  const joined = next(a, 'joined-session');
  assert.deepEqual(await ack(a, 'join-session', { sessionId: session, peerId: pa }), { ok: true });
  const j = await joined;
  assert.equal(typeof j.resumeToken, 'string');
  assert.ok(j.resumeToken.length >= 20);

  assert.equal(await code(b, 'join-session', { sessionId: session, peerId: pb }), 'BUSY');
  const seen = next(b, 'joined-session');
  assert.deepEqual(await ack(b, 'join-session', { sessionId: session, peerId: pb, observer: true }), { ok: true });
  const jb = await seen;
  assert.equal(jb.observer, true);
  assert.equal(jb.resumeToken, undefined, 'an observer gets no resume token');

  // The observer gets the session's broadcasts, and may send nothing.
  const status = next(b, 'call-status');
  assert.deepEqual(await ack(a, 'offer', { sessionId: session, peerId: pa, offer }), { ok: true });
  assert.equal((await status).status, 'CONNECTING');
  assert.equal(await code(b, 'offer', { sessionId: session, peerId: pb, offer }), 'FORBIDDEN');
  assert.equal(await code(b, 'ice-candidate', { sessionId: session, peerId: pb, candidate: { candidate: '' } }), 'FORBIDDEN');
  assert.equal(await code(b, 'audio-data', { sessionId: session, peerId: pb, audioData: 'AAAAAA==' }), 'FORBIDDEN');
  assert.equal(await code(b, 'answer', { sessionId: session, peerId: pb, answer: { type: 'answer', sdp: 'x' } }), 'FORBIDDEN');
  a.disconnect(); b.disconnect();
});

test('only the dropped caller can take its call back, with its resume token', async () => {
  const session = uid('s-agent');
  const a = await connect(), watcher = await connect();
  const pa = uid('caller');
  const joined = next(a, 'joined-session');
  await ack(a, 'join-session', { sessionId: session, peerId: pa });
  const { resumeToken } = await joined;
  // While the caller is connected, not even its token takes its place.
  const early = await connect();
  assert.equal(await code(early, 'join-session', { sessionId: session, peerId: uid('e'), resumeToken }), 'BUSY');
  early.disconnect();
  // The watcher learns the caller's peerId from the room's broadcasts.
  const dropped = next(watcher, 'peer-disconnected');
  await ack(watcher, 'join-session', { sessionId: session, peerId: uid('w'), observer: true });
  a.disconnect();
  const { peerId } = await dropped;
  assert.equal(peerId, pa);

  const thief = await connect();
  assert.equal(await code(thief, 'join-session', { sessionId: session, peerId }), 'BUSY');
  assert.equal(await code(thief, 'join-session', { sessionId: session, peerId, resumeToken: 'guess' }), 'FORBIDDEN');
  assert.equal(await code(thief, 'join-session', { sessionId: session, peerId: uid('x'), resumeToken }), 'FORBIDDEN');

  const back = await connect();
  const rejoined = next(back, 'joined-session');
  assert.deepEqual(await ack(back, 'join-session', { sessionId: session, peerId: pa, resumeToken }), { ok: true });
  const r = await rejoined;
  assert.equal(typeof r.resumeToken, 'string');
  assert.notEqual(r.resumeToken, resumeToken, 'a new resume token each time');
  assert.deepEqual(await ack(back, 'offer', { sessionId: session, peerId: pa, offer }), { ok: true });
  // Dropped again: the old token no longer works, the new one does.
  const droppedAgain = next(watcher, 'peer-disconnected');
  back.disconnect();
  await droppedAgain;
  assert.equal(await code(thief, 'join-session', { sessionId: session, peerId: pa, resumeToken }), 'FORBIDDEN');
  const again = await connect();
  assert.deepEqual(await ack(again, 'join-session', { sessionId: session, peerId: pa, resumeToken: r.resumeToken }), { ok: true });
  for (const s of [again, thief, watcher]) s.disconnect();
});

for (const transports of [['websocket'], ['polling']]) test(`a caller whose connection dropped recovers its place over ${transports[0]} (Socket.IO state recovery)`, async () => {
  const session = uid('s-agent');
  const a = await connect({ transports, reconnection: true, reconnectionDelay: 50, reconnectionDelayMax: 100 });
  const watcher = await connect();
  const pa = uid('caller');
  await ack(a, 'join-session', { sessionId: session, peerId: pa });
  await ack(watcher, 'join-session', { sessionId: session, peerId: uid('w'), observer: true });
  const id = a.id;
  const dropped = next(watcher, 'peer-disconnected');
  const back = next(watcher, 'peer-joined');
  const reconnected = next(a, 'connect', 5000);
  a.io.engine.close(); // the transport drops; the client did not ask to leave
  assert.deepEqual(await dropped, { peerId: pa });
  await reconnected;
  assert.equal(a.recovered, true);
  assert.equal(a.id, id);
  assert.deepEqual(await back, { peerId: pa });
  // Still the caller, without joining again.
  assert.deepEqual(await ack(a, 'offer', { sessionId: session, peerId: pa, offer }), { ok: true });
  const other = await connect();
  assert.equal(await code(other, 'join-session', { sessionId: session, peerId: uid('o') }), 'BUSY');
  for (const s of [a, watcher, other]) s.disconnect();
});

test('a session holds at most 16 peers', async () => {
  const session = uid('s-relay');
  const peers = await Promise.all(Array.from({ length: 16 }, () => connect()));
  const extra = await connect();
  for (const s of peers) {
    assert.deepEqual(await ack(s, 'join-session', { sessionId: session, peerId: uid('p') }), { ok: true });
  }
  assert.equal(await code(extra, 'join-session', { sessionId: session, peerId: uid('p') }), 'SESSION_FULL');
  for (const s of [...peers, extra]) s.disconnect();
});

test('a flooding connection is cut off; other calls do not notice', async () => {
  const session = uid('s-relay');
  const a = await connect(), b = await connect();
  const pa = uid('a'), pb = uid('b');
  await ack(a, 'join-session', { sessionId: session, peerId: pa });
  await ack(b, 'join-session', { sessionId: session, peerId: pb });
  const flood = await connect();
  const err = nextError(flood, 'RATE_LIMITED');
  const gone = next(flood, 'disconnect', 5000);
  for (let i = 0; i < 1000; i++) flood.emit('leave-session', { sessionId: 'x', peerId: 'y' });
  assert.match((await err).message, /disconnected/);
  assert.match(await gone, /^(io server disconnect|transport close)$/);
  // The call next to it still relays, at once.
  const got = next(a, 'offer');
  b.emit('offer', { sessionId: session, peerId: pb, offer });
  assert.deepEqual(await got, { peerId: pb, offer });
  // Bytes count too: 40 messages of 60 KiB are over 256 KiB/s.
  const big = await connect();
  const bigErr = nextError(big, 'RATE_LIMITED');
  for (let i = 0; i < 40; i++) big.emit('leave-session', { sessionId: 'x', peerId: 'y', pad: 'x'.repeat(60 * 1024) });
  await bigErr;
  // The limit is the connection's, whatever namespace it talks to.
  const root = io(base, { transports: ['websocket'], forceNew: true, reconnection: false });
  open.push(root);
  await next(root, 'connect');
  const rootGone = next(root, 'disconnect', 5000);
  for (let i = 0; i < 1000; i++) root.emit('anything', i);
  assert.equal(await rootGone, 'transport close');
  a.disconnect(); b.disconnect();
});

test('browsers on another origin are refused; clients without Origin pass', async () => {
  for (const transports of [['websocket'], ['polling']]) {
    const e = await refused({ transports, extraHeaders: { Origin: 'http://evil.example' } });
    assert.ok(e, 'connect_error');
    const ok = await connect({ transports, extraHeaders: { Origin: 'http://good.example' } });
    ok.disconnect();
  }
  const res = await fetch(base + '/socket.io/?EIO=4&transport=polling', { headers: { Origin: 'http://evil.example' } });
  assert.equal(res.status, 403);
  const body = await res.json();
  assert.equal(body.success, false);
  assert.equal(body.error.code, 'ORIGIN_NOT_ALLOWED');
  assert.equal((await fetch(base + '/socket.io/?EIO=4&transport=polling')).status, 200);
});

test('key mode: a bad handshake credential is refused at connection', async () => {
  for (const token of ['wrong', 42]) {
    const e = await refused({ auth: { token } }, keyBase);
    assert.equal(e.data?.code, 'UNAUTHORIZED', JSON.stringify(e.data));
  }
});

test('key mode: joining needs a key or the call token of that call', async () => {
  const s1 = uid('s-agent'), s2 = uid('s-agent');
  const none = await connect({}, keyBase);
  assert.equal(await code(none, 'join-session', { sessionId: s1, peerId: uid('p') }), 'UNAUTHORIZED');
  assert.equal(await code(none, 'join-session', { sessionId: s1, peerId: uid('p'), token: 'wrong' }), 'UNAUTHORIZED');
  assert.equal(await code(none, 'join-session', { sessionId: s1, peerId: uid('p'), token: 'explode' }), 'INTERNAL');
  // The token of another call.
  assert.equal(await code(none, 'join-session', { sessionId: s1, peerId: uid('p'), token: `token:${s2}` }), 'FORBIDDEN');
  // Its own call's token, in the join payload.
  assert.deepEqual(await ack(none, 'join-session', { sessionId: s1, peerId: uid('p'), token: `token:${s1}` }), { ok: true });

  // In the handshake: the caller of its call, never an observer.
  const caller = await connect({ auth: { token: `token:${s2}` } }, keyBase);
  const tokObs = await connect({ auth: { token: `token:${s2}` } }, keyBase);
  assert.equal(await code(tokObs, 'join-session', { sessionId: s2, peerId: uid('o'), observer: true }), 'FORBIDDEN');
  assert.deepEqual(await ack(caller, 'join-session', { sessionId: s2, peerId: uid('c') }), { ok: true });
  assert.equal(await code(tokObs, 'join-session', { sessionId: s2, peerId: uid('o') }), 'BUSY');
  // A key holder may watch any call.
  const admin = await connect({ auth: { token: 'key' } }, keyBase);
  assert.deepEqual(await ack(admin, 'join-session', { sessionId: s2, peerId: uid('admin'), observer: true }), { ok: true });
  for (const s of [none, caller, tokObs, admin]) s.disconnect();
});
