/* xi-qr.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * XI_QR_QUIET_ZONE:
 *
 * Modules of light border to draw around a symbol: the QR specification
 * asks for four, and phone cameras fail to find a code drawn without it.
 */
#define XI_QR_QUIET_ZONE 4

/**
 * XiQrCode:
 * @size: modules per side, without the quiet zone
 * @modules: @size × @size bytes, row by row; non-zero is a dark module
 *
 * A QR code symbol, ready to draw in a window or a terminal: a matrix of
 * modules, with no notion of pixels, so the UI can scale it by whole
 * pixels per module and keep its edges sharp.
 */
typedef struct
{
  guint   size;
  guint8 *modules;
} XiQrCode;

XiQrCode *xi_qr_code_new          (const char *data,
                                   GError    **error);
void      xi_qr_code_free         (XiQrCode   *self);
gboolean  xi_qr_code_is_dark      (XiQrCode   *self,
                                   int         x,
                                   int         y);
char     *xi_qr_code_to_terminal  (XiQrCode   *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (XiQrCode, xi_qr_code_free)

G_END_DECLS
