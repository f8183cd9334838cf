/* bench-utils.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bench-utils.h"

static const char *first_names[] = {
  "Budi", "Siti", "Agus", "Dewi", "Eko", "Fitri", "Hendra", "Indah", "Joko", "Kartika",
  "Lestari", "Made", "Nur", "Putu", "Rina", "Slamet", "Taufik", "Wati", "Yusuf", "Zahra",
};

static const char *last_names[] = {
  "Santoso", "Wijaya", "Saputra", "Lestari", "Hidayat", "Pratama", "Kusuma", "Nugroho",
  "Siregar", "Harahap", "Sitompul", "Gunawan", "Setiawan", "Halim", "Tanjung",
};

static const char *cities[] = {
  "Jakarta", "Bandung", "Surabaya", "Medan", "Semarang", "Makassar", "Denpasar", "Yogyakarta",
};

char *
bench_make_tmpdir (void)
{
  char *dir = g_dir_make_tmp ("xi-bench-XXXXXX", NULL);

  g_assert (dir != NULL);
  return dir;
}

void
bench_rm_rf (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        bench_rm_rf (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

/* A spreadsheet-like file: local number forms, a custom column, quotes. */
char *
bench_write_contacts_csv (const char *dir,
                          guint       rows)
{
  return bench_write_numbered_contacts_csv (dir, 0, rows);
}

/* Contacts 0812-0000-0000 + @first onwards, in a file of their own,
 * written a megabyte at a time: a million rows never sit in memory, so
 * the benches' peak RSS is the code's. */
char *
bench_write_numbered_contacts_csv (const char *dir,
                                   guint       first,
                                   guint       rows)
{
  g_autoptr(GString) csv = g_string_new ("\xef\xbb\xbfNama,Nomor HP,Kota,Catatan\r\n");
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  g_autofree char *name = first == 0 ? g_strdup ("contacts.csv") : g_strdup_printf ("contacts-%u.csv", first);
  char *path = g_build_filename (dir, name, NULL);
  FILE *out = fopen (path, "wb");

  g_assert (out != NULL);
  for (guint i = first; i < first + rows; i++)
    {
      g_string_append_printf (csv, "%s %s,0812-%04u-%04u,%s,\"pelanggan, sejak %u\"\r\n",
                              first_names[g_rand_int_range (rand, 0, G_N_ELEMENTS (first_names))],
                              last_names[g_rand_int_range (rand, 0, G_N_ELEMENTS (last_names))],
                              i / 10000, i % 10000,
                              cities[g_rand_int_range (rand, 0, G_N_ELEMENTS (cities))],
                              2015 + i % 10);
      if (csv->len >= 1024 * 1024)
        {
          g_assert (fwrite (csv->str, 1, csv->len, out) == csv->len);
          g_string_truncate (csv, 0);
        }
    }

  g_assert (fwrite (csv->str, 1, csv->len, out) == csv->len);
  g_assert (fclose (out) == 0);
  return path;
}

GAsyncResult *
bench_wait (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return g_steal_pointer (slot);
}

void
bench_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}

guint
bench_parse_rows (int     *argc,
                  char  ***argv,
                  guint    default_rows)
{
  return bench_parse_option (argc, argv, "--rows", default_rows);
}

/* The number after @option on the command line, or @default_value. */
guint
bench_parse_option (int          *argc,
                    char       ***argv,
                    const char   *option,
                    guint         default_value)
{
  for (int i = 1; i + 1 < *argc; i++)
    if (g_str_equal ((*argv)[i], option))
      return (guint)strtoul ((*argv)[i + 1], NULL, 10);
  return default_value;
}

/* CPU time of the whole process (every thread): on a loaded machine the
 * wall clock says more about the neighbours than about the code. */
gint64
bench_cpu_usec (void)
{
  struct timespec now;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &now);
  return now.tv_sec * G_USEC_PER_SEC + now.tv_nsec / 1000;
}

void
bench_report (const char *name,
              double      value,
              const char *unit)
{
  g_print ("%s %.3f %s\n", name, value, unit);
}
