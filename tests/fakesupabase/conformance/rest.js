// supabase-js's PostgREST client against the gateway, on the project's
// real tables and functions: reads with filters, ordering, ranges and
// exact counts, inserts, upserts on a conflict target (merge and ignore),
// updates, RPCs, the error shapes it turns into `error` objects, and
// the headers the app adds to its writes.
//
// Usage: node rest.js FAKESUPABASE

'use strict';

const assert = require('node:assert/strict');
const { run, newOwner, uuid, sleep, supabase } = require('./harness');

// A full contact row as the sync engine pushes it: every key present.
function contact (owner, index, extra = {}) {
  return {
    id: uuid(),
    master_user_id: owner.id,
    name: `Customer ${String(index).padStart(3, '0')}`,
    phone: `62812${String(1000000 + index)}`,
    tags: index % 2 === 0 ? ['even'] : ['odd'],
    notes: index % 5 === 0 ? null : `note ${index}`,
    last_op_id: uuid(),
    base_version: 0,
    sync_changed: ['name', 'phone', 'tags', 'notes'],
    ...extra,
  };
}

let owner;
let rows;

const checks = [
  ['insert an array, get the rows back', async (rig) => {
    owner = await newOwner(rig, 'rest');
    rows = Array.from({ length: 30 }, (_, i) => contact(owner, i));
    const { data, error, status } = await owner.db.from('contacts').insert(rows).select('id, name, version, server_seq');
    assert.equal(error, null, error && error.message);
    assert.equal(status, 201);
    assert.equal(data.length, 30);
    assert.ok(data.every((row) => row.version === 1 && row.server_seq > 0));

    const minimal = await owner.db.from('contacts').insert(contact(owner, 100));
    assert.equal(minimal.error, null);
    assert.equal(minimal.status, 201);
    assert.equal(minimal.data, null);
  }],

  ['select with eq, gt, in, or, order and range, with exact counts', async (rig) => {
    const eq = await owner.db.from('contacts').select('name').eq('phone', rows[3].phone);
    assert.deepEqual(eq.data, [{ name: 'Customer 003' }]);

    const gt = await owner.db.from('contacts').select('name', { count: 'exact' })
      .gt('name', 'Customer 025').order('name');
    assert.deepEqual(gt.data.map((r) => r.name),
      ['Customer 026', 'Customer 027', 'Customer 028', 'Customer 029', 'Customer 100']);
    assert.equal(gt.count, 5);

    const inList = await owner.db.from('contacts').select('phone')
      .in('id', [rows[1].id, rows[2].id, uuid()]).order('phone', { ascending: false });
    assert.deepEqual(inList.data.map((r) => r.phone), [rows[2].phone, rows[1].phone]);

    const either = await owner.db.from('contacts').select('name')
      .or(`name.eq.Customer 007,and(tags.cs.{even},name.lt."Customer 004")`).order('name');
    assert.deepEqual(either.data.map((r) => r.name), ['Customer 000', 'Customer 002', 'Customer 007']);

    const page = await owner.db.from('contacts').select('name', { count: 'exact' })
      .order('name', { ascending: true }).range(10, 14);
    assert.equal(page.error, null);
    assert.equal(page.status, 206);
    assert.equal(page.count, 31);
    assert.deepEqual(page.data.map((r) => r.name),
      ['Customer 010', 'Customer 011', 'Customer 012', 'Customer 013', 'Customer 014']);

    const nulls = await owner.db.from('contacts').select('notes')
      .lt('name', 'Customer 011').order('notes', { ascending: true, nullsFirst: true }).limit(4);
    assert.deepEqual(nulls.data.map((r) => r.notes), [null, null, null, 'note 1']);

    const head = await owner.db.from('contacts').select('*', { count: 'exact', head: true }).eq('tags', '{odd}');
    assert.equal(head.count, 15);
    assert.equal(head.data, null);

    const single = await owner.db.from('contacts').select('name').eq('id', rows[5].id).single();
    assert.deepEqual(single.data, { name: 'Customer 005' });
    const none = await owner.db.from('contacts').select('name').eq('id', uuid()).maybeSingle();
    assert.equal(none.error, null);
    assert.equal(none.data, null);
    const many = await owner.db.from('contacts').select('name').single();
    assert.equal(many.error.code, 'PGRST116');
    assert.equal(many.status, 406);
  }],

  ['timestamps with +00:00 round-trip through filters', async (rig) => {
    const { data } = await owner.db.from('contacts').select('updated_at').eq('id', rows[0].id).single();
    assert.match(data.updated_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?\+00:00$/);
    const same = await owner.db.from('contacts').select('id').eq('updated_at', data.updated_at);
    assert.ok(same.data.some((r) => r.id === rows[0].id));
    const quoted = await owner.db.from('contacts').select('id')
      .or(`updated_at.eq."${data.updated_at}",id.eq.${rows[1].id}`);
    assert.ok(quoted.data.some((r) => r.id === rows[0].id));
    assert.ok(quoted.data.some((r) => r.id === rows[1].id));
  }],

  ['upsert on a conflict target merges; ignoreDuplicates keeps the first', async (rig) => {
    const edited = { ...rows[0], name: 'Renamed', base_version: 1, last_op_id: uuid(), sync_changed: ['name'] };
    const fresh = contact(owner, 200);
    const merged = await owner.db.from('contacts').upsert([edited, fresh], { onConflict: 'id' })
      .select('id, name, version');
    assert.equal(merged.error, null, merged.error && merged.error.message);
    assert.equal(merged.status, 201);
    const byId = Object.fromEntries(merged.data.map((r) => [r.id, r]));
    assert.equal(byId[rows[0].id].name, 'Renamed');
    assert.equal(byId[rows[0].id].version, 2);
    assert.equal(byId[fresh.id].version, 1);

    // Only updates: PostgREST 12 answers 200.
    const twice = { ...edited, name: 'Renamed twice', base_version: 2, last_op_id: uuid() };
    const again = await owner.db.from('contacts').upsert(twice, { onConflict: 'id' }).select('name');
    assert.equal(again.status, 200);
    assert.deepEqual(again.data, [{ name: 'Renamed twice' }]);

    // A replayed op (same last_op_id) changes nothing.
    const replay = await owner.db.from('contacts')
      .upsert({ ...twice, name: 'Replayed' }, { onConflict: 'id' }).select('name, version');
    assert.deepEqual(replay.data, [{ name: 'Renamed twice', version: 3 }]);

    const ignored = await owner.db.from('contacts')
      .upsert({ ...contact(owner, 201), id: rows[1].id, name: 'Ignored' }, { onConflict: 'id', ignoreDuplicates: true })
      .select('name');
    assert.equal(ignored.error, null);
    assert.deepEqual(ignored.data, []);
    const kept = await owner.db.from('contacts').select('name').eq('id', rows[1].id).single();
    assert.equal(kept.data.name, 'Customer 001');

    // A link row keyed by its pair of ids.
    const link = { id: uuid(), master_user_id: owner.id, group_id: uuid(), contact_id: rows[2].id, last_op_id: uuid() };
    const first = await owner.db.from('group_members').upsert(link, { onConflict: 'group_id,contact_id' }).select('id');
    assert.equal(first.status, 201);
    const second = await owner.db.from('group_members')
      .upsert({ ...link, deleted: true, last_op_id: uuid(), base_version: 1, sync_changed: ['deleted'] }, { onConflict: 'group_id,contact_id' })
      .select('id, deleted');
    assert.equal(second.error, null, second.error && second.error.message);
    assert.deepEqual(second.data, [{ id: link.id, deleted: true }]);
  }],

  ['update by filter', async (rig) => {
    const { data, error, status } = await owner.db.from('contacts')
      .update({ notes: 'bulk', last_op_id: uuid() }).in('id', [rows[10].id, rows[11].id]).select('notes');
    assert.equal(error, null);
    assert.equal(status, 200);
    assert.deepEqual(data, [{ notes: 'bulk' }, { notes: 'bulk' }]);
    const quiet = await owner.db.from('contacts').update({ notes: 'quiet', last_op_id: uuid() }).eq('id', rows[12].id);
    assert.equal(quiet.status, 204);
  }],

  ['tenants see only their own rows', async (rig) => {
    const other = await newOwner(rig, 'other');
    const seen = await other.db.from('contacts').select('id', { count: 'exact' });
    assert.equal(seen.count, 0);
    const stolen = await other.db.from('contacts').update({ name: 'x', last_op_id: uuid() }).eq('id', rows[0].id).select();
    assert.deepEqual(stolen.data, []);
    const foreign = await other.db.from('contacts').insert(contact(owner, 300));
    assert.equal(foreign.status, 403);
    assert.equal(foreign.error.code, '42501');
    assert.match(foreign.error.message, /row-level security/);
  }],

  ['rpc: reserve, replay, commit and check the quota', async (rig) => {
    const reservation = uuid();
    const reserved = await owner.db.rpc('reserve_quota', { p_reservation_id: reservation, p_amount: 50 });
    assert.equal(reserved.error, null, reserved.error && reserved.error.message);
    assert.equal(reserved.data.ok, true);
    assert.equal(reserved.data.quota.reserved, 50);
    const replay = await owner.db.rpc('reserve_quota', { p_reservation_id: reservation, p_amount: 50 });
    assert.equal(replay.data.replayed, true);
    assert.equal(replay.data.quota.reserved, 50);

    const committed = await owner.db.rpc('commit_quota_usage', { p_reservation_id: reservation, p_sent_total: 20 });
    assert.equal(committed.error, null, committed.error && committed.error.message);
    await owner.db.rpc('commit_quota_usage', { p_reservation_id: reservation, p_sent_total: 20 });
    const check = await owner.db.rpc('check_quota_usage');
    assert.equal(check.data.quota.used, 20);

    const viaGet = await owner.db.rpc('check_quota_usage', {}, { get: true });
    assert.equal(viaGet.data.quota.used, 20);
    // GET runs read-only: a function that writes fails with 25006 → 405.
    const writeViaGet = await owner.db.rpc('reserve_quota', { p_reservation_id: uuid(), p_amount: 1 }, { get: true });
    assert.equal(writeViaGet.status, 405);
    assert.equal(writeViaGet.error.code, '25006');

    const bad = await owner.db.rpc('reserve_quota', { p_reservation_id: uuid(), p_amount: 0 });
    assert.equal(bad.status, 400);
    assert.match(bad.error.message, /^invalid_amount/);
  }],

  ['errors come back in PostgREST shapes', async (rig) => {
    const noFunction = await owner.db.rpc('reserve_quota', { p_id: uuid() });
    assert.equal(noFunction.status, 404);
    assert.equal(noFunction.error.code, 'PGRST202');
    assert.match(noFunction.error.message, /reserve_quota\(p_id\)/);

    const noColumn = await owner.db.from('contacts').insert({ ...contact(owner, 400), colour: 'red' });
    assert.equal(noColumn.status, 400);
    assert.equal(noColumn.error.code, 'PGRST204');

    const noTable = await owner.db.from('nothing_here').select();
    assert.equal(noTable.status, 404);
    assert.equal(noTable.error.code, 'PGRST205');

    const duplicate = await owner.db.from('contacts').insert({ ...contact(owner, 401), phone: rows[4].phone });
    assert.equal(duplicate.status, 409);
    assert.equal(duplicate.error.code, '23505');

    const notNull = await owner.db.from('contacts').insert({ ...contact(owner, 402), phone: null });
    assert.equal(notNull.status, 400);
    assert.equal(notNull.error.code, '23502');

    const badUuid = await owner.db.from('contacts').select().eq('id', 'not-a-uuid');
    assert.equal(badUuid.status, 400);
    assert.equal(badUuid.error.code, '22P02');

    const anonymous = await rig.client().from('contacts').select();
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.error.code, '42501');

    const forged = rig.clientFor(owner.session.access_token.slice(0, -3) + 'abc');
    const bad = await forged.from('contacts').select();
    assert.equal(bad.status, 401);
    assert.equal(bad.error.code, 'PGRST301');
  }],

  ['an expired access token is 401 PGRST303 with WWW-Authenticate', async (rig) => {
    await rig.control('token-lifetime', { seconds: 1 });
    await rig.control('jwt-skew', { seconds: 0 });
    const { data } = await rig.client().auth.signInWithPassword({ email: owner.email, password: 'correct horse battery' });
    await rig.control('token-lifetime', { seconds: 3600 });
    await sleep(2100);
    const expired = await rig.clientFor(data.session.access_token).from('contacts').select('id').limit(1);
    assert.equal(expired.status, 401);
    assert.equal(expired.error.code, 'PGRST303');
    assert.equal(expired.error.message, 'JWT expired');
    const raw = await rig.http('GET', '/rest/v1/contacts?limit=1', { token: data.session.access_token });
    assert.match(raw.headers.get('www-authenticate'), /^Bearer error="invalid_token", error_description="JWT expired"/);

    // PostgREST's 30 s of skew, back on: the same token is accepted again.
    await rig.control('jwt-skew', { seconds: 30 });
    const accepted = await rig.clientFor(data.session.access_token).from('contacts').select('id').limit(1);
    assert.equal(accepted.error, null);
  }],

  ['the max-rows cap truncates a page whatever the limit says', async (rig) => {
    await rig.control('max-rows', { n: 7 });
    const capped = await owner.db.from('contacts').select('id', { count: 'exact' }).order('name').limit(20);
    assert.equal(capped.data.length, 7);
    assert.equal(capped.count, 32);
    assert.equal(capped.status, 206);
    await rig.control('max-rows', { n: 0 });
    const all = await owner.db.from('contacts').select('id').limit(20);
    assert.equal(all.data.length, 20);
  }],

  ['a device\'s expected mark reaches the database in X-Expected-Mark', async (rig) => {
    const device = uuid();
    const registered = await owner.db.rpc('register_device', { p_device_id: device, p_name: 'Laptop' });
    assert.equal(registered.error, null, registered.error && registered.error.message);
    // The app's headers on every write, as global headers of a client.
    const expecting = (mark) => supabase.createClient(rig.url, rig.anonKey, {
      auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
      global: { headers: { Authorization: `Bearer ${owner.session.access_token}`,
                           'X-Device-Id': device, 'X-Expected-Mark': mark } },
    });

    const first = await expecting('0').from('contacts').upsert(contact(owner, 500));
    assert.equal(first.error, null, first.error && first.error.message);
    const state = await owner.db.rpc('sync_state');
    const mark = state.data.marks[device];
    assert.ok(mark > 0);
    const kept = await expecting(String(mark)).from('contacts').upsert(contact(owner, 501));
    assert.equal(kept.error, null, kept.error && kept.error.message);

    const lost = await expecting(String(mark + 1000)).from('contacts').upsert(contact(owner, 502));
    assert.equal(lost.status, 400);
    assert.equal(lost.error.code, 'XI060');
    assert.match(lost.error.message, /^server_restored: /);
    const none = await owner.db.from('contacts').select('id').eq('phone', contact(owner, 502).phone);
    assert.deepEqual(none.data, []);

    const garbled = await expecting('soon').from('contacts').upsert(contact(owner, 503));
    assert.equal(garbled.status, 400);
    assert.equal(garbled.error.code, 'XI061');
  }],
];

run(process.argv[2], checks);
