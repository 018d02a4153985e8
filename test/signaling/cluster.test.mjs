// A person-to-person session split over two instances behind the load
// balancer, with the official socket.io-client 4.8 (test/cluster's
// TestCluster runs it). Env: CLUSTER_LB_URL (HAProxy), CLUSTER_SESSION (a
// live person-to-person session), CLUSTER_COOKIE_A and CLUSTER_COOKIE_B
// (the stickiness cookies that send each peer to its instance, neither the
// one holding the session). Skipped without them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect as dial, next, ack, closeAll } from './helpers.mjs';

const { CLUSTER_LB_URL: lb, CLUSTER_SESSION: session, CLUSTER_COOKIE_A: cookieA, CLUSTER_COOKIE_B: cookieB } = process.env;
const skip = !lb || !session ? 'CLUSTER_LB_URL and CLUSTER_SESSION are not set' : false;

test.after(closeAll);
const connect = (cookie, transports) => dial(lb, { transports, extraHeaders: { Cookie: cookie } });

test('person-to-person peers on two instances relay through the one holding the session', { skip }, async () => {
  const a = await connect(cookieA, ['websocket']);
  const b = await connect(cookieB, ['polling']);
  assert.deepEqual(await ack(a, 'join-session', { sessionId: session, peerId: 'alice' }), { ok: true });
  const joined = next(a, 'peer-joined');
  assert.deepEqual(await ack(b, 'join-session', { sessionId: session, peerId: 'bob' }), { ok: true });
  assert.deepEqual(await joined, { peerId: 'bob' });

  const offer = { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' };
  const gotOffer = next(b, 'offer');
  assert.deepEqual(await ack(a, 'offer', { sessionId: session, peerId: 'alice', offer }), { ok: true });
  assert.deepEqual(await gotOffer, { peerId: 'alice', offer });
  const answer = { type: 'answer', sdp: 'v=0\r\n' };
  const gotAnswer = next(a, 'answer');
  assert.deepEqual(await ack(b, 'answer', { sessionId: session, peerId: 'bob', answer }), { ok: true });
  assert.deepEqual(await gotAnswer, { peerId: 'bob', answer });
  const candidate = { candidate: 'candidate:1 1 udp 2130706431 127.0.0.1 5000 typ host', sdpMid: '0', sdpMLineIndex: 0 };
  const gotCand = next(b, 'ice-candidate');
  a.emit('ice-candidate', { sessionId: session, peerId: 'alice', candidate });
  assert.deepEqual(await gotCand, { peerId: 'alice', candidate });
  const gotAudio = next(a, 'audio-data');
  b.emit('audio-data', { sessionId: session, peerId: 'bob', audioData: 'AAABAA==', timestamp: 1 });
  assert.deepEqual(await gotAudio, { peerId: 'bob', audioData: 'AAABAA==', sampleRate: 16000, timestamp: 1 });

  const left = next(b, 'peer-left');
  assert.deepEqual(await ack(a, 'leave-session', { sessionId: session, peerId: 'alice' }), { ok: true });
  assert.deepEqual(await left, { peerId: 'alice' });
});
