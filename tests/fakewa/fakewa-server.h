/* fakewa-server.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "wa-client.h"
#include "wa-crypto.h"

G_BEGIN_DECLS

/**
 * FakewaLidAddressing:
 * @FAKEWA_LID_ADDRESSING_NONE: messages come from the sender's phone-number device
 * @FAKEWA_LID_ADDRESSING_WITH_PN: from its LID device, with sender_pn naming the number
 * @FAKEWA_LID_ADDRESSING_ONLY: from its LID device alone
 */
typedef enum {
  FAKEWA_LID_ADDRESSING_NONE,
  FAKEWA_LID_ADDRESSING_WITH_PN,
  FAKEWA_LID_ADDRESSING_ONLY,
} FakewaLidAddressing;

/**
 * FakewaMediaFault:
 * @FAKEWA_MEDIA_FAULT_NONE: downloads are served as uploaded
 * @FAKEWA_MEDIA_FAULT_CORRUPT: one byte of every download is flipped
 * @FAKEWA_MEDIA_FAULT_TRUNCATE: every download lacks its last bytes
 * @FAKEWA_MEDIA_FAULT_EXPIRED: every path answers 410, as an old one does
 * @FAKEWA_MEDIA_FAULT_STALL: every download is never answered, as behind
 *   a connection that hangs
 *
 * What the media host does wrong when asked to.
 */
typedef enum {
  FAKEWA_MEDIA_FAULT_NONE,
  FAKEWA_MEDIA_FAULT_CORRUPT,
  FAKEWA_MEDIA_FAULT_TRUNCATE,
  FAKEWA_MEDIA_FAULT_EXPIRED,
  FAKEWA_MEDIA_FAULT_STALL,
} FakewaMediaFault;

/* The ack error a media message gets once its upload expired. The notes
 * do not say what the real server answers; any refusal of a media
 * message makes the sender upload again once. */
#define FAKEWA_UPLOAD_EXPIRED "410"

#define FAKEWA_TYPE_SERVER (fakewa_server_get_type ())

/* A stand-in for the WhatsApp server on 127.0.0.1, built on the same
 * protocol library (protocol notes §12): WebSocket, frames, the Noise
 * responder with a certificate chain from its own test root, binary nodes.
 * It answers pings, hands a registering client its pairing refs, plays
 * the phone that scans a QR code, and can drop every connection on
 * command. Signals: "client-payload" (GBytes) for each completed
 * handshake, "paired" (device JID text) once a companion countersigned,
 * "relayed" (sender device, target device, enc type) for each copy of a
 * message it hands on, "phone-receipt" (type, message id) for each
 * peer_msg or hist_sync receipt a companion sends its phone,
 * "key-request" (device) when a companion asks its phone for app-state
 * keys, and "refused" (sender device, recipient, ack error) for each
 * message it refused for want of a privacy token or a time-lock. */
G_DECLARE_FINAL_TYPE (FakewaServer, fakewa_server, FAKEWA, SERVER, GObject)

FakewaServer *fakewa_server_new             (GError       **error);
guint         fakewa_server_get_n_uploads   (FakewaServer  *self);
guint         fakewa_server_get_n_downloads (FakewaServer  *self);
guint         fakewa_server_get_n_media_conns (FakewaServer *self);
void          fakewa_server_set_media_conn_ttl (FakewaServer *self,
                                              guint          ttl_s);
void          fakewa_server_refuse_unlinks  (FakewaServer  *self,
                                             gboolean       refuse);
void          fakewa_server_refuse_uploads  (FakewaServer  *self,
                                             guint          count);
void          fakewa_server_set_upload_answer (FakewaServer *self,
                                               GBytes       *answer);
void          fakewa_server_expire_uploads  (FakewaServer  *self);
void          fakewa_server_set_media_fault (FakewaServer  *self,
                                             FakewaMediaFault fault);
guint16       fakewa_server_serve_media_tls (FakewaServer  *self,
                                             GTlsCertificate *certificate,
                                             GError       **error);
const char   *fakewa_server_get_url         (FakewaServer  *self);
const guint8 *fakewa_server_get_root_key    (FakewaServer  *self);
guint         fakewa_server_get_n_clients   (FakewaServer  *self);
void          fakewa_server_drop_all        (FakewaServer  *self);
void          fakewa_server_stream_error    (FakewaServer  *self,
                                             const char    *code,
                                             const char    *conflict);
void          fakewa_server_set_silent      (FakewaServer  *self,
                                             gboolean       silent);
void          fakewa_server_hold_handshakes (FakewaServer  *self,
                                             gboolean       hold);
void          fakewa_server_drop_after      (FakewaServer  *self,
                                             guint          n);
gboolean      fakewa_server_scan            (FakewaServer  *self,
                                             const char    *qr_text,
                                             const char    *phone,
                                             GError       **error);
const guint8 *fakewa_server_get_phone_identity (FakewaServer *self,
                                                const char   *phone);
guint         fakewa_server_get_prekey_count (FakewaServer *self,
                                              const char   *device_jid);
guint32       fakewa_server_get_signed_prekey_id (FakewaServer *self,
                                                  const char   *device_jid);
void          fakewa_server_forget_prekeys   (FakewaServer *self,
                                              const char   *device_jid);
void          fakewa_server_set_ab_prop      (FakewaServer *self,
                                              const char   *phone,
                                              const char   *code,
                                              const char   *value);
void          fakewa_server_mark_dirty       (FakewaServer *self,
                                              const char   *device_jid,
                                              const char   *type);
guint         fakewa_server_count_dirty      (FakewaServer *self,
                                              const char   *device_jid);
void          fakewa_server_report_prekeys_low (FakewaServer *self,
                                                const char   *device_jid);
guint         fakewa_server_get_n_acks      (FakewaServer  *self);
gboolean      fakewa_server_awaits_receipt  (FakewaServer  *self,
                                             const char    *device_jid,
                                             const char    *id);
char         *fakewa_server_dup_device_lid  (FakewaServer  *self,
                                             const char    *device_jid);
gboolean      fakewa_server_has_device      (FakewaServer  *self,
                                             const char    *device_jid);
void          fakewa_server_add_account     (FakewaServer  *self,
                                             const char    *phone);
void          fakewa_server_refuse_logins   (FakewaServer  *self,
                                             const char    *reason);
void          fakewa_server_set_lid_addressing (FakewaServer *self,
                                                FakewaLidAddressing addressing);
void          fakewa_server_refuse_messages (FakewaServer  *self,
                                             const char    *code);
void          fakewa_server_ban_for         (FakewaServer  *self,
                                             guint          expire_s);
void          fakewa_server_set_backlog_first (FakewaServer *self,
                                               gboolean      backlog_first);
void          fakewa_server_set_repeat_success (FakewaServer *self,
                                                gboolean      repeat);
void          fakewa_server_set_reply_delay (FakewaServer  *self,
                                             guint          delay_ms);
void          fakewa_server_set_first_answer_delay (FakewaServer *self,
                                                    guint         delay_ms);
void          fakewa_server_require_tokens  (FakewaServer  *self,
                                             const char    *phone,
                                             gboolean       required);
void          fakewa_server_set_nct_salt    (FakewaServer  *self,
                                             const char    *phone,
                                             GBytes        *salt);
void          fakewa_server_set_auto_issue  (FakewaServer  *self,
                                             const char    *phone,
                                             gboolean       auto_issue);
void          fakewa_server_issue_token     (FakewaServer  *self,
                                             const char    *issuer,
                                             const char    *holder);
void          fakewa_server_set_timelock    (FakewaServer  *self,
                                             const char    *phone,
                                             guint          seconds,
                                             const char    *kind);
char         *fakewa_server_dup_presence    (FakewaServer  *self,
                                             const char    *device_jid);
guint         fakewa_server_count_tokens    (FakewaServer  *self,
                                             const char    *issuer,
                                             const char    *holder);
void          fakewa_server_set_new_chat_cap (FakewaServer *self,
                                              const char   *phone,
                                              guint         total,
                                              guint         used,
                                              guint         seconds);
void          fakewa_server_advance_clock   (FakewaServer  *self,
                                             gint64         seconds);
void          fakewa_server_push_identity_change (FakewaServer *self,
                                                  const char   *phone,
                                                  const char   *holder);

void          fakewa_server_phone_write     (FakewaServer *self,
                                             const char   *phone,
                                             const char   *device_jid,
                                             const char   *id,
                                             const char   *text);
void          fakewa_server_phone_set_push_name (FakewaServer *self,
                                                 const char   *phone,
                                                 const char   *name);
void          fakewa_server_phone_add_contact (FakewaServer *self,
                                               const char   *phone,
                                               const char   *contact,
                                               const char   *name,
                                               GBytes       *tctoken);
void          fakewa_server_phone_set_nct_salt (FakewaServer *self,
                                                const char   *phone,
                                                GBytes       *salt);
void          fakewa_server_phone_new_key   (FakewaServer  *self,
                                             const char    *phone);
void          fakewa_server_phone_corrupt_answers (FakewaServer *self,
                                                   const char   *phone,
                                                   guint         n);
void          fakewa_server_phone_understate_snapshots (FakewaServer *self,
                                                        const char   *phone,
                                                        gboolean      understate);
void          fakewa_server_phone_migrate_lids (FakewaServer *self,
                                                const char   *phone);
gboolean      fakewa_server_phone_share     (FakewaServer  *self,
                                             const char    *phone,
                                             GError       **error);
gboolean      fakewa_server_phone_share_with (FakewaServer *self,
                                              const char   *phone,
                                              const char   *device_jid,
                                              GError      **error);

/* For tests that drive a WaClient against the server. */
void          fakewa_wait_for_client        (WaClient      *client,
                                             WaClientState  state);
void          fakewa_server_link_client     (FakewaServer  *self,
                                             WaClient      *client,
                                             const char    *phone);

G_END_DECLS
