/* xi-asset.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-asset"

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <string.h>

#include "xi-asset-private.h"
#include "xi-store.h"

/* A file of the asset library: its bytes live in the data folder under
 * their SHA-256, so the same file added twice is kept once and a campaign
 * that names the hash always sends the bytes it was made with. Immutable
 * once built, so it may be handed from the store thread to any other. */
struct _XiAsset
{
  GObject   parent_instance;

  char     *id;
  char     *name;
  char     *mime_type;
  char     *sha256;
  char     *path;
  char     *created_at;
  guint64   size;
};

G_DEFINE_FINAL_TYPE (XiAsset, xi_asset, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  PROP_SIZE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Auxiliary methods */

static gboolean
has_prefix (const guint8 *head,
            gsize         length,
            const char   *magic,
            gsize         magic_length)
{
  return length >= magic_length && memcmp (head, magic, magic_length) == 0;
}

static gboolean
contains (const guint8 *head,
          gsize         length,
          const char   *needle)
{
  return memmem (head, length, needle, strlen (needle)) != NULL;
}

/* UTF-8 throughout, but for a character the head may cut in two. */
static gboolean
looks_like_text (const guint8 *head,
                 gsize         length)
{
  const char *end = NULL;

  if (g_utf8_validate ((const char *)head, length, &end))
    return TRUE;
  return length - (gsize)(end - (const char *)head) < 4 &&
         g_utf8_get_char_validated (end, length - (end - (const char *)head)) == (gunichar)-2;
}

/* An office file is a ZIP whose entry names say what it holds; they are
 * stored uncompressed in each entry's header, and the writers put the
 * main part among the first entries. */
static const char *
sniff_zip (const guint8 *head,
           gsize         length)
{
  if (contains (head, length, "word/"))
    return "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
  if (contains (head, length, "xl/"))
    return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  if (contains (head, length, "ppt/"))
    return "application/vnd.openxmlformats-officedocument.presentationml.presentation";
  return "application/zip";
}

/* Object */

static void
xi_asset_finalize (GObject *object)
{
  XiAsset *self = (XiAsset *)object;

  g_free (self->id);
  g_free (self->name);
  g_free (self->mime_type);
  g_free (self->sha256);
  g_free (self->path);
  g_free (self->created_at);

  G_OBJECT_CLASS (xi_asset_parent_class)->finalize (object);
}

static void
xi_asset_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  XiAsset *self = XI_ASSET (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_SIZE:
      g_value_set_uint64 (value, self->size);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
xi_asset_class_init (XiAssetClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = xi_asset_finalize;
  object_class->get_property = xi_asset_get_property;

  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_SIZE] =
    g_param_spec_uint64 ("size", NULL, NULL, 0, G_MAXUINT64, 0,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
xi_asset_init (XiAsset *self)
{
}

XiAsset *
_xi_asset_new_from_store (const char *id,
                          const char *name,
                          const char *mime_type,
                          guint64     size,
                          const char *sha256,
                          const char *path,
                          const char *created_at)
{
  XiAsset *self = xi_asset_new (name, mime_type, size, sha256, path);

  self->id = g_strdup (id);
  self->created_at = g_strdup (created_at);
  return self;
}

/* Public API */

/**
 * xi_asset_sniff:
 * @head: (array length=length): the first bytes of a file, up to
 *   %XI_ASSET_SNIFF_BYTES
 * @length: how many there are
 * @kind: (out): whether WhatsApp shows it as a picture or a document
 *
 * What a file is, from its content alone: a name can lie, and WhatsApp
 * shows a picture only when its bytes are one.
 *
 * Returns: its MIME type
 */
const char *
xi_asset_sniff (const guint8 *head,
                gsize         length,
                XiAssetKind  *kind)
{
  static const struct
  {
    const char *magic;
    gsize       length;
    const char *mime_type;
  } documents[] = {
    { "%PDF-", 5, "application/pdf" },
    { "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8, "application/x-ole-storage" },
    { "GIF8", 4, "image/gif" },
  };

  g_return_val_if_fail (head != NULL || length == 0, NULL);
  g_return_val_if_fail (kind != NULL, NULL);

  *kind = XI_ASSET_KIND_IMAGE;
  if (has_prefix (head, length, "\xff\xd8\xff", 3))
    return "image/jpeg";
  if (has_prefix (head, length, "\x89PNG\r\n\x1a\n", 8))
    return "image/png";
  if (has_prefix (head, length, "RIFF", 4) && length >= 12 && memcmp (head + 8, "WEBP", 4) == 0)
    return "image/webp";

  *kind = XI_ASSET_KIND_DOCUMENT;
  for (guint i = 0; i < G_N_ELEMENTS (documents); i++)
    if (has_prefix (head, length, documents[i].magic, documents[i].length))
      return documents[i].mime_type;
  if (has_prefix (head, length, "PK\x03\x04", 4))
    return sniff_zip (head, length);
  if (length > 0 && memchr (head, '\0', length) == NULL && looks_like_text (head, length))
    return "text/plain";
  return "application/octet-stream";
}

/**
 * xi_asset_check_size:
 * @kind: how it would be sent
 * @size: its size in bytes
 * @error: says what is wrong and what to do
 *
 * Returns: whether WhatsApp takes a file of this size
 */
gboolean
xi_asset_check_size (XiAssetKind   kind,
                     guint64       size,
                     GError      **error)
{
  guint64 limit = kind == XI_ASSET_KIND_IMAGE ? XI_ASSET_MAX_IMAGE_BYTES : XI_ASSET_MAX_DOCUMENT_BYTES;
  g_autofree char *limit_text = NULL;
  g_autofree char *size_text = NULL;

  if (size == 0)
    {
      g_set_error_literal (error, XI_STORE_ERROR, XI_STORE_ERROR_INVALID,
                           _("The file is empty. Choose a file with content."));
      return FALSE;
    }
  if (size <= limit)
    return TRUE;

  limit_text = g_format_size (limit);
  size_text = g_format_size (size);
  g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_INVALID,
               kind == XI_ASSET_KIND_IMAGE
               ? _("The picture is %s; WhatsApp sends pictures up to %s. Make it smaller first.")
               : _("The file is %s; WhatsApp sends documents up to %s. Choose a smaller file."),
               size_text, limit_text);
  return FALSE;
}

/**
 * xi_asset_new:
 * @name: the file's name, shown to users and sent with a document
 * @mime_type: what its content is
 * @size: in bytes
 * @sha256: the SHA-256 of its content, in lower-case hexadecimal
 * @path: (nullable): where its bytes are on this computer
 *
 * Returns: (transfer full): an asset that is not in the library, such as
 *   the one a campaign recorded when it was made
 */
XiAsset *
xi_asset_new (const char *name,
              const char *mime_type,
              guint64     size,
              const char *sha256,
              const char *path)
{
  XiAsset *self;

  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (mime_type != NULL, NULL);
  g_return_val_if_fail (sha256 != NULL, NULL);

  self = g_object_new (XI_TYPE_ASSET, NULL);
  self->name = g_strdup (name);
  self->mime_type = g_strdup (mime_type);
  self->size = size;
  self->sha256 = g_strdup (sha256);
  self->path = g_strdup (path);
  return self;
}

const char *
xi_asset_get_id (XiAsset *self)
{
  g_return_val_if_fail (XI_IS_ASSET (self), NULL);
  return self->id;
}

const char *
xi_asset_get_name (XiAsset *self)
{
  g_return_val_if_fail (XI_IS_ASSET (self), NULL);
  return self->name;
}

const char *
xi_asset_get_mime_type (XiAsset *self)
{
  g_return_val_if_fail (XI_IS_ASSET (self), NULL);
  return self->mime_type;
}

/**
 * xi_asset_get_kind:
 * @self: a #XiAsset
 *
 * Returns: %XI_ASSET_KIND_IMAGE for the picture types WhatsApp shows
 *   inline, %XI_ASSET_KIND_DOCUMENT for anything else
 */
XiAssetKind
xi_asset_get_kind (XiAsset *self)
{
  g_return_val_if_fail (XI_IS_ASSET (self), XI_ASSET_KIND_DOCUMENT);

  if (g_str_equal (self->mime_type, "image/jpeg") || g_str_equal (self->mime_type, "image/png") ||
      g_str_equal (self->mime_type, "image/webp"))
    return XI_ASSET_KIND_IMAGE;
  return XI_ASSET_KIND_DOCUMENT;
}

guint64
xi_asset_get_size (XiAsset *self)
{
  g_return_val_if_fail (XI_IS_ASSET (self), 0);
  return self->size;
}

const char *
xi_asset_get_sha256 (XiAsset *self)
{
  g_return_val_if_fail (XI_IS_ASSET (self), NULL);
  return self->sha256;
}

/**
 * xi_asset_get_path:
 * @self: a #XiAsset
 *
 * Returns: (nullable): where the bytes are on this computer; %NULL for an
 *   asset another computer of the account added
 */
const char *
xi_asset_get_path (XiAsset *self)
{
  g_return_val_if_fail (XI_IS_ASSET (self), NULL);
  return self->path;
}

const char *
xi_asset_get_created_at (XiAsset *self)
{
  g_return_val_if_fail (XI_IS_ASSET (self), NULL);
  return self->created_at;
}

/**
 * xi_asset_update_from:
 * @self: a #XiAsset a model holds
 * @newer: a newer copy of the same asset, as the store read it
 *
 * Takes @newer's fields, so that views of @self show a rename made on
 * another computer.
 */
void
xi_asset_update_from (XiAsset *self,
                      XiAsset *newer)
{
  g_return_if_fail (XI_IS_ASSET (self));
  g_return_if_fail (XI_IS_ASSET (newer));

  g_object_freeze_notify (G_OBJECT (self));
  if (g_strcmp0 (self->name, newer->name) != 0)
    {
      g_free (self->name);
      self->name = g_strdup (newer->name);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
    }
  if (self->size != newer->size)
    {
      self->size = newer->size;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIZE]);
    }
  g_free (self->mime_type);
  self->mime_type = g_strdup (newer->mime_type);
  g_free (self->sha256);
  self->sha256 = g_strdup (newer->sha256);
  g_free (self->path);
  self->path = g_strdup (newer->path);
  g_free (self->created_at);
  self->created_at = g_strdup (newer->created_at);
  g_object_thaw_notify (G_OBJECT (self));
}
