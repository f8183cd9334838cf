// Media between our client and Baileys through the fake server, whose
// media host speaks HTTPS with a certificate from a CA made for this run:
// Node trusts it through NODE_EXTRA_CA_CERTS, our client through
// XI_WA_MEDIA_CA. Baileys uploads and encrypts with its own code; our
// receiver stores the messages, downloads (verifying before decrypting)
// and `inbox save` writes byte-identical files; a download the media host
// corrupted is refused and nothing is written.
//
// Usage: node baileys-media.js FAKEWA-PROGRAM XENDER-IN-CLI
// (XI_MAKE_TEST_CA names tests/fakewa/make-test-ca.) Prints one
// "ok N - what" line per check to stderr; exits 1 on the first failed
// check, 77 (skipped) when Baileys is not installed.

'use strict';

const { spawn, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const dns = require('node:dns');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

// NODE_EXTRA_CA_CERTS is read when Node starts: the CA is made first and
// the test runs again in a child that trusts it.
if (!process.env.XI_INTEROP_MEDIA_CA_DIR) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xender-in-ca-'));
  const made = spawnSync(process.env.XI_MAKE_TEST_CA, [dir], { stdio: 'inherit' });
  if (made.status !== 0) {
    process.stderr.write('Could not make the test CA (XI_MAKE_TEST_CA).\n');
    process.exit(1);
  }
  const child = spawn(process.execPath, process.argv.slice(1), {
    stdio: 'inherit',
    env: { ...process.env, NODE_EXTRA_CA_CERTS: path.join(dir, 'ca.pem'), XI_INTEROP_MEDIA_CA_DIR: dir },
  });
  child.on('exit', (code) => {
    fs.rmSync(dir, { recursive: true, force: true });
    process.exit(code ?? 1);
  });
  return;
}

// Nothing may leave the machine: every name but localhost fails to
// resolve (media goes to the URLs the fake host hands out, on 127.0.0.1).
const lookup = dns.lookup;
dns.lookup = (hostname, options, callback) => {
  const done = typeof options === 'function' ? options : callback;
  if (hostname !== 'localhost') {
    const error = new Error(`no lookups in tests: ${hostname}`);
    error.code = 'ENOTFOUND';
    process.nextTick(done, error);
    return {};
  }
  return lookup(hostname, options, callback);
};

const assert = require('node:assert/strict');
const {
  startFakewa, memoryAuthState, within, check, run, link, baileys, linkWithCli, runCli,
} = require('./harness');

const SHOP = '6283333333334';       // xender-in-cli
const CUSTOMER = '6282222222223';   // Baileys

// Bytes that look like what they claim to be and differ on every run.
function jpegLike (size) {
  return Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), crypto.randomBytes(size - 6), Buffer.from([0xff, 0xd9])]);
}

function pdfLike (size) {
  const head = Buffer.from('%PDF-1.4\n% Daftar harga\n');
  const tail = Buffer.from('\n%%EOF\n');
  return Buffer.concat([head, crypto.randomBytes(size - head.length - tail.length), tail]);
}

async function main () {
  const [fakewaProgram, cliProgram] = process.argv.slice(2);
  const caDir = process.env.XI_INTEROP_MEDIA_CA_DIR;
  const fakewa = startFakewa(fakewaProgram, ['--media-tls', path.join(caDir, 'media.pem')]);
  const url = (await fakewa.expect((l) => l.startsWith('url '), 'its url')).slice(4);
  const root = (await fakewa.expect((l) => l.startsWith('root '), 'its root key')).slice(5);
  const media = (await fakewa.expect((l) => l.startsWith('media '), 'its media host')).slice(6);
  const endpoint = { url, root, mediaCa: path.join(caDir, 'ca.pem') };
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xender-in-interop-'));
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xender-in-saved-'));
  const cli = (...args) => runCli(cliProgram, dataDir, endpoint, args);
  const uploads = async () => {
    fakewa.child.stdin.write('uploads\n');
    const line = await fakewa.expect((l) => l.startsWith('uploads '), 'the upload count');
    await fakewa.expect((l) => l === 'ok', 'ok');
    return Number(line.split(' ')[1]);
  };
  // Our receiver reads what waited on the server, stores it and fetches
  // what is small enough, then the command ends.
  const receive = async () => {
    const ran = await cli('run', '--transport', 'whatsapp', '--until-idle');
    assert.equal(ran.code, 0, ran.err);
    return ran;
  };
  const inbox = async () => {
    const shown = await cli('--json', 'inbox', 'show', `+${CUSTOMER}`);
    assert.equal(shown.code, 0, shown.err);
    return JSON.parse(shown.out);
  };
  const assets = () => {
    const folder = path.join(dataDir, 'assets');
    return fs.existsSync(folder) ? fs.readdirSync(folder).sort() : [];
  };

  await fakewa.command(`phone-share ${SHOP}`);
  const linked = linkWithCli(cliProgram, url, root, dataDir, (object) => {
    if (object.qr)
      fakewa.command(`scan ${object.qr} ${SHOP}`).catch(() => {});
  });
  assert.equal(await within(linked, 'xender-in-cli link'), 0);
  const customer = (await link(fakewa, url, memoryAuthState(), CUSTOMER)).connection;
  const shopJid = `${SHOP}@s.whatsapp.net`;

  try {
    const picture = jpegLike(180 * 1024 + 3);
    const priceList = pdfLike(6 * 1024 * 1024 + 11);
    let sentPicture;
    let sentDocument;

    await check('Baileys uploads a picture and a PDF to the HTTPS media host and sends them', async () => {
      sentPicture = await customer.sock.sendMessage(shopJid, {
        image: picture, caption: 'Yang ini masih ada, Kak?', mimetype: 'image/jpeg',
        jpegThumbnail: picture.subarray(0, 64).toString('base64'),
      });
      sentDocument = await customer.sock.sendMessage(shopJid, {
        document: priceList, mimetype: 'application/pdf', fileName: 'Daftar harga Juni.pdf',
        caption: 'Ini daftar harga dari toko sebelah',
      });
      assert.ok(sentPicture.message.imageMessage.url.startsWith(`${media}/`), sentPicture.message.imageMessage.url);
      assert.equal(await uploads(), 2);
    });

    await check('our Inbox has both with their fields; the picture (under 5 MB) is already downloaded', async () => {
      await receive();
      const messages = await inbox();
      const image = messages.find((m) => m.id === sentPicture.key.id);
      const document = messages.find((m) => m.id === sentDocument.key.id);
      assert.ok(image && document, JSON.stringify(messages));
      assert.equal(image.text, 'Yang ini masih ada, Kak?');
      assert.deepEqual(image.media, {
        kind: 'image', mimetype: 'image/jpeg', file_name: null, size: picture.length, downloaded: true,
      });
      assert.equal(document.text, 'Ini daftar harga dari toko sebelah');
      assert.deepEqual(document.media, {
        kind: 'document', mimetype: 'application/pdf', file_name: 'Daftar harga Juni.pdf',
        size: priceList.length, downloaded: false,
      });
      const hash = crypto.createHash('sha256').update(picture).digest('hex');
      assert.deepEqual(assets(), [hash]);
      assert.equal(fs.statSync(path.join(dataDir, 'assets', hash)).mode & 0o777, 0o600);
    });

    await check('inbox save writes the picture byte for byte', async () => {
      const target = path.join(outDir, 'picture.jpg');
      const saved = await cli('inbox', 'save', sentPicture.key.id, target);
      assert.equal(saved.code, 0, saved.err);
      assert.ok(fs.readFileSync(target).equals(picture));
    });

    await check('a corrupted or cut download of the PDF is refused and nothing is written', async () => {
      for (const fault of ['corrupt', 'truncate']) {
        await fakewa.command(`media-fault ${fault}`);
        const target = path.join(outDir, `refused-${fault}.pdf`);
        const refused = await cli('inbox', 'save', sentDocument.key.id, target);
        assert.notEqual(refused.code, 0);
        assert.match(refused.err, /not the one the customer sent/);
        assert.equal(fs.existsSync(target), false);
        assert.equal(assets().length, 1);
      }
      await fakewa.command('media-fault none');
    });

    await check('inbox save downloads the PDF on demand, verified, byte for byte', async () => {
      const target = path.join(outDir, 'Daftar harga Juni.pdf');
      const saved = await cli('--json', 'inbox', 'save', sentDocument.key.id, target);
      assert.equal(saved.code, 0, saved.err);
      assert.equal(JSON.parse(saved.out).mimetype, 'application/pdf');
      assert.ok(fs.readFileSync(target).equals(priceList));
      assert.equal(assets().length, 2);
      assert.equal((await inbox()).find((m) => m.id === sentDocument.key.id).media.downloaded, true);
    });
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(outDir, { recursive: true, force: true });
    fakewa.child.stdin.end();
  }
}

run(main);
