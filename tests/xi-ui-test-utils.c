/* xi-ui-test-utils.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include <gdk/x11/gdkx.h>

#include "xi-test-utils.h"
#include "xi-ui-test-utils.h"
#include "xi-contact-list.h"
#include "xi-import-reader.h"

/* UI tests run headless under Xvfb; without a display they are skipped.
 * The provider stays on the display after the last reference goes. */
int
xi_ui_init (int    *argc,
            char ***argv)
{
  g_autoptr(GtkCssProvider) css = NULL;

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    return 77;

  gtk_test_init (argc, argv, NULL);
  adw_init ();

  /* What AdwApplication loads by itself, so the screenshots look real. */
  css = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (css, RESOURCE_BASE "/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  return 0;
}

/*
 * As xi_ui_init (), and with --indonesian as the last argument (taken off
 * before GLib's test options are read) the test runs in Indonesian, with
 * the translations compiled in @localedir. *@language is "id" then, and
 * %NULL for English; *@locale_dir is the compiled locale, for
 * xi_test_rm_rf () once the tests ran, or %NULL.
 */
int
xi_ui_init_language (int          *argc,
                     char       ***argv,
                     const char   *localedir,
                     const char  **language,
                     char        **locale_dir)
{
  int skip;

  *language = NULL;
  *locale_dir = NULL;
  if (*argc > 1 && g_strcmp0 ((*argv)[*argc - 1], "--indonesian") == 0)
    {
      *language = "id";
      (*argv)[--(*argc)] = NULL;
    }
  if (*language != NULL)
    *locale_dir = xi_test_compile_locale ("id_ID");
  skip = xi_ui_init (argc, argv);
  if (skip != 0 || *language == NULL)
    return skip;

  g_assert_nonnull (setlocale (LC_ALL, "id_ID.UTF-8"));
  g_setenv ("LANGUAGE", *language, TRUE);
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  return 0;
}

void
xi_ui_fixture_setup (XiUiFixture   *f,
                     gconstpointer  data)
{
  g_autofree char *path = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;

  f->dir = xi_test_make_tmpdir ();
  path = g_build_filename (f->dir, "store.db", NULL);
  f->store = xi_store_new (path);
  xi_store_open_async (f->store, NULL, xi_test_store_result_cb, &slot);
  result = xi_test_wait_result (&slot);
  g_assert_true (xi_store_open_finish (f->store, result, &error));

  f->settings = g_settings_new (APP_ID);
  f->context = xi_context_new (f->store, f->settings);
  xi_ui_reload (f);
}

/* Imports @n contacts at once, "@name 00000" to "@name @n-1", whose
 * numbers are @phone_prefix and eight digits of the same count. */
void
xi_ui_import_numbered (XiUiFixture *f,
                       const char  *name,
                       const char  *phone_prefix,
                       guint        n)
{
  XiImportBatch *batch = xi_import_batch_new ();
  g_autoptr(XiImportReport) report = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < n; i++)
    {
      XiImportRow *row = g_new0 (XiImportRow, 1);

      row->line = i + 2;
      row->name = g_strdup_printf ("%s %05u", name, i);
      row->phone = g_strdup_printf ("%s%08u", phone_prefix, i);
      row->tags = g_new0 (char *, 1);
      row->groups = g_new0 (char *, 1);
      row->custom_values = g_new0 (char *, 1);
      g_ptr_array_add (batch->rows, row);
    }
  batch->n_records = batch->rows->len;
  /* The store takes the batch. */
  XI_TEST_WAIT (xi_store_import_contacts_async (f->store, batch, NULL, NULL, NULL, NULL, NULL,
                                                xi_test_store_result_cb, &slot_),
                report = xi_store_import_contacts_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report->imported, ==, n);
}

void
xi_ui_reload (XiUiFixture *f)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;

  xi_context_reload_async (f->context, NULL, xi_test_store_result_cb, &slot);
  result = xi_test_wait_result (&slot);
  g_assert_true (xi_context_reload_finish (f->context, result, &error));
  g_assert_no_error (error);
}

void
xi_ui_fixture_teardown (XiUiFixture   *f,
                        gconstpointer  data)
{
  g_clear_object (&f->context);
  g_clear_object (&f->settings);
  xi_store_close (f->store);
  g_clear_object (&f->store);
  xi_test_rm_rf (f->dir);
  g_free (f->dir);
}

static gboolean
timeout_cb (gpointer data)
{
  *(gboolean *)data = TRUE;
  return G_SOURCE_REMOVE;
}

void
xi_ui_spin (guint milliseconds)
{
  gboolean done = FALSE;

  g_timeout_add (milliseconds, timeout_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static void
layout_cb (GdkFrameClock *clock,
           guint         *layouts)
{
  (*layouts)++;
}

/* How many frames @widget's window laid out while the main loop ran for
 * @milliseconds. An idle window lays out none: each one is a frame some
 * widget asked for (an animation, a resize), and its CPU. */
guint
xi_ui_count_layouts (GtkWidget *widget,
                     guint      milliseconds)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);
  guint layouts = 0;
  gulong handler;

  g_assert_nonnull (clock);
  handler = g_signal_connect (clock, "layout", G_CALLBACK (layout_cb), &layouts);
  xi_ui_spin (milliseconds);
  g_signal_handler_disconnect (clock, handler);
  return layouts;
}

static void
xdotool_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}

static void
run_xdotool (const char * const *argv)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_NONE, &error);
  g_assert_no_error (error);
  /* The main loop runs meanwhile: the events are for this process. */
  g_subprocess_wait_check_async (process, NULL, xdotool_done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (g_subprocess_wait_check_finish (process, result, &error));
  g_assert_no_error (error);
}

/* Gives @native (a window, or an open popover: X11 gives it a window of
 * its own) the keyboard focus and runs `xdotool COMMAND KEYS` (key or
 * type), which sends real key events through XTEST, as a keyboard
 * would. Returns %FALSE when that cannot be done here: no X11 display or
 * no xdotool; the caller skips. */
gboolean
xi_ui_send_keys_to (GtkNative  *native,
                    const char *command,
                    const char *keys)
{
  GdkSurface *surface = gtk_native_get_surface (native);
  g_autofree char *xdotool = g_find_program_in_path ("xdotool");
  g_autofree char *xid = NULL;

  if (xdotool == NULL || !GDK_IS_X11_SURFACE (surface))
    return FALSE;

  xid = g_strdup_printf ("%lu", (unsigned long)gdk_x11_surface_get_xid (surface));
  run_xdotool ((const char *[]) { xdotool, "windowfocus", xid, NULL });
  run_xdotool ((const char *[]) { xdotool, command, "--delay", "20", keys, NULL });
  xi_ui_spin (200);
  return TRUE;
}

gboolean
xi_ui_send_keys (GtkWindow  *window,
                 const char *command,
                 const char *keys)
{
  return xi_ui_send_keys_to (GTK_NATIVE (window), command, keys);
}

/* The visible message dialog, if any. */
AdwMessageDialog *
xi_ui_find_message_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (window))
        return ADW_MESSAGE_DIALOG (window);
    }
  return NULL;
}

/* An incremental filter model has no items until it has run. */
void
xi_ui_wait_filter (GListModel *model)
{
  if (XI_IS_CONTACT_LIST (model))
    {
      xi_ui_wait_contacts (model);
      return;
    }
  while (gtk_filter_list_model_get_pending (GTK_FILTER_LIST_MODEL (model)) > 0)
    g_main_context_iteration (NULL, TRUE);
}

static gboolean
contacts_ready (gpointer data)
{
  XiContactList *list = data;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (list));

  if (xi_contact_list_get_loading (list))
    return FALSE;
  for (guint i = 0; i < MIN (n, 128); i++)
    {
      g_autoptr(XiContact) contact = g_list_model_get_item (G_LIST_MODEL (list), i);

      if (xi_contact_get_id (contact) == NULL)
        return FALSE;
    }
  return TRUE;
}

/* Waits until an XiContactList has its keys and its first page loaded,
 * so a test reads contacts rather than placeholders. */
void
xi_ui_wait_contacts (GListModel *model)
{
  g_assert_true (xi_ui_wait_for (contacts_ready, model, 20000));
}

typedef struct
{
  GListModel *model;
  guint       n;
} ContactCount;

static gboolean
has_n_contacts (gpointer data)
{
  ContactCount *count = data;

  return contacts_ready (count->model) && g_list_model_get_n_items (count->model) == count->n;
}

/* Waits until an XiContactList that follows the store holds @n contacts,
 * its first page loaded. */
void
xi_ui_wait_contacts_n (GListModel *model,
                       guint       n)
{
  ContactCount count = { model, n };

  g_assert_true (xi_ui_wait_for (has_n_contacts, &count, 20000));
}

typedef struct
{
  GListModel *model;
  const char *phone;
  XiContact  *found;
} FindContact;

static gboolean
find_contact_cb (gpointer data)
{
  FindContact *find = data;

  if (!contacts_ready (find->model))
    return FALSE;
  for (guint i = 0; i < g_list_model_get_n_items (find->model); i++)
    {
      g_autoptr(XiContact) contact = g_list_model_get_item (find->model, i);

      if (g_strcmp0 (xi_contact_get_phone (contact), find->phone) == 0 ||
          g_strcmp0 (xi_contact_get_name (contact), find->phone) == 0 ||
          g_strcmp0 (xi_contact_get_id (contact), find->phone) == 0)
        {
          find->found = g_steal_pointer (&contact);
          return TRUE;
        }
    }
  return FALSE;
}

/* The contact of a small list whose number, name or id is @what, once
 * the list has it; NULL after @timeout_ms. */
XiContact *
xi_ui_find_contact (GListModel *model,
                    const char *what,
                    guint       timeout_ms)
{
  FindContact find = { model, what, NULL };

  xi_ui_wait_for (find_contact_cb, &find, timeout_ms);
  return find.found;
}

gboolean
xi_ui_wait_for (gboolean (*done) (gpointer data),
                gpointer   data,
                guint      timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * 1000;

  while (!done (data))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  return TRUE;
}

typedef struct
{
  XiFacade   *facade;
  const char *id;
} WaitItem;

static gboolean
has_item (gpointer data)
{
  WaitItem *wait = data;

  return xi_facade_find (wait->facade, wait->id) != NULL;
}

/* Waits until a row written through the store reaches @facade's model,
 * which follows XiStore::changed; fails the test after 10 s. */
gpointer
xi_ui_wait_for_item (XiFacade   *facade,
                     const char *id)
{
  WaitItem wait = { facade, id };

  g_assert_true (xi_ui_wait_for (has_item, &wait, 10000));
  return xi_facade_find (facade, id);
}

/* Saves what @widget shows now, for a human to look at. */
void
xi_ui_screenshot (GtkWidget  *widget,
                  const char *name)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *file = NULL;
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  const char *env = g_getenv ("XI_SCREENSHOT_DIR");

  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  if (node == NULL)
    return;

  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)),
                                         node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  dir = env != NULL ? g_strdup (env) : g_build_filename (g_getenv ("G_TEST_BUILDDIR") ?: ".", "screenshots", NULL);
  g_mkdir_with_parents (dir, 0755);
  file = g_strdup_printf ("%s/%s.png", dir, name);
  g_assert_true (gdk_texture_save_to_png (texture, file));
}

/* The first visible toplevel of @type (or a subtype), if any. */
GtkWindow *
xi_ui_find_window (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (window))
        return GTK_WINDOW (window);
    }
  return NULL;
}

typedef gboolean (*WidgetMatch) (GtkWidget     *widget,
                                 gconstpointer  data);

/* Depth first, @root included. */
static GtkWidget *
find_first (GtkWidget     *root,
            WidgetMatch    match,
            gconstpointer  data)
{
  if (match (root, data))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_first (child, match, data);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
has_type (GtkWidget     *widget,
          gconstpointer  data)
{
  return G_TYPE_CHECK_INSTANCE_TYPE (widget, GPOINTER_TO_SIZE (data));
}

static gboolean
has_label (GtkWidget     *widget,
           gconstpointer  data)
{
  return GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), data) == 0;
}

static gboolean
has_title (GtkWidget     *widget,
           gconstpointer  data)
{
  return ADW_IS_PREFERENCES_ROW (widget) &&
         g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), data) == 0;
}

/* The preferences row under @root whose title is @title. */
GtkWidget *
xi_ui_find_row (GtkWidget  *root,
                const char *title)
{
  return find_first (root, has_title, title);
}

/* The first widget of @type under @root, @root included. */
GtkWidget *
xi_ui_find_widget (GtkWidget *root,
                   GType      type)
{
  return find_first (root, has_type, GSIZE_TO_POINTER (type));
}

/* The button under @root whose label (mnemonic underscores included) is @label. */
GtkWidget *
xi_ui_find_button (GtkWidget  *root,
                   const char *label)
{
  return find_first (root, has_label, label);
}
