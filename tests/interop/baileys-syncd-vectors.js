// Test vectors for the app-state code in src/wa/ (wa-lthash.c,
// wa-syncd.c), made by Baileys' own implementation so that our decoder is
// checked against an independent encoder:
//
//   node baileys-syncd-vectors.js OUT.json            writes fresh vectors
//   node baileys-syncd-vectors.js OUT.json TEST-BIN   and runs TEST-BIN
//                                                     on them (XI_SYNCD_VECTORS)
//
// tests/data/syncd-baileys.json was written by the first form; the
// interop suite runs the second, so every run checks new random IVs too.

'use strict';

const fs = require('node:fs');
const { spawnSync } = require('node:child_process');

let chatUtils, ltHash, proto;
try {
  chatUtils = require('@whiskeysockets/baileys/lib/Utils/chat-utils');
  ltHash = require('@whiskeysockets/baileys/lib/Utils/lt-hash');
  ({ proto } = require('@whiskeysockets/baileys'));
} catch (error) {
  if (error.code !== 'MODULE_NOT_FOUND')
    throw error;
  process.stderr.write('Baileys is not installed: run “npm ci” in tests/interop.\n');
  process.exit(process.env.XI_REQUIRE_INTEROP ? 1 : 77);
}

const hex = (buffer) => Buffer.from(buffer).toString('hex');

async function lthashVectors () {
  const items = ['first value mac', 'second value mac', 'third value mac']
    .map((text) => new Uint8Array(Buffer.from(text.padEnd(32, '.'))).buffer);
  const zero = new ArrayBuffer(128);
  const added = await ltHash.LT_HASH_ANTI_TAMPERING.add(zero, items);
  const removed = await ltHash.LT_HASH_ANTI_TAMPERING.subtract(added, [items[1]]);
  return {
    items: items.map(hex),
    after_adding_all: hex(added),
    after_removing_second: hex(removed),
  };
}

// A collection as the phone would build it: our push name, a contact with
// its LID, the push name changed (the old value must leave the hash), the
// contact removed.
async function patchVectors () {
  const keyId = Buffer.from('AAAAAQ==', 'base64');
  const keyData = Buffer.alloc(32);
  for (let i = 0; i < 32; i++)
    keyData[i] = (i * 7 + 3) & 0xff;
  const getKey = async (id) => (id === keyId.toString('base64') ? { keyData } : undefined);
  const SET = proto.SyncdMutation.SyncdOperation.SET;
  const REMOVE = proto.SyncdMutation.SyncdOperation.REMOVE;
  const steps = [
    { index: ['setting_pushName'], syncAction: { pushNameSetting: { name: 'Toko Sari' } }, operation: SET },
    {
      index: ['contact', '6281234567890@s.whatsapp.net'],
      syncAction: { contactAction: { fullName: 'Budi Santoso', firstName: 'Budi', lidJid: '123456789012345@lid' } },
      operation: SET,
    },
    { index: ['setting_pushName'], syncAction: { pushNameSetting: { name: 'Toko Sari Jaya' } }, operation: SET },
    {
      index: ['contact', '6281234567890@s.whatsapp.net'],
      syncAction: { contactAction: { fullName: 'Budi Santoso', firstName: 'Budi', lidJid: '123456789012345@lid' } },
      operation: REMOVE,
    },
  ];
  let state = chatUtils.newLTHashState();
  const patches = [];
  for (const step of steps) {
    const encoded = await chatUtils.encodeSyncdPatch({
      type: 'critical_block',
      index: step.index,
      syncAction: { timestamp: 1767225600000, ...step.syncAction },
      apiVersion: 1,
      operation: step.operation,
    }, keyId.toString('base64'), state, getKey);
    state = encoded.state;
    const patch = { ...encoded.patch, version: { version: state.version } };
    patches.push({ patch: hex(proto.SyncdPatch.encode(patch).finish()), version: state.version, hash: hex(state.hash) });
  }

  // And Baileys' decoder agrees with its encoder, MACs checked.
  const decoded = await chatUtils.decodePatches('critical_block',
    patches.map((p) => proto.SyncdPatch.decode(Buffer.from(p.patch, 'hex'))),
    chatUtils.newLTHashState(), getKey, {}, undefined, undefined, true);
  if (hex(decoded.state.hash) !== patches[patches.length - 1].hash)
    throw new Error('Baileys does not decode its own patches to the same hash');

  return { collection: 'critical_block', key_id: hex(keyId), key_data: hex(keyData), patches };
}

async function main () {
  const [out, testProgram] = process.argv.slice(2);
  const vectors = { lthash: await lthashVectors(), syncd: await patchVectors() };
  fs.writeFileSync(out, JSON.stringify(vectors, null, 2) + '\n');
  if (!testProgram)
    return 0;
  const run = spawnSync(testProgram, [], { stdio: 'inherit', env: { ...process.env, XI_SYNCD_VECTORS: out } });
  return run.status === null ? 1 : run.status;
}

main().then((status) => process.exit(status), (error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
