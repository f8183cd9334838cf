/* test-assets.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xi-store.h"
#include "xi-test-utils.h"

/*
 * The asset library against a real SQLite file and a real data folder:
 * what a file is comes from its bytes, WhatsApp's limits are enforced
 * before anything is stored, the same bytes are kept once, privately,
 * and a failed write leaves nothing behind.
 */

typedef struct
{
  char    *dir;
  char    *assets;
  XiStore *store;
} Fixture;

#define WAIT XI_TEST_WAIT

static const guint8 jpeg_head[] = { 0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00 };
static const guint8 png_head[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R' };

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok = FALSE;

  f->dir = xi_test_make_tmpdir ();
  path = g_build_filename (f->dir, "store.db", NULL);
  f->assets = g_build_filename (f->dir, "assets", NULL);
  f->store = xi_store_new (path);
  WAIT (xi_store_open_async (f->store, NULL, xi_test_store_result_cb, &slot_),
        ok = xi_store_open_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_true (ok);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  xi_store_close (f->store);
  g_assert_finalize_object (f->store);
  xi_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->assets);
}

/* A file of @size bytes starting with @head, the rest a pattern, so two
 * sizes are two different files. */
static char *
write_file (Fixture      *f,
            const char   *name,
            const guint8 *head,
            gsize         head_length,
            gsize         size)
{
  g_autofree guint8 *bytes = g_malloc (size);
  char *path = g_build_filename (f->dir, name, NULL);
  g_autoptr(GError) error = NULL;

  for (gsize i = 0; i < size; i++)
    bytes[i] = (guint8) (i * 7 + size);
  memcpy (bytes, head, MIN (head_length, size));
  g_file_set_contents (path, (const char *) bytes, size, &error);
  g_assert_no_error (error);
  return path;
}

static XiAsset *
add (Fixture     *f,
     const char  *path,
     GError     **error)
{
  XiAsset *asset = NULL;

  WAIT (xi_store_add_asset_async (f->store, path, NULL, xi_test_store_result_cb, &slot_),
        asset = xi_store_add_asset_finish (f->store, result_, error));
  return asset;
}

static GPtrArray *
list (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *assets = NULL;

  WAIT (xi_store_list_assets_async (f->store, NULL, xi_test_store_result_cb, &slot_),
        assets = xi_store_list_assets_finish (f->store, result_, &error));
  g_assert_no_error (error);
  return assets;
}

static gboolean
delete (Fixture     *f,
        const char  *id,
        GError     **error)
{
  gboolean ok = FALSE;

  WAIT (xi_store_delete_asset_async (f->store, id, NULL, xi_test_store_result_cb, &slot_),
        ok = xi_store_delete_asset_finish (f->store, result_, error));
  return ok;
}

/* Files in the library's folder, temporary ones included. */
static guint
count_files (Fixture *f)
{
  g_autoptr(GDir) dir = g_dir_open (f->assets, 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

static void
assert_refused (Fixture      *f,
                const char   *path,
                int           code,
                const char   *says)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(XiAsset) asset = add (f, path, &error);
  g_autoptr(GPtrArray) assets = list (f);

  g_assert_null (asset);
  g_assert_error (error, XI_STORE_ERROR, code);
  if (strstr (error->message, says) == NULL)
    g_error ("“%s” does not say “%s”", error->message, says);
  g_assert_cmpuint (assets->len, ==, 0);
  g_assert_cmpuint (count_files (f), ==, 0);
}

static void
test_sniff (void)
{
  static const struct
  {
    const char  *head;
    gsize        length;
    const char  *mime_type;
    XiAssetKind  kind;
  } cases[] = {
    { "\xff\xd8\xff\xe1", 4, "image/jpeg", XI_ASSET_KIND_IMAGE },
    { "\x89PNG\r\n\x1a\n\0\0", 10, "image/png", XI_ASSET_KIND_IMAGE },
    { "RIFF\x10\0\0\0WEBPVP8 ", 16, "image/webp", XI_ASSET_KIND_IMAGE },
    { "RIFF\x10\0\0\0WAVEfmt ", 16, "application/octet-stream", XI_ASSET_KIND_DOCUMENT },
    { "%PDF-1.7\n", 9, "application/pdf", XI_ASSET_KIND_DOCUMENT },
    { "GIF89a", 6, "image/gif", XI_ASSET_KIND_DOCUMENT },
    { "PK\x03\x04\x14\0\0\0[Content_Types].xmlPK\x03\x04word/document.xml", 50,
      "application/vnd.openxmlformats-officedocument.wordprocessingml.document", XI_ASSET_KIND_DOCUMENT },
    { "PK\x03\x04\x14\0\0\0[Content_Types].xmlPK\x03\x04xl/workbook.xml", 48,
      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", XI_ASSET_KIND_DOCUMENT },
    { "PK\x03\x04\x14\0\0\0notes.txt", 17, "application/zip", XI_ASSET_KIND_DOCUMENT },
    { "Daftar harga\n", 13, "text/plain", XI_ASSET_KIND_DOCUMENT },
    /* A head that ends in the middle of "é". */
    { "Caf\xc3", 4, "text/plain", XI_ASSET_KIND_DOCUMENT },
    { "Caf\xc3(", 5, "application/octet-stream", XI_ASSET_KIND_DOCUMENT },
    { "\xff\xd8", 2, "application/octet-stream", XI_ASSET_KIND_DOCUMENT },
    { "", 0, "application/octet-stream", XI_ASSET_KIND_DOCUMENT },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      XiAssetKind kind = XI_ASSET_KIND_IMAGE;
      const char *mime_type = xi_asset_sniff ((const guint8 *) cases[i].head, cases[i].length, &kind);

      g_assert_cmpstr (mime_type, ==, cases[i].mime_type);
      g_assert_cmpint (kind, ==, cases[i].kind);
    }
}

static void
test_add (Fixture       *f,
          gconstpointer  data)
{
  g_autofree char *path = write_file (f, "promo.jpg", jpeg_head, sizeof jpeg_head, 100000);
  g_autofree char *contents = NULL;
  g_autofree char *copied = NULL;
  g_autofree char *sha256 = NULL;
  g_autoptr(XiAsset) asset = NULL;
  g_autoptr(GPtrArray) assets = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;
  struct stat info;

  asset = add (f, path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (xi_asset_get_name (asset), ==, "promo.jpg");
  g_assert_cmpstr (xi_asset_get_mime_type (asset), ==, "image/jpeg");
  g_assert_cmpint (xi_asset_get_kind (asset), ==, XI_ASSET_KIND_IMAGE);
  g_assert_cmpuint (xi_asset_get_size (asset), ==, 100000);

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guint8 *) contents, length);
  g_assert_cmpstr (xi_asset_get_sha256 (asset), ==, sha256);
  copied = g_build_filename (f->assets, sha256, NULL);
  g_assert_cmpstr (xi_asset_get_path (asset), ==, copied);

  /* The bytes, privately, in a private folder. */
  g_assert_cmpint (g_stat (copied, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 0777, ==, 0600);
  g_assert_cmpint (info.st_size, ==, 100000);
  g_assert_cmpint (g_stat (f->assets, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 0777, ==, 0700);
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (copied, &contents, &length, NULL));
  g_assert_cmpstr (g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guint8 *) contents, length), ==,
                   sha256);

  /* The original may go: the library has its own copy. */
  g_unlink (path);
  assets = list (f);
  g_assert_cmpuint (assets->len, ==, 1);
  g_assert_cmpstr (xi_asset_get_id (g_ptr_array_index (assets, 0)), ==, xi_asset_get_id (asset));
  g_assert_cmpuint (count_files (f), ==, 1);
}

/* A name can lie; the content decides. */
static void
test_name_lies (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *pdf = write_file (f, "photo.jpg", (const guint8 *) "%PDF-1.4\n", 9, 2000);
  g_autofree char *png = write_file (f, "price-list.pdf", png_head, sizeof png_head, 3000);
  g_autoptr(XiAsset) document = NULL;
  g_autoptr(XiAsset) picture = NULL;
  g_autoptr(GError) error = NULL;

  document = add (f, pdf, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (xi_asset_get_mime_type (document), ==, "application/pdf");
  g_assert_cmpint (xi_asset_get_kind (document), ==, XI_ASSET_KIND_DOCUMENT);
  picture = add (f, png, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (xi_asset_get_mime_type (picture), ==, "image/png");
  g_assert_cmpint (xi_asset_get_kind (picture), ==, XI_ASSET_KIND_IMAGE);
}

static void
test_dedup (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *first = write_file (f, "a.pdf", (const guint8 *) "%PDF-1.4\n", 9, 5000);
  g_autofree char *second = g_build_filename (f->dir, "copy of a.pdf", NULL);
  g_autoptr(XiAsset) one = NULL;
  g_autoptr(XiAsset) two = NULL;
  g_autoptr(GPtrArray) assets = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (first, &contents, &length, NULL));
  g_assert_true (g_file_set_contents (second, contents, length, NULL));
  one = add (f, first, &error);
  g_assert_no_error (error);
  two = add (f, second, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (xi_asset_get_id (one), ==, xi_asset_get_id (two));
  g_assert_cmpstr (xi_asset_get_name (two), ==, "a.pdf");
  assets = list (f);
  g_assert_cmpuint (assets->len, ==, 1);
  g_assert_cmpuint (count_files (f), ==, 1);
}

/* Too big for WhatsApp, empty, not a file, missing: a message that says
 * so, and nothing stored. The big ones are sparse: refused before a byte
 * is copied. */
static void
test_limits (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *big_picture = write_file (f, "huge.jpg", jpeg_head, sizeof jpeg_head, 64);
  g_autofree char *big_document = write_file (f, "huge.pdf", (const guint8 *) "%PDF-1.4\n", 9, 64);
  g_autofree char *empty = write_file (f, "empty.pdf", NULL, 0, 0);
  g_autofree char *missing = g_build_filename (f->dir, "missing.pdf", NULL);
  g_autofree char *picture_at_limit = write_file (f, "limit.jpg", jpeg_head, sizeof jpeg_head, 64);
  g_autoptr(XiAsset) asset = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (truncate (big_picture, XI_ASSET_MAX_IMAGE_BYTES + 1), ==, 0);
  g_assert_cmpint (truncate (big_document, XI_ASSET_MAX_DOCUMENT_BYTES + 1), ==, 0);
  /* g_format_size () puts a no-break space before the unit. */
  assert_refused (f, big_picture, XI_STORE_ERROR_INVALID,
                  "The picture is 16.0\u00a0MB; WhatsApp sends pictures up to 16.0\u00a0MB");
  assert_refused (f, big_document, XI_STORE_ERROR_INVALID,
                  "The file is 100.0\u00a0MB; WhatsApp sends documents up to 100.0\u00a0MB");
  assert_refused (f, empty, XI_STORE_ERROR_INVALID, "The file is empty");
  assert_refused (f, f->dir, XI_STORE_ERROR_INVALID, "is not a file");
  assert_refused (f, missing, XI_STORE_ERROR_INVALID, "Cannot read “missing.pdf”");

  g_assert_cmpint (truncate (picture_at_limit, XI_ASSET_MAX_IMAGE_BYTES), ==, 0);
  asset = add (f, picture_at_limit, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (xi_asset_get_size (asset), ==, XI_ASSET_MAX_IMAGE_BYTES);
}

/* A write that fails half-way (the kernel refuses to grow any file past
 * 64 KiB in this process) leaves no file, no temporary and no row. */
static void
test_write_fails (Fixture       *f,
                  gconstpointer  data)
{
  if (g_test_subprocess ())
    {
      g_autofree char *path = write_file (f, "brochure.pdf", (const guint8 *) "%PDF-1.4\n", 9, 300000);
      struct rlimit limit = { 64 * 1024, 64 * 1024 };
      g_autoptr(XiAsset) asset = NULL;
      g_autoptr(GPtrArray) assets = NULL;
      g_autoptr(GError) error = NULL;

      signal (SIGXFSZ, SIG_IGN);
      g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limit), ==, 0);
      asset = add (f, path, &error);
      g_assert_null (asset);
      g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_FAILED);
      g_assert_nonnull (strstr (error->message, "“brochure.pdf” could not be copied into the data folder"));
      assets = list (f);
      g_assert_cmpuint (assets->len, ==, 0);
      g_assert_cmpuint (count_files (f), ==, 0);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* An asset a template uses cannot go; once detached it goes, with its
 * file. */
static void
test_delete (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *path = write_file (f, "promo.png", png_head, sizeof png_head, 4096);
  g_autoptr(XiAsset) asset = NULL;
  g_autoptr(XiTemplate) template_ = xi_template_new ("Promo");
  g_autoptr(XiTemplate) saved = NULL;
  g_autoptr(XiTemplate) detached = NULL;
  g_autoptr(GPtrArray) assets = NULL;
  g_autoptr(GError) error = NULL;
  const char *variants[] = { "Promo hari ini!", NULL };

  asset = add (f, path, &error);
  g_assert_no_error (error);
  xi_template_set_variants (template_, variants);
  xi_template_set_asset_id (template_, xi_asset_get_id (asset));
  WAIT (xi_store_save_template_async (f->store, template_, NULL, xi_test_store_result_cb, &slot_),
        saved = xi_store_save_template_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (xi_template_get_asset_id (saved), ==, xi_asset_get_id (asset));

  g_assert_false (delete (f, xi_asset_get_id (asset), &error));
  g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_STATE);
  g_assert_cmpstr (error->message, ==, "“promo.png” is attached to the template “Promo”. Remove it from the "
                                       "template first.");
  g_clear_error (&error);
  g_assert_cmpuint (count_files (f), ==, 1);

  xi_template_set_asset_id (saved, NULL);
  WAIT (xi_store_save_template_async (f->store, saved, NULL, xi_test_store_result_cb, &slot_),
        detached = xi_store_save_template_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_null (xi_template_get_asset_id (detached));
  g_assert_true (delete (f, xi_asset_get_id (asset), &error));
  g_assert_no_error (error);
  assets = list (f);
  g_assert_cmpuint (assets->len, ==, 0);
  g_assert_cmpuint (count_files (f), ==, 0);

  /* A template cannot name an asset that is gone. */
  xi_template_set_asset_id (template_, xi_asset_get_id (asset));
  xi_template_set_name (template_, "Promo 2");
  WAIT (xi_store_save_template_async (f->store, template_, NULL, xi_test_store_result_cb, &slot_),
        g_assert_null (xi_store_save_template_finish (f->store, result_, &error)));
  g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_NOT_FOUND);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/xi/assets/sniff", test_sniff);
  g_test_add ("/xi/assets/add", Fixture, NULL, fixture_set_up, test_add, fixture_tear_down);
  g_test_add ("/xi/assets/name-lies", Fixture, NULL, fixture_set_up, test_name_lies, fixture_tear_down);
  g_test_add ("/xi/assets/dedup", Fixture, NULL, fixture_set_up, test_dedup, fixture_tear_down);
  g_test_add ("/xi/assets/limits", Fixture, NULL, fixture_set_up, test_limits, fixture_tear_down);
  g_test_add ("/xi/assets/write-fails", Fixture, NULL, fixture_set_up, test_write_fails, fixture_tear_down);
  g_test_add ("/xi/assets/delete", Fixture, NULL, fixture_set_up, test_delete, fixture_tear_down);

  return g_test_run ();
}
