// Baileys' half of bench/bench-whatsapp: links through the fake server
// (the bench plays the phone when this prints "qr TEXT"), then sends two
// rounds of one message to each of COUNT accounts, 62812xxxxxxxx, one at
// a time, as our engine does: a first round that starts every session
// and a second on the sessions it left. Prints one JSON line: seconds and
// CPU seconds of each round, and the process's peak RSS.
//
// Usage: node bench-baileys.js URL COUNT

'use strict';

const { memoryAuthState, connect, within } = require('./harness');
const { DisconnectReason } = require('./harness').baileys;

function phone (i) {
  return `62812${String(Math.floor(i / 10000)).padStart(4, '0')}${String(i % 10000).padStart(4, '0')}`;
}

async function round (sock, count) {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++)
    await sock.sendMessage(`${phone(i)}@s.whatsapp.net`, { text: `Halo Kak, promo minggu ini di toko kami!` });
  const used = process.cpuUsage(cpu);
  return {
    seconds: Number(process.hrtime.bigint() - start) / 1e9,
    cpu_seconds: (used.user + used.system) / 1e6,
  };
}

async function main () {
  const [url, countText] = process.argv.slice(2);
  const count = Number(countText);
  const auth = memoryAuthState();
  const registering = connect(url, auth);
  process.stdout.write(`qr ${await within(registering.firstQr, 'a QR code')}\n`);
  const code = await within(registering.closed, 'the restart after pairing');
  if (code !== DisconnectReason.restartRequired)
    throw new Error(`pairing ended with ${code}`);
  const open = connect(url, auth);
  await within(open.opened, 'the login');

  const fresh = await round(open.sock, count);
  const established = await round(open.sock, count);
  process.stdout.write(JSON.stringify({
    fresh_seconds: fresh.seconds,
    fresh_cpu_seconds: fresh.cpu_seconds,
    established_seconds: established.seconds,
    established_cpu_seconds: established.cpu_seconds,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
  }) + '\n');
  open.sock.end(undefined);
}

main().then(() => process.exit(0), (error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
