/* test-phone.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "xi-phone.h"
#include "xi-phone-properties.h"

typedef struct
{
  const char *input;
  const char *country;
  const char *expected;   /* NULL: an error is expected */
  int         error;
} Case;

#define OK(in, cc, out)   { in, cc, out, -1 }
#define BAD(in, cc, code) { in, cc, NULL, XI_PHONE_ERROR_##code }

static void
check_cases (const Case *cases,
             gsize       n_cases)
{
  for (gsize i = 0; i < n_cases; i++)
    {
      const Case *c = &cases[i];
      g_autoptr(GError) error = NULL;
      g_autofree char *got = xi_phone_normalize (c->input, c->country, &error);

      g_autofree char *broken = xi_phone_check_properties (c->input, c->country);

      g_test_message ("“%s” (default +%s)", c->input, c->country != NULL ? c->country : "62");
      g_assert_null (broken);
      if (c->expected != NULL)
        {
          g_assert_no_error (error);
          g_assert_cmpstr (got, ==, c->expected);
        }
      else
        {
          g_assert_null (got);
          g_assert_error (error, XI_PHONE_ERROR, c->error);
          /* Every refusal explains itself in a sentence. */
          g_assert_cmpuint (strlen (error->message), >, 20);
        }
    }
}

#define CHECK(cases) check_cases (cases, G_N_ELEMENTS (cases))

static void
test_indonesia_mobile (void)
{
  static const Case cases[] = {
    OK ("0812-3456-7890", "62", "6281234567890"),
    OK ("+62 812 3456 7890", "62", "6281234567890"),
    OK ("6281234567890", "62", "6281234567890"),
    OK ("62 812 3456 7890", "62", "6281234567890"),
    OK ("81234567890", "62", "6281234567890"),
    OK ("(0812) 3456 7890", "62", "6281234567890"),
    OK ("+62 (0) 812-3456-7890", "62", "6281234567890"),
    OK ("+62 (0)812 3456 7890", "62", "6281234567890"),
    OK ("62 0812 3456 7890", "62", "6281234567890"),
    OK ("0062 812 3456 7890", "62", "6281234567890"),
    OK ("(+62) 812-3456-7890", "62", "6281234567890"),
    OK ("0812.3456.7890", "62", "6281234567890"),
    OK ("0812/3456/7890", "62", "6281234567890"),
    OK ("0812\xc2\xa0" "3456\xc2\xa0" "7890", "62", "6281234567890"),
    OK ("0812\xe2\x80\x94" "3456\xe2\x80\x94" "7890", "62", "6281234567890"),
    /* Full-width digits and plus, from Asian input methods. */
    OK ("\xef\xbc\x90\xef\xbc\x98\xef\xbc\x91\xef\xbc\x92" "34567890", "62", "6281234567890"),
    OK ("\xef\xbc\x8b" "62 812 3456 7890", "62", "6281234567890"),
    /* Copied from WhatsApp: direction marks and non-breaking hyphens. */
    OK ("\xe2\x80\xaa+62 812\xe2\x80\x91" "3456\xe2\x80\x91" "7890\xe2\x80\xac",
        "62", "6281234567890"),
    OK ("\xe2\x80\x9c" "0812-3456-7890\xe2\x80\x9d", "62", "6281234567890"),
    OK ("  0812 3456 789  ", "62", "628123456789"),
    OK ("0811-123-456", "62", "62811123456"),
    OK ("0811 1234 567", "62", "628111234567"),
    OK ("0812 3456 78901", "62", "62812345678901"),
    OK ("0857-1111-2222", NULL, "6285711112222"),
    OK ("0857-1111-2222", "999", "6285711112222"),
  };

  CHECK (cases);
}

static void
test_indonesia_landline (void)
{
  static const Case cases[] = {
    OK ("021-5551234", "62", "62215551234"),
    OK ("(021) 5551 2345", "62", "622155512345"),
    OK ("021/5551234", "62", "62215551234"),
    OK ("022 2501234", "62", "62222501234"),
    OK ("0274-123456", "62", "62274123456"),
    OK ("0274 12345", "62", "6227412345"),
    OK ("+62 22 7654321", "62", "62227654321"),
    OK ("0967 531234", "62", "62967531234"),
    BAD ("021-123", "62", TOO_SHORT),
    BAD ("021-1234-5678-90", "62", TOO_LONG),
    BAD ("0112 345678", "62", INVALID_FOR_COUNTRY),
  };

  CHECK (cases);
}

static void
test_spreadsheet (void)
{
  static const Case cases[] = {
    OK ("'081234567890", "62", "6281234567890"),
    OK ("  '0812 3456 7890", "62", "6281234567890"),
    OK ("=\"081234567890\"", "62", "6281234567890"),
    OK ("\"0812-3456-7890\"", "62", "6281234567890"),
    OK ("6281234567890.0", "62", "6281234567890"),
    OK ("81234567890.00", "62", "6281234567890"),
    OK ("021.555.1230", "62", "62215551230"),
    BAD ("6.28123E+12", "62", SPREADSHEET_MANGLED),
    BAD ("6,28123E+12", "62", SPREADSHEET_MANGLED),
    BAD ("8.1234567890e10", "62", SPREADSHEET_MANGLED),
  };

  CHECK (cases);
}

static void
test_international (void)
{
  static const Case cases[] = {
    OK ("+1 (202) 555-0123", "62", "12025550123"),
    OK ("+1 416 555 0199", "62", "14165550199"),
    OK ("+44 7911 123456", "62", "447911123456"),
    OK ("0044 7911 123456", "62", "447911123456"),
    OK ("+49 30 123456", "62", "4930123456"),
    OK ("+49 1512 3456789", "62", "4915123456789"),
    OK ("+60 12-345 6789", "62", "60123456789"),
    OK ("+65 9123 4567", "62", "6591234567"),
    OK ("+61 412 345 678", "62", "61412345678"),
    OK ("+55 11 91234-5678", "62", "5511912345678"),
    OK ("+91 98765 43210", "62", "919876543210"),
    OK ("+63 917 123 4567", "62", "639171234567"),
    OK ("+81 90-1234-5678", "62", "819012345678"),
    OK ("+971 50 123 4567", "62", "971501234567"),
    /* Italian numbers keep their leading 0 after the country code. */
    OK ("+39 06 6982 1234", "62", "390669821234"),
    BAD ("+1 (102) 555-0123", "62", INVALID_FOR_COUNTRY),
    BAD ("+1 555 0123", "62", TOO_SHORT),
    BAD ("+44 7911 1234", "62", TOO_SHORT),
    BAD ("+49 1234", "62", TOO_SHORT),
    BAD ("+65 9123 45678", "62", TOO_LONG),
    BAD ("+999 123 456", "62", UNKNOWN_COUNTRY),
    BAD ("+0 812 3456", "62", UNKNOWN_COUNTRY),
    BAD ("00", "62", UNKNOWN_COUNTRY),
  };

  CHECK (cases);
}

static void
test_national (void)
{
  static const Case cases[] = {
    OK ("(202) 555-0123", "1", "12025550123"),
    OK ("1-202-555-0123", "1", "12025550123"),
    OK ("202.555.0123", "1", "12025550123"),
    OK ("07911 123456", "44", "447911123456"),
    OK ("030 123456", "49", "4930123456"),
    OK ("01512 3456789", "49", "4915123456789"),
    OK ("012-345 6789", "60", "60123456789"),
    OK ("9123 4567", "65", "6591234567"),
    OK ("0412 345 678", "61", "61412345678"),
    OK ("(11) 91234-5678", "55", "5511912345678"),
    OK ("011 91234-5678", "55", "5511912345678"),
    OK ("0917 123 4567", "63", "639171234567"),
    OK ("98765 43210", "91", "919876543210"),
    OK ("098765 43210", "91", "919876543210"),
    OK ("8 912 345-67-89", "7", "79123456789"),
    OK ("06 20 123 4567", "36", "36201234567"),
    OK ("+62 812 3456 7890", "1", "6281234567890"),
    BAD ("(202) 055-0123", "1", INVALID_FOR_COUNTRY),
    BAD ("6281234567890", "1", TOO_LONG),
    BAD ("9123 456", "65", TOO_SHORT),
  };

  CHECK (cases);
}

static void
test_refused (void)
{
  static const Case cases[] = {
    BAD ("", "62", EMPTY),
    BAD (NULL, "62", EMPTY),
    BAD ("   ", "62", EMPTY),
    BAD ("-", "62", EMPTY),
    BAD ("+", "62", EMPTY),
    BAD ("\xff" "0812", "62", INVALID_CHARACTERS),
    BAD ("0812-ABC-7890", "62", INVALID_CHARACTERS),
    BAD ("budi@example.com", "62", INVALID_CHARACTERS),
    BAD ("0812 3456 7890 ext 12", "62", INVALID_CHARACTERS),
    BAD ("0812+3456", "62", INVALID_CHARACTERS),
    BAD ("0812 3456 7890 / 0813 1111 2222", "62", INVALID_CHARACTERS),
    BAD ("0812-3456-7890, 0857-1111-2222", "62", INVALID_CHARACTERS),
    BAD ("12", "62", TOO_SHORT),
    BAD ("0812-345", "62", TOO_SHORT),
    BAD ("+62", "62", TOO_SHORT),
    BAD ("08123456789012345", "62", TOO_LONG),
    BAD ("+62 812 3456 7890 1234", "62", TOO_LONG),
    BAD ("+62 112 3456 7890", "62", INVALID_FOR_COUNTRY),
  };

  CHECK (cases);
}

/* Issue 18: "+510( 0 555-2631" was stored as 5105552631, which then read
 * as too short, so every campaign skipped the contact. A 0 after the
 * country code is dropped once, as the trunk prefix; a second one is a
 * mistake to fix, not a number to store. */
static void
test_trunk_zero_once (void)
{
  static const Case cases[] = {
    BAD ("+510( 0 555-2631", "62", INVALID_FOR_COUNTRY),
    BAD ("+44 00 7911 123456", "62", INVALID_FOR_COUNTRY),
    BAD ("0044 0 07911 123456", "62", INVALID_FOR_COUNTRY),
    OK ("+51 (0) 1 555 2631", "62", "5115552631"),
    OK ("+44 (0) 7911 123456", "62", "447911123456"),
    OK ("+39 06 6982 1234", "62", "390669821234"),
  };

  CHECK (cases);
  g_assert_false (xi_phone_is_valid ("5105552631"));
  g_assert_true (xi_phone_is_valid ("5115552631"));
  g_assert_false (xi_phone_is_valid ("+6281234567890"));
  g_assert_false (xi_phone_is_valid (""));
  g_assert_false (xi_phone_is_valid (NULL));
}

/* Every input of the phone fuzz corpus keeps the properties the fuzzer
 * asserts, so a finding copied into the corpus stays fixed. */
static void
test_fuzz_corpus (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fuzz", "corpus-phone", NULL);
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) error = NULL;
  const char *name;
  guint n = 0;

  dir = g_dir_open (path, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (path, name, NULL);
      g_autofree char *contents = NULL;
      g_autofree char *broken = NULL;
      gsize len;

      g_assert_true (g_file_get_contents (file, &contents, &len, NULL));
      broken = xi_phone_check_corpus_file (contents, len);
      if (broken != NULL)
        g_error ("%s: %s", name, broken);
      n++;
    }
  g_assert_cmpuint (n, >=, 100);
}

/* Every number stored in the database dumps the migration tests load
 * is one a campaign sends to, and reads back as itself. */
static void
test_stored_numbers (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", NULL);
  g_autoptr(GRegex) quoted = g_regex_new ("'([1-9][0-9]{5,14})'", 0, 0, NULL);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (path, name, NULL);
      g_autofree char *contents = NULL;
      g_autoptr(GMatchInfo) match = NULL;

      if (!g_str_has_suffix (name, ".sql"))
        continue;
      g_assert_true (g_file_get_contents (file, &contents, NULL, NULL));
      for (g_regex_match (quoted, contents, 0, &match); g_match_info_matches (match);
           g_match_info_next (match, NULL))
        {
          g_autofree char *digits = g_match_info_fetch (match, 1);
          g_autofree char *plus = g_strconcat ("+", digits, NULL);
          g_autofree char *broken = xi_phone_check_properties (plus, NULL);

          g_test_message ("%s: %s", name, digits);
          g_assert_true (xi_phone_is_valid (digits));
          g_assert_null (broken);
          n++;
        }
    }
  g_assert_cmpuint (n, >, 0);
}

static void
test_country_codes (void)
{
  static const char * const codes[] = {
    "1", "7", "20", "27", "30", "39", "44", "49", "55", "62", "65", "86", "98",
    "211", "290", "299", "350", "389", "420", "423", "500", "599", "670", "692",
    "800", "808", "850", "888", "960", "971", "979", "992", "998",
  };
  static const char * const not_codes[] = {
    "0", "28", "42", "80", "210", "259", "384", "422", "801", "999", "+62", "062", "6 2", "",
  };
  guint n = 0;

  for (guint i = 0; i < G_N_ELEMENTS (codes); i++)
    g_assert_true (xi_phone_is_country_code (codes[i]));
  for (guint i = 0; i < G_N_ELEMENTS (not_codes); i++)
    g_assert_false (xi_phone_is_country_code (not_codes[i]));
  g_assert_false (xi_phone_is_country_code (NULL));

  /* The table is searched by bisection: a code out of order would go
   * missing here. */
  for (guint i = 1; i < 1000; i++)
    {
      g_autofree char *code = g_strdup_printf ("%u", i);

      n += xi_phone_is_country_code (code);
    }
  g_assert_cmpuint (n, ==, 216);
}

static void
test_format (void)
{
  static const struct { const char *in, *out; } table[] = {
    { "6281234567890", "+62 812-3456-7890" },
    { "628111234567", "+62 811-1234-567" },
    { "62215551234", "+62 21-5551234" },
    { "62274123456", "+62 274-123456" },
    { "12025550123", "+1 202-555-0123" },
    { "447911123456", "+44 7911-123456" },
    { "5511912345678", "+55 11-91234-5678" },
    { "60123456789", "+60 12-345-6789" },
    { "919876543210", "+91 98765-43210" },
    { "79123456789", "+7 912-345-67-89" },
    { "6591234567", "+65 9123-4567" },
    { "61412345678", "+61 412-345-678" },
    { "639171234567", "+63 917-123-4567" },
    { "4930123456", "+49 3012-3456" },
    { "971501234567", "+971 501-234-567" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      g_autofree char *got = xi_phone_format_international (table[i].in);
      g_autofree char *back = NULL;

      g_assert_cmpstr (got, ==, table[i].out);
      /* What we print, we read back the same, whatever the default country. */
      back = xi_phone_normalize (got, "1", NULL);
      g_assert_cmpstr (back, ==, table[i].in);
    }
}

static void
test_format_edges (void)
{
  g_autofree char *empty = xi_phone_format_international ("");
  g_autofree char *null = xi_phone_format_international (NULL);
  g_autofree char *unknown = xi_phone_format_international ("99912345");

  g_assert_cmpstr (empty, ==, "");
  g_assert_cmpstr (null, ==, "");
  g_assert_cmpstr (unknown, ==, "+99912345");
}

/* Every ASCII character between the digits: which ones a number may
 * hold as a separator (the rest are refused), as Unicode's classes say,
 * which the normaliser decides from a table for these characters. */
static void
test_ascii_characters (void)
{
  const char *separators = "\t\n\f\r ()[]{},-./;";

  for (char c = 1; c > 0; c++)
    {
      g_autofree char *input = g_strdup_printf ("0812%c34567890", c);
      g_autoptr(GError) error = NULL;
      g_autofree char *number = xi_phone_normalize (input, "62", &error);

      if (g_ascii_isdigit (c))
        {
          g_autofree char *expected = g_strdup_printf ("62812%c34567890", c);

          g_assert_cmpstr (number, ==, expected);
        }
      else if (strchr (separators, c) != NULL)
        g_assert_cmpstr (number, ==, "6281234567890");
      else
        {
          /* "0812e34567890" reads as a spreadsheet's scientific
           * notation, refused with its own sentence. */
          int expected = g_ascii_tolower (c) == 'e' ? XI_PHONE_ERROR_SPREADSHEET_MANGLED
                                                    : XI_PHONE_ERROR_INVALID_CHARACTERS;

          g_assert_null (number);
          g_assert_error (error, XI_PHONE_ERROR, expected);
        }
    }
}

/* The forms read without the full cleaning (digits, spaces, dashes,
 * brackets, one leading "+"), and the nearest ones that are not. */
static void
test_plain_forms (void)
{
  static const Case cases[] = {
    OK ("081234567890", "62", "6281234567890"),
    OK ("0812 3456 7890", "62", "6281234567890"),
    OK ("0812-3456-7890", "62", "6281234567890"),
    OK ("(0812)34567890", "62", "6281234567890"),
    OK (" 0812 3456 7890 ", "62", "6281234567890"),
    OK ("+6281234567890", "62", "6281234567890"),
    OK ("+62 (0) 812-3456-7890", "62", "6281234567890"),
    OK ("(+62) 812 3456 7890", "62", "6281234567890"),
    OK ("0062 812 3456 7890", "62", "6281234567890"),
    OK ("62 812 3456 7890", "62", "6281234567890"),
    OK ("+1 (202) 555-0123", "62", "12025550123"),
    OK ("(202) 555-0123", "1", "12025550123"),
    OK ("0812-3456-7890\t", "62", "6281234567890"),
    OK ("6281234567890.0", "62", "6281234567890"),
    BAD ("0812+3456", "62", INVALID_CHARACTERS),
    BAD ("++62 812 3456 7890", "62", INVALID_CHARACTERS),
    BAD ("+ +62 812 3456 7890", "62", INVALID_CHARACTERS),
    BAD ("( ) -", "62", EMPTY),
    BAD ("+", "62", EMPTY),
    BAD ("", "62", EMPTY),
    BAD ("0812 3456 7890 1234 5678 9012 3456 7890 12", "62", TOO_LONG),
    BAD ("+999 1234 5678", "62", UNKNOWN_COUNTRY),
    BAD ("0812-345", "62", TOO_SHORT),
    BAD ("+62 112 3456 7890", "62", INVALID_FOR_COUNTRY),
  };

  CHECK (cases);
}

/* A cell of the plain forms reads as it does with a tab after it, which
 * sends it through the full cleaning: random cells of their characters,
 * most of them numbers of some country, with every default country the
 * cases above use. */
static void
test_plain_forms_agree (void)
{
  static const char alphabet[] = "01234567890123456789012345678901234567890123456789 -() -+";
  static const char * const countries[] = { "62", "1", "44", "7", "39" };
  g_autoptr(GRand) rand = g_rand_new_with_seed (17);
  guint numbers = 0;

  for (guint i = 0; i < 20000; i++)
    {
      char input[24];
      guint len = g_rand_int_range (rand, 0, sizeof input);
      const char *country = countries[i % G_N_ELEMENTS (countries)];
      g_autofree char *tabbed = NULL;
      g_autoptr(GError) plain_error = NULL;
      g_autoptr(GError) full_error = NULL;
      g_autofree char *plain = NULL;
      g_autofree char *full = NULL;

      for (guint c = 0; c < len; c++)
        input[c] = alphabet[g_rand_int_range (rand, 0, sizeof alphabet - 1)];
      if (len > 0 && g_rand_boolean (rand))
        input[0] = '+';
      input[len] = '\0';
      tabbed = g_strconcat (input, "\t", NULL);
      plain = xi_phone_normalize (input, country, &plain_error);
      full = xi_phone_normalize (tabbed, country, &full_error);

      g_test_message ("“%s” (default +%s)", input, country);
      g_assert_cmpstr (plain, ==, full);
      if (full_error != NULL)
        {
          g_assert_error (plain_error, XI_PHONE_ERROR, full_error->code);
          g_assert_cmpstr (plain_error->message, ==, full_error->message);
        }
      numbers += full != NULL;
    }
  /* Enough of them are numbers for the comparison to mean something. */
  g_assert_cmpuint (numbers, >, 1000);
}

/* A LID is told from a number, and is never shown as one. */
static void
test_lid (void)
{
  static const char *lids[] = { "236395184570386@lid", "1@lid", "12345678901234567890123456789012@lid" };
  static const char *not_lids[] = {
    NULL, "", "@lid", "236395184570386", "236395184570386:3@lid", "236395184570386@s.whatsapp.net",
    "+236395184570386@lid", "2363951845703a6@lid", "236395184570386@lid.x", "123456789012345678901234567890123@lid",
  };
  g_autofree char *shown = xi_phone_format_address ("236395184570386@lid");
  g_autofree char *number = xi_phone_format_address ("6281234567890");

  for (guint i = 0; i < G_N_ELEMENTS (lids); i++)
    g_assert_true (xi_phone_is_lid (lids[i]));
  for (guint i = 0; i < G_N_ELEMENTS (not_lids); i++)
    g_assert_false (xi_phone_is_lid (not_lids[i]));
  g_assert_cmpstr (shown, ==, "WhatsApp user (number hidden)");
  g_assert_cmpstr (number, ==, "+62 812-3456-7890");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/xi/phone/normalize/indonesia", test_indonesia_mobile);
  g_test_add_func ("/xi/phone/normalize/indonesia-landline", test_indonesia_landline);
  g_test_add_func ("/xi/phone/normalize/spreadsheet", test_spreadsheet);
  g_test_add_func ("/xi/phone/normalize/international", test_international);
  g_test_add_func ("/xi/phone/normalize/national", test_national);
  g_test_add_func ("/xi/phone/normalize/ascii-characters", test_ascii_characters);
  g_test_add_func ("/xi/phone/normalize/refused", test_refused);
  g_test_add_func ("/xi/phone/normalize/trunk-zero-once", test_trunk_zero_once);
  g_test_add_func ("/xi/phone/normalize/plain-forms", test_plain_forms);
  g_test_add_func ("/xi/phone/normalize/plain-forms-agree", test_plain_forms_agree);
  g_test_add_func ("/xi/phone/fuzz-corpus", test_fuzz_corpus);
  g_test_add_func ("/xi/phone/stored-numbers", test_stored_numbers);
  g_test_add_func ("/xi/phone/country-codes", test_country_codes);
  g_test_add_func ("/xi/phone/format", test_format);
  g_test_add_func ("/xi/phone/format/edges", test_format_edges);
  g_test_add_func ("/xi/phone/lid", test_lid);

  return g_test_run ();
}
