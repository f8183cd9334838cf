/* xi-incoming.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-incoming"

#include "config.h"

#include "xi-inbox-private.h"

/* Immutable once made by the store, so it may cross threads. */
struct _XiIncoming
{
  GObject   parent_instance;

  char    *id;
  char    *message_id;
  char    *phone;
  char    *contact_id;
  char    *contact_name;
  char    *job_id;
  char    *text;
  char    *received_at;
  gboolean  is_read;
  char    *opt_out_keyword;
  XiMediaInfo *media;
};

G_DEFINE_FINAL_TYPE (XiIncoming, xi_incoming, G_TYPE_OBJECT)

static void
xi_incoming_finalize (GObject *object)
{
  XiIncoming *self = (XiIncoming *)object;

  g_free (self->id);
  g_free (self->message_id);
  g_free (self->phone);
  g_free (self->contact_id);
  g_free (self->contact_name);
  g_free (self->job_id);
  g_free (self->text);
  g_free (self->received_at);
  g_free (self->opt_out_keyword);
  xi_media_info_free (self->media);

  G_OBJECT_CLASS (xi_incoming_parent_class)->finalize (object);
}

static void
xi_incoming_class_init (XiIncomingClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = xi_incoming_finalize;
}

static void
xi_incoming_init (XiIncoming *self)
{
}

XiIncoming *
_xi_incoming_new (const char *id,
                  const char *message_id,
                  const char *phone,
                  const char *contact_id,
                  const char *contact_name,
                  const char *job_id,
                  const char *text,
                  const char *received_at,
                  gboolean   is_read,
                  const char *opt_out_keyword)
{
  XiIncoming *self = g_object_new (XI_TYPE_INCOMING, NULL);

  self->id = g_strdup (id);
  self->message_id = g_strdup (message_id);
  self->phone = g_strdup (phone);
  self->contact_id = g_strdup (contact_id);
  self->contact_name = g_strdup (contact_name);
  self->job_id = g_strdup (job_id);
  self->text = g_strdup (text);
  self->received_at = g_strdup (received_at);
  self->is_read = !!is_read;
  self->opt_out_keyword = g_strdup (opt_out_keyword);
  return self;
}

/**
 * xi_incoming_get_id:
 * @self: a #XiIncoming
 *
 * Returns: the row id
 */
const char *
xi_incoming_get_id (XiIncoming *self)
{
  g_return_val_if_fail (XI_IS_INCOMING (self), NULL);
  return self->id;
}

/**
 * xi_incoming_get_message_id:
 * @self: a #XiIncoming
 *
 * Returns: the WhatsApp message id
 */
const char *
xi_incoming_get_message_id (XiIncoming *self)
{
  g_return_val_if_fail (XI_IS_INCOMING (self), NULL);
  return self->message_id;
}

/**
 * xi_incoming_get_phone:
 * @self: a #XiIncoming
 *
 * Returns: the sender, E.164 digits
 */
const char *
xi_incoming_get_phone (XiIncoming *self)
{
  g_return_val_if_fail (XI_IS_INCOMING (self), NULL);
  return self->phone;
}

/**
 * xi_incoming_get_contact_id:
 * @self: a #XiIncoming
 *
 * Returns: (nullable): the contact with that number, if any
 */
const char *
xi_incoming_get_contact_id (XiIncoming *self)
{
  g_return_val_if_fail (XI_IS_INCOMING (self), NULL);
  return self->contact_id;
}

/**
 * xi_incoming_get_contact_name:
 * @self: a #XiIncoming
 *
 * Returns: (nullable): that contact's name
 */
const char *
xi_incoming_get_contact_name (XiIncoming *self)
{
  g_return_val_if_fail (XI_IS_INCOMING (self), NULL);
  return self->contact_name;
}

/**
 * xi_incoming_get_job_id:
 * @self: a #XiIncoming
 *
 * Returns: (nullable): the latest campaign that messaged the sender before this arrived
 */
const char *
xi_incoming_get_job_id (XiIncoming *self)
{
  g_return_val_if_fail (XI_IS_INCOMING (self), NULL);
  return self->job_id;
}

/**
 * xi_incoming_get_text:
 * @self: a #XiIncoming
 *
 * Returns: the text
 */
const char *
xi_incoming_get_text (XiIncoming *self)
{
  g_return_val_if_fail (XI_IS_INCOMING (self), NULL);
  return self->text;
}

/**
 * xi_incoming_get_received_at:
 * @self: a #XiIncoming
 *
 * Returns: when it arrived, ISO 8601 UTC
 */
const char *
xi_incoming_get_received_at (XiIncoming *self)
{
  g_return_val_if_fail (XI_IS_INCOMING (self), NULL);
  return self->received_at;
}

/**
 * xi_incoming_get_is_read:
 * @self: a #XiIncoming
 *
 * Returns: whether the user has seen it
 */
gboolean
xi_incoming_get_is_read (XiIncoming *self)
{
  g_return_val_if_fail (XI_IS_INCOMING (self), FALSE);
  return self->is_read;
}

/**
 * xi_incoming_get_opt_out_keyword:
 * @self: a #XiIncoming
 *
 * Returns: (nullable): the keyword when this message opted the sender out
 */
const char *
xi_incoming_get_opt_out_keyword (XiIncoming *self)
{
  g_return_val_if_fail (XI_IS_INCOMING (self), NULL);
  return self->opt_out_keyword;
}

/**
 * xi_incoming_get_media:
 * @self: a #XiIncoming
 *
 * Returns: (nullable) (transfer none): the file the message carries, whose
 *   caption is the message's text
 */
const XiMediaInfo *
xi_incoming_get_media (XiIncoming *self)
{
  g_return_val_if_fail (XI_IS_INCOMING (self), NULL);
  return self->media;
}

/* While the store makes it, before anyone else sees it. */
void
_xi_incoming_take_media (XiIncoming  *self,
                         XiMediaInfo *media)
{
  g_return_if_fail (XI_IS_INCOMING (self));
  g_return_if_fail (self->media == NULL);
  self->media = media;
}
