/* xi-phone.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-phone"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "xi-phone.h"

/*
 * Phone numbers as people type them into spreadsheets, normalised to
 * E.164 digits ("6281234567890"). WhatsApp addresses accounts by those
 * digits, so a number that is normalised wrongly is a message sent to a
 * stranger or to nobody; when in doubt we refuse with a reason instead of
 * guessing.
 */

G_DEFINE_QUARK (xi-phone-error-quark, xi_phone_error)

#define E164_MAX_DIGITS 15

typedef struct
{
  const char *code;
  guint8      nsn_min;       /* national significant number length */
  guint8      nsn_max;
  gboolean    trunk_zero;    /* national form starts with a 0 that E.164 drops */
} Country;

/*
 * Country calling codes (ITU-T E.164 assignments). Lengths are given for
 * the countries whose numbering plans we check; the others accept any
 * plausible length. The codes are prefix-free, so the first match wins.
 */
static const Country countries[] = {
  { "1",   10, 10, FALSE },     /* North America (NANP) */
  { "7",   10, 10, FALSE },     /* Russia, Kazakhstan (trunk prefix 8) */
  { "20",   9, 10, TRUE },
  { "27",   9,  9, TRUE },
  { "30",  10, 10, FALSE },
  { "31",   9,  9, TRUE },
  { "32",   8,  9, TRUE },
  { "33",   9,  9, TRUE },
  { "34",   9,  9, FALSE },
  { "36",   8,  9, TRUE },
  { "39",   6, 11, FALSE },     /* the leading 0 of Italian landlines is part of the number */
  { "40",   9,  9, TRUE },
  { "41",   9,  9, TRUE },
  { "43",   4, 13, TRUE },
  { "44",   9, 10, TRUE },
  { "45",   8,  8, FALSE },
  { "46",   7, 13, TRUE },
  { "47",   8,  8, FALSE },
  { "48",   9,  9, FALSE },
  { "49",   6, 13, TRUE },
  { "51",   8,  9, TRUE },
  { "52",  10, 10, FALSE },
  { "53",   6,  8, TRUE },
  { "54",  10, 11, TRUE },
  { "55",  10, 11, TRUE },
  { "56",   9,  9, FALSE },
  { "57",   8, 10, FALSE },
  { "58",  10, 10, TRUE },
  { "60",   8, 10, TRUE },
  { "61",   9,  9, TRUE },
  { "62",   8, 12, TRUE },
  { "63",   8, 10, TRUE },
  { "64",   8, 10, TRUE },
  { "65",   8,  8, FALSE },
  { "66",   8,  9, TRUE },
  { "81",   9, 10, TRUE },
  { "82",   8, 10, TRUE },
  { "84",   9, 10, TRUE },
  { "86",  10, 11, TRUE },
  { "90",  10, 10, TRUE },
  { "91",  10, 10, TRUE },
  { "92",   9, 10, TRUE },
  { "93",   9,  9, TRUE },
  { "94",   9,  9, TRUE },
  { "95",   7, 10, TRUE },
  { "98",  10, 10, TRUE },
  { "211", 0, 0, TRUE }, { "212", 9, 9, TRUE }, { "213", 8, 9, TRUE }, { "216", 8, 8, FALSE },
  { "218", 0, 0, TRUE }, { "220", 0, 0, FALSE }, { "221", 9, 9, FALSE }, { "222", 0, 0, FALSE },
  { "223", 0, 0, FALSE }, { "224", 0, 0, FALSE }, { "225", 0, 0, FALSE }, { "226", 0, 0, FALSE },
  { "227", 0, 0, FALSE }, { "228", 0, 0, FALSE }, { "229", 0, 0, FALSE }, { "230", 0, 0, FALSE },
  { "231", 0, 0, TRUE }, { "232", 0, 0, TRUE }, { "233", 9, 9, TRUE }, { "234", 8, 10, TRUE },
  { "235", 0, 0, FALSE }, { "236", 0, 0, FALSE }, { "237", 9, 9, FALSE }, { "238", 0, 0, FALSE },
  { "239", 0, 0, FALSE }, { "240", 0, 0, FALSE }, { "241", 0, 0, FALSE }, { "242", 0, 0, FALSE },
  { "243", 0, 0, TRUE }, { "244", 9, 9, FALSE }, { "245", 0, 0, FALSE }, { "246", 0, 0, FALSE },
  { "247", 0, 0, FALSE }, { "248", 0, 0, FALSE }, { "249", 0, 0, TRUE }, { "250", 9, 9, TRUE },
  { "251", 9, 9, TRUE }, { "252", 0, 0, TRUE }, { "253", 0, 0, FALSE }, { "254", 9, 9, TRUE },
  { "255", 9, 9, TRUE }, { "256", 9, 9, TRUE }, { "257", 0, 0, FALSE }, { "258", 0, 0, FALSE },
  { "260", 9, 9, TRUE }, { "261", 0, 0, TRUE }, { "262", 0, 0, TRUE }, { "263", 9, 9, TRUE },
  { "264", 0, 0, TRUE }, { "265", 0, 0, TRUE }, { "266", 0, 0, FALSE }, { "267", 0, 0, FALSE },
  { "268", 0, 0, FALSE }, { "269", 0, 0, FALSE }, { "290", 0, 0, FALSE }, { "291", 0, 0, TRUE },
  { "297", 0, 0, FALSE }, { "298", 0, 0, FALSE }, { "299", 0, 0, FALSE },
  { "350", 0, 0, FALSE }, { "351", 9, 9, FALSE }, { "352", 0, 0, FALSE }, { "353", 7, 9, TRUE },
  { "354", 7, 7, FALSE }, { "355", 0, 0, TRUE }, { "356", 8, 8, FALSE }, { "357", 8, 8, FALSE },
  { "358", 5, 12, TRUE }, { "359", 0, 0, TRUE }, { "370", 8, 8, FALSE }, { "371", 8, 8, FALSE },
  { "372", 7, 8, FALSE }, { "373", 8, 8, TRUE }, { "374", 8, 8, TRUE }, { "375", 9, 9, FALSE },
  { "376", 0, 0, FALSE }, { "377", 0, 0, FALSE }, { "378", 0, 0, FALSE }, { "379", 0, 0, FALSE },
  { "380", 9, 9, TRUE }, { "381", 0, 0, TRUE }, { "382", 0, 0, TRUE }, { "383", 0, 0, TRUE },
  { "385", 0, 0, TRUE }, { "386", 8, 8, TRUE }, { "387", 0, 0, TRUE }, { "389", 8, 8, TRUE },
  { "420", 9, 9, FALSE }, { "421", 9, 9, TRUE }, { "423", 0, 0, FALSE },
  { "500", 0, 0, FALSE }, { "501", 0, 0, FALSE }, { "502", 8, 8, FALSE }, { "503", 8, 8, FALSE },
  { "504", 8, 8, FALSE }, { "505", 8, 8, FALSE }, { "506", 8, 8, FALSE }, { "507", 7, 8, FALSE },
  { "508", 0, 0, FALSE }, { "509", 8, 8, FALSE }, { "590", 0, 0, TRUE }, { "591", 8, 8, FALSE },
  { "592", 0, 0, FALSE }, { "593", 8, 9, TRUE }, { "594", 0, 0, TRUE }, { "595", 9, 9, TRUE },
  { "596", 0, 0, TRUE }, { "597", 0, 0, FALSE }, { "598", 8, 8, TRUE }, { "599", 0, 0, FALSE },
  { "670", 7, 8, FALSE }, { "672", 0, 0, FALSE }, { "673", 7, 7, FALSE }, { "674", 0, 0, FALSE },
  { "675", 0, 0, FALSE }, { "676", 0, 0, FALSE }, { "677", 0, 0, FALSE }, { "678", 0, 0, FALSE },
  { "679", 7, 7, FALSE }, { "680", 0, 0, FALSE }, { "681", 0, 0, FALSE }, { "682", 0, 0, FALSE },
  { "683", 0, 0, FALSE }, { "685", 0, 0, FALSE }, { "686", 0, 0, FALSE }, { "687", 0, 0, FALSE },
  { "688", 0, 0, FALSE }, { "689", 0, 0, FALSE }, { "690", 0, 0, FALSE }, { "691", 0, 0, FALSE },
  { "692", 0, 0, FALSE },
  { "800", 0, 0, FALSE }, { "808", 0, 0, FALSE }, { "850", 0, 0, TRUE }, { "852", 8, 8, FALSE },
  { "853", 8, 8, FALSE }, { "855", 8, 9, TRUE }, { "856", 8, 10, TRUE }, { "870", 0, 0, FALSE },
  { "878", 0, 0, FALSE }, { "880", 9, 10, TRUE }, { "881", 0, 0, FALSE }, { "882", 0, 0, FALSE },
  { "883", 0, 0, FALSE }, { "886", 8, 9, TRUE }, { "888", 0, 0, FALSE },
  { "960", 7, 7, FALSE }, { "961", 7, 8, TRUE }, { "962", 8, 9, TRUE }, { "963", 8, 9, TRUE },
  { "964", 8, 10, TRUE }, { "965", 8, 8, FALSE }, { "966", 8, 9, TRUE }, { "967", 0, 0, TRUE },
  { "968", 8, 8, FALSE }, { "970", 8, 9, TRUE }, { "971", 8, 9, TRUE }, { "972", 8, 9, TRUE },
  { "973", 8, 8, FALSE }, { "974", 8, 8, FALSE }, { "975", 0, 0, FALSE }, { "976", 8, 8, FALSE },
  { "977", 8, 10, TRUE }, { "979", 0, 0, FALSE }, { "992", 9, 9, TRUE }, { "993", 8, 8, TRUE },
  { "994", 9, 9, TRUE }, { "995", 9, 9, TRUE }, { "996", 9, 9, TRUE }, { "998", 9, 9, TRUE },
};

/* Lengths for codes whose plan we do not check. */
#define GENERIC_NSN_MIN 4
#define GENERIC_NSN_MAX 14

static const Country *
lookup_code (const char *code)
{
  for (guint i = 0; i < G_N_ELEMENTS (countries); i++)
    if (g_str_equal (countries[i].code, code))
      return &countries[i];
  return NULL;
}

/* The country whose calling code starts @digits. */
static const Country *
match_prefix (const char *digits)
{
  for (gsize len = 1; len <= 3 && digits[len - 1] != '\0'; len++)
    {
      char code[4] = { 0 };

      memcpy (code, digits, len);
      if (lookup_code (code) != NULL)
        return lookup_code (code);
    }
  return NULL;
}

static guint
nsn_min (const Country *country)
{
  return country->nsn_min != 0 ? country->nsn_min : GENERIC_NSN_MIN;
}

static guint
nsn_max (const Country *country)
{
  return country->nsn_max != 0 ? country->nsn_max : GENERIC_NSN_MAX;
}

gboolean
xi_phone_is_country_code (const char *country_code)
{
  return country_code != NULL && lookup_code (country_code) != NULL;
}

/* Excel turns a long number cell into "6.28123E+12", dropping digits. */
static gboolean
looks_scientific (const char *s)
{
  gboolean mantissa = FALSE;
  gboolean exponent = FALSE;
  const char *p = s;

  if (*p == '+' || *p == '-')
    p++;
  for (; g_ascii_isdigit (*p) || *p == '.' || *p == ','; p++)
    mantissa = mantissa || g_ascii_isdigit (*p);
  if (*p != 'e' && *p != 'E')
    return FALSE;
  p++;
  if (*p == '+' || *p == '-')
    p++;
  for (; g_ascii_isdigit (*p); p++)
    exponent = TRUE;

  return mantissa && exponent && *p == '\0';
}

/* Removes what spreadsheets wrap around a number kept as text:
 * a leading apostrophe, ="…" formulas, quotes and a trailing ".0". */
static char *
strip_spreadsheet_wrapping (const char *input)
{
  g_autofree char *s = g_strstrip (g_strdup (input));
  gsize len;

  if (g_str_has_prefix (s, "=\"") && g_str_has_suffix (s, "\""))
    {
      memmove (s, s + 2, strlen (s + 2) + 1);
      s[strlen (s) - 1] = '\0';
    }
  if (s[0] == '\'')
    memmove (s, s + 1, strlen (s));
  if (s[0] == '"' && (len = strlen (s)) >= 2 && s[len - 1] == '"')
    {
      memmove (s, s + 1, len - 2);
      s[len - 2] = '\0';
    }
  if (g_str_has_suffix (s, ".0") && strlen (s) > 2)
    s[strlen (s) - 2] = '\0';

  return g_strstrip (g_steal_pointer (&s));
}

typedef struct
{
  GString  *digits;
  gboolean  plus;
  guint     numbers;      /* digit runs long enough to be a number each */
} Scan;

/* Collects the digits, refusing letters and symbols no number contains. */
static gboolean
scan (const char  *s,
      Scan        *out,
      GError     **error)
{
  guint run = 0;

  out->digits = g_string_new (NULL);
  out->plus = FALSE;
  out->numbers = 0;

  for (const char *p = s; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      int value = g_unichar_digit_value (c);

      if (value >= 0)
        {
          g_string_append_c (out->digits, (char)('0' + value));
          run++;
        }
      else if (c == '+' && out->digits->len == 0 && !out->plus)
        out->plus = TRUE;
      else if (c == ',' || c == ';' || c == '/')
        {
          /* "0812… / 0813…": two numbers in one cell. */
          out->numbers += run >= 7;
          run = 0;
        }
      else if (!(g_unichar_isspace (c) || c == 0x00A0 || c == 0x2007 || c == 0x202F ||
                 c == '-' || c == 0x2010 || c == 0x2011 || c == 0x2013 || c == '.' ||
                 c == '(' || c == ')'))
        {
          g_set_error (error, XI_PHONE_ERROR, XI_PHONE_ERROR_INVALID_CHARACTERS,
                       _("A phone number may only contain digits, spaces, “+”, “-” and brackets."));
          return FALSE;
        }
    }
  out->numbers += run >= 7;

  if (out->numbers > 1)
    {
      g_set_error (error, XI_PHONE_ERROR, XI_PHONE_ERROR_INVALID_CHARACTERS,
                   _("This cell holds more than one phone number. Keep one number per row."));
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_length (const Country  *country,
              const char     *nsn,
              GError        **error)
{
  gsize len = strlen (nsn);

  if (len < nsn_min (country))
    {
      g_set_error (error, XI_PHONE_ERROR, XI_PHONE_ERROR_TOO_SHORT,
                   _("The number is too short: numbers with country code +%s have at least %u digits after it."),
                   country->code, nsn_min (country));
      return FALSE;
    }
  if (len > nsn_max (country) || strlen (country->code) + len > E164_MAX_DIGITS)
    {
      g_set_error (error, XI_PHONE_ERROR, XI_PHONE_ERROR_TOO_LONG,
                   _("The number is too long: numbers with country code +%s have at most %u digits after it."),
                   country->code, MIN (nsn_max (country), E164_MAX_DIGITS - (guint)strlen (country->code)));
      return FALSE;
    }
  return TRUE;
}

/* Rules beyond length for the plans our users meet most. */
static gboolean
check_plan (const Country  *country,
            const char     *nsn,
            GError        **error)
{
  if (g_str_equal (country->code, "62"))
    {
      if (nsn[0] == '0' || nsn[0] == '1')
        goto bad_indonesia;
      /* Mobile numbers are 08xx plus 6 to 9 digits. */
      if (nsn[0] == '8' && strlen (nsn) < 9)
        {
          g_set_error (error, XI_PHONE_ERROR, XI_PHONE_ERROR_TOO_SHORT,
                       _("The number is too short for an Indonesian mobile number (08xx-xxxx-xxx)."));
          return FALSE;
        }
      return TRUE;

    bad_indonesia:
      g_set_error (error, XI_PHONE_ERROR, XI_PHONE_ERROR_INVALID_FOR_COUNTRY,
                   _("This is not an Indonesian number: after +62 comes 8 for mobiles "
                     "or an area code such as 21 for Jakarta."));
      return FALSE;
    }

  if (g_str_equal (country->code, "1"))
    {
      if (nsn[0] < '2' || nsn[3] < '2')
        {
          g_set_error (error, XI_PHONE_ERROR, XI_PHONE_ERROR_INVALID_FOR_COUNTRY,
                       _("This is not a North American number: the area code and the "
                         "exchange never start with 0 or 1."));
          return FALSE;
        }
    }

  return TRUE;
}

static char *
finish_number (const Country  *country,
               const char     *nsn,
               GError        **error)
{
  if (!check_length (country, nsn, error) || !check_plan (country, nsn, error))
    return NULL;
  return g_strconcat (country->code, nsn, NULL);
}

/* An international number: calling code, then the national number. */
static char *
normalize_international (const char  *digits,
                         GError     **error)
{
  const Country *country = match_prefix (digits);
  const char *nsn;

  if (country == NULL)
    {
      g_set_error (error, XI_PHONE_ERROR, XI_PHONE_ERROR_UNKNOWN_COUNTRY,
                   _("The number does not start with a known country code. "
                     "Write it with its country code, such as +62 for Indonesia."));
      return NULL;
    }

  nsn = digits + strlen (country->code);
  /* "+62 (0)812…": the national trunk zero written after the country code. */
  if (nsn[0] == '0' && country->trunk_zero)
    nsn++;

  return finish_number (country, nsn, error);
}

/**
 * xi_phone_normalize:
 * @input: a phone number as a person wrote it
 * @default_country_code: (nullable): calling code for numbers written in
 *   national form, such as "62"; %NULL means 62
 * @error: return location for a #GError in %XI_PHONE_ERROR
 *
 * Normalises a phone number to E.164 digits without the "+".
 * `0812-3456-7890`, `+62 812 3456 7890`, `62812…`, `812…` and
 * `(0812) 3456 7890` all become `6281234567890` with country code 62.
 *
 * Returns: (transfer full) (nullable): the digits, or %NULL with @error
 *   set to a sentence that tells the user what to fix
 */
char *
xi_phone_normalize (const char  *input,
                    const char  *default_country_code,
                    GError     **error)
{
  g_autofree char *cleaned = NULL;
  const Country *home;
  const char *digits;
  Scan scanned = { 0 };
  char *result = NULL;

  home = lookup_code (default_country_code != NULL ? default_country_code : "62");
  if (home == NULL)
    home = lookup_code ("62");

  cleaned = strip_spreadsheet_wrapping (input != NULL ? input : "");
  if (looks_scientific (cleaned))
    {
      g_set_error (error, XI_PHONE_ERROR, XI_PHONE_ERROR_SPREADSHEET_MANGLED,
                   _("The spreadsheet turned this number into scientific notation and lost digits. "
                     "Format the phone column as Text and type the numbers again."));
      return NULL;
    }

  if (!scan (cleaned, &scanned, error))
    goto out;

  digits = scanned.digits->str;
  if (digits[0] == '\0')
    {
      g_set_error (error, XI_PHONE_ERROR, XI_PHONE_ERROR_EMPTY, _("There is no phone number."));
      goto out;
    }

  if (scanned.plus)
    result = normalize_international (digits, error);
  else if (g_str_has_prefix (digits, "00"))
    result = normalize_international (digits + 2, error);
  else if (digits[0] == '0' && home->trunk_zero)
    result = finish_number (home, digits + 1, error);
  else if (g_str_equal (home->code, "7") && digits[0] == '8' && strlen (digits) == 11)
    result = finish_number (home, digits + 1, error);
  else if (g_str_has_prefix (digits, home->code) &&
           strlen (digits) - strlen (home->code) >= nsn_min (home) &&
           strlen (digits) - strlen (home->code) <= nsn_max (home))
    result = normalize_international (digits, error);
  else
    result = finish_number (home, digits, error);

out:
  g_string_free (scanned.digits, TRUE);
  return result;
}

static void
append_grouped (GString    *out,
                const char *digits,
                const guint *groups)
{
  for (guint g = 0; groups[g] != 0 && *digits != '\0'; g++)
    {
      gsize take = MIN (groups[g], strlen (digits));

      if (g > 0)
        g_string_append_c (out, '-');
      g_string_append_len (out, digits, take);
      digits += take;
    }
  if (*digits != '\0')
    g_string_append (out, digits);
}

/**
 * xi_phone_format_international:
 * @e164_digits: (nullable): digits as returned by xi_phone_normalize()
 *
 * Formats a normalised number for people: "6281234567890" becomes
 * "+62 812-3456-7890". Spreadsheets keep this form as text.
 *
 * Returns: (transfer full): the formatted number
 */
char *
xi_phone_format_international (const char *e164_digits)
{
  static const guint indonesia_mobile[] = { 3, 4, 99, 0 };
  static const guint indonesia_jakarta[] = { 2, 99, 0 };
  static const guint indonesia_landline[] = { 3, 99, 0 };
  static const guint nanp[] = { 3, 3, 4, 0 };
  const Country *country;
  const char *nsn;
  GString *out;

  if (e164_digits == NULL || e164_digits[0] == '\0')
    return g_strdup ("");

  country = match_prefix (e164_digits);
  if (country == NULL)
    return g_strconcat ("+", e164_digits, NULL);

  nsn = e164_digits + strlen (country->code);
  out = g_string_new ("+");
  g_string_append_printf (out, "%s ", country->code);

  if (g_str_equal (country->code, "62"))
    append_grouped (out, nsn, nsn[0] == '8' ? indonesia_mobile
                              : g_str_has_prefix (nsn, "21") || g_str_has_prefix (nsn, "22") ||
                                g_str_has_prefix (nsn, "24") || g_str_has_prefix (nsn, "31") ||
                                g_str_has_prefix (nsn, "61") ? indonesia_jakarta
                              : indonesia_landline);
  else if (g_str_equal (country->code, "1"))
    append_grouped (out, nsn, nanp);
  else
    g_string_append (out, nsn);

  return g_string_free (out, FALSE);
}
