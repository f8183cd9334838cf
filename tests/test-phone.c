/* test-phone.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "xi-phone.h"

typedef struct
{
  const char *input;
  const char *country;
  const char *expected;   /* NULL: an error is expected */
  int         error;
} Case;

#define OK(in, cc, out)   { in, cc, out, -1 }
#define BAD(in, cc, code) { in, cc, NULL, XI_PHONE_ERROR_##code }

static const Case cases[] = {
  /* Indonesian mobiles, every way people write them */
  OK ("0812-3456-7890", "62", "6281234567890"),
  OK ("+62 812 3456 7890", "62", "6281234567890"),
  OK ("6281234567890", "62", "6281234567890"),
  OK ("81234567890", "62", "6281234567890"),
  OK ("(0812) 3456 7890", "62", "6281234567890"),
  OK ("+62 (0)812-3456-7890", "62", "6281234567890"),
  OK ("0062 812 3456 7890", "62", "6281234567890"),
  OK ("0812.3456.7890", "62", "6281234567890"),
  OK ("'081234567890", "62", "6281234567890"),
  OK ("=\"081234567890\"", "62", "6281234567890"),
  OK ("6281234567890.0", "62", "6281234567890"),
  OK ("  0812 3456 789  ", "62", "628123456789"),
  OK ("0812\xc2\xa0" "3456\xc2\xa0" "7890", "62", "6281234567890"),
  OK ("\xef\xbc\x90\xef\xbc\x98\xef\xbc\x91\xef\xbc\x92" "34567890", "62", "6281234567890"),
  OK ("0857-1111-2222", NULL, "6285711112222"),
  OK ("0811 1234 567", "62", "628111234567"),
  /* Indonesian landlines */
  OK ("021-5551234", "62", "62215551234"),
  OK ("(021) 5551 2345", "62", "622155512345"),
  OK ("021/5551234", "62", "62215551234"),
  OK ("0274-123456", "62", "62274123456"),
  OK ("+62 22 7654321", "62", "62227654321"),
  OK ("0967 531234", "62", "62967531234"),
  /* Other countries, international form with an Indonesian default */
  OK ("+1 (202) 555-0123", "62", "12025550123"),
  OK ("+44 7911 123456", "62", "447911123456"),
  OK ("+49 30 123456", "62", "4930123456"),
  OK ("+60 12-345 6789", "62", "60123456789"),
  OK ("+65 9123 4567", "62", "6591234567"),
  OK ("+61 412 345 678", "62", "61412345678"),
  OK ("+55 11 91234-5678", "62", "5511912345678"),
  OK ("+91 98765 43210", "62", "919876543210"),
  OK ("+63 917 123 4567", "62", "639171234567"),
  OK ("+971 50 123 4567", "62", "971501234567"),
  OK ("+39 06 6982 1234", "62", "390669821234"),
  /* National form with other default countries */
  OK ("(202) 555-0123", "1", "12025550123"),
  OK ("1-202-555-0123", "1", "12025550123"),
  OK ("07911 123456", "44", "447911123456"),
  OK ("030 123456", "49", "4930123456"),
  OK ("012-345 6789", "60", "60123456789"),
  OK ("9123 4567", "65", "6591234567"),
  OK ("0412 345 678", "61", "61412345678"),
  OK ("0917 123 4567", "63", "639171234567"),
  OK ("8 912 345-67-89", "7", "79123456789"),
  /* Refused, each with its reason */
  BAD ("", "62", EMPTY),
  BAD ("   ", "62", EMPTY),
  BAD ("-", "62", EMPTY),
  BAD ("0812-ABC-7890", "62", INVALID_CHARACTERS),
  BAD ("budi@example.com", "62", INVALID_CHARACTERS),
  BAD ("0812 3456 7890 / 0813 1111 2222", "62", INVALID_CHARACTERS),
  BAD ("6.28123E+12", "62", SPREADSHEET_MANGLED),
  BAD ("6,28123E+12", "62", SPREADSHEET_MANGLED),
  BAD ("12", "62", TOO_SHORT),
  BAD ("0812-345", "62", TOO_SHORT),
  BAD ("08123456789012345", "62", TOO_LONG),
  BAD ("+62 812 3456 7890 1234", "62", TOO_LONG),
  BAD ("+999 123 456", "62", UNKNOWN_COUNTRY),
  BAD ("+0 812 3456", "62", UNKNOWN_COUNTRY),
  BAD ("+62 112 3456 7890", "62", INVALID_FOR_COUNTRY),
  BAD ("+1 (102) 555-0123", "62", INVALID_FOR_COUNTRY),
  BAD ("+1 555 0123", "62", TOO_SHORT),
  BAD ("+65 9123 45678", "62", TOO_LONG),
};

static void
test_table (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const Case *c = &cases[i];
      g_autoptr(GError) error = NULL;
      g_autofree char *got = xi_phone_normalize (c->input, c->country, &error);

      g_test_message ("“%s” (default +%s)", c->input, c->country != NULL ? c->country : "62");
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

  g_assert_cmpuint (G_N_ELEMENTS (cases), >=, 40);
}

static void
test_country_codes (void)
{
  g_assert_true (xi_phone_is_country_code ("62"));
  g_assert_true (xi_phone_is_country_code ("1"));
  g_assert_true (xi_phone_is_country_code ("971"));
  g_assert_false (xi_phone_is_country_code ("999"));
  g_assert_false (xi_phone_is_country_code (""));
  g_assert_false (xi_phone_is_country_code (NULL));
  g_assert_false (xi_phone_is_country_code ("+62"));
}

static void
test_format (void)
{
  const struct { const char *in, *out; } table[] = {
    { "6281234567890", "+62 812-3456-7890" },
    { "62215551234", "+62 21-5551234" },
    { "62274123456", "+62 274-123456" },
    { "12025550123", "+1 202-555-0123" },
    { "447911123456", "+44 7911123456" },
    { "", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      g_autofree char *got = xi_phone_format_international (table[i].in);
      g_autofree char *back = NULL;

      g_assert_cmpstr (got, ==, table[i].out);
      if (table[i].in[0] == '\0')
        continue;
      /* What we print, we read back the same. */
      back = xi_phone_normalize (got, "62", NULL);
      g_assert_cmpstr (back, ==, table[i].in);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/xi/phone/normalize", test_table);
  g_test_add_func ("/xi/phone/country-codes", test_country_codes);
  g_test_add_func ("/xi/phone/format", test_format);

  return g_test_run ();
}
