/* wa-client-payload.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "wa-client-payload"

#include "config.h"

#include "wa-client-payload.h"
#include "wa-error.h"
#include "wa-handshake.pb-c.h"
#include "wa-proto.h"

/*
 * The ClientPayload carried, encrypted, in the handshake's ClientFinish
 * (protocol notes §3): for a fresh companion it registers the device's
 * keys; for a linked one it logs in as user:device. Values follow what
 * both independent clients send, so the server sees nothing unusual.
 */

/* The WhatsApp Web version of the notes (§3.2); newer ones are accepted. */
static const guint32 default_app_version[3] = { 2, 3000, 1045649367 };

/* The history this companion asks for: see wa_client_payload_registration(). */
#define HISTORY_QUOTA_MB    64
#define HISTORY_RECENT_DAYS 28

/* libsignal's "DJB" key type, announced with the identity key. */
static const guint8 djb_key_type = 0x05;

/**
 * wa_app_version_parse:
 * @text: a WhatsApp Web version, such as "2.3000.1045649367"
 * @version: (out caller-allocates): its three numbers
 * @error: return location for %WA_ERROR_MALFORMED
 *
 * WhatsApp retires old versions (login failure 405) every few weeks, so
 * the version announced is a setting that can follow without a new build.
 *
 * Returns: whether @text is three dot-separated numbers
 */
gboolean
wa_app_version_parse (const char  *text,
                      guint32      version[3],
                      GError     **error)
{
  g_auto(GStrv) parts = text != NULL ? g_strsplit (text, ".", -1) : NULL;
  guint64 numbers[3];

  if (parts == NULL || g_strv_length (parts) != 3)
    goto malformed;
  for (guint i = 0; i < 3; i++)
    if (parts[i][0] == '\0' || !g_ascii_string_to_unsigned (parts[i], 10, 0, G_MAXUINT32, &numbers[i], NULL))
      goto malformed;
  for (guint i = 0; i < 3; i++)
    version[i] = numbers[i];
  return TRUE;

malformed:
  g_set_error (error, WA_ERROR, WA_ERROR_MALFORMED,
               "“%s” is not a WhatsApp Web version: write three numbers, such as 2.3000.1045649367",
               text != NULL ? text : "");
  return FALSE;
}

/**
 * wa_client_info_init:
 * @info: (out caller-allocates): filled with the defaults
 *
 * Xender-In as a desktop companion, in Indonesian Indonesia.
 */
void
wa_client_info_init (WaClientInfo *info)
{
  memcpy (info->app_version, default_app_version, sizeof info->app_version);
  info->device_name = "Xender-In";
  info->language = "id";
  info->country = "ID";
}

typedef struct
{
  WaHandshake__ClientPayload__UserAgent__AppVersion  version;
  WaHandshake__ClientPayload__UserAgent              user_agent;
  WaHandshake__ClientPayload__WebInfo                web_info;
  WaHandshake__ClientPayload                         payload;
} Common;

/* The part both kinds of payload share; every pointer points into
 * @common or at static strings. */
static void
common_init (Common             *common,
             const WaClientInfo *info)
{
  WaHandshake__ClientPayload__UserAgent__AppVersion version = WA_HANDSHAKE__CLIENT_PAYLOAD__USER_AGENT__APP_VERSION__INIT;
  WaHandshake__ClientPayload__UserAgent user_agent = WA_HANDSHAKE__CLIENT_PAYLOAD__USER_AGENT__INIT;
  WaHandshake__ClientPayload__WebInfo web_info = WA_HANDSHAKE__CLIENT_PAYLOAD__WEB_INFO__INIT;
  WaHandshake__ClientPayload payload = WA_HANDSHAKE__CLIENT_PAYLOAD__INIT;

  common->version = version;
  common->version.has_primary = common->version.has_secondary = common->version.has_tertiary = TRUE;
  common->version.primary = info->app_version[0];
  common->version.secondary = info->app_version[1];
  common->version.tertiary = info->app_version[2];

  common->user_agent = user_agent;
  common->user_agent.has_platform = TRUE;
  common->user_agent.platform = WA_HANDSHAKE__CLIENT_PAYLOAD__USER_AGENT__PLATFORM__WEB;
  common->user_agent.app_version = &common->version;
  common->user_agent.mcc = (char *)"000";
  common->user_agent.mnc = (char *)"000";
  common->user_agent.os_version = (char *)"0.1";
  common->user_agent.manufacturer = (char *)"";
  common->user_agent.device = (char *)"Desktop";
  common->user_agent.os_build_number = (char *)"0.1";
  common->user_agent.has_release_channel = TRUE;
  common->user_agent.release_channel = WA_HANDSHAKE__CLIENT_PAYLOAD__USER_AGENT__RELEASE_CHANNEL__RELEASE;
  common->user_agent.locale_language_iso_639_1 = (char *)info->language;
  common->user_agent.locale_country_iso_3166_1_alpha_2 = (char *)info->country;

  common->web_info = web_info;
  common->web_info.has_web_sub_platform = TRUE;
  common->web_info.web_sub_platform = WA_HANDSHAKE__CLIENT_PAYLOAD__WEB_INFO__WEB_SUB_PLATFORM__WEB_BROWSER;

  common->payload = payload;
  common->payload.user_agent = &common->user_agent;
  common->payload.web_info = &common->web_info;
  common->payload.has_connect_type = TRUE;
  common->payload.connect_type = WA_HANDSHAKE__CLIENT_PAYLOAD__CONNECT_TYPE__WIFI_UNKNOWN;
  common->payload.has_connect_reason = TRUE;
  common->payload.connect_reason = WA_HANDSHAKE__CLIENT_PAYLOAD__CONNECT_REASON__USER_ACTIVATED;
}

static ProtobufCBinaryData
binary (const guint8 *data,
        gsize         len)
{
  ProtobufCBinaryData value = { len, (guint8 *)data };

  return value;
}

/**
 * wa_client_payload_registration:
 * @info: how the client introduces itself
 * @credentials: the keys of the new companion
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the serialized ClientPayload that registers
 *   a new companion, before pairing
 */
GBytes *
wa_client_payload_registration (const WaClientInfo   *info,
                                const WaCredentials  *credentials,
                                GError              **error)
{
  WaHandshake__DeviceProps__AppVersion props_version = WA_HANDSHAKE__DEVICE_PROPS__APP_VERSION__INIT;
  WaHandshake__DeviceProps__HistorySyncConfig history = WA_HANDSHAKE__DEVICE_PROPS__HISTORY_SYNC_CONFIG__INIT;
  WaHandshake__DeviceProps props = WA_HANDSHAKE__DEVICE_PROPS__INIT;
  WaHandshake__ClientPayload__DevicePairingRegistrationData pairing =
    WA_HANDSHAKE__CLIENT_PAYLOAD__DEVICE_PAIRING_REGISTRATION_DATA__INIT;
  g_autofree char *version_text = NULL;
  g_autoptr(GBytes) props_data = NULL;
  guint8 build_hash[WA_MD5_LEN];
  guint8 registration_id[4];
  guint8 skey_id[3] = { 0, 0, WA_SIGNED_PRE_KEY_ID };
  Common common;

  g_return_val_if_fail (info != NULL, NULL);
  g_return_val_if_fail (credentials != NULL, NULL);

  /* The build hash is the MD5 of the dotted version string. */
  version_text = g_strdup_printf ("%u.%u.%u", info->app_version[0], info->app_version[1],
                                  info->app_version[2]);
  if (!wa_crypto_md5 ((const guint8 *)version_text, strlen (version_text), build_hash, error))
    return NULL;

  props_version.has_primary = props_version.has_secondary = props_version.has_tertiary = TRUE;
  props_version.primary = 0;
  props_version.secondary = 1;
  props_version.tertiary = 0;
  /* As little history as the phone will give (WA-FIDELITY §3.3): no full
   * sync (require_full_sync below), recent chats only as far back as a
   * privacy token lives (28 days, §1.4), the bootstrap chunk inline. */
  history.has_storage_quota_mb = TRUE;
  history.storage_quota_mb = HISTORY_QUOTA_MB;
  history.has_recent_sync_days_limit = TRUE;
  history.recent_sync_days_limit = HISTORY_RECENT_DAYS;
  history.has_inline_initial_payload_in_e2ee_msg = TRUE;
  history.inline_initial_payload_in_e2ee_msg = TRUE;
  history.has_support_call_log_history = TRUE;
  history.support_call_log_history = FALSE;
  props.os = (char *)info->device_name;
  props.version = &props_version;
  props.has_platform_type = TRUE;
  props.platform_type = WA_HANDSHAKE__DEVICE_PROPS__PLATFORM_TYPE__DESKTOP;
  props.has_require_full_sync = TRUE;
  props.require_full_sync = FALSE;
  props.history_sync_config = &history;
  props_data = wa_proto_pack (&props.base);

  registration_id[0] = credentials->registration_id >> 24;
  registration_id[1] = credentials->registration_id >> 16;
  registration_id[2] = credentials->registration_id >> 8;
  registration_id[3] = credentials->registration_id;

  pairing.has_e_regid = TRUE;
  pairing.e_regid = binary (registration_id, sizeof registration_id);
  pairing.has_e_keytype = TRUE;
  pairing.e_keytype = binary (&djb_key_type, 1);
  pairing.has_e_ident = TRUE;
  pairing.e_ident = binary (credentials->identity_key.pub, WA_KEY_LEN);
  pairing.has_e_skey_id = TRUE;
  pairing.e_skey_id = binary (skey_id, sizeof skey_id);
  pairing.has_e_skey_val = TRUE;
  pairing.e_skey_val = binary (credentials->signed_pre_key.pub, WA_KEY_LEN);
  pairing.has_e_skey_sig = TRUE;
  pairing.e_skey_sig = binary (credentials->signed_pre_key_signature, WA_SIGNATURE_LEN);
  pairing.has_build_hash = TRUE;
  pairing.build_hash = binary (build_hash, sizeof build_hash);
  pairing.has_device_props = TRUE;
  pairing.device_props = binary (g_bytes_get_data (props_data, NULL), g_bytes_get_size (props_data));

  common_init (&common, info);
  common.payload.has_passive = TRUE;
  common.payload.passive = FALSE;
  common.payload.has_pull = TRUE;
  common.payload.pull = FALSE;
  common.payload.device_pairing_data = &pairing;

  return wa_proto_pack (&common.payload.base);
}

/**
 * wa_client_payload_login:
 * @info: how the client introduces itself
 * @user: the account's phone number, as digits read as a number
 * @device: this companion's device number under the account
 *
 * Returns: (transfer full): the serialized ClientPayload that logs a
 *   linked companion in
 */
GBytes *
wa_client_payload_login (const WaClientInfo *info,
                         guint64             user,
                         guint32             device)
{
  Common common;

  g_return_val_if_fail (info != NULL, NULL);

  common_init (&common, info);
  common.payload.has_username = TRUE;
  common.payload.username = user;
  common.payload.has_device = TRUE;
  common.payload.device = device;
  /* Passive: the server holds offline traffic back until the client says
   * it is ready (§6.2). */
  common.payload.has_passive = TRUE;
  common.payload.passive = TRUE;
  common.payload.has_pull = TRUE;
  common.payload.pull = TRUE;
  common.payload.has_lc = TRUE;
  common.payload.lc = 1;
  common.payload.has_lid_db_migrated = TRUE;
  common.payload.lid_db_migrated = TRUE;

  return wa_proto_pack (&common.payload.base);
}
