// Baileys 6.17.16 as a second decoder of what the fake phone makes
// (WA-FIDELITY.md §2.8, §3.5): linked as a companion of an account whose
// phone holds a push name, two contacts (one issued the account a privacy
// token) and the NCT salt, Baileys receives the phone's app-state key
// share and history over Signal, downloads and decrypts the history blobs
// and app-state snapshots from the fake server's media host with its own
// code, decodes the snapshots and a later patch with its own LTHash and
// MAC checks (both turned on), and must find the same values our decoder
// finds
// (tests/test-wa-app-state.c, tests/test-cli-link.c). Baileys' protobufs
// predate the NCT salt, so only our decoder reads that one.
//
// Usage: node baileys-app-state.js FAKEWA-PROGRAM
// Prints one "ok N - what" line per check to stderr; exits 1 on the first
// failed check, 77 (skipped) when Baileys is not installed.

'use strict';

const assert = require('node:assert/strict');
const http = require('node:http');
const { Readable } = require('node:stream');
const { startFakewa, memoryAuthState, within, check, run, link } = require('./harness');

const SHOP = '6281234567890';
const CUSTOMER_1 = '6281100000001';
const CUSTOMER_2 = '6281100000002';
const TOKEN = Buffer.from('token-1');

// Baileys fetches media from WhatsApp's media host with axios. This
// adapter answers every such request from the fake server's own HTTP on
// 127.0.0.1 instead, by path: nothing is looked up or sent elsewhere.
function loopbackMedia (port) {
  return async (config) => {
    const { pathname, search } = new URL(config.url);
    const body = await new Promise((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path: pathname + search }, (response) => {
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode, data: Buffer.concat(chunks) }));
      }).on('error', reject);
    });
    if (body.status !== 200)
      throw new Error(`the media host answered ${body.status} for ${pathname}`);
    return {
      data: config.responseType === 'stream' ? Readable.from([body.data]) : body.data,
      status: 200, statusText: 'OK', headers: {}, config, request: {},
    };
  };
}

async function main () {
  const fakewa = startFakewa(process.argv[2]);
  const url = (await fakewa.expect((l) => l.startsWith('url '), 'its url')).slice(4);
  const port = Number(new URL(url).port);
  const auth = memoryAuthState();

  for (const command of [
    `account ${CUSTOMER_1}`, `account ${CUSTOMER_2}`,
    `phone-name ${SHOP} Toko Sari`,
    `phone-contact ${SHOP} ${CUSTOMER_1} ${TOKEN.toString('hex')} Budi Santoso`,
    `phone-contact ${SHOP} ${CUSTOMER_2} - Siti Aminah`,
    `phone-salt ${SHOP} 000102030405060708090a0b0c0d0e0f`,
  ])
    await fakewa.command(command);

  const device = await link(fakewa, url, auth, SHOP, {
    appStateMacVerification: { patch: true, snapshot: true },
    options: { adapter: loopbackMedia(port) },
  });
  const { sock } = device.connection;
  const names = new Map();
  const history = [];
  let ownName;
  const waitFor = (predicate, what) => within(new Promise((resolve) => {
    const poll = () => (predicate() ? resolve() : setTimeout(poll, 50));
    poll();
  }), what);

  sock.ev.on('creds.update', (update) => {
    if (update.me?.name)
      ownName = update.me.name;
  });
  // Baileys folds events together while it syncs: an address-book name
  // may come as an upsert, an update or inside the history's contacts.
  // The history itself names nobody (its conversations carry no name), so
  // every name here was decoded from app state.
  const keepNames = (contacts) => {
    for (const contact of contacts)
      if (contact.name)
        names.set(contact.id, contact.name);
  };
  sock.ev.on('contacts.upsert', keepNames);
  sock.ev.on('contacts.update', keepNames);
  sock.ev.on('messaging-history.set', (set) => {
    history.push(set);
    keepNames(set.contacts);
  });

  await fakewa.command(`phone-share ${SHOP}`);

  await check('Baileys takes the key share and decodes every app-state snapshot, MACs checked', async () => {
    await waitFor(() => ownName !== undefined && names.size >= 2, 'the app state');
    assert.equal(ownName, 'Toko Sari');
    assert.equal(names.get(`${CUSTOMER_1}@s.whatsapp.net`), 'Budi Santoso');
    assert.equal(names.get(`${CUSTOMER_2}@s.whatsapp.net`), 'Siti Aminah');
    assert.ok(auth.state.creds.myAppStateKeyId !== 'AAAAAA==', 'the shared key is in use');
  });

  await check('a later change reaches Baileys as a patch it verifies', async () => {
    // The first sync came as snapshots; this one is a patch after them,
    // announced by server_sync: the LTHash must carry over.
    await fakewa.command(`phone-name ${SHOP} Toko Sari Jaya`);
    await waitFor(() => ownName === 'Toko Sari Jaya', 'the new push name');
  });

  await check('Baileys downloads, decrypts and reads both history chunks', async () => {
    // Folded together while Baileys syncs, the two chunks may come as one
    // event: the bootstrap's conversation with its token, and the push
    // names chunk's names.
    const chats = () => history.flatMap((set) => set.chats);
    const contacts = () => history.flatMap((set) => set.contacts);
    const pushName = (id) => contacts().find((c) => c.id === id && c.notify)?.notify;
    await waitFor(() => chats().length > 0 && pushName(`${CUSTOMER_2}@s.whatsapp.net`) !== undefined,
                  'both history chunks');
    const chat = chats().find((c) => c.id === `${CUSTOMER_1}@s.whatsapp.net`);
    assert.ok(chat, 'the conversation with the token');
    assert.deepEqual(Buffer.from(chat.tcToken), TOKEN);
    assert.ok(chats().every((c) => c.id !== `${CUSTOMER_2}@s.whatsapp.net`), 'no conversation without a token');
    assert.equal(pushName(`${CUSTOMER_1}@s.whatsapp.net`), 'Budi Santoso');
    assert.equal(pushName(`${CUSTOMER_2}@s.whatsapp.net`), 'Siti Aminah');
  });

  await check('the phone hears back from Baileys for each chunk', async () => {
    await fakewa.expect((l) => l.startsWith('phone-receipt hist_sync '), 'a hist_sync receipt');
    await fakewa.expect((l) => l.startsWith('phone-receipt hist_sync '), 'a second hist_sync receipt');
  });

  sock.end(undefined);
  fakewa.child.stdin.end();
}

run(main);
