// Two Baileys accounts message each other through the fake server: the
// server's half of end-to-end messaging checked by an independent client
// on both ends. Baileys fetches the other's device list (usync) and prekey
// bundle, encrypts with its own libsignal, and the fake server acks the
// message, relays each device its copy, holds copies for a device that is
// offline until it is back, and relays receipts; the customer's simulated
// phone confirms delivery as a real one does.
//
// Usage: node baileys-message.js FAKEWA-PROGRAM
// Prints one "ok N - what" line per check to stderr; exits 1 on the first
// failed check, 77 (skipped) when Baileys is not installed.

'use strict';

const assert = require('node:assert/strict');
const {
  startFakewa, memoryAuthState, connect, within, check, run, link, baileys, textOf, next, received,
} = require('./harness');

const { proto } = baileys;
const SHOP = '6281111111111';
const CUSTOMER = '6282222222222';

async function main () {
  const fakewa = startFakewa(process.argv[2]);
  const url = (await fakewa.expect((l) => l.startsWith('url '), 'its url')).slice(4);
  const shopAuth = memoryAuthState();
  const customerAuth = memoryAuthState();
  const shopDevice = await link(fakewa, url, shopAuth, SHOP);
  const customerDevice = await link(fakewa, url, customerAuth, CUSTOMER);
  const shop = shopDevice.connection;
  let customer = customerDevice.connection;
  let firstId;

  // The fake server says how each copy went: "relayed FROM TO TYPE".
  const relayed = (from, to) => fakewa.expect((l) => l.startsWith(`relayed ${from.jid} ${to.jid} `),
                                              `a copy from ${from.jid} to ${to.jid}`)
    .then((line) => line.split(' ')[3]);

  await check('a first message starts a session and arrives decrypted', async () => {
    const text = 'Halo Kak Budi, promo akhir bulan: diskon 20% 🙏';
    const arrival = received(customer.sock, SHOP, text);
    const delivered = next(shop.sock, 'messages.update', (updates) => updates.find((u) =>
      u.update.status === proto.WebMessageInfo.Status.DELIVERY_ACK), 'the delivery receipt');
    const sent = await shop.sock.sendMessage(`${CUSTOMER}@s.whatsapp.net`, { text });
    const message = await arrival;
    assert.equal((await delivered).key.id, sent.key.id, 'the customer\'s phone confirmed delivery');
    assert.equal(message.key.id, sent.key.id);
    assert.equal(await relayed(shopDevice, customerDevice), 'pkmsg');
    firstId = sent.key.id;
  });

  await check('the reply comes back on the session the first message made', async () => {
    const text = 'STOP';
    const arrival = received(shop.sock, CUSTOMER, text);
    await customer.sock.sendMessage(`${SHOP}@s.whatsapp.net`, { text });
    await arrival;
    assert.equal(await relayed(customerDevice, shopDevice), 'msg');
  });

  await check('a read receipt reaches the sender', async () => {
    const update = next(shop.sock, 'messages.update', (updates) => updates.find((u) =>
      u.key.id === firstId && u.update.status === proto.WebMessageInfo.Status.READ), 'the read receipt');
    await customer.sock.readMessages([{ remoteJid: `${SHOP}@s.whatsapp.net`, id: firstId, fromMe: false }]);
    await update;
  });

  await check('messages to an offline device wait for it and arrive in order', async () => {
    customer.sock.end(undefined);
    await within(customer.closed, 'the customer going offline');
    const texts = ['Pesanan #1021 sudah dikirim', 'Terima kasih sudah belanja'];
    for (const text of texts)
      await shop.sock.sendMessage(`${CUSTOMER}@s.whatsapp.net`, { text });

    const arrivals = [];
    customer = connect(url, customerAuth);
    customer.sock.ev.on('messages.upsert', ({ messages }) => {
      for (const m of messages)
        if (!m.key.fromMe && texts.includes(textOf(m.message)))
          arrivals.push(textOf(m.message));
    });
    await within(customer.opened, 'the customer back online');
    await within(new Promise((resolve) => {
      const poll = setInterval(() => {
        if (arrivals.length === texts.length) {
          clearInterval(poll);
          resolve();
        }
      }, 20);
    }), 'the held messages');
    assert.deepEqual(arrivals, texts);
    for (const _ of texts)
      assert.equal(await relayed(shopDevice, customerDevice), 'msg');
  });

  await check('a client whose transport keys come a moment after its ClientFinish still logs in', async () => {
    // Baileys derives the keys in WebCrypto after writing its ClientFinish
    // and does not wait for them; a busy machine makes that moment long,
    // and a first frame arriving within it breaks the connection.
    customer.sock.end(undefined);
    await within(customer.closed, 'the customer going offline');
    const subtle = globalThis.crypto.subtle;
    const deriveBits = subtle.deriveBits;
    subtle.deriveBits = async function (...args) {
      const bits = await deriveBits.apply(this, args);
      await new Promise((resolve) => setTimeout(resolve, 20));
      return bits;
    };
    try {
      customer = connect(url, customerAuth);
      await within(customer.opened, 'the login of a slow client');
    } finally {
      subtle.deriveBits = deriveBits;
    }
    const text = 'Paketnya sampai besok, Kak';
    const arrival = received(customer.sock, SHOP, text);
    await shop.sock.sendMessage(`${CUSTOMER}@s.whatsapp.net`, { text });
    await arrival;
  });

  fakewa.child.stdin.end();
}

run(main);
