/* test-ui-audience.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <sqlite3.h>
#include <string.h>

#include "xi-contact-filter-bar.h"
#include "xi-contact-list.h"
#include "xi-contacts-page.h"
#include "xi-sending-page.h"
#include "xi-test-utils.h"
#include "xi-ui-test-utils.h"
#include "xi-window.h"

/*
 * Audiences in the app, driven with real key presses where a shop owner
 * would type: conditions typed in the search become chips in the filter
 * bar, another comes from the bar's popover, the filter is saved as a
 * segment (a second segment of the same name is refused with the
 * reason), a saved segment puts its filter back, and a campaign for it
 * counts who matches in its plan and goes to who matches when it is
 * created.
 *
 * With --indonesian the same test runs in Indonesian, whose mnemonics
 * differ, and saves its screenshots under another name.
 */

static const char *language;

typedef struct
{
  const char *add;      /* Add Con_dition */
  const char *segments; /* Seg_ments */
  const char *save;     /* Sa_ve as Segment… */
} Mnemonics;

/* Letters the window's page switcher does not take in either language. */
static const Mnemonics english = { "alt+d", "alt+m", "alt+v" };
static const Mnemonics indonesian = { "alt+s", "alt+e", "alt+n" };

static void
seed_contact (XiUiFixture *f,
              const char  *name,
              const char  *phone,
              const char  *kota,
              const char  *tag)
{
  g_autoptr(XiContact) contact = xi_contact_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(XiContact) saved = NULL;
  const char *tags[] = { tag, NULL };

  xi_contact_set_name (contact, name);
  xi_contact_set_phone (contact, phone);
  xi_contact_set_custom_field (contact, "kota", kota);
  xi_contact_set_tags (contact, tags);
  XI_TEST_WAIT (xi_store_save_contact_async (f->store, contact, NULL, xi_test_store_result_cb, &slot_),
                saved = xi_store_save_contact_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_nonnull (saved);
}

static char *
seed_template (XiUiFixture *f)
{
  g_autoptr(XiTemplate) template_ = xi_template_new ("Promo");
  g_autoptr(XiTemplate) saved = NULL;
  g_autoptr(GError) error = NULL;
  const char *variants[] = { "Halo {name}, stok baru sudah datang.", NULL };

  xi_template_set_variants (template_, variants);
  XI_TEST_WAIT (xi_store_save_template_async (f->store, template_, NULL, xi_test_store_result_cb, &slot_),
                saved = xi_store_save_template_finish (f->store, result_, &error));
  g_assert_no_error (error);
  return g_strdup (xi_template_get_id (saved));
}

static GPtrArray *
list_segments (XiUiFixture *f)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *segments = NULL;

  XI_TEST_WAIT (xi_store_list_segments_async (f->store, NULL, xi_test_store_result_cb, &slot_),
                segments = xi_store_list_segments_finish (f->store, result_, &error));
  g_assert_no_error (error);
  return segments;
}

/* The window on the Contacts page, with the store's contacts loaded. */
static XiWindow *
open_contacts (XiUiFixture         *f,
               GtkWidget          **page,
               XiContactFilterBar **bar)
{
  XiWindow *window;

  xi_ui_reload (f);
  window = xi_window_new (NULL, f->context);
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 700);
  gtk_window_present (GTK_WINDOW (window));
  xi_window_show_page (window, "contacts");
  xi_ui_spin (400);
  *page = xi_window_get_page (window, "contacts");
  *bar = XI_CONTACT_FILTER_BAR (xi_ui_find_widget (*page, XI_TYPE_CONTACT_FILTER_BAR));
  return window;
}

static void
screenshot (GtkWidget  *widget,
            const char *name)
{
  g_autofree char *full = g_strdup_printf ("audience-%s-%s", language != NULL ? language : "en", name);

  xi_ui_spin (300);
  xi_ui_screenshot (widget, full);
}

static gboolean
has_message_dialog (gpointer data)
{
  return xi_ui_find_message_dialog () != NULL;
}

static gboolean
has_no_message_dialog (gpointer data)
{
  return xi_ui_find_message_dialog () == NULL;
}

/* A mapped label under @root whose text contains @text. */
static GtkWidget *
find_label (GtkWidget  *root,
            const char *text)
{
  if (GTK_IS_LABEL (root) && gtk_widget_get_mapped (root) &&
      strstr (gtk_label_get_text (GTK_LABEL (root)), text) != NULL)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_label (child, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The popover of @bar that a mnemonic opened. */
static GtkWidget *
find_open_popover (GtkWidget *root)
{
  if (GTK_IS_POPOVER (root) && gtk_widget_get_mapped (root))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_open_popover (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
has_open_popover (gpointer data)
{
  return find_open_popover (data) != NULL;
}

static GtkWidget *
open_popover (GtkWidget *bar)
{
  g_assert_true (xi_ui_wait_for (has_open_popover, bar, 5000));
  xi_ui_spin (200);
  return find_open_popover (bar);
}

/* Scrolls the page so that @widget is near the top of the window. */
static void
show_in_scroller (GtkWidget *widget)
{
  GtkWidget *scroller = gtk_widget_get_ancestor (widget, GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
  graphene_point_t point;

  g_assert_true (gtk_widget_compute_point (widget, gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scroller)),
                                           &GRAPHENE_POINT_INIT (0, 0), &point));
  gtk_adjustment_set_value (adjustment, point.y - 200);
}

static void
assert_conditions (XiContactFilterBar *bar,
                   const char * const *expected)
{
  const char * const *conditions = xi_contact_filter_bar_get_conditions (bar);

  g_assert_cmpuint (g_strv_length ((char **)conditions), ==, g_strv_length ((char **)expected));
  for (guint i = 0; expected[i] != NULL; i++)
    g_assert_cmpstr (conditions[i], ==, expected[i]);
}

typedef struct
{
  XiUiFixture *f;
  guint        n;
} SegmentsWait;

static gboolean
has_n_segments (gpointer data)
{
  SegmentsWait *wait = data;
  g_autoptr(GPtrArray) segments = list_segments (wait->f);

  return segments->len == wait->n;
}

typedef struct
{
  GtkWidget  *page;
  const char *text;
} LabelWait;

static gboolean
has_label (gpointer data)
{
  LabelWait *wait = data;

  return find_label (wait->page, wait->text) != NULL;
}

typedef struct
{
  GtkWidget  *root;
  const char *title;
} RowWait;

/* Whether @root holds a row titled so, shown or not: the Segments menu's
 * rows are made while it is closed. */
static gboolean
has_row_titled (gpointer data)
{
  RowWait *wait = data;

  if (ADW_IS_PREFERENCES_ROW (wait->root) &&
      g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (wait->root)), wait->title) == 0)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (wait->root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      RowWait inner = { child, wait->title };

      if (has_row_titled (&inner))
        return TRUE;
    }
  return FALSE;
}

typedef struct
{
  GtkWidget  *page;
  const char *id;
} SelectWait;

static gboolean
selected_audience (gpointer data)
{
  SelectWait *wait = data;

  return xi_sending_page_select_group (XI_SENDING_PAGE (wait->page), wait->id);
}

static gboolean
has_plan (gpointer data)
{
  return xi_sending_page_get_plan (data) != NULL;
}

static gboolean
has_job (gpointer data)
{
  return g_list_model_get_n_items (data) > 0;
}

static void
test_build_save_send (XiUiFixture   *f,
                      gconstpointer  data)
{
  const Mnemonics *keys = language != NULL ? &indonesian : &english;
  g_autofree char *template_id = seed_template (f);
  g_autoptr(GPtrArray) segments = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *shown = NULL;
  const char *typed[] = { "kota~jakarta", "#grosir", NULL };
  const char *narrowed[] = { "kota~jakarta", "#grosir", "name~bud", NULL };
  const char *none[] = { NULL };
  const char *in_bandung[] = { "kota~bandung", NULL };
  g_autoptr(XiContactFilter) bandung_filter = xi_contact_filter_new_from_conditions (in_bandung, NULL);
  g_autoptr(XiSegment) bandung = NULL;
  RowWait bandung_row = { NULL, "Bandung" };
  LabelWait renamed = { NULL, NULL };   /* the plan naming the segment */
  g_autofree char *rename = NULL;
  g_autofree char *chosen = NULL;
  sqlite3 *other;
  SegmentsWait one_segment = { f, 1 };
  SelectWait select = { NULL, NULL };
  AdwMessageDialog *dialog;
  XiContactFilterBar *bar;
  XiWindow *window;
  GtkWidget *page;
  GtkWidget *entry;
  GtkWidget *reason;
  GtkWidget *popover;
  GtkWidget *label;
  GListModel *visible;
  GListModel *jobs;
  const XiJobPlan *plan;
  g_autoptr(XiJob) job = NULL;
  g_autoptr(GPtrArray) activity = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *recorded = NULL;
  gboolean found = FALSE;

  seed_contact (f, "Budi", "6281200000001", "Jakarta", "grosir");
  seed_contact (f, "Siti", "6281200000002", "Jakarta", "ecer");
  seed_contact (f, "Agus", "6281200000003", "Bandung", "grosir");
  seed_contact (f, "Dewi", "6281200000004", "Jakarta Selatan", "grosir");
  window = open_contacts (f, &page, &bar);
  visible = xi_contacts_page_get_visible (XI_CONTACTS_PAGE (page));
  entry = xi_ui_find_widget (page, GTK_TYPE_SEARCH_ENTRY);
  xi_ui_wait_filter (visible);
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 4);

  /* Conditions typed in the search filter at once and, on Return, move
   * into the bar; the search box keeps only plain words. */
  g_assert_true (gtk_widget_activate_action (page, "page.search", NULL));
  if (!xi_ui_send_keys (GTK_WINDOW (window), "type", "kota:jakarta #grosir"))
    {
      g_test_skip ("no X11 display or no xdotool");
      gtk_window_destroy (GTK_WINDOW (window));
      return;
    }
  xi_ui_spin (300);
  xi_ui_wait_filter (visible);
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 2);
  assert_conditions (bar, none);
  xi_ui_send_keys (GTK_WINDOW (window), "key", "Return");
  xi_ui_wait_filter (visible);
  assert_conditions (bar, typed);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "");
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 2);

  /* Another from the bar's popover: its mnemonic, then the name field
   * (the first), "contains" (the first), the value and Return. */
  xi_ui_send_keys (GTK_WINDOW (window), "key", keys->add);
  popover = open_popover (GTK_WIDGET (bar));
  xi_ui_send_keys_to (GTK_NATIVE (popover), "key", "Tab");
  xi_ui_send_keys_to (GTK_NATIVE (popover), "key", "Tab");
  xi_ui_send_keys_to (GTK_NATIVE (popover), "type", "bud");
  screenshot (popover, "add-condition");
  xi_ui_send_keys_to (GTK_NATIVE (popover), "key", "Return");
  xi_ui_wait_filter (visible);
  assert_conditions (bar, narrowed);
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 1);

  /* Its chip's remove button is one Shift+Tab back from the bar's button. */
  xi_ui_send_keys (GTK_WINDOW (window), "key", "shift+Tab");
  xi_ui_send_keys (GTK_WINDOW (window), "key", "space");
  xi_ui_wait_filter (visible);
  assert_conditions (bar, typed);
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 2);
  shown = g_strdup_printf (ngettext ("%u of %u contact shown", "%u of %u contacts shown", 4), 2, 4);
  g_assert_nonnull (find_label (page, shown));
  screenshot (GTK_WIDGET (window), "contacts");

  /* Saved as a segment from the Segments menu, named in its dialog. */
  xi_ui_send_keys (GTK_WINDOW (window), "key", keys->segments);
  popover = open_popover (GTK_WIDGET (bar));
  xi_ui_send_keys_to (GTK_NATIVE (popover), "key", keys->save);
  g_assert_true (xi_ui_wait_for (has_message_dialog, NULL, 5000));
  dialog = xi_ui_find_message_dialog ();
  xi_ui_send_keys (GTK_WINDOW (dialog), "type", "Jakarta grosir");
  screenshot (GTK_WIDGET (dialog), "save");
  xi_ui_send_keys (GTK_WINDOW (dialog), "key", "Return");
  g_assert_true (xi_ui_wait_for (has_n_segments, &one_segment, 5000));
  segments = list_segments (f);
  g_assert_cmpstr (((XiSegment *)g_ptr_array_index (segments, 0))->name, ==, "Jakarta grosir");
  g_assert_true (g_strv_equal ((const char * const *)((XiSegment *)g_ptr_array_index (segments, 0))->conditions,
                               typed));
  g_assert_true (xi_ui_wait_for (has_no_message_dialog, NULL, 5000));

  /* The same name again, in other case, is refused before it is saved. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (bar), "filter-bar.save", NULL));
  g_assert_true (xi_ui_wait_for (has_message_dialog, NULL, 5000));
  dialog = xi_ui_find_message_dialog ();
  xi_ui_spin (300);
  xi_ui_send_keys (GTK_WINDOW (dialog), "type", "jakarta GROSIR");
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "save"));
  reason = find_label (GTK_WIDGET (dialog), "“Jakarta grosir”");
  g_assert_nonnull (reason);
  screenshot (GTK_WIDGET (dialog), "duplicate");
  xi_ui_send_keys (GTK_WINDOW (dialog), "key", "Return");
  xi_ui_send_keys (GTK_WINDOW (dialog), "key", "Escape");
  g_assert_true (xi_ui_wait_for (has_no_message_dialog, NULL, 5000));
  g_clear_pointer (&segments, g_ptr_array_unref);
  segments = list_segments (f);
  g_assert_cmpuint (segments->len, ==, 1);

  /* Choosing the segment puts its filter back. */
  xi_contact_filter_bar_set_conditions (bar, none);
  xi_ui_wait_filter (visible);
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 4);
  xi_ui_send_keys (GTK_WINDOW (window), "key", keys->segments);
  popover = open_popover (GTK_WIDGET (bar));
  xi_ui_spin (300);
  screenshot (popover, "segments");
  xi_ui_send_keys_to (GTK_NATIVE (popover), "key", "Return");
  xi_ui_wait_filter (visible);
  assert_conditions (bar, typed);
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 2);

  /* A segment saved elsewhere (the command line, or another computer's
   * that sync applies) is in the closed Segments menu at once... */
  XI_TEST_WAIT (xi_store_add_segment_async (f->store, "Bandung", bandung_filter, NULL,
                                            xi_test_store_result_cb, &slot_),
                bandung = xi_store_add_segment_finish (f->store, result_, &error));
  g_assert_no_error (error);
  bandung_row.root = GTK_WIDGET (bar);
  g_assert_true (xi_ui_wait_for (has_row_titled, &bandung_row, 5000));
  /* The audience row puts its choice back after its model changed. */
  xi_ui_spin (300);

  /* ...and among the campaign's audiences, where the plan names it... */
  xi_window_show_page (window, "sending");
  page = xi_window_get_page (window, "sending");
  select.page = page;
  select.id = bandung->id;
  g_assert_true (xi_ui_wait_for (selected_audience, &select, 5000));
  g_assert_true (xi_sending_page_select_template (XI_SENDING_PAGE (page), template_id));
  g_assert_true (xi_ui_wait_for (has_plan, page, 10000));

  renamed.page = page;
  renamed.text = "“Bandung”";
  g_assert_true (xi_ui_wait_for (has_label, &renamed, 10000));

  /* ...and follows a rename another process makes while it is chosen. */
  rename = g_strdup_printf ("UPDATE segments SET name = 'Bandung raya', version = version + 1 WHERE id = '%s'",
                            bandung->id);
  g_assert_cmpint (sqlite3_open (xi_store_get_path (f->store), &other), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (other, rename, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (other);
  renamed.text = "“Bandung raya”";
  g_assert_true (xi_ui_wait_for (has_label, &renamed, 10000));
  /* The audience row shows the new name too, not only the plan. */
  chosen = g_strdup_printf (_("Segment “%s”"), "Bandung raya");
  renamed.text = chosen;
  g_assert_true (xi_ui_wait_for (has_label, &renamed, 10000));
  label = find_label (page, chosen);
  show_in_scroller (label);
  screenshot (GTK_WIDGET (window), "renamed");

  /* The campaign's plan counts who matches now... */
  select.id = ((XiSegment *)g_ptr_array_index (segments, 0))->id;
  g_assert_true (xi_ui_wait_for (selected_audience, &select, 5000));
  g_assert_true (xi_sending_page_select_template (XI_SENDING_PAGE (page), template_id));
  g_assert_true (xi_ui_wait_for (has_plan, page, 10000));
  plan = xi_sending_page_get_plan (XI_SENDING_PAGE (page));
  g_assert_cmpuint (plan->targeted, ==, 2);
  g_assert_cmpuint (plan->eligible, ==, 2);
  subtitle = g_strdup_printf (ngettext ("Of %u contact who matches segment “%s” now. It is looked up "
                                        "again when the campaign is created.",
                                        "Of %u contacts who match segment “%s” now. It is looked up "
                                        "again when the campaign is created.", 2), 2, "Jakarta grosir");
  label = find_label (page, subtitle);
  g_assert_nonnull (label);
  show_in_scroller (label);
  screenshot (GTK_WIDGET (window), "plan");

  /* ...and the campaign goes to who matches as it is created. */
  seed_contact (f, "Rina", "6281200000005", "jakarta", "Grosir");
  g_assert_true (gtk_widget_activate_action (page, "sending.start", NULL));
  g_assert_true (xi_ui_wait_for (has_message_dialog, NULL, 5000));
  dialog = xi_ui_find_message_dialog ();
  screenshot (GTK_WIDGET (dialog), "confirm");
  adw_message_dialog_response (dialog, "start");
  gtk_window_close (GTK_WINDOW (dialog));
  jobs = xi_context_get_jobs (f->context);
  g_assert_true (xi_ui_wait_for (has_job, jobs, 10000));
  job = g_list_model_get_item (jobs, 0);
  g_assert_cmpuint (xi_job_get_total (job), ==, 3);

  /* The campaign records the segment it was made for. */
  XI_TEST_WAIT (xi_store_list_activity_async (f->store, 20, NULL, xi_test_store_result_cb, &slot_),
                activity = xi_store_list_activity_finish (f->store, result_, &error));
  g_assert_no_error (error);
  recorded = g_strdup_printf (ngettext ("Campaign “%s” created for %u recipient of segment “%s”",
                                        "Campaign “%s” created for %u recipients of segment “%s”", 3),
                              xi_job_get_name (job), 3, "Jakarta grosir");
  for (guint i = 0; i < activity->len && !found; i++)
    found = g_str_equal (xi_activity_get_summary (g_ptr_array_index (activity, i)), recorded);
  g_assert_true (found);

  gtk_window_destroy (GTK_WINDOW (window));
}

typedef struct
{
  GListModel *model;
  guint       n;
  const char *first;
} CountWait;

/* The list shows @n contacts, the first named @first when it is set. */
static gboolean
shows_n (gpointer data)
{
  CountWait *wait = data;
  g_autoptr(XiContact) first = NULL;

  if (xi_contact_list_get_loading (XI_CONTACT_LIST (wait->model)) ||
      g_list_model_get_n_items (wait->model) != wait->n)
    return FALSE;
  if (wait->first == NULL)
    return TRUE;
  /* The first row is read when asked for: it may still be on its way. */
  first = g_list_model_get_item (wait->model, 0);
  return g_strcmp0 (xi_contact_get_name (first), wait->first) == 0;
}

/* Conditions on what only the store knows (a group's members, who was
 * ever messaged) are resolved by it, then applied to the list; a group
 * that does not exist leaves the list as it was. */
static void
test_store_conditions (XiUiFixture   *f,
                       gconstpointer  data)
{
  g_autoptr(XiGroup) vip_new = xi_group_new ("VIP");
  g_autoptr(XiGroup) vip = NULL;
  g_autoptr(GPtrArray) contacts = NULL;
  g_autoptr(GError) error = NULL;
  const char *in_vip[] = { "group=vip", NULL };
  const char *outside_vip[] = { "group!=VIP", "kota=Jakarta", NULL };
  const char *never[] = { "messaged=no", NULL };
  const char *members[] = { NULL, NULL };
  CountWait wait = { NULL, 0, NULL };
  XiContactFilterBar *bar;
  XiWindow *window;
  GtkWidget *page;
  guint added = 0;

  seed_contact (f, "Budi", "6281200000001", "Jakarta", "grosir");
  seed_contact (f, "Siti", "6281200000002", "Jakarta", "ecer");
  seed_contact (f, "Agus", "6281200000003", "Bandung", "grosir");
  XI_TEST_WAIT (xi_store_save_group_async (f->store, vip_new, NULL, xi_test_store_result_cb, &slot_),
                vip = xi_store_save_group_finish (f->store, result_, &error));
  g_assert_no_error (error);
  XI_TEST_WAIT (xi_store_list_contacts_async (f->store, NULL, xi_test_store_result_cb, &slot_),
                contacts = xi_store_list_contacts_finish (f->store, result_, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < contacts->len; i++)
    if (g_str_equal (xi_contact_get_name (g_ptr_array_index (contacts, i)), "Siti"))
      members[0] = xi_contact_get_id (g_ptr_array_index (contacts, i));
  XI_TEST_WAIT (xi_store_add_group_members_async (f->store, xi_group_get_id (vip), members, NULL,
                                                  xi_test_store_result_cb, &slot_),
                added = xi_store_add_group_members_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (added, ==, 1);

  window = open_contacts (f, &page, &bar);
  wait.model = xi_contacts_page_get_visible (XI_CONTACTS_PAGE (page));

  xi_contact_filter_bar_set_conditions (bar, in_vip);
  wait.n = 1;
  wait.first = "Siti";
  g_assert_true (xi_ui_wait_for (shows_n, &wait, 5000));

  xi_contact_filter_bar_set_conditions (bar, outside_vip);
  wait.first = "Budi";
  g_assert_true (xi_ui_wait_for (shows_n, &wait, 5000));
  screenshot (GTK_WIDGET (window), "group");

  xi_contact_filter_bar_set_conditions (bar, never);
  wait.n = 3;
  wait.first = NULL;
  g_assert_true (xi_ui_wait_for (shows_n, &wait, 5000));

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *locale_dir = NULL;
  int skip, result;

  /* Ours, taken off before GLib's test options are read. */
  if (argc > 1 && g_strcmp0 (argv[argc - 1], "--indonesian") == 0)
    {
      language = "id";
      argv[--argc] = NULL;
    }
  if (language != NULL)
    locale_dir = xi_test_compile_locale ("id_ID");
  skip = xi_ui_init (&argc, &argv);
  if (skip != 0)
    return skip;
  if (language != NULL)
    {
      g_assert_nonnull (setlocale (LC_ALL, "id_ID.UTF-8"));
      g_setenv ("LANGUAGE", language, TRUE);
      bindtextdomain (GETTEXT_PACKAGE, XI_TEST_LOCALEDIR);
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      textdomain (GETTEXT_PACKAGE);
    }

  g_test_add ("/xi/ui-audience/build-save-send", XiUiFixture, NULL,
              xi_ui_fixture_setup, test_build_save_send, xi_ui_fixture_teardown);
  g_test_add ("/xi/ui-audience/store-conditions", XiUiFixture, NULL,
              xi_ui_fixture_setup, test_store_conditions, xi_ui_fixture_teardown);

  result = g_test_run ();
  if (locale_dir != NULL)
    xi_test_rm_rf (locale_dir);
  return result;
}
