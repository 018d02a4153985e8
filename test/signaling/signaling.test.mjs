// Contract tests of parley's Socket.IO signaling (/signaling namespace) with
// the official socket.io-client 4.8. Needs env SIGNALING_URL (for example
// http://127.0.0.1:3000) of a server whose Sessions know "s-live" and
// "s-other" as live person-to-person sessions, "s-ended" as ended and
// every "s-agent-*" as a live agent session answered by the Go test's echo
// agent (sdp "reject" is refused, "crash" fails, anything else is answered
// with "answer:"+sdp and one candidate, after a call-status broadcast;
// audio-data is echoed). security.test.mjs covers the guards. Run: node --test
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { io } from 'socket.io-client';
import WebSocket from 'ws';

const base = process.env.SIGNALING_URL;
if (!base) throw new Error('SIGNALING_URL is not set');

const open = [];
function connect(transports = ['websocket']) {
  const s = io(base + '/signaling', { transports, forceNew: true, reconnection: false, timeout: 5000 });
  open.push(s);
  return new Promise((resolve, reject) => {
    s.once('connect', () => resolve(s));
    s.once('connect_error', reject);
  });
}
function next(s, event, ms = 3000) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timeout waiting for ${event}`)), ms);
    s.once(event, (d) => { clearTimeout(t); resolve(d); });
  });
}
function none(s, event, ms = 300) {
  return new Promise((resolve, reject) => {
    const h = (d) => reject(new Error(`unexpected ${event}: ${JSON.stringify(d)}`));
    s.once(event, h);
    setTimeout(() => { s.off(event, h); resolve(); }, ms);
  });
}
const ack = (s, event, payload) => s.timeout(3000).emitWithAck(event, payload);
let n = 0;
const uid = (p) => `${p}-${process.pid}-${++n}`;

async function pair(session, transports) {
  const a = await connect(transports);
  const b = await connect(transports);
  const pa = uid('a'), pb = uid('b');
  const ja = next(a, 'joined-session');
  assert.deepEqual(await ack(a, 'join-session', { sessionId: session, peerId: pa }), { ok: true });
  assert.deepEqual(await ja, { sessionId: session, peerId: pa });
  const joinedNote = next(a, 'peer-joined');
  const jb = next(b, 'joined-session');
  b.emit('join-session', { sessionId: session, peerId: pb });
  assert.deepEqual(await jb, { sessionId: session, peerId: pb });
  assert.deepEqual(await joinedNote, { peerId: pb });
  return { a, b, pa, pb };
}

test.after(() => { for (const s of open) s.disconnect(); });

for (const transports of [['websocket'], ['polling'], ['polling', 'websocket']]) {
  test(`join and relay over ${transports.join('+')}`, async () => {
    const { a, b, pa, pb } = await pair('s-live', transports);
    if (transports.length === 1) assert.equal(a.io.engine.transport.name, transports[0]);

    const offer = { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' };
    const gotOffer = next(b, 'offer');
    const selfOffer = none(a, 'offer');
    assert.deepEqual(await ack(a, 'offer', { sessionId: 's-live', peerId: pa, offer }), { ok: true });
    assert.deepEqual(await gotOffer, { peerId: pa, offer });
    await selfOffer;

    const answer = { type: 'answer', sdp: 'v=0\r\n' };
    const gotAnswer = next(a, 'answer');
    b.emit('answer', { sessionId: 's-live', peerId: pb, answer });
    assert.deepEqual(await gotAnswer, { peerId: pb, answer });

    const candidate = { candidate: 'candidate:1 1 udp 2130706431 127.0.0.1 5000 typ host', sdpMid: '0', sdpMLineIndex: 0 };
    const gotCand = next(b, 'ice-candidate');
    a.emit('ice-candidate', { sessionId: 's-live', peerId: pa, candidate });
    assert.deepEqual(await gotCand, { peerId: pa, candidate });

    const left = next(b, 'peer-left');
    assert.deepEqual(await ack(a, 'leave-session', { sessionId: 's-live', peerId: pa }), { ok: true });
    assert.deepEqual(await left, { peerId: pa });
    // After leaving, a may not signal any more.
    const err = next(a, 'error');
    a.emit('offer', { sessionId: 's-live', peerId: pa, offer });
    assert.equal((await err).code, 'NOT_JOINED');

    const gone = next(a, 'peer-disconnected').catch(() => null);
    const rejoin = next(a, 'joined-session');
    a.emit('join-session', { sessionId: 's-live', peerId: pa });
    await rejoin;
    b.disconnect();
    assert.deepEqual(await gone, { peerId: pb });
    a.disconnect();
  });
}

test('unknown and ended sessions are refused', async () => {
  const a = await connect();
  let r = await ack(a, 'join-session', { sessionId: 'no-such-session', peerId: uid('p') });
  assert.equal(r.ok, false);
  assert.equal(r.error.code, 'SESSION_NOT_FOUND');
  const err = next(a, 'error');
  a.emit('join-session', { sessionId: 's-ended', peerId: uid('p') });
  const e = await err;
  assert.equal(e.code, 'SESSION_NOT_JOINABLE');
  assert.equal(typeof e.message, 'string');
  // Not joined: signaling is refused.
  r = await ack(a, 'offer', { sessionId: 's-ended', peerId: 'x', offer: { type: 'offer', sdp: '' } });
  assert.equal(r.error.code, 'NOT_JOINED');
  a.disconnect();
});

test('a socket may signal only for its own session and peer id', async () => {
  const { a, b, pa, pb } = await pair('s-live');
  const other = await connect();
  const po = uid('o');
  assert.deepEqual(await ack(other, 'join-session', { sessionId: 's-other', peerId: po }), { ok: true });

  const quietB = none(b, 'offer');
  const quietO = none(other, 'offer');
  let r = await ack(a, 'offer', { sessionId: 's-other', peerId: pa, offer: { type: 'offer', sdp: '' } });
  assert.equal(r.error.code, 'FORBIDDEN');
  const err = next(a, 'error');
  r = await ack(a, 'ice-candidate', { sessionId: 's-live', peerId: pb, candidate: { candidate: '' } });
  assert.equal(r.error.code, 'FORBIDDEN');
  assert.equal((await err).code, 'FORBIDDEN');
  r = await ack(a, 'leave-session', { sessionId: 's-live', peerId: pb });
  assert.equal(r.error.code, 'FORBIDDEN');
  await quietB;
  await quietO;

  // Another socket may not take a peer id already in the session.
  const c = await connect();
  r = await ack(c, 'join-session', { sessionId: 's-live', peerId: pa });
  assert.equal(r.error.code, 'PEER_ID_TAKEN');
  // A joined socket may not join a second session.
  r = await ack(a, 'join-session', { sessionId: 's-other', peerId: pa });
  assert.equal(r.error.code, 'ALREADY_JOINED');
  for (const s of [a, b, c, other]) s.disconnect();
});

test('malformed payloads get an error and break nothing', async () => {
  const { a, b, pa } = await pair('s-live');
  const bad = [
    ['join-session', 'just a string'],
    ['join-session', 42],
    ['join-session', null],
    ['join-session', []],
    ['join-session', {}],
    ['join-session', { sessionId: 1, peerId: 'p' }],
    ['join-session', { sessionId: 's-live', peerId: '' }],
    ['join-session', { sessionId: 's-live', peerId: 'x'.repeat(200) }],
    ['offer', { sessionId: 's-live', peerId: pa }],
    ['offer', { sessionId: 's-live', peerId: pa, offer: 'sdp' }],
    ['answer', { sessionId: 's-live', peerId: pa, answer: null }],
    ['ice-candidate', { sessionId: 's-live', peerId: pa, candidate: 7 }],
    ['leave-session', { sessionId: ['s-live'], peerId: pa }],
    ['audio-data', { sessionId: 's-live', peerId: pa }],
    ['audio-data', { sessionId: 's-live', peerId: pa, audioData: 12 }],
  ];
  const c = await connect();
  for (const [event, payload] of bad) {
    const r = await ack(c, event, payload);
    assert.equal(r.ok, false, `${event} ${JSON.stringify(payload)}`);
    assert.equal(r.error.code, 'INVALID_PAYLOAD', `${event} ${JSON.stringify(payload)}`);
  }
  // No payload at all, no ack: an error event.
  const err = next(c, 'error');
  c.emit('offer');
  assert.equal((await err).code, 'INVALID_PAYLOAD');
  // The session still works.
  const got = next(b, 'offer');
  a.emit('offer', { sessionId: 's-live', peerId: pa, offer: { type: 'offer', sdp: 'ok' } });
  assert.deepEqual(await got, { peerId: pa, offer: { type: 'offer', sdp: 'ok' } });
  for (const s of [a, b, c]) s.disconnect();
});

test('an oversized message closes only that connection', async () => {
  const { a, b, pa, pb } = await pair('s-live');
  const big = await connect();
  const closed = next(big, 'disconnect', 5000);
  big.emit('join-session', { sessionId: 's-live', peerId: 'x', pad: 'x'.repeat(200 * 1024) });
  await closed;
  const got = next(a, 'answer');
  b.emit('answer', { sessionId: 's-live', peerId: pb, answer: { type: 'answer', sdp: 'still' } });
  assert.deepEqual(await got, { peerId: pb, answer: { type: 'answer', sdp: 'still' } });
  a.disconnect(); b.disconnect();
});

test('two websockets for one Engine.IO session do not take the server down', async () => {
  // Engine.IO refuses the second upgrade by closing its hijacked
  // connection; with fasthttp's write timeout that once panicked the
  // whole process (runtime/signaling/hijack.go).
  for (let round = 0; round < 3; round++) {
    const res = await fetch(base + '/socket.io/?EIO=4&transport=polling');
    assert.equal(res.status, 200);
    const { sid } = JSON.parse((await res.text()).slice(1));
    const url = base.replace(/^http/, 'ws') + '/socket.io/?EIO=4&transport=websocket&sid=' + encodeURIComponent(sid);
    const sockets = [new WebSocket(url), new WebSocket(url), new WebSocket(url)];
    await Promise.all(sockets.map((w) => new Promise((resolve) => {
      w.on('close', resolve);
      w.on('error', resolve);
      w.on('open', () => w.close());
    })));
  }
  // Still serving: a new connection joins.
  const a = await connect();
  assert.deepEqual(await ack(a, 'join-session', { sessionId: 's-live', peerId: uid('after') }), { ok: true });
  a.disconnect();
});

test('the browser client is served', async () => {
  const res = await fetch(base + '/socket.io/socket.io.js');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /javascript/);
  assert.match(await res.text(), /Socket\.IO v4\.8/);
});

for (const transports of [['websocket'], ['polling']]) {
  test(`a ${transports[0]} connection outlives the HTTP timeouts`, async () => {
    // The Go test serves with 1 s read/write timeouts and a 300 ms ping.
    const { a, b, pa } = await pair('s-live', transports);
    let dropped = false;
    a.on('disconnect', () => { dropped = true; });
    await new Promise((r) => setTimeout(r, Number(process.env.SIGNALING_IDLE_MS || 2500)));
    assert.equal(dropped, false);
    const got = next(b, 'offer');
    a.emit('offer', { sessionId: 's-live', peerId: pa, offer: { type: 'offer', sdp: 'late' } });
    assert.deepEqual(await got, { peerId: pa, offer: { type: 'offer', sdp: 'late' } });
    a.disconnect(); b.disconnect();
  });
}

// pcm16 returns n samples of a tone as base64 little-endian 16-bit PCM.
function pcm16(n, rate = 16000) {
  const b = Buffer.alloc(2 * n);
  for (let i = 0; i < n; i++) b.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)), 2 * i);
  return b.toString('base64');
}

for (const transports of [['websocket'], ['polling']]) {
  test(`an agent session is answered by the agent over ${transports[0]}`, async () => {
    const a = await connect(transports);
    const o = await connect(transports);
    const pa = uid('caller'), po = uid('observer');
    const session = uid('s-agent');
    assert.deepEqual(await ack(a, 'join-session', { sessionId: session, peerId: pa }), { ok: true });
    assert.deepEqual(await ack(o, 'join-session', { sessionId: session, peerId: po, observer: true }), { ok: true });
    // The offer goes to the agent, not to the other peer; the agent
    // answers this socket only, answer before candidates.
    const quiet = none(o, 'offer');
    const seen = [];
    const answered = new Promise((resolve) => {
      a.on('answer', (d) => seen.push(['answer', d]));
      a.on('ice-candidate', (d) => { seen.push(['ice-candidate', d]); resolve(); });
    });
    assert.deepEqual(await ack(a, 'offer', { sessionId: session, peerId: pa, offer: { type: 'offer', sdp: 'v=0' } }), { ok: true });
    await answered;
    await quiet;
    assert.deepEqual(seen[0], ['answer', { peerId: 'agent', answer: { type: 'answer', sdp: 'answer:v=0' } }]);
    assert.equal(seen[1][1].peerId, 'agent');
    assert.equal(typeof seen[1][1].candidate.candidate, 'string');
    // Candidates go to the agent too, not to the other peer.
    const quietC = none(o, 'ice-candidate');
    assert.deepEqual(await ack(a, 'ice-candidate', { sessionId: session, peerId: pa, candidate: { candidate: 'candidate:2 1 udp 2 127.0.0.1 5000 typ host', sdpMid: '0', sdpMLineIndex: 0 } }), { ok: true });
    await quietC;
    // The agent's refusal keeps its code; its failure is INTERNAL.
    let r = await ack(a, 'offer', { sessionId: session, peerId: pa, offer: { type: 'offer', sdp: 'reject' } });
    assert.equal(r.error.code, 'OFFER_REJECTED');
    r = await ack(a, 'offer', { sessionId: session, peerId: pa, offer: { type: 'offer', sdp: 'crash' } });
    assert.deepEqual(r.error, { code: 'INTERNAL', message: 'offer failed' });
    // The observer's offer is the agent's business too, and for its own peer id only.
    r = await ack(o, 'offer', { sessionId: session, peerId: pa, offer: { type: 'offer', sdp: 'v=0' } });
    assert.equal(r.error.code, 'FORBIDDEN');
    a.disconnect(); o.disconnect();
  });
}

test('audio-data reaches the agent and its voice comes back as audio-data', async () => {
  const a = await connect();
  const pa = uid('caller');
  const session = uid('s-agent');
  assert.deepEqual(await ack(a, 'join-session', { sessionId: session, peerId: pa }), { ok: true });
  const back = next(a, 'audio-data');
  const audioData = pcm16(320);
  assert.deepEqual(await ack(a, 'audio-data', { sessionId: session, peerId: pa, audioData, timestamp: 1234 }), { ok: true });
  assert.deepEqual(await back, { peerId: 'agent', audioData, sampleRate: 16000, timestamp: 1234 });
  // Other rates of the fixed set are accepted when named, one change a
  // second at most; bad ones are refused.
  const back8k = next(a, 'audio-data');
  await ack(a, 'audio-data', { sessionId: session, peerId: pa, audioData: pcm16(160, 8000), sampleRate: 8000, timestamp: '2024-12-14T10:00:00.000Z' });
  assert.equal((await back8k).sampleRate, 8000);
  for (const bad of [
    { audioData: 'not base64!' },
    { audioData: Buffer.from([1, 2, 3]).toString('base64') },
    { audioData: '' },
    { audioData: pcm16(10), sampleRate: 1000 },
    { audioData: pcm16(10), sampleRate: 12000 },
    { audioData: pcm16(10), sampleRate: 16000.5 },
    { audioData: pcm16(10), timestamp: { at: 1 } },
  ]) {
    const r = await ack(a, 'audio-data', { sessionId: session, peerId: pa, ...bad });
    assert.equal(r.error.code, 'INVALID_PAYLOAD', JSON.stringify(bad));
  }
  const r = await ack(a, 'audio-data', { sessionId: session, peerId: pa, audioData: pcm16(320), sampleRate: 16000 });
  assert.equal(r.error.code, 'SAMPLE_RATE_CHANGE');
  a.emit('leave-session', { sessionId: session, peerId: pa });
  a.disconnect();
});

test('audio-data is relayed between people', async () => {
  const { a, b, pa } = await pair('s-live');
  const got = next(b, 'audio-data');
  const audioData = pcm16(160);
  a.emit('audio-data', { sessionId: 's-live', peerId: pa, audioData, timestamp: 5 });
  assert.deepEqual(await got, { peerId: pa, audioData, sampleRate: 16000, timestamp: 5 });
  a.disconnect(); b.disconnect();
});
