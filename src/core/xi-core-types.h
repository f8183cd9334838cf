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
typedef struct _XiJob      XiJob;
typedef struct _XiAsset    XiAsset;

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

/**
 * XiAssetKind:
 * @XI_ASSET_KIND_IMAGE: a picture WhatsApp shows inline (JPEG, PNG, WebP)
 * @XI_ASSET_KIND_DOCUMENT: any other file, sent with its name
 *
 * How an asset is sent, decided by its content.
 */
typedef enum {
  XI_ASSET_KIND_IMAGE,
  XI_ASSET_KIND_DOCUMENT,
} XiAssetKind;

/**
 * XiJobState:
 * @XI_JOB_STATE_PENDING: waiting in the queue (or for its start time)
 * @XI_JOB_STATE_PROCESSING: being sent now
 * @XI_JOB_STATE_PAUSED: held by the user, or created without starting
 * @XI_JOB_STATE_RETRYING: waiting for the connection or a retry to come back
 * @XI_JOB_STATE_COMPLETED: every recipient was sent, failed or skipped
 * @XI_JOB_STATE_FAILED: stopped because messages kept failing; the unsent
 *   were skipped
 * @XI_JOB_STATE_CANCELLED: stopped by the user; the unsent were skipped
 *
 * The campaign state machine of DESIGN.md, "The campaign write-ahead log".
 * The names match the `jobs.state` column.
 */
typedef enum {
  XI_JOB_STATE_PENDING,
  XI_JOB_STATE_PROCESSING,
  XI_JOB_STATE_PAUSED,
  XI_JOB_STATE_RETRYING,
  XI_JOB_STATE_COMPLETED,
  XI_JOB_STATE_FAILED,
  XI_JOB_STATE_CANCELLED,
} XiJobState;

/**
 * XiRecipientState:
 * @XI_RECIPIENT_STATE_PENDING: not sent yet (maybe waiting for a retry)
 * @XI_RECIPIENT_STATE_SENDING: handed to the transport, no ack yet
 * @XI_RECIPIENT_STATE_SENT: the server acknowledged the message
 * @XI_RECIPIENT_STATE_DELIVERED: the recipient's phone received it
 * @XI_RECIPIENT_STATE_READ: the recipient opened it
 * @XI_RECIPIENT_STATE_FAILED: gave up; see the error
 * @XI_RECIPIENT_STATE_SKIPPED: never sent; see the skip reason
 */
typedef enum {
  XI_RECIPIENT_STATE_PENDING,
  XI_RECIPIENT_STATE_SENDING,
  XI_RECIPIENT_STATE_SENT,
  XI_RECIPIENT_STATE_DELIVERED,
  XI_RECIPIENT_STATE_READ,
  XI_RECIPIENT_STATE_FAILED,
  XI_RECIPIENT_STATE_SKIPPED,
} XiRecipientState;

/**
 * XiSkipReason:
 * @XI_SKIP_REASON_NONE: not skipped
 * @XI_SKIP_REASON_OPTED_OUT: the contact asked not to be messaged
 * @XI_SKIP_REASON_DUPLICATE: the same number is already in the campaign
 * @XI_SKIP_REASON_INVALID_NUMBER: the number cannot be a phone number
 * @XI_SKIP_REASON_NOT_ON_WHATSAPP: a check found no WhatsApp account
 * @XI_SKIP_REASON_CANCELLED: the campaign was cancelled before this one
 * @XI_SKIP_REASON_STOPPED: the campaign stopped on errors before this one
 * @XI_SKIP_REASON_REFUSED_NEW_CONTACT: (on a failed recipient) WhatsApp
 *   refused a first message to someone who never wrote to the account
 *   (ack 463); never sent again
 * @XI_SKIP_REASON_NEW_CHATS_PAUSED: (on a pending recipient) waiting for
 *   the end of WhatsApp's time-lock or new-chat cap, which its retry time
 *   holds
 */
typedef enum {
  XI_SKIP_REASON_NONE,
  XI_SKIP_REASON_OPTED_OUT,
  XI_SKIP_REASON_DUPLICATE,
  XI_SKIP_REASON_INVALID_NUMBER,
  XI_SKIP_REASON_NOT_ON_WHATSAPP,
  XI_SKIP_REASON_CANCELLED,
  XI_SKIP_REASON_STOPPED,
  XI_SKIP_REASON_REFUSED_NEW_CONTACT,
  XI_SKIP_REASON_NEW_CHATS_PAUSED,
} XiSkipReason;

/**
 * XiVariantMode:
 * @XI_VARIANT_MODE_RANDOM: each recipient gets a variant at random
 * @XI_VARIANT_MODE_ROUND_ROBIN: variants are used in turn
 */
typedef enum {
  XI_VARIANT_MODE_RANDOM,
  XI_VARIANT_MODE_ROUND_ROBIN,
} XiVariantMode;

G_END_DECLS
