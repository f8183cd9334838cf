/* xi-phone.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define XI_PHONE_ERROR (xi_phone_error_quark ())

/**
 * XiPhoneError:
 * @XI_PHONE_ERROR_EMPTY: no digits at all
 * @XI_PHONE_ERROR_INVALID_CHARACTERS: letters or symbols that never appear in a number
 * @XI_PHONE_ERROR_SPREADSHEET_MANGLED: the cell was turned into a number by a spreadsheet
 *   (scientific notation such as 6.28123E+12), so digits were lost
 * @XI_PHONE_ERROR_TOO_SHORT: fewer digits than any number of that country
 * @XI_PHONE_ERROR_TOO_LONG: more digits than E.164 or the country allows
 * @XI_PHONE_ERROR_UNKNOWN_COUNTRY: the international prefix is not a country calling code
 * @XI_PHONE_ERROR_INVALID_FOR_COUNTRY: the digits cannot be a number of that country
 *
 * Why a phone number could not be normalised. Every error message is a
 * translated sentence that tells the user what to fix.
 */
typedef enum {
  XI_PHONE_ERROR_EMPTY,
  XI_PHONE_ERROR_INVALID_CHARACTERS,
  XI_PHONE_ERROR_SPREADSHEET_MANGLED,
  XI_PHONE_ERROR_TOO_SHORT,
  XI_PHONE_ERROR_TOO_LONG,
  XI_PHONE_ERROR_UNKNOWN_COUNTRY,
  XI_PHONE_ERROR_INVALID_FOR_COUNTRY,
} XiPhoneError;

GQuark    xi_phone_error_quark            (void);

char     *xi_phone_normalize              (const char  *input,
                                           const char  *default_country_code,
                                           GError     **error);
gboolean  xi_phone_is_country_code        (const char  *country_code);
gboolean  xi_phone_is_valid               (const char  *e164_digits);
char     *xi_phone_format_international   (const char  *e164_digits);
gboolean  xi_phone_is_lid                 (const char  *address);
char     *xi_phone_format_address         (const char  *address);

G_END_DECLS
