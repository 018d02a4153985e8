// call.mjs drives the original example client (original-client.html) in
// headless Debian Chromium against a parley runtime and prints one JSON
// object describing what happened. browser_test.go runs it; it also runs by
// hand against `make run`:
//
//   node call.mjs --port 3000 --wav /abs/speech.wav
//
// The page hard-codes http://localhost:3000. Chromium's
// --host-resolver-rules maps localhost:3000 to 127.0.0.1:<port>, so the
// runtime under test can listen anywhere and the page's fetch, socket.io
// polling and websocket requests (and their Origin/Host headers) stay exactly
// what the page sends to localhost:3000. The page itself is served from a
// second loopback origin (http://127.0.0.1:<ephemeral>/), so every request it
// makes to the runtime is cross-origin, as when a developer opens the example
// beside a running server.
//
// Options:
//   --port N          runtime port that localhost:3000 maps to (default 3000)
//   --wav PATH        WAV for the fake microphone, played once (required)
//   --hold            after the greeting, print {"event":"greeted",...} and
//                     wait for a line on stdin before clicking endCall
//   --timeout MS      budget for the whole call (default 40000)
//   --min-audible MS  audible remote audio required (default 1500; the
//                     default agent's greeting is about 3 s of sound in 4 s)
//   --chromium PATH   browser binary (default /usr/bin/chromium)
//
// Exit status: 0 when the greeting was heard and the call ended, 1 otherwise;
// the JSON result is printed either way (last line of stdout).

import { chromium } from 'playwright-core';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));

function parseArgs(argv) {
  const o = {
    port: 3000,
    wav: '',
    hold: false,
    timeout: 40000,
    minAudible: 1500,
    chromium: '/usr/bin/chromium',
    page: path.join(here, 'original-client.html'),
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    switch (a) {
      case '--port': o.port = Number(next()); break;
      case '--wav': o.wav = path.resolve(next()); break;
      case '--hold': o.hold = true; break;
      case '--timeout': o.timeout = Number(next()); break;
      case '--min-audible': o.minAudible = Number(next()); break;
      case '--chromium': o.chromium = next(); break;
      case '--page': o.page = path.resolve(next()); break;
      default: throw new Error(`unknown argument ${a}`);
    }
  }
  if (!o.wav) throw new Error('--wav is required');
  if (!Number.isInteger(o.port) || o.port <= 0) throw new Error('--port must be a port number');
  return o;
}

// servePage serves the one page on an ephemeral loopback port.
async function servePage(file) {
  const html = await readFile(file);
  const server = createServer((req, res) => {
    if (req.url === '/' || req.url === '/original-client.html') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(html);
      return;
    }
    res.writeHead(req.url === '/favicon.ico' ? 204 : 404);
    res.end();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

// The chromium flags measured in DESIGN.md ("Real browser").
function chromiumArgs(o) {
  return [
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
    `--use-file-for-fake-audio-capture=${o.wav}%noloop`,
    '--autoplay-policy=no-user-gesture-required',
    '--allow-loopback-in-peer-connection',
    '--disable-gpu',
    '--disable-quic',
    '--disable-sync',
    '--disable-background-networking',
    '--disable-component-update',
    '--no-first-run',
    // The page talks to http://localhost:3000; send that to the runtime under
    // test. Only this host:port is mapped; everything else resolves as usual.
    `--host-resolver-rules=MAP localhost:3000 127.0.0.1:${o.port}`,
  ];
}

// installMonitor runs in the page before the call starts. It only observes:
// once the page's ontrack handler sets remoteAudio.srcObject, a WebAudio
// AnalyserNode samples the remote stream's RMS every 20 ms.
function installMonitor() {
  const m = { samples: [], startedAt: 0, error: null, trackAt: 0 };
  window.__parleyMonitor = m;
  const el = document.getElementById('remoteAudio');
  const poll = setInterval(() => {
    const stream = el.srcObject;
    if (!stream || stream.getAudioTracks().length === 0) return;
    clearInterval(poll);
    m.trackAt = performance.now();
    try {
      const ctx = new AudioContext();
      const src = ctx.createMediaStreamSource(stream);
      const an = ctx.createAnalyser();
      an.fftSize = 1024; // about 21 ms at 48 kHz
      src.connect(an);
      const buf = new Float32Array(an.fftSize);
      m.startedAt = performance.now();
      m.contextState = ctx.state;
      m.sampleRate = ctx.sampleRate;
      setInterval(() => {
        an.getFloatTimeDomainData(buf);
        let sum = 0;
        for (let i = 0; i < buf.length; i++) sum += buf[i] * buf[i];
        m.samples.push([Math.round(performance.now() - m.startedAt), Math.sqrt(sum / buf.length)]);
      }, 20);
    } catch (e) {
      m.error = String(e);
    }
  }, 10);
}

// summarise turns RMS samples into audible time: a sample is audible above
// threshold; the longest run tolerates gaps shorter than 300 ms (pauses
// between words).
function summarise(samples, threshold) {
  let max = 0, sum = 0, audible = 0, longest = 0;
  let runStart = -1, lastLoud = -1, firstLoud = -1, lastLoudAny = -1;
  for (let i = 0; i < samples.length; i++) {
    const [t, rms] = samples[i];
    const dt = i > 0 ? t - samples[i - 1][0] : 20;
    max = Math.max(max, rms);
    sum += rms;
    if (rms >= threshold) {
      audible += dt;
      if (firstLoud < 0) firstLoud = t;
      lastLoudAny = t;
      if (runStart < 0 || t - lastLoud > 300) runStart = t;
      lastLoud = t;
      longest = Math.max(longest, t - runStart);
    }
  }
  // The envelope: the loudest sample of each 100 ms, for the record.
  const envelope = [];
  for (const [t, rms] of samples) {
    const i = Math.floor(t / 100);
    while (envelope.length <= i) envelope.push(0);
    envelope[i] = Math.max(envelope[i], +rms.toFixed(3));
  }
  return {
    envelope,
    samples: samples.length,
    maxRms: +max.toFixed(5),
    meanRms: samples.length ? +(sum / samples.length).toFixed(5) : 0,
    threshold,
    audibleMs: Math.round(audible),
    longestSpanMs: Math.round(longest),
    firstAudibleMs: firstLoud,
    lastAudibleMs: lastLoudAny,
  };
}

async function inboundStats(page) {
  return page.evaluate(async () => {
    // peerConnection is the page's own top-level variable.
    // eslint-disable-next-line no-undef
    const pc = typeof peerConnection !== 'undefined' ? peerConnection : null;
    if (!pc) return null;
    const out = { connectionState: pc.connectionState, iceConnectionState: pc.iceConnectionState };
    const stats = await pc.getStats();
    stats.forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'audio') {
        out.inbound = {
          packetsReceived: s.packetsReceived, bytesReceived: s.bytesReceived,
          packetsLost: s.packetsLost, jitter: s.jitter,
          totalAudioEnergy: s.totalAudioEnergy, totalSamplesDuration: s.totalSamplesDuration,
        };
      }
      if (s.type === 'outbound-rtp' && s.kind === 'audio') {
        out.outbound = { packetsSent: s.packetsSent, bytesSent: s.bytesSent };
      }
      if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') {
        out.selectedPair = { local: s.localCandidateId, remote: s.remoteCandidateId, rtt: s.currentRoundTripTime };
      }
      if (s.type === 'codec' && /audio/.test(s.mimeType)) {
        (out.codecs ||= []).push(s.mimeType);
      }
    });
    return out;
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// consoleLine resolves when the page logs text, and rejects on an uncaught
// page error (the click handlers are async: a failure shows up only there).
function consoleLine(page, text, timeout) {
  return new Promise((resolve, reject) => {
    const done = (fn, v) => {
      clearTimeout(timer);
      page.off('console', onConsole);
      page.off('pageerror', onError);
      fn(v);
    };
    const onConsole = (m) => { if (m.text() === text) done(resolve); };
    const onError = (e) => done(reject, new Error(`page error before "${text}": ${e}`));
    const timer = setTimeout(() => done(reject, new Error(`page did not log "${text}" within ${timeout} ms`)), timeout);
    page.on('console', onConsole);
    page.on('pageerror', onError);
  });
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const t0 = Date.now();
  const ms = () => Date.now() - t0;
  const result = { ok: false, phase: 'start', timings: {}, console: [], pageErrors: [], requestFailures: [] };
  const mark = (name) => { result.timings[name] = ms(); };
  const deadline = t0 + o.timeout;
  const left = () => Math.max(1, deadline - Date.now());

  const server = await servePage(o.page);
  const pageURL = `http://127.0.0.1:${server.address().port}/`;
  result.pageURL = pageURL;
  let browser;
  try {
    result.phase = 'launch';
    browser = await chromium.launch({
      executablePath: o.chromium,
      headless: true,
      args: chromiumArgs(o),
      ignoreDefaultArgs: ['--mute-audio'],
      timeout: 20000,
    });
    result.browserVersion = browser.version();
    mark('launched');
    const context = await browser.newContext();
    const page = await context.newPage();
    page.on('console', (msg) => result.console.push(`${msg.type()}: ${msg.text()}`));
    page.on('pageerror', (err) => result.pageErrors.push(String(err)));
    page.on('requestfailed', (req) => result.requestFailures.push(`${req.method()} ${req.url()}: ${req.failure()?.errorText}`));

    result.phase = 'load';
    await page.goto(pageURL, { waitUntil: 'load', timeout: left() });
    // socket.io.js came from the runtime (through the mapping) when io exists.
    result.socketIOLoaded = await page.evaluate(() => typeof io === 'function');
    if (!result.socketIOLoaded) throw new Error('socket.io client did not load from http://localhost:3000/socket.io/socket.io.js');
    mark('loaded');

    await page.evaluate(installMonitor);
    const started = consoleLine(page, '통화 시작됨!', left());
    started.catch(() => {}); // awaited below; no unhandled rejection if the click fails
    result.phase = 'startCall';
    await page.click('#startCall', { timeout: left() });
    await started;
    mark('startCallDone');
    Object.assign(result, await page.evaluate(() => ({
      // eslint-disable-next-line no-undef
      callId, sessionId, socketConnected: !!(socket && socket.connected), transport: socket?.io?.engine?.transport?.name,
    })));

    result.phase = 'connect';
    await page.waitForFunction(
      // eslint-disable-next-line no-undef
      () => peerConnection && peerConnection.connectionState === 'connected',
      null, { timeout: left(), polling: 20 });
    mark('connected');
    result.transport = await page.evaluate(() => socket?.io?.engine?.transport?.name); // eslint-disable-line no-undef

    // The greeting: wait until enough audible audio has played and then
    // 800 ms of quiet (the greeting ended), or the budget runs out.
    result.phase = 'greeting';
    const threshold = 0.01; // -40 dBFS; decoded silence is ~0
    let audio;
    for (;;) {
      const m = await page.evaluate(() => ({
        samples: window.__parleyMonitor.samples, error: window.__parleyMonitor.error,
        trackAt: window.__parleyMonitor.trackAt, contextState: window.__parleyMonitor.contextState,
      }));
      if (m.error) throw new Error(`audio monitor: ${m.error}`);
      audio = summarise(m.samples, threshold);
      audio.contextState = m.contextState;
      const lastT = m.samples.length ? m.samples[m.samples.length - 1][0] : 0;
      if (audio.audibleMs >= o.minAudible && lastT - audio.lastAudibleMs >= 800) break;
      if (Date.now() + 200 >= deadline - 3000) break; // keep time to end the call
      await sleep(200);
    }
    result.audio = audio;
    result.rtc = await inboundStats(page);
    mark('greeted');
    result.greetingHeard = audio.audibleMs >= o.minAudible && audio.longestSpanMs >= o.minAudible / 2;

    if (o.hold) {
      process.stdout.write(JSON.stringify({ event: 'greeted', callId: result.callId, sessionId: result.sessionId, greetingHeard: result.greetingHeard }) + '\n');
      const rl = createInterface({ input: process.stdin });
      await new Promise((resolve) => { rl.once('line', resolve); rl.once('close', resolve); });
      rl.close();
    }

    result.phase = 'endCall';
    const ended = consoleLine(page, '통화 종료됨!', Math.max(left(), 5000));
    ended.catch(() => {});
    await page.click('#endCall', { timeout: Math.max(left(), 5000) });
    await ended;
    mark('ended');
    result.afterEnd = await page.evaluate(() => ({
      // eslint-disable-next-line no-undef
      connectionState: peerConnection.connectionState, socketConnected: socket.connected,
    }));
    result.phase = 'done';
    result.ok = result.greetingHeard && result.pageErrors.length === 0;
  } catch (err) {
    result.error = String(err && err.stack || err);
  } finally {
    if (browser) await browser.close().catch(() => {});
    server.close();
    result.timings.total = ms();
  }
  process.stdout.write(JSON.stringify(result) + '\n');
  process.exit(result.ok ? 0 : 1);
}

main().catch((err) => {
  process.stdout.write(JSON.stringify({ ok: false, phase: 'args', error: String(err) }) + '\n');
  process.exit(2);
});
