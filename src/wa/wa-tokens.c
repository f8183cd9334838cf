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

static const char * const single_tokens_v3[WA_TOKENS_N_SINGLE] = {
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

static const char * const double_tokens_v3[WA_TOKENS_N_DICTIONARIES][256] = {
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

/* Version 2, which older clients still announce in their connection
 * header (Baileys 6 among them); the server answers each client in the
 * dictionary it announced. Same shape, different order and words. */
static const char * const single_tokens_v2[WA_TOKENS_N_SINGLE] = {
  /*   0 */ "", "xmlstreamstart", "xmlstreamend", "s.whatsapp.net", "type", "participant", "from",
  /*   7 */ "receipt", "id", "broadcast", "status", "message", "notification", "notify", "to",
  /*  15 */ "jid", "user", "class", "offline", "g.us", "result", "mediatype", "enc", "skmsg",
  /*  24 */ "off_cnt", "xmlns", "presence", "participants", "ack", "t", "iq", "device_hash", "read",
  /*  33 */ "value", "media", "picture", "chatstate", "unavailable", "text",
  /*  39 */ "urn:xmpp:whatsapp:push", "devices", "verified_name", "contact", "composing",
  /*  44 */ "edge_routing", "routing_info", "item", "image", "verified_level", "get",
  /*  50 */ "fallback_hostname", "2", "media_conn", "1", "v", "handshake", "fallback_class",
  /*  57 */ "count", "config", "offline_preview", "download_buckets", "w:profile:picture", "set",
  /*  63 */ "creation", "location", "fallback_ip4", "msg", "urn:xmpp:ping", "fallback_ip6",
  /*  69 */ "call-creator", "relaylatency", "success", "subscribe", "video",
  /*  74 */ "business_hours_config", "platform", "hostname", "version", "unknown", "0", "ping",
  /*  81 */ "hash", "edit", "subject", "max_buckets", "download", "delivery", "props", "sticker",
  /*  89 */ "name", "last", "contacts", "business", "primary", "preview", "w:p", "pkmsg", "call-id",
  /*  98 */ "retry", "prop", "call", "auth_ttl", "available", "relay_id", "last_id", "day_of_week",
  /* 106 */ "w", "host", "seen", "bits", "list", "atn", "upload", "is_new", "w:stats", "key",
  /* 116 */ "paused", "specific_hours", "multicast", "stream:error", "mmg.whatsapp.net", "code",
  /* 122 */ "deny", "played", "profile", "fna", "device-list", "close_time", "latency", "gcm",
  /* 130 */ "pop", "audio", "26", "w:web", "open_time", "error", "auth", "ip4", "update",
  /* 139 */ "profile_options", "config_value", "category", "catalog_not_created", "00",
  /* 144 */ "config_code", "mode", "catalog_status", "ip6", "blocklist", "registration", "7", "web",
  /* 152 */ "fail", "w:m", "cart_enabled", "ttl", "gif", "300", "device_orientation", "identity",
  /* 160 */ "query", "401", "media-gig2-1.cdn.whatsapp.net", "in", "3", "te2", "add", "fallback",
  /* 168 */ "categories", "ptt", "encrypt", "notice", "thumbnail-document", "item-not-found", "12",
  /* 175 */ "thumbnail-image", "stage", "thumbnail-link", "usync", "out", "thumbnail-video", "8",
  /* 182 */ "01", "context", "sidelist", "thumbnail-gif", "terminate", "not-authorized",
  /* 188 */ "orientation", "dhash", "capability", "side_list", "md-app-state", "description",
  /* 194 */ "serial", "readreceipts", "te", "business_hours", "md-msg-hist", "tag",
  /* 200 */ "attribute_padding", "document", "open_24h", "delete", "expiration", "active",
  /* 206 */ "prev_v_id", "true", "passive", "index", "4", "conflict", "remove", "w:gp2",
  /* 214 */ "config_expo_key", "screen_height", "replaced", "02", "screen_width", "uploadfieldstat",
  /* 220 */ "2:47DEQpj8", "media-bog1-1.cdn.whatsapp.net", "encopt", "url", "catalog_exists",
  /* 225 */ "keygen", "rate", "offer", "opus", "media-mia3-1.cdn.whatsapp.net", "privacy",
  /* 231 */ "media-mia3-2.cdn.whatsapp.net", "signature", "preaccept", "token_id",
  /* 235 */ "media-eze1-1.cdn.whatsapp.net",
};

static const char * const double_tokens_v2[WA_TOKENS_N_DICTIONARIES][256] = {
  { /* dictionary 0, tag byte 236 */
    /*   0 */ "media-for1-1.cdn.whatsapp.net", "relay", "media-gru2-2.cdn.whatsapp.net",
    /*   3 */ "uncompressed", "medium", "voip_settings", "device", "reason",
    /*   8 */ "media-lim1-1.cdn.whatsapp.net", "media-qro1-2.cdn.whatsapp.net",
    /*  10 */ "media-gru1-2.cdn.whatsapp.net", "action", "features",
    /*  13 */ "media-gru2-1.cdn.whatsapp.net", "media-gru1-1.cdn.whatsapp.net",
    /*  15 */ "media-otp1-1.cdn.whatsapp.net", "kyc-id", "priority", "phash", "mute", "token",
    /*  21 */ "100", "media-qro1-1.cdn.whatsapp.net", "none", "media-mrs2-2.cdn.whatsapp.net",
    /*  25 */ "sign_credential", "03", "media-mrs2-1.cdn.whatsapp.net", "protocol", "timezone",
    /*  30 */ "transport", "eph_setting", "1080", "original_dimensions",
    /*  34 */ "media-frx5-1.cdn.whatsapp.net", "background", "disable", "original_image_url", "5",
    /*  39 */ "transaction-id", "direct_path", "103", "appointment_only", "request_image_url",
    /*  44 */ "peer_pid", "address", "105", "104", "102", "media-cdt1-1.cdn.whatsapp.net", "101",
    /*  51 */ "109", "110", "106", "background_location", "v_id", "sync", "status-old", "111",
    /*  59 */ "107", "ppic", "media-scl2-1.cdn.whatsapp.net", "business_profile", "108", "invite",
    /*  65 */ "04", "audio_duration", "media-mct1-1.cdn.whatsapp.net",
    /*  68 */ "media-cdg2-1.cdn.whatsapp.net", "media-los2-1.cdn.whatsapp.net", "invis", "net",
    /*  72 */ "voip_payload_type", "status-revoke-delay", "404", "state",
    /*  76 */ "use_correct_order_for_hmac_sha1", "ver", "media-mad1-1.cdn.whatsapp.net", "order",
    /*  80 */ "540", "skey", "blinded_credential", "android", "contact_remove",
    /*  85 */ "enable_downlink_relay_latency_only", "duration", "enable_vid_one_way_codec_nego",
    /*  88 */ "6", "media-sof1-1.cdn.whatsapp.net", "accept", "all", "signed_credential",
    /*  93 */ "media-atl3-1.cdn.whatsapp.net", "media-lhr8-1.cdn.whatsapp.net", "website", "05",
    /*  97 */ "latitude", "media-dfw5-1.cdn.whatsapp.net", "forbidden",
    /* 100 */ "enable_audio_piggyback_network_mtu_fix", "media-dfw5-2.cdn.whatsapp.net", "note.m4r",
    /* 103 */ "media-atl3-2.cdn.whatsapp.net", "jb_nack_discard_count_fix", "longitude",
    /* 106 */ "Opening.m4r", "media-arn2-1.cdn.whatsapp.net", "email", "timestamp", "admin",
    /* 111 */ "media-pmo1-1.cdn.whatsapp.net", "America/Sao_Paulo", "contact_add",
    /* 114 */ "media-sin6-1.cdn.whatsapp.net", "interactive", "8000", "acs_public_key",
    /* 118 */ "sigquit_anr_detector_release_rollover_percent", "media.fmed1-2.fna.whatsapp.net",
    /* 120 */ "groupadd", "enabled_for_video_upgrade", "latency_update_threshold",
    /* 123 */ "media-frt3-2.cdn.whatsapp.net", "calls_row_constraint_layout",
    /* 125 */ "media.fgbb2-1.fna.whatsapp.net", "mms4_media_retry_notification_encryption_enabled",
    /* 127 */ "timeout", "media-sin6-3.cdn.whatsapp.net", "audio_nack_jitter_multiplier",
    /* 130 */ "jb_discard_count_adjust_pct_rc", "audio_reserve_bps", "delta", "account_sync",
    /* 134 */ "default", "media.fjed4-6.fna.whatsapp.net", "06", "lock_video_orientation",
    /* 138 */ "media-frt3-1.cdn.whatsapp.net", "w:g2", "media-sin6-2.cdn.whatsapp.net",
    /* 141 */ "audio_nack_algo_mask", "media.fgbb2-2.fna.whatsapp.net",
    /* 143 */ "media.fmed1-1.fna.whatsapp.net", "cond_range_target_bitrate",
    /* 145 */ "mms4_server_error_receipt_encryption_enabled", "vid_rc_dyn", "fri",
    /* 148 */ "cart_v1_1_order_message_changes_enabled", "reg_push", "jb_hist_deposit_value",
    /* 151 */ "privatestats", "media.fist7-2.fna.whatsapp.net", "thu",
    /* 154 */ "jb_discard_count_adjust_pct", "mon", "group_call_video_maximization_enabled",
    /* 157 */ "mms_cat_v1_forward_hot_override_enabled", "audio_nack_new_rtt",
    /* 159 */ "media.fsub2-3.fna.whatsapp.net",
    /* 160 */ "media_upload_aggressive_retry_exponential_backoff_enabled", "tue", "wed",
    /* 163 */ "media.fruh4-2.fna.whatsapp.net", "audio_nack_max_seq_req",
    /* 165 */ "max_rtp_audio_packet_resends", "jb_hist_max_cdf_value", "07",
    /* 168 */ "audio_nack_max_jb_delay", "mms_forward_partially_downloaded_video",
    /* 170 */ "media-lcy1-1.cdn.whatsapp.net", "resume", "jb_inband_fec_aware",
    /* 173 */ "new_commerce_entry_point_enabled", "480", "payments_upi_generate_qr_amount_limit",
    /* 176 */ "sigquit_anr_detector_rollover_percent", "media.fsdu2-1.fna.whatsapp.net", "fbns",
    /* 179 */ "aud_pkt_reorder_pct", "dec", "stop_probing_before_accept_send",
    /* 182 */ "media_upload_max_aggressive_retries", "edit_business_profile_new_mode_enabled",
    /* 184 */ "media.fhex4-1.fna.whatsapp.net", "media.fjed4-3.fna.whatsapp.net",
    /* 186 */ "sigquit_anr_detector_64bit_rollover_percent", "cond_range_ema_jb_last_delay",
    /* 188 */ "watls_enable_early_data_http_get", "media.fsdu2-2.fna.whatsapp.net",
    /* 190 */ "message_qr_disambiguation_enabled", "media-mxp1-1.cdn.whatsapp.net", "sat",
    /* 193 */ "vertical", "media.fruh4-5.fna.whatsapp.net", "200", "media-sof1-2.cdn.whatsapp.net",
    /* 197 */ "-1", "height", "product_catalog_hide_show_items_enabled", "deep_copy_frm_last",
    /* 201 */ "tsoffline", "vp8/h.264", "media.fgye5-3.fna.whatsapp.net",
    /* 204 */ "media.ftuc1-2.fna.whatsapp.net", "smb_upsell_chat_banner_enabled", "canonical", "08",
    /* 208 */ "9", ".", "media.fgyd4-4.fna.whatsapp.net", "media.fsti4-1.fna.whatsapp.net",
    /* 212 */ "mms_vcache_aggregation_enabled", "mms_hot_content_timespan_in_seconds", "nse_ver",
    /* 215 */ "rte", "third_party_sticker_web_sync", "cond_range_target_total_bitrate",
    /* 218 */ "media_upload_aggressive_retry_enabled", "instrument_spam_report_enabled",
    /* 220 */ "disable_reconnect_tone", "move_media_folder_from_sister_app",
    /* 222 */ "one_tap_calling_in_group_chat_size", "10", "storage_mgmt_banner_threshold_mb",
    /* 225 */ "enable_backup_passive_mode", "sharechat_inline_player_enabled",
    /* 227 */ "media.fcnq2-1.fna.whatsapp.net", "media.fhex4-2.fna.whatsapp.net",
    /* 229 */ "media.fist6-3.fna.whatsapp.net", "ephemeral_drop_column_stage",
    /* 231 */ "reconnecting_after_network_change_threshold_ms", "media-lhr8-2.cdn.whatsapp.net",
    /* 233 */ "cond_jb_last_delay_ema_alpha", "entry_point_block_logging_enabled",
    /* 235 */ "critical_event_upload_log_config", "respect_initial_bitrate_estimate",
    /* 237 */ "smaller_image_thumbs_status_enabled", "media.fbtz1-4.fna.whatsapp.net",
    /* 239 */ "media.fjed4-1.fna.whatsapp.net", "width", "720", "enable_frame_dropper",
    /* 243 */ "enable_one_side_mode", "urn:xmpp:whatsapp:dirty",
    /* 245 */ "new_sticker_animation_behavior_v2", "media.flim3-2.fna.whatsapp.net",
    /* 247 */ "media.fuio6-2.fna.whatsapp.net", "skip_forced_signaling", "dleq_proof",
    /* 250 */ "status_video_max_bitrate", "lazy_send_probing_req", "enhanced_storage_management",
    /* 253 */ "android_privatestats_endpoint_dit_enabled", "media.fscl13-2.fna.whatsapp.net",
    /* 255 */ "video_duration",
  },
  { /* dictionary 1, tag byte 237 */
    /*   0 */ "group_call_discoverability_enabled", "media.faep9-2.fna.whatsapp.net", "msgr",
    /*   3 */ "bloks_loggedin_access_app_id", "db_status_migration_step", "watls_prefer_ip6",
    /*   6 */ "jabber:iq:privacy", "68", "media.fsaw1-11.fna.whatsapp.net",
    /*   9 */ "mms4_media_conn_persist_enabled", "animated_stickers_thread_clean_up",
    /*  11 */ "media.fcgk3-2.fna.whatsapp.net", "media.fcgk4-6.fna.whatsapp.net",
    /*  13 */ "media.fgye5-2.fna.whatsapp.net", "media.flpb1-1.fna.whatsapp.net",
    /*  15 */ "media.fsub2-1.fna.whatsapp.net", "media.fuio6-3.fna.whatsapp.net", "not-allowed",
    /*  18 */ "partial_pjpeg_bw_threshold", "cap_estimated_bitrate",
    /*  20 */ "mms_chatd_resume_check_over_thrift", "smb_upsell_business_profile_enabled",
    /*  22 */ "product_catalog_webclient", "groups", "sigquit_anr_detector_release_updated_rollout",
    /*  25 */ "syncd_key_rotation_enabled", "media.fdmm2-1.fna.whatsapp.net",
    /*  27 */ "media-hou1-1.cdn.whatsapp.net", "remove_old_chat_notifications",
    /*  29 */ "smb_biztools_deeplink_enabled", "use_downloadable_filters_int",
    /*  31 */ "group_qr_codes_enabled", "max_receipt_processing_time",
    /*  33 */ "optimistic_image_processing_enabled", "smaller_video_thumbs_status_enabled",
    /*  35 */ "watls_early_data", "reconnecting_before_relay_failover_threshold_ms",
    /*  37 */ "cond_range_packet_loss_pct", "groups_privacy_blacklist", "status-revoke-drop",
    /*  40 */ "stickers_animated_thumbnail_download", "dedupe_transcode_shared_images",
    /*  42 */ "dedupe_transcode_shared_videos", "media.fcnq2-2.fna.whatsapp.net",
    /*  44 */ "media.fgyd4-1.fna.whatsapp.net", "media.fist7-1.fna.whatsapp.net",
    /*  46 */ "media.flim3-3.fna.whatsapp.net", "add_contact_by_qr_enabled",
    /*  48 */ "https://faq.whatsapp.com/payments", "multicast_limit_global",
    /*  50 */ "sticker_notification_preview", "smb_better_catalog_list_adapters_enabled",
    /*  52 */ "bloks_use_minscript_android", "pen_smoothing_enabled",
    /*  54 */ "media.fcgk4-5.fna.whatsapp.net", "media.fevn1-3.fna.whatsapp.net",
    /*  56 */ "media.fpoj7-1.fna.whatsapp.net", "media-arn2-2.cdn.whatsapp.net",
    /*  58 */ "reconnecting_before_network_change_threshold_ms",
    /*  59 */ "android_media_use_fresco_for_gifs", "cond_in_congestion", "status_image_max_edge",
    /*  62 */ "sticker_search_enabled", "starred_stickers_web_sync",
    /*  64 */ "db_blank_me_jid_migration_step", "media.fist6-2.fna.whatsapp.net",
    /*  66 */ "media.ftuc1-1.fna.whatsapp.net", "09", "anr_fast_logs_upload_rollout",
    /*  69 */ "camera_core_integration_enabled", "11", "third_party_sticker_caching",
    /*  72 */ "thread_dump_contact_support", "wam_privatestats_enabled",
    /*  74 */ "vcard_as_document_size_kb", "maxfpp", "fbip", "ephemeral_allow_group_members",
    /*  78 */ "media-bom1-2.cdn.whatsapp.net", "media-xsp1-1.cdn.whatsapp.net", "disable_prewarm",
    /*  81 */ "frequently_forwarded_max", "media.fbtz1-5.fna.whatsapp.net",
    /*  83 */ "media.fevn7-1.fna.whatsapp.net", "media.fgyd4-2.fna.whatsapp.net",
    /*  85 */ "sticker_tray_animation_fully_visible_items", "green_alert_banner_duration",
    /*  87 */ "reconnecting_after_p2p_failover_threshold_ms", "connected",
    /*  89 */ "share_biz_vcard_enabled", "stickers_animation", "0a", "1200", "WhatsApp",
    /*  94 */ "group_description_length", "p_v_id", "payments_upi_intent_transaction_limit",
    /*  97 */ "frequently_forwarded_messages", "media-xsp1-2.cdn.whatsapp.net",
    /*  99 */ "media.faep8-1.fna.whatsapp.net", "media.faep8-2.fna.whatsapp.net",
    /* 101 */ "media.faep9-1.fna.whatsapp.net", "media.fdmm2-2.fna.whatsapp.net",
    /* 103 */ "media.fgzt3-1.fna.whatsapp.net", "media.flim4-2.fna.whatsapp.net",
    /* 105 */ "media.frao1-1.fna.whatsapp.net", "media.fscl9-2.fna.whatsapp.net",
    /* 107 */ "media.fsub2-2.fna.whatsapp.net", "superadmin", "media.fbog10-1.fna.whatsapp.net",
    /* 110 */ "media.fcgh28-1.fna.whatsapp.net", "media.fjdo10-1.fna.whatsapp.net",
    /* 112 */ "third_party_animated_sticker_import", "delay_fec", "attachment_picker_refresh",
    /* 115 */ "android_linked_devices_re_auth_enabled", "rc_dyn", "green_alert_block_jitter",
    /* 118 */ "add_contact_logging_enabled", "biz_message_logging_enabled",
    /* 120 */ "conversation_media_preview_v2", "media-jnb1-1.cdn.whatsapp.net", "ab_key",
    /* 123 */ "media.fcgk4-2.fna.whatsapp.net", "media.fevn1-1.fna.whatsapp.net",
    /* 125 */ "media.fist6-1.fna.whatsapp.net", "media.fruh4-4.fna.whatsapp.net",
    /* 127 */ "media.fsti4-2.fna.whatsapp.net", "mms_vcard_autodownload_size_kb", "watls_enabled",
    /* 130 */ "notif_ch_override_off", "media.fsaw1-14.fna.whatsapp.net",
    /* 132 */ "media.fscl13-1.fna.whatsapp.net", "db_group_participant_migration_step", "1020",
    /* 135 */ "cond_range_sterm_rtt", "invites_logging_enabled", "triggered_block_enabled",
    /* 138 */ "group_call_max_participants", "media-iad3-1.cdn.whatsapp.net",
    /* 140 */ "product_catalog_open_deeplink", "shops_required_tos_version", "image_max_kbytes",
    /* 143 */ "cond_low_quality_vid_mode", "db_receipt_migration_step", "jb_early_prob_hist_shrink",
    /* 146 */ "media.fdmm2-3.fna.whatsapp.net", "media.fdmm2-4.fna.whatsapp.net",
    /* 148 */ "media.fruh4-1.fna.whatsapp.net", "media.fsaw2-2.fna.whatsapp.net",
    /* 150 */ "remove_geolocation_videos", "new_animation_behavior", "fieldstats_beacon_chance",
    /* 153 */ "403", "authkey_reset_on_ban", "continuous_ptt_playback",
    /* 156 */ "reconnecting_after_relay_failover_threshold_ms", "false", "group", "sun",
    /* 160 */ "conversation_swipe_to_reply", "ephemeral_messages_setting",
    /* 162 */ "smaller_video_thumbs_enabled", "md_device_sync_enabled", "bloks_shops_pdp_url_regex",
    /* 165 */ "lasso_integration_enabled", "media-bom1-1.cdn.whatsapp.net",
    /* 167 */ "new_backup_format_enabled", "256", "media.faep6-1.fna.whatsapp.net",
    /* 170 */ "media.fasr1-1.fna.whatsapp.net", "media.fbtz1-7.fna.whatsapp.net",
    /* 172 */ "media.fesb4-1.fna.whatsapp.net", "media.fjdo1-2.fna.whatsapp.net",
    /* 174 */ "media.frba2-1.fna.whatsapp.net", "watls_no_dns", "600",
    /* 177 */ "db_broadcast_me_jid_migration_step", "new_wam_runtime_enabled", "group_update",
    /* 180 */ "enhanced_block_enabled", "sync_wifi_threshold_kb", "mms_download_nc_cat",
    /* 183 */ "bloks_minification_enabled", "ephemeral_messages_enabled", "reject",
    /* 186 */ "voip_outgoing_xml_signaling", "creator", "dl_bw", "payments_request_messages",
    /* 190 */ "target_bitrate", "bloks_rendercore_enabled", "media-hbe1-1.cdn.whatsapp.net",
    /* 193 */ "media-hel3-1.cdn.whatsapp.net", "media-kut2-2.cdn.whatsapp.net",
    /* 195 */ "media-lax3-1.cdn.whatsapp.net", "media-lax3-2.cdn.whatsapp.net",
    /* 197 */ "sticker_pack_deeplink_enabled", "hq_image_bw_threshold", "status_info", "voip",
    /* 201 */ "dedupe_transcode_videos", "grp_uii_cleanup", "linked_device_max_count",
    /* 204 */ "media.flim1-1.fna.whatsapp.net", "media.fsaw2-1.fna.whatsapp.net",
    /* 206 */ "reconnecting_after_call_active_threshold_ms", "1140", "catalog_pdp_new_design",
    /* 209 */ "media.fbtz1-10.fna.whatsapp.net", "media.fsaw1-15.fna.whatsapp.net", "0b",
    /* 212 */ "consumer_rc_provider", "mms_async_fast_forward_ttl", "jb_eff_size_fix",
    /* 215 */ "voip_incoming_xml_signaling", "media_provider_share_by_uuid", "suspicious_links",
    /* 218 */ "dedupe_transcode_images", "green_alert_modal_start", "media-cgk1-1.cdn.whatsapp.net",
    /* 221 */ "media-lga3-1.cdn.whatsapp.net", "template_doc_mime_types", "important_messages",
    /* 224 */ "user_add", "vcard_max_size_kb", "media.fada2-1.fna.whatsapp.net",
    /* 227 */ "media.fbog2-5.fna.whatsapp.net", "media.fbtz1-3.fna.whatsapp.net",
    /* 229 */ "media.fcgk3-1.fna.whatsapp.net", "media.fcgk7-1.fna.whatsapp.net",
    /* 231 */ "media.flim1-3.fna.whatsapp.net", "media.fscl9-1.fna.whatsapp.net",
    /* 233 */ "ctwa_context_enterprise_enabled", "media.fsaw1-13.fna.whatsapp.net",
    /* 235 */ "media.fuio11-2.fna.whatsapp.net", "status_collapse_muted",
    /* 237 */ "db_migration_level_force", "recent_stickers_web_sync", "bloks_session_state",
    /* 240 */ "bloks_shops_enabled", "green_alert_setting_deep_links_enabled", "restrict_groups",
    /* 243 */ "battery", "green_alert_block_start", "refresh", "ctwa_context_enabled",
    /* 247 */ "md_messaging_enabled", "status_image_quality", "md_blocklist_v2_server",
    /* 250 */ "media-del1-1.cdn.whatsapp.net", "13", "userrate", "a_v_id", "cond_rtt_ema_alpha",
    /* 255 */ "invalid",
  },
  { /* dictionary 2, tag byte 238 */
    /*   0 */ "media.fada1-1.fna.whatsapp.net", "media.fadb3-2.fna.whatsapp.net",
    /*   2 */ "media.fbhz2-1.fna.whatsapp.net", "media.fcor2-1.fna.whatsapp.net",
    /*   4 */ "media.fjed4-2.fna.whatsapp.net", "media.flhe4-1.fna.whatsapp.net",
    /*   6 */ "media.frak1-2.fna.whatsapp.net", "media.fsub6-3.fna.whatsapp.net",
    /*   8 */ "media.fsub6-7.fna.whatsapp.net", "media.fvvi1-1.fna.whatsapp.net",
    /*  10 */ "search_v5_eligible", "wam_real_time_enabled", "report_disk_event",
    /*  13 */ "max_tx_rott_based_bitrate", "product", "media.fjdo10-2.fna.whatsapp.net",
    /*  16 */ "video_frame_crc_sample_interval", "media_max_autodownload", "15", "h.264",
    /*  20 */ "wam_privatestats_buffer_count", "md_phash_v2_enabled", "account_transfer_enabled",
    /*  23 */ "business_product_catalog", "enable_non_dyn_codec_param_fix",
    /*  25 */ "is_user_under_epd_jurisdiction", "media.fbog2-4.fna.whatsapp.net",
    /*  27 */ "media.fbtz1-2.fna.whatsapp.net", "media.fcfc1-1.fna.whatsapp.net",
    /*  29 */ "media.fjed4-5.fna.whatsapp.net", "media.flhe4-2.fna.whatsapp.net",
    /*  31 */ "media.flim1-2.fna.whatsapp.net", "media.flos5-1.fna.whatsapp.net",
    /*  33 */ "android_key_store_auth_ver", "010", "anr_process_monitor", "delete_old_auth_key",
    /*  37 */ "media.fcor10-3.fna.whatsapp.net", "storage_usage_enabled",
    /*  39 */ "android_camera2_support_level", "dirty", "consumer_content_provider",
    /*  42 */ "status_video_max_duration", "0c", "bloks_cache_enabled",
    /*  45 */ "media.fadb2-2.fna.whatsapp.net", "media.fbko1-1.fna.whatsapp.net",
    /*  47 */ "media.fbtz1-9.fna.whatsapp.net", "media.fcgk4-4.fna.whatsapp.net",
    /*  49 */ "media.fesb4-2.fna.whatsapp.net", "media.fevn1-2.fna.whatsapp.net",
    /*  51 */ "media.fist2-4.fna.whatsapp.net", "media.fjdo1-1.fna.whatsapp.net",
    /*  53 */ "media.fruh4-6.fna.whatsapp.net", "media.fsrg5-1.fna.whatsapp.net",
    /*  55 */ "media.fsub6-6.fna.whatsapp.net", "minfpp", "5000", "locales", "video_max_bitrate",
    /*  60 */ "use_new_auth_key", "bloks_http_enabled", "heartbeat_interval",
    /*  63 */ "media.fbog11-1.fna.whatsapp.net", "ephemeral_group_query_ts", "fec_nack",
    /*  66 */ "search_in_storage_usage", "c", "media-amt2-1.cdn.whatsapp.net",
    /*  69 */ "linked_devices_ui_enabled", "14", "async_data_load_on_startup",
    /*  72 */ "voip_incoming_xml_ack", "16", "db_migration_step", "init_bwe", "max_participants",
    /*  77 */ "wam_buffer_count", "media.fada2-2.fna.whatsapp.net",
    /*  79 */ "media.fadb3-1.fna.whatsapp.net", "media.fcor2-2.fna.whatsapp.net",
    /*  81 */ "media.fdiy1-2.fna.whatsapp.net", "media.frba3-2.fna.whatsapp.net",
    /*  83 */ "media.fsaw2-3.fna.whatsapp.net", "1280", "status_grid_enabled", "w:biz",
    /*  87 */ "product_catalog_deeplink", "media.fgye10-2.fna.whatsapp.net",
    /*  89 */ "media.fuio11-1.fna.whatsapp.net", "optimistic_upload", "work_manager_init", "lc",
    /*  93 */ "catalog_message", "cond_net_medium", "enable_periodical_aud_rr_processing",
    /*  96 */ "cond_range_ema_rtt", "media-tir2-1.cdn.whatsapp.net", "frame_ms",
    /*  99 */ "group_invite_sending", "payments_web_enabled", "wallpapers_v2", "0d", "browser",
    /* 104 */ "hq_image_max_edge", "image_edit_zoom", "linked_devices_re_auth_enabled",
    /* 107 */ "media.faly3-2.fna.whatsapp.net", "media.fdoh5-3.fna.whatsapp.net",
    /* 109 */ "media.fesb3-1.fna.whatsapp.net", "media.fknu1-1.fna.whatsapp.net",
    /* 111 */ "media.fmex3-1.fna.whatsapp.net", "media.fruh4-3.fna.whatsapp.net", "255",
    /* 114 */ "web_upgrade_to_md_modal", "audio_piggyback_timeout_msec",
    /* 116 */ "enable_audio_oob_fec_feature", "from_ip", "image_max_edge", "message_qr_enabled",
    /* 120 */ "powersave", "receipt_pre_acking", "video_max_edge", "full", "011", "012",
    /* 126 */ "enable_audio_oob_fec_for_sender", "md_voip_enabled", "enable_privatestats",
    /* 129 */ "max_fec_ratio", "payments_cs_faq_url", "media-xsp1-3.cdn.whatsapp.net",
    /* 132 */ "hq_image_quality", "media.fasr1-2.fna.whatsapp.net",
    /* 134 */ "media.fbog3-1.fna.whatsapp.net", "media.ffjr1-6.fna.whatsapp.net",
    /* 136 */ "media.fist2-3.fna.whatsapp.net", "media.flim4-3.fna.whatsapp.net",
    /* 138 */ "media.fpbc2-4.fna.whatsapp.net", "media.fpku1-1.fna.whatsapp.net",
    /* 140 */ "media.frba1-1.fna.whatsapp.net", "media.fudi1-1.fna.whatsapp.net",
    /* 142 */ "media.fvvi1-2.fna.whatsapp.net", "gcm_fg_service", "enable_dec_ltr_size_check",
    /* 145 */ "clear", "lg", "media.fgru11-1.fna.whatsapp.net", "18",
    /* 149 */ "media-lga3-2.cdn.whatsapp.net", "pkey", "0e", "max_subject", "cond_range_lterm_rtt",
    /* 154 */ "announcement_groups", "biz_profile_options", "s_t", "media.fabv2-1.fna.whatsapp.net",
    /* 158 */ "media.fcai3-1.fna.whatsapp.net", "media.fcgh1-1.fna.whatsapp.net",
    /* 160 */ "media.fctg1-4.fna.whatsapp.net", "media.fdiy1-1.fna.whatsapp.net",
    /* 162 */ "media.fisb4-1.fna.whatsapp.net", "media.fpku1-2.fna.whatsapp.net",
    /* 164 */ "media.fros9-1.fna.whatsapp.net", "status_v3_text", "usync_sidelist", "17",
    /* 168 */ "announcement", "...", "md_group_notification", "0f", "animated_pack_in_store", "013",
    /* 174 */ "America/Mexico_City", "1260", "media-ams4-1.cdn.whatsapp.net",
    /* 177 */ "media-cgk1-2.cdn.whatsapp.net", "media-cpt1-1.cdn.whatsapp.net",
    /* 179 */ "media-maa2-1.cdn.whatsapp.net", "media.fgye10-1.fna.whatsapp.net", "e",
    /* 182 */ "catalog_cart", "hfm_string_changes", "init_bitrate", "packless_hsm", "group_info",
    /* 187 */ "America/Belem", "50", "960", "cond_range_bwe", "decode", "encode",
    /* 193 */ "media.fada1-8.fna.whatsapp.net", "media.fadb1-2.fna.whatsapp.net",
    /* 195 */ "media.fasu6-1.fna.whatsapp.net", "media.fbog4-1.fna.whatsapp.net",
    /* 197 */ "media.fcgk9-2.fna.whatsapp.net", "media.fdoh5-2.fna.whatsapp.net",
    /* 199 */ "media.ffjr1-2.fna.whatsapp.net", "media.fgua1-1.fna.whatsapp.net",
    /* 201 */ "media.fgye1-1.fna.whatsapp.net", "media.fist1-4.fna.whatsapp.net",
    /* 203 */ "media.fpbc2-2.fna.whatsapp.net", "media.fres2-1.fna.whatsapp.net",
    /* 205 */ "media.fsdq1-2.fna.whatsapp.net", "media.fsub6-5.fna.whatsapp.net", "profilo_enabled",
    /* 208 */ "template_hsm", "use_disorder_prefetching_timer", "video_codec_priority",
    /* 211 */ "vpx_max_qp", "ptt_reduce_recording_delay", "25", "iphone", "Windows", "s_o",
    /* 217 */ "Africa/Lagos", "abt", "media-kut2-1.cdn.whatsapp.net",
    /* 220 */ "media-mba1-1.cdn.whatsapp.net", "media-mxp1-2.cdn.whatsapp.net", "md_blocklist_v2",
    /* 223 */ "url_text", "enable_short_offset", "group_join_permissions",
    /* 226 */ "enable_audio_piggyback_feature", "image_quality", "media.fcgk7-2.fna.whatsapp.net",
    /* 229 */ "media.fcgk8-2.fna.whatsapp.net", "media.fclo7-1.fna.whatsapp.net",
    /* 231 */ "media.fcmn1-1.fna.whatsapp.net", "media.feoh1-1.fna.whatsapp.net",
    /* 233 */ "media.fgyd4-3.fna.whatsapp.net", "media.fjed4-4.fna.whatsapp.net",
    /* 235 */ "media.flim1-4.fna.whatsapp.net", "media.flim2-4.fna.whatsapp.net",
    /* 237 */ "media.fplu6-1.fna.whatsapp.net", "media.frak1-1.fna.whatsapp.net",
    /* 239 */ "media.fsdq1-1.fna.whatsapp.net", "to_ip", "015", "vp8", "19", "21", "1320",
    /* 246 */ "auth_key_ver", "message_processing_dedup", "server-error", "wap4_enabled", "420",
    /* 251 */ "014", "cond_range_rtt", "ptt_fast_lock_enabled", "media-ort2-1.cdn.whatsapp.net",
    /* 255 */ "fwd_ui_start_ts",
  },
  { /* dictionary 3, tag byte 239 */
    /*   0 */ "contact_blacklist", "Asia/Jakarta", "media.fepa10-1.fna.whatsapp.net",
    /*   3 */ "media.fmex10-3.fna.whatsapp.net", "disorder_prefetching_start_when_empty",
    /*   5 */ "America/Bogota", "use_local_probing_rx_bitrate", "America/Argentina/Buenos_Aires",
    /*   8 */ "cross_post", "media.fabb1-1.fna.whatsapp.net", "media.fbog4-2.fna.whatsapp.net",
    /*  11 */ "media.fcgk9-1.fna.whatsapp.net", "media.fcmn2-1.fna.whatsapp.net",
    /*  13 */ "media.fdel3-1.fna.whatsapp.net", "media.ffjr1-1.fna.whatsapp.net",
    /*  15 */ "media.fgdl5-1.fna.whatsapp.net", "media.flpb1-2.fna.whatsapp.net",
    /*  17 */ "media.fmex2-1.fna.whatsapp.net", "media.frba2-2.fna.whatsapp.net",
    /*  19 */ "media.fros2-2.fna.whatsapp.net", "media.fruh2-1.fna.whatsapp.net",
    /*  21 */ "media.fybz2-2.fna.whatsapp.net", "options", "20", "a", "017", "018", "mute_always",
    /*  28 */ "user_notice", "Asia/Kolkata", "gif_provider", "locked",
    /*  32 */ "media-gua1-1.cdn.whatsapp.net", "piggyback_exclude_force_flush", "24",
    /*  35 */ "media.frec39-1.fna.whatsapp.net", "user_remove", "file_max_size",
    /*  38 */ "cond_packet_loss_pct_ema_alpha", "media.facc1-1.fna.whatsapp.net",
    /*  40 */ "media.fadb2-1.fna.whatsapp.net", "media.faly3-1.fna.whatsapp.net",
    /*  42 */ "media.fbdo6-2.fna.whatsapp.net", "media.fcmn2-2.fna.whatsapp.net",
    /*  44 */ "media.fctg1-3.fna.whatsapp.net", "media.ffez1-2.fna.whatsapp.net",
    /*  46 */ "media.fist1-3.fna.whatsapp.net", "media.fist2-2.fna.whatsapp.net",
    /*  48 */ "media.flim2-2.fna.whatsapp.net", "media.fmct2-3.fna.whatsapp.net",
    /*  50 */ "media.fpei3-1.fna.whatsapp.net", "media.frba3-1.fna.whatsapp.net",
    /*  52 */ "media.fsdu8-2.fna.whatsapp.net", "media.fstu2-1.fna.whatsapp.net", "media_type",
    /*  55 */ "receipt_agg", "016", "enable_pli_for_crc_mismatch", "live", "enc_rekey", "frskmsg",
    /*  61 */ "d", "media.fdel11-2.fna.whatsapp.net", "proto", "2250",
    /*  65 */ "audio_piggyback_enable_cache", "skip_nack_if_ltrp_sent", "mark_dtx_jb_frames",
    /*  68 */ "web_service_delay", "7282", "catalog_send_all", "outgoing", "360", "30", "LIMITED",
    /*  75 */ "019", "audio_picker", "bpv2_phase", "media.fada1-7.fna.whatsapp.net",
    /*  79 */ "media.faep7-1.fna.whatsapp.net", "media.fbko1-2.fna.whatsapp.net",
    /*  81 */ "media.fbni1-2.fna.whatsapp.net", "media.fbtz1-1.fna.whatsapp.net",
    /*  83 */ "media.fbtz1-8.fna.whatsapp.net", "media.fcjs3-1.fna.whatsapp.net",
    /*  85 */ "media.fesb3-2.fna.whatsapp.net", "media.fgdl5-4.fna.whatsapp.net",
    /*  87 */ "media.fist2-1.fna.whatsapp.net", "media.flhe2-2.fna.whatsapp.net",
    /*  89 */ "media.flim2-1.fna.whatsapp.net", "media.fmex1-1.fna.whatsapp.net",
    /*  91 */ "media.fpat3-2.fna.whatsapp.net", "media.fpat3-3.fna.whatsapp.net",
    /*  93 */ "media.fros2-1.fna.whatsapp.net", "media.fsdu8-1.fna.whatsapp.net",
    /*  95 */ "media.fsub3-2.fna.whatsapp.net", "payments_chat_plugin",
    /*  97 */ "cond_congestion_no_rtcp_thr", "green_alert", "not-a-biz", "..",
    /* 101 */ "shops_pdp_urls_config", "source", "media-dus1-1.cdn.whatsapp.net", "mute_video",
    /* 105 */ "01b", "currency", "max_keys", "resume_check", "contact_array", "qr_scanning", "23",
    /* 112 */ "b", "media.fbfh15-1.fna.whatsapp.net", "media.flim22-1.fna.whatsapp.net",
    /* 115 */ "media.fsdu11-1.fna.whatsapp.net", "media.fsdu15-1.fna.whatsapp.net", "Chrome",
    /* 118 */ "fts_version", "60", "media.fada1-6.fna.whatsapp.net",
    /* 121 */ "media.faep4-2.fna.whatsapp.net", "media.fbaq5-1.fna.whatsapp.net",
    /* 123 */ "media.fbni1-1.fna.whatsapp.net", "media.fcai3-2.fna.whatsapp.net",
    /* 125 */ "media.fdel3-2.fna.whatsapp.net", "media.fdmm3-2.fna.whatsapp.net",
    /* 127 */ "media.fhex3-1.fna.whatsapp.net", "media.fisb4-2.fna.whatsapp.net",
    /* 129 */ "media.fkhi5-2.fna.whatsapp.net", "media.flos2-1.fna.whatsapp.net",
    /* 131 */ "media.fmct2-1.fna.whatsapp.net", "media.fntr7-1.fna.whatsapp.net",
    /* 133 */ "media.frak3-1.fna.whatsapp.net", "media.fruh5-2.fna.whatsapp.net",
    /* 135 */ "media.fsub6-1.fna.whatsapp.net", "media.fuab1-2.fna.whatsapp.net",
    /* 137 */ "media.fuio1-1.fna.whatsapp.net", "media.fver1-1.fna.whatsapp.net",
    /* 139 */ "media.fymy1-1.fna.whatsapp.net", "product_catalog", "1380", "audio_oob_fec_max_pkts",
    /* 143 */ "22", "254", "media-ort2-2.cdn.whatsapp.net", "media-sjc3-1.cdn.whatsapp.net", "1600",
    /* 148 */ "01a", "01c", "405", "key_frame_interval", "body", "media.fcgh20-1.fna.whatsapp.net",
    /* 154 */ "media.fesb10-2.fna.whatsapp.net", "125", "2000", "media.fbsb1-1.fna.whatsapp.net",
    /* 158 */ "media.fcmn3-2.fna.whatsapp.net", "media.fcpq1-1.fna.whatsapp.net",
    /* 160 */ "media.fdel1-2.fna.whatsapp.net", "media.ffor2-1.fna.whatsapp.net",
    /* 162 */ "media.fgdl1-4.fna.whatsapp.net", "media.fhex2-1.fna.whatsapp.net",
    /* 164 */ "media.fist1-2.fna.whatsapp.net", "media.fjed5-2.fna.whatsapp.net",
    /* 166 */ "media.flim6-4.fna.whatsapp.net", "media.flos2-2.fna.whatsapp.net",
    /* 168 */ "media.fntr6-2.fna.whatsapp.net", "media.fpku3-2.fna.whatsapp.net",
    /* 170 */ "media.fros8-1.fna.whatsapp.net", "media.fymy1-2.fna.whatsapp.net", "ul_bw",
    /* 173 */ "ltrp_qp_offset", "request", "nack", "dtx_delay_state_reset", "timeoffline", "28",
    /* 179 */ "01f", "32", "enable_ltr_pool", "wa_msys_crypto", "01d", "58", "dtx_freeze_hg_update",
    /* 186 */ "nack_if_rpsi_throttled", "253", "840", "media.famd15-1.fna.whatsapp.net",
    /* 190 */ "media.fbog17-2.fna.whatsapp.net", "media.fcai19-2.fna.whatsapp.net",
    /* 192 */ "media.fcai21-4.fna.whatsapp.net", "media.fesb10-4.fna.whatsapp.net",
    /* 194 */ "media.fesb10-5.fna.whatsapp.net", "media.fmaa12-1.fna.whatsapp.net",
    /* 196 */ "media.fmex11-3.fna.whatsapp.net", "media.fpoa33-1.fna.whatsapp.net", "1050", "021",
    /* 200 */ "clean", "cond_range_ema_packet_loss_pct", "media.fadb6-5.fna.whatsapp.net",
    /* 203 */ "media.faqp4-1.fna.whatsapp.net", "media.fbaq3-1.fna.whatsapp.net",
    /* 205 */ "media.fbel2-1.fna.whatsapp.net", "media.fblr4-2.fna.whatsapp.net",
    /* 207 */ "media.fclo8-1.fna.whatsapp.net", "media.fcoo1-2.fna.whatsapp.net",
    /* 209 */ "media.ffjr1-4.fna.whatsapp.net", "media.ffor9-1.fna.whatsapp.net",
    /* 211 */ "media.fisb3-1.fna.whatsapp.net", "media.fkhi2-2.fna.whatsapp.net",
    /* 213 */ "media.fkhi4-1.fna.whatsapp.net", "media.fpbc1-2.fna.whatsapp.net",
    /* 215 */ "media.fruh2-2.fna.whatsapp.net", "media.fruh5-1.fna.whatsapp.net",
    /* 217 */ "media.fsub3-1.fna.whatsapp.net", "payments_transaction_limit", "252", "27", "29",
    /* 222 */ "tintagel", "01e", "237", "780", "callee_updated_payload", "020", "257", "price",
    /* 230 */ "025", "239", "payments_cs_phone_number", "mediaretry", "w:auth:backup:token",
    /* 235 */ "Glass.caf", "max_bitrate", "240", "251", "660", "media.fbog16-1.fna.whatsapp.net",
    /* 241 */ "media.fcgh21-1.fna.whatsapp.net", "media.fkul19-2.fna.whatsapp.net",
    /* 243 */ "media.flim21-2.fna.whatsapp.net", "media.fmex10-4.fna.whatsapp.net", "64", "33",
    /* 247 */ "34", "35", "interruption", "media.fabv3-1.fna.whatsapp.net",
    /* 251 */ "media.fadb6-1.fna.whatsapp.net", "media.fagr1-1.fna.whatsapp.net",
    /* 253 */ "media.famd1-1.fna.whatsapp.net", "media.famm6-1.fna.whatsapp.net",
    /* 255 */ "media.faqp2-3.fna.whatsapp.net",
  },
};

#define N_TOKENS (WA_TOKENS_N_SINGLE - 1 + WA_TOKENS_N_DICTIONARIES * 256)

/* Slots of the lookup table: a power of two, about three times the
 * tokens, so a probe rarely meets another token. */
#define N_SLOTS 4096
G_STATIC_ASSERT (N_SLOTS >= 3 * N_TOKENS);

struct _WaTokens
{
  guint               version;
  const char * const *single;
  const char * const (*dictionaries)[256];
  /* Every token's code + 1 at the slot its hash names (or the next free
   * one), 0 for an empty slot: the encoder looks up every tag, key and
   * value it writes, about fifty a message, and a binary search cost
   * eleven string comparisons each. A code is the index for a single-byte
   * token and 256 * (1 + dictionary) + index for a double-byte one.
   * Filled once; static storage, so nothing to free and nothing for
   * valgrind to report. */
  guint16             slots[N_SLOTS];
  gsize               initialized;
};

static WaTokens tokens_v2 = { 2, single_tokens_v2, double_tokens_v2 };
static WaTokens tokens_v3 = { 3, single_tokens_v3, double_tokens_v3 };

/**
 * wa_tokens_get:
 * @dict_version: the dictionary version a connection header announces
 *
 * Returns: (nullable): that version's tables, or %NULL for a version this
 *   library does not know
 */
const WaTokens *
wa_tokens_get (guint dict_version)
{
  switch (dict_version)
    {
    case 2:
      return &tokens_v2;
    case WA_TOKENS_DICT_VERSION:
      return &tokens_v3;
    default:
      return NULL;
    }
}

guint
wa_tokens_get_version (const WaTokens *self)
{
  return self->version;
}

static const char *
code_to_text (const WaTokens *self,
              guint16         code)
{
  if (code < 256)
    return self->single[code];
  return self->dictionaries[(code >> 8) - 1][code & 0xff];
}

static void
insert_code (WaTokens *self,
             guint16   code)
{
  guint slot = g_str_hash (code_to_text (self, code)) & (N_SLOTS - 1);

  while (self->slots[slot] != 0)
    slot = (slot + 1) & (N_SLOTS - 1);
  self->slots[slot] = code + 1;
}

static void
ensure_slots (WaTokens *self)
{
  if (g_once_init_enter (&self->initialized))
    {
      for (guint i = 1; i < WA_TOKENS_N_SINGLE; i++)
        insert_code (self, i);
      for (guint d = 0; d < WA_TOKENS_N_DICTIONARIES; d++)
        for (guint i = 0; i < 256; i++)
          insert_code (self, ((d + 1) << 8) | i);
      g_once_init_leave (&self->initialized, 1);
    }
}

/**
 * wa_tokens_get_single:
 * @self: a dictionary version's tables
 * @idx: a tag byte
 *
 * Returns: (nullable): the single-byte token @idx stands for, or %NULL when
 *   @idx is 0 or one of the bytes above the table (236 and up have other
 *   meanings on the wire)
 */
const char *
wa_tokens_get_single (const WaTokens *self,
                      guint8          idx)
{
  if (idx == 0 || idx >= WA_TOKENS_N_SINGLE)
    return NULL;
  return self->single[idx];
}

/**
 * wa_tokens_get_double:
 * @self: a dictionary version's tables
 * @dict: the dictionary, 0 to 3 (the tag byte minus 236)
 * @idx: the index in it
 *
 * Returns: (nullable): the token, or %NULL when @dict is out of range
 */
const char *
wa_tokens_get_double (const WaTokens *self,
                      guint           dict,
                      guint8          idx)
{
  if (dict >= WA_TOKENS_N_DICTIONARIES)
    return NULL;
  return self->dictionaries[dict][idx];
}

/**
 * wa_tokens_lookup:
 * @self: a dictionary version's tables
 * @text: a string
 * @dict: (out) (optional): the dictionary of a double-byte token
 * @idx: (out) (optional): the token's index (for a single-byte token, the
 *   byte itself)
 *
 * Finds @text in the token tables. Tokens are unique across all tables of
 * one version, so there is at most one answer. Thread-safe.
 *
 * Returns: whether @text is a token, and of which kind
 */
WaTokenKind
wa_tokens_lookup (const WaTokens *self,
                  const char     *text,
                  guint          *dict,
                  guint8         *idx)
{
  guint16 found = 0;

  g_return_val_if_fail (self != NULL, WA_TOKEN_NONE);
  g_return_val_if_fail (text != NULL, WA_TOKEN_NONE);

  /* The empty string sits at single index 0, which is LIST_EMPTY on the
   * wire, not a token. */
  if (text[0] == '\0')
    return WA_TOKEN_NONE;

  ensure_slots ((WaTokens *)self);
  for (guint slot = g_str_hash (text) & (N_SLOTS - 1); self->slots[slot] != 0; slot = (slot + 1) & (N_SLOTS - 1))
    if (strcmp (code_to_text (self, self->slots[slot] - 1), text) == 0)
      {
        found = self->slots[slot] - 1;
        break;
      }
  if (found == 0)
    return WA_TOKEN_NONE;

  if (idx != NULL)
    *idx = found & 0xff;
  if (found < 256)
    {
      if (dict != NULL)
        *dict = 0;
      return WA_TOKEN_SINGLE;
    }

  if (dict != NULL)
    *dict = (found >> 8) - 1;
  return WA_TOKEN_DOUBLE;
}
