/* xi-core-types.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _XiContact  XiContact;
typedef struct _XiGroup    XiGroup;
typedef struct _XiTemplate XiTemplate;
typedef struct _XiStore    XiStore;

/**
 * XiOnWhatsApp:
 * @XI_ON_WHATSAPP_UNKNOWN: the number was never checked
 * @XI_ON_WHATSAPP_YES: the number has a WhatsApp account
 * @XI_ON_WHATSAPP_NO: the number has no WhatsApp account
 *
 * The last known result of a "who is on WhatsApp" check for a contact.
 */
typedef enum {
  XI_ON_WHATSAPP_UNKNOWN,
  XI_ON_WHATSAPP_YES,
  XI_ON_WHATSAPP_NO,
} XiOnWhatsApp;

/**
 * XiSyncStatus:
 * @XI_SYNC_STATUS_PENDING: changed locally, not yet pushed
 * @XI_SYNC_STATUS_SYNCED: equal to the last server copy
 * @XI_SYNC_STATUS_CONFLICT: the server holds a conflicting change
 * @XI_SYNC_STATUS_REJECTED: the server refused the change
 */
typedef enum {
  XI_SYNC_STATUS_PENDING,
  XI_SYNC_STATUS_SYNCED,
  XI_SYNC_STATUS_CONFLICT,
  XI_SYNC_STATUS_REJECTED,
} XiSyncStatus;

G_END_DECLS
