/* wa-tokens.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "wa-binary"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "wa-tokens.h"

/*
 * The WABinary token dictionaries (WA-PROTOCOL.md §4.3). They are protocol
 * facts: a token's position is its code on the wire, so the order must never
 * change. Generated once from the protocol notes' wa-tokens.txt (itself taken
 * from whatsmeow's binary/token/token.go, identical to Baileys' constants.ts)
 * and checked in, so that the build needs nothing outside the tree. Index 0
 * of the single-byte table is the LIST_EMPTY byte, not a token.
 */

static const char * const single_tokens[WA_TOKENS_N_SINGLE] = {
  /*   0 */ "", "xmlstreamstart", "xmlstreamend", "s.whatsapp.net", "type", "participant", "from",
  /*   7 */ "receipt", "id", "notification", "disappearing_mode", "status", "jid", "broadcast",
  /*  14 */ "user", "devices", "device_hash", "to", "offline", "message", "result", "class",
  /*  22 */ "xmlns", "duration", "notify", "iq", "t", "ack", "g.us", "enc",
  /*  30 */ "urn:xmpp:whatsapp:push", "presence", "config_value", "picture", "verified_name",
  /*  35 */ "config_code", "key-index-list", "contact", "mediatype", "routing_info", "edge_routing",
  /*  41 */ "get", "read", "urn:xmpp:ping", "fallback_hostname", "0", "chatstate",
  /*  47 */ "business_hours_config", "unavailable", "download_buckets", "skmsg", "verified_level",
  /*  52 */ "composing", "handshake", "device-list", "media", "text", "fallback_ip4", "media_conn",
  /*  59 */ "device", "creation", "location", "config", "item", "fallback_ip6", "count",
  /*  66 */ "w:profile:picture", "image", "business", "2", "hostname", "call-creator",
  /*  72 */ "display_name", "relaylatency", "platform", "abprops", "success", "msg",
  /*  78 */ "offline_preview", "prop", "key-index", "v", "day_of_week", "pkmsg", "version", "1",
  /*  86 */ "ping", "w:p", "download", "video", "set", "specific_hours", "props", "primary",
  /*  94 */ "unknown", "hash", "commerce_experience", "last", "subscribe", "max_buckets", "call",
  /* 101 */ "profile", "member_since_text", "close_time", "call-id", "sticker", "mode",
  /* 107 */ "participants", "value", "query", "profile_options", "open_time", "code", "list",
  /* 114 */ "host", "ts", "contacts", "upload", "lid", "preview", "update", "usync", "w:stats",
  /* 123 */ "delivery", "auth_ttl", "context", "fail", "cart_enabled", "appdata", "category", "atn",
  /* 131 */ "direct_connection", "decrypt-fail", "relay_id", "mmg-fallback.whatsapp.net", "target",
  /* 136 */ "available", "name", "last_id", "mmg.whatsapp.net", "categories", "401", "is_new",
  /* 143 */ "index", "tctoken", "ip4", "token_id", "latency", "recipient", "edit", "ip6", "add",
  /* 152 */ "thumbnail-document", "26", "paused", "true", "identity", "stream:error", "key",
  /* 159 */ "sidelist", "background", "audio", "3", "thumbnail-image", "biz-cover-photo", "cat",
  /* 166 */ "gcm", "thumbnail-video", "error", "auth", "deny", "serial", "in", "registration",
  /* 174 */ "thumbnail-link", "remove", "00", "gif", "thumbnail-gif", "tag", "capability",
  /* 181 */ "multicast", "item-not-found", "description", "business_hours", "config_expo_key",
  /* 186 */ "md-app-state", "expiration", "fallback", "ttl", "300", "md-msg-hist",
  /* 192 */ "device_orientation", "out", "w:m", "open_24h", "side_list", "token", "inactive", "01",
  /* 200 */ "document", "te2", "played", "encrypt", "msgr", "hide", "direct_path", "12", "state",
  /* 209 */ "not-authorized", "url", "terminate", "signature", "status-revoke-delay", "02", "te",
  /* 216 */ "linked_accounts", "trusted_contact", "timezone", "ptt", "kyc-id", "privacy_token",
  /* 222 */ "readreceipts", "appointment_only", "address", "expected_ts", "privacy", "7", "android",
  /* 229 */ "interactive", "device-identity", "enabled", "attribute_padding", "1080", "03",
  /* 235 */ "screen_height",
};

static const char * const double_tokens[WA_TOKENS_N_DICTIONARIES][256] = {
  { /* dictionary 0, tag byte 236 */
    /*   0 */ "read-self", "active", "fbns", "protocol", "reaction", "screen_width", "heartbeat",
    /*   7 */ "deviceid", "2:47DEQpj8", "uploadfieldstat", "voip_settings", "retry", "priority",
    /*  13 */ "longitude", "conflict", "false", "ig_professional", "replaced", "preaccept",
    /*  19 */ "cover_photo", "uncompressed", "encopt", "ppic", "04", "passive",
    /*  25 */ "status-revoke-drop", "keygen", "540", "offer", "rate", "opus", "latitude", "w:gp2",
    /*  33 */ "ver", "4", "business_profile", "medium", "sender", "prev_v_id", "email", "website",
    /*  41 */ "invited", "sign_credential", "05", "transport", "skey", "reason",
    /*  47 */ "peer_abtest_bucket", "America/Sao_Paulo", "appid", "refresh", "100", "06", "404",
    /*  54 */ "101", "104", "107", "102", "109", "103", "member_add_mode", "105", "transaction-id",
    /*  63 */ "110", "106", "outgoing", "108", "111", "tokens", "followers", "ig_handle",
    /*  71 */ "self_pid", "tue", "dec", "thu", "joinable", "peer_pid", "mon", "features", "wed",
    /*  80 */ "peer_device_presence", "pn", "delete", "07", "fri", "audio_duration", "admin",
    /*  87 */ "connected", "delta", "rcat", "disable", "collection", "08", "480", "sat", "phash",
    /*  96 */ "all", "invite", "accept", "critical_unblock_low", "group_update",
    /* 101 */ "signed_credential", "blinded_credential", "eph_setting", "net", "09",
    /* 106 */ "background_location", "refresh_id", "Asia/Kolkata", "privacy_mode_ts",
    /* 110 */ "account_sync", "voip_payload_type", "service_areas", "acs_public_key", "v_id", "0a",
    /* 116 */ "fallback_class", "relay", "actual_actors", "metadata", "w:biz", "5",
    /* 122 */ "connected-limit", "notice", "0b", "host_storage", "fb_page", "subject",
    /* 128 */ "privatestats", "invis", "groupadd", "010", "note.m4r", "uuid", "0c", "8000", "sun",
    /* 137 */ "372", "1020", "stage", "1200", "720", "canonical", "fb", "011", "video_duration",
    /* 146 */ "0d", "1140", "superadmin", "012", "Opening.m4r", "keystore_attestation",
    /* 152 */ "dleq_proof", "013", "timestamp", "ab_key", "w:sync:app:state", "0e", "vertical",
    /* 159 */ "600", "p_v_id", "6", "likes", "014", "500", "1260", "creator", "0f", "rte",
    /* 169 */ "destination", "group", "group_info", "syncd_anti_tampering_fatal_exception_enabled",
    /* 173 */ "015", "dl_bw", "Asia/Jakarta", "vp8/h.264", "online", "1320", "fb:multiway", "10",
    /* 181 */ "timeout", "016", "nse_retry", "urn:xmpp:whatsapp:dirty", "017", "a_v_id",
    /* 187 */ "web_shops_chat_header_button_enabled", "nse_call", "inactive-upgrade", "none", "web",
    /* 192 */ "groups", "2250", "mms_hot_content_timespan_in_seconds", "contact_blacklist",
    /* 196 */ "nse_read", "suspended_group_deletion_notification", "binary_version", "018",
    /* 200 */ "https://www.whatsapp.com/otp/copy/", "reg_push",
    /* 202 */ "shops_hide_catalog_attachment_entrypoint", "server_sync", ".",
    /* 205 */ "ephemeral_messages_allowed_values", "019", "mms_vcache_aggregation_enabled",
    /* 208 */ "iphone", "America/Argentina/Buenos_Aires", "01a", "mms_vcard_autodownload_size_kb",
    /* 212 */ "nse_ver", "shops_header_dropdown_menu_item", "dhash", "catalog_status",
    /* 216 */ "communities_mvp_new_iqs_serverprop", "blocklist", "default", "11",
    /* 220 */ "ephemeral_messages_enabled", "01b", "original_dimensions", "8",
    /* 224 */ "mms4_media_retry_notification_encryption_enabled",
    /* 225 */ "mms4_server_error_receipt_encryption_enabled", "original_image_url", "sync",
    /* 228 */ "multiway", "420", "companion_enc_static", "shops_profile_drawer_entrypoint", "01c",
    /* 233 */ "vcard_as_document_size_kb", "status_video_max_duration", "request_image_url", "01d",
    /* 237 */ "regular_high", "s_t", "abt", "share_ext_min_preliminary_image_quality", "01e", "32",
    /* 243 */ "syncd_key_rotation_enabled", "data_namespace", "md_downgrade_read_receipts2",
    /* 246 */ "patch", "polltype", "ephemeral_messages_setting", "userrate", "15",
    /* 251 */ "partial_pjpeg_bw_threshold", "played-self", "catalog_exists", "01f", "mute_v2",
  },
  { /* dictionary 1, tag byte 237 */
    /*   0 */ "reject", "dirty", "announcement", "020", "13", "9", "status_video_max_bitrate",
    /*   7 */ "fb:thrift_iq", "offline_batch", "022", "full", "ctwa_first_business_reply_logging",
    /*  12 */ "h.264", "smax_id", "group_description_length", "https://www.whatsapp.com/otp/code",
    /*  16 */ "status_image_max_edge", "smb_upsell_business_profile_enabled", "021",
    /*  19 */ "web_upgrade_to_md_modal", "14", "023", "s_o", "smaller_video_thumbs_status_enabled",
    /*  24 */ "media_max_autodownload", "960", "blocking_status", "peer_msg",
    /*  28 */ "joinable_group_call_client_version", "group_call_video_maximization_enabled",
    /*  30 */ "return_snapshot", "high", "America/Mexico_City", "entry_point_block_logging_enabled",
    /*  34 */ "pop", "024", "1050", "16", "1380", "one_tap_calling_in_group_chat_size",
    /*  40 */ "regular_low", "inline_joinable_education_enabled", "hq_image_max_edge", "locked",
    /*  44 */ "America/Bogota", "smb_biztools_deeplink_enabled", "status_image_quality", "1088",
    /*  48 */ "025", "payments_upi_intent_transaction_limit", "voip", "w:g2", "027",
    /*  53 */ "md_pin_chat_enabled", "026", "multi_scan_pjpeg_download_enabled",
    /*  56 */ "shops_product_grid", "transaction_id", "ctwa_context_enabled", "20", "fna",
    /*  61 */ "hq_image_quality", "alt_jpeg_doc_detection_quality", "group_call_max_participants",
    /*  64 */ "pkey", "America/Belem", "image_max_kbytes",
    /*  67 */ "web_cart_v1_1_order_message_changes_enabled", "ctwa_context_enterprise_enabled",
    /*  69 */ "urn:xmpp:whatsapp:account", "840", "Asia/Kuala_Lumpur", "max_participants",
    /*  73 */ "video_remux_after_repair_enabled", "stella_addressbook_restriction_type", "660",
    /*  76 */ "900", "780", "context_menu_ios13_enabled", "mute-state", "ref",
    /*  81 */ "payments_request_messages", "029", "frskmsg", "vcard_max_size_kb",
    /*  85 */ "sample_buffer_gif_player_enabled", "match_last_seen", "510", "4983",
    /*  89 */ "video_max_bitrate", "028", "w:comms:chat", "17", "frequently_forwarded_max",
    /*  94 */ "groups_privacy_blacklist", "Asia/Karachi", "02a",
    /*  97 */ "web_download_document_thumb_mms_enabled", "02b", "hist_sync",
    /* 100 */ "biz_block_reasons_version", "1024", "18",
    /* 103 */ "web_is_direct_connection_for_plm_transparent", "view_once_write", "file_max_size",
    /* 106 */ "paid_convo_id", "online_privacy_setting", "video_max_edge", "view_once_read",
    /* 110 */ "enhanced_storage_management", "multi_scan_pjpeg_encoding_enabled",
    /* 112 */ "ctwa_context_forward_enabled", "video_transcode_downgrade_enable",
    /* 114 */ "template_doc_mime_types", "hq_image_bw_threshold", "30", "body",
    /* 118 */ "u_aud_limit_sil_restarts_ctrl", "other", "participating", "w:biz:directory", "1110",
    /* 123 */ "vp8", "4018", "meta", "doc_detection_image_max_edge", "image_quality", "1170", "02c",
    /* 130 */ "smb_upsell_chat_banner_enabled", "key_expiry_time_second", "pid",
    /* 133 */ "stella_interop_enabled", "19", "linked_device_max_count", "md_device_sync_enabled",
    /* 137 */ "02d", "02e", "360", "enhanced_block_enabled", "ephemeral_icon_in_forwarding",
    /* 142 */ "paid_convo_status", "gif_provider", "project_name", "server-error",
    /* 146 */ "canonical_url_validation_enabled", "wallpapers_v2",
    /* 148 */ "syncd_clear_chat_delete_chat_enabled", "medianotify", "02f",
    /* 151 */ "shops_required_tos_version", "vote", "reset_skey_on_id_change", "030",
    /* 155 */ "image_max_edge", "multicast_limit_global", "ul_bw", "21", "25", "5000", "poll",
    /* 162 */ "570", "22", "031", "1280", "WhatsApp", "032", "bloks_shops_enabled", "50",
    /* 170 */ "upload_host_switching_enabled", "web_ctwa_context_compose_enabled",
    /* 172 */ "ptt_forwarded_features_enabled", "unblocked", "partial_pjpeg_enabled",
    /* 175 */ "fbid:devices", "height", "ephemeral_group_query_ts", "group_join_permissions",
    /* 179 */ "order", "033", "alt_jpeg_status_quality", "migrate", "popular-bank",
    /* 184 */ "win_uwp_deprecation_killswitch_enabled", "web_download_status_thumb_mms_enabled",
    /* 186 */ "blocking", "url_text", "035", "web_forwarding_limit_to_groups", "1600", "val",
    /* 192 */ "1000", "syncd_msg_date_enabled", "bank-ref-id", "max_subject",
    /* 196 */ "payments_web_enabled", "web_upload_document_thumb_mms_enabled", "size", "request",
    /* 200 */ "ephemeral", "24", "receipt_agg", "ptt_remember_play_position", "sampling_weight",
    /* 205 */ "enc_rekey", "mute_always", "037", "034", "23", "036", "action",
    /* 212 */ "click_to_chat_qr_enabled", "width", "disabled", "038", "md_blocklist_v2",
    /* 217 */ "played_self_enabled", "web_buttons_message_enabled", "flow_id", "clear", "450",
    /* 222 */ "fbid:thread", "bloks_session_state", "America/Lima", "attachment_picker_refresh",
    /* 226 */ "download_host_switching_enabled", "1792", "u_aud_limit_sil_restarts_test2",
    /* 229 */ "custom_urls", "device_fanout", "optimistic_upload", "2000", "key_cipher_suite",
    /* 234 */ "web_smb_upsell_in_biz_profile_enabled", "e", "039", "siri_post_status_shortcut",
    /* 238 */ "pair-device", "lg", "lc", "stream_attribution_url", "model", "mspjpeg_phash_gen",
    /* 244 */ "catalog_send_all", "new_multi_vcards_ui", "share_biz_vcard_enabled", "-", "clean",
    /* 249 */ "200", "md_blocklist_v2_server", "03b", "03a", "web_md_migration_experience",
    /* 254 */ "ptt_conversation_waveform", "u_aud_limit_sil_restarts_test1",
  },
  { /* dictionary 2, tag byte 238 */
    /*   0 */ "64", "ptt_playback_speed_enabled", "web_product_list_message_enabled",
    /*   3 */ "paid_convo_ts", "27", "manufacturer", "psp-routing", "grp_uii_cleanup",
    /*   8 */ "ptt_draft_enabled", "03c", "business_initiated", "web_catalog_products_onoff",
    /*  12 */ "web_upload_link_thumb_mms_enabled", "03e", "mediaretry", "35", "hfm_string_changes",
    /*  17 */ "28", "America/Fortaleza", "max_keys", "md_mhfs_days", "streaming_upload_chunk_size",
    /*  22 */ "5541", "040", "03d", "2675", "03f", "...", "512", "mute", "48", "041",
    /*  32 */ "alt_jpeg_quality", "60", "042", "md_smb_quick_reply", "5183", "c", "1343", "40",
    /*  40 */ "1230", "043", "044", "mms_cat_v1_forward_hot_override_enabled", "user_notice",
    /*  45 */ "ptt_waveform_send", "047", "Asia/Calcutta", "250", "md_privacy_v2", "31", "29",
    /*  52 */ "128", "md_messaging_enabled", "046", "crypto", "690", "045", "enc_iv", "75",
    /*  60 */ "failure", "ptt_oot_playback", "AIzaSyDR5yfaG7OG8sMTUj8kfQEb8T9pN8BM6Lk", "w", "048",
    /*  65 */ "2201", "web_large_files_ui", "Asia/Makassar", "812", "status_collapse_muted", "1334",
    /*  71 */ "257", "2HP4dm", "049", "patches", "1290", "43cY6T", "America/Caracas",
    /*  78 */ "web_sticker_maker", "campaign", "ptt_pausable_enabled", "33", "42", "attestation",
    /*  84 */ "biz", "04b", "query_linked", "s", "125", "04a", "810", "availability", "1411",
    /*  93 */ "responsiveness_v2_m1", "catalog_not_created", "34", "America/Santiago", "1465",
    /*  98 */ "enc_p", "04d", "status_info", "04f", "key_version", "..", "04c", "04e",
    /* 106 */ "md_group_notification", "1598", "1215", "web_cart_enabled", "37", "630", "1920",
    /* 113 */ "2394", "-1", "vcard", "38", "elapsed", "36", "828", "peer", "pricing_category",
    /* 122 */ "1245", "invalid", "stella_ios_enabled", "2687", "45", "1528", "39",
    /* 129 */ "u_is_redial_audio_1104_ctrl", "1025", "1455", "58", "2524", "2603", "054",
    /* 136 */ "bsp_system_message_enabled", "web_pip_redesign", "051", "verify_apps", "1974",
    /* 141 */ "1272", "1322", "1755", "052", "70", "050", "1063", "1135", "1361", "80", "1096",
    /* 152 */ "1828", "1851", "1251", "1921", "key_config_id", "1254", "1566", "1252", "2525",
    /* 161 */ "critical_block", "1669", "max_available", "w:auth:backup:token", "product", "2530",
    /* 167 */ "870", "1022", "participant_uuid", "web_cart_on_off", "1255", "1432", "1867", "41",
    /* 175 */ "1415", "1440", "240", "1204", "1608", "1690", "1846", "1483", "1687", "1749", "69",
    /* 186 */ "url_number", "053", "1325", "1040", "365", "59", "Asia/Riyadh", "1177",
    /* 194 */ "test_recommended", "057", "1612", "43", "1061", "1518", "1635", "055", "1034",
    /* 203 */ "1375", "750", "1430", "event_code", "1682", "503", "55", "865", "78", "1309", "1365",
    /* 214 */ "44", "America/Guayaquil", "535", "LIMITED", "1377", "1613", "1420", "1599", "1822",
    /* 223 */ "05a", "1681", "password", "1111", "1214", "1376", "1478", "47", "1082", "4282",
    /* 233 */ "Europe/Istanbul", "1307", "46", "058", "1124", "256", "rate-overlimit", "retail",
    /* 241 */ "u_a_socket_err_fix_succ_test", "1292", "1370", "1388", "520", "861", "psa",
    /* 248 */ "regular", "1181", "1766", "05b", "1183", "1213", "1304", "1537",
  },
  { /* dictionary 3, tag byte 239 */
    /*   0 */ "1724", "profile_picture", "1071", "1314", "1605", "407", "990", "1710", "746",
    /*   9 */ "pricing_model", "056", "059", "061", "1119", "6027", "65", "877", "1607", "05d",
    /*  19 */ "917", "seen", "1516", "49", "470", "973", "1037", "1350", "1394", "1480", "1796",
    /*  30 */ "keys", "794", "1536", "1594", "2378", "1333", "1524", "1825", "116", "309", "52",
    /*  41 */ "808", "827", "909", "495", "1660", "361", "957", "google", "1357", "1565", "1967",
    /*  52 */ "996", "1775", "586", "736", "1052", "1670", "bank", "177", "1416", "2194", "2222",
    /*  63 */ "1454", "1839", "1275", "53", "997", "1629", "6028", "smba", "1378", "1410", "05c",
    /*  74 */ "1849", "727", "create", "1559", "536", "1106", "1310", "1944", "670", "1297", "1316",
    /*  85 */ "1762", "en", "1148", "1295", "1551", "1853", "1890", "1208", "1784", "7200", "05f",
    /*  96 */ "178", "1283", "1332", "381", "643", "1056", "1238", "2024", "2387", "179", "981",
    /* 107 */ "1547", "1705", "05e", "290", "903", "1069", "1285", "2436", "062", "251", "560",
    /* 118 */ "582", "719", "56", "1700", "2321", "325", "448", "613", "777", "791", "51", "488",
    /* 130 */ "902", "Asia/Almaty", "is_hidden", "1398", "1527", "1893", "1999", "2367", "2642",
    /* 139 */ "237", "busy", "065", "067", "233", "590", "993", "1511", "54", "723", "860", "363",
    /* 151 */ "487", "522", "605", "995", "1321", "1691", "1865", "2447", "2462",
    /* 160 */ "NON_TRANSACTIONAL", "433", "871", "432", "1004", "1207", "2032", "2050", "2379",
    /* 169 */ "2446", "279", "636", "703", "904", "248", "370", "691", "700", "1068", "1655",
    /* 180 */ "2334", "060", "063", "364", "533", "534", "567", "1191", "1210", "1473", "1827",
    /* 191 */ "069", "701", "2531", "514", "prev_dhash", "064", "496", "790", "1046", "1139",
    /* 201 */ "1505", "1521", "1108", "207", "544", "637", "final", "1173", "1293", "1694", "1939",
    /* 212 */ "1951", "1993", "2353", "2515", "504", "601", "857", "modify", "spam_request",
    /* 221 */ "p_121_aa_1101_test4", "866", "1427", "1502", "1638", "1744", "2153", "068", "382",
    /* 230 */ "725", "1704", "1864", "1990", "2003", "Asia/Dubai", "508", "531", "1387", "1474",
    /* 240 */ "1632", "2307", "2386", "819", "2014", "066", "387", "1468", "1706", "2186", "2261",
    /* 251 */ "471", "728", "1147", "1372", "1961",
  },
};

#define N_TOKENS (WA_TOKENS_N_SINGLE - 1 + WA_TOKENS_N_DICTIONARIES * 256)

/* Every token's code, sorted by the token's bytes, for bsearch: the encoder
 * looks up every tag, key and value it writes. A code is the index for a
 * single-byte token and 256 * (1 + dictionary) + index for a double-byte
 * one. Filled once; static storage, so nothing to free and nothing for
 * valgrind to report. */
static guint16 sorted_codes[N_TOKENS];

static const char *
code_to_text (guint16 code)
{
  if (code < 256)
    return single_tokens[code];
  return double_tokens[(code >> 8) - 1][code & 0xff];
}

static int
compare_codes (const void *a,
               const void *b)
{
  return strcmp (code_to_text (*(const guint16 *)a), code_to_text (*(const guint16 *)b));
}

static int
compare_text_to_code (const void *key,
                      const void *member)
{
  return strcmp (key, code_to_text (*(const guint16 *)member));
}

static void
ensure_sorted_codes (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      guint n = 0;

      for (guint i = 1; i < WA_TOKENS_N_SINGLE; i++)
        sorted_codes[n++] = i;
      for (guint d = 0; d < WA_TOKENS_N_DICTIONARIES; d++)
        for (guint i = 0; i < 256; i++)
          sorted_codes[n++] = ((d + 1) << 8) | i;
      g_assert (n == N_TOKENS);

      qsort (sorted_codes, N_TOKENS, sizeof sorted_codes[0], compare_codes);
      g_once_init_leave (&initialized, 1);
    }
}

/**
 * wa_tokens_get_single:
 * @idx: a tag byte
 *
 * Returns: (nullable): the single-byte token @idx stands for, or %NULL when
 *   @idx is 0 or one of the bytes above the table (236 and up have other
 *   meanings on the wire)
 */
const char *
wa_tokens_get_single (guint8 idx)
{
  if (idx == 0 || idx >= WA_TOKENS_N_SINGLE)
    return NULL;
  return single_tokens[idx];
}

/**
 * wa_tokens_get_double:
 * @dict: the dictionary, 0 to 3 (the tag byte minus 236)
 * @idx: the index in it
 *
 * Returns: (nullable): the token, or %NULL when @dict is out of range
 */
const char *
wa_tokens_get_double (guint  dict,
                      guint8 idx)
{
  if (dict >= WA_TOKENS_N_DICTIONARIES)
    return NULL;
  return double_tokens[dict][idx];
}

/**
 * wa_tokens_lookup:
 * @text: a string
 * @dict: (out) (optional): the dictionary of a double-byte token
 * @idx: (out) (optional): the token's index (for a single-byte token, the
 *   byte itself)
 *
 * Finds @text in the token tables. Tokens are unique across all tables, so
 * there is at most one answer. Thread-safe.
 *
 * Returns: whether @text is a token, and of which kind
 */
WaTokenKind
wa_tokens_lookup (const char *text,
                  guint      *dict,
                  guint8     *idx)
{
  const guint16 *found;

  g_return_val_if_fail (text != NULL, WA_TOKEN_NONE);

  /* The empty string sits at single index 0, which is LIST_EMPTY on the
   * wire, not a token. */
  if (text[0] == '\0')
    return WA_TOKEN_NONE;

  ensure_sorted_codes ();
  found = bsearch (text, sorted_codes, N_TOKENS, sizeof sorted_codes[0], compare_text_to_code);
  if (found == NULL)
    return WA_TOKEN_NONE;

  if (idx != NULL)
    *idx = *found & 0xff;
  if (*found < 256)
    {
      if (dict != NULL)
        *dict = 0;
      return WA_TOKEN_SINGLE;
    }

  if (dict != NULL)
    *dict = (*found >> 8) - 1;
  return WA_TOKEN_DOUBLE;
}
