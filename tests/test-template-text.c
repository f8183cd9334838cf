/* test-template-text.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "xi-limits.h"
#include "xi-template-text.h"

/* A recipient is a NULL-terminated list of name, value pairs; a value may
 * be NULL to say "the lookup has nothing for this". */
typedef struct
{
  const char *pairs[16];
} Recipient;

static const Recipient budi = { {
  "name", "Budi Santoso", "phone", "6281234567890", "kota", "Bandung", "hobi", "Mancing", NULL,
} };
static const Recipient nobody = { { "name", "", NULL } };
static const char *known[] = { "kota", "hobi", "nama_lengkap", "kota_asal", NULL };

static guint lookups;

static const char *
lookup (const char *variable,
        gpointer    data)
{
  const Recipient *recipient = data;

  lookups++;
  for (guint i = 0; recipient->pairs[i] != NULL; i += 2)
    if (g_str_equal (recipient->pairs[i], variable))
      return recipient->pairs[i + 1];
  return NULL;
}

static XiTemplateText *
parse_ok (const char *source)
{
  g_autoptr(GError) error = NULL;
  XiTemplateText *text = xi_template_text_parse (source, known, &error);

  g_assert_no_error (error);
  g_assert_nonnull (text);
  return text;
}

static char *
render (const char       *source,
        const Recipient  *recipient,
        char           ***missing)
{
  g_autoptr(XiTemplateText) text = parse_ok (source);
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);

  return xi_template_text_render (text, lookup, (gpointer)recipient, rand, missing, NULL);
}

static void
assert_renders (const char      *source,
                const Recipient *recipient,
                const char      *expected)
{
  g_autofree char *out = render (source, recipient, NULL);

  g_test_message ("template: %s", source);
  g_assert_cmpstr (out, ==, expected);
}

/* Parses @source, expects @code at @line, @column and returns the message. */
static char *
parse_error (const char *source,
             int         code,
             guint       line,
             guint       column)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(XiTemplateText) text = xi_template_text_parse (source, known, &error);

  g_test_message ("template: %s", source);
  g_assert_null (text);
  g_assert_error (error, XI_TEMPLATE_ERROR, code);
  if (line > 0)
    {
      g_autofree char *where = g_strdup_printf ("Line %u, column %u: ", line, column);

      g_assert_true (g_str_has_prefix (error->message, where));
    }
  else
    g_assert_null (strstr (error->message, "column"));

  return g_strdup (error->message);
}

static void
assert_contains (const char *haystack,
                 const char *needle)
{
  if (strstr (haystack, needle) == NULL)
    g_error ("“%s” does not contain “%s”", haystack, needle);
}

static void
test_literal (void)
{
  g_autoptr(GString) long_text = g_string_new (NULL);
  g_autoptr(XiTemplateText) text = NULL;
  g_autofree char *out = NULL;
  g_auto(GStrv) missing = NULL;

  assert_renders ("plain text", &budi, "plain text");
  assert_renders ("Baris 1\nBaris 2\n\n  Baris 4 \n", &budi, "Baris 1\nBaris 2\n\n  Baris 4 \n");
  assert_renders ("Windows\r\nline", &budi, "Windows\r\nline");
  assert_renders ("x", &budi, "x");
  assert_renders ("a | b, 100% (ok) [sip] <b>", &budi, "a | b, 100% (ok) [sip] <b>");

  /* Any length up to WhatsApp's: 60,000 characters of text and one
   * variable in the middle. */
  for (guint i = 0; i < 2500; i++)
    g_string_append (long_text, "Promo hemat ");
  g_string_append (long_text, "{first_name}");
  for (guint i = 0; i < 2500; i++)
    g_string_append (long_text, " akhir tahun");
  text = parse_ok (long_text->str);
  out = xi_template_text_render (text, lookup, (gpointer)&budi, NULL, &missing, NULL);
  g_assert_cmpuint (strlen (out), ==, long_text->len - strlen ("{first_name}") + strlen ("Budi"));
  g_assert_nonnull (strstr (out, "Promo hemat Budi akhir tahun"));
  g_assert_null (missing);

  /* A template without variables needs no recipient at all. */
  g_clear_pointer (&text, xi_template_text_unref);
  g_clear_pointer (&out, g_free);
  text = parse_ok ("Toko buka jam 8.");
  g_assert_null (xi_template_text_get_variables (text)[0]);
  out = xi_template_text_render (text, NULL, NULL, NULL, NULL, NULL);
  g_assert_cmpstr (out, ==, "Toko buka jam 8.");
  g_assert_cmpstr (xi_template_text_get_source (text), ==, "Toko buka jam 8.");
}

static void
test_variables (void)
{
  const struct { const char *source, *expected; } table[] = {
    { "Halo {name}!", "Halo Budi Santoso!" },
    { "{name}", "Budi Santoso" },
    { "Halo {first_name}, dari {kota}.", "Halo Budi, dari Bandung." },
    { "Halo { name }", "Halo Budi Santoso" },
    { "Halo {\tname  }", "Halo Budi Santoso" },
    { "Nomor: {phone}", "Nomor: +6281234567890" },
    { "{name}{kota}", "Budi SantosoBandung" },
    { "{kota} {kota} {kota}", "Bandung Bandung Bandung" },
    { "Baris 1\nBaris 2 {first_name}\n", "Baris 1\nBaris 2 Budi\n" },
    { "Hobi: {hobi}", "Hobi: Mancing" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    assert_renders (table[i].source, &budi, table[i].expected);
}

static void
test_case_insensitive (void)
{
  const char *mixed_known[] = { "Kota", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(XiTemplateText) text = NULL;
  g_autofree char *out = NULL;
  char **variables;

  assert_renders ("Halo {NAME} {First_Name} dari {KOTA} {Kota} {PhOnE}", &budi,
                  "Halo Budi Santoso Budi dari Bandung Bandung +6281234567890");

  /* Stored and looked up in lower case, whatever case the caller's list has. */
  text = xi_template_text_parse ("{KOTA} {kota} {Kota}", mixed_known, &error);
  g_assert_no_error (error);
  variables = xi_template_text_get_variables (text);
  g_assert_cmpuint (g_strv_length (variables), ==, 1);
  g_assert_cmpstr (variables[0], ==, "kota");
  out = xi_template_text_render (text, lookup, (gpointer)&budi, NULL, NULL, NULL);
  g_assert_cmpstr (out, ==, "Bandung Bandung Bandung");
}

static void
test_fallback (void)
{
  const Recipient empty_kota = { { "name", "Budi Santoso", "kota", "", NULL } };
  g_auto(GStrv) missing = NULL;
  g_autofree char *out = NULL;

  /* Used when the value is missing (NULL) or empty (""). */
  assert_renders ("Hai {name|Kak}", &nobody, "Hai Kak");
  assert_renders ("Hai {kota|sini}", &nobody, "Hai sini");
  assert_renders ("Di {kota|toko kami}", &empty_kota, "Di toko kami");
  assert_renders ("Hai {first_name|Kak}!", &nobody, "Hai Kak!");

  /* Not used when there is a value. */
  assert_renders ("Hai {name|Kak}", &budi, "Hai Budi Santoso");
  assert_renders ("Hai {first_name|Kak}!", &budi, "Hai Budi!");

  /* An empty fallback, spaces around it, escapes and other bars in it. */
  assert_renders ("Hai {name|}!", &nobody, "Hai !");
  assert_renders ("Hai { name | Bapak/Ibu }!", &nobody, "Hai Bapak/Ibu!");
  assert_renders ("{kota|kota \\{mu\\} \\| \\\\ a\\b}", &nobody, "kota {mu} | \\ a\\b");
  assert_renders ("{kota|a|b}", &nobody, "a|b");
  assert_renders ("{kota|Kota Kembang 🌸}", &nobody, "Kota Kembang 🌸");

  /* A fallback is a value: nothing to report. */
  out = render ("Hai {name|Kak}, {kota|}", &nobody, &missing);
  g_assert_cmpstr (out, ==, "Hai Kak, ");
  g_assert_null (missing);
}

static void
test_choices (void)
{
  g_autoptr(XiTemplateText) text = parse_ok ("{{Halo|Hai|Selamat pagi}} {first_name|Kak}{{!|}}");
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint greetings[3] = { 0, };
  guint bang = 0;
  const guint n = 30000;

  for (guint i = 0; i < n; i++)
    {
      char *out = xi_template_text_render (text, lookup, (gpointer)&budi, rand, NULL, NULL);

      if (g_str_has_prefix (out, "Halo "))
        greetings[0]++;
      else if (g_str_has_prefix (out, "Hai "))
        greetings[1]++;
      else if (g_str_has_prefix (out, "Selamat pagi "))
        greetings[2]++;
      else
        g_error ("unexpected “%s”", out);
      bang += g_str_has_suffix (out, "!");
      g_hash_table_add (seen, out);
    }

  /* 3 greetings × 2 endings, every combination seen, each option close to
   * its share (10,000 ± 5 standard deviations of about 82). */
  g_assert_cmpuint (g_hash_table_size (seen), ==, 6);
  g_assert_true (g_hash_table_contains (seen, "Selamat pagi Budi!"));
  g_assert_true (g_hash_table_contains (seen, "Selamat pagi Budi"));
  g_assert_true (g_hash_table_contains (seen, "Halo Budi!"));
  g_assert_true (g_hash_table_contains (seen, "Hai Budi"));
  for (guint g = 0; g < 3; g++)
    {
      g_assert_cmpuint (greetings[g], >, n / 3 - 410);
      g_assert_cmpuint (greetings[g], <, n / 3 + 410);
    }
  g_assert_cmpuint (bang, >, n / 2 - 450);
  g_assert_cmpuint (bang, <, n / 2 + 450);
}

static void
test_choices_seeded (void)
{
  g_autoptr(XiTemplateText) text = parse_ok ("{{a|b|c|d}}{{1|2|3}}");
  g_autoptr(GRand) first = g_rand_new_with_seed (1234);
  g_autoptr(GRand) second = g_rand_new_with_seed (1234);

  /* The same seed gives the same messages: campaigns can be reproduced. */
  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *a = xi_template_text_render (text, NULL, NULL, first, NULL, NULL);
      g_autofree char *b = xi_template_text_render (text, NULL, NULL, second, NULL, NULL);

      g_assert_cmpstr (a, ==, b);
      g_assert_cmpuint (strlen (a), ==, 2);
    }
}

static void
test_choice_with_variables (void)
{
  g_autoptr(XiTemplateText) text = parse_ok ("{{Halo {first_name}|Hai {name|Kak}|Permisi}}!");
  g_autoptr(GRand) rand = g_rand_new_with_seed (1);
  gboolean seen[3] = { FALSE, };
  gboolean reported = FALSE;
  char **variables = xi_template_text_get_variables (text);

  g_assert_cmpstr (variables[0], ==, "first_name");
  g_assert_cmpstr (variables[1], ==, "name");
  g_assert_null (variables[2]);

  for (guint i = 0; i < 200; i++)
    {
      g_auto(GStrv) missing = NULL;
      g_autofree char *out = xi_template_text_render (text, lookup, (gpointer)&nobody, rand,
                                                      &missing, NULL);

      if (g_str_equal (out, "Halo !"))
        {
          /* Only the option that was picked reports its variable. */
          seen[0] = TRUE;
          g_assert_nonnull (missing);
          g_assert_cmpstr (missing[0], ==, "first_name");
          g_assert_null (missing[1]);
          reported = TRUE;
        }
      else
        {
          g_assert_null (missing);
          if (g_str_equal (out, "Hai Kak!"))
            seen[1] = TRUE;
          else if (g_str_equal (out, "Permisi!"))
            seen[2] = TRUE;
          else
            g_error ("unexpected “%s”", out);
        }
    }
  g_assert_true (seen[0] && seen[1] && seen[2] && reported);

  /* Empty options, and options with escapes and newlines. */
  assert_renders ("{{|}}x", &budi, "x");
  assert_renders ("{{a\\|b|a\\|b}}", &budi, "a|b");
  assert_renders ("{{\\{x\\}|\\{x\\}}}", &budi, "{x}");
  assert_renders ("{{Halo\nkak|Halo\nkak}}", &budi, "Halo\nkak");
  assert_renders ("{{{first_name}|{first_name}}}", &budi, "Budi");
  assert_renders ("{{ Hai | Hai }}", &budi, " Hai ");
}

static void
test_escapes (void)
{
  const struct { const char *source, *expected; } table[] = {
    { "\\{name\\}", "{name}" },
    { "\\{{name}\\}", "{Budi Santoso}" },
    { "a \\\\ b", "a \\ b" },
    { "\\\\{first_name}", "\\Budi" },
    { "\\\\\\{", "\\{" },
    { "50\\% C:\\data\\n", "50\\% C:\\data\\n" },
    { "akhir\\", "akhir\\" },
    /* Outside choices and fallbacks a bar is text, so "\|" stays as is. */
    { "a \\| b", "a \\| b" },
    { "{{\\||\\|}}", "|" },
    { "{{\\\\|\\\\}}", "\\" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    assert_renders (table[i].source, &budi, table[i].expected);
}

static void
test_errors (void)
{
  const struct { const char *source; int code; guint line, column; const char *says; } table[] = {
    { "Halo {nama", XI_TEMPLATE_ERROR_UNCLOSED_BRACE, 1, 6, "never closed" },
    { "Halo\n  ya {name", XI_TEMPLATE_ERROR_UNCLOSED_BRACE, 2, 6, "never closed" },
    { "Halo {name\n}", XI_TEMPLATE_ERROR_UNCLOSED_BRACE, 1, 6, "never closed" },
    { "Halo {name|Kak", XI_TEMPLATE_ERROR_UNCLOSED_BRACE, 1, 6, "never closed" },
    { "Halo {name, apa kabar {kota}", XI_TEMPLATE_ERROR_UNCLOSED_BRACE, 1, 6, "next one" },
    { "{name|{first_name}}", XI_TEMPLATE_ERROR_UNCLOSED_BRACE, 1, 1, "\\{" },
    { "Halo {name\\}", XI_TEMPLATE_ERROR_UNCLOSED_BRACE, 1, 6, "never closed" },
    { "{{Halo|Hai", XI_TEMPLATE_ERROR_UNCLOSED_BRACE, 1, 1, "}}" },
    { "a\nb\n{{Halo|\nHai", XI_TEMPLATE_ERROR_UNCLOSED_BRACE, 3, 1, "}}" },
    { "Diskon 50%}", XI_TEMPLATE_ERROR_UNEXPECTED_CLOSE, 1, 11, "\\}" },
    { "}", XI_TEMPLATE_ERROR_UNEXPECTED_CLOSE, 1, 1, "no opening" },
    { "Hai {name}}", XI_TEMPLATE_ERROR_UNEXPECTED_CLOSE, 1, 11, "no opening" },
    { "{{a|b}}}", XI_TEMPLATE_ERROR_UNEXPECTED_CLOSE, 1, 8, "no opening" },
    { "{{Halo|Hai}!", XI_TEMPLATE_ERROR_UNEXPECTED_CLOSE, 1, 11, "two braces" },
    { "Halo {}", XI_TEMPLATE_ERROR_EMPTY_VARIABLE, 1, 6, "empty" },
    { "Halo\n\n   { }", XI_TEMPLATE_ERROR_EMPTY_VARIABLE, 3, 4, "empty" },
    { "Halo { |Kak}", XI_TEMPLATE_ERROR_EMPTY_VARIABLE, 1, 6, "empty" },
    { "Halo {nmae}", XI_TEMPLATE_ERROR_UNKNOWN_VARIABLE, 1, 6, "{nmae}" },
    { "Halo {alamat}", XI_TEMPLATE_ERROR_UNKNOWN_VARIABLE, 1, 6, "{alamat}" },
    { "Halo {nama depan}", XI_TEMPLATE_ERROR_UNKNOWN_VARIABLE, 1, 6, "Did you mean {nama_depan}?" },
    { "Halo {warna favorit}", XI_TEMPLATE_ERROR_UNKNOWN_VARIABLE, 1, 6, "letters, digits" },
    { "Halo {kota-asal}", XI_TEMPLATE_ERROR_UNKNOWN_VARIABLE, 1, 6, "{kota_asal}" },
    { "{{Hai|Halo}}\n{{Hai {nmae}|x}}", XI_TEMPLATE_ERROR_UNKNOWN_VARIABLE, 2, 7, "{nmae}" },
    { "{{name}}", XI_TEMPLATE_ERROR_BAD_CHOICE, 1, 1, "single braces" },
    { "Hai {{ name }}", XI_TEMPLATE_ERROR_BAD_CHOICE, 1, 5, "at least two" },
    { "{{}}", XI_TEMPLATE_ERROR_BAD_CHOICE, 1, 1, "at least two" },
    { "{{Halo {name}}}", XI_TEMPLATE_ERROR_BAD_CHOICE, 1, 1, "at least two" },
    { "{{Halo|{{Hai|Yo}}}}", XI_TEMPLATE_ERROR_BAD_CHOICE, 1, 8, "another choice" },
    { "", XI_TEMPLATE_ERROR_EMPTY, 0, 0, "empty" },
    { "  \n\t ", XI_TEMPLATE_ERROR_EMPTY, 0, 0, "empty" },
    { "\u00a0\u3000\n", XI_TEMPLATE_ERROR_EMPTY, 0, 0, "empty" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      g_autofree char *message = parse_error (table[i].source, table[i].code,
                                              table[i].line, table[i].column);

      assert_contains (message, table[i].says);
    }
}

static void
test_error_message_text (void)
{
  g_autofree char *unclosed = parse_error ("Halo\nBapak {name",
                                           XI_TEMPLATE_ERROR_UNCLOSED_BRACE, 2, 7);
  g_autofree char *choice = parse_error ("{{name}}", XI_TEMPLATE_ERROR_BAD_CHOICE, 1, 1);

  g_assert_cmpstr (unclosed, ==,
                   "Line 2, column 7: the brace opened here is never closed. "
                   "Write the variable as {name}.");
  g_assert_cmpstr (choice, ==,
                   "Line 1, column 1: a choice needs at least two options separated by |, "
                   "such as {{Halo|Hai}}. A variable is written with single braces: {name}.");
}

static void
test_suggestion (void)
{
  g_autofree char *nmae = parse_error ("Halo {nmae}", XI_TEMPLATE_ERROR_UNKNOWN_VARIABLE, 1, 6);
  g_autofree char *kot = parse_error ("Dari {Kot}", XI_TEMPLATE_ERROR_UNKNOWN_VARIABLE, 1, 6);
  g_autofree char *frist = parse_error ("{frist_name}", XI_TEMPLATE_ERROR_UNKNOWN_VARIABLE, 1, 1);
  g_autofree char *fone = parse_error ("{fone}", XI_TEMPLATE_ERROR_UNKNOWN_VARIABLE, 1, 1);
  g_autofree char *title = parse_error ("{Nama Lengkap}", XI_TEMPLATE_ERROR_UNKNOWN_VARIABLE, 1, 1);
  g_autofree char *far = parse_error ("{alamat_rumah}", XI_TEMPLATE_ERROR_UNKNOWN_VARIABLE, 1, 1);
  /* Two edits away from "hobi", but so are most two-letter words. */
  g_autofree char *short_name = parse_error ("{ob}", XI_TEMPLATE_ERROR_UNKNOWN_VARIABLE, 1, 1);
  g_autofree char *bad = parse_error ("{alamat rumah}", XI_TEMPLATE_ERROR_UNKNOWN_VARIABLE, 1, 1);

  g_assert_cmpstr (nmae, ==, "Line 1, column 6: unknown variable {nmae}. Did you mean {name}?");
  /* Named as typed, suggested as it must be written. */
  assert_contains (kot, "unknown variable {Kot}. Did you mean {kota}?");
  assert_contains (frist, "Did you mean {first_name}?");
  assert_contains (fone, "Did you mean {phone}?");
  assert_contains (title, "unknown variable {Nama Lengkap}. Did you mean {nama_lengkap}?");

  /* Nothing close: list what can be used instead of guessing. */
  g_assert_null (strstr (far, "Did you mean"));
  assert_contains (far, "{alamat_rumah}");
  assert_contains (far, "{first_name}");
  g_assert_null (strstr (short_name, "Did you mean"));
  g_assert_null (strstr (bad, "Did you mean"));
  assert_contains (bad, "{alamat rumah} is not a variable name");
}

static void
test_unchecked (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(XiTemplateText) text = xi_template_text_parse ("Halo {whatever} {KOTA}", NULL, &error);
  g_autoptr(XiTemplateText) builtins_only = NULL;
  const char *none[] = { NULL };

  g_assert_no_error (error);
  g_assert_cmpstr (xi_template_text_get_variables (text)[0], ==, "whatever");
  g_assert_cmpstr (xi_template_text_get_variables (text)[1], ==, "kota");

  /* An empty list still knows the built-ins, and only them. */
  builtins_only = xi_template_text_parse ("{name} {first_name} {phone}", none, &error);
  g_assert_no_error (error);
  g_assert_null (xi_template_text_parse ("{kota}", none, &error));
  g_assert_error (error, XI_TEMPLATE_ERROR, XI_TEMPLATE_ERROR_UNKNOWN_VARIABLE);

  g_assert_cmpstrv (xi_template_builtin_variables (),
                    ((const char * const[]) { "name", "first_name", "phone", NULL }));
}

static void
test_missing (void)
{
  g_auto(GStrv) missing = NULL;
  g_auto(GStrv) none = NULL;
  g_autofree char *out = render ("Hai {name|Kak}, {first_name}! Kota {kota}, hobi {hobi}, {KOTA}.",
                                 &nobody, &missing);
  g_autofree char *full = render ("Hai {name}, {kota} {hobi}", &budi, &none);
  g_autofree char *ignored = render ("Hai {kota}", &nobody, NULL);

  /* Reported once each, in order; the text around stays as written. */
  g_assert_cmpstr (out, ==, "Hai Kak, ! Kota , hobi , .");
  g_assert_nonnull (missing);
  g_assert_cmpstrv (missing, ((const char * const[]) { "first_name", "kota", "hobi", NULL }));
  g_assert_null (none);
  g_assert_cmpstr (full, ==, "Hai Budi Santoso, Bandung Mancing");
  g_assert_cmpstr (ignored, ==, "Hai ");
  g_clear_pointer (&missing, g_strfreev);

  /* Doubled spaces are not tidied up: what the preview shows is sent. */
  g_clear_pointer (&out, g_free);
  out = render ("Halo {first_name} , salam dari {kota}  !", &nobody, &missing);
  g_assert_cmpstr (out, ==, "Halo  , salam dari   !");
  g_assert_cmpuint (g_strv_length (missing), ==, 2);
}

static void
test_derived (void)
{
  const Recipient spaced = { { "name", "  \tSiti\u00a0Aminah  ", "phone", "+62 812-3456", NULL } };
  const Recipient own = { {
    "name", "Budi Santoso", "first_name", "Pak Budi", "phone", "6281", NULL,
  } };
  const Recipient own_empty = { { "name", "Budi Santoso", "first_name", "", NULL } };
  const Recipient single = { { "name", "Dewi", NULL } };
  const Recipient blank = { { "name", "   ", NULL } };
  const Recipient braces = { { "name", "{kota} \\{x}", "kota", "Bandung", NULL } };
  g_auto(GStrv) missing = NULL;
  g_autofree char *out = NULL;

  assert_renders ("{first_name}", &spaced, "Siti");
  assert_renders ("{phone}", &spaced, "+62 812-3456");
  assert_renders ("{first_name}|{phone}", &own, "Pak Budi|+6281");
  assert_renders ("{first_name}", &single, "Dewi");
  assert_renders ("{first_name|Kak}", &blank, "Kak");
  assert_renders ("{first_name|Kak}", &own_empty, "Kak");

  /* Values are never parsed as templates. */
  assert_renders ("{name}", &braces, "{kota} \\{x}");
  assert_renders ("{first_name}", &braces, "{kota}");

  out = render ("{first_name}{phone}", &nobody, &missing);
  g_assert_cmpstr (out, ==, "");
  g_assert_cmpstrv (missing, ((const char * const[]) { "first_name", "phone", NULL }));
}

static void
test_aliases (void)
{
  const Recipient ibu = { { "name", "Ibu Siti Aminah", "phone", "628123", "kota", "Medan", NULL } };
  g_autoptr(XiTemplateText) text = parse_ok ("{Nama} {nama_depan} {telepon} {no_hp} {NO_WA} {name}");
  const char *none[] = { NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(XiTemplateText) unchecked = NULL;

  /* An alias is the built-in itself: one variable, which gets the same
   * derivations ({first_name} without the title, {phone} with a "+"). */
  g_assert_cmpstrv (xi_template_text_get_variables (text),
                    ((const char * const[]) { "name", "first_name", "phone", NULL }));
  assert_renders ("{nama}, {nama_depan}, {telepon}, {kota}", &ibu,
                  "Ibu Siti Aminah, Siti, +628123, Medan");
  assert_renders ("{nama_depan|Kak}", &nobody, "Kak");

  /* Known without any custom field, and the same when nothing is checked,
   * as when a campaign is created. */
  unchecked = xi_template_text_parse ("{nama_lengkap} {nama_depan}", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (xi_template_text_get_variables (unchecked),
                    ((const char * const[]) { "name", "first_name", NULL }));
  g_clear_pointer (&unchecked, xi_template_text_unref);
  unchecked = xi_template_text_parse ("{telepon}", none, &error);
  g_assert_no_error (error);
}

static void
test_honorifics (void)
{
  const struct { const char *name; const char *first; } table[] = {
    { "Ibu Siti Aminah", "Siti" },
    { "Pak Budi", "Budi" },
    { "bpk. Joko Widodo", "Joko" },
    { "H. Ahmad Dahlan", "Ahmad" },
    { "Dr. Ir. Hj. Ratna", "Ratna" },
    { "Kak  \tDewi", "Dewi" },
    { "MBAK Rina", "Rina" },
    { "Mas", "Mas" },
    { "Ibu Bapak", "Ibu" },
    { "Budiman Pak", "Budiman" },
    { "Bunga", "Bunga" },
    { "Pakde Karwo", "Pakde" },
    /* The first, a middle and the last of the sorted titles. */
    { "Aa Gym", "Gym" },
    { "Madam Tan", "Tan" },
    { "Ustadzah Aisyah", "Aisyah" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      Recipient recipient = { { "name", table[i].name, NULL } };

      assert_renders ("{first_name}", &recipient, table[i].first);
    }
}

/* The problems of @source as "start-end code" strings. */
static char *
problems_of (const char *source)
{
  g_autoptr(GPtrArray) problems = xi_template_text_check (source, known);
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; i < problems->len; i++)
    {
      XiTemplateProblem *problem = g_ptr_array_index (problems, i);

      g_assert_true (problem->error->domain == XI_TEMPLATE_ERROR);
      g_string_append_printf (out, "%s%u-%u:%d", i > 0 ? " " : "", problem->start, problem->end,
                              problem->error->code);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
test_check_all (void)
{
  const struct { const char *source; const char *expected; } table[] = {
    { "Halo {name}, {{Hai|Halo}}!", "" },
    /* Three errors on two lines, each with its own span. */
    { "Halo {nmae} dan {alamat}\n}{kota}", "5-11:3 16-24:3 25-26:1" },
    { "{} {name} { }", "0-2:2 10-13:2" },
    { "Hai {name, {kota} }", "4-11:0 18-19:1" },
    { "{{Halo|{{Hai|Yo}}|x}} {nmae}", "7-17:4 22-28:3" },
    { "{{Halo|Hai}! {{a}}", "10-11:1 13-18:4" },
    { "{{Halo {nmae}}}", "0-15:4 7-13:3" },
    { "{{Hai {nmae}|{kot}}} {{Halo|", "6-12:3 13-18:3 21-28:0" },
    { "Diskon 50%}}", "10-11:1 11-12:1" },
    { "", "0-0:5" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      g_autofree char *got = problems_of (table[i].source);

      g_test_message ("template: %s", table[i].source);
      g_assert_cmpstr (got, ==, table[i].expected);
    }
}

static void
test_check_matches_parse (void)
{
  const char *sources[] = { "Halo {nmae} {alamat}", "{{a}} {b", "x}", "\u00e9{nmae}" };

  /* The first problem found is the one parsing reports, word for word. */
  for (guint i = 0; i < G_N_ELEMENTS (sources); i++)
    {
      g_autoptr(GPtrArray) problems = xi_template_text_check (sources[i], known);
      g_autoptr(GError) error = NULL;
      XiTemplateProblem *first;

      g_assert_null (xi_template_text_parse (sources[i], known, &error));
      g_assert_nonnull (error);
      g_assert_cmpuint (problems->len, >=, 1);
      first = g_ptr_array_index (problems, 0);
      g_assert_cmpstr (first->error->message, ==, error->message);
    }

  /* Without a place for the error, parsing still only fails. */
  g_assert_null (xi_template_text_parse ("{{a|b", known, NULL));
  g_assert_null (xi_template_text_parse ("{nmae} {x", known, NULL));
}

static void
test_utf8 (void)
{
  const Recipient ayu = { { "name", "Ayu Ningsih 🌺", "kota", "Yogyakarta", NULL } };
  g_autoptr(GError) error = NULL;
  g_autoptr(XiTemplateText) broken = NULL;
  g_autofree char *out = NULL;
  g_autofree char *emoji = NULL;
  g_autofree char *accents = NULL;

  assert_renders ("Selamat 🎉 {first_name} ✨ dari {kota}! Terima kasih 🙏", &ayu,
                  "Selamat 🎉 Ayu ✨ dari Yogyakarta! Terima kasih 🙏");
  assert_renders ("{name}", &ayu, "Ayu Ningsih 🌺");
  assert_renders ("{{Hai 👋|Halo 😊}} {first_name|Kakak 💐}", &nobody, "Hai 👋 Kakak 💐");
  assert_renders ("Café → {kota|kotamu} ✓", &nobody, "Café → kotamu ✓");

  /* Columns count characters, not bytes: "😀 " is two, "é" one. */
  emoji = parse_error ("😀 {nmae}", XI_TEMPLATE_ERROR_UNKNOWN_VARIABLE, 1, 3);
  accents = parse_error ("Halo 🎉🎉\nTerima kasih, Bapak/Ibu é {nama",
                         XI_TEMPLATE_ERROR_UNCLOSED_BRACE, 2, 27);

  /* Broken UTF-8 does not crash the parser; it is replaced. */
  broken = xi_template_text_parse ("Halo \xff\xfe {name} \xe2\x82", known, &error);
  g_assert_no_error (error);
  out = xi_template_text_render (broken, lookup, (gpointer)&budi, NULL, NULL, NULL);
  g_assert_true (g_utf8_validate (out, -1, NULL));
  g_assert_nonnull (strstr (out, " Budi Santoso "));
  g_assert_true (g_utf8_validate (xi_template_text_get_source (broken), -1, NULL));
}

static void
test_get_variables (void)
{
  g_autoptr(XiTemplateText) text =
    parse_ok ("{kota} {{Hai {first_name}|Halo {NAME|Kak}}} {kota} {phone} {Hobi|-} {name}");
  g_autoptr(XiTemplateText) plain = parse_ok ("tanpa variabel {{a|b}}");
  char **variables = xi_template_text_get_variables (text);

  g_assert_cmpstrv (variables, ((const char * const[]) {
    "kota", "first_name", "name", "phone", "hobi", NULL,
  }));

  /* The same array every time: owned by the template. */
  g_assert_true (xi_template_text_get_variables (text) == variables);
  g_assert_nonnull (xi_template_text_get_variables (plain));
  g_assert_null (xi_template_text_get_variables (plain)[0]);
}

static void
test_lookups (void)
{
  g_autoptr(XiTemplateText) text = parse_ok ("{name} {kota|x} {first_name}");
  g_autofree char *out = NULL;

  /* name, kota, first_name (NULL), then name again to derive it. */
  lookups = 0;
  out = xi_template_text_render (text, lookup, (gpointer)&budi, NULL, NULL, NULL);
  g_assert_cmpstr (out, ==, "Budi Santoso Bandung Budi");
  g_assert_cmpuint (lookups, ==, 4);
}

typedef struct
{
  XiTemplateText *text;
  guint32         seed;
  char           *last;
} Worker;

static gpointer
render_in_thread (gpointer data)
{
  Worker *worker = data;
  g_autoptr(XiTemplateText) text = xi_template_text_ref (worker->text);
  g_autoptr(GRand) rand = g_rand_new_with_seed (worker->seed);

  for (guint i = 0; i < 20000; i++)
    {
      g_autoptr(XiTemplateText) extra = xi_template_text_ref (text);

      g_free (worker->last);
      worker->last = xi_template_text_render (extra, lookup, (gpointer)&budi, rand, NULL, NULL);
    }
  return NULL;
}

static void
test_refcount (void)
{
  XiTemplateText *text = xi_template_text_parse ("{{Hai|Halo}} {name}", NULL, NULL);
  XiTemplateText *ref = xi_template_text_ref (text);
  Worker workers[4];
  GThread *threads[4];
  g_autoptr(GRand) rand = NULL;
  g_autofree char *expected = NULL;

  g_assert_nonnull (text);
  g_assert_true (ref == text);
  xi_template_text_unref (text);
  g_assert_cmpstr (xi_template_text_get_source (ref), ==, "{{Hai|Halo}} {name}");

  /* Shared between threads: each renders with its own GRand and gets what
   * a single thread with the same seed gets. */
  for (guint t = 0; t < G_N_ELEMENTS (threads); t++)
    {
      workers[t] = (Worker) { ref, 99, NULL };
      threads[t] = g_thread_new ("render", render_in_thread, &workers[t]);
    }
  for (guint t = 0; t < G_N_ELEMENTS (threads); t++)
    g_thread_join (threads[t]);

  rand = g_rand_new_with_seed (99);
  for (guint i = 0; i < 20000; i++)
    {
      g_free (expected);
      expected = xi_template_text_render (ref, lookup, (gpointer)&budi, rand, NULL, NULL);
    }
  for (guint t = 0; t < G_N_ELEMENTS (threads); t++)
    {
      g_assert_cmpstr (workers[t].last, ==, expected);
      g_free (workers[t].last);
    }

  xi_template_text_unref (ref);
}

static void
test_speed (void)
{
  g_autoptr(XiTemplateText) text =
    parse_ok ("{{Halo|Hai|Selamat pagi}} {first_name|Kak}, promo di {kota|toko kami} "
              "berlaku sampai akhir bulan.");
  g_autoptr(GRand) rand = g_rand_new_with_seed (3);
  const guint n = 100000;
  gsize total = 0;
  gint64 start;
  double parse_us;
  double render_us;

  start = g_get_monotonic_time ();
  for (guint i = 0; i < 1000; i++)
    xi_template_text_unref (parse_ok ("{{Halo|Hai}} {first_name|Kak}, promo di {kota|toko kami}."));
  parse_us = (double)(g_get_monotonic_time () - start) / 1000;

  start = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    {
      char *out = xi_template_text_render (text, lookup, (gpointer)&budi, rand, NULL, NULL);

      total += strlen (out);
      g_free (out);
    }
  render_us = (double)(g_get_monotonic_time () - start) / n;

  g_assert_cmpuint (total, >, n * 50);
  /* Timing depends on the machine, so it is reported, never asserted. */
  g_test_message ("parse: %.2f us each; render: %.3f us each (%u renders)", parse_us, render_us, n);
}

/* Issue 18: a 100,000-character name used 1,000 times made a message of
 * 100 million characters. No message gets past WhatsApp's limit, the
 * render stops at it instead of building the rest, and the measure a
 * campaign checks before storing anything agrees with the render. */
static void
test_message_limit (void)
{
  g_autoptr(GString) huge_name = g_string_new (NULL);
  g_autoptr(GString) repeated = g_string_new (NULL);
  g_autoptr(GString) exact = g_string_new (NULL);
  g_autoptr(XiTemplateText) text = NULL;
  g_autoptr(XiTemplateText) at_limit = NULL;
  g_autoptr(XiTemplateText) choice = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *longer = NULL;
  g_auto(GStrv) missing = NULL;
  Recipient big = { { NULL } };
  Recipient exactly = { { NULL } };

  g_string_append_len (huge_name, "Budiiiiiii", 10);
  for (guint i = 0; i < 10000; i++)
    g_string_append (huge_name, "Budiiiiiii");
  big.pairs[0] = "name";
  big.pairs[1] = huge_name->str;
  for (guint i = 0; i < 1000; i++)
    g_string_append (repeated, "{name} ");
  text = parse_ok (repeated->str);

  out = xi_template_text_render (text, lookup, &big, NULL, &missing, &error);
  g_assert_error (error, XI_LIMIT_ERROR, XI_LIMIT_ERROR_TOO_LONG);
  g_assert_nonnull (strstr (error->message, "65536"));
  g_assert_null (out);
  g_assert_null (missing);
  g_assert_cmpuint (xi_template_text_get_max_chars (text, lookup, &big), ==, XI_LIMIT_MESSAGE_CHARS + 1);
  g_clear_error (&error);

  /* Exactly the limit, counted in characters (é is two bytes), passes. */
  for (guint i = 0; i < XI_LIMIT_MESSAGE_CHARS - 1; i++)
    g_string_append (exact, "\xc3\xa9");
  exactly.pairs[0] = "kota";
  exactly.pairs[1] = "X";
  g_string_append (exact, "{kota}");
  at_limit = parse_ok (exact->str);
  g_clear_pointer (&out, g_free);
  out = xi_template_text_render (at_limit, lookup, &exactly, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_utf8_strlen (out, -1), ==, XI_LIMIT_MESSAGE_CHARS);
  g_assert_cmpuint (xi_template_text_get_max_chars (at_limit, lookup, &exactly), ==,
                    XI_LIMIT_MESSAGE_CHARS);
  /* The store's last check before a message is kept counts the same. */
  g_assert_true (xi_limit_check_message (out, NULL));
  longer = g_strconcat (out, "Y", NULL);
  g_assert_false (xi_limit_check_message (longer, &error));
  g_assert_error (error, XI_LIMIT_ERROR, XI_LIMIT_ERROR_TOO_LONG);
  g_clear_error (&error);
  exactly.pairs[1] = "XY";
  g_assert_null (xi_template_text_render (at_limit, lookup, &exactly, NULL, NULL, &error));
  g_assert_error (error, XI_LIMIT_ERROR, XI_LIMIT_ERROR_TOO_LONG);
  g_clear_error (&error);

  /* The measure takes the longest option of every choice. */
  choice = parse_ok ("{{a|bbbb}} {name|Kak} {{cc|d}}");
  g_assert_cmpuint (xi_template_text_get_max_chars (choice, lookup, (gpointer)&budi), ==,
                    4 + 1 + strlen ("Budi Santoso") + 1 + 2);
  g_assert_cmpuint (xi_template_text_get_max_chars (choice, NULL, NULL), ==, 4 + 1 + 3 + 1 + 2);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/xi/template/parse/literal", test_literal);
  g_test_add_func ("/xi/template/render/message-limit", test_message_limit);
  g_test_add_func ("/xi/template/parse/variables", test_variables);
  g_test_add_func ("/xi/template/parse/case-insensitive", test_case_insensitive);
  g_test_add_func ("/xi/template/parse/escapes", test_escapes);
  g_test_add_func ("/xi/template/parse/errors", test_errors);
  g_test_add_func ("/xi/template/parse/error-message-text", test_error_message_text);
  g_test_add_func ("/xi/template/parse/suggestion", test_suggestion);
  g_test_add_func ("/xi/template/parse/unchecked", test_unchecked);
  g_test_add_func ("/xi/template/parse/get-variables", test_get_variables);
  g_test_add_func ("/xi/template/parse/utf8", test_utf8);
  g_test_add_func ("/xi/template/parse/aliases", test_aliases);
  g_test_add_func ("/xi/template/check/all", test_check_all);
  g_test_add_func ("/xi/template/check/matches-parse", test_check_matches_parse);
  g_test_add_func ("/xi/template/render/honorifics", test_honorifics);
  g_test_add_func ("/xi/template/render/fallback", test_fallback);
  g_test_add_func ("/xi/template/render/choices", test_choices);
  g_test_add_func ("/xi/template/render/choices-seeded", test_choices_seeded);
  g_test_add_func ("/xi/template/render/choice-with-variables", test_choice_with_variables);
  g_test_add_func ("/xi/template/render/missing", test_missing);
  g_test_add_func ("/xi/template/render/derived", test_derived);
  g_test_add_func ("/xi/template/render/lookups", test_lookups);
  g_test_add_func ("/xi/template/refcount", test_refcount);
  g_test_add_func ("/xi/template/speed", test_speed);

  return g_test_run ();
}
