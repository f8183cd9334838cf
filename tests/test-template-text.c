/* test-template-text.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "xi-template-text.h"

static const char *
lookup (const char *variable,
        gpointer    data)
{
  const char * const *pairs = data;

  for (guint i = 0; pairs[i] != NULL; i += 2)
    if (g_str_equal (pairs[i], variable))
      return pairs[i + 1];
  return NULL;
}

static const char *budi[] = { "name", "Budi Santoso", "phone", "6281234567890", "kota", "Bandung", NULL };
static const char *nobody[] = { "name", "", NULL };
static const char *known[] = { "kota", "hobi", NULL };

static char *
render (const char          *source,
        const char * const  *contact,
        char              ***missing)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(XiTemplateText) text = xi_template_text_parse (source, known, &error);

  g_assert_no_error (error);
  return xi_template_text_render (text, lookup, (gpointer)contact, NULL, missing);
}

static void
test_variables (void)
{
  const struct { const char *source, *expected; } table[] = {
    { "Halo {name}!", "Halo Budi Santoso!" },
    { "Halo {first_name}, dari {KOTA}.", "Halo Budi, dari Bandung." },
    { "Halo { name }", "Halo Budi Santoso" },
    { "Nomor: {phone}", "Nomor: +6281234567890" },
    { "Hai {name|Kak}", "Hai Budi Santoso" },
    { "Baris 1\nBaris 2 {first_name}\n", "Baris 1\nBaris 2 Budi\n" },
    { "Selamat 🎉 {first_name} ✨", "Selamat 🎉 Budi ✨" },
    { "Harga \\{promo\\} 50\\% \\\\ ok", "Harga {promo} 50\\% \\ ok" },
    { "plain text", "plain text" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      g_autofree char *out = render (table[i].source, budi, NULL);
      g_assert_cmpstr (out, ==, table[i].expected);
    }
}

static void
test_fallback_and_missing (void)
{
  g_auto(GStrv) missing = NULL;
  g_auto(GStrv) none = NULL;
  g_autofree char *out = render ("Hai {name|Kak}, {first_name|}! Kota {kota}, hobi {hobi}, {kota}.",
                                 nobody, &missing);
  g_autofree char *full = render ("Hai {name|Kak}", budi, &none);

  g_assert_cmpstr (out, ==, "Hai Kak, ! Kota , hobi , .");
  g_assert_nonnull (missing);
  g_assert_cmpstr (missing[0], ==, "kota");
  g_assert_cmpstr (missing[1], ==, "hobi");
  g_assert_null (missing[2]);
  g_assert_null (none);
  g_assert_cmpstr (full, ==, "Hai Budi Santoso");
}

static void
test_choices (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(XiTemplateText) text = xi_template_text_parse ("{{Halo|Hai|Selamat pagi}} {first_name|Kak}{{!|}}",
                                                           known, &error);
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  GHashTable *seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint halo = 0;

  g_assert_no_error (error);
  for (guint i = 0; i < 3000; i++)
    {
      char *out = xi_template_text_render (text, lookup, budi, rand, NULL);

      halo += g_str_has_prefix (out, "Halo ");
      g_hash_table_add (seen, out);
    }

  /* 3 greetings × 2 endings, each seen, greetings roughly uniform. */
  g_assert_cmpuint (g_hash_table_size (seen), ==, 6);
  g_assert_true (g_hash_table_contains (seen, "Selamat pagi Budi!"));
  g_assert_true (g_hash_table_contains (seen, "Hai Budi"));
  g_assert_cmpuint (halo, >, 850);
  g_assert_cmpuint (halo, <, 1150);
  g_hash_table_unref (seen);
}

static void
test_choice_with_variables (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(XiTemplateText) text = xi_template_text_parse ("{{Halo {first_name}|Hai {name|Kak}}}!",
                                                           known, &error);
  g_autoptr(GRand) rand = g_rand_new_with_seed (1);
  gboolean first = FALSE, second = FALSE;

  g_assert_no_error (error);
  g_assert_cmpstr (xi_template_text_get_variables (text)[0], ==, "first_name");
  g_assert_cmpstr (xi_template_text_get_variables (text)[1], ==, "name");
  g_assert_null (xi_template_text_get_variables (text)[2]);

  for (guint i = 0; i < 50; i++)
    {
      g_autofree char *out = xi_template_text_render (text, lookup, (gpointer)nobody, rand, NULL);

      first = first || g_str_equal (out, "Halo !");
      second = second || g_str_equal (out, "Hai Kak!");
    }
  g_assert_true (first && second);
}

static void
test_errors (void)
{
  const struct { const char *source; int code; guint line, column; } table[] = {
    { "Halo {nama", XI_TEMPLATE_ERROR_UNCLOSED_BRACE, 1, 6 },
    { "Halo\n  ya {name", XI_TEMPLATE_ERROR_UNCLOSED_BRACE, 2, 6 },
    { "Halo {name\n}", XI_TEMPLATE_ERROR_UNCLOSED_BRACE, 1, 6 },
    { "Diskon 50%}", XI_TEMPLATE_ERROR_UNEXPECTED_CLOSE, 1, 11 },
    { "Halo {}", XI_TEMPLATE_ERROR_EMPTY_VARIABLE, 1, 6 },
    { "Halo { |Kak}", XI_TEMPLATE_ERROR_EMPTY_VARIABLE, 1, 6 },
    { "Halo {nmae}", XI_TEMPLATE_ERROR_UNKNOWN_VARIABLE, 1, 6 },
    { "Halo {alamat}", XI_TEMPLATE_ERROR_UNKNOWN_VARIABLE, 1, 6 },
    { "Halo {nama lengkap}", XI_TEMPLATE_ERROR_UNKNOWN_VARIABLE, 1, 6 },
    { "{{name}}", XI_TEMPLATE_ERROR_BAD_CHOICE, 1, 1 },
    { "{{Halo|{{Hai|Yo}}}}", XI_TEMPLATE_ERROR_BAD_CHOICE, 1, 8 },
    { "{{Halo|Hai", XI_TEMPLATE_ERROR_UNCLOSED_BRACE, 1, 1 },
    { "{{Halo|Hai}!", XI_TEMPLATE_ERROR_UNEXPECTED_CLOSE, 1, 11 },
    { "😀 {nmae}", XI_TEMPLATE_ERROR_UNKNOWN_VARIABLE, 1, 3 },
    { "", XI_TEMPLATE_ERROR_EMPTY, 0, 0 },
    { "  \n\t ", XI_TEMPLATE_ERROR_EMPTY, 0, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(XiTemplateText) text = xi_template_text_parse (table[i].source, known, &error);
      g_autofree char *where = g_strdup_printf ("Line %u, column %u:", table[i].line, table[i].column);

      g_test_message ("“%s”", table[i].source);
      g_assert_null (text);
      g_assert_error (error, XI_TEMPLATE_ERROR, table[i].code);
      if (table[i].line > 0)
        g_assert_true (g_str_has_prefix (error->message, where));
    }
}

static void
test_suggestion (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(XiTemplateText) text = xi_template_text_parse ("Halo {nmae}", known, &error);
  g_autoptr(XiTemplateText) text2 = NULL;

  g_assert_null (text);
  g_assert_nonnull (strstr (error->message, "{name}"));
  g_clear_error (&error);

  text2 = xi_template_text_parse ("Dari {kot}", known, &error);
  g_assert_null (text2);
  g_assert_nonnull (strstr (error->message, "{kota}"));
}

static void
test_any_variable_when_unchecked (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(XiTemplateText) text = xi_template_text_parse ("Halo {whatever}", NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (text);
}

static void
test_refcount (void)
{
  XiTemplateText *text = xi_template_text_parse ("Hai {name}", NULL, NULL);
  XiTemplateText *ref = xi_template_text_ref (text);

  g_assert_true (ref == text);
  xi_template_text_unref (text);
  g_assert_cmpstr (xi_template_text_get_source (ref), ==, "Hai {name}");
  xi_template_text_unref (ref);
}

static void
test_speed (void)
{
  g_autoptr(XiTemplateText) text = xi_template_text_parse ("{{Halo|Hai}} {first_name|Kak}, promo di {kota|toko kami} "
                                                           "berlaku sampai akhir bulan.", known, NULL);
  g_autoptr(GRand) rand = g_rand_new_with_seed (3);
  gint64 start = g_get_monotonic_time ();
  guint n = 100000;

  for (guint i = 0; i < n; i++)
    g_free (xi_template_text_render (text, lookup, budi, rand, NULL));

  g_test_message ("render: %.3f µs each", (double)(g_get_monotonic_time () - start) / n);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/xi/template/render/variables", test_variables);
  g_test_add_func ("/xi/template/render/fallback-and-missing", test_fallback_and_missing);
  g_test_add_func ("/xi/template/render/choices", test_choices);
  g_test_add_func ("/xi/template/render/choice-with-variables", test_choice_with_variables);
  g_test_add_func ("/xi/template/parse/errors", test_errors);
  g_test_add_func ("/xi/template/parse/suggestion", test_suggestion);
  g_test_add_func ("/xi/template/parse/unchecked", test_any_variable_when_unchecked);
  g_test_add_func ("/xi/template/refcount", test_refcount);
  g_test_add_func ("/xi/template/speed", test_speed);

  return g_test_run ();
}
