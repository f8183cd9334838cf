/* xi-qr.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-qr"

#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gi18n.h>
#include <qrencode.h>

#include "xi-qr.h"

/**
 * xi_qr_code_new:
 * @data: the text to encode (the pairing data is ASCII)
 * @error: return location for a #GError
 *
 * Encodes @data as 8-bit data with low error correction, which is what
 * WhatsApp's own linking codes use and keeps the symbol small.
 *
 * Returns: (transfer full): the symbol, or %NULL with @error set
 */
XiQrCode *
xi_qr_code_new (const char  *data,
                GError     **error)
{
  QRcode *qr;
  XiQrCode *self;

  g_return_val_if_fail (data != NULL, NULL);

  qr = QRcode_encodeString8bit (data, 0, QR_ECLEVEL_L);
  if (qr == NULL)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not draw the linking code: %s"), g_strerror (saved_errno));
      return NULL;
    }

  self = g_new0 (XiQrCode, 1);
  self->size = (guint)qr->width;
  self->modules = g_malloc (self->size * self->size);
  for (guint i = 0; i < self->size * self->size; i++)
    self->modules[i] = qr->data[i] & 1;
  QRcode_free (qr);

  return self;
}

void
xi_qr_code_free (XiQrCode *self)
{
  if (self == NULL)
    return;
  g_free (self->modules);
  g_free (self);
}

/* Coordinates outside the symbol are the light quiet zone. */
gboolean
xi_qr_code_is_dark (XiQrCode *self,
                    int       x,
                    int       y)
{
  if (x < 0 || y < 0 || x >= (int)self->size || y >= (int)self->size)
    return FALSE;
  return self->modules[y * self->size + x] != 0;
}

/**
 * xi_qr_code_to_terminal:
 * @self: a #XiQrCode
 *
 * Draws the symbol with Unicode half blocks, two modules per character
 * cell, light on dark terminals and dark on light ones alike because the
 * quiet zone is drawn too.
 *
 * Returns: (transfer full): lines of text ending in newlines
 */
char *
xi_qr_code_to_terminal (XiQrCode *self)
{
  GString *out = g_string_new (NULL);
  int first = -XI_QR_QUIET_ZONE;
  int last = (int)self->size + XI_QR_QUIET_ZONE;

  for (int y = first; y < last; y += 2)
    {
      for (int x = first; x < last; x++)
        {
          gboolean top = !xi_qr_code_is_dark (self, x, y);
          gboolean bottom = y + 1 < last && !xi_qr_code_is_dark (self, x, y + 1);

          /* Light modules are drawn as ink, so the code reads as dark on
           * a light field on the usual dark terminal background. */
          if (top && bottom)
            g_string_append (out, "\u2588");
          else if (top)
            g_string_append (out, "\u2580");
          else if (bottom)
            g_string_append (out, "\u2584");
          else
            g_string_append_c (out, ' ');
        }
      g_string_append_c (out, '\n');
    }

  return g_string_free (out, FALSE);
}
