/* xi-limits.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-limits"

#include "config.h"

#include <glib/gi18n.h>

#include "xi-limits.h"

G_DEFINE_QUARK (xi-limit-error-quark, xi_limit_error)

/* Characters of @text, counting no further than one past @max so that a
 * megabyte of text costs no more than a short one. */
static gsize
chars_beyond (const char *text,
              gsize       max)
{
  gsize n = 0;

  if (text == NULL)
    return 0;
  for (const char *p = text; *p != '\0' && n <= max; p = g_utf8_next_char (p))
    n++;
  return n;
}

/**
 * xi_limit_check_name:
 * @name: (nullable): a contact, group or template name
 * @error: return location for a #GError in %XI_LIMIT_ERROR
 *
 * Returns: whether @name has at most %XI_LIMIT_NAME_CHARS characters
 */
gboolean
xi_limit_check_name (const char  *name,
                     GError     **error)
{
  if (chars_beyond (name, XI_LIMIT_NAME_CHARS) <= XI_LIMIT_NAME_CHARS)
    return TRUE;

  g_set_error (error, XI_LIMIT_ERROR, XI_LIMIT_ERROR_TOO_LONG,
               _("The name is longer than %u characters. Shorten it."), XI_LIMIT_NAME_CHARS);
  return FALSE;
}

/**
 * xi_limit_check_tags:
 * @tags: (nullable) (array zero-terminated=1): a contact's tags
 * @error: return location for a #GError in %XI_LIMIT_ERROR
 *
 * Returns: whether there are at most %XI_LIMIT_TAGS tags of at most
 *   %XI_LIMIT_TAG_CHARS characters each
 */
gboolean
xi_limit_check_tags (const char * const  *tags,
                     GError             **error)
{
  guint n = 0;

  for (; tags != NULL && tags[n] != NULL; n++)
    if (chars_beyond (tags[n], XI_LIMIT_TAG_CHARS) > XI_LIMIT_TAG_CHARS)
      {
        g_set_error (error, XI_LIMIT_ERROR, XI_LIMIT_ERROR_TOO_LONG,
                     _("A tag is longer than %u characters. Use a short label as a tag "
                       "and put longer text in the notes."), XI_LIMIT_TAG_CHARS);
        return FALSE;
      }
  if (n <= XI_LIMIT_TAGS)
    return TRUE;

  g_set_error (error, XI_LIMIT_ERROR, XI_LIMIT_ERROR_TOO_MANY,
               _("A contact can have at most %u tags. Remove some of them."), XI_LIMIT_TAGS);
  return FALSE;
}

/**
 * xi_limit_check_notes:
 * @notes: (nullable): a contact's notes
 * @error: return location for a #GError in %XI_LIMIT_ERROR
 *
 * Returns: whether @notes has at most %XI_LIMIT_NOTES_CHARS characters
 */
gboolean
xi_limit_check_notes (const char  *notes,
                      GError     **error)
{
  if (chars_beyond (notes, XI_LIMIT_NOTES_CHARS) <= XI_LIMIT_NOTES_CHARS)
    return TRUE;

  g_set_error (error, XI_LIMIT_ERROR, XI_LIMIT_ERROR_TOO_LONG,
               _("The notes are longer than %u characters. Shorten them."), XI_LIMIT_NOTES_CHARS);
  return FALSE;
}

/**
 * xi_limit_check_field:
 * @key: a custom field's name
 * @value: (nullable): its value
 * @error: return location for a #GError in %XI_LIMIT_ERROR
 *
 * Returns: whether @key has at most %XI_LIMIT_FIELD_NAME_CHARS characters
 *   and @value at most %XI_LIMIT_FIELD_CHARS
 */
gboolean
xi_limit_check_field (const char  *key,
                      const char  *value,
                      GError     **error)
{
  if (chars_beyond (key, XI_LIMIT_FIELD_NAME_CHARS) > XI_LIMIT_FIELD_NAME_CHARS)
    {
      g_set_error (error, XI_LIMIT_ERROR, XI_LIMIT_ERROR_TOO_LONG,
                   _("A field name is longer than %u characters. Give the field a shorter "
                     "name."), XI_LIMIT_FIELD_NAME_CHARS);
      return FALSE;
    }
  if (chars_beyond (value, XI_LIMIT_FIELD_CHARS) > XI_LIMIT_FIELD_CHARS)
    {
      g_set_error (error, XI_LIMIT_ERROR, XI_LIMIT_ERROR_TOO_LONG,
                   _("The field “%s” is longer than %u characters. Shorten it."),
                   key, XI_LIMIT_FIELD_CHARS);
      return FALSE;
    }
  return TRUE;
}

/**
 * xi_limit_check_field_count:
 * @n_fields: how many custom fields a contact or a file has
 * @error: return location for a #GError in %XI_LIMIT_ERROR
 *
 * Returns: whether @n_fields is at most %XI_LIMIT_FIELDS
 */
gboolean
xi_limit_check_field_count (guint    n_fields,
                            GError **error)
{
  if (n_fields <= XI_LIMIT_FIELDS)
    return TRUE;

  g_set_error (error, XI_LIMIT_ERROR, XI_LIMIT_ERROR_TOO_MANY,
               _("There are %u custom fields; at most %u are kept per contact. Remove the "
                 "columns you do not need in messages."), n_fields, XI_LIMIT_FIELDS);
  return FALSE;
}

/**
 * xi_limit_check_variant:
 * @text: the text of one variant of a template
 * @number: its number, from 1, for the message
 * @error: return location for a #GError in %XI_LIMIT_ERROR
 *
 * Returns: whether @text has at most %XI_LIMIT_VARIANT_CHARS characters
 */
gboolean
xi_limit_check_variant (const char  *text,
                        guint        number,
                        GError     **error)
{
  if (chars_beyond (text, XI_LIMIT_VARIANT_CHARS) <= XI_LIMIT_VARIANT_CHARS)
    return TRUE;

  g_set_error (error, XI_LIMIT_ERROR, XI_LIMIT_ERROR_TOO_LONG,
               _("Variant %u is longer than %u characters, more than WhatsApp accepts in a "
                 "message. Shorten it."), number, XI_LIMIT_VARIANT_CHARS);
  return FALSE;
}

/**
 * xi_limit_check_variants:
 * @variants: (nullable) (array zero-terminated=1): a template's variants
 * @error: return location for a #GError in %XI_LIMIT_ERROR
 *
 * Returns: whether there are at most %XI_LIMIT_VARIANTS variants, each
 *   passing xi_limit_check_variant()
 */
gboolean
xi_limit_check_variants (const char * const  *variants,
                         GError             **error)
{
  guint n = 0;

  for (; variants != NULL && variants[n] != NULL; n++)
    if (!xi_limit_check_variant (variants[n], n + 1, error))
      return FALSE;
  if (n <= XI_LIMIT_VARIANTS)
    return TRUE;

  g_set_error (error, XI_LIMIT_ERROR, XI_LIMIT_ERROR_TOO_MANY,
               _("A template can have at most %u variants. Remove some of them."),
               XI_LIMIT_VARIANTS);
  return FALSE;
}

/**
 * xi_limit_check_message:
 * @text: a message as it is sent
 * @error: return location for a #GError in %XI_LIMIT_ERROR
 *
 * Returns: whether @text has at most %XI_LIMIT_MESSAGE_CHARS characters,
 *   the most WhatsApp accepts
 */
gboolean
xi_limit_check_message (const char  *text,
                        GError     **error)
{
  /* Every message of a campaign is checked: most are far shorter in
   * bytes than the limit in characters, which settles it at once. */
  if (text == NULL || strlen (text) <= XI_LIMIT_MESSAGE_CHARS ||
      chars_beyond (text, XI_LIMIT_MESSAGE_CHARS) <= XI_LIMIT_MESSAGE_CHARS)
    return TRUE;

  xi_limit_set_message_error (error);
  return FALSE;
}

/**
 * xi_limit_cut_message:
 * @text: (nullable): a message as it arrived from outside
 *
 * Makes @text something the app can show and sync can carry: valid UTF-8
 * of at most %XI_LIMIT_MESSAGE_CHARS characters (the most the server
 * keeps), ending in "…" where it had to be cut.
 *
 * Returns: (transfer full): the text to store
 */
char *
xi_limit_cut_message (const char *text)
{
  return xi_limit_cut_text (text, XI_LIMIT_MESSAGE_CHARS);
}

/**
 * xi_limit_cut_text:
 * @text: (nullable): a text as it arrived from outside
 * @max: the most characters it may have, at least 1
 *
 * Makes @text valid UTF-8 of at most @max characters, ending in "…"
 * where it had to be cut.
 *
 * Returns: (transfer full): the text to store
 */
char *
xi_limit_cut_text (const char *text,
                   guint       max)
{
  g_autofree char *valid = g_utf8_make_valid (text != NULL ? text : "", -1);

  g_return_val_if_fail (max > 0, NULL);

  if (chars_beyond (valid, max) <= max)
    return g_steal_pointer (&valid);
  *g_utf8_offset_to_pointer (valid, max - 1) = '\0';
  return g_strconcat (valid, "…", NULL);
}

/**
 * xi_limit_set_message_error:
 * @error: return location for a #GError in %XI_LIMIT_ERROR
 *
 * Sets the error of a message longer than %XI_LIMIT_MESSAGE_CHARS.
 */
void
xi_limit_set_message_error (GError **error)
{
  g_set_error (error, XI_LIMIT_ERROR, XI_LIMIT_ERROR_TOO_LONG,
               _("The message is longer than %u characters, more than WhatsApp accepts. "
                 "Shorten it."), XI_LIMIT_MESSAGE_CHARS);
}

/**
 * xi_limit_check_file_size:
 * @size: the size of a file to import, in bytes
 * @error: return location for a #GError in %XI_LIMIT_ERROR
 *
 * Returns: whether @size is at most %XI_LIMIT_IMPORT_BYTES
 */
gboolean
xi_limit_check_file_size (goffset   size,
                          GError  **error)
{
  if (size <= XI_LIMIT_IMPORT_BYTES)
    return TRUE;

  g_set_error (error, XI_LIMIT_ERROR, XI_LIMIT_ERROR_TOO_BIG,
               _("The file is larger than %u MB, too large for a contact list. Split it "
                 "into several files and import them one after the other."),
               XI_LIMIT_IMPORT_BYTES / (1024 * 1024));
  return FALSE;
}
