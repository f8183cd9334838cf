// Helpers the supabase suite shares: a throwaway PostgreSQL cluster with
// the project's migrations (pg-cluster), the gateway in front of it, the
// official supabase-js client pointed at it, and cleanup that runs even
// when a check fails or the test is killed.
//
// Exits 77 (skipped) when supabase-js is not installed, or 1 when
// XI_REQUIRE_INTEROP says it must be.

'use strict';

const { spawn, execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const readline = require('node:readline');

let supabase;
try {
  supabase = require('@supabase/supabase-js');
} catch (error) {
  if (error.code !== 'MODULE_NOT_FOUND')
    throw error;
  process.stderr.write('supabase-js is not installed: run “npm ci” in tests/fakesupabase/conformance (build-aux/run-tests does).\n');
  process.exit(process.env.XI_REQUIRE_INTEROP ? 1 : 77);
}

const PG_CLUSTER = path.join(__dirname, '..', 'pg-cluster');
const JWT_SECRET = 'test-secret-of-the-xender-in-gateway-0123456789';

function log (...args) {
  process.stderr.write(args.join(' ') + '\n');
}

const cleanups = [];

function cleanUp () {
  while (cleanups.length > 0) {
    try {
      cleanups.pop()();
    } catch (error) {
      log(`cleanup: ${error.message}`);
    }
  }
}

process.on('exit', cleanUp);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    cleanUp();
    process.exit(1);
  });
}

function startCluster () {
  // The socket path must stay short (pg-cluster refuses long ones).
  const dir = fs.mkdtempSync(path.join('/tmp', 'xi-sb.'));
  fs.rmdirSync(dir);
  const output = execFileSync(PG_CLUSTER, ['start', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  cleanups.push(() => execFileSync(PG_CLUSTER, ['stop', dir], { stdio: 'inherit' }));
  const settings = Object.fromEntries(output.trim().split('\n').map((line) => line.split('=', 2)));
  return { dir, port: Number(settings.PGPORT) };
}

function psql (cluster, sql) {
  return execFileSync('psql', ['-X', '-q', '-t', '-A', '-v', 'ON_ERROR_STOP=1', '-h', cluster.dir,
    '-p', String(cluster.port), '-U', 'postgres', '-d', 'postgres', '-c', sql],
  { encoding: 'utf8' }).trim();
}

async function startGateway (program, cluster, extraArgs = []) {
  const child = spawn(program, [
    '--db', `host=127.0.0.1 port=${cluster.port} dbname=postgres user=authenticator`,
    '--jwt-secret', JWT_SECRET, '--watch-stdin', ...extraArgs,
  ], { stdio: ['pipe', 'pipe', 'inherit'] });
  cleanups.push(() => child.kill('SIGTERM'));

  const lines = readline.createInterface({ input: child.stdout });
  const info = {};
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the gateway did not start in time')), 20000);
    child.on('exit', (code) => reject(new Error(`the gateway exited (${code}) before it was ready`)));
    lines.on('line', (line) => {
      const [key, value] = line.split(' ', 2);
      info[key] = value;
      if (key === 'control') {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return { child, url: info.url, anonKey: info['anon-key'], serviceKey: info['service-key'], controlUrl: info.control };
}

// The rig of one test: cluster, gateway, and shortcuts to both.
async function startRig (program, extraArgs = []) {
  const cluster = startCluster();
  const gateway = await startGateway(program, cluster, extraArgs);
  return {
    cluster,
    gateway,
    url: gateway.url,
    anonKey: gateway.anonKey,
    serviceKey: gateway.serviceKey,
    sql: (text) => psql(cluster, text),
    client: () => supabase.createClient(gateway.url, gateway.anonKey, {
      auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    }),
    // A client that sends a user's access token, as the app does after
    // signing in.
    clientFor: (accessToken) => supabase.createClient(gateway.url, gateway.anonKey, {
      auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
      global: { headers: { Authorization: `Bearer ${accessToken}` } },
    }),
    control: async (command, params = {}) => {
      const response = await fetch(`${gateway.controlUrl}/${command}?${new URLSearchParams(params)}`, { method: 'POST' });
      if (!response.ok)
        throw new Error(`control ${command} failed: ${response.status} ${await response.text()}`);
      return response.json();
    },
    // Raw HTTP, for what supabase-js does not expose.
    http: async (method, route, { token, body, headers = {}, apikey } = {}) => {
      const all = { apikey: apikey === undefined ? gateway.anonKey : apikey, ...headers };
      if (apikey === null)
        delete all.apikey;
      if (token)
        all.Authorization = `Bearer ${token}`;
      if (body !== undefined)
        all['Content-Type'] = 'application/json';
      const response = await fetch(gateway.url + route, {
        method, headers: all, body: body === undefined ? undefined : (typeof body === 'string' ? body : JSON.stringify(body)),
      });
      const text = await response.text();
      let json = null;
      try {
        json = text ? JSON.parse(text) : null;
      } catch (error) {
        json = null;
      }
      return { status: response.status, headers: response.headers, text, json };
    },
  };
}

// Signs a new owner up and returns the session and a client that acts as it.
async function newOwner (rig, name) {
  const email = `${name}-${crypto.randomUUID().slice(0, 8)}@example.com`;
  const { data, error } = await rig.client().auth.signUp({ email, password: 'correct horse battery' });
  if (error)
    throw error;
  return {
    email,
    id: data.user.id,
    session: data.session,
    db: rig.clientFor(data.session.access_token),
  };
}

// Runs the named checks in order, stops at the first failure, and always
// cleans up.
async function run (program, checks, extraArgs = []) {
  let rig;
  try {
    rig = await startRig(program, extraArgs);
    for (const [name, check] of checks) {
      log(`# ${name}`);
      await check(rig);
      log(`ok ${name}`);
    }
  } catch (error) {
    log(`FAILED: ${error.stack || error}`);
    process.exitCode = 1;
  } finally {
    cleanUp();
  }
}

const uuid = () => crypto.randomUUID();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

module.exports = { run, newOwner, uuid, sleep, log, supabase };
