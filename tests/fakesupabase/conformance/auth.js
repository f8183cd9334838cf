// supabase-js's auth client against the gateway's GoTrue half: sign-up in
// both confirmation modes, password sign-in, refresh-token rotation with
// GoTrue's reuse rules, the current user, sign-out scopes, and the error
// codes supabase-js turns into its own error classes.
//
// Usage: node auth.js FAKESUPABASE

'use strict';

const assert = require('node:assert/strict');
const { run, uuid, sleep, supabase } = require('./harness');

const PASSWORD = 'correct horse battery';

function email (name) {
  return `${name}-${uuid().slice(0, 8)}@example.com`;
}

async function signIn (rig, address) {
  const { data, error } = await rig.client().auth.signInWithPassword({ email: address, password: PASSWORD });
  assert.equal(error, null, error && error.message);
  return data.session;
}

// Makes every refresh token of the user look older than GoTrue's 10 s
// reuse interval without waiting for it.
function ageTokens (rig, userId) {
  rig.sql(`update auth.refresh_tokens set updated_at = now() - interval '1 minute'
           where user_id = '${userId}'`);
}

const checks = [
  ['sign-up signs in at once when addresses need no confirmation', async (rig) => {
    const address = email('Owner');
    const { data, error } = await rig.client().auth.signUp({
      email: address, password: PASSWORD, options: { data: { shop: 'Toko Maju' } },
    });
    assert.equal(error, null);
    assert.equal(data.user.email, address.toLowerCase());
    assert.equal(data.user.user_metadata.shop, 'Toko Maju');
    assert.equal(data.user.app_metadata.provider, 'email');
    assert.ok(data.session.access_token);
    assert.equal(data.session.token_type, 'bearer');
    assert.equal(data.session.expires_in, 3600);
    assert.ok(Math.abs(data.session.expires_at - (Date.now() / 1000 + 3600)) < 10);
    // The password is stored as a bcrypt hash, never as given.
    const stored = rig.sql(`select encrypted_password from auth.users where id = '${data.user.id}'`);
    assert.match(stored, /^\$2[abxy]?\$/);
    assert.ok(!stored.includes(PASSWORD));
    // The migrations' trigger made the owner's profile.
    assert.equal(rig.sql(`select role from public.profiles where id = '${data.user.id}'`), 'owner');

    const again = await rig.client().auth.signUp({ email: address, password: PASSWORD });
    assert.equal(again.error.status, 422);
    assert.equal(again.error.code, 'user_already_exists');
  }],

  ['bad sign-ups are refused with the codes supabase-js knows', async (rig) => {
    const weak = await rig.client().auth.signUp({ email: email('weak'), password: '123' });
    assert.ok(weak.error instanceof supabase.AuthWeakPasswordError);
    assert.equal(weak.error.status, 422);
    assert.deepEqual(weak.error.reasons, ['length']);

    const invalid = await rig.client().auth.signUp({ email: 'not-an-address', password: PASSWORD });
    assert.equal(invalid.error.status, 400);
    assert.equal(invalid.error.code, 'validation_failed');

    // Two devices sign the same address up at once: the first holds its
    // transaction open, the second inserts meanwhile and waits on the
    // address's unique index. One account, and GoTrue's answer for the other.
    const address = email('race');
    await rig.control('hold', { ms: 1000, path: '/auth/v1/signup' });
    const first = rig.client().auth.signUp({ email: address, password: PASSWORD });
    await sleep(300);
    const second = await rig.client().auth.signUp({ email: address, password: PASSWORD });
    assert.equal((await first).error, null);
    assert.equal(second.error.status, 422);
    assert.equal(second.error.code, 'user_already_exists');
  }],

  ['password sign-in, current user, wrong passwords', async (rig) => {
    const address = email('signin');
    const { data: up } = await rig.client().auth.signUp({ email: address, password: PASSWORD });
    const session = await signIn(rig, address);
    assert.notEqual(session.refresh_token, up.session.refresh_token);
    assert.notEqual(session.user.last_sign_in_at, null);

    const client = rig.client();
    const { data, error } = await client.auth.getUser(session.access_token);
    assert.equal(error, null);
    assert.equal(data.user.id, up.user.id);

    const wrong = await rig.client().auth.signInWithPassword({ email: address, password: 'wrong password' });
    assert.equal(wrong.error.status, 400);
    assert.equal(wrong.error.code, 'invalid_credentials');
    assert.equal(wrong.error.message, 'Invalid login credentials');
    const nobody = await rig.client().auth.signInWithPassword({ email: email('nobody'), password: PASSWORD });
    assert.equal(nobody.error.code, 'invalid_credentials');
  }],

  ['refresh rotates the token; a lost reply is forgiven, a stolen token ends the session', async (rig) => {
    const address = email('refresh');
    await rig.client().auth.signUp({ email: address, password: PASSWORD });
    const first = await signIn(rig, address);

    const refreshed = await rig.client().auth.refreshSession({ refresh_token: first.refresh_token });
    assert.equal(refreshed.error, null);
    const second = refreshed.data.session;
    assert.notEqual(second.refresh_token, first.refresh_token);
    assert.equal(second.user.id, first.user.id);

    // The reply was "lost": the parent of the active token gets the same
    // active token back, however late.
    ageTokens(rig, first.user.id);
    const replay = await rig.client().auth.refreshSession({ refresh_token: first.refresh_token });
    assert.equal(replay.error, null);
    assert.equal(replay.data.session.refresh_token, second.refresh_token);

    const third = (await rig.client().auth.refreshSession({ refresh_token: second.refresh_token })).data.session;
    assert.notEqual(third.refresh_token, second.refresh_token);

    // Within 10 s, a used token is accepted again.
    const quick = await rig.client().auth.refreshSession({ refresh_token: second.refresh_token });
    assert.equal(quick.error, null);

    // Later, reusing a token that is not the active one's parent ends the
    // whole session: the reuse is refused and every token stops working.
    ageTokens(rig, first.user.id);
    const stolen = await rig.client().auth.refreshSession({ refresh_token: first.refresh_token });
    assert.equal(stolen.error.status, 400);
    assert.equal(stolen.error.code, 'refresh_token_already_used');
    const after = await rig.client().auth.refreshSession({ refresh_token: quick.data.session.refresh_token });
    assert.equal(after.error.code, 'refresh_token_not_found');
    const user = await rig.client().auth.getUser(third.access_token);
    assert.ok(user.error instanceof supabase.AuthSessionMissingError);

    // Two refreshes of one token at once (two tabs, two threads): the
    // session's row serialises them and both end on the same new token.
    const fresh = await signIn(rig, address);
    const both = await Promise.all([1, 2].map(() => rig.client().auth.refreshSession({ refresh_token: fresh.refresh_token })));
    assert.equal(both[0].error, null);
    assert.equal(both[1].error, null);
    assert.equal(both[0].data.session.refresh_token, both[1].data.session.refresh_token);

    const unknown = await rig.client().auth.refreshSession({ refresh_token: 'no-such-token' });
    assert.equal(unknown.error.status, 400);
    assert.equal(unknown.error.code, 'refresh_token_not_found');
  }],

  ['a refresh whose reply is lost is answered again from its parent', async (rig) => {
    const address = email('lost');
    await rig.client().auth.signUp({ email: address, password: PASSWORD });
    const session = await signIn(rig, address);
    await rig.control('drop-after-commit', { path: '/auth/v1/token' });
    // The server rotated the token but the reply never came: supabase-js
    // retries by itself, with the old token, and gets the active one.
    const lost = await rig.client().auth.refreshSession({ refresh_token: session.refresh_token });
    assert.equal(lost.error, null);
    const active = rig.sql(`select token from auth.refresh_tokens where not revoked and session_id =
                            (select session_id from auth.refresh_tokens where token = '${session.refresh_token}')`);
    assert.equal(lost.data.session.refresh_token, active);
    // So does a client that retries much later.
    ageTokens(rig, session.user.id);
    const retried = await rig.client().auth.refreshSession({ refresh_token: session.refresh_token });
    assert.equal(retried.error, null);
    assert.equal(retried.data.session.refresh_token, active);
  }],

  ['the control channel revokes sessions', async (rig) => {
    const address = email('revoked');
    await rig.client().auth.signUp({ email: address, password: PASSWORD });
    const a = await signIn(rig, address);
    const b = await signIn(rig, address);
    const claims = JSON.parse(Buffer.from(a.access_token.split('.')[1], 'base64url'));
    const ended = await rig.control('revoke', { session_id: claims.session_id });
    assert.equal(ended.sessions_ended, 1);
    assert.equal((await rig.client().auth.refreshSession({ refresh_token: a.refresh_token })).error.code,
      'refresh_token_not_found');
    const refreshed = await rig.client().auth.refreshSession({ refresh_token: b.refresh_token });
    assert.equal(refreshed.error, null);
    // Sign-up made a session too: two end.
    const all = await rig.control('revoke', { email: address });
    assert.equal(all.sessions_ended, 2);
    assert.ok((await rig.client().auth.getUser(refreshed.data.session.access_token)).error instanceof
      supabase.AuthSessionMissingError);
  }],

  ['sign-out ends this session, the others, or all', async (rig) => {
    const address = email('logout');
    await rig.client().auth.signUp({ email: address, password: PASSWORD });
    const a = await signIn(rig, address);
    const b = await signIn(rig, address);
    const c = await signIn(rig, address);

    const local = rig.client();
    await local.auth.setSession({ access_token: a.access_token, refresh_token: a.refresh_token });
    assert.equal((await local.auth.signOut({ scope: 'local' })).error, null);
    assert.ok((await rig.client().auth.getUser(a.access_token)).error instanceof supabase.AuthSessionMissingError);
    assert.equal((await rig.client().auth.getUser(b.access_token)).error, null);

    const others = rig.client();
    await others.auth.setSession({ access_token: b.access_token, refresh_token: b.refresh_token });
    assert.equal((await others.auth.signOut({ scope: 'others' })).error, null);
    assert.equal((await rig.client().auth.getUser(b.access_token)).error, null);
    assert.ok((await rig.client().auth.getUser(c.access_token)).error instanceof supabase.AuthSessionMissingError);
    assert.equal((await rig.client().auth.refreshSession({ refresh_token: c.refresh_token })).error.code,
      'refresh_token_not_found');

    const d = await signIn(rig, address);
    const global = rig.client();
    await global.auth.setSession({ access_token: d.access_token, refresh_token: d.refresh_token });
    assert.equal((await global.auth.signOut()).error, null);
    assert.ok((await rig.client().auth.getUser(b.access_token)).error instanceof supabase.AuthSessionMissingError);
    assert.equal(rig.sql(`select count(*) from auth.sessions s join auth.users u on u.id = s.user_id
                          where u.email = '${address.toLowerCase()}'`), '0');
  }],

  ['/user refuses expired, forged and missing tokens', async (rig) => {
    const address = email('expiry');
    await rig.client().auth.signUp({ email: address, password: PASSWORD });
    await rig.control('token-lifetime', { seconds: 1 });
    const session = await signIn(rig, address);
    await rig.control('token-lifetime', { seconds: 3600 });
    assert.equal(session.expires_in, 1);
    await sleep(2100);
    const expired = await rig.client().auth.getUser(session.access_token);
    assert.equal(expired.error.status, 403);
    assert.equal(expired.error.code, 'bad_jwt');

    const parts = (await signIn(rig, address)).access_token.split('.');
    const forged = `${parts[0]}.${parts[1]}.${parts[2].slice(0, -4)}AAAA`;
    const bad = await rig.client().auth.getUser(forged);
    assert.equal(bad.error.status, 403);
    assert.equal(bad.error.code, 'bad_jwt');

    const none = await rig.http('GET', '/auth/v1/user', { headers: { 'X-Supabase-Api-Version': '2024-01-01' } });
    assert.equal(none.status, 401);
    assert.equal(none.json.code, 'no_authorization');
    assert.equal(none.headers.get('x-sb-error-code'), 'no_authorization');

    // Without the API version header GoTrue answers in its older shape.
    const legacy = await rig.http('POST', '/auth/v1/token?grant_type=password',
      { body: { email: address, password: 'nope' } });
    assert.equal(legacy.status, 400);
    assert.deepEqual(legacy.json, { code: 400, error_code: 'invalid_credentials', msg: 'Invalid login credentials' });
    assert.equal(legacy.headers.get('x-sb-error-code'), 'invalid_credentials');
  }],

  ['with confirmation required, sign-up waits for the address', async (rig) => {
    await rig.control('autoconfirm', { on: 'false' });
    const address = email('confirm');
    const { data, error } = await rig.client().auth.signUp({ email: address, password: PASSWORD });
    assert.equal(error, null);
    assert.equal(data.session, null);
    assert.equal(data.user.email, address.toLowerCase());
    assert.equal(data.user.email_confirmed_at, null);

    const early = await rig.client().auth.signInWithPassword({ email: address, password: PASSWORD });
    assert.equal(early.error.status, 400);
    assert.equal(early.error.code, 'email_not_confirmed');

    await rig.control('confirm', { email: address });
    const session = await signIn(rig, address);
    assert.equal(session.user.id, data.user.id);

    // A confirmed address is not revealed: a made-up user without identities.
    const again = await rig.client().auth.signUp({ email: address, password: PASSWORD });
    assert.equal(again.error, null);
    assert.equal(again.data.session, null);
    assert.notEqual(again.data.user.id, data.user.id);
    assert.deepEqual(again.data.user.identities, []);
    await rig.control('autoconfirm', { on: 'true' });
  }],

  ['rate limits and outages reach supabase-js as GoTrue reports them', async (rig) => {
    const address = email('limits');
    await rig.client().auth.signUp({ email: address, password: PASSWORD });
    await rig.control('fail', { status: 429, retry_after: 7, path: '/auth/v1/token' });
    const limited = await rig.http('POST', '/auth/v1/token?grant_type=password',
      { body: { email: address, password: PASSWORD } });
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '7');
    assert.equal(limited.headers.get('x-sb-error-code'), 'over_request_rate_limit');

    await rig.control('fail', { status: 429, path: '/auth/v1/token' });
    const viaClient = await rig.client().auth.signInWithPassword({ email: address, password: PASSWORD });
    assert.equal(viaClient.error.status, 429);
    assert.equal(viaClient.error.code, 'over_request_rate_limit');

    await rig.control('fail', { status: 503, path: '/auth/v1/token' });
    const down = await rig.client().auth.signInWithPassword({ email: address, password: PASSWORD });
    assert.ok(down.error instanceof supabase.AuthRetryableFetchError);
    assert.equal(down.error.status, 503);

    // Every fault was used up: the next sign-in works.
    await signIn(rig, address);
  }],

  ['the API key is checked before anything else', async (rig) => {
    const missing = await rig.http('GET', '/auth/v1/settings', { apikey: null });
    assert.equal(missing.status, 401);
    assert.equal(missing.json.message, 'No API key found in request');
    const wrong = await rig.http('GET', '/auth/v1/settings', { apikey: 'sb_publishable_wrong' });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.json.message, 'Invalid API key');
    const settings = await rig.http('GET', '/auth/v1/settings');
    assert.equal(settings.status, 200);
    assert.equal(settings.json.external.email, true);
  }],
];

run(process.argv[2], checks);
