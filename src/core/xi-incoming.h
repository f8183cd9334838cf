/* xi-incoming.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "xi-media-info.h"

G_BEGIN_DECLS

#define XI_TYPE_INCOMING (xi_incoming_get_type ())

/* One message a customer sent us, as stored in the inbox. */
G_DECLARE_FINAL_TYPE (XiIncoming, xi_incoming, XI, INCOMING, GObject)

const char *xi_incoming_get_id              (XiIncoming *self);
const char *xi_incoming_get_message_id      (XiIncoming *self);
const char *xi_incoming_get_phone           (XiIncoming *self);
const char *xi_incoming_get_contact_id      (XiIncoming *self);
const char *xi_incoming_get_contact_name    (XiIncoming *self);
const char *xi_incoming_get_job_id          (XiIncoming *self);
const char *xi_incoming_get_text            (XiIncoming *self);
const char *xi_incoming_get_received_at     (XiIncoming *self);
gboolean    xi_incoming_get_is_read         (XiIncoming *self);
const char *xi_incoming_get_opt_out_keyword (XiIncoming *self);
const XiMediaInfo *xi_incoming_get_media (XiIncoming *self);

G_END_DECLS
