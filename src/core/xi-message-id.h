/* xi-message-id.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* "3EB0" and 18 upper-case hex digits, as WhatsApp Web names messages. */
#define XI_MESSAGE_ID_LENGTH 22

char *xi_message_id_new (void);

G_END_DECLS
