// No lost set-up: many official socket.io-client connections opened at once
// that signal the moment they can, as browsers do, and none may lose an
// event (issue 11). Needs env SIGNALING_BURST_URL (or SIGNALING_URL) of the
// Go test's server, whose Sessions know every "s-burst-agent-*" id as a live
// agent session (answered by the echo agent: "answer:"+sdp) and every
// "s-burst-live-*" id as a live person-to-person session.
// SIGNALING_BURST sets the number of connections of each test (default
// 200). Run by runtime/signaling's TestNodeClient, or: node --test
//
// Before the fixes in runtime/signaling (connectgate.go, polling.go) these
// lost set-ups: a connection closed by the server for an event that came
// right after the namespace CONNECT ("invalid state"), and, among browser
// clients upgrading from polling, a connection closed silently mid-upgrade
// ("polling write error"): up to 8 of 200 original-client calls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { io } from 'socket.io-client';

const base = process.env.SIGNALING_BURST_URL || process.env.SIGNALING_URL;
if (!base) throw new Error('SIGNALING_BURST_URL is not set');
const N = Number(process.env.SIGNALING_BURST || 200);
const WAIT_MS = Number(process.env.SIGNALING_BURST_WAIT_MS || 20000);

// burst opens n connections at once; start(socket, i) is each one's set-up
// and resolves with what it got, or rejects with what went wrong. A
// connection may not drop (reconnection is off, so a connection the server
// closes is a lost set-up, not a quiet retry). Resolves with the
// failures, as "i: reason" strings.
async function burst(n, opts, start) {
  const sockets = [];
  const runs = [];
  for (let i = 0; i < n; i++) {
    const s = io(base + '/signaling', { forceNew: true, reconnection: false, timeout: WAIT_MS, ...opts });
    sockets.push(s);
    runs.push(new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no answer in ${WAIT_MS} ms`)), WAIT_MS);
      s.on('disconnect', (why) => reject(new Error(`disconnected: ${why}`)));
      s.on('connect_error', (e) => reject(new Error(`connect_error: ${e.message}${e.description ? ` (${e.description.message || e.description})` : ''}`)));
      s.on('error', (e) => reject(new Error(`error event: ${JSON.stringify(e)}`)));
      start(s, i).then(resolve, reject).finally(() => clearTimeout(t));
    }).catch((e) => `${i}: ${e.message}`));
  }
  const results = await Promise.all(runs);
  for (const s of sockets) s.disconnect();
  return results.filter((r) => typeof r === 'string');
}

const once = (s, event) => new Promise((resolve) => s.once(event, resolve));

// joinedAs is what joined-session says of the caller's place, without the
// secret resumeToken that comes with it (a fresh one each time).
function joinedAs(ev) {
  assert.equal(typeof ev.resumeToken, 'string', 'joined-session carries a resume token');
  const { resumeToken, ...rest } = ev;
  return rest;
}

function report(name, failures) {
  assert.equal(failures.length, 0, `${name}: ${failures.length} of ${N} set-ups lost:\n${failures.slice(0, 20).join('\n')}`);
}

for (const [label, opts, tag] of [
  ['polling then websocket, as a browser', {}, 'browser'],
  ['websocket only', { transports: ['websocket'] }, 'ws'],
]) {
  test(`${N} agent calls that join and offer in their connect handler lose nothing (${label})`, async () => {
    const failures = await burst(N, opts, async (s, i) => {
      // A session of its own: a caller that hangs up keeps its place for
      // the disconnect grace, so another test's caller would be BUSY.
      const session = `s-burst-agent-${process.pid}-${tag}-${i}`;
      const peerId = `caller-${i}`;
      const sdp = `v=0 burst ${i}`;
      await once(s, 'connect');
      const joined = once(s, 'joined-session');
      const answered = once(s, 'answer');
      // Both at once, in the connect handler, like the original client
      // (which emits them even before the connection is up).
      s.emit('join-session', { sessionId: session, peerId });
      s.emit('offer', { sessionId: session, peerId, offer: { type: 'offer', sdp } });
      assert.deepEqual(joinedAs(await joined), { sessionId: session, peerId });
      assert.deepEqual(await answered, { peerId: 'agent', answer: { type: 'answer', sdp: 'answer:' + sdp } });
    });
    report(label, failures);
  });
}

test(`${N} calls emitted before the connection is up lose nothing (the original client)`, async () => {
  const failures = await burst(N, {}, async (s, i) => {
    const session = `s-burst-agent-${process.pid}-orig-${i}`;
    const sdp = `v=0 original ${i}`;
    const joined = once(s, 'joined-session');
    const answered = once(s, 'answer');
    // test/browser/original-client.html emits right after io(): the
    // client buffers both and sends them the moment the namespace is
    // connected.
    s.emit('join-session', { sessionId: session, peerId: 'client-peer' });
    s.emit('offer', { sessionId: session, peerId: 'client-peer', offer: { type: 'offer', sdp } });
    assert.deepEqual(joinedAs(await joined), { sessionId: session, peerId: 'client-peer' });
    assert.deepEqual(await answered, { peerId: 'agent', answer: { type: 'answer', sdp: 'answer:' + sdp } });
  });
  report('original client', failures);
});

test(`${N} person-to-person peers that join with an ack in their connect handler lose nothing (the demo page)`, async () => {
  const failures = await burst(N, {}, async (s, i) => {
    // Two peers per session: the second one's join is announced to the first.
    const session = `s-burst-live-${process.pid}-${i >> 1}`;
    const peerId = `peer-${i}`;
    await once(s, 'connect');
    const ack = await s.timeout(WAIT_MS).emitWithAck('join-session', { sessionId: session, peerId });
    assert.deepEqual(ack, { ok: true });
  });
  report('demo page', failures);
});
