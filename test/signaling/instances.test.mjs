// Signaling across instances with the official socket.io-client 4.8: two
// servers, A and B, share sessions over a real NATS (runtime/signaling's
// remote.go). Needs env SIGNALING_A_URL and SIGNALING_B_URL; the Go test
// (TestAcrossInstances) gives them Sessions where every "s-agent-*" id is
// an agent session and every "s-relay-*" id a person-to-person one, both
// owned by A, "s-ghost" a live session owned by an instance that is not
// running, and an echo agent on each (see signaling.test.mjs). Skipped
// without the env, so that `node --test` in this directory runs the rest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect as dial, next, ack, closeAll } from './helpers.mjs';

const A = process.env.SIGNALING_A_URL, B = process.env.SIGNALING_B_URL;
const skip = !A || !B ? 'SIGNALING_A_URL and SIGNALING_B_URL are not set' : false;

let n = 0;
const uid = (p) => `${p}-${process.pid}-${++n}`;

test.after(closeAll);
const connect = (base, transports = ['websocket']) => dial(base, { transports });

for (const transports of [['websocket'], ['polling']]) {
  test(`an agent call owned by A, joined on B over ${transports[0]}`, { skip }, async () => {
    const session = uid('s-agent'), peer = uid('caller');
    const c = await connect(B, transports);
    const joined = next(c, 'joined-session');
    assert.deepEqual(await ack(c, 'join-session', { sessionId: session, peerId: peer }), { ok: true });
    const j = await joined;
    assert.equal(j.sessionId, session);
    assert.equal(typeof j.resumeToken, 'string');

    // The offer reaches A's agent; its status broadcast, answer and
    // candidate come back to the socket on B, in that order.
    const order = [];
    for (const e of ['call-status', 'answer', 'ice-candidate']) c.once(e, () => order.push(e));
    const answer = next(c, 'answer');
    const cand = next(c, 'ice-candidate');
    assert.deepEqual(await ack(c, 'offer', { sessionId: session, peerId: peer, offer: { type: 'offer', sdp: 'v=0 from B' } }), { ok: true });
    assert.deepEqual(await answer, { peerId: 'agent', answer: { type: 'answer', sdp: 'answer:v=0 from B' } });
    await cand;
    assert.deepEqual(order, ['call-status', 'answer', 'ice-candidate']);

    // The agent's errors come back with their code.
    const err = next(c, 'error');
    const res = await ack(c, 'offer', { sessionId: session, peerId: peer, offer: { type: 'offer', sdp: 'reject' } });
    assert.equal(res.ok, false);
    assert.equal(res.error.code, 'OFFER_REJECTED');
    assert.equal((await err).code, 'OFFER_REJECTED');

    // audio-data goes to A's agent and back.
    const audio = next(c, 'audio-data');
    c.emit('audio-data', { sessionId: session, peerId: peer, audioData: 'AAABAAIAAwA=', timestamp: 7 });
    const back = await audio;
    assert.equal(back.peerId, 'agent');
    assert.equal(back.audioData, 'AAABAAIAAwA=');

    // The seat is held on A: a second caller, on A or on B, is BUSY.
    for (const base of [A, B]) {
      const other = await connect(base);
      const r = await ack(other, 'join-session', { sessionId: session, peerId: uid('x') });
      assert.equal(r.error?.code, 'BUSY', `second caller on ${base === A ? 'A' : 'B'}`);
      other.disconnect();
    }
    // An observer on A sees the caller's leave.
    const watcher = await connect(A);
    assert.deepEqual(await ack(watcher, 'join-session', { sessionId: session, peerId: uid('w'), observer: true }), { ok: true });
    const left = next(watcher, 'peer-left');
    assert.deepEqual(await ack(c, 'leave-session', { sessionId: session, peerId: peer }), { ok: true });
    assert.deepEqual(await left, { peerId: peer });
    // Left: B no longer forwards for it.
    const r = await ack(c, 'offer', { sessionId: session, peerId: peer, offer: { type: 'offer', sdp: 'x' } });
    assert.equal(r.error?.code, 'NOT_JOINED');
  });
}

test('a person-to-person session split over A and B', { skip }, async () => {
  const session = uid('s-relay');
  const a = await connect(A), b = await connect(B, ['polling']);
  const pa = uid('pa'), pb = uid('pb');
  assert.deepEqual(await ack(a, 'join-session', { sessionId: session, peerId: pa }), { ok: true });
  const note = next(a, 'peer-joined');
  const jb = next(b, 'joined-session');
  assert.deepEqual(await ack(b, 'join-session', { sessionId: session, peerId: pb }), { ok: true });
  assert.deepEqual(await jb, { sessionId: session, peerId: pb });
  assert.deepEqual(await note, { peerId: pb });

  const offer = { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' };
  const gotOffer = next(b, 'offer');
  assert.deepEqual(await ack(a, 'offer', { sessionId: session, peerId: pa, offer }), { ok: true });
  assert.deepEqual(await gotOffer, { peerId: pa, offer });
  const answer = { type: 'answer', sdp: 'v=0\r\n' };
  const gotAnswer = next(a, 'answer');
  b.emit('answer', { sessionId: session, peerId: pb, answer });
  assert.deepEqual(await gotAnswer, { peerId: pb, answer });
  const candidate = { candidate: 'candidate:1 1 udp 2130706431 127.0.0.1 5000 typ host', sdpMid: '0', sdpMLineIndex: 0 };
  const gotCand = next(a, 'ice-candidate');
  b.emit('ice-candidate', { sessionId: session, peerId: pb, candidate });
  assert.deepEqual(await gotCand, { peerId: pb, candidate });
  const gotAudio = next(a, 'audio-data');
  b.emit('audio-data', { sessionId: session, peerId: pb, audioData: 'AAABAA==', sampleRate: 48000, timestamp: 't1' });
  assert.deepEqual(await gotAudio, { peerId: pb, audioData: 'AAABAA==', sampleRate: 48000, timestamp: 't1' });

  // The same peerId on B is taken; B's peer going away reaches A.
  const dup = await connect(B);
  assert.equal((await ack(dup, 'join-session', { sessionId: session, peerId: pa })).error?.code, 'PEER_ID_TAKEN');
  const gone = next(a, 'peer-disconnected');
  b.disconnect();
  assert.deepEqual(await gone, { peerId: pb });
});

test('a session whose instance is not running', { skip }, async () => {
  const c = await connect(B);
  const err = next(c, 'error');
  const r = await ack(c, 'join-session', { sessionId: 's-ghost', peerId: uid('p') });
  assert.equal(r.error?.code, 'INSTANCE_LOST');
  assert.match((await err).message, /not running/);
  // Unknown sessions are still told apart on the edge.
  assert.equal((await ack(c, 'join-session', { sessionId: 's-missing', peerId: uid('p') })).error?.code, 'SESSION_NOT_FOUND');
});
