/* test-wa-client-payload.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "wa-client-payload.h"
#include "wa-handshake.pb-c.h"
#include "xi-test-utils.h"

/* The handshake payloads, read back with the protobuf schema and checked
 * field by field against the protocol notes (§3.1, §3.2). */

static WaHandshake__ClientPayload *
unpack (GBytes *bytes)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  WaHandshake__ClientPayload *payload = wa_handshake__client_payload__unpack (NULL, len, data);

  g_assert_nonnull (payload);
  return payload;
}

static void
assert_common (WaHandshake__ClientPayload *payload)
{
  WaHandshake__ClientPayload__UserAgent *agent = payload->user_agent;

  g_assert_nonnull (agent);
  g_assert_true (agent->has_platform);
  g_assert_cmpint (agent->platform, ==, 14);
  g_assert_cmpuint (agent->app_version->primary, ==, 2);
  g_assert_cmpuint (agent->app_version->secondary, ==, 3000);
  g_assert_cmpuint (agent->app_version->tertiary, ==, 1045649367);
  g_assert_cmpstr (agent->mcc, ==, "000");
  g_assert_cmpstr (agent->mnc, ==, "000");
  g_assert_cmpstr (agent->device, ==, "Desktop");
  g_assert_cmpstr (agent->locale_language_iso_639_1, ==, "id");
  g_assert_cmpstr (agent->locale_country_iso_3166_1_alpha_2, ==, "ID");
  g_assert_true (payload->web_info != NULL && payload->web_info->has_web_sub_platform);
  g_assert_cmpint (payload->web_info->web_sub_platform, ==, 0);
  g_assert_true (payload->has_connect_type && payload->connect_type == 1);
  g_assert_true (payload->has_connect_reason && payload->connect_reason == 1);
}

static void
test_registration (void)
{
  g_autoptr(WaCredentials) credentials = wa_credentials_generate ();
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) build_hash = xi_test_bytes_from_hex ("9fa53af9421567b114e33c9bb1ef7db2");
  g_autoptr(GError) error = NULL;
  WaHandshake__ClientPayload *payload;
  WaHandshake__ClientPayload__DevicePairingRegistrationData *pairing;
  WaHandshake__DeviceProps *props;
  WaClientInfo info;
  const guint8 regid[4] = { credentials->registration_id >> 24, credentials->registration_id >> 16,
                            credentials->registration_id >> 8, credentials->registration_id };

  wa_client_info_init (&info);
  bytes = wa_client_payload_registration (&info, credentials, &error);
  g_assert_no_error (error);
  payload = unpack (bytes);
  assert_common (payload);

  g_assert_true (payload->has_passive && !payload->passive);
  g_assert_true (payload->has_pull && !payload->pull);
  g_assert_false (payload->has_username);
  g_assert_false (payload->has_device);

  pairing = payload->device_pairing_data;
  g_assert_nonnull (pairing);
  g_assert_cmpmem (pairing->e_regid.data, pairing->e_regid.len, regid, 4);
  g_assert_cmpmem (pairing->e_keytype.data, pairing->e_keytype.len, "\x05", 1);
  g_assert_cmpmem (pairing->e_ident.data, pairing->e_ident.len, credentials->identity_key.pub, WA_KEY_LEN);
  g_assert_cmpmem (pairing->e_skey_id.data, pairing->e_skey_id.len, "\x00\x00\x01", 3);
  g_assert_cmpmem (pairing->e_skey_val.data, pairing->e_skey_val.len, credentials->signed_pre_key.pub, WA_KEY_LEN);
  g_assert_cmpmem (pairing->e_skey_sig.data, pairing->e_skey_sig.len,
                   credentials->signed_pre_key_signature, WA_SIGNATURE_LEN);
  /* MD5 of "2.3000.1045649367". */
  g_assert_cmpmem (pairing->build_hash.data, pairing->build_hash.len,
                   g_bytes_get_data (build_hash, NULL), g_bytes_get_size (build_hash));

  props = wa_handshake__device_props__unpack (NULL, pairing->device_props.len, pairing->device_props.data);
  g_assert_nonnull (props);
  g_assert_cmpstr (props->os, ==, "Xender-In");
  g_assert_true (props->has_platform_type);
  g_assert_cmpint (props->platform_type, ==, 7);
  g_assert_nonnull (props->history_sync_config);
  /* Little history: none of the full sync, 28 days of recent chats. */
  g_assert_cmpuint (props->history_sync_config->storage_quota_mb, ==, 64);
  g_assert_false (props->require_full_sync);
  g_assert_cmpuint (props->history_sync_config->recent_sync_days_limit, ==, 28);
  g_assert_true (props->history_sync_config->inline_initial_payload_in_e2ee_msg);
  g_assert_false (props->history_sync_config->support_call_log_history);

  wa_handshake__device_props__free_unpacked (props, NULL);
  wa_handshake__client_payload__free_unpacked (payload, NULL);
}

static void
test_login (void)
{
  g_autoptr(GBytes) bytes = NULL;
  WaHandshake__ClientPayload *payload;
  WaClientInfo info;

  wa_client_info_init (&info);
  info.device_name = "Toko Sinar";
  bytes = wa_client_payload_login (&info, G_GUINT64_CONSTANT (6281234567890), 17);
  payload = unpack (bytes);
  assert_common (payload);

  g_assert_true (payload->has_username);
  g_assert_cmpuint (payload->username, ==, G_GUINT64_CONSTANT (6281234567890));
  g_assert_true (payload->has_device);
  g_assert_cmpuint (payload->device, ==, 17);
  g_assert_true (payload->has_passive && payload->passive);
  g_assert_true (payload->has_pull && payload->pull);
  g_assert_true (payload->has_lc && payload->lc == 1);
  g_assert_true (payload->has_lid_db_migrated && payload->lid_db_migrated);
  g_assert_null (payload->device_pairing_data);

  wa_handshake__client_payload__free_unpacked (payload, NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;

  g_test_init (&argc, &argv, NULL);
  g_assert_true (wa_crypto_init (&error));

  g_test_add_func ("/wa/client-payload/registration", test_registration);
  g_test_add_func ("/wa/client-payload/login", test_login);

  return g_test_run ();
}
