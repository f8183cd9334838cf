// Media between our client and Baileys through the fake server, whose
// media host speaks HTTPS with a certificate from a CA made for this run:
// Node trusts it through NODE_EXTRA_CA_CERTS, our client through
// XI_WA_MEDIA_CA. Baileys uploads and encrypts with its own code; our
// receiver stores the messages, downloads (verifying before decrypting)
// and `inbox save` writes byte-identical files; a download the media host
// corrupted is refused and nothing is written. The other way, `send
// --attach` sends a picture and a PDF that Baileys downloads and decrypts
// with its own code, and a campaign of 200 with a picture makes one
// upload that every Baileys recipient decrypts to the same bytes.
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
const https = require('node:https');
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

const zlib = require('node:zlib');

const SHOP = '6283333333334';       // xender-in-cli
const CUSTOMER = '6282222222223';   // Baileys
const MORE_CUSTOMERS = ['6282222222224', '6282222222225'];  // Baileys, for the campaign
const FAKE = Array.from({ length: 197 }, (_, i) => `62857${String(i + 1).padStart(8, '0')}`);

// Bytes that look like what they claim to be and differ on every run.
function jpegLike (size) {
  return Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), crypto.randomBytes(size - 6), Buffer.from([0xff, 0xd9])]);
}

// A real PNG (our sender reads the picture for its size and preview),
// random pixels so that every run sends other bytes.
function png (width, height) {
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type), data]);
    const length = Buffer.alloc(4);
    const crc = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const rows = [];
  for (let y = 0; y < height; y++)
    rows.push(Buffer.from([0]), crypto.randomBytes(width * 3));
  return Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), chunk('IHDR', header),
                        chunk('IDAT', zlib.deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))]);
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
  // What each Baileys customer gets from the shop, decrypted by Baileys.
  const received = new Map();
  const listen = (phone, sock) => {
    received.set(phone, []);
    sock.ev.on('messages.upsert', async ({ messages }) => {
      for (const m of messages) {
        if (m.key.fromMe || m.key.remoteJid !== shopJid)
          continue;
        const content = m.message?.imageMessage ?? m.message?.documentMessage;
        const bytes = content ? await baileys.downloadMediaMessage(m, 'buffer', {}) : null;
        received.get(phone).push({ content, bytes });
      }
    });
  };
  const arrived = (phone, count) => within((async () => {
    while (received.get(phone).length < count)
      await new Promise((resolve) => setTimeout(resolve, 50));
    return received.get(phone);
  })(), `${count} message(s) at ${phone}`);
  listen(CUSTOMER, customer.sock);

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

    await check('a client that keeps its connections open downloads from the media host twice in a row', async () => {
      // Node's agents keep a connection for the next request unless the
      // answer says it is closed; Baileys downloads through them.
      const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
      const get = () => new Promise((resolve, reject) => {
        https.get(sentPicture.message.imageMessage.url, { agent }, (res) => {
          const chunks = [];
          res.on('data', (chunk) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
        }).on('error', reject);
      });
      try {
        for (let i = 0; i < 5; i++) {
          const [first, second] = [await get(), await get()];
          assert.equal(first.status, 200);
          assert.ok(second.body.equals(first.body));
        }
      } finally {
        agent.destroy();
      }
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

    await check('a video, a voice note and a sticker from Baileys arrive as what they are, kept and saved', async () => {
      const video = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypmp42'), crypto.randomBytes(90000)]);
      const voice = Buffer.concat([Buffer.from('OggS'), crypto.randomBytes(12000)]);
      const sticker = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8 '),
                                     crypto.randomBytes(3000)]);
      const sent = [
        await customer.sock.sendMessage(shopJid, { video, caption: 'Videonya, Kak', mimetype: 'video/mp4',
                                                   jpegThumbnail: '' }),
        await customer.sock.sendMessage(shopJid, { audio: voice, ptt: true, seconds: 3,
                                                   mimetype: 'audio/ogg; codecs=opus' }),
        await customer.sock.sendMessage(shopJid, { sticker, mimetype: 'image/webp' }),
      ];
      await receive();
      const messages = await inbox();
      const byId = (message) => messages.find((m) => m.id === message.key.id);
      assert.deepEqual(sent.map((m) => byId(m)?.media?.kind), ['video', 'audio', 'sticker']);
      assert.equal(byId(sent[0]).text, 'Videonya, Kak');
      assert.deepEqual(sent.map((m) => byId(m).media.downloaded), [true, true, true]);
      assert.equal(byId(sent[1]).media.mimetype, 'audio/ogg; codecs=opus');
      const target = path.join(outDir, 'voice.ogg');
      const saved = await cli('inbox', 'save', sent[1].key.id, target);
      assert.equal(saved.code, 0, saved.err);
      assert.ok(fs.readFileSync(target).equals(voice));
    });

    await check('send --attach: Baileys downloads and decrypts our picture and PDF to the same bytes', async () => {
      const ours = png(320, 240);
      const pdf = pdfLike(300 * 1024 + 5);
      const picturePath = path.join(outDir, 'promo.png');
      const pdfPath = path.join(outDir, 'Katalog Juni.pdf');
      fs.writeFileSync(picturePath, ours);
      fs.writeFileSync(pdfPath, pdf);
      const before = await uploads();

      let sent = await cli('send', `+${CUSTOMER}`, 'Promo minggu ini, Kak', '--attach', picturePath);
      assert.equal(sent.code, 0, sent.err);
      sent = await cli('send', `+${CUSTOMER}`, 'Katalog terbaru', '--attach', pdfPath);
      assert.equal(sent.code, 0, sent.err);
      const [image, document] = await arrived(CUSTOMER, 2);
      assert.equal(image.content.caption, 'Promo minggu ini, Kak');
      assert.equal(image.content.mimetype, 'image/png');
      assert.ok(image.bytes.equals(ours), 'the picture Baileys decrypted is not ours');
      assert.equal(document.content.fileName, 'Katalog Juni.pdf');
      assert.equal(document.content.mimetype, 'application/pdf');
      assert.equal(document.content.caption, 'Katalog terbaru');
      assert.ok(document.bytes.equals(pdf), 'the PDF Baileys decrypted is not ours');
      assert.equal(await uploads() - before, 2);
    });

    await check('a campaign of 200 with a picture: one upload, every Baileys recipient decrypts the same picture',
      async () => {
        for (const phone of MORE_CUSTOMERS)
          listen(phone, (await link(fakewa, url, memoryAuthState(), phone)).connection.sock);
        for (const phone of FAKE)
          await fakewa.command(`account ${phone}`);
        const picture = png(400, 300);
        const picturePath = path.join(outDir, 'flyer.png');
        fs.writeFileSync(picturePath, picture);
        const csv = ['Nama,Nomor HP'];
        const everyone = [CUSTOMER, ...MORE_CUSTOMERS, ...FAKE];
        everyone.forEach((phone, i) => csv.push(`Pelanggan ${i + 1},+${phone}`));
        fs.writeFileSync(path.join(outDir, 'pelanggan.csv'), csv.join('\n') + '\n');
        assert.equal((await cli('contacts', 'import', path.join(outDir, 'pelanggan.csv'), '--group', 'Semua', '--create-group')).code, 0);
        const template = await cli('templates', 'add', 'Flyer', 'Halo {name}, ini promo kami!', '--attach', picturePath);
        assert.equal(template.code, 0, template.err);
        const before = await uploads();
        const created = await cli('campaign', 'create', '--group', 'Semua', '--template', 'Flyer', '--name', 'Flyer',
                                  '--delay', '0', '--batch', '0', '--start');
        assert.equal(created.code, 0, created.err);
        const ran = await cli('run', '--transport', 'whatsapp', '--until-idle');
        assert.equal(ran.code, 0, ran.err);
        assert.equal(await uploads() - before, 1);

        const report = JSON.parse((await cli('--json', 'campaign', 'report', 'Flyer')).out);
        assert.equal(report.length, 200);
        for (const row of report)
          assert.ok(['sent', 'delivered', 'read'].includes(row.state), `${row.phone}: ${row.state}`);
        const paths = new Set();
        for (const [i, phone] of [CUSTOMER, ...MORE_CUSTOMERS].entries()) {
          const messages = await arrived(phone, phone === CUSTOMER ? 3 : 1);
          const flyer = messages[messages.length - 1];
          assert.equal(flyer.content.caption, `Halo Pelanggan ${i + 1}, ini promo kami!`);
          assert.equal(flyer.content.mimetype, 'image/png');
          assert.ok(flyer.bytes.equals(picture), `the picture ${phone} decrypted is not the flyer`);
          paths.add(flyer.content.directPath);
        }
        assert.equal(paths.size, 1);
      });
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(outDir, { recursive: true, force: true });
    fakewa.child.stdin.end();
  }
}

run(main);
