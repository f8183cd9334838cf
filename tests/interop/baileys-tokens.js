// Privacy tokens with Baileys 6.17.16 as the independent peer: the shop's
// account must show a conversation to reach anyone new (fakewa's
// "require-tokens"). Two Baileys customers write to the shop first; their
// "phones" (fakewa's auto-issue: Baileys 6 itself never issues) give the
// shop a token each, held for it while xender-in-cli is away. The campaign
// then reaches them with the tokens attached, and each decrypts its exact
// text; a third Baileys account that never wrote is refused with 463,
// once, and reported refused as a new contact.
//
// Usage: node baileys-tokens.js FAKEWA-PROGRAM XENDER-IN-CLI
// Prints one "ok N - what" line per check to stderr; exits 1 on the first
// failed check, 77 (skipped) when Baileys is not installed.

'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');
const {
  startFakewa, memoryAuthState, within, until, check, run, link, linkWithCli, runCli, textOf,
} = require('./harness');

const SHOP = '6283300000010';
const WROTE_FIRST = ['6282200000011', '6282200000012'];
const STRANGER = '6282200000013';

async function main () {
  const [fakewaProgram, cliProgram] = process.argv.slice(2);
  const fakewa = startFakewa(fakewaProgram);
  const url = (await fakewa.expect((l) => l.startsWith('url '), 'its url')).slice(4);
  const root = (await fakewa.expect((l) => l.startsWith('root '), 'its root key')).slice(5);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xender-in-interop-'));
  const cli = (...args) => runCli(cliProgram, dataDir, { url, root }, args);
  const refused = [];

  // "link" waits for the phone's app-state keys and history.
  await fakewa.command(`phone-share ${SHOP}`);
  const linked = linkWithCli(cliProgram, url, root, dataDir, (object) => {
    if (object.qr)
      fakewa.command(`scan ${object.qr} ${SHOP}`).catch(() => {});
  });
  assert.equal(await within(linked, 'xender-in-cli link'), 0);
  readline.createInterface({ input: fakewa.child.stdout }).on('line', (line) => {
    if (line.startsWith('refused '))
      refused.push(line);
  });

  const inboxes = new Map();
  const socks = new Map();
  for (const phone of [...WROTE_FIRST, STRANGER]) {
    const { connection } = await link(fakewa, url, memoryAuthState(), phone);
    inboxes.set(phone, []);
    socks.set(phone, connection.sock);
    connection.sock.ev.on('messages.upsert', ({ messages }) => {
      for (const m of messages)
        if (!m.key.fromMe && m.key.remoteJid === `${SHOP}@s.whatsapp.net`)
          inboxes.get(phone).push(textOf(m.message));
    });
  }
  await fakewa.command(`require-tokens ${SHOP} on`);

  try {
    await check('customers who wrote first get the campaign with their tokens; a stranger is refused once',
      async () => {
        for (const phone of WROTE_FIRST) {
          await fakewa.command(`auto-issue ${phone} on`);
          await socks.get(phone).sendMessage(`${SHOP}@s.whatsapp.net`, { text: 'Halo, masih buka?' });
        }
        const csv = ['Nama,Nomor HP', ...[...WROTE_FIRST, STRANGER].map((phone, i) => `Pelanggan ${i + 1},+${phone}`)];
        fs.writeFileSync(path.join(dataDir, 'pelanggan.csv'), csv.join('\n') + '\n');
        assert.equal((await cli('contacts', 'import', path.join(dataDir, 'pelanggan.csv'), '--group', 'Semua', '--create-group')).code, 0);
        assert.equal((await cli('templates', 'add', 'Promo', 'Halo {name}, buka sampai jam 9!')).code, 0);
        const created = await cli('campaign', 'create', '--group', 'Semua', '--template', 'Promo', '--name', 'Juni',
                                  '--delay', '0', '--batch', '0', '--start');
        assert.equal(created.code, 0, created.err);
        const ran = await cli('run', '--transport', 'whatsapp', '--until-idle');
        assert.equal(ran.code, 0, ran.err);

        await until(() => WROTE_FIRST.every((phone) => inboxes.get(phone).length > 0), 'the Baileys clients to decrypt');
        WROTE_FIRST.forEach((phone, i) =>
          assert.deepEqual(inboxes.get(phone), [`Halo Pelanggan ${i + 1}, buka sampai jam 9!`]));
        assert.deepEqual(inboxes.get(STRANGER), []);
        const report = JSON.parse((await cli('--json', 'campaign', 'report', 'Juni')).out);
        const byPhone = Object.fromEntries(report.map((row) => [row.phone, row]));
        for (const phone of WROTE_FIRST)
          assert.ok(['sent', 'delivered', 'read'].includes(byPhone[phone].state), `${phone}: ${byPhone[phone].state}`);
        assert.equal(byPhone[STRANGER].state, 'failed');
        assert.equal(byPhone[STRANGER].skip_reason, 'refused_new_contact');
        assert.equal(byPhone[STRANGER].attempts, 1);
        assert.equal(refused.filter((line) => line.includes(STRANGER)).length, 1, refused.join('\n'));
      });
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
    fakewa.child.stdin.end();
  }
}

run(main);
