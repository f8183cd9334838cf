// Helpers the interoperability tests share: the fake server as a child
// process, Baileys sockets with their auth state in memory, and checks
// that stop at the first failure.
//
// Exits 77 (skipped) when Baileys is not installed, or 1 when
// XI_REQUIRE_INTEROP says it must be.

'use strict';

const { spawn } = require('node:child_process');
const readline = require('node:readline');

let baileys;
try {
  baileys = require('@whiskeysockets/baileys');
} catch (error) {
  if (error.code !== 'MODULE_NOT_FOUND')
    throw error;
  process.stderr.write('Baileys is not installed: run “npm ci” in tests/interop (build-aux/run-tests does).\n');
  process.exit(process.env.XI_REQUIRE_INTEROP ? 1 : 77);
}
const { default: makeWASocket, initAuthCreds, BufferJSON, DisconnectReason } = baileys;

const STEP_TIMEOUT_MS = 20000;

function log (...args) {
  process.stderr.write(args.join(' ') + '\n');
}

// The fake server as a child: its stdout lines are events and answers,
// its stdin takes commands.
function startFakewa (program, args = []) {
  const child = spawn(program, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: child.stdout });
  const waiting = [];
  const backlog = [];

  lines.on('line', (line) => {
    const index = waiting.findIndex((w) => w.match(line));
    if (index >= 0) {
      const [w] = waiting.splice(index, 1);
      clearTimeout(w.timer);
      w.resolve(line);
    } else {
      if (process.env.INTEROP_TRACE)
        log(`fakewa: ${line}`);
      backlog.push(line);
    }
  });
  child.on('exit', (code) => {
    for (const w of waiting.splice(0)) {
      clearTimeout(w.timer);
      w.reject(new Error(`fakewa exited (${code}) while waiting`));
    }
  });

  const expect = (match, what) => {
    const index = backlog.findIndex(match);
    if (index >= 0)
      return Promise.resolve(backlog.splice(index, 1)[0]);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiting.splice(waiting.findIndex((w) => w.resolve === resolve), 1);
        reject(new Error(`fakewa did not say ${what} in time`));
      }, STEP_TIMEOUT_MS);
      waiting.push({ match, resolve, reject, timer });
    });
  };
  const command = async (text) => {
    child.stdin.write(text + '\n');
    const answer = await expect((l) => l === 'ok' || l.startsWith('error '), `an answer to “${text}”`);
    if (answer !== 'ok')
      throw new Error(`fakewa refused “${text}”: ${answer}`);
  };
  return { child, expect, command };
}

// Baileys' auth state kept in memory, serialised the way its own file
// store does so keys survive a "restart" exactly as on disk. SAVED, a
// snapshot() of an earlier state, carries one over to another process.
function memoryAuthState (saved) {
  const restored = saved ? JSON.parse(saved, BufferJSON.reviver) : undefined;
  const data = new Map(restored?.keys);
  const roundTrip = (value) => JSON.parse(JSON.stringify(value, BufferJSON.replacer), BufferJSON.reviver);
  // A real phone shares its app-state keys right after linking; without
  // one Baileys holds back every event (messages included) until it
  // arrives. The fake phone shares only when a test says so (phone-share),
  // so the device starts with an id.
  const state = {
    creds: restored?.creds ?? { ...initAuthCreds(), myAppStateKeyId: 'AAAAAA==' },
    keys: {
      get: async (type, ids) => {
        const found = {};
        for (const id of ids) {
          const value = data.get(`${type}-${id}`);
          // As Baileys' own file store does: app-state keys come back as
          // the protobuf they were, not as the JSON they were kept in.
          if (value !== undefined)
            found[id] = type === 'app-state-sync-key'
              ? baileys.proto.Message.AppStateSyncKeyData.fromObject(roundTrip(value))
              : roundTrip(value);
        }
        return found;
      },
      set: async (entries) => {
        for (const type of Object.keys(entries))
          for (const id of Object.keys(entries[type])) {
            const value = entries[type][id];
            if (value)
              data.set(`${type}-${id}`, roundTrip(value));
            else
              data.delete(`${type}-${id}`);
          }
      },
    },
  };
  return {
    state,
    saveCreds: () => { state.creds = roundTrip(state.creds); },
    snapshot: () => JSON.stringify({ creds: state.creds, keys: [...data] }, BufferJSON.replacer),
  };
}

// INTEROP_TRACE=1 shows Baileys' own log of every node, for debugging.
const silentLogger = process.env.INTEROP_TRACE ? require('pino')({ level: 'trace' }, process.stderr) : {
  level: 'silent',
  child () { return silentLogger; },
  trace () {}, debug () {}, info () {}, warn () {}, error () {}, fatal () {},
};

// One Baileys socket; resolves the events the checks wait for.
function connect (url, auth, extra = {}) {
  const sock = makeWASocket({
    ...extra,
    waWebSocketUrl: url,
    auth: auth.state,
    logger: silentLogger,
    printQRInTerminal: false,
    markOnlineOnConnect: false,
    fireInitQueries: false,
    syncFullHistory: false,
    connectTimeoutMs: STEP_TIMEOUT_MS,
    keepAliveIntervalMs: 2000,
  });
  const qrCodes = [];
  const events = { qrCodes };
  events.opened = new Promise((resolve) => { events.resolveOpen = resolve; });
  events.closed = new Promise((resolve) => { events.resolveClose = resolve; });
  events.firstQr = new Promise((resolve) => { events.resolveQr = resolve; });

  sock.ev.on('creds.update', (update) => {
    Object.assign(auth.state.creds, update);
    auth.saveCreds();
  });
  sock.ev.on('connection.update', (update) => {
    if (update.qr) {
      qrCodes.push(update.qr);
      events.resolveQr(update.qr);
    }
    if (update.connection === 'open')
      events.resolveOpen();
    if (update.connection === 'close')
      events.resolveClose(update.lastDisconnect?.error?.output?.statusCode);
  });
  events.sock = sock;
  return events;
}

function within (promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), STEP_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// Resolves once done() holds, asked every 100 ms; rejects after
// STEP_TIMEOUT_MS. For what follows a command a moment after it ended:
// "run" ends once the server took the messages, Baileys decrypts later.
async function until (done, what) {
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  while (!done()) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

let passed = 0;
async function check (name, body) {
  await body();
  passed++;
  log(`ok ${passed} - ${name}`);
}

// Runs the checks of a test program: exits 0 when all passed, 1 at the
// first failure.
function run (main) {
  main().then(() => {
    log(`${passed} checks passed`);
    process.exit(0);
  }, (error) => {
    log(`not ok - ${error.stack || error}`);
    process.exit(1);
  });
}

// Links a new Baileys device of PHONE through the fake server: QR, scan,
// the 515 restart, login. Resolves with the open connection and the
// device's JID and LID as the fake server named them.
async function link (fakewa, url, auth, phone, extra = {}) {
  const registering = connect(url, auth, extra);
  const qr = await within(registering.firstQr, 'a QR code');
  await fakewa.command(`scan ${qr} ${phone}`);
  const paired = await fakewa.expect((l) => l.startsWith(`paired ${phone}:`), 'paired');
  const [, jid, lid] = paired.split(' ');
  const code = await within(registering.closed, 'the restart after pairing');
  if (code !== DisconnectReason.restartRequired)
    throw new Error(`pairing ended with ${code}, not a restart`);
  const open = connect(url, auth, extra);
  await within(open.opened, 'the login');
  return { connection: open, jid, lid, qr };
}

// xender-in-cli link --json, on its own data directory: resolves with the
// objects it prints, one per QR code and one when linked.
function linkWithCli (program, url, root, dataDir, onObject) {
  const child = spawn(program, ['--data-dir', dataDir, '--json', 'link'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, XI_WA_URL: url, XI_WA_ROOT_KEY: root },
  });
  const lines = readline.createInterface({ input: child.stdout });
  let text = '';
  lines.on('line', (line) => {
    text += line + '\n';
    if (line === '}') {
      onObject(JSON.parse(text));
      text = '';
    }
  });
  return new Promise((resolve) => child.on('exit', resolve));
}

// xender-in-cli with a data directory and the fake server's address (and
// the test CA of its media host, endpoint.mediaCa); resolves with its exit
// code, standard output and standard error.
function runCli (program, dataDir, endpoint, args) {
  const child = spawn(program, ['--data-dir', dataDir, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env, XI_WA_URL: endpoint.url, XI_WA_ROOT_KEY: endpoint.root,
      ...(endpoint.mediaCa ? { XI_WA_MEDIA_CA: endpoint.mediaCa } : {}),
    },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk) => { out += chunk; });
  child.stderr.on('data', (chunk) => { err += chunk; });
  return within(new Promise((resolve) => child.on('exit', (code) => resolve({ code, out, err }))),
                `xender-in-cli ${args.join(' ')}`);
}

// The text of a decrypted message. protobufjs puts field defaults on the
// prototype: an absent conversation reads as "", not undefined.
function textOf (message) {
  return message?.conversation || message?.extendedTextMessage?.text;
}

// The next event @name on @sock whose payload @match accepts (and turns
// into the value to resolve with).
function next (sock, name, match, what) {
  return within(new Promise((resolve) => {
    const listener = (payload) => {
      const found = match(payload);
      if (found) {
        sock.ev.off(name, listener);
        resolve(found);
      }
    };
    sock.ev.on(name, listener);
  }), what);
}

// The message @text from @from's account arriving on @sock.
function received (sock, from, text) {
  return next(sock, 'messages.upsert', ({ messages }) => messages.find((m) =>
    !m.key.fromMe && m.key.remoteJid === `${from}@s.whatsapp.net` && textOf(m.message) === text),
  `“${text}” to arrive`);
}

module.exports = {
  log, startFakewa, memoryAuthState, connect, within, until, check, run, link, baileys, linkWithCli,
  runCli, textOf, next, received, STEP_TIMEOUT_MS,
};

