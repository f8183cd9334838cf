/* test-wa-signal.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>
#include <signal/protocol.h>
#include <signal/signal_protocol.h>

#include "wa-error.h"
#include "wa-prekeys.h"
#include "wa-signal-address.h"
#include "wa-signal-provider.h"
#include "wa-signal.h"

/* The Signal layer between two devices that each have only what a real
 * one has: a key store, credentials and the prekeys they uploaded. Bundles
 * are read back from the upload iq, as the server would hand them out. */

typedef struct
{
  WaKeyStore    *store;
  WaCredentials *credentials;
  WaSignal      *signal;
  WaJid         *jid;
  WaNode        *upload;
  guint          handed_out;   /* prekeys of @upload given away so far */
} Party;

static void
party_open (Party *party)
{
  g_autoptr(GError) error = NULL;

  g_clear_object (&party->signal);
  party->signal = wa_signal_new (party->store, party->credentials, &error);
  g_assert_no_error (error);
  g_assert_nonnull (party->signal);
}

static void
party_init (Party      *party,
            const char *jid)
{
  g_autoptr(GError) error = NULL;

  party->store = wa_memory_key_store_new ();
  party->credentials = wa_credentials_generate ();
  party->jid = wa_jid_parse (jid, &error);
  g_assert_no_error (error);
  party->upload = wa_prekeys_upload_request (party->credentials, party->store, 4);
  party->handed_out = 0;
  party->signal = NULL;
  party_open (party);
}

static void
party_clear (Party *party)
{
  g_clear_object (&party->signal);
  g_clear_object (&party->store);
  g_clear_pointer (&party->credentials, wa_credentials_free);
  g_clear_pointer (&party->jid, wa_jid_unref);
  g_clear_pointer (&party->upload, wa_node_unref);
}

/* The bundle the server would give for @party, with its next unused
 * one-time prekey if @with_pre_key: a `<user>` made of the upload's
 * nodes, read back as a sender reads the key answer. */
static void
party_bundle (Party          *party,
              gboolean        with_pre_key,
              WaSignalBundle *bundle)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WaNode) user = wa_node_new ("user");
  const char *tags[] = { "registration", "type", "identity", "skey" };

  wa_node_set_attr_jid (user, "jid", party->jid);
  for (guint i = 0; i < G_N_ELEMENTS (tags); i++)
    wa_node_add_child (user, wa_node_ref (wa_node_get_child_by_tag (party->upload, tags[i])));
  if (with_pre_key)
    {
      g_autoptr(GPtrArray) keys = wa_node_get_children_by_tag (wa_node_get_child_by_tag (party->upload, "list"), "key");

      g_assert_cmpuint (party->handed_out, <, keys->len);
      wa_node_add_child (user, wa_node_ref (g_ptr_array_index (keys, party->handed_out++)));
    }
  g_assert_true (wa_signal_bundle_parse (user, bundle, &error));
  g_assert_no_error (error);
  g_assert_cmpint (bundle->has_pre_key, ==, with_pre_key);
}

static gboolean
has_pre_key (Party   *party,
             guint32  id)
{
  g_autofree char *name = g_strdup_printf ("%u", id);
  g_autoptr(GBytes) value = wa_key_store_load (party->store, "prekey", name);

  return value != NULL;
}

static void
build_session (Party    *from,
               Party    *to,
               gboolean  with_pre_key)
{
  g_autoptr(GError) error = NULL;
  WaSignalBundle bundle;

  party_bundle (to, with_pre_key, &bundle);
  g_assert_true (wa_signal_build_session (from->signal, to->jid, &bundle, &error));
  g_assert_no_error (error);
  g_assert_true (wa_signal_has_session (from->signal, to->jid));
}

/* Pads and encrypts @text from @from to @to, expecting @expected. */
static GBytes *
seal (Party               *from,
      Party               *to,
      const char          *text,
      WaSignalMessageType  expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) plain = g_bytes_new (text, strlen (text));
  g_autoptr(GBytes) padded = wa_signal_pad (plain);
  WaSignalMessageType type;
  GBytes *ciphertext;

  ciphertext = wa_signal_encrypt (from->signal, to->jid, padded, &type, &error);
  g_assert_no_error (error);
  g_assert_nonnull (ciphertext);
  g_assert_cmpstr (wa_signal_message_type_to_string (type), ==, wa_signal_message_type_to_string (expected));
  /* Version byte of both message kinds: 3 | current 3 (§7.6). */
  g_assert_cmpuint (((const guint8 *) g_bytes_get_data (ciphertext, NULL))[0], ==, 0x33);
  return ciphertext;
}

static void
open_ok (Party               *to,
         Party               *from,
         WaSignalMessageType  type,
         GBytes              *ciphertext,
         const char          *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) padded = wa_signal_decrypt (to->signal, from->jid, type, ciphertext, &error);
  g_autoptr(GBytes) plain = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (padded);
  plain = wa_signal_unpad (padded, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (plain, NULL), g_bytes_get_size (plain), expected, strlen (expected));
}

static void
open_fails (Party               *to,
            Party               *from,
            WaSignalMessageType  type,
            GBytes              *ciphertext,
            GQuark               domain,
            int                  code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) padded = wa_signal_decrypt (to->signal, from->jid, type, ciphertext, &error);

  g_assert_null (padded);
  g_assert_error (error, domain, code);
}

static GBytes *
flip_byte (GBytes *bytes,
           gsize   offset)
{
  gsize len;
  guint8 *copy = g_bytes_unref_to_data (g_bytes_ref (bytes), &len);

  g_assert_cmpuint (offset, <, len);
  copy[offset] ^= 0x01;
  return g_bytes_new_take (copy, len);
}

static void
assert_no_identity_changes (Party *party)
{
  g_autoptr(GPtrArray) changes = wa_signal_take_identity_changes (party->signal);

  g_assert_cmpuint (changes->len, ==, 0);
}

static void
test_conversation (void)
{
  Party alice = { 0 }, bob = { 0 };
  g_autoptr(GBytes) a1 = NULL, a2 = NULL, b1 = NULL, a3 = NULL;
  g_autoptr(GBytes) a4 = NULL, a5 = NULL, a6 = NULL, a7 = NULL;
  g_autoptr(GBytes) body_flipped = NULL, mac_flipped = NULL, garbage = NULL;

  party_init (&alice, "15550001111:3@s.whatsapp.net");
  party_init (&bob, "15550002222@s.whatsapp.net");

  /* Alice starts from Bob's bundle, which hands out his prekey 1. */
  build_session (&alice, &bob, TRUE);
  g_assert_false (wa_signal_has_session (bob.signal, alice.jid));
  g_assert_true (has_pre_key (&bob, 1));

  a1 = seal (&alice, &bob, "hello bob", WA_SIGNAL_MESSAGE_PKMSG);
  open_ok (&bob, &alice, WA_SIGNAL_MESSAGE_PKMSG, a1, "hello bob");
  g_assert_true (wa_signal_has_session (bob.signal, alice.jid));
  /* The one-time prekey is used up; the others stay. */
  g_assert_false (has_pre_key (&bob, 1));
  g_assert_true (has_pre_key (&bob, 2));

  /* Until Bob answers, Alice keeps sending pkmsg. */
  a2 = seal (&alice, &bob, "are you there?", WA_SIGNAL_MESSAGE_PKMSG);
  open_ok (&bob, &alice, WA_SIGNAL_MESSAGE_PKMSG, a2, "are you there?");

  b1 = seal (&bob, &alice, "hi alice", WA_SIGNAL_MESSAGE_MSG);
  open_ok (&alice, &bob, WA_SIGNAL_MESSAGE_MSG, b1, "hi alice");

  a3 = seal (&alice, &bob, "now a msg", WA_SIGNAL_MESSAGE_MSG);
  open_ok (&bob, &alice, WA_SIGNAL_MESSAGE_MSG, a3, "now a msg");

  /* Out of order. */
  a4 = seal (&alice, &bob, "four", WA_SIGNAL_MESSAGE_MSG);
  a5 = seal (&alice, &bob, "five", WA_SIGNAL_MESSAGE_MSG);
  a6 = seal (&alice, &bob, "six", WA_SIGNAL_MESSAGE_MSG);
  open_ok (&bob, &alice, WA_SIGNAL_MESSAGE_MSG, a6, "six");
  open_ok (&bob, &alice, WA_SIGNAL_MESSAGE_MSG, a4, "four");
  open_ok (&bob, &alice, WA_SIGNAL_MESSAGE_MSG, a5, "five");

  /* Replays, of a msg and of the first pkmsg, are refused as such. */
  open_fails (&bob, &alice, WA_SIGNAL_MESSAGE_MSG, a5, WA_SIGNAL_ERROR, WA_SIGNAL_ERROR_DUPLICATE);
  open_fails (&bob, &alice, WA_SIGNAL_MESSAGE_PKMSG, a1, WA_SIGNAL_ERROR, WA_SIGNAL_ERROR_DUPLICATE);

  /* Tampering with the body or the MAC is caught, and leaves the session
   * able to take the genuine message. */
  a7 = seal (&alice, &bob, "seven", WA_SIGNAL_MESSAGE_MSG);
  mac_flipped = flip_byte (a7, g_bytes_get_size (a7) - 1);
  body_flipped = flip_byte (a7, g_bytes_get_size (a7) - 9);
  open_fails (&bob, &alice, WA_SIGNAL_MESSAGE_MSG, mac_flipped, WA_ERROR, WA_ERROR_CRYPTO);
  open_fails (&bob, &alice, WA_SIGNAL_MESSAGE_MSG, body_flipped, WA_ERROR, WA_ERROR_CRYPTO);
  garbage = g_bytes_new_static ("\x33garbage", 8);
  open_fails (&bob, &alice, WA_SIGNAL_MESSAGE_MSG, garbage, WA_ERROR, WA_ERROR_MALFORMED);
  open_fails (&bob, &alice, WA_SIGNAL_MESSAGE_PKMSG, garbage, WA_ERROR, WA_ERROR_MALFORMED);
  open_ok (&bob, &alice, WA_SIGNAL_MESSAGE_MSG, a7, "seven");

  /* Many turns of the ratchet, both ways, a few messages each. */
  for (guint round = 0; round < 12; round++)
    {
      Party *from = round % 2 ? &alice : &bob;
      Party *to = round % 2 ? &bob : &alice;
      GBytes *batch[3] = { NULL, };
      guint n = 1 + round % 3;

      for (guint i = 0; i < n; i++)
        {
          g_autofree char *text = g_strdup_printf ("round %u message %u", round, i);

          batch[i] = seal (from, to, text, WA_SIGNAL_MESSAGE_MSG);
        }
      /* Delivered last first. */
      for (guint i = n; i-- > 0;)
        {
          g_autofree char *text = g_strdup_printf ("round %u message %u", round, i);

          open_ok (to, from, WA_SIGNAL_MESSAGE_MSG, batch[i], text);
          g_bytes_unref (batch[i]);
        }
    }

  assert_no_identity_changes (&alice);
  assert_no_identity_changes (&bob);

  party_clear (&alice);
  party_clear (&bob);
}

static void
test_persistence (void)
{
  Party alice = { 0 }, bob = { 0 };
  g_autoptr(GBytes) a1 = NULL, b1 = NULL, a2 = NULL, a3 = NULL, b2 = NULL, a4 = NULL;

  party_init (&alice, "236395184570386:5@lid");
  party_init (&bob, "15550002222:2@s.whatsapp.net");

  build_session (&alice, &bob, TRUE);
  a1 = seal (&alice, &bob, "first", WA_SIGNAL_MESSAGE_PKMSG);

  /* Both devices restart between sending and receiving. */
  party_open (&alice);
  party_open (&bob);
  open_ok (&bob, &alice, WA_SIGNAL_MESSAGE_PKMSG, a1, "first");

  party_open (&bob);
  b1 = seal (&bob, &alice, "answer", WA_SIGNAL_MESSAGE_MSG);
  party_open (&alice);
  open_ok (&alice, &bob, WA_SIGNAL_MESSAGE_MSG, b1, "answer");

  /* Out of order across a restart: the skipped message key is kept. */
  a2 = seal (&alice, &bob, "second", WA_SIGNAL_MESSAGE_MSG);
  a3 = seal (&alice, &bob, "third", WA_SIGNAL_MESSAGE_MSG);
  party_open (&alice);
  open_ok (&bob, &alice, WA_SIGNAL_MESSAGE_MSG, a3, "third");
  party_open (&bob);
  open_ok (&bob, &alice, WA_SIGNAL_MESSAGE_MSG, a2, "second");
  open_fails (&bob, &alice, WA_SIGNAL_MESSAGE_MSG, a3, WA_SIGNAL_ERROR, WA_SIGNAL_ERROR_DUPLICATE);

  b2 = seal (&bob, &alice, "still here", WA_SIGNAL_MESSAGE_MSG);
  open_ok (&alice, &bob, WA_SIGNAL_MESSAGE_MSG, b2, "still here");
  a4 = seal (&alice, &bob, "bye", WA_SIGNAL_MESSAGE_MSG);
  party_open (&bob);
  open_ok (&bob, &alice, WA_SIGNAL_MESSAGE_MSG, a4, "bye");

  party_clear (&alice);
  party_clear (&bob);
}

static void
test_without_one_time_pre_key (void)
{
  Party alice = { 0 }, bob = { 0 };
  g_autoptr(GBytes) a1 = NULL, b1 = NULL;
  g_autoptr(GPtrArray) left = NULL;

  party_init (&alice, "15550001111@s.whatsapp.net");
  party_init (&bob, "15550002222@s.whatsapp.net");

  /* The server ran out of Bob's prekeys: the signed prekey alone does. */
  build_session (&alice, &bob, FALSE);
  a1 = seal (&alice, &bob, "no prekey", WA_SIGNAL_MESSAGE_PKMSG);
  open_ok (&bob, &alice, WA_SIGNAL_MESSAGE_PKMSG, a1, "no prekey");
  b1 = seal (&bob, &alice, "fine", WA_SIGNAL_MESSAGE_MSG);
  open_ok (&alice, &bob, WA_SIGNAL_MESSAGE_MSG, b1, "fine");

  left = wa_key_store_list (bob.store, "prekey");
  g_assert_cmpuint (left->len, ==, 4);

  party_clear (&alice);
  party_clear (&bob);
}

static void
test_bad_bundle (void)
{
  Party alice = { 0 }, bob = { 0 };
  g_autoptr(GError) error = NULL;
  WaSignalBundle bundle;

  party_init (&alice, "15550001111@s.whatsapp.net");
  party_init (&bob, "15550002222@s.whatsapp.net");

  party_bundle (&bob, TRUE, &bundle);
  bundle.signed_pre_key_signature[10] ^= 0x40;
  g_assert_false (wa_signal_build_session (alice.signal, bob.jid, &bundle, &error));
  g_assert_error (error, WA_ERROR, WA_ERROR_CRYPTO);
  g_clear_error (&error);
  g_assert_false (wa_signal_has_session (alice.signal, bob.jid));

  /* A signed prekey that is not the one signed. */
  party_bundle (&bob, TRUE, &bundle);
  bundle.signed_pre_key[3] ^= 0x01;
  g_assert_false (wa_signal_build_session (alice.signal, bob.jid, &bundle, &error));
  g_assert_error (error, WA_ERROR, WA_ERROR_CRYPTO);
  g_assert_false (wa_signal_has_session (alice.signal, bob.jid));

  party_clear (&alice);
  party_clear (&bob);
}

static void
test_missing_session_and_pre_key (void)
{
  Party alice = { 0 }, bob = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) plain = g_bytes_new_static ("x\x01", 2);
  g_autoptr(GBytes) ciphertext = NULL;
  g_autoptr(GBytes) a1 = NULL, a2 = NULL, b1 = NULL, a3 = NULL, forged = NULL;
  WaSignalBundle bundle;
  WaSignalMessageType type;

  party_init (&alice, "15550001111@s.whatsapp.net");
  party_init (&bob, "15550002222@s.whatsapp.net");

  ciphertext = wa_signal_encrypt (alice.signal, bob.jid, plain, &type, &error);
  g_assert_null (ciphertext);
  g_assert_error (error, WA_SIGNAL_ERROR, WA_SIGNAL_ERROR_NO_SESSION);
  g_clear_error (&error);

  /* A bundle naming a prekey Bob never made (or lost). */
  party_bundle (&bob, TRUE, &bundle);
  bundle.pre_key_id = 999;
  g_assert_true (wa_signal_build_session (alice.signal, bob.jid, &bundle, &error));
  g_assert_no_error (error);
  forged = seal (&alice, &bob, "lost", WA_SIGNAL_MESSAGE_PKMSG);
  open_fails (&bob, &alice, WA_SIGNAL_MESSAGE_PKMSG, forged, WA_SIGNAL_ERROR, WA_SIGNAL_ERROR_INVALID_PRE_KEY);
  g_assert_false (wa_signal_has_session (bob.signal, alice.jid));

  /* A real session, then Bob loses it: msg has nothing to decrypt with,
   * and the old pkmsg names a prekey that is gone. */
  build_session (&alice, &bob, TRUE);
  a1 = seal (&alice, &bob, "one", WA_SIGNAL_MESSAGE_PKMSG);
  open_ok (&bob, &alice, WA_SIGNAL_MESSAGE_PKMSG, a1, "one");
  b1 = seal (&bob, &alice, "two", WA_SIGNAL_MESSAGE_MSG);
  open_ok (&alice, &bob, WA_SIGNAL_MESSAGE_MSG, b1, "two");
  a2 = seal (&alice, &bob, "three", WA_SIGNAL_MESSAGE_MSG);

  g_assert_true (wa_signal_delete_session (bob.signal, alice.jid));
  g_assert_false (wa_signal_delete_session (bob.signal, alice.jid));
  g_assert_false (wa_signal_has_session (bob.signal, alice.jid));
  open_fails (&bob, &alice, WA_SIGNAL_MESSAGE_MSG, a2, WA_SIGNAL_ERROR, WA_SIGNAL_ERROR_NO_SESSION);
  open_fails (&bob, &alice, WA_SIGNAL_MESSAGE_PKMSG, a1, WA_SIGNAL_ERROR, WA_SIGNAL_ERROR_INVALID_PRE_KEY);

  /* Alice starts over from a fresh bundle and Bob follows. */
  g_assert_cmpuint (wa_signal_delete_all_sessions (alice.signal, bob.jid), ==, 1);
  g_assert_false (wa_signal_has_session (alice.signal, bob.jid));
  build_session (&alice, &bob, TRUE);
  a3 = seal (&alice, &bob, "again", WA_SIGNAL_MESSAGE_PKMSG);
  open_ok (&bob, &alice, WA_SIGNAL_MESSAGE_PKMSG, a3, "again");

  party_clear (&alice);
  party_clear (&bob);
}

static void
test_delete_all_sessions (void)
{
  Party alice = { 0 }, bob = { 0 }, bob_laptop = { 0 }, bob_lid = { 0 };
  g_autoptr(GBytes) ciphertext = NULL;

  party_init (&alice, "15550001111@s.whatsapp.net");
  party_init (&bob, "1555000222@s.whatsapp.net");
  party_init (&bob_laptop, "1555000222:7@s.whatsapp.net");
  party_init (&bob_lid, "1555000222:7@lid");

  build_session (&alice, &bob, TRUE);
  build_session (&alice, &bob_laptop, TRUE);
  build_session (&alice, &bob_lid, TRUE);

  /* "1555000222" must not match a longer number that starts the same. */
  g_assert_cmpuint (wa_signal_delete_all_sessions (alice.signal, bob_laptop.jid), ==, 2);
  g_assert_false (wa_signal_has_session (alice.signal, bob.jid));
  g_assert_false (wa_signal_has_session (alice.signal, bob_laptop.jid));
  g_assert_true (wa_signal_has_session (alice.signal, bob_lid.jid));
  ciphertext = seal (&alice, &bob_lid, "lid only", WA_SIGNAL_MESSAGE_PKMSG);
  open_ok (&bob_lid, &alice, WA_SIGNAL_MESSAGE_PKMSG, ciphertext, "lid only");

  party_clear (&alice);
  party_clear (&bob);
  party_clear (&bob_laptop);
  party_clear (&bob_lid);
}

/* Flips the last byte of the SignalMessage inside a pkmsg: its MAC. */
static GBytes *
forge_pre_key_message (GBytes *pkmsg)
{
  g_autoptr(GError) error = NULL;
  pre_key_signal_message *message = NULL;
  signal_context *context = NULL;
  signal_buffer *inner;
  const guint8 *data, *found;
  gsize len;
  GBytes *forged;

  g_assert_cmpint (signal_context_create (&context, NULL), ==, 0);
  g_assert_cmpint (signal_context_set_crypto_provider (context, wa_signal_crypto_provider ()), ==, 0);
  data = g_bytes_get_data (pkmsg, &len);
  g_assert_cmpint (pre_key_signal_message_deserialize (&message, data, len, context), ==, 0);
  inner = ciphertext_message_get_serialized ((ciphertext_message *) pre_key_signal_message_get_signal_message (message));
  found = memmem (data, len, signal_buffer_data (inner), signal_buffer_len (inner));
  g_assert_nonnull (found);
  forged = flip_byte (pkmsg, (found - data) + signal_buffer_len (inner) - 1);
  SIGNAL_UNREF (message);
  signal_context_destroy (context);
  return forged;
}

static void
test_identity_change (void)
{
  Party alice = { 0 }, bob = { 0 }, new_bob = { 0 }, new_alice = { 0 };
  g_autoptr(GBytes) a1 = NULL, a2 = NULL, b1 = NULL, forged = NULL;
  g_autoptr(GBytes) known = NULL, still_known = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(GPtrArray) no_changes = NULL;

  party_init (&alice, "15550001111:3@s.whatsapp.net");
  party_init (&bob, "15550002222@s.whatsapp.net");
  build_session (&alice, &bob, TRUE);
  a1 = seal (&alice, &bob, "before", WA_SIGNAL_MESSAGE_PKMSG);
  open_ok (&bob, &alice, WA_SIGNAL_MESSAGE_PKMSG, a1, "before");
  assert_no_identity_changes (&alice);
  assert_no_identity_changes (&bob);

  /* Bob reinstalls: same JID, new keys. Alice's next bundle is trusted
   * and the change is reported once. */
  party_init (&new_bob, "15550002222@s.whatsapp.net");
  build_session (&alice, &new_bob, TRUE);
  changes = wa_signal_take_identity_changes (alice.signal);
  g_assert_cmpuint (changes->len, ==, 1);
  g_assert_true (wa_jid_equal (changes->pdata[0], new_bob.jid));
  assert_no_identity_changes (&alice);
  a2 = seal (&alice, &new_bob, "after", WA_SIGNAL_MESSAGE_PKMSG);
  open_ok (&new_bob, &alice, WA_SIGNAL_MESSAGE_PKMSG, a2, "after");
  assert_no_identity_changes (&new_bob);

  /* Alice reinstalls too and writes to new Bob. A forged pkmsg with her
   * new identity neither replaces the one Bob knows nor announces a
   * change, nor uses up his prekey; the genuine one does all three. */
  party_init (&new_alice, "15550001111:3@s.whatsapp.net");
  build_session (&new_alice, &new_bob, TRUE);
  b1 = seal (&new_alice, &new_bob, "new me", WA_SIGNAL_MESSAGE_PKMSG);
  forged = forge_pre_key_message (b1);
  known = wa_key_store_load (new_bob.store, "identity", "15550001111.3");
  g_assert_nonnull (known);
  open_fails (&new_bob, &new_alice, WA_SIGNAL_MESSAGE_PKMSG, forged, WA_ERROR, WA_ERROR_CRYPTO);
  no_changes = wa_signal_take_identity_changes (new_bob.signal);
  g_assert_cmpuint (no_changes->len, ==, 0);
  still_known = wa_key_store_load (new_bob.store, "identity", "15550001111.3");
  g_assert_true (g_bytes_equal (known, still_known));
  g_assert_true (has_pre_key (&new_bob, 2));

  open_ok (&new_bob, &new_alice, WA_SIGNAL_MESSAGE_PKMSG, b1, "new me");
  g_assert_false (has_pre_key (&new_bob, 2));
  g_clear_pointer (&changes, g_ptr_array_unref);
  changes = wa_signal_take_identity_changes (new_bob.signal);
  g_assert_cmpuint (changes->len, ==, 1);
  g_assert_true (wa_jid_equal (changes->pdata[0], alice.jid));

  party_clear (&alice);
  party_clear (&bob);
  party_clear (&new_bob);
  party_clear (&new_alice);
}

/* §8.5 at the Signal level: Bob reinstalled, so Alice's msg finds no
 * session; his retry receipt carries fresh keys, from which Alice builds a
 * new session and sends the message again as a pkmsg. */
static void
test_retry_after_reinstall (void)
{
  Party alice = { 0 }, bob = { 0 }, new_bob = { 0 };
  g_autoptr(GBytes) a1 = NULL, b1 = NULL, lost = NULL, again = NULL;
  g_autoptr(WaNode) receipt = wa_node_new_with_attrs ("receipt", "id", "3EB0C0FFEE", "type", "retry", NULL);
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(GPtrArray) pre_keys = NULL;
  g_autoptr(GError) error = NULL;
  const char *tags[] = { "type", "identity", "skey" };
  WaSignalBundle bundle;
  WaNode *keys;

  party_init (&alice, "15550001111@s.whatsapp.net");
  party_init (&bob, "15550002222:4@s.whatsapp.net");
  build_session (&alice, &bob, TRUE);
  a1 = seal (&alice, &bob, "hello", WA_SIGNAL_MESSAGE_PKMSG);
  open_ok (&bob, &alice, WA_SIGNAL_MESSAGE_PKMSG, a1, "hello");
  b1 = seal (&bob, &alice, "hi", WA_SIGNAL_MESSAGE_MSG);
  open_ok (&alice, &bob, WA_SIGNAL_MESSAGE_MSG, b1, "hi");

  party_init (&new_bob, "15550002222:4@s.whatsapp.net");
  lost = seal (&alice, &new_bob, "are you there?", WA_SIGNAL_MESSAGE_MSG);
  open_fails (&new_bob, &alice, WA_SIGNAL_MESSAGE_MSG, lost, WA_SIGNAL_ERROR, WA_SIGNAL_ERROR_NO_SESSION);

  /* The retry receipt, with its keys as the new device uploaded them. */
  wa_node_add_child (receipt, wa_node_new_with_attrs ("retry", "count", "2", "id", "3EB0C0FFEE", "v", "1", NULL));
  wa_node_add_child (receipt, wa_node_ref (wa_node_get_child_by_tag (new_bob.upload, "registration")));
  keys = wa_node_add_child (receipt, wa_node_new ("keys"));
  for (guint i = 0; i < G_N_ELEMENTS (tags); i++)
    wa_node_add_child (keys, wa_node_ref (wa_node_get_child_by_tag (new_bob.upload, tags[i])));
  pre_keys = wa_node_get_children_by_tag (wa_node_get_child_by_tag (new_bob.upload, "list"), "key");
  wa_node_add_child (keys, wa_node_ref (g_ptr_array_index (pre_keys, 0)));

  g_assert_true (wa_signal_bundle_parse (receipt, &bundle, &error));
  g_assert_no_error (error);
  g_assert_true (wa_signal_build_session (alice.signal, new_bob.jid, &bundle, &error));
  g_assert_no_error (error);
  changes = wa_signal_take_identity_changes (alice.signal);
  g_assert_cmpuint (changes->len, ==, 1);
  g_assert_true (wa_jid_equal (changes->pdata[0], new_bob.jid));

  again = seal (&alice, &new_bob, "are you there?", WA_SIGNAL_MESSAGE_PKMSG);
  open_ok (&new_bob, &alice, WA_SIGNAL_MESSAGE_PKMSG, again, "are you there?");
  g_assert_false (has_pre_key (&new_bob, 1));

  party_clear (&alice);
  party_clear (&bob);
  party_clear (&new_bob);
}

static void
test_padding (void)
{
  gboolean seen[16] = { FALSE, };

  for (guint i = 0; i < 2000; i++)
    {
      g_autoptr(GError) error = NULL;
      gsize len = g_test_rand_int_range (0, 300);
      g_autofree guint8 *data = g_malloc (len + 1);
      g_autoptr(GBytes) plain = NULL, padded = NULL, unpadded = NULL;
      const guint8 *p;
      gsize padded_len;
      guint8 n;

      for (gsize j = 0; j < len; j++)
        data[j] = g_test_rand_int_range (0, 256);
      plain = g_bytes_new (data, len);
      padded = wa_signal_pad (plain);
      p = g_bytes_get_data (padded, &padded_len);
      n = p[padded_len - 1];
      g_assert_cmpuint (n, >=, 1);
      g_assert_cmpuint (n, <=, 15);
      g_assert_cmpuint (padded_len, ==, len + n);
      seen[n] = TRUE;

      unpadded = wa_signal_unpad (padded, &error);
      g_assert_no_error (error);
      g_assert_true (g_bytes_equal (unpadded, plain));
    }
  for (guint n = 1; n <= 15; n++)
    g_assert_true (seen[n]);
}

/* Every draw from libsodium's random source, counted; each is a
 * getrandom () system call, and the draws go to libsodium's own source. */
static guint random_draws;

static const char *
counting_name (void)
{
  return "counting";
}

static uint32_t
counting_random (void)
{
  random_draws++;
  return randombytes_sysrandom_implementation.random ();
}

static void
counting_stir (void)
{
  randombytes_sysrandom_implementation.stir ();
}

static void
counting_buf (void   *buf,
              size_t  size)
{
  random_draws++;
  randombytes_sysrandom_implementation.buf (buf, size);
}

static int
counting_close (void)
{
  return randombytes_sysrandom_implementation.close ();
}

static randombytes_implementation counting_random_source = {
  .implementation_name = counting_name,
  .random = counting_random,
  .stir = counting_stir,
  .buf = counting_buf,
  .close = counting_close,
};

/* A campaign pads twice a message: the lengths come from the thread's
 * pool of the kernel's bytes (test-random counts its refills), never from
 * a draw of libsodium's each. */
static void
test_padding_draws (void)
{
  g_autoptr(GBytes) plain = g_bytes_new_static ("hello", 5);
  guint before = random_draws;

  for (guint i = 0; i < 1000; i++)
    {
      g_autoptr(GBytes) padded = wa_signal_pad (plain);

      g_assert_cmpuint (g_bytes_get_size (padded), >, 5);
    }
  g_assert_cmpuint (random_draws - before, ==, 0);
}

static void
test_padding_invalid (void)
{
  static const struct
  {
    const char *data;
    gsize       len;
  } invalid[] = {
    { "", 0 },                      /* nothing at all */
    { "abc\x00", 4 },               /* a zero length */
    { "\x05\x05", 2 },              /* longer than the message */
    { "abc\x01\x02\x03", 6 },       /* bytes that differ */
    { "abc\x03\x03", 5 },           /* one byte short */
  };
  g_autoptr(GBytes) sixteen = g_bytes_new_static ("hi\x10\x10\x10\x10\x10\x10\x10\x10\x10\x10\x10\x10\x10\x10\x10\x10", 18);
  g_autoptr(GBytes) only_padding = g_bytes_new_static ("\x03\x03\x03", 3);
  g_autoptr(GBytes) unpadded = NULL;
  g_autoptr(GBytes) empty = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autoptr(GBytes) padded = g_bytes_new_static (invalid[i].data, invalid[i].len);
      g_autoptr(GBytes) result = wa_signal_unpad (padded, &error);

      g_assert_null (result);
      g_assert_error (error, WA_ERROR, WA_ERROR_MALFORMED);
      g_clear_error (&error);
    }

  /* Baileys pads with up to 16 bytes. */
  unpadded = wa_signal_unpad (sixteen, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (unpadded, NULL), g_bytes_get_size (unpadded), "hi", 2);

  empty = wa_signal_unpad (only_padding, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (empty), ==, 0);
}

static void
assert_address (const char *jid_text,
                const char *name,
                guint       device,
                const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WaJid) jid = wa_jid_parse (jid_text, &error);
  g_autoptr(WaJid) back = NULL;
  g_autoptr(WaJid) parsed = NULL;
  g_autofree char *string = NULL;
  g_auto(WaSignalAddress) address = { 0 };

  g_assert_no_error (error);
  wa_signal_address_init (&address, jid);
  g_assert_cmpmem (address.address.name, address.address.name_len, name, strlen (name));
  g_assert_cmpint (address.address.device_id, ==, device);

  string = wa_signal_address_to_string (&address.address);
  g_assert_cmpstr (string, ==, text);

  back = wa_signal_address_to_jid (&address.address, &error);
  g_assert_no_error (error);
  g_assert_true (wa_jid_equal (back, jid));
  parsed = wa_signal_address_parse (text, &error);
  g_assert_no_error (error);
  g_assert_true (wa_jid_equal (parsed, jid));
}

static void
test_address (void)
{
  static const char *invalid[] = {
    "15551234567",            /* no device */
    "15551234567.",           /* empty device */
    ".0",                     /* no user */
    "_1.0",                   /* no user before the domain */
    "15551234567_x.0",        /* a domain that is no number */
    "15551234567_0.0",        /* domain 0 is never written */
    "15551234567_256.0",      /* more than a byte */
    "15551234567.70000",      /* more than 16 bits */
    "15551234567.-1",
    "15551234567.007",
    "15551234567.300",        /* no such device on s.whatsapp.net */
    "a@b.0",
  };
  g_autoptr(WaJid) hosted = wa_jid_new_device ("15551234567", WA_SERVER_HOSTED, 99);
  g_autoptr(WaJid) hosted_lid = wa_jid_new_device ("236395184570386", WA_SERVER_HOSTED_LID, 99);
  g_autofree char *hosted_text = wa_jid_to_string (hosted);
  g_autofree char *hosted_lid_text = wa_jid_to_string (hosted_lid);
  g_auto(WaSignalAddress) cleared = { 0 };

  assert_address ("15551234567@s.whatsapp.net", "15551234567", 0, "15551234567.0");
  assert_address ("15551234567:3@s.whatsapp.net", "15551234567", 3, "15551234567.3");
  assert_address ("236395184570386:77@lid", "236395184570386_1", 77, "236395184570386_1.77");
  assert_address ("236395184570386@lid", "236395184570386_1", 0, "236395184570386_1.0");
  assert_address (hosted_text, "15551234567_128", 99, "15551234567_128.99");
  assert_address (hosted_lid_text, "236395184570386_129", 99, "236395184570386_129.99");

  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(WaJid) jid = wa_signal_address_parse (invalid[i], &error);

      g_assert_null (jid);
      g_assert_error (error, WA_ERROR, WA_ERROR_MALFORMED);
    }

  /* Clearing twice is harmless. */
  wa_signal_address_init (&cleared, hosted);
  wa_signal_address_clear (&cleared);
  wa_signal_address_clear (&cleared);
}

/* Session keys are written digit by digit; libsignal's device ids are
 * any int32, and its names need not end at name_len. */
static void
test_address_text (void)
{
  static const struct
  {
    int32_t     device;
    const char *text;
  } cases[] = {
    { 0, "15551234567.0" },
    { 9, "15551234567.9" },
    { 10, "15551234567.10" },
    { 65535, "15551234567.65535" },
    { G_MAXINT32, "15551234567.2147483647" },
    { -1, "15551234567.-1" },
    { G_MININT32, "15551234567.-2147483648" },
  };
  static const char name[] = "15551234567_1.99";

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      signal_protocol_address address = { name, strlen ("15551234567"), cases[i].device };
      g_autofree char *text = wa_signal_address_to_string (&address);

      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

static void
test_message_type (void)
{
  WaSignalMessageType type;

  g_assert_true (wa_signal_message_type_from_string ("pkmsg", &type));
  g_assert_cmpint (type, ==, WA_SIGNAL_MESSAGE_PKMSG);
  g_assert_true (wa_signal_message_type_from_string ("msg", &type));
  g_assert_cmpint (type, ==, WA_SIGNAL_MESSAGE_MSG);
  g_assert_false (wa_signal_message_type_from_string ("skmsg", &type));
  g_assert_false (wa_signal_message_type_from_string (NULL, &type));
  g_assert_cmpstr (wa_signal_message_type_to_string (WA_SIGNAL_MESSAGE_PKMSG), ==, "pkmsg");
  g_assert_cmpstr (wa_signal_message_type_to_string (WA_SIGNAL_MESSAGE_MSG), ==, "msg");
}

static char *
buffer_hex (signal_buffer *buffer)
{
  GString *hex = g_string_new (NULL);

  for (gsize i = 0; i < signal_buffer_len (buffer); i++)
    g_string_append_printf (hex, "%02x", signal_buffer_data (buffer)[i]);
  signal_buffer_free (buffer);
  return g_string_free (hex, FALSE);
}

static void
test_provider (void)
{
  const signal_crypto_provider *provider = wa_signal_crypto_provider ();
  const guint8 key[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
  const guint8 iv[16] = { 16, 15, 14 };
  const char *text = "seventeen bytes!!";
  signal_buffer *out = NULL, *back = NULL;
  void *context = NULL;
  g_autofree char *hmac_hex = NULL, *sha_hex = NULL, *sha_again_hex = NULL;
  g_autoptr(GBytes) expected = NULL;
  g_autoptr(GError) error = NULL;
  guint8 random[32] = { 0 }, zero[32] = { 0 };

  provider->random_func (random, sizeof random, provider->user_data);
  g_assert_false (memcmp (random, zero, sizeof random) == 0);

  /* RFC 4231 test case 2, fed in two parts. */
  g_assert_cmpint (provider->hmac_sha256_init_func (&context, (const guint8 *) "Jefe", 4, NULL), ==, 0);
  g_assert_cmpint (provider->hmac_sha256_update_func (context, (const guint8 *) "what do ya want ", 16, NULL), ==, 0);
  g_assert_cmpint (provider->hmac_sha256_update_func (context, (const guint8 *) "for nothing?", 12, NULL), ==, 0);
  g_assert_cmpint (provider->hmac_sha256_final_func (context, &out, NULL), ==, 0);
  provider->hmac_sha256_cleanup_func (context, NULL);
  hmac_hex = buffer_hex (out);
  g_assert_cmpstr (hmac_hex, ==, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");

  /* FIPS 180-2 "abc", twice on one context: final leaves it reusable. */
  g_assert_cmpint (provider->sha512_digest_init_func (&context, NULL), ==, 0);
  g_assert_cmpint (provider->sha512_digest_update_func (context, (const guint8 *) "abc", 3, NULL), ==, 0);
  g_assert_cmpint (provider->sha512_digest_final_func (context, &out, NULL), ==, 0);
  sha_hex = buffer_hex (out);
  g_assert_cmpint (provider->sha512_digest_update_func (context, (const guint8 *) "abc", 3, NULL), ==, 0);
  g_assert_cmpint (provider->sha512_digest_final_func (context, &out, NULL), ==, 0);
  provider->sha512_digest_cleanup_func (context, NULL);
  sha_again_hex = buffer_hex (out);
  g_assert_cmpstr (sha_hex, ==,
                   "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
                   "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
  g_assert_cmpstr (sha_again_hex, ==, sha_hex);

  /* CBC with PKCS#5: the same bytes as wa-crypto's media encryption, and back. */
  g_assert_cmpint (provider->encrypt_func (&out, SG_CIPHER_AES_CBC_PKCS5, key, 32, iv, 16,
                                           (const guint8 *) text, strlen (text), NULL), ==, 0);
  expected = wa_crypto_aes_cbc_encrypt (key, iv, (const guint8 *) text, strlen (text), &error);
  g_assert_no_error (error);
  g_assert_cmpmem (signal_buffer_data (out), signal_buffer_len (out),
                   g_bytes_get_data (expected, NULL), g_bytes_get_size (expected));
  g_assert_cmpuint (signal_buffer_len (out), ==, 32);
  g_assert_cmpint (provider->decrypt_func (&back, SG_CIPHER_AES_CBC_PKCS5, key, 32, iv, 16,
                                           signal_buffer_data (out), signal_buffer_len (out), NULL), ==, 0);
  g_assert_cmpmem (signal_buffer_data (back), signal_buffer_len (back), text, strlen (text));
  signal_buffer_free (back);
  back = NULL;

  /* A wrong key gives bad padding (almost always) or other bytes. */
  if (provider->decrypt_func (&back, SG_CIPHER_AES_CBC_PKCS5, zero, 32, iv, 16,
                              signal_buffer_data (out), signal_buffer_len (out), NULL) == 0)
    {
      g_assert_false (signal_buffer_len (back) == strlen (text) &&
                      memcmp (signal_buffer_data (back), text, strlen (text)) == 0);
      signal_buffer_free (back);
      back = NULL;
    }
  /* Not a whole number of blocks. */
  g_assert_cmpint (provider->decrypt_func (&back, SG_CIPHER_AES_CBC_PKCS5, key, 32, iv, 16,
                                           signal_buffer_data (out), 31, NULL), <, 0);
  signal_buffer_free (out);
  out = NULL;

  /* CTR keeps the length and is its own inverse. */
  g_assert_cmpint (provider->encrypt_func (&out, SG_CIPHER_AES_CTR_NOPADDING, key, 32, iv, 16,
                                           (const guint8 *) text, strlen (text), NULL), ==, 0);
  g_assert_cmpuint (signal_buffer_len (out), ==, strlen (text));
  g_assert_cmpint (provider->decrypt_func (&back, SG_CIPHER_AES_CTR_NOPADDING, key, 32, iv, 16,
                                           signal_buffer_data (out), signal_buffer_len (out), NULL), ==, 0);
  g_assert_cmpmem (signal_buffer_data (back), signal_buffer_len (back), text, strlen (text));
  signal_buffer_free (back);
  signal_buffer_free (out);
  out = NULL;

  /* What libsignal never asks for is refused, not guessed at. */
  g_assert_cmpint (provider->encrypt_func (&out, 7, key, 32, iv, 16, (const guint8 *) text, 3, NULL), <, 0);
  g_assert_cmpint (provider->encrypt_func (&out, SG_CIPHER_AES_CBC_PKCS5, key, 16, iv, 16,
                                           (const guint8 *) text, 3, NULL), <, 0);
  g_assert_cmpint (provider->encrypt_func (&out, SG_CIPHER_AES_CBC_PKCS5, key, 32, iv, 12,
                                           (const guint8 *) text, 3, NULL), <, 0);
  g_assert_null (out);
}

static gpointer
has_session_thread (gpointer data)
{
  Party *party = data;

  return GINT_TO_POINTER (wa_signal_has_session (party->signal, party->jid));
}

/* Another thread calling in must stop the program, not race the network
 * thread. A plain fork() rather than g_test_trap_subprocess(), whose
 * child-watch thread valgrind reports as a possible leak. */
static void
test_thread_confined (void)
{
  Party party = { 0 };
  int status = 0;
  pid_t pid;

  party_init (&party, "15550001111@s.whatsapp.net");
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      int null = open ("/dev/null", O_WRONLY);

      /* The assertion's "Bail out!" must not reach the parent's TAP stream. */
      dup2 (null, STDOUT_FILENO);
      dup2 (null, STDERR_FILENO);
      g_thread_join (g_thread_new ("not-the-network-thread", has_session_thread, &party));
      _exit (0);
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFSIGNALED (status));
  g_assert_cmpint (WTERMSIG (status), ==, SIGABRT);

  /* The owner thread itself still may. */
  g_assert_false (wa_signal_has_session (party.signal, party.jid));
  party_clear (&party);
}

/* A peer that fetched Bob's bundle before he replaced his signed
 * prekey still reaches him, and so does one that fetches the new
 * bundle; once it is among the oldest kept, the first key is gone. */
static void
test_signed_pre_key_rotation (void)
{
  Party alice = { 0 }, bob = { 0 }, carol = { 0 };
  g_autoptr(WaNode) rotate = NULL;
  g_autoptr(GBytes) a1 = NULL, c1 = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  WaSignalBundle bundle;

  party_init (&alice, "15550001111@s.whatsapp.net");
  party_init (&bob, "15550002222@s.whatsapp.net");
  party_init (&carol, "15550003333@s.whatsapp.net");

  party_bundle (&bob, TRUE, &bundle);
  g_assert_cmpuint (bundle.signed_pre_key_id, ==, 1);

  rotate = wa_prekeys_rotate_request (bob.credentials, bob.store, now);
  g_assert_true (wa_prekeys_rotated (bob.credentials, bob.store, rotate, now));
  g_assert_cmpuint (bob.credentials->signed_pre_key_id, ==, 2);
  g_clear_pointer (&bob.upload, wa_node_unref);
  bob.upload = wa_prekeys_upload_request (bob.credentials, bob.store, 4);
  bob.handed_out = 0;
  party_open (&bob);

  /* Alice's session from the old bundle. */
  g_assert_true (wa_signal_build_session (alice.signal, bob.jid, &bundle, NULL));
  a1 = seal (&alice, &bob, "from the old bundle", WA_SIGNAL_MESSAGE_PKMSG);
  open_ok (&bob, &alice, WA_SIGNAL_MESSAGE_PKMSG, a1, "from the old bundle");

  party_bundle (&bob, TRUE, &bundle);
  g_assert_cmpuint (bundle.signed_pre_key_id, ==, 2);
  build_session (&carol, &bob, TRUE);
  c1 = seal (&carol, &bob, "from the new one", WA_SIGNAL_MESSAGE_PKMSG);
  open_ok (&bob, &carol, WA_SIGNAL_MESSAGE_PKMSG, c1, "from the new one");

  for (guint i = 0; i < WA_PREKEYS_KEEP_SIGNED; i++)
    {
      g_autoptr(WaNode) again = wa_prekeys_rotate_request (bob.credentials, bob.store, now + i + 1);

      g_assert_true (wa_prekeys_rotated (bob.credentials, bob.store, again, now + i + 1));
    }
  g_assert_false (wa_prekeys_load_signed (bob.credentials, bob.store, 1, NULL, NULL));
  g_assert_true (wa_prekeys_load_signed (bob.credentials, bob.store, 2, NULL, NULL));

  party_clear (&alice);
  party_clear (&bob);
  party_clear (&carol);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;

  g_test_init (&argc, &argv, NULL);
  /* Before libsodium is initialised, which fixes its source. */
  g_assert_cmpint (randombytes_set_implementation (&counting_random_source), ==, 0);
  g_assert_true (wa_crypto_init (&error));

  g_test_add_func ("/wa/signal/address", test_address);
  g_test_add_func ("/wa/signal/address-text", test_address_text);
  g_test_add_func ("/wa/signal/message-type", test_message_type);
  g_test_add_func ("/wa/signal/provider", test_provider);
  g_test_add_func ("/wa/signal/padding", test_padding);
  g_test_add_func ("/wa/signal/padding-draws", test_padding_draws);
  g_test_add_func ("/wa/signal/padding-invalid", test_padding_invalid);
  g_test_add_func ("/wa/signal/conversation", test_conversation);
  g_test_add_func ("/wa/signal/persistence", test_persistence);
  g_test_add_func ("/wa/signal/without-one-time-pre-key", test_without_one_time_pre_key);
  g_test_add_func ("/wa/signal/bad-bundle", test_bad_bundle);
  g_test_add_func ("/wa/signal/missing-session-and-pre-key", test_missing_session_and_pre_key);
  g_test_add_func ("/wa/signal/delete-all-sessions", test_delete_all_sessions);
  g_test_add_func ("/wa/signal/identity-change", test_identity_change);
  g_test_add_func ("/wa/signal/retry-after-reinstall", test_retry_after_reinstall);
  g_test_add_func ("/wa/signal/thread-confined", test_thread_confined);
  g_test_add_func ("/wa/signal/signed-pre-key-rotation", test_signed_pre_key_rotation);

  return g_test_run ();
}
