// xender-in-cli messages a Baileys account through the fake server: our
// own client encrypts, Baileys (its own libsignal) must decrypt the exact
// text. A reply that waited on the server is read before the next send,
// which then goes on the session both sides share; a campaign through
// WhatsApp reaches Baileys, a fake account and its phone, and reports a
// number that is not on WhatsApp as failed, with why.
//
// Usage: node baileys-cli.js FAKEWA-PROGRAM XENDER-IN-CLI
// Prints one "ok N - what" line per check to stderr; exits 1 on the first
// failed check, 77 (skipped) when Baileys is not installed.

'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const {
  startFakewa, memoryAuthState, connect, within, check, run, link, baileys, linkWithCli, runCli, next, received,
} = require('./harness');

const { proto } = baileys;
const SHOP = '6283333333333';       // xender-in-cli
const CUSTOMER = '6282222222222';   // Baileys
const FAKE_ACCOUNT = '6285700000001';
const NOBODY = '6289999999999';

async function main () {
  const [fakewaProgram, cliProgram] = process.argv.slice(2);
  const fakewa = startFakewa(fakewaProgram);
  const url = (await fakewa.expect((l) => l.startsWith('url '), 'its url')).slice(4);
  const root = (await fakewa.expect((l) => l.startsWith('root '), 'its root key')).slice(5);
  const endpoint = { url, root };
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xender-in-interop-'));
  const cli = (...args) => runCli(cliProgram, dataDir, endpoint, args);
  const relayed = (from, to) => fakewa.expect((l) => l.startsWith(`relayed ${from} ${to} `),
                                              `a copy from ${from} to ${to}`)
    .then((line) => line.split(' ')[3]);

  // As a real phone does, it shares its app-state keys and history with
  // the new device, which waits for them.
  await fakewa.command(`phone-share ${SHOP}`);
  const linked = linkWithCli(cliProgram, url, root, dataDir, (object) => {
    if (object.qr)
      fakewa.command(`scan ${object.qr} ${SHOP}`).catch(() => {});
  });
  assert.equal(await within(linked, 'xender-in-cli link'), 0);
  const shopDevice = (await fakewa.expect((l) => l.startsWith(`paired ${SHOP}:`), 'the shop')).split(' ')[1];
  const customerAuth = memoryAuthState();
  const customerDevice = await link(fakewa, url, customerAuth, CUSTOMER);
  let customer = customerDevice.connection;

  try {
    await check('xender-in-cli send: Baileys decrypts the exact text of a first message (pkmsg)', async () => {
      const text = 'Halo Kak, pesanan #1021 sudah kami kirim hari ini 📦';
      const arrival = received(customer.sock, SHOP, text);
      const sent = await cli('--json', 'send', `+${CUSTOMER}`, text);
      assert.equal(sent.code, 0, sent.err);
      await arrival;
      assert.equal(await relayed(shopDevice, customerDevice.jid), 'pkmsg');
      assert.equal(await relayed(shopDevice, `${CUSTOMER}@s.whatsapp.net`), 'pkmsg');
    });

    await check('a reply waiting on the server is read and confirmed; the next message rides the session (msg)',
      async () => {
        const reply = await customer.sock.sendMessage(`${SHOP}@s.whatsapp.net`, { text: 'Terima kasih!' });
        const delivered = next(customer.sock, 'messages.update', (updates) => updates.find((u) =>
          u.key.id === reply.key.id && u.update.status === proto.WebMessageInfo.Status.DELIVERY_ACK),
        'our receipt for the reply');
        const text = 'Sama-sama, Kak 🙏';
        const arrival = received(customer.sock, SHOP, text);
        const sent = await cli('send', `+${CUSTOMER}`, text);
        assert.equal(sent.code, 0, sent.err);
        assert.match(sent.out, /Sent to \+62 822/);
        await delivered;
        await arrival;
        assert.equal(await relayed(shopDevice, customerDevice.jid), 'msg');

        // Our receiver stored the reply on the way in.
        const inbox = JSON.parse((await cli('--json', 'inbox', 'show', `+${CUSTOMER}`)).out);
        assert.match(JSON.stringify(inbox), /Terima kasih!/);
      });

    await check('after both sides reconnect, the session goes on (msg) and the text still decrypts', async () => {
      customer.sock.end(undefined);
      await within(customer.closed, 'Baileys going offline');
      const again = connect(url, customerAuth);
      await within(again.opened, 'Baileys back online');
      customer = again;
      const text = 'Stok ready lagi, Kak';
      const arrival = received(customer.sock, SHOP, text);
      const sent = await cli('send', `+${CUSTOMER}`, text);
      assert.equal(sent.code, 0, sent.err);
      await arrival;
      assert.equal(await relayed(shopDevice, customerDevice.jid), 'msg');
    });

    await check('a campaign through WhatsApp: sent where it can be, failed where it cannot, with why', async () => {
      await fakewa.command(`account ${FAKE_ACCOUNT}`);
      for (const [phone, name] of [[CUSTOMER, 'Budi'], [FAKE_ACCOUNT, 'Citra'], [NOBODY, 'Dewi']])
        assert.equal((await cli('contacts', 'add', `+${phone}`, '--name', name)).code, 0);
      assert.equal((await cli('groups', 'add', 'Pelanggan')).code, 0);
      for (const phone of [CUSTOMER, FAKE_ACCOUNT, NOBODY])
        assert.equal((await cli('groups', 'add-members', 'Pelanggan', `+${phone}`)).code, 0);
      assert.equal((await cli('templates', 'add', 'Promo', 'Halo {name}, promo akhir bulan!')).code, 0);
      const arrival = received(customer.sock, SHOP, 'Halo Budi, promo akhir bulan!');
      const created = await cli('campaign', 'create', '--group', 'Pelanggan', '--template', 'Promo',
                                '--name', 'Juni', '--delay', '0', '--batch', '0', '--start');
      assert.equal(created.code, 0, created.err);
      const ran = await cli('run', '--transport', 'whatsapp', '--until-idle');
      assert.equal(ran.code, 0, ran.err);
      await arrival;

      const report = JSON.parse((await cli('--json', 'campaign', 'report', 'Juni')).out);
      const byPhone = Object.fromEntries(report.map((row) => [row.phone, row]));
      assert.ok(['sent', 'delivered', 'read'].includes(byPhone[CUSTOMER].state), byPhone[CUSTOMER].state);
      assert.ok(['sent', 'delivered'].includes(byPhone[FAKE_ACCOUNT].state), byPhone[FAKE_ACCOUNT].state);
      assert.equal(byPhone[NOBODY].state, 'failed');
      assert.match(JSON.stringify(byPhone[NOBODY]), /not on WhatsApp/);
    });
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
    fakewa.child.stdin.end();
  }
}

run(main);
