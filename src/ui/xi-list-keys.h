/* xi-list-keys.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void xi_list_keys_attach (GtkWidget      *list,
                          GtkSearchEntry *search);

G_END_DECLS
