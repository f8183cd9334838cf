/* wa-tokens.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Version 3 of the dictionaries (whatsmeow's DictVersion): what this
 * client speaks. wa_tokens_get() also knows version 2. */
#define WA_TOKENS_DICT_VERSION   3
#define WA_TOKENS_N_SINGLE       236
#define WA_TOKENS_N_DICTIONARIES 4

/**
 * WaTokenKind:
 * @WA_TOKEN_NONE: the string is not a token
 * @WA_TOKEN_SINGLE: a single-byte token; the index is the byte
 * @WA_TOKEN_DOUBLE: a double-byte token; the bytes are 236 + dictionary, index
 *
 * How a string is written when it is one of the protocol's tokens.
 */
typedef enum {
  WA_TOKEN_NONE,
  WA_TOKEN_SINGLE,
  WA_TOKEN_DOUBLE,
} WaTokenKind;

/* One dictionary version's tables; static, never freed. */
typedef struct _WaTokens WaTokens;

const WaTokens *wa_tokens_get         (guint           dict_version);
guint           wa_tokens_get_version (const WaTokens *self);
const char     *wa_tokens_get_single  (const WaTokens *self,
                                       guint8          idx);
const char     *wa_tokens_get_double  (const WaTokens *self,
                                       guint           dict,
                                       guint8          idx);
WaTokenKind     wa_tokens_lookup      (const WaTokens *self,
                                       const char     *text,
                                       guint          *dict,
                                       guint8         *idx);

G_END_DECLS
