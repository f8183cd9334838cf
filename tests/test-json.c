/* test-json.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "xi-json.h"

/*
 * xi_json_parse (), the one reader of JSON from outside: nesting past its
 * limit is refused without recursing into it, brackets inside strings do
 * not count, and what is within the limit parses as json-glib would.
 */

static char *
nested (guint       depth,
        const char *inside)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < depth; i++)
    g_string_append_c (text, '[');
  g_string_append (text, inside);
  for (guint i = 0; i < depth; i++)
    g_string_append_c (text, ']');
  return g_string_free (text, FALSE);
}

static void
test_deep (void)
{
  g_autofree char *deep = nested (100000, "");
  g_autofree char *limit = nested (XI_JSON_MAX_DEPTH, "1");
  g_autofree char *past = nested (XI_JSON_MAX_DEPTH + 1, "1");
  g_autoptr(GBytes) bytes = g_bytes_new_static (deep, strlen (deep));
  g_autoptr(JsonNode) at_limit = NULL;
  g_autoptr(GError) error = NULL;

  /* 200 KB that json-glib alone recurses 100,000 times into. */
  g_assert_null (xi_json_parse_bytes (bytes, &error));
  g_assert_error (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA);
  g_clear_error (&error);

  at_limit = xi_json_parse (limit, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (at_limit));

  g_assert_null (xi_json_parse (past, -1, &error));
  g_assert_error (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA);
}

static void
test_strings (void)
{
  g_autofree char *brackets = nested (1000, "");
  g_autofree char *text = g_strdup_printf ("{\"name\":\"%s\\\"[{\",\"n\":\"7\"}", brackets);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *object;

  root = xi_json_parse (text, -1, &error);
  g_assert_no_error (error);
  object = json_node_get_object (root);
  g_assert_true (g_str_has_suffix (xi_json_get_string (object, "name", NULL), "\"[{"));
  g_assert_cmpint (xi_json_get_int (object, "n", 0), ==, 7);
}

static void
test_broken (void)
{
  const char *broken[] = { "", "   ", "{\"a\":", "[1,]x", "\xff\xfe" };
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (broken); i++)
    {
      g_assert_null (xi_json_parse (broken[i], -1, &error));
      g_assert_true (error != NULL && error->domain == JSON_PARSER_ERROR);
      g_clear_error (&error);
    }
  /* Not nul-terminated: only @size bytes are read. */
  {
    g_autoptr(JsonNode) root = xi_json_parse ("[1]garbage", 3, &error);

    g_assert_no_error (error);
    g_assert_cmpint (json_array_get_length (json_node_get_array (root)), ==, 1);
  }
  g_assert_null (xi_json_parse_bytes (NULL, &error));
  g_assert_error (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_PARSE);
}

/* Values are counted as arrays, objects and the commas between items,
 * outside strings: exactly the bound parses, one more is refused before
 * json-glib builds anything. */
static void
test_bounded (void)
{
  const char *text = "[{\"a\":\"x,[{\",\"b\":1},2,3]";
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;

  /* The array, the object and three commas. */
  root = xi_json_parse_bounded (text, -1, 5, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_array_get_length (json_node_get_array (root)), ==, 3);

  g_assert_null (xi_json_parse_bounded (text, -1, 4, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE);
}

/* json-glib reads comments, which JSON does not have: a '"' inside one
 * would hide from the count the brackets and commas json-glib parses
 * after it, past both the value bound and the depth limit. */
static void
test_comment_hides_shape (void)
{
  g_autoptr(GString) values = g_string_new ("[/* \" */ ");
  g_autofree char *deep = nested (200000, "");
  g_autofree char *deep_after_comment = g_strconcat ("/* \" */", deep, NULL);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 1000000; i++)
    g_string_append (values, "1,");
  g_string_append (values, "1 /* \" */]");
  g_assert_null (xi_json_parse_bounded (values->str, (gssize) values->len, 400000, &error));
  g_assert_error (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA);
  g_clear_error (&error);

  g_assert_null (xi_json_parse (deep_after_comment, -1, &error));
  g_assert_error (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA);
  g_clear_error (&error);

  /* A slash inside a string is text, not a comment. */
  {
    g_autoptr(JsonNode) root = xi_json_parse ("[\"a/*\\\"*/b\"]", -1, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (json_array_get_string_element (json_node_get_array (root), 0), ==, "a/*\"*/b");
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/json/deep", test_deep);
  g_test_add_func ("/json/strings", test_strings);
  g_test_add_func ("/json/broken", test_broken);
  g_test_add_func ("/json/bounded", test_bounded);
  g_test_add_func ("/json/comment-hides-shape", test_comment_hides_shape);

  return g_test_run ();
}
