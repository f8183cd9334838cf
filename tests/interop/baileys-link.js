// Baileys, an independent implementation of the WhatsApp multi-device
// protocol, links itself through the fake server exactly as it would
// through WhatsApp: it registers, shows QR codes, is scanned by the
// server's simulated phone, countersigns, restarts after the 515 and logs
// in. Then it reconnects from its saved session without a QR, and
// xender-in-cli links as a second device of the same account on the same
// server. Baileys survives a dropped connection, and is logged out when
// the phone unlinks it.
//
// Usage: node baileys-link.js FAKEWA-PROGRAM XENDER-IN-CLI
// Prints one "ok N - what" line per check to stderr; exits 1 on the first
// failed check, 77 (skipped) when Baileys is not installed.

'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const assert = require('node:assert/strict');
const {
  log, startFakewa, memoryAuthState, connect, within, check, run, baileys, linkWithCli,
} = require('./harness');

const { DisconnectReason, jidDecode } = baileys;
const PHONE = '6281234567890';

async function main () {
  const fakewa = startFakewa(process.argv[2]);
  const url = (await fakewa.expect((l) => l.startsWith('url '), 'its url')).slice(4);
  const root = (await fakewa.expect((l) => l.startsWith('root '), 'its root key')).slice(5);
  const auth = memoryAuthState();
  let pairedJid;
  let lid;

  await check('registers and shows the server\'s refs as QR codes', async () => {
    const first = connect(url, auth);
    const qr = await within(first.firstQr, 'a QR code');
    const fields = qr.split(',');
    assert.equal(fields.length, 4, `QR text has ${fields.length} fields`);
    assert.match(fields[0], /^2@fakewa-ref-1-/);
    assert.equal(Buffer.from(fields[1], 'base64').length, 32);
    assert.equal(Buffer.from(fields[2], 'base64').toString('base64'),
                 Buffer.from(auth.state.creds.signedIdentityKey.public).toString('base64'));

    await fakewa.command(`scan ${qr} ${PHONE}`);
    const paired = await fakewa.expect((l) => l.startsWith('paired '), 'paired');
    [, pairedJid, lid] = paired.split(' ');
    const code = await within(first.closed, 'the restart after pairing');
    assert.equal(code, DisconnectReason.restartRequired, `closed with ${code}`);
    assert.equal(auth.state.creds.me.id, pairedJid);
    assert.equal(jidDecode(pairedJid).user, PHONE);
    assert.ok(auth.state.creds.account, 'kept the signed device identity');
  });

  await check('logs in after the 515 and goes online', async () => {
    const second = connect(url, auth);
    await within(second.opened, 'the login');
    assert.equal(second.qrCodes.length, 0);
    assert.match(lid, /^[0-9]{15}:[0-9]+@lid$/);
    assert.equal(auth.state.creds.me.lid, lid, '<success> named the LID pair-success did');
    second.sock.end(undefined);
    await within(second.closed, 'the close');
  });

  let third;
  await check('logs in again from the saved session and keeps its prekeys', async () => {
    third = connect(url, auth);
    await within(third.opened, 'the second login');
    assert.equal(third.qrCodes.length, 0);
    assert.ok(auth.state.creds.nextPreKeyId > 1, 'uploaded prekeys on the first login');
  });

  await check('xender-in-cli links as a second device of the same account', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xender-in-interop-'));
    let linked;
    try {
      // As a real phone does, it shares its app-state keys and history
      // with the new device, which waits for them.
      await fakewa.command(`phone-share ${PHONE}`);
      const exited = linkWithCli(process.argv[3], url, root, dataDir, (object) => {
        if (object.qr)
          fakewa.command(`scan ${object.qr} ${PHONE}`).catch((error) => log(`scan failed: ${error}`));
        if (object.linked)
          linked = object.linked;
      });
      const code = await within(exited, 'xender-in-cli link');
      assert.equal(code, 0, `xender-in-cli link exited with ${code}`);
      const paired = await fakewa.expect((l) => l.startsWith(`paired ${PHONE}:2@`), 'the second device');
      assert.equal(linked, paired.split(' ')[1]);
      assert.equal(jidDecode(linked).device, jidDecode(pairedJid).device + 1);
      assert.equal(paired.split(' ')[2].split(':')[0], lid.split(':')[0], 'one account, one LID');
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  await check('usync: Baileys learns who is on WhatsApp and the account\'s other device', async () => {
    await fakewa.command('account 6285700000001');
    const found = await within(third.sock.onWhatsApp('+6285700000001', '+6289999999999', `+${PHONE}`),
                               'the contact query');
    assert.deepEqual(found.map((f) => f.jid).sort(),
                     ['6281234567890@s.whatsapp.net', '6285700000001@s.whatsapp.net']);
    assert.ok(found.every((f) => f.exists));
    const devices = await within(third.sock.getUSyncDevices([`${PHONE}@s.whatsapp.net`], false, false),
                                 'the device query');
    assert.deepEqual(devices.map((d) => `${d.user}:${d.device}`), [`${PHONE}:0`, `${PHONE}:2`],
                     'the phone and the CLI\'s device listed, its own left out');
  });

  await check('a dropped connection closes the socket as lost', async () => {
    await fakewa.command('drop');
    const code = await within(third.closed, 'the drop');
    assert.equal(code, DisconnectReason.connectionClosed, `closed with ${code}`);
    const fourth = connect(url, auth);
    await within(fourth.opened, 'the reconnect');
    third = fourth;
  });

  await check('the phone unlinking it logs it out for good', async () => {
    await fakewa.command('stream-error 401 device_removed');
    const code = await within(third.closed, 'the unlink');
    assert.equal(code, DisconnectReason.loggedOut, `closed with ${code}`);
    const again = connect(url, auth);
    const refused = await within(again.closed, 'the refused login');
    assert.equal(refused, DisconnectReason.loggedOut, `login after unlink closed with ${refused}`);
  });

  fakewa.child.stdin.end();
}

run(main);
