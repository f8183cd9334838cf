/* xi-vcard.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * XiVCard:
 * @line: line of the card's BEGIN:VCARD
 * @name: (nullable): FN, or the given and family names from N
 * @phone: (nullable): the mobile number if marked, else the first TEL
 * @notes: (nullable): NOTE
 * @tags: CATEGORIES, never %NULL
 * @company: (nullable): the organisation from ORG
 * @email: (nullable): the first EMAIL
 */
typedef struct
{
  guint   line;
  char   *name;
  char   *phone;
  char   *notes;
  char  **tags;
  char   *company;
  char   *email;
} XiVCard;

GPtrArray *xi_vcard_parse (const char *text);
void       xi_vcard_free  (XiVCard    *card);

G_END_DECLS
