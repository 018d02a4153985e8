// app.js: the demo page. One call at a time:
//
//   microphone -> POST /api/v1/calls -> socket.io /signaling, join-session
//   -> RTCPeerConnection (GET /api/v1/calls/config) -> offer -> the agent's
//   answer and ICE candidates -> POST /{id}/connect -> talk -> Hang up:
//   POST /{id}/end, leave-session.
//
// The live events of the call (docs/signaling.md) fill the status line and
// the conversation log. After each reply the page reads the call's stored
// history for the turn's latency as the runtime measured it.
//
// Key mode: the page is opened from a link carrying a call token
// (/#token=..., from POST /api/v1/tokens or `parley token`). The token may
// create one call to its agent, read /calls/config and signal that call, and
// nothing else: the page then lists no agents, reads no history and hangs up
// with leave-session. Without a token the page works as in open mode.
//
// ?mic=raw turns off the browser's echo cancellation, noise suppression and
// automatic gain (for recorded speech played as the microphone, as the
// browser test does, or a headset). Leave it on with speakers: without echo
// cancellation the agent hears itself and stops talking (barge-in).

const API = '/api/v1';
const CALLER_NUMBER = '01000000000'; // the demo's fixed caller number
const RAW_MIC = new URLSearchParams(location.search).get('mic') === 'raw';
const TOKEN = new URLSearchParams(location.hash.slice(1)).get('token') || '';

const el = (id) => document.getElementById(id);
const ui = {
  form: el('call-form'),
  agents: el('agents'),
  agentsNote: el('agents-note'),
  call: el('call-button'),
  hangup: el('hangup-button'),
  error: el('error'),
  status: el('status'),
  speaking: el('speaking'),
  meter: el('mic-level'),
  callId: el('call-id'),
  log: el('log'),
  logEmpty: el('log-empty'),
  audio: el('remote-audio'),
};

// Plain words for the reasons a call ends (call-status events) and for
// signaling error codes.
const END_REASONS = {
  'hangup': 'You hung up.',
  'caller left': 'You hung up.',
  'agent hangup': 'The agent ended the call.',
  'transferred': 'The agent passed you to a person.',
  'caller disconnected': 'Your connection to the runtime was lost.',
  'connection lost': 'The audio connection was lost.',
  'ice failed': 'The audio connection could not be set up (ICE failed). A firewall or VPN may block it.',
  'no media': 'The runtime received no audio from your microphone.',
  'shutdown': 'The runtime shut down.',
  'runtime shutdown': 'The runtime shut down.',
  'runtime restart': 'The runtime restarted.',
};
const SIGNALING_ERRORS = {
  SESSION_NOT_FOUND: 'The runtime does not know this call.',
  SESSION_NOT_JOINABLE: 'This call has already ended.',
  OFFER_REJECTED: 'The agent could not accept this browser\'s audio (no common codec).',
  BUSY: 'Someone else is already talking to the agent on this call.',
  PEER_ID_TAKEN: 'This call is already open in another tab.',
  UNAUTHORIZED: 'The call link is not valid or has expired. Ask for a new one.',
  FORBIDDEN: 'This call link does not allow that.',
  RATE_LIMITED: 'This page sent the runtime too much at once and was cut off.',
};

// ---- small helpers ----

class APIError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

// api calls the REST API and returns the envelope's data, or throws an
// APIError with the runtime's own message.
async function api(method, path, body) {
  const init = { method, headers: {} };
  if (TOKEN) init.headers.Authorization = `Bearer ${TOKEN}`;
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(API + path, init);
  } catch {
    throw new APIError(0, 'NETWORK', 'The runtime cannot be reached. Is it running?');
  }
  const env = await res.json().catch(() => null);
  if (!res.ok || !env || !env.success) {
    const e = env && env.error;
    throw new APIError(res.status, e ? e.code : 'HTTP_' + res.status, e ? e.message : res.statusText);
  }
  return env.data;
}

// emitAck sends a signaling event and resolves with its acknowledgement.
function emitAck(socket, event, payload) {
  return new Promise((resolve, reject) => {
    socket.timeout(10000).emit(event, payload, (err, ack) => {
      if (err) reject(new Error(`The runtime did not answer "${event}".`));
      else if (ack && ack.ok === false) reject(new Error(signalingMessage(ack.error)));
      else resolve(ack);
    });
  });
}

function signalingMessage(e) {
  if (!e) return 'Signaling failed.';
  return SIGNALING_ERRORS[e.code] || `Signaling error: ${e.message || e.code}`;
}

function showError(message) {
  ui.error.textContent = message;
  ui.error.hidden = false;
}

function clearError() {
  ui.error.hidden = true;
  ui.error.textContent = '';
}

function setStatus(text) {
  ui.status.textContent = text;
}

function setSpeaking(state) {
  const words = { idle: 'Not in a call', listening: 'Listening', start: 'Speaking', interrupted: 'Interrupted by you', paused: 'Paused for you' };
  ui.speaking.dataset.state = state;
  ui.speaking.textContent = words[state] || state;
}

// ---- agents ----

// tokenAgent returns the agent a call token is for (its claims are plain
// base64url JSON; the runtime checks the signature, not the page).
function tokenAgent() {
  try {
    const claims = TOKEN.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(claims)).agt || '';
  } catch {
    return '';
  }
}

async function loadAgents() {
  let data;
  if (TOKEN) {
    // A token calls one agent, once.
    const name = tokenAgent();
    data = { default: name, agents: name && !tokenUsed ? [{ name, status: 'ready', description: 'from your call link' }] : [] };
    renderAgents(data);
    if (tokenUsed) {
      ui.agentsNote.textContent = 'This link has placed its call. Ask for a new link to call again.';
      ui.agentsNote.hidden = false;
    }
    return;
  }
  try {
    data = await api('GET', '/agents');
  } catch (e) {
    ui.agentsNote.textContent = `Agents could not be loaded: ${e.message}`;
    return;
  }
  renderAgents(data);
}

// tokenUsed is set once the page's call token has created its call.
let tokenUsed = false;

function renderAgents(data) {
  for (const old of ui.agents.querySelectorAll('.agent')) old.remove();
  const agents = data.agents || [];
  const ready = agents.filter((a) => a.status === 'ready');
  const chosen = ready.find((a) => a.name === data.default) || ready[0];
  for (const a of agents) {
    const id = `agent-${a.name}`;
    const item = document.createElement('div');
    item.className = 'agent';
    item.dataset.status = a.status;
    const input = document.createElement('input');
    input.type = 'radio';
    input.name = 'agent';
    input.id = id;
    input.value = a.name;
    input.disabled = a.status !== 'ready';
    input.checked = a === chosen;
    const label = document.createElement('label');
    label.htmlFor = id;
    const name = document.createElement('strong');
    name.textContent = a.default && a.name !== 'default' ? `${a.name} (default)` : a.name;
    label.append(name);
    if (a.description) label.append(document.createElement('br'), a.description);
    item.append(input, label);
    if (a.status !== 'ready') {
      const why = document.createElement('p');
      why.className = 'reason';
      why.id = `${id}-reason`;
      why.textContent = `Unavailable: ${(a.errors && a.errors.join('; ')) || a.status}`;
      input.setAttribute('aria-describedby', why.id);
      item.append(why);
    }
    ui.agents.append(item);
  }
  ui.agentsNote.textContent = agents.length === 0 ? 'No agents are configured.'
    : ready.length === 0 ? 'No agent can take calls right now.' : '';
  ui.agentsNote.hidden = ui.agentsNote.textContent === '';
  ui.call.disabled = !chosen || current !== null;
}

// ---- the conversation log ----

// entry returns the log's open entry for who ('caller' or 'agent'),
// starting a new one if none is open.
function entry(c, who) {
  const key = who === 'caller' ? 'callerEntry' : 'agentEntry';
  if (c[key]) return c[key];
  const li = document.createElement('li');
  li.className = `turn ${who}`;
  li.setAttribute('aria-busy', 'true');
  const label = document.createElement('span');
  label.className = 'who';
  label.textContent = who === 'caller' ? 'You' : 'Agent';
  const text = document.createElement('p');
  text.className = 'text partial';
  li.append(label, text);
  ui.log.append(li);
  ui.logEmpty.hidden = true;
  li.scrollIntoView({ block: 'nearest' });
  c[key] = li;
  return li;
}

function closeEntry(c, who, text, extra) {
  const key = who === 'caller' ? 'callerEntry' : 'agentEntry';
  const li = entry(c, who);
  const p = li.querySelector('.text');
  p.textContent = text;
  p.classList.remove('partial');
  li.removeAttribute('aria-busy');
  li.dataset.final = 'true';
  if (extra) li.append(extra);
  c[key] = null;
  return li;
}

function badge(className, text) {
  const span = document.createElement('span');
  span.className = className;
  span.textContent = text;
  return span;
}

// ---- live events ----

function onTranscript(c, ev) {
  if (!ev.final) {
    const li = entry(c, 'caller');
    li.querySelector('.text').textContent = ev.text;
    return;
  }
  if (!ev.text) { // noise with no words in it
    if (c.callerEntry) c.callerEntry.remove();
    c.callerEntry = null;
    return;
  }
  const li = closeEntry(c, 'caller', ev.text);
  c.callerTurns.push(li);
}

function onAgentResponse(c, ev) {
  if (!ev.final) {
    const li = entry(c, 'agent');
    li.querySelector('.text').textContent += ev.text;
    return;
  }
  if (!ev.text) {
    // Nothing of it was heard (stopped before its first word; a caller who
    // went on after a pause is answered for all they said): no entry.
    if (c.agentEntry) c.agentEntry.remove();
    c.agentEntry = null;
    return;
  }
  closeEntry(c, 'agent', ev.text, ev.interrupted ? badge('mark', 'interrupted') : null);
  showLatency(c);
}

// onToolCall shows a tool the agent called, in the transcript: one entry
// per call, updated when it ends.
function onToolCall(c, ev) {
  c.tools = c.tools || new Map();
  let li = c.tools.get(ev.id);
  if (!li) {
    li = document.createElement('li');
    li.className = 'turn tool';
    li.dataset.tool = ev.name;
    const label = document.createElement('span');
    label.className = 'who';
    label.textContent = 'Tool';
    const text = document.createElement('p');
    text.className = 'text';
    li.append(label, text);
    // Before the agent's reply that is still being written, which the
    // call belongs to.
    if (c.agentEntry && c.agentEntry.parentNode === ui.log) ui.log.insertBefore(li, c.agentEntry);
    else ui.log.append(li);
    ui.logEmpty.hidden = true;
    c.tools.set(ev.id, li);
  }
  li.dataset.state = ev.state;
  let args = ev.arguments || '';
  if (args.length > 120) args = `${args.slice(0, 117)}...`;
  const took = typeof ev.durationMs === 'number' ? ` (${Math.round(ev.durationMs)} ms)` : '';
  const what = ev.state === 'running' ? 'running…'
    : ev.state === 'failed' ? `failed${took}: ${ev.error || ''}` : `done${took}`;
  li.querySelector('.text').textContent = `${ev.name} ${args} — ${what}`;
  li.scrollIntoView({ block: 'nearest' });
}

function onTransferred(c, ev) {
  c.transferTarget = ev.destination || ev.target;
}

function onSentiment(c, ev) {
  // The caller turn it scores: the latest with this text.
  const li = [...c.callerTurns].reverse().find((t) => t.querySelector('.text').textContent === ev.text && !t.querySelector('.sentiment'));
  if (!li) return;
  const score = typeof ev.score === 'number' ? ` ${ev.score.toFixed(2)}` : '';
  const b = badge(`sentiment ${ev.sentiment}`, `${ev.sentiment}${score}`);
  b.title = 'Sentiment of what you said (0 negative, 1 positive)';
  li.querySelector('.who').after(b);
}

function onAgentSpeaking(c, ev) {
  if (ev.state === 'start') {
    entry(c, 'agent'); // the greeting has no text until it ends
    setSpeaking('start');
  } else if (ev.state === 'interrupted' || ev.state === 'paused') {
    setSpeaking(ev.state);
  } else if (ev.state === 'resumed') {
    setSpeaking('start');
  } else {
    setSpeaking('listening');
  }
}

function onCallStatus(c, ev) {
  switch (ev.status) {
    case 'CONNECTING': setStatus('Connecting…'); break;
    case 'IN_PROGRESS': setStatus('In call'); setSpeaking('listening'); break;
    case 'ENDED': {
      const why = END_REASONS[ev.reason] || (ev.reason ? `Ended: ${ev.reason}.` : '');
      finish(c, `Call ended. ${why}`.trim());
      if (ev.reason === 'agent hangup') showError('The agent ended the call.');
      break;
    }
    case 'FAILED': {
      const why = END_REASONS[ev.reason] || ev.reason || 'unknown reason';
      finish(c, 'Call failed.');
      showError(`The call failed: ${why}`);
      break;
    }
    default: setStatus(ev.status);
  }
}

// showLatency reads the stored turns and labels each caller turn with how
// long after the caller stopped speaking the agent's voice left the runtime
// (firstPacketAt - speechEndedAt: the end-of-turn silence, speech-to-text,
// chat and text-to-speech) and the runtime's own share of it. The turns are
// stored as the reply ends, just after its final text: retry briefly.
async function showLatency(c) {
  if (TOKEN) return; // reading the history needs an API key
  for (let attempt = 0; attempt < 10; attempt++) {
    let users;
    try {
      const data = await api('GET', `/calls/${encodeURIComponent(c.id)}/history`);
      users = data.turns.filter((t) => t.role === 'user');
    } catch {
      return; // the latency is a nicety; the call goes on
    }
    const pending = c.callerTurns.filter((li) => !li.querySelector('.latency'));
    let missing = 0;
    for (const li of pending) {
      const text = li.querySelector('.text').textContent;
      const turn = users.find((t) => t.text === text && !c.timed.has(t.seq));
      const tm = turn && turn.timings;
      if (!tm || !tm.firstPacketAt || !tm.speechEndedAt) { missing++; continue; }
      c.timed.add(turn.seq);
      const total = Date.parse(tm.firstPacketAt) - Date.parse(tm.speechEndedAt);
      const waited = tm.endOfTurnWaitMs != null ? `, waited ${Math.round(tm.endOfTurnWaitMs)} ms` : '';
      const overhead = tm.runtimeOverheadMs != null ? `, runtime ${Math.round(tm.runtimeOverheadMs)} ms` : '';
      const b = badge('latency', `reply after ${(total / 1000).toFixed(2)} s${waited}${overhead}`);
      b.title = 'From the end of your speech to the first packet of the agent\'s voice, as the runtime measured it';
      li.append(b);
    }
    if (missing === 0) return;
    await new Promise((r) => setTimeout(r, 300));
  }
}

// ---- microphone level ----

function startMeter(c) {
  c.audioCtx = new AudioContext();
  const analyser = c.audioCtx.createAnalyser();
  analyser.fftSize = 1024;
  c.audioCtx.createMediaStreamSource(c.stream).connect(analyser);
  const buf = new Float32Array(analyser.fftSize);
  const tick = () => {
    if (current !== c) return;
    analyser.getFloatTimeDomainData(buf);
    let sum = 0;
    for (const v of buf) sum += v * v;
    const db = 20 * Math.log10(Math.sqrt(sum / buf.length) + 1e-9);
    ui.meter.value = Math.min(1, Math.max(0, (db + 60) / 60)); // -60..0 dBFS
    c.meterFrame = requestAnimationFrame(tick);
  };
  tick();
}

// ---- the call ----

let current = null; // the call in progress

async function openMicrophone() {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    throw new Error('This browser cannot use a microphone here. Open the page over HTTPS or from localhost.');
  }
  const processing = !RAW_MIC;
  try {
    return await navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: processing, noiseSuppression: processing, autoGainControl: processing },
      video: false,
    });
  } catch (e) {
    if (e.name === 'NotAllowedError' || e.name === 'SecurityError') {
      throw new Error('Microphone access was denied. Allow the microphone for this page (the icon in the address bar) and press Call again.');
    }
    if (e.name === 'NotFoundError' || e.name === 'OverconstrainedError') {
      throw new Error('No microphone was found. Plug one in and press Call again.');
    }
    if (e.name === 'NotReadableError') {
      throw new Error('The microphone is in use by another program or could not be started.');
    }
    throw new Error(`The microphone could not be opened: ${e.message}`);
  }
}

async function startCall(agentName) {
  clearError();
  ui.log.replaceChildren();
  ui.logEmpty.hidden = false;
  ui.callId.textContent = '–';
  ui.call.disabled = true;
  for (const radio of ui.agents.querySelectorAll('input')) radio.disabled = true; // until the call is over
  setStatus('Opening the microphone…');

  // The microphone first: a caller who refuses it leaves no call behind.
  const c = {
    id: '', sessionId: '', peerId: `caller-${Math.random().toString(36).slice(2, 10)}`,
    callerEntry: null, agentEntry: null, callerTurns: [], timed: new Set(), pending: [], ended: false,
  };
  current = c;
  try {
    c.stream = await openMicrophone();
    startMeter(c);

    setStatus('Calling…');
    let created, rtc;
    try {
      [created, rtc] = await Promise.all([
        api('POST', '/calls', { callerNumber: CALLER_NUMBER, agent: agentName }),
        api('GET', '/calls/config'),
      ]);
    } catch (e) {
      if (e.status === 503) throw new Error(`The agent "${agentName}" cannot take calls right now. ${e.message}`);
      throw new Error(`The call could not be started: ${e.message}`);
    }
    if (TOKEN) tokenUsed = true;
    c.id = created.call.id;
    c.sessionId = created.call.sessionId;
    ui.callId.textContent = c.id;
    ui.hangup.disabled = false;
    // Call is disabled now: keyboard users land on Hang up.
    if (keyboardIdle()) ui.hangup.focus();
    setStatus('Ringing…');

    await connectSignaling(c);
    if (c.ended) return; // hung up meanwhile
    await connectMedia(c, rtc.config);
    if (c.ended) return;
    // As the original client does: after the offer. Media may already flow,
    // which the runtime accepts. (A token may not; the offer connects the
    // call anyway.)
    if (!TOKEN) await api('POST', `/calls/${encodeURIComponent(c.id)}/connect`);
  } catch (e) {
    if (current === c && !c.ended) {
      showError(e.message);
      await hangUp(c, Boolean(c.id), c.id ? 'Call failed.' : 'Not in a call');
    }
  }
}

function connectSignaling(c) {
  const socket = TOKEN ? io('/signaling', { auth: { token: TOKEN } }) : io('/signaling');
  c.socket = socket;
  const join = { sessionId: c.sessionId, peerId: c.peerId };
  // The runtime's proof that a reconnect is this caller: kept for the next join.
  socket.on('joined-session', (ev) => { if (ev && ev.resumeToken) join.resumeToken = ev.resumeToken; });
  const live = (handler) => (ev) => { if (current === c && !c.ended && ev && ev.callId === c.id) handler(c, ev); };
  socket.on('call-status', live(onCallStatus));
  socket.on('transcript', live(onTranscript));
  socket.on('agent-response', live(onAgentResponse));
  socket.on('sentiment', live(onSentiment));
  socket.on('agent-speaking', live(onAgentSpeaking));
  socket.on('tool-call', live(onToolCall));
  socket.on('call-transferred', live(onTransferred));
  socket.on('answer', async (ev) => {
    if (current !== c || ev.peerId !== 'agent' || !c.pc) return;
    try {
      await c.pc.setRemoteDescription(ev.answer);
      for (const cand of c.pending.splice(0)) await c.pc.addIceCandidate(cand);
    } catch (e) {
      fail(c, `The agent's answer could not be used: ${e.message}`);
    }
  });
  socket.on('ice-candidate', async (ev) => {
    if (current !== c || ev.peerId !== 'agent' || !c.pc) return;
    if (!c.pc.remoteDescription) { c.pending.push(ev.candidate); return; }
    await c.pc.addIceCandidate(ev.candidate).catch(() => {}); // one bad candidate is not fatal
  });
  socket.on('error', (e) => { if (current === c) showError(signalingMessage(e)); });
  socket.on('disconnect', (why) => {
    if (current === c && !c.ended && why !== 'io client disconnect') setStatus('Signaling lost, reconnecting… (the audio goes on)');
  });
  return new Promise((resolve, reject) => {
    let first = true;
    socket.on('connect', () => {
      const joined = emitAck(socket, 'join-session', join);
      if (first) {
        first = false;
        joined.then(resolve, reject);
      } else {
        // A reconnect: join again for the live events.
        joined.then(() => setStatus('In call'), (e) => showError(e.message));
      }
    });
    socket.on('connect_error', () => {
      if (first) { first = false; reject(new Error('The signaling connection to the runtime failed.')); }
    });
  });
}

async function connectMedia(c, config) {
  const pc = new RTCPeerConnection(config);
  c.pc = pc;
  for (const track of c.stream.getAudioTracks()) pc.addTrack(track, c.stream);
  pc.ontrack = (ev) => { ui.audio.srcObject = ev.streams[0] || new MediaStream([ev.track]); };
  pc.onicecandidate = (ev) => {
    if (ev.candidate && current === c) {
      c.socket.emit('ice-candidate', { sessionId: c.sessionId, peerId: c.peerId, candidate: ev.candidate.toJSON() });
    }
  };
  pc.onconnectionstatechange = () => {
    if (current !== c) return;
    if (pc.connectionState === 'failed') fail(c, 'The audio connection failed (ICE failed). A firewall or VPN may block it.');
  };
  const offer = await pc.createOffer();
  await pc.setLocalDescription(offer);
  await emitAck(c.socket, 'offer', { sessionId: c.sessionId, peerId: c.peerId, offer: { type: offer.type, sdp: offer.sdp } });
}

// fail ends the call with an error the caller can read.
function fail(c, message) {
  if (current !== c || c.ended) return;
  showError(message);
  hangUp(c, true, 'Call failed.');
}

// hangUp ends the call: tells the runtime (POST /end, then leave-session)
// when tell is true, then frees the microphone, the peer connection and the
// socket. Live events stop counting at once.
async function hangUp(c, tell, statusText) {
  if (c.ended) return;
  c.ended = true;
  ui.hangup.disabled = true;
  if (tell && c.id) {
    setStatus('Hanging up…');
    // A token may not end calls over REST: leave-session ends its call.
    if (!TOKEN) await api('POST', `/calls/${encodeURIComponent(c.id)}/end`).catch(() => {}); // already over: fine
    if (c.socket && c.socket.connected) {
      await emitAck(c.socket, 'leave-session', { sessionId: c.sessionId, peerId: c.peerId }).catch(() => {});
    }
  }
  finish(c, statusText);
}

// finish frees what the call holds and makes the page ready for the next.
function finish(c, statusText) {
  c.ended = true;
  if (current !== c) return;
  if (statusText) setStatus(statusText);
  current = null;
  if (c.pc) c.pc.close();
  if (c.stream) for (const t of c.stream.getTracks()) t.stop();
  if (c.meterFrame) cancelAnimationFrame(c.meterFrame);
  if (c.audioCtx) c.audioCtx.close().catch(() => {});
  if (c.socket) c.socket.disconnect();
  for (const li of ui.log.querySelectorAll('[aria-busy]')) li.removeAttribute('aria-busy');
  ui.audio.srcObject = null;
  ui.meter.value = 0;
  const refocus = document.activeElement === ui.hangup || keyboardIdle();
  ui.hangup.disabled = true;
  setSpeaking('idle');
  // Availability may have changed; this re-enables Call.
  loadAgents().then(() => { if (refocus && !ui.call.disabled) ui.call.focus(); });
}

// keyboardIdle reports whether focus is nowhere in particular (on the page
// itself, or on a button just disabled).
function keyboardIdle() {
  const a = document.activeElement;
  return !a || a === document.body || a.disabled === true;
}

// ---- wiring ----

ui.form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  const chosen = ui.form.querySelector('input[name="agent"]:checked');
  if (!chosen || current) return;
  startCall(chosen.value);
});
ui.hangup.addEventListener('click', () => { if (current) hangUp(current, true, 'Call ended. You hung up.'); });
window.addEventListener('pagehide', () => {
  // Closing the tab ends the call at once rather than after the grace period.
  if (current && current.id && !TOKEN) navigator.sendBeacon?.(`${API}/calls/${encodeURIComponent(current.id)}/end`);
});

if (typeof io !== 'function') {
  showError('The signaling client (/socket.io/socket.io.js) did not load. Is the runtime running?');
} else {
  loadAgents();
}
