// The gateway over raw HTTP, for what supabase-js does not send: the
// Range header and 416, keys that do not match, HEAD, Location, column
// defaults, hostile names and values, and the fault controls (outages
// with Retry-After, a commit whose reply never comes, a held transaction,
// a delay).
//
// Usage: node gateway.js FAKESUPABASE

'use strict';

const assert = require('node:assert/strict');
const { run, newOwner, uuid } = require('./harness');

let owner;
let token;

function contact (index, extra = {}) {
  return {
    id: uuid(),
    master_user_id: owner.id,
    name: `Row ${String(index).padStart(2, '0')}`,
    phone: `62813${String(1000000 + index)}`,
    last_op_id: uuid(),
    ...extra,
  };
}

const checks = [
  ['ranges: the Range header, Content-Range, 206 and 416', async (rig) => {
    owner = await newOwner(rig, 'gateway');
    token = owner.session.access_token;
    const rows = Array.from({ length: 12 }, (_, i) => contact(i));
    const inserted = await rig.http('POST', '/rest/v1/contacts', { token, body: rows });
    assert.equal(inserted.status, 201);
    assert.equal(inserted.text, '');

    const ranged = await rig.http('GET', '/rest/v1/contacts?select=name&order=name.asc',
      { token, headers: { Range: '2-4', Prefer: 'count=exact' } });
    assert.equal(ranged.status, 206);
    assert.equal(ranged.headers.get('content-range'), '2-4/12');
    assert.deepEqual(ranged.json.map((r) => r.name), ['Row 02', 'Row 03', 'Row 04']);

    const uncounted = await rig.http('GET', '/rest/v1/contacts?select=name&limit=2&offset=10&order=name', { token });
    assert.equal(uncounted.status, 200);
    assert.equal(uncounted.headers.get('content-range'), '10-11/*');

    const beyond = await rig.http('GET', '/rest/v1/contacts?offset=20', { token, headers: { Prefer: 'count=exact' } });
    assert.equal(beyond.status, 416);
    assert.equal(beyond.json.code, 'PGRST103');

    const empty = await rig.http('GET', '/rest/v1/contacts?name=eq.nobody', { token, headers: { Prefer: 'count=exact' } });
    assert.equal(empty.headers.get('content-range'), '*/0');
    assert.deepEqual(empty.json, []);

    const head = await rig.http('HEAD', '/rest/v1/contacts', { token, headers: { Prefer: 'count=exact' } });
    assert.equal(head.status, 200);
    assert.equal(head.text, '');
    assert.equal(head.headers.get('content-range'), '0-11/12');

    const badLimit = await rig.http('GET', '/rest/v1/contacts?limit=many', { token });
    assert.equal(badLimit.status, 400);
    assert.equal(badLimit.json.code, 'PGRST100');
  }],

  ['filters: not, nested and/or, is, like with *, repeated keys', async (rig) => {
    const get = async (query) => (await rig.http('GET', `/rest/v1/contacts?select=name&order=name${query}`, { token })).json.map((r) => r.name);
    assert.deepEqual(await get('&name=gte.Row 09&name=lt.Row 11'), ['Row 09', 'Row 10']);
    assert.deepEqual(await get('&name=not.like.Row 0*'), ['Row 10', 'Row 11']);
    assert.deepEqual(await get('&name=ilike.*W 1*'), ['Row 10', 'Row 11']);
    assert.deepEqual(await get('&or=(name.eq.Row 01,and(name.gt.Row 09,not.or(name.eq.Row 10,lid.not.is.null)))'),
      ['Row 01', 'Row 11']);
    assert.deepEqual(await get('&not.or=(name.lt.Row 10,name.eq.Row 11)'), ['Row 10']);
    assert.deepEqual(await get('&name=in.(%22Row 02%22,Row 03)&lid=is.null'), ['Row 02', 'Row 03']);
    assert.deepEqual(await get('&name=in.()'), []);
    const bad = await rig.http('GET', '/rest/v1/contacts?name=within.x', { token });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.code, 'PGRST100');
  }],

  ['hostile names and values stay names and values', async (rig) => {
    const before = rig.sql('select count(*) from public.contacts');
    const attempts = [
      `/rest/v1/contacts?name=eq.x' or '1'='1`,
      '/rest/v1/contacts?select=id,name%22 from auth.users --',
      '/rest/v1/contacts?order=name;drop table public.contacts',
      '/rest/v1/contacts?%22name%22%20or%20true--=eq.1',
      '/rest/v1/contacts?select=id::text);drop table public.contacts;--',
      '/rest/v1/contacts%22;drop table public.contacts;--',
      '/rest/v1/rpc/check_quota_usage%22();drop table public.contacts;--',
    ];
    for (const route of attempts) {
      const response = await rig.http('GET', encodeURI(route).replace(/'/g, '%27'), { token });
      assert.ok(response.status === 200 || (response.status >= 400 && response.status < 500),
        `${route}: ${response.status} ${response.text}`);
      if (response.status === 200)
        assert.deepEqual(response.json, [], route);
    }
    const patched = await rig.http('PATCH', '/rest/v1/contacts?name=eq.Row 00', {
      token, body: { 'name" = \'x\', phone = \'1': 'y' },
    });
    assert.equal(patched.status, 400);
    assert.equal(patched.json.code, 'PGRST204');
    assert.equal(rig.sql('select count(*) from public.contacts'), before);
    assert.equal(rig.sql("select count(*) from public.contacts where name = 'x'"), '0');
  }],

  ['writes: mismatched keys, ?columns=, missing=default, headers-only, PATCH with no match', async (rig) => {
    const mismatched = await rig.http('POST', '/rest/v1/contacts', { token, body: [contact(20), { ...contact(21), notes: 'n' }] });
    assert.equal(mismatched.status, 400);
    assert.equal(mismatched.json.code, 'PGRST102');
    assert.equal(mismatched.json.message, 'All object keys must match');

    const invalid = await rig.http('POST', '/rest/v1/contacts', { token, body: '[1, 2' });
    assert.equal(invalid.status, 400);
    assert.equal(invalid.json.code, 'PGRST102');

    // With ?columns= a missing key is NULL, or the column default with
    // missing=default (tags defaults to '{}', NOT NULL).
    const columns = '?columns=id,master_user_id,name,phone,tags,last_op_id';
    const nulls = await rig.http('POST', `/rest/v1/contacts${columns}`, { token, body: [contact(22)] });
    assert.equal(nulls.status, 400);
    assert.equal(nulls.json.code, '23502');
    const defaults = await rig.http('POST', `/rest/v1/contacts${columns}&select=tags`, {
      token, body: [contact(22)], headers: { Prefer: 'missing=default, return=representation' },
    });
    assert.equal(defaults.status, 201);
    assert.deepEqual(defaults.json, [{ tags: [] }]);
    assert.match(defaults.headers.get('preference-applied'), /missing=default/);

    const row = contact(23);
    const located = await rig.http('POST', '/rest/v1/contacts', { token, body: row, headers: { Prefer: 'return=headers-only' } });
    assert.equal(located.status, 201);
    assert.equal(located.headers.get('location'), `/contacts?id=eq.${row.id}`);

    // A merge that only updated: 200 and, with return=minimal, no body.
    const merged = await rig.http('POST', '/rest/v1/contacts?on_conflict=id', {
      token, body: { ...row, last_op_id: uuid() }, headers: { Prefer: 'resolution=merge-duplicates' },
    });
    assert.equal(merged.status, 200);
    assert.equal(merged.text, '');
    assert.equal(merged.headers.get('content-range'), '0-0/*');

    const nothing = await rig.http('PATCH', '/rest/v1/contacts?name=eq.nobody', {
      token, body: { notes: 'n', last_op_id: uuid() }, headers: { Prefer: 'return=representation' },
    });
    assert.equal(nothing.status, 200);
    assert.deepEqual(nothing.json, []);

    // PUT replaces the one row its whole primary key names.
    const put = contact(24);
    const created = await rig.http('PUT', `/rest/v1/contacts?id=eq.${put.id}`, { token, body: put });
    assert.equal(created.status, 204);
    const replaced = await rig.http('PUT', `/rest/v1/contacts?id=eq.${put.id}&select=name,version`, {
      token, body: { ...put, name: 'Row 24 again', last_op_id: uuid(), base_version: 1 },
      headers: { Prefer: 'return=representation' },
    });
    assert.equal(replaced.status, 200);
    assert.deepEqual(replaced.json, [{ name: 'Row 24 again', version: 2 }]);
    const wrongKey = await rig.http('PUT', `/rest/v1/contacts?id=eq.${uuid()}`, { token, body: put });
    assert.equal(wrongKey.status, 400);
    assert.equal(wrongKey.json.code, 'PGRST115');
    const notKey = await rig.http('PUT', `/rest/v1/contacts?name=eq.${put.name}`, { token, body: put });
    assert.equal(notKey.status, 405);
    assert.equal(notKey.json.code, 'PGRST105');
    const many = await rig.http('PUT', `/rest/v1/contacts?id=eq.${put.id}`, { token, body: [put] });
    assert.equal(many.status, 400);

    // Devices may not delete (deleting is setting the flag): no grant.
    const deleted = await rig.http('DELETE', `/rest/v1/contacts?id=eq.${row.id}`, { token });
    assert.equal(deleted.status, 403);
    assert.equal(deleted.json.code, '42501');
    assert.equal(rig.sql(`select count(*) from public.contacts where id = '${row.id}'`), '1');
  }],

  ['malformed input: bytes that are not UTF-8, deep nesting, huge numbers', async (rig) => {
    const net = require('node:net');
    const { port } = new URL(rig.url);
    const raw = await new Promise((resolve, reject) => {
      const socket = net.connect(Number(port), '127.0.0.1', () => {
        socket.write(Buffer.concat([
          Buffer.from(`GET /rest/v1/contacts?limit=1 HTTP/1.1\r\nHost: 127.0.0.1\r\napikey: ${rig.anonKey}\r\n` +
                      `Authorization: Bearer ${token}\r\nX-Shop: `),
          Buffer.from([0xc3, 0x28, 0xff]),
          Buffer.from('\r\nConnection: close\r\n\r\n'),
        ]));
      });
      let answer = '';
      socket.on('data', (chunk) => { answer += chunk.toString('latin1'); });
      socket.on('end', () => resolve(answer));
      socket.on('error', reject);
    });
    assert.match(raw, /^HTTP\/1\.1 200/);

    const deep = '('.repeat(1) + 'or('.repeat(5000) + 'name.eq.x' + ')'.repeat(5001);
    const nested = await rig.http('GET', `/rest/v1/contacts?or=${encodeURIComponent(deep)}`, { token });
    assert.equal(nested.status, 400);
    assert.equal(nested.json.code, 'PGRST100');
    const fine = '(' + 'or('.repeat(10) + 'name.eq.Row 01' + ')'.repeat(11);
    const ok = await rig.http('GET', `/rest/v1/contacts?select=name&or=${encodeURIComponent(fine)}`, { token });
    assert.deepEqual(ok.json, [{ name: 'Row 01' }]);

    const huge = await rig.http('GET', '/rest/v1/contacts?limit=99999999999999999999&offset=9223372036854775807', { token });
    assert.equal(huge.status, 400);
    assert.equal(huge.json.code, 'PGRST100');
    const badEscape = await rig.http('GET', '/rest/v1/contacts?name=eq.%ff%fe', { token });
    assert.equal(badEscape.status, 400);

    const after = await rig.http('GET', '/rest/v1/contacts?limit=1', { token });
    assert.equal(after.status, 200);
  }],

  ['the API key and the service role', async (rig) => {
    const missing = await rig.http('GET', '/rest/v1/contacts', { apikey: null, token });
    assert.equal(missing.status, 401);
    assert.equal(missing.json.message, 'No API key found in request');
    const service = await rig.http('GET', '/rest/v1/contacts?select=id', {
      apikey: rig.serviceKey, token: rig.serviceKey, headers: { Prefer: 'count=exact' },
    });
    assert.equal(service.status, 200);
    assert.equal(service.headers.get('content-range').split('/')[1], rig.sql('select count(*) from public.contacts'));
    // The service role (the purge job, the payment webhook) may delete.
    const victim = contact(50);
    await rig.http('POST', '/rest/v1/contacts', { token, body: victim });
    const removed = await rig.http('DELETE', `/rest/v1/contacts?id=eq.${victim.id}&select=name`, {
      apikey: rig.serviceKey, token: rig.serviceKey, headers: { Prefer: 'return=representation' },
    });
    assert.equal(removed.status, 200);
    assert.deepEqual(removed.json, [{ name: 'Row 50' }]);
    const again = await rig.http('DELETE', `/rest/v1/contacts?id=eq.${victim.id}`, {
      apikey: rig.serviceKey, token: rig.serviceKey,
    });
    assert.equal(again.status, 204);
    assert.equal(again.headers.get('content-range'), '*/*');
    const profile = await rig.http('GET', '/rest/v1/contacts', { token, headers: { 'Accept-Profile': 'private' } });
    assert.equal(profile.status, 406);
    assert.equal(profile.json.code, 'PGRST106');
  }],

  ['outages: 503 with Retry-After, N times, then service again', async (rig) => {
    await rig.control('fail', { status: 503, times: 2, retry_after: 3, path: '/rest/v1/contacts' });
    for (let i = 0; i < 2; i++) {
      const down = await rig.http('GET', '/rest/v1/contacts?limit=1', { token });
      assert.equal(down.status, 503);
      assert.equal(down.headers.get('retry-after'), '3');
    }
    const other = await rig.http('POST', '/rest/v1/rpc/check_quota_usage', { token, body: {} });
    assert.equal(other.status, 200);
    const back = await rig.http('GET', '/rest/v1/contacts?limit=1', { token });
    assert.equal(back.status, 200);
  }],

  ['a commit whose reply is lost: the replays change nothing', async (rig) => {
    const row = contact(30);
    await rig.control('drop-after-commit', { path: '/rest/v1/contacts', method: 'POST' });
    await assert.rejects(rig.http('POST', '/rest/v1/contacts?on_conflict=id', {
      token, body: [row], headers: { Prefer: 'resolution=merge-duplicates,return=representation' },
    }));
    assert.equal(rig.sql(`select version from public.contacts where id = '${row.id}'`), '1');
    const replay = await rig.http('POST', '/rest/v1/contacts?on_conflict=id', {
      token, body: [row], headers: { Prefer: 'resolution=merge-duplicates,return=representation' },
    });
    assert.equal(replay.status, 200);
    assert.equal(replay.json[0].version, 1);

    const reservation = uuid();
    await rig.control('drop-after-commit', { path: '/rest/v1/rpc/reserve_quota' });
    await assert.rejects(rig.http('POST', '/rest/v1/rpc/reserve_quota', {
      token, body: { p_reservation_id: reservation, p_amount: 30 },
    }));
    const again = await rig.http('POST', '/rest/v1/rpc/reserve_quota', {
      token, body: { p_reservation_id: reservation, p_amount: 30 },
    });
    assert.equal(again.json.replayed, true);
    assert.equal(again.json.quota.reserved, 30);
  }],

  ['a held transaction: the writer that commits first gets the lower server_seq', async (rig) => {
    await rig.control('hold', { ms: 1500, path: '/rest/v1/contacts', method: 'POST' });
    const slow = contact(40);
    const fast = contact(41);
    const started = Date.now();
    const first = rig.http('POST', '/rest/v1/contacts', { token, body: slow, headers: { Prefer: 'return=representation' } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const second = rig.http('POST', '/rest/v1/contacts', { token, body: fast, headers: { Prefer: 'return=representation' } });
    const [a, b] = await Promise.all([first, second]);
    assert.equal(a.status, 201);
    assert.equal(b.status, 201);
    // The second waited on the tenant's counter until the first committed.
    assert.ok(Date.now() - started >= 1500);
    assert.ok(a.json[0].server_seq < b.json[0].server_seq);
  }],

  ['a delayed reply', async (rig) => {
    await rig.control('delay', { ms: 800, path: '/rest/v1/contacts' });
    const started = Date.now();
    const slow = await rig.http('GET', '/rest/v1/contacts?limit=1', { token });
    assert.equal(slow.status, 200);
    assert.ok(Date.now() - started >= 800);
    const again = Date.now();
    await rig.http('GET', '/rest/v1/contacts?limit=1', { token });
    assert.ok(Date.now() - again < 800);
  }],

  ['each request runs with the settings PostgREST gives it', async (rig) => {
    rig.sql(`create function public.request_settings() returns jsonb language sql stable as $$
               select jsonb_build_object(
                 'role', current_user,
                 'sub', auth.uid(),
                 'method', current_setting('request.method', true),
                 'path', current_setting('request.path', true),
                 'shop', current_setting('request.headers', true)::jsonb ->> 'x-shop',
                 'timeout', current_setting('statement_timeout'),
                 'read_only', current_setting('transaction_read_only'))
             $$;
             grant execute on function public.request_settings() to anon, authenticated`);
    const user = await rig.http('POST', '/rest/v1/rpc/request_settings', { token, headers: { 'X-Shop': 'Toko' } });
    assert.deepEqual(user.json, {
      role: 'authenticated', sub: owner.id, method: 'POST', path: '/rest/v1/rpc/request_settings',
      shop: 'Toko', timeout: '8s', read_only: 'on',
    });
    const anon = await rig.http('GET', '/rest/v1/rpc/request_settings');
    assert.equal(anon.json.role, 'anon');
    assert.equal(anon.json.sub, null);
    assert.equal(anon.json.timeout, '3s');
  }],

  ['the schema cache: new functions are found, changed ones after reload-schema', async (rig) => {
    rig.sql(`create function public.bench_echo(p_value integer) returns integer
             language sql as 'select p_value';
             grant execute on function public.bench_echo(integer) to authenticated`);
    const first = await rig.http('POST', '/rest/v1/rpc/bench_echo', { token, body: { p_value: 4 } });
    assert.equal(first.json, 4);
    rig.sql(`drop function public.bench_echo(integer);
             create function public.bench_echo(p_other integer) returns integer
             language sql as 'select p_other * 2';
             grant execute on function public.bench_echo(integer) to authenticated`);
    // Like PostgREST, the gateway still knows the old arguments.
    const stale = await rig.http('POST', '/rest/v1/rpc/bench_echo', { token, body: { p_other: 4 } });
    assert.equal(stale.status, 404);
    assert.equal(stale.json.code, 'PGRST202');
    await rig.control('reload-schema');
    const fresh = await rig.http('POST', '/rest/v1/rpc/bench_echo', { token, body: { p_other: 4 } });
    assert.equal(fresh.json, 8);
  }],

  ['rpc result shapes: set of rows, set of values, one row, void', async (rig) => {
    rig.sql(`create function public.shape_rows() returns setof public.contacts
               language sql stable as 'select * from public.contacts order by name limit 3';
             create function public.shape_values(p_n integer) returns setof integer
               language sql immutable as 'select generate_series(1, p_n)';
             create function public.shape_row(out a integer, out b text)
               language sql as $$ select 1, 'x' $$;
             create function public.shape_void() returns void language sql as 'select';
             create function public.shape_body(jsonb) returns jsonb language sql as 'select $1';
             grant execute on function public.shape_rows(), public.shape_values(integer),
               public.shape_row(), public.shape_void(), public.shape_body(jsonb) to authenticated`);
    const rows = await rig.http('POST', '/rest/v1/rpc/shape_rows?select=name&name=neq.Row 01', { token, body: {} });
    assert.deepEqual(rows.json, [{ name: 'Row 00' }, { name: 'Row 02' }]);
    const values = await rig.http('GET', '/rest/v1/rpc/shape_values?p_n=3', { token });
    assert.deepEqual(values.json, [1, 2, 3]);
    const row = await rig.http('POST', '/rest/v1/rpc/shape_row', { token, body: {} });
    assert.deepEqual(row.json, { a: 1, b: 'x' });
    const nothing = await rig.http('POST', '/rest/v1/rpc/shape_void', { token });
    assert.equal(nothing.status, 204);
    assert.equal(nothing.text, '');
    const body = await rig.http('POST', '/rest/v1/rpc/shape_body', { token, body: { any: ['thing', 1] } });
    assert.deepEqual(body.json, { any: ['thing', 1] });
  }],

  ['a client that hangs up mid-request does not disturb the next', async (rig) => {
    await rig.control('delay', { ms: 600, path: '/rest/v1/contacts' });
    const controller = new AbortController();
    const aborted = fetch(`${rig.url}/rest/v1/contacts?limit=1`, {
      headers: { apikey: rig.anonKey, Authorization: `Bearer ${token}` }, signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 100);
    await assert.rejects(aborted);
    await new Promise((resolve) => setTimeout(resolve, 800));
    const next = await rig.http('GET', '/rest/v1/contacts?limit=1', { token });
    assert.equal(next.status, 200);
  }],

  ['the gateway refuses to run as a superuser', async (rig) => {
    const { spawnSync } = require('node:child_process');
    const result = spawnSync(process.argv[2], [
      '--db', `host=127.0.0.1 port=${rig.cluster.port} dbname=postgres user=postgres`,
      '--jwt-secret', 'test-secret-of-the-xender-in-gateway-0123456789',
    ], { encoding: 'utf8', timeout: 10000 });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /not a superuser/);
  }],
];

run(process.argv[2], checks);
