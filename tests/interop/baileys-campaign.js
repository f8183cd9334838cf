// A campaign of 200 through WhatsApp, end to end, with independent
// clients among the recipients: xender-in-cli (our engine, our protocol
// library) sends to 3 Baileys accounts, 190 fake-server accounts and 7
// numbers that are not on WhatsApp. Each Baileys client checks the exact
// text it decrypts; one of them answers "STOP" as soon as its message
// arrives, while the campaign is still sending, and our receiver turns
// that into an opt-out that the next campaign honours.
//
// Usage: node baileys-campaign.js FAKEWA-PROGRAM XENDER-IN-CLI
// Prints one "ok N - what" line per check to stderr; exits 1 on the first
// failed check, 77 (skipped) when Baileys is not installed.

'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const {
  startFakewa, memoryAuthState, within, until, check, run, link, linkWithCli, runCli, textOf,
} = require('./harness');

const SHOP = '6283300000000';
const BAILEYS = ['6282200000001', '6282200000002', '6282200000003'];
const OPTS_OUT = BAILEYS[1];
const FAKE = Array.from({ length: 190 }, (_, i) => `62857${String(i + 1).padStart(8, '0')}`);
const NOBODY = Array.from({ length: 7 }, (_, i) => `62899${String(i + 1).padStart(8, '0')}`);

async function main () {
  const [fakewaProgram, cliProgram] = process.argv.slice(2);
  const fakewa = startFakewa(fakewaProgram);
  const url = (await fakewa.expect((l) => l.startsWith('url '), 'its url')).slice(4);
  const root = (await fakewa.expect((l) => l.startsWith('root '), 'its root key')).slice(5);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xender-in-interop-'));
  const cli = (...args) => runCli(cliProgram, dataDir, { url, root }, args);
  const names = new Map();

  // As a real phone does, it shares its app-state keys and history with
  // the new device, which waits for them.
  await fakewa.command(`phone-share ${SHOP}`);
  const linked = linkWithCli(cliProgram, url, root, dataDir, (object) => {
    if (object.qr)
      fakewa.command(`scan ${object.qr} ${SHOP}`).catch(() => {});
  });
  assert.equal(await within(linked, 'xender-in-cli link'), 0);

  // Each Baileys customer keeps what it decrypts; the one who opts out
  // answers STOP to its first message, mid-campaign.
  const inboxes = new Map();
  for (const phone of BAILEYS) {
    const { connection } = await link(fakewa, url, memoryAuthState(), phone);
    inboxes.set(phone, []);
    connection.sock.ev.on('messages.upsert', ({ messages }) => {
      for (const m of messages) {
        if (m.key.fromMe || m.key.remoteJid !== `${SHOP}@s.whatsapp.net`)
          continue;
        inboxes.get(phone).push(textOf(m.message));
        if (phone === OPTS_OUT && inboxes.get(phone).length === 1)
          connection.sock.sendMessage(`${SHOP}@s.whatsapp.net`, { text: 'STOP' });
      }
    });
  }
  for (const phone of FAKE)
    await fakewa.command(`account ${phone}`);

  try {
    await check('a campaign of 200: Baileys clients decrypt their exact texts, the rest is reported as it went',
      async () => {
        const csv = ['Nama,Nomor HP'];
        [...BAILEYS, ...FAKE, ...NOBODY].forEach((phone, i) => {
          names.set(phone, `Pelanggan ${i + 1}`);
          csv.push(`Pelanggan ${i + 1},+${phone}`);
        });
        fs.writeFileSync(path.join(dataDir, 'pelanggan.csv'), csv.join('\n') + '\n');
        assert.equal((await cli('contacts', 'import', path.join(dataDir, 'pelanggan.csv'), '--group', 'Semua', '--create-group')).code, 0);
        assert.equal((await cli('templates', 'add', 'Promo', 'Halo {name}, diskon 20% minggu ini!')).code, 0);
        const created = await cli('campaign', 'create', '--group', 'Semua', '--template', 'Promo', '--name', 'Juni',
                                  '--delay', '0', '--batch', '0', '--start');
        assert.equal(created.code, 0, created.err);
        const ran = await cli('run', '--transport', 'whatsapp', '--until-idle');
        assert.equal(ran.code, 0, ran.err);

        await until(() => BAILEYS.every((phone) => inboxes.get(phone).length > 0), 'the Baileys clients to decrypt');
        for (const phone of BAILEYS)
          assert.deepEqual(inboxes.get(phone), [`Halo ${names.get(phone)}, diskon 20% minggu ini!`]);

        const report = JSON.parse((await cli('--json', 'campaign', 'report', 'Juni')).out);
        assert.equal(report.length, 200);
        const byPhone = Object.fromEntries(report.map((row) => [row.phone, row]));
        for (const phone of [...BAILEYS, ...FAKE])
          assert.ok(['sent', 'delivered', 'read'].includes(byPhone[phone].state), `${phone}: ${byPhone[phone].state}`);
        for (const phone of NOBODY) {
          assert.equal(byPhone[phone].state, 'failed');
          assert.match(JSON.stringify(byPhone[phone]), /not on WhatsApp/);
        }
      });

    await check('the STOP sent mid-campaign is an opt-out, and the next campaign skips that number', async () => {
      // The reply may land after the last send: let a short run read it.
      let optedOut = [];
      for (let i = 0; i < 20 && !optedOut.some((row) => JSON.stringify(row).includes(OPTS_OUT)); i++) {
        await cli('run', '--transport', 'whatsapp', '--until-idle');
        optedOut = JSON.parse((await cli('--json', 'optout', 'list')).out);
      }
      assert.ok(optedOut.some((row) => JSON.stringify(row).includes(OPTS_OUT)), JSON.stringify(optedOut));

      const next = await cli('--json', 'campaign', 'create', '--group', 'Semua', '--template', 'Promo',
                             '--name', 'Juli', '--delay', '0', '--batch', '0');
      assert.equal(next.code, 0, next.err);
      const report = JSON.parse((await cli('--json', 'campaign', 'report', 'Juli')).out);
      const row = report.find((r) => r.phone === OPTS_OUT);
      assert.equal(row.state, 'skipped');
      assert.match(JSON.stringify(row), /opt/i);
    });
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
    fakewa.child.stdin.end();
  }
}

run(main);
