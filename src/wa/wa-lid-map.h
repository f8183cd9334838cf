/* wa-lid-map.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "wa-key-store.h"

G_BEGIN_DECLS

/* Key store kinds of the one persistent LID <-> phone number table: the
 * key and the value are bare users (digits, no server, no device). */
#define WA_LID_MAP_KIND_LID_PN "lid-pn"
#define WA_LID_MAP_KIND_PN_LID "pn-lid"

gboolean  wa_lid_map_remember  (WaKeyStore *store,
                                const char *lid_user,
                                const char *pn_user);
char     *wa_lid_map_pn_of_lid (WaKeyStore *store,
                                const char *lid_user);
char     *wa_lid_map_lid_of_pn (WaKeyStore *store,
                                const char *pn_user);
gboolean  wa_lid_map_is_user   (const char *user);

G_END_DECLS
