/* xi-phone.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-phone"

#include "config.h"

#include <glib/gi18n.h>
#include <stdlib.h>
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

/* Lengths for a code whose numbering plan has no data below. */
#define GENERIC_NSN_MIN 4
#define GENERIC_NSN_MAX 14

typedef struct
{
  const char *code;
  guint8      nsn_min;   /* national significant number, 0: generic */
  guint8      nsn_max;
  const char *trunk;     /* dialled before the NSN in national form, "" if none */
} Country;

/*
 * Every country calling code assigned by the ITU-T (E.164 and its
 * annex), in string order so that bsearch() finds the code that prefixes
 * a number: the codes are prefix-free, so at most one matches.
 *
 * The lengths are those of fixed, mobile and VoIP numbers in each plan
 * (all numbers for the non-geographic codes), and the trunk prefix is the
 * national one, as listed by libphonenumber's metadata (July 2026); a code
 * shared by several territories gets the union of their ranges. A plan
 * that grows a digit makes us refuse valid numbers until this table is
 * updated, which is the safe direction for a bulk sender.
 */
static const Country countries[] = {
  { "1",   10, 10, "1"   },  /* North America and the Caribbean (NANP) */
  { "20",   8, 10, "0"   },  /* Egypt */
  { "211",  9,  9, "0"   },  /* South Sudan */
  { "212",  9,  9, "0"   },  /* Western Sahara, Morocco */
  { "213",  8,  9, "0"   },  /* Algeria */
  { "216",  8,  8, ""    },  /* Tunisia */
  { "218",  9,  9, "0"   },  /* Libya */
  { "220",  7,  7, ""    },  /* Gambia */
  { "221",  9,  9, ""    },  /* Senegal */
  { "222",  8,  8, ""    },  /* Mauritania */
  { "223",  8,  8, ""    },  /* Mali */
  { "224",  8,  9, ""    },  /* Guinea */
  { "225", 10, 10, ""    },  /* Côte d'Ivoire */
  { "226",  8,  8, ""    },  /* Burkina Faso */
  { "227",  8,  8, ""    },  /* Niger */
  { "228",  8,  8, ""    },  /* Togo */
  { "229",  8, 10, ""    },  /* Benin */
  { "230",  7,  8, ""    },  /* Mauritius */
  { "231",  7,  9, "0"   },  /* Liberia */
  { "232",  8,  8, "0"   },  /* Sierra Leone */
  { "233",  9,  9, "0"   },  /* Ghana */
  { "234", 10, 10, "0"   },  /* Nigeria */
  { "235",  8,  8, ""    },  /* Chad */
  { "236",  8,  8, ""    },  /* Central African Republic */
  { "237",  9,  9, ""    },  /* Cameroon */
  { "238",  7,  7, ""    },  /* Cabo Verde */
  { "239",  7,  7, ""    },  /* Sao Tome and Principe */
  { "240",  9,  9, ""    },  /* Equatorial Guinea */
  { "241",  7,  8, ""    },  /* Gabon */
  { "242",  9,  9, ""    },  /* Congo */
  { "243",  7, 10, "0"   },  /* DR Congo */
  { "244",  9,  9, ""    },  /* Angola */
  { "245",  7,  9, ""    },  /* Guinea-Bissau */
  { "246",  7,  7, ""    },  /* Diego Garcia */
  { "247",  5,  5, ""    },  /* Ascension */
  { "248",  7,  7, ""    },  /* Seychelles */
  { "249",  9,  9, "0"   },  /* Sudan */
  { "250",  8,  9, "0"   },  /* Rwanda */
  { "251",  9,  9, "0"   },  /* Ethiopia */
  { "252",  6,  9, "0"   },  /* Somalia */
  { "253",  8,  8, ""    },  /* Djibouti */
  { "254",  7,  9, "0"   },  /* Kenya */
  { "255",  9,  9, "0"   },  /* Tanzania */
  { "256",  9,  9, "0"   },  /* Uganda */
  { "257",  8,  8, ""    },  /* Burundi */
  { "258",  8,  9, ""    },  /* Mozambique */
  { "260",  9,  9, "0"   },  /* Zambia */
  { "261",  9,  9, "0"   },  /* Madagascar */
  { "262",  9,  9, "0"   },  /* Réunion, Mayotte */
  { "263",  5, 10, "0"   },  /* Zimbabwe */
  { "264",  8,  9, "0"   },  /* Namibia */
  { "265",  7,  9, "0"   },  /* Malawi */
  { "266",  8,  8, ""    },  /* Lesotho */
  { "267",  7,  8, ""    },  /* Botswana */
  { "268",  8,  8, ""    },  /* Eswatini */
  { "269",  7,  7, ""    },  /* Comoros */
  { "27",   5,  9, "0"   },  /* South Africa */
  { "290",  4,  5, ""    },  /* Saint Helena, Tristan da Cunha */
  { "291",  7,  7, "0"   },  /* Eritrea */
  { "297",  7,  7, ""    },  /* Aruba */
  { "298",  6,  6, ""    },  /* Faroe Islands */
  { "299",  6,  6, ""    },  /* Greenland */
  { "30",  10, 10, ""    },  /* Greece */
  { "31",   9, 11, "0"   },  /* Netherlands */
  { "32",   8,  9, "0"   },  /* Belgium */
  { "33",   9,  9, "0"   },  /* France */
  { "34",   9,  9, ""    },  /* Spain */
  { "350",  8,  8, ""    },  /* Gibraltar */
  { "351",  9,  9, ""    },  /* Portugal */
  { "352",  4, 11, ""    },  /* Luxembourg */
  { "353",  7, 10, "0"   },  /* Ireland */
  { "354",  7,  9, ""    },  /* Iceland */
  { "355",  8,  9, "0"   },  /* Albania */
  { "356",  8,  8, ""    },  /* Malta */
  { "357",  8,  8, ""    },  /* Cyprus */
  { "358",  5, 10, "0"   },  /* Åland Islands, Finland */
  { "359",  6,  9, "0"   },  /* Bulgaria */
  { "36",   8,  9, "06"  },  /* Hungary */
  { "370",  8,  8, "0"   },  /* Lithuania */
  { "371",  8,  8, ""    },  /* Latvia */
  { "372",  7,  8, ""    },  /* Estonia */
  { "373",  8,  8, "0"   },  /* Moldova */
  { "374",  8,  8, "0"   },  /* Armenia */
  { "375",  9,  9, "8"   },  /* Belarus */
  { "376",  6,  9, ""    },  /* Andorra */
  { "377",  8,  9, "0"   },  /* Monaco */
  { "378",  8, 10, ""    },  /* San Marino */
  { "379",  0,  0, ""    },  /* Vatican City (reserved, not in use) */
  { "380",  9,  9, "0"   },  /* Ukraine */
  { "381",  7, 12, "0"   },  /* Serbia */
  { "382",  8,  8, "0"   },  /* Montenegro */
  { "383",  8, 12, "0"   },  /* Kosovo */
  { "385",  8,  9, "0"   },  /* Croatia */
  { "386",  8,  8, "0"   },  /* Slovenia */
  { "387",  8,  9, "0"   },  /* Bosnia and Herzegovina */
  { "389",  8,  8, "0"   },  /* North Macedonia */
  { "39",   6, 12, ""    },  /* Italy, Vatican City */
  { "40",   6,  9, "0"   },  /* Romania */
  { "41",   9,  9, "0"   },  /* Switzerland */
  { "420",  9,  9, ""    },  /* Czechia */
  { "421",  6,  9, "0"   },  /* Slovakia */
  { "423",  7,  9, "0"   },  /* Liechtenstein */
  { "43",   4, 13, "0"   },  /* Austria */
  { "44",   9, 10, "0"   },  /* United Kingdom, Guernsey, Isle of Man, Jersey */
  { "45",   8,  8, ""    },  /* Denmark */
  { "46",   7,  9, "0"   },  /* Sweden */
  { "47",   8,  8, ""    },  /* Norway, Svalbard */
  { "48",   7,  9, ""    },  /* Poland */
  { "49",   5, 15, "0"   },  /* Germany */
  { "500",  5,  5, ""    },  /* Falkland Islands */
  { "501",  7,  7, ""    },  /* Belize */
  { "502",  8,  8, ""    },  /* Guatemala */
  { "503",  8,  8, ""    },  /* El Salvador */
  { "504",  8,  8, ""    },  /* Honduras */
  { "505",  8,  8, ""    },  /* Nicaragua */
  { "506",  8,  8, ""    },  /* Costa Rica */
  { "507",  7,  8, ""    },  /* Panama */
  { "508",  6,  9, "0"   },  /* Saint Pierre and Miquelon */
  { "509",  8,  8, ""    },  /* Haiti */
  { "51",   8,  9, "0"   },  /* Peru */
  { "52",  10, 10, ""    },  /* Mexico */
  { "53",   6, 10, "0"   },  /* Cuba */
  { "54",  10, 11, "0"   },  /* Argentina */
  { "55",  10, 11, "0"   },  /* Brazil */
  { "56",   9,  9, ""    },  /* Chile */
  { "57",   8, 10, "0"   },  /* Colombia */
  { "58",  10, 10, "0"   },  /* Venezuela */
  { "590",  9,  9, "0"   },  /* Saint Barthélemy, Guadeloupe, Saint Martin */
  { "591",  8,  8, "0"   },  /* Bolivia */
  { "592",  7,  7, ""    },  /* Guyana */
  { "593",  8,  9, "0"   },  /* Ecuador */
  { "594",  9,  9, "0"   },  /* French Guiana */
  { "595",  7,  9, "0"   },  /* Paraguay */
  { "596",  9,  9, "0"   },  /* Martinique */
  { "597",  6,  7, ""    },  /* Suriname */
  { "598",  8,  8, "0"   },  /* Uruguay */
  { "599",  7,  8, ""    },  /* Caribbean Netherlands, Curaçao */
  { "60",   8, 10, "0"   },  /* Malaysia */
  { "61",   9,  9, "0"   },  /* Australia, Cocos Islands, Christmas Island */
  { "62",   7, 12, "0"   },  /* Indonesia */
  { "63",   6, 10, "0"   },  /* Philippines */
  { "64",   8, 10, "0"   },  /* New Zealand */
  { "65",   8,  8, ""    },  /* Singapore */
  { "66",   8,  9, "0"   },  /* Thailand */
  { "670",  7,  8, ""    },  /* Timor-Leste */
  { "672",  6,  6, ""    },  /* Norfolk Island */
  { "673",  7,  7, ""    },  /* Brunei */
  { "674",  7,  7, ""    },  /* Nauru */
  { "675",  7,  8, ""    },  /* Papua New Guinea */
  { "676",  5,  7, ""    },  /* Tonga */
  { "677",  5,  7, ""    },  /* Solomon Islands */
  { "678",  5,  7, ""    },  /* Vanuatu */
  { "679",  7,  7, ""    },  /* Fiji */
  { "680",  7,  7, ""    },  /* Palau */
  { "681",  6,  6, ""    },  /* Wallis and Futuna */
  { "682",  5,  5, ""    },  /* Cook Islands */
  { "683",  4,  7, ""    },  /* Niue */
  { "685",  5, 10, ""    },  /* Samoa */
  { "686",  5,  8, "0"   },  /* Kiribati */
  { "687",  6,  6, ""    },  /* New Caledonia */
  { "688",  5,  7, ""    },  /* Tuvalu */
  { "689",  8,  8, ""    },  /* French Polynesia */
  { "690",  4,  7, ""    },  /* Tokelau */
  { "691",  7,  7, ""    },  /* Micronesia */
  { "692",  7,  7, "1"   },  /* Marshall Islands */
  { "7",   10, 10, "8"   },  /* Kazakhstan, Russia */
  { "800",  8,  8, ""    },  /* International Freephone */
  { "808",  8,  8, ""    },  /* International Shared Cost Service */
  { "81",   9, 10, "0"   },  /* Japan */
  { "82",   5, 10, "0"   },  /* South Korea */
  { "84",   9, 10, "0"   },  /* Vietnam */
  { "850",  8, 10, "0"   },  /* North Korea */
  { "852",  8,  8, ""    },  /* Hong Kong */
  { "853",  8,  8, ""    },  /* Macao */
  { "855",  8,  9, "0"   },  /* Cambodia */
  { "856",  8, 10, "0"   },  /* Laos */
  { "86",   7, 11, "0"   },  /* China */
  { "870",  9, 12, ""    },  /* Inmarsat */
  { "878", 12, 12, ""    },  /* Universal Personal Telecommunications */
  { "880",  6, 10, "0"   },  /* Bangladesh */
  { "881",  9, 10, ""    },  /* Global Mobile Satellite System */
  { "882",  7, 12, ""    },  /* International Networks */
  { "883",  8, 12, ""    },  /* International Networks */
  { "886",  8, 11, "0"   },  /* Taiwan */
  { "888", 11, 11, ""    },  /* UN humanitarian (OCHA) */
  { "90",  10, 10, "0"   },  /* Türkiye */
  { "91",  10, 10, "0"   },  /* India */
  { "92",   9, 10, "0"   },  /* Pakistan */
  { "93",   9,  9, "0"   },  /* Afghanistan */
  { "94",   9,  9, "0"   },  /* Sri Lanka */
  { "95",   6, 10, "0"   },  /* Myanmar */
  { "960",  7,  7, ""    },  /* Maldives */
  { "961",  7,  8, "0"   },  /* Lebanon */
  { "962",  8,  9, "0"   },  /* Jordan */
  { "963",  8,  9, "0"   },  /* Syria */
  { "964",  8, 10, "0"   },  /* Iraq */
  { "965",  8,  8, ""    },  /* Kuwait */
  { "966",  9,  9, "0"   },  /* Saudi Arabia */
  { "967",  7,  9, "0"   },  /* Yemen */
  { "968",  8,  8, ""    },  /* Oman */
  { "970",  8,  9, "0"   },  /* Palestine */
  { "971",  8,  9, "0"   },  /* United Arab Emirates */
  { "972",  8, 12, "0"   },  /* Israel */
  { "973",  8,  8, ""    },  /* Bahrain */
  { "974",  8,  8, ""    },  /* Qatar */
  { "975",  7,  8, ""    },  /* Bhutan */
  { "976",  8, 10, "0"   },  /* Mongolia */
  { "977",  8, 10, "0"   },  /* Nepal */
  { "979",  9,  9, ""    },  /* International Premium Rate Service */
  { "98",   6, 10, "0"   },  /* Iran */
  { "992",  9,  9, ""    },  /* Tajikistan */
  { "993",  8,  8, "8"   },  /* Turkmenistan */
  { "994",  9,  9, "0"   },  /* Azerbaijan */
  { "995",  9,  9, "0"   },  /* Georgia */
  { "996",  9,  9, "0"   },  /* Kyrgyzstan */
  { "998",  9,  9, ""    },  /* Uzbekistan */
};

static int
compare_prefix (const void *key,
                const void *element)
{
  const char *digits = key;
  const Country *country = element;

  return strncmp (digits, country->code, strlen (country->code));
}

/* The country whose calling code starts @digits. */
static const Country *
match_prefix (const char *digits)
{
  return bsearch (digits, countries, G_N_ELEMENTS (countries), sizeof (Country),
                  compare_prefix);
}

static const Country *
lookup_code (const char *code)
{
  const Country *country = match_prefix (code);

  return country != NULL && g_str_equal (country->code, code) ? country : NULL;
}

static guint
nsn_min (const Country *country)
{
  return country->nsn_min != 0 ? country->nsn_min : GENERIC_NSN_MIN;
}

static guint
nsn_max (const Country *country)
{
  guint max = country->nsn_max != 0 ? country->nsn_max : GENERIC_NSN_MAX;

  return MIN (max, E164_MAX_DIGITS - strlen (country->code));
}

static gboolean
nsn_length_fits (const Country *country,
                 gsize          len)
{
  return len >= nsn_min (country) && len <= nsn_max (country);
}

/**
 * xi_phone_is_country_code:
 * @country_code: (nullable): digits such as "62", without "+"
 *
 * Returns: whether @country_code is a country calling code
 */
gboolean
xi_phone_is_country_code (const char *country_code)
{
  return country_code != NULL && country_code[0] != '\0' && lookup_code (country_code) != NULL;
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

/* "6281234567890.0": a number cell written with its decimals. Only a
 * plain run of digits qualifies, so "021.555.1230" keeps its last zero. */
static void
strip_decimal_zeros (char *s)
{
  char *dot = strrchr (s, '.');
  const char *p = s[0] == '+' ? s + 1 : s;

  if (dot == NULL || dot == p || dot[1] == '\0' || strspn (dot + 1, "0") != strlen (dot + 1))
    return;
  for (; p < dot; p++)
    if (!g_ascii_isdigit (*p))
      return;
  *dot = '\0';
}

/* Removes what spreadsheets wrap around a number kept as text:
 * a leading apostrophe, ="…" formulas, quotes and a trailing ".0". */
static char *
strip_spreadsheet_wrapping (const char *input)
{
  g_autofree char *s = g_strstrip (g_strdup (input));
  gsize len;

  if (g_str_has_prefix (s, "=\"") && g_str_has_suffix (s, "\"") && strlen (s) >= 3)
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
  g_strstrip (s);
  strip_decimal_zeros (s);

  return g_steal_pointer (&s);
}

/* Spaces, dashes, dots, brackets and typographic quotes people put
 * around and between digits, and the invisible direction marks that come
 * along when a number is copied from WhatsApp or a web page. */
static gboolean
is_separator (gunichar c)
{
  switch (g_unichar_type (c))
    {
    case G_UNICODE_SPACE_SEPARATOR:
    case G_UNICODE_DASH_PUNCTUATION:
    case G_UNICODE_OPEN_PUNCTUATION:
    case G_UNICODE_CLOSE_PUNCTUATION:
    case G_UNICODE_INITIAL_PUNCTUATION:
    case G_UNICODE_FINAL_PUNCTUATION:
    case G_UNICODE_FORMAT:
      return TRUE;
    default:
      return c == '.' || c == 0xFF0E || g_unichar_isspace (c);
    }
}

/* is_separator () for the ASCII characters, which nearly every number
 * is made of, decided once instead of through Unicode's tables for
 * every character of every number an import reads. */
static const gboolean *
ascii_separators (void)
{
  static gboolean separators[0x80];
  static gsize decided = 0;

  if (g_once_init_enter (&decided))
    {
      for (gunichar c = 0; c < G_N_ELEMENTS (separators); c++)
        separators[c] = is_separator (c);
      g_once_init_leave (&decided, 1);
    }
  return separators;
}

static void
set_invalid_characters_error (GError **error)
{
  g_set_error (error, XI_PHONE_ERROR, XI_PHONE_ERROR_INVALID_CHARACTERS,
               _("A phone number may only contain digits, spaces, “+”, “-” and brackets. "
                 "Remove the letters and other signs."));
}

typedef struct
{
  GString  *digits;
  gboolean  plus;
} Scan;

/* Collects the digits (of any script, so full-width ones too), refusing
 * letters and symbols no number contains. */
static gboolean
scan (const char  *s,
      Scan        *out,
      GError     **error)
{
  const gboolean *separators = ascii_separators ();
  guint numbers = 0;     /* digit runs long enough to be a number each */
  guint run = 0;

  for (const char *p = s; *p != '\0'; p = g_utf8_next_char (p))
    {
      gboolean ascii = (guchar)*p < 0x80;
      gunichar c = ascii ? (guchar)*p : g_utf8_get_char (p);
      int value = ascii ? g_ascii_digit_value ((char)c) : g_unichar_digit_value (c);

      if (value >= 0)
        {
          g_string_append_c (out->digits, (char)('0' + value));
          run++;
        }
      else if ((c == '+' || c == 0xFF0B) && out->digits->len == 0 && !out->plus)
        out->plus = TRUE;
      else if (c == ',' || c == ';' || c == '/')
        {
          /* "0812… / 0813…": two numbers in one cell. */
          numbers += run >= 7;
          run = 0;
        }
      else if (!(ascii ? separators[c] : is_separator (c)))
        {
          set_invalid_characters_error (error);
          return FALSE;
        }
    }
  numbers += run >= 7;

  if (numbers > 1)
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
                   _("The number is too short: numbers with country code +%s have at least "
                     "%u digits after it."),
                   country->code, nsn_min (country));
      return FALSE;
    }
  if (len > nsn_max (country))
    {
      g_set_error (error, XI_PHONE_ERROR, XI_PHONE_ERROR_TOO_LONG,
                   _("The number is too long: numbers with country code +%s have at most "
                     "%u digits after it."),
                   country->code, nsn_max (country));
      return FALSE;
    }
  return TRUE;
}

/* Mobiles are 8xx plus 6 to 9 digits; landlines an area code (21 for
 * Jakarta, 274 for Yogyakarta) plus 5 to 8 digits. Nothing starts with
 * 0 or 1 after +62. */
static gboolean
check_indonesia (const char  *nsn,
                 GError     **error)
{
  gsize len = strlen (nsn);
  gboolean mobile = nsn[0] == '8';

  if (mobile && len < 9)
    g_set_error (error, XI_PHONE_ERROR, XI_PHONE_ERROR_TOO_SHORT,
                 _("The number is too short for an Indonesian mobile number, which has 10 to 13 "
                   "digits such as 0812-3456-7890. Check for a missing digit."));
  else if (mobile && len > 12)
    g_set_error (error, XI_PHONE_ERROR, XI_PHONE_ERROR_TOO_LONG,
                 _("The number is too long for an Indonesian mobile number, which has 10 to 13 "
                   "digits such as 0812-3456-7890. Check for an extra digit."));
  else if (!mobile && len < 7)
    g_set_error (error, XI_PHONE_ERROR, XI_PHONE_ERROR_TOO_SHORT,
                 _("The number is too short for an Indonesian landline, which is an area code "
                   "and 5 to 8 digits such as 021-1234-5678. Check for a missing digit."));
  else if (nsn[0] == '0' || nsn[0] == '1')
    g_set_error (error, XI_PHONE_ERROR, XI_PHONE_ERROR_INVALID_FOR_COUNTRY,
                 _("This is not an Indonesian number: after +62 comes 8 for mobiles "
                   "or an area code such as 21 for Jakarta."));
  else if (!mobile && len > 11)
    g_set_error (error, XI_PHONE_ERROR, XI_PHONE_ERROR_TOO_LONG,
                 _("The number is too long for an Indonesian landline, which is an area code "
                   "and 5 to 8 digits such as 021-1234-5678. Check for an extra digit."));
  else
    return TRUE;

  return FALSE;
}

/* Area codes and exchanges of the North American plan start with 2 to 9. */
static gboolean
check_nanp (const char  *nsn,
            GError     **error)
{
  if (nsn[0] < '2' || nsn[3] < '2')
    {
      g_set_error (error, XI_PHONE_ERROR, XI_PHONE_ERROR_INVALID_FOR_COUNTRY,
                   _("This is not a North American number: the area code and the "
                     "exchange never start with 0 or 1."));
      return FALSE;
    }
  return TRUE;
}

/* Where the national trunk prefix is 0, no number starts with 0 after the
 * country code: a 0 there is the trunk prefix written in, and it is dropped
 * once ("+62 (0)812…"). A second one ("+51 0 0555…") cannot be dropped as
 * well, since then "+" and the stored digits would lose yet another 0 when
 * read again, and the contact would be skipped as an invalid number. */
static gboolean
check_no_trunk_zero (const Country  *country,
                     const char     *nsn,
                     GError        **error)
{
  if (nsn[0] == '0' && g_str_equal (country->trunk, "0"))
    {
      g_set_error (error, XI_PHONE_ERROR, XI_PHONE_ERROR_INVALID_FOR_COUNTRY,
                   _("Numbers with country code +%s never start with 0 after it. "
                     "Remove the extra 0, or check the digits."),
                   country->code);
      return FALSE;
    }
  return TRUE;
}

static char *
finish_number (const Country  *country,
               const char     *nsn,
               GError        **error)
{
  if (g_str_equal (country->code, "62") && !check_indonesia (nsn, error))
    return NULL;
  if (!check_no_trunk_zero (country, nsn, error))
    return NULL;
  if (!check_length (country, nsn, error))
    return NULL;
  if (g_str_equal (country->code, "1") && !check_nanp (nsn, error))
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
  if (nsn[0] == '0' && g_str_equal (country->trunk, "0"))
    nsn++;

  return finish_number (country, nsn, error);
}

/* A number written without "+": national with or without its trunk
 * prefix, or already starting with the home country code. */
static char *
normalize_national (const char     *digits,
                    const Country  *home,
                    GError        **error)
{
  gsize code_len = strlen (home->code);

  if (g_str_has_prefix (digits, "00"))
    return normalize_international (digits + 2, error);
  if (home->trunk[0] != '\0' && g_str_has_prefix (digits, home->trunk))
    return finish_number (home, digits + strlen (home->trunk), error);
  if (g_str_has_prefix (digits, home->code) && nsn_length_fits (home, strlen (digits) - code_len))
    return normalize_international (digits, error);

  return finish_number (home, digits, error);
}

/* The digits of a number, international when written after a "+". */
static char *
normalize_digits (const char     *digits,
                  gboolean        plus,
                  const Country  *home,
                  GError        **error)
{
  if (plus)
    return normalize_international (digits, error);
  return normalize_national (digits, home, error);
}

/* More digits than any number has: a cell with more takes the full path,
 * which refuses it. */
#define PLAIN_DIGITS_MAX 32

/*
 * The forms nearly every cell of a large import takes: ASCII digits
 * between spaces, dashes and brackets, perhaps after one "+". Nothing in
 * them is for strip_spreadsheet_wrapping () or looks_scientific () to
 * act on, and scan () would keep every digit and drop everything else,
 * so the digits are collected here without a copy of the cell or a
 * table lookup per character. Anything else, a dot or a tab included,
 * returns FALSE having written nothing that counts, and takes the full
 * path; so does a cell without digits, which is refused there.
 */
static gboolean
scan_plain (const char *input,
            char        digits[PLAIN_DIGITS_MAX + 1],
            gboolean   *plus)
{
  gsize n = 0;

  *plus = FALSE;
  for (const char *p = input; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        {
          if (n == PLAIN_DIGITS_MAX)
            return FALSE;
          digits[n++] = *p;
        }
      else if (*p == '+' && n == 0 && !*plus)
        *plus = TRUE;
      else if (*p != ' ' && *p != '-' && *p != '(' && *p != ')')
        return FALSE;
    }
  digits[n] = '\0';
  return n > 0;
}

/**
 * xi_phone_normalize:
 * @input: a phone number as a person wrote it
 * @default_country_code: (nullable): calling code for numbers written in
 *   national form, such as "62"; %NULL, or a code that does not exist,
 *   means 62
 * @error: return location for a #GError in %XI_PHONE_ERROR
 *
 * Normalises a phone number to E.164 digits without the "+".
 * `0812-3456-7890`, `+62 812 3456 7890`, `62812…`, `812…`,
 * `(0812) 3456 7890`, `+62 (0) 812…` and `0062 812…` all become
 * `6281234567890` with country code 62, and so do the forms spreadsheets
 * leave behind: `'0812…`, `="0812…"` and `6281234567890.0`.
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
  g_autoptr(GString) digits = NULL;
  Scan scanned = { NULL, FALSE };
  const Country *home = NULL;
  char plain[PLAIN_DIGITS_MAX + 1];
  gboolean plus;

  if (default_country_code != NULL)
    home = lookup_code (default_country_code);
  if (home == NULL)
    home = lookup_code ("62");

  if (input == NULL)
    input = "";
  if (scan_plain (input, plain, &plus))
    return normalize_digits (plain, plus, home, error);

  if (!g_utf8_validate (input, -1, NULL))
    {
      set_invalid_characters_error (error);
      return NULL;
    }

  cleaned = strip_spreadsheet_wrapping (input);
  if (looks_scientific (cleaned))
    {
      g_set_error (error, XI_PHONE_ERROR, XI_PHONE_ERROR_SPREADSHEET_MANGLED,
                   _("The spreadsheet turned this number into scientific notation and lost digits. "
                     "Format the phone column as Text and type the numbers again."));
      return NULL;
    }

  digits = scanned.digits = g_string_new (NULL);
  if (!scan (cleaned, &scanned, error))
    return NULL;

  if (digits->len == 0)
    {
      g_set_error (error, XI_PHONE_ERROR, XI_PHONE_ERROR_EMPTY, _("There is no phone number."));
      return NULL;
    }

  return normalize_digits (digits->str, scanned.plus, home, error);
}

/**
 * xi_phone_is_valid:
 * @e164_digits: (nullable): digits without "+", as stored for a contact
 *
 * Whether @e164_digits is a number xi_phone_normalize() returns: written
 * with "+" in front, it normalises to itself. Every number the store
 * keeps passes this, and a campaign skips a recipient whose number does
 * not as an invalid number.
 *
 * Returns: %TRUE if @e164_digits is a valid normalised number
 */
gboolean
xi_phone_is_valid (const char *e164_digits)
{
  g_autofree char *normalized = NULL;

  if (e164_digits == NULL || e164_digits[0] == '\0')
    return FALSE;
  for (const char *p = e164_digits; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;

  /* Digits after a "+" have nothing for xi_phone_normalize() to clean
   * up, so it would go straight to the international form; a campaign
   * asks this of every recipient, and the cleaning was most of the cost. */
  normalized = normalize_international (e164_digits, NULL);
  return normalized != NULL && g_str_equal (normalized, e164_digits);
}

/* Group lengths for the digits after the country code; the digits left
 * over form the last group. */
typedef struct
{
  const char *code;
  guint8      nsn_len;
  guint8      groups[4];
} Grouping;

static const Grouping groupings[] = {
  { "1",  10, { 3, 3 } },         /* 202-555-0123 */
  { "7",  10, { 3, 3, 2 } },      /* 912-345-67-89 */
  { "44", 10, { 4 } },            /* 7911-123456 */
  { "55", 10, { 2, 4 } },         /* 11-3456-7890 */
  { "55", 11, { 2, 5 } },         /* 11-91234-5678 */
  { "60",  9, { 2, 3 } },         /* 12-345-6789 */
  { "60", 10, { 2, 4 } },         /* 11-2345-6789 */
  { "91", 10, { 5 } },            /* 98765-43210 */
};

/* Indonesia: mobiles 812-3456-7890; landlines after their area code,
 * which has two digits for the five largest cities and three elsewhere. */
static void
indonesian_groups (const char *nsn,
                   guint8     *groups)
{
  static const char * const big_cities[] = { "21", "22", "24", "31", "61" };

  if (nsn[0] == '8')
    {
      groups[0] = 3;
      groups[1] = 4;
      return;
    }
  groups[0] = 3;
  for (guint i = 0; i < G_N_ELEMENTS (big_cities); i++)
    if (g_str_has_prefix (nsn, big_cities[i]))
      groups[0] = 2;
}

/* Elsewhere: groups of three, the last one or two of four
 * (123-4567, 123-456-7890, 1234-5678); up to five digits stay together. */
static void
generic_groups (gsize   len,
                guint8 *groups)
{
  guint fours = len % 3;
  guint n = 0;

  if (len <= 5)
    return;
  for (guint i = 0; i < (len - 4 * fours) / 3; i++)
    groups[n++] = 3;
  for (guint i = 0; i < fours; i++)
    groups[n++] = 4;
}

static void
find_groups (const Country *country,
             const char    *nsn,
             guint8        *groups)
{
  gsize len = strlen (nsn);

  if (g_str_equal (country->code, "62"))
    {
      indonesian_groups (nsn, groups);
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (groupings); i++)
    if (g_str_equal (groupings[i].code, country->code) && groupings[i].nsn_len == len)
      {
        memcpy (groups, groupings[i].groups, sizeof groupings[i].groups);
        return;
      }
  generic_groups (len, groups);
}

/**
 * xi_phone_format_international:
 * @e164_digits: (nullable): digits as returned by xi_phone_normalize()
 *
 * Formats a normalised number for people: "6281234567890" becomes
 * "+62 812-3456-7890" and "12025550123" becomes "+1 202-555-0123".
 * xi_phone_normalize() reads every such form back to the same digits.
 *
 * Returns: (transfer full): the formatted number
 */
char *
xi_phone_format_international (const char *e164_digits)
{
  guint8 groups[8] = { 0 };
  const Country *country;
  const char *nsn;
  GString *out;

  if (e164_digits == NULL || e164_digits[0] == '\0')
    return g_strdup ("");

  country = match_prefix (e164_digits);
  if (country == NULL)
    return g_strconcat ("+", e164_digits, NULL);

  nsn = e164_digits + strlen (country->code);
  find_groups (country, nsn, groups);

  out = g_string_new ("+");
  g_string_append_printf (out, "%s ", country->code);
  for (guint g = 0; groups[g] != 0 && strlen (nsn) > groups[g]; g++)
    {
      g_string_append_len (out, nsn, groups[g]);
      g_string_append_c (out, '-');
      nsn += groups[g];
    }
  g_string_append (out, nsn);

  return g_string_free (out, FALSE);
}

/**
 * xi_phone_is_lid:
 * @address: (nullable): a customer's address, as the Inbox keys its
 *   conversations
 *
 * Whether @address is the LID a customer wrote from while WhatsApp hid
 * their number ("236395184570386@lid"), rather than a number: opaque
 * digits that must never be read, shown or dialled as one.
 *
 * Returns: %TRUE for a bare LID JID, no device, at most 32 digits
 */
gboolean
xi_phone_is_lid (const char *address)
{
  const char *at = address != NULL ? strchr (address, '@') : NULL;

  if (at == NULL || at == address || at - address > 32 || !g_str_equal (at, "@lid"))
    return FALSE;
  for (const char *p = address; p < at; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  return TRUE;
}

/**
 * xi_phone_format_address:
 * @address: (nullable): a customer's address: a number's digits, or a
 *   LID (xi_phone_is_lid ())
 *
 * Formats the address for people: a number as
 * xi_phone_format_international() does, a LID as words that say the
 * number is hidden, never as its digits.
 *
 * Returns: (transfer full): the text to show
 */
char *
xi_phone_format_address (const char *address)
{
  if (xi_phone_is_lid (address))
    return g_strdup (_("WhatsApp user (number hidden)"));
  return xi_phone_format_international (address);
}
