/* xi-contact-private.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "xi-contact.h"

G_BEGIN_DECLS

XiContact   *_xi_contact_new_from_store   (const char   *id,
                                           const char   *name,
                                           const char   *phone,
                                           const char   *tags_json,
                                           const char   *notes,
                                           const char   *custom_json,
                                           const char   *group_ids_csv,
                                           XiOnWhatsApp  on_whatsapp,
                                           gint64        on_whatsapp_checked_at,
                                           gboolean      opted_out,
                                           gint64        version,
                                           const char   *updated_at);
const char  *_xi_contact_get_custom_json  (XiContact    *self);
char        *_xi_contact_sort_key         (const char   *name);
gboolean     _xi_contact_text_matches     (const char   *name_key,
                                           const char   *phone,
                                           const char   *casefolded_needle);
char       **_xi_strv_from_json           (const char   *json);
char        *_xi_strv_to_json             (const char * const *strv);
void         _xi_json_append_string       (GString      *out,
                                           const char   *value);
gboolean     _xi_contact_fit_json         (JsonObject   *row);

G_END_DECLS
