// Helpers of the Node signaling tests (not a test file itself): connect a
// socket.io-client to a /signaling namespace, wait for an event, emit with
// an acknowledgement. Every socket connected is closed by closeAll.
import { io } from 'socket.io-client';

const open = [];

// connect resolves with a socket connected to base's /signaling, without
// reconnection; opts go to io() (transports, extraHeaders ...).
export function connect(base, opts = {}) {
  const s = io(base + '/signaling', { transports: ['websocket'], forceNew: true, reconnection: false, timeout: 10000, ...opts });
  open.push(s);
  return new Promise((resolve, reject) => {
    s.once('connect', () => resolve(s));
    s.once('connect_error', reject);
  });
}

// next resolves with the next event's payload, or rejects after ms.
export function next(s, event, ms = 5000) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timeout waiting for ${event}`)), ms);
    s.once(event, (d) => { clearTimeout(t); resolve(d); });
  });
}

// ack emits event and resolves with the server's acknowledgement.
export const ack = (s, event, payload, ms = 10000) => s.timeout(ms).emitWithAck(event, payload);

// closeAll disconnects every socket connect opened.
export function closeAll() { for (const s of open) s.disconnect(); }
