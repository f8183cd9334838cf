/* xi-page.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "xi-context.h"

G_BEGIN_DECLS

#define XI_TYPE_PAGE (xi_page_get_type ())

G_DECLARE_DERIVABLE_TYPE (XiPage, xi_page, XI, PAGE, AdwBin)

/**
 * XiPageClass:
 * @context_set: called once the page has its #XiContext
 *
 * A page of the main window. The window hands every page the shared
 * #XiContext and shows the toasts pages emit with "add-toast".
 */
struct _XiPageClass
{
  AdwBinClass parent_class;

  void (*context_set) (XiPage    *self,
                       XiContext *context);
};

XiContext *xi_page_get_context (XiPage     *self);
void       xi_page_toast       (XiPage     *self,
                                const char *format,
                                ...) G_GNUC_PRINTF (2, 3);

G_END_DECLS
