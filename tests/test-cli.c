/* test-cli.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "xi-test-utils.h"

/* Drives the real xender-in-cli binary against a temporary data folder. */

typedef struct
{
  char *dir;
  char *data_dir;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->dir = xi_test_make_tmpdir ();
  f->data_dir = g_build_filename (f->dir, "data", NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  xi_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->data_dir);
}

static int
run_cli (Fixture     *f,
         char       **out,
         char       **err,
         const char  *first,
         ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stdout_text = NULL;
  g_autofree char *stderr_text = NULL;
  const char *cli = g_getenv ("XI_CLI");
  va_list ap;

  g_assert_nonnull (cli);
  g_ptr_array_add (args, (gpointer)cli);
  g_ptr_array_add (args, (gpointer)"--data-dir");
  g_ptr_array_add (args, f->data_dir);
  va_start (ap, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer)arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  process = g_subprocess_newv ((const char * const *)args->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                               &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &stdout_text, &stderr_text, &error);
  g_assert_no_error (error);

  if (out != NULL)
    *out = g_steal_pointer (&stdout_text);
  if (err != NULL)
    *err = g_steal_pointer (&stderr_text);

  return g_subprocess_get_exit_status (process);
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

static char *
write_file (Fixture    *f,
            const char *name,
            const char *contents)
{
  char *path = g_build_filename (f->dir, name, NULL);

  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  return path;
}

static void
test_usage (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *err = NULL;
  g_autofree char *err2 = NULL;

  g_assert_cmpint (run_cli (f, NULL, &err, NULL), ==, 2);
  g_assert_nonnull (strstr (err, "--help"));
  g_assert_cmpint (run_cli (f, NULL, &err2, "frobnicate", NULL), ==, 2);
  g_assert_cmpint (run_cli (f, NULL, NULL, "contacts", "frobnicate", NULL), ==, 2);
  g_assert_cmpint (run_cli (f, NULL, NULL, "contacts", "import", NULL), ==, 2);
  g_assert_cmpint (run_cli (f, NULL, NULL, "contacts", "list", "--bogus", NULL), ==, 2);
}

static void
test_import_and_list (Fixture       *f,
                      gconstpointer  data)
{
  /* A spreadsheet export as people make them: BOM, semicolons, columns in
   * Indonesian, a quoted newline, local numbers and one broken row. */
  g_autofree char *csv = write_file (f, "pelanggan.csv",
                                     "\xef\xbb\xbfNama;No HP;Kota\r\n"
                                     "Budi Santoso;0812-3456-7890;Jakarta\r\n"
                                     "\"Siti\nAminah\";+62 857 1111 2222;Bandung\r\n"
                                     "Rusak;12;Surabaya\r\n"
                                     "Budi lagi;081234567890;\r\n");
  g_autofree char *out = NULL;
  g_autofree char *list = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonNode) report = NULL;
  g_autoptr(JsonNode) contacts = NULL;
  JsonObject *object;
  JsonArray *issues;

  g_assert_cmpint (run_cli (f, &out, &err, "--json", "contacts", "import", csv,
                            "--group", "Pameran", NULL), ==, 0);
  report = parse_json (out);
  object = json_node_get_object (report);
  g_assert_cmpint (json_object_get_int_member (object, "imported"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (object, "updated"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (object, "skipped"), ==, 1);
  issues = json_object_get_array_member (object, "issues");
  g_assert_cmpuint (json_array_get_length (issues), ==, 1);
  /* The bad row starts on line 5: the quoted newline took two lines. */
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (issues, 0), "line"), ==, 5);

  g_assert_cmpint (run_cli (f, &list, NULL, "--json", "contacts", "list", "--search", "0812", NULL), ==, 0);
  contacts = parse_json (list);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (contacts)), ==, 1);
  object = json_array_get_object_element (json_node_get_array (contacts), 0);
  g_assert_cmpstr (json_object_get_string_member (object, "phone"), ==, "6281234567890");
  g_assert_cmpstr (json_object_get_string_member (object, "name"), ==, "Budi lagi");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (object, "custom_fields"),
                                                  "kota"), ==, "Jakarta");
}

static void
test_groups_and_errors (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *err = NULL;
  g_autofree char *err2 = NULL;
  g_autofree char *out = NULL;
  g_autoptr(JsonNode) members = NULL;

  g_assert_cmpint (run_cli (f, NULL, NULL, "contacts", "add", "0812 1111 0001", "--name", "Ani", NULL), ==, 0);
  g_assert_cmpint (run_cli (f, NULL, NULL, "contacts", "add", "+6281211110002", "--name", "Bayu",
                            "--field", "kota=Medan", NULL), ==, 0);
  /* Same number again, written differently. */
  g_assert_cmpint (run_cli (f, NULL, &err, "contacts", "add", "62-812-1111-0001", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "Ani"));

  g_assert_cmpint (run_cli (f, NULL, NULL, "groups", "add", "VIP", NULL), ==, 0);
  g_assert_cmpint (run_cli (f, NULL, NULL, "groups", "add", "vip", NULL), ==, 1);
  g_assert_cmpint (run_cli (f, NULL, NULL, "groups", "add-members", "VIP", "081211110001",
                            "081211110002", NULL), ==, 0);
  g_assert_cmpint (run_cli (f, &out, NULL, "--json", "groups", "members", "vip", NULL), ==, 0);
  members = parse_json (out);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (members)), ==, 2);

  g_assert_cmpint (run_cli (f, NULL, &err2, "groups", "members", "Nope", NULL), ==, 1);
  g_assert_nonnull (strstr (err2, "Nope"));
  g_assert_cmpint (run_cli (f, NULL, NULL, "groups", "add-members", "VIP", "0899", NULL), ==, 1);

  /* An opt-out is undone only deliberately. */
  g_assert_cmpint (run_cli (f, NULL, NULL, "contacts", "opt-out", "081211110001", NULL), ==, 0);
  g_assert_cmpint (run_cli (f, NULL, NULL, "contacts", "opt-in", "081211110001", NULL), ==, 1);
  g_assert_cmpint (run_cli (f, NULL, NULL, "contacts", "opt-in", "--confirm", "081211110001", NULL), ==, 0);
}

static void
test_templates (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;
  g_autoptr(JsonNode) preview = NULL;
  JsonObject *first;

  g_assert_cmpint (run_cli (f, NULL, NULL, "contacts", "add", "081299990001", "--name", "Citra Lestari",
                            "--field", "kota=Solo", NULL), ==, 0);
  g_assert_cmpint (run_cli (f, NULL, &err, "templates", "add", "Rusak", "Halo {nama", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "Variant 1"));
  g_assert_cmpint (run_cli (f, NULL, NULL, "templates", "add", "Salam",
                            "Halo {first_name}, promo di {kota}!", "Hai {name|Kak} dari {hobi|sini}", NULL), ==, 1);
  g_assert_cmpint (run_cli (f, NULL, NULL, "templates", "add", "Salam",
                            "Halo {first_name}, promo di {kota}!", "Hai {name|Kak}", NULL), ==, 0);
  g_assert_cmpint (run_cli (f, &out, NULL, "--json", "templates", "show", "salam",
                            "--preview", "081299990001", NULL), ==, 0);
  preview = parse_json (out);
  first = json_array_get_object_element (json_node_get_array (preview), 0);
  g_assert_cmpstr (json_object_get_string_member (first, "text"), ==, "Halo Citra, promo di Solo!");
}

static void
test_export_roundtrip (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *csv = g_build_filename (f->dir, "export.csv", NULL);
  g_autofree char *other = g_build_filename (f->dir, "other", NULL);
  g_autofree char *out = NULL;
  g_autoptr(JsonNode) report = NULL;
  Fixture second = { .dir = f->dir, .data_dir = other };

  g_assert_cmpint (run_cli (f, NULL, NULL, "contacts", "add", "081277770001", "--name", "Dian, \"Toko\"",
                            "--tag", "grosir", NULL), ==, 0);
  g_assert_cmpint (run_cli (f, NULL, NULL, "contacts", "add", "081277770002", "--name", "Eka", NULL), ==, 0);
  g_assert_cmpint (run_cli (f, NULL, NULL, "contacts", "export", csv, NULL), ==, 0);

  g_assert_cmpint (run_cli (&second, &out, NULL, "--json", "contacts", "import", csv, NULL), ==, 0);
  report = parse_json (out);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (report), "imported"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (report), "skipped"), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/xi/cli/usage", Fixture, NULL, fixture_setup, test_usage, fixture_teardown);
  g_test_add ("/xi/cli/import-and-list", Fixture, NULL, fixture_setup, test_import_and_list, fixture_teardown);
  g_test_add ("/xi/cli/groups-and-errors", Fixture, NULL, fixture_setup, test_groups_and_errors, fixture_teardown);
  g_test_add ("/xi/cli/templates", Fixture, NULL, fixture_setup, test_templates, fixture_teardown);
  g_test_add ("/xi/cli/export-roundtrip", Fixture, NULL, fixture_setup, test_export_roundtrip, fixture_teardown);

  return g_test_run ();
}
