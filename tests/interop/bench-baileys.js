// Baileys' half of bench/bench-whatsapp and bench/bench-media. Three
// commands:
//
//   node bench-baileys.js link URL STATE
//     links a new device through the fake server (the bench plays the
//     phone when this prints "qr TEXT") and keeps its keys in STATE;
//   node bench-baileys.js send URL STATE FIRST COUNT
//     logs in with STATE and sends one message to each of COUNT accounts
//     62812xxxxxxxx from number FIRST on, one at a time, each awaited
//     until the server acknowledges it, as our engine awaits its acks;
//     then saves STATE (the sessions it started) and exits;
//   node bench-baileys.js send-media URL STATE FIRST COUNT FILE
//     the same with the picture FILE: uploaded once (to the media host the
//     server names, over HTTPS, trusting NODE_EXTRA_CA_CERTS) and the one
//     message relayed to each account, as a campaign of ours refers every
//     recipient to one upload. COUNT 0 measures login and the upload alone.
//
// The bench measures each `send` as a whole process (start-up and login
// included, as it measures ours), so this prints nothing but the QR.

'use strict';

const fs = require('node:fs');
const { memoryAuthState, connect, within, baileys } = require('./harness');
const { DisconnectReason, generateMessageID, generateWAMessageContent } = baileys;

function phone (i) {
  return `62812${String(Math.floor(i / 10000)).padStart(4, '0')}${String(i % 10000).padStart(4, '0')}`;
}

// Baileys resolves sendMessage() once the stanza is written; the server's
// <ack> reaches only its socket's raw node events.
function ackWaiter (sock) {
  const waiting = new Map();
  sock.ws.on('CB:ack,class:message', (node) => {
    const resolve = waiting.get(node.attrs.id);
    if (resolve) {
      waiting.delete(node.attrs.id);
      resolve(node.attrs.error);
    }
  });
  return (id) => within(new Promise((resolve) => waiting.set(id, resolve)), `the ack of ${id}`);
}

async function link (url, stateFile) {
  const auth = memoryAuthState();
  const registering = connect(url, auth);
  process.stdout.write(`qr ${await within(registering.firstQr, 'a QR code')}\n`);
  const code = await within(registering.closed, 'the restart after pairing');
  if (code !== DisconnectReason.restartRequired)
    throw new Error(`pairing ended with ${code}`);
  const open = connect(url, auth);
  await within(open.opened, 'the login');
  open.sock.end(undefined);
  fs.writeFileSync(stateFile, auth.snapshot(), { mode: 0o600 });
}

async function send (url, stateFile, first, count) {
  const auth = memoryAuthState(fs.readFileSync(stateFile, 'utf8'));
  const open = connect(url, auth);
  await within(open.opened, 'the login');
  const acked = ackWaiter(open.sock);
  for (let i = first; i < first + count; i++) {
    const messageId = generateMessageID();
    const ack = acked(messageId);
    await open.sock.sendMessage(`${phone(i)}@s.whatsapp.net`,
                                { text: 'Halo Kak, promo minggu ini di toko kami!' }, { messageId });
    const error = await ack;
    if (error)
      throw new Error(`the server refused a message with ${error}`);
  }
  open.sock.end(undefined);
  fs.writeFileSync(stateFile, auth.snapshot(), { mode: 0o600 });
}

async function sendMedia (url, stateFile, first, count, file) {
  const auth = memoryAuthState(fs.readFileSync(stateFile, 'utf8'));
  const open = connect(url, auth);
  await within(open.opened, 'the login');
  const acked = ackWaiter(open.sock);
  const picture = fs.readFileSync(file);
  // Given a thumbnail, Baileys needs no image library to make one.
  const content = await generateWAMessageContent(
    { image: picture, caption: 'Promo akhir bulan', mimetype: 'image/jpeg', jpegThumbnail: '' },
    { upload: open.sock.waUploadToServer, logger: open.sock.logger });
  for (let i = first; i < first + count; i++) {
    const messageId = generateMessageID();
    const ack = acked(messageId);
    await open.sock.relayMessage(`${phone(i)}@s.whatsapp.net`, content, { messageId });
    const error = await ack;
    if (error)
      throw new Error(`the server refused a message with ${error}`);
  }
  open.sock.end(undefined);
  fs.writeFileSync(stateFile, auth.snapshot(), { mode: 0o600 });
}

async function main () {
  const [command, url, stateFile, firstText, countText, file] = process.argv.slice(2);
  if (command === 'link')
    await link(url, stateFile);
  else if (command === 'send')
    await send(url, stateFile, Number(firstText), Number(countText));
  else if (command === 'send-media')
    await sendMedia(url, stateFile, Number(firstText), Number(countText), file);
  else
    throw new Error('usage: bench-baileys.js link URL STATE | send URL STATE FIRST COUNT |'
                    + ' send-media URL STATE FIRST COUNT FILE');
}

main().then(() => process.exit(0), (error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
