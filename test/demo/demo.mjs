// demo.mjs drives the demo page (web/, served by the runtime at /) in
// headless Debian Chromium the way a caller uses it, and prints one JSON
// object describing what the page showed. demo_test.go runs it; it also runs
// by hand against `make run`:
//
//   node demo.mjs --url http://localhost:3000/ --wav /abs/speech.wav
//
// Scenarios (--scenario):
//   conversation   (default) the caller picks the agent and presses Call
//                  with the keyboard, hears the greeting, speaks (the WAV is
//                  the microphone: silence while the greeting plays, then a
//                  question), waits for the agent's whole reply with its
//                  sentiment and latency, and clicks Hang up.
//   agent-hangup   the caller says goodbye over the greeting (barge-in); the
//                  agent answers and ends the call; the page says so.
//   errors         Call with the microphone refused, then (microphone
//                  allowed) an agent the runtime reports unavailable.
//   token          key mode: --url carries a call token (#token=...); the
//                  caller calls the token's agent, hears the reply, hangs
//                  up, and the page says the link has placed its call.
// The page is opened with ?mic=raw, which turns off the browser's echo
// cancellation, noise suppression and gain control, so the recorded speech
// reaches speech-to-text as synthesised.
//
// Options:
//   --url URL          the page (default http://localhost:3000/)
//   --wav PATH         WAV for the fake microphone, played once (required)
//   --scenario NAME    see above
//   --agent NAME       agent to call (default: default)
//   --expect TEXT      text the agent's reply must contain (default
//                      "three to five working days", the default agent's
//                      answer about orders)
//   --screenshot PATH  conversation: save the page after the reply (PNG)
//   --hold             conversation: after the reply, print
//                      {"event":"replied",...} and wait for a line on stdin
//                      before hanging up
//   --timeout MS       budget for the whole run (default 60000)
//   --chromium PATH    browser binary (default /usr/bin/chromium)
//
// Exit status: 0 when the scenario went as described, 1 otherwise; the JSON
// result is printed either way (last line of stdout).

import { chromium } from 'playwright-core';
import { createInterface } from 'node:readline';
import path from 'node:path';

function parseArgs(argv) {
  const o = {
    url: 'http://localhost:3000/',
    wav: '',
    agent: 'default',
    expect: 'three to five working days',
    screenshot: '',
    scenario: 'conversation',
    hold: false,
    timeout: 60000,
    chromium: '/usr/bin/chromium',
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    switch (a) {
      case '--url': o.url = next(); break;
      case '--wav': o.wav = path.resolve(next()); break;
      case '--agent': o.agent = next(); break;
      case '--expect': o.expect = next(); break;
      case '--screenshot': o.screenshot = path.resolve(next()); break;
      case '--hold': o.hold = true; break;
      case '--scenario': o.scenario = next(); break;
      case '--timeout': o.timeout = Number(next()); break;
      case '--chromium': o.chromium = next(); break;
      default: throw new Error(`unknown argument ${a}`);
    }
  }
  if (!o.wav) throw new Error('--wav is required');
  if (!Object.hasOwn(scenarios, o.scenario)) throw new Error(`unknown scenario ${o.scenario}`);
  return o;
}

// The chromium flags measured in DESIGN.md ("Real browser"). Without
// --use-fake-ui-for-media-stream (the errors scenario) the microphone is
// refused unless the test grants it.
function chromiumArgs(o) {
  return [
    ...(o.scenario === 'errors' ? [] : ['--use-fake-ui-for-media-stream']),
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
  ];
}

// observe runs in the page before its own scripts. It only watches: CSP
// violations, every status and agent-speaking state the page shows, the
// loudest the microphone meter got, and, once the page plays the agent's
// stream in #remote-audio, that stream's RMS every 20 ms (WebAudio).
function observe() {
  const m = { csp: [], statuses: [], speaking: [], micMax: 0, samples: [], audioError: null };
  window.__demo = m;
  document.addEventListener('securitypolicyviolation', (e) => m.csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  const watch = () => {
    const status = document.getElementById('status');
    const speaking = document.getElementById('speaking');
    const meter = document.getElementById('mic-level');
    const audio = document.getElementById('remote-audio');
    new MutationObserver(() => {
      const t = status.textContent;
      if (m.statuses[m.statuses.length - 1] !== t) m.statuses.push(t);
    }).observe(status, { childList: true, characterData: true, subtree: true });
    new MutationObserver(() => {
      const s = speaking.dataset.state;
      if (m.speaking[m.speaking.length - 1] !== s) m.speaking.push(s);
    }).observe(speaking, { attributes: true, attributeFilter: ['data-state'] });
    setInterval(() => { m.micMax = Math.max(m.micMax, meter.value); }, 20);
    let analysing = null;
    setInterval(() => {
      const stream = audio.srcObject;
      if (!stream || analysing === stream) return;
      analysing = stream;
      try {
        const ctx = new AudioContext();
        const an = ctx.createAnalyser();
        an.fftSize = 1024;
        ctx.createMediaStreamSource(stream).connect(an);
        const buf = new Float32Array(an.fftSize);
        const t0 = performance.now();
        setInterval(() => {
          an.getFloatTimeDomainData(buf);
          let sum = 0;
          for (const v of buf) sum += v * v;
          m.samples.push([Math.round(performance.now() - t0), Math.sqrt(sum / buf.length)]);
        }, 20);
      } catch (e) {
        m.audioError = String(e);
      }
    }, 10);
  };
  document.addEventListener('DOMContentLoaded', watch);
}

// summarise turns RMS samples into audible time (a sample at or above
// threshold counts its 20 ms) and an envelope: the loudest of each 100 ms.
function summarise(samples, threshold) {
  let max = 0, audible = 0;
  const envelope = [];
  for (let i = 0; i < samples.length; i++) {
    const [t, rms] = samples[i];
    max = Math.max(max, rms);
    if (rms >= threshold) audible += i > 0 ? t - samples[i - 1][0] : 20;
    const k = Math.floor(t / 100);
    while (envelope.length <= k) envelope.push(0);
    envelope[k] = Math.max(envelope[k], +rms.toFixed(3));
  }
  return { samples: samples.length, maxRms: +max.toFixed(5), threshold, audibleMs: Math.round(audible), envelope };
}

// pageState reads what the page shows.
function pageState() {
  const text = (id) => document.getElementById(id).textContent.trim();
  const error = document.getElementById('error');
  return {
    status: text('status'),
    callId: text('call-id'),
    speaking: document.getElementById('speaking').dataset.state,
    error: error.hidden ? '' : error.textContent,
    callEnabled: !document.getElementById('call-button').disabled,
    hangupEnabled: !document.getElementById('hangup-button').disabled,
    agents: [...document.querySelectorAll('#agents .agent')].map((a) => ({
      name: a.querySelector('input').value,
      disabled: a.querySelector('input').disabled,
      checked: a.querySelector('input').checked,
      reason: a.querySelector('.reason')?.textContent || '',
    })),
    log: [...document.querySelectorAll('#log .turn')].map((li) => ({
      who: li.classList.contains('caller') ? 'caller' : li.classList.contains('tool') ? 'tool' : 'agent',
      tool: li.dataset.tool || '',
      state: li.dataset.state || '',
      text: li.querySelector('.text').textContent,
      final: li.dataset.final === 'true',
      partial: li.querySelector('.text').classList.contains('partial'),
      sentiment: li.querySelector('.sentiment')?.textContent || '',
      latency: li.querySelector('.latency')?.textContent || '',
      interrupted: !!li.querySelector('.mark'),
    })),
  };
}

// errorsScenario: Call with the microphone refused, then Call an agent the
// page listed as ready that the runtime refuses (as when it went unavailable
// after the page loaded: here its disabled radio is re-enabled).
async function errorsScenario(browser, o, result, run) {
  const url = new URL(o.url);
  const context = await browser.newContext();
  const page = await context.newPage();
  run.page = page;
  page.on('pageerror', (err) => result.pageErrors.push(String(err)));
  await page.goto(url.href, { waitUntil: 'load' });
  await page.waitForSelector(`#agent-${o.agent}:enabled`);
  const errorShown = async () => {
    await page.waitForFunction(() => !document.getElementById('error').hidden, null, { timeout: 15000, polling: 50 });
    await page.waitForFunction(() => !document.getElementById('call-button').disabled, null, { timeout: 15000, polling: 50 });
    return page.evaluate(pageState);
  };

  result.phase = 'microphone denied';
  await page.click('#call-button');
  result.denied = await errorShown();

  result.phase = 'agent unavailable';
  await context.grantPermissions(['microphone'], { origin: url.origin });
  const unavailable = await page.evaluate(() => {
    const r = [...document.querySelectorAll('#agents input')].find((i) => i.disabled);
    if (!r) return '';
    r.disabled = false;
    r.checked = true;
    return r.value;
  });
  if (!unavailable) throw new Error('no unavailable agent is listed');
  result.unavailableAgent = unavailable;
  await page.click('#call-button');
  result.unavailable = await errorShown();
  result.phase = 'done';
  result.ok = result.pageErrors.length === 0;
}

// openAndCall opens the page with the observer, chooses the agent and
// presses Call, with the keyboard only, and waits until the call is on.
async function openAndCall(browser, o, result, run) {
  const { mark, left } = run;
  const url = new URL(o.url);
  url.searchParams.set('mic', 'raw');
  const context = await browser.newContext({ viewport: { width: 900, height: 1000 } });
  const page = await context.newPage();
  run.page = page;
  page.on('console', (msg) => result.console.push(`${msg.type()}: ${msg.text()}`));
  page.on('pageerror', (err) => result.pageErrors.push(String(err)));
  page.on('requestfailed', (req) => result.requestFailures.push(`${req.method()} ${req.url()}: ${req.failure()?.errorText}`));
  await page.addInitScript(observe);

  result.phase = 'load';
  await page.goto(url.href, { waitUntil: 'load', timeout: left() });
  result.socketIOLoaded = await page.evaluate(() => typeof io === 'function');
  const radio = `#agent-${o.agent}`;
  await page.waitForSelector(`${radio}:enabled`, { timeout: left() });
  mark('loaded');
  result.before = await page.evaluate(pageState);

  // Keyboard only: choose the agent, Tab to Call, Enter.
  result.phase = 'call';
  await page.focus(radio);
  await page.keyboard.press('Space');
  await page.keyboard.press('Tab');
  result.focusAfterTab = await page.evaluate(() => document.activeElement?.id);
  if (result.focusAfterTab !== 'call-button') throw new Error(`Tab from the agent went to #${result.focusAfterTab}, not the Call button`);
  await page.keyboard.press('Enter');

  result.phase = 'connect';
  await page.waitForFunction(() => document.getElementById('status').textContent === 'In call', null, { timeout: left(), polling: 50 });
  mark('inCall');
  result.focusInCall = await page.evaluate(() => document.activeElement?.id);
  return page;
}

// conversation is a caller's whole call through the page.
async function conversation(browser, o, result, run) {
  const { mark, left } = run;
  const page = await openAndCall(browser, o, result, run);

  // The greeting: an agent entry with text (its text comes when it ends).
  result.phase = 'greeting';
  await page.waitForFunction(() => !!document.querySelector('#log .turn.agent[data-final="true"] .text:not(:empty)'), null, { timeout: left(), polling: 50 });
  mark('greeted');

  result.phase = 'transcript';
  await page.waitForFunction(
    () => [...document.querySelectorAll('#log .turn.caller[data-final="true"] .text')].some((p) => /order/i.test(p.textContent)),
    null, { timeout: left(), polling: 50 });
  mark('transcribed');

  // The reply streams in, then its final text, then the page reads its
  // latency from the stored history.
  result.phase = 'reply';
  await page.waitForFunction(
    (expect) => [...document.querySelectorAll('#log .turn.agent[data-final="true"] .text')].some((p) => p.textContent.includes(expect)),
    o.expect, { timeout: left(), polling: 50 });
  mark('replied');
  result.phase = 'latency';
  await page.waitForFunction(() => !!document.querySelector('#log .turn.caller .latency') && !!document.querySelector('#log .turn.caller .sentiment'),
    null, { timeout: Math.min(left(), 10000), polling: 50 });
  mark('timed');

  result.during = await page.evaluate(pageState);
  if (o.screenshot) {
    await page.screenshot({ path: o.screenshot, fullPage: true });
    result.screenshot = o.screenshot;
  }
  if (o.hold) {
    process.stdout.write(JSON.stringify({ event: 'replied', callId: result.during.callId }) + '\n');
    const rl = createInterface({ input: process.stdin });
    await new Promise((resolve) => { rl.once('line', resolve); rl.once('close', resolve); });
    rl.close();
  }

  result.phase = 'hangup';
  await page.click('#hangup-button', { timeout: left() });
  result.focusAfterHangup = await page.waitForFunction(() => document.activeElement?.id === 'call-button', null, { timeout: 5000, polling: 50 })
    .then(() => 'call-button', () => page.evaluate(() => document.activeElement?.id));
  await page.waitForFunction(() => document.getElementById('status').textContent.startsWith('Call ended'), null, { timeout: Math.max(left(), 5000), polling: 50 });
  // The page lets go of the call: Call works again, the audio is detached.
  await page.waitForFunction(() => !document.getElementById('call-button').disabled, null, { timeout: Math.max(left(), 5000), polling: 50 });
  mark('hungUp');
  result.after = await page.evaluate(pageState);
  result.after.audioAttached = await page.evaluate(() => !!document.getElementById('remote-audio').srcObject);
  result.phase = 'done';
  result.ok = result.pageErrors.length === 0;
}

// agentHangup: the caller says goodbye and the agent ends the call.
async function agentHangup(browser, o, result, run) {
  const { mark, left } = run;
  const page = await openAndCall(browser, o, result, run);
  result.phase = 'agent hangs up';
  await page.waitForFunction(() => document.getElementById('status').textContent.startsWith('Call ended'), null, { timeout: left(), polling: 50 });
  await page.waitForFunction(() => !document.getElementById('call-button').disabled, null, { timeout: left(), polling: 50 });
  mark('ended');
  result.after = await page.evaluate(pageState);
  result.after.audioAttached = await page.evaluate(() => !!document.getElementById('remote-audio').srcObject);
  result.phase = 'done';
  result.ok = result.pageErrors.length === 0;
}

// token: key mode, the page opened from a call link (--url .../#token=...):
// the token's agent is the only one offered, the call is answered, the
// caller hangs up, and the link cannot call again.
async function tokenCall(browser, o, result, run) {
  const { mark, left } = run;
  const page = await openAndCall(browser, o, result, run);
  result.phase = 'greeting';
  await page.waitForFunction(() => !!document.querySelector('#log .turn.agent[data-final="true"] .text:not(:empty)'), null, { timeout: left(), polling: 50 });
  mark('greeted');
  result.phase = 'reply';
  await page.waitForFunction(
    (expect) => [...document.querySelectorAll('#log .turn.agent[data-final="true"] .text')].some((p) => p.textContent.includes(expect)),
    o.expect, { timeout: left(), polling: 50 });
  mark('replied');
  result.during = await page.evaluate(pageState);
  result.phase = 'hangup';
  await page.click('#hangup-button', { timeout: left() });
  await page.waitForFunction(() => document.getElementById('status').textContent.startsWith('Call ended'), null, { timeout: Math.max(left(), 5000), polling: 50 });
  await page.waitForFunction(() => /placed its call/.test(document.getElementById('agents-note').textContent), null, { timeout: Math.max(left(), 5000), polling: 50 });
  mark('hungUp');
  result.after = await page.evaluate(pageState);
  result.after.note = await page.evaluate(() => document.getElementById('agents-note').textContent);
  result.after.callDisabled = await page.evaluate(() => document.getElementById('call-button').disabled);
  result.phase = 'done';
  result.ok = result.pageErrors.length === 0;
}

const scenarios = { 'conversation': conversation, 'agent-hangup': agentHangup, 'transfer': agentHangup, 'errors': errorsScenario, 'token': tokenCall };

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const t0 = Date.now();
  const ms = () => Date.now() - t0;
  const result = { ok: false, phase: 'start', timings: {}, console: [], pageErrors: [], requestFailures: [] };
  const mark = (name) => { result.timings[name] = ms(); };
  const deadline = t0 + o.timeout;
  const left = () => Math.max(1, deadline - Date.now());
  const run = { mark, left, page: null };
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
    await scenarios[o.scenario](browser, o, result, run);
  } catch (err) {
    result.error = String(err && err.stack || err);
    if (run.page) result.atError = await run.page.evaluate(pageState).catch(() => null);
  } finally {
    if (run.page) {
      const m = await run.page.evaluate(() => window.__demo).catch(() => null);
      if (m) {
        result.audio = summarise(m.samples, 0.01); // -40 dBFS; decoded silence is ~0
        result.audio.error = m.audioError;
        result.statuses = m.statuses;
        result.speakingStates = m.speaking;
        result.micMax = +m.micMax.toFixed(3);
        result.csp = m.csp;
      }
    }
    if (browser) await browser.close().catch(() => {});
    result.timings.total = ms();
  }
  process.stdout.write(JSON.stringify(result) + '\n');
  process.exit(result.ok ? 0 : 1);
}

main().catch((err) => {
  process.stdout.write(JSON.stringify({ ok: false, phase: 'args', error: String(err) }) + '\n');
  process.exit(2);
});
