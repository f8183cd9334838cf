/* test-qr.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "xi-qr.h"

/* The linking code as the terminal shows it: a real QR symbol (finder
 * patterns in three corners), a light quiet zone around it, two module
 * rows per line. */

static void
test_symbol_and_terminal (void)
{
  const char *text = "https://wa.me/settings/linked_devices#2@fakewa-ref-1-8ad0a683,"
                     "KEWUniwy5thMzJZvnfTaRD49eXu3wWIOeU1XD1TREx0=,FGOnQyOZBNKHkbqEtJnxtz0BbJynm9mTU7jwSnAF4i8=,"
                     "aPGh/c32iHXIUcltx4w/hMxKlcWXKHM20UkZdki+KTw=,9";
  g_autoptr(GError) error = NULL;
  g_autoptr(XiQrCode) code = xi_qr_code_new (text, &error);
  g_autofree char *drawing = NULL;
  g_auto(GStrv) lines = NULL;
  guint width;

  g_assert_no_error (error);
  g_assert_nonnull (code);
  /* A version 7 or larger symbol for this much data: 45 modules or more. */
  g_assert_cmpuint (code->size, >=, 45);
  g_assert_cmpuint ((code->size - 21) % 4, ==, 0);

  /* Finder patterns: dark 7×7 rings in three corners, light separators. */
  for (guint i = 0; i < 7; i++)
    {
      g_assert_true (xi_qr_code_is_dark (code, i, 0));
      g_assert_true (xi_qr_code_is_dark (code, code->size - 1 - i, 0));
      g_assert_true (xi_qr_code_is_dark (code, 0, code->size - 1 - i));
    }
  g_assert_false (xi_qr_code_is_dark (code, 7, 0));
  g_assert_false (xi_qr_code_is_dark (code, 1, 1));
  g_assert_true (xi_qr_code_is_dark (code, 3, 3));
  g_assert_false (xi_qr_code_is_dark (code, -1, 0));

  drawing = xi_qr_code_to_terminal (code);
  lines = g_strsplit (drawing, "\n", -1);
  /* (size + 2 × 4 quiet modules) rows, two per line, and a final "". */
  g_assert_cmpuint (g_strv_length (lines), ==, (code->size + 8 + 1) / 2 + 1);
  width = g_utf8_strlen (lines[0], -1);
  g_assert_cmpuint (width, ==, code->size + 8);
  for (guint i = 0; lines[i + 1] != NULL; i++)
    g_assert_cmpuint (g_utf8_strlen (lines[i], -1), ==, width);
  /* The quiet zone is drawn light (full blocks) all round. */
  g_assert_true (g_str_has_prefix (lines[0], "\u2588\u2588\u2588\u2588"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/engine/qr/symbol-and-terminal", test_symbol_and_terminal);

  return g_test_run ();
}
