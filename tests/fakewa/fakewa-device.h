/* fakewa-device.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "wa-credentials.h"
#include "wa-node.h"

G_BEGIN_DECLS

/* What the fake server keeps for one device: a linked companion, with the
 * identity it registered when paired, or an account's phone (the primary,
 * device 0), whose keys the server makes itself; for both, the Signal keys it uploaded for others to build
 * sessions with (one-time prekeys are handed out once each), and the
 * stanzas waiting for it while it is offline. */
typedef struct _FakewaDevice FakewaDevice;

FakewaDevice *fakewa_device_new              (const char    *jid,
                                              GBytes        *identity);
FakewaDevice *fakewa_device_new_primary      (const char    *jid,
                                              const WaCredentials *keys);
gboolean      fakewa_device_is_primary       (FakewaDevice  *self);
void          fakewa_device_free             (FakewaDevice  *self);
const char   *fakewa_device_get_jid          (FakewaDevice  *self);
guint         fakewa_device_get_prekey_count (FakewaDevice  *self);
void          fakewa_device_keep_prekeys     (FakewaDevice  *self,
                                              guint          n);
gboolean      fakewa_device_store_keys       (FakewaDevice  *self,
                                              WaNode        *upload,
                                              GError       **error);
gboolean      fakewa_device_rotate_signed    (FakewaDevice  *self,
                                              WaNode        *rotate,
                                              GError       **error);
guint32       fakewa_device_get_signed_id    (FakewaDevice  *self);
void          fakewa_device_forget_keys      (FakewaDevice  *self);
WaNode       *fakewa_device_digest           (FakewaDevice  *self);
WaNode       *fakewa_device_take_bundle      (FakewaDevice  *self);
void          fakewa_device_hold             (FakewaDevice  *self,
                                              WaNode        *stanza);
GPtrArray    *fakewa_device_steal_held       (FakewaDevice  *self);
void          fakewa_device_await_receipt    (FakewaDevice  *self,
                                              WaNode        *message);
void          fakewa_device_confirmed        (FakewaDevice  *self,
                                              const char    *id);
GPtrArray    *fakewa_device_steal_unconfirmed (FakewaDevice *self);
gboolean      fakewa_device_awaits_receipt   (FakewaDevice  *self,
                                              const char    *id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FakewaDevice, fakewa_device_free)

G_END_DECLS
