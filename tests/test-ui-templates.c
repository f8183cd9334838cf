/* test-ui-templates.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "xi-assets-page.h"
#include "xi-group-dialog.h"
#include "xi-groups-page.h"
#include "xi-history-page.h"
#include "xi-limits.h"
#include "xi-sending-page.h"
#include "xi-template-editor.h"
#include "xi-templates-page.h"
#include "xi-test-utils.h"
#include "xi-ui-test-utils.h"
#include "xi-window.h"

/*
 * The groups, templates, sending and history pages, the group dialog and the
 * template editor, on a real store in a temporary directory. Screenshots go
 * to $XI_SCREENSHOT_DIR, or <G_TEST_BUILDDIR>/screenshots/.
 */

/* Helpers */

static XiContact *
add_contact (XiUiFixture *f,
             const char  *name,
             const char  *phone,
             const char  *kota)
{
  g_autoptr(XiContact) contact = xi_contact_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;
  XiContact *saved;

  xi_contact_set_name (contact, name);
  xi_contact_set_phone (contact, phone);
  if (kota != NULL)
    xi_contact_set_custom_field (contact, "kota", kota);
  xi_store_save_contact_async (f->store, contact, NULL, xi_test_store_result_cb, &slot);
  result = xi_test_wait_result (&slot);
  saved = xi_store_save_contact_finish (f->store, result, &error);
  g_assert_no_error (error);
  return saved;
}

static GPtrArray *
store_groups (XiUiFixture *f)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;
  GPtrArray *groups;

  xi_store_list_groups_async (f->store, NULL, xi_test_store_result_cb, &slot);
  result = xi_test_wait_result (&slot);
  groups = xi_store_list_groups_finish (f->store, result, &error);
  g_assert_no_error (error);
  return groups;
}

static GPtrArray *
store_templates (XiUiFixture *f)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;
  GPtrArray *templates;

  xi_store_list_templates_async (f->store, NULL, xi_test_store_result_cb, &slot);
  result = xi_test_wait_result (&slot);
  templates = xi_store_list_templates_finish (f->store, result, &error);
  g_assert_no_error (error);
  return templates;
}

static XiContact *
find_contact (XiUiFixture *f,
              const char  *phone)
{
  g_autoptr(XiContact) contact = xi_ui_find_contact (xi_context_get_contacts (f->context), phone, 10000);

  g_assert_nonnull (contact);
  return contact;   /* the list's page keeps it alive */
}

static XiWindow *
open_window (XiUiFixture *f,
             const char  *page)
{
  XiWindow *window = xi_window_new (NULL, f->context);

  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 720);
  gtk_window_present (GTK_WINDOW (window));
  xi_window_show_page (window, page);
  xi_ui_spin (400);
  return window;
}

static AdwMessageDialog *
wait_message_dialog (void)
{
  AdwMessageDialog *dialog = NULL;
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while ((dialog = xi_ui_find_message_dialog ()) == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_nonnull (dialog);
  return dialog;
}

/* What a click on a response button does: respond, then close. */
static void
respond (const char *response)
{
  AdwMessageDialog *dialog = wait_message_dialog ();

  adw_message_dialog_response (dialog, response);
  gtk_window_close (GTK_WINDOW (dialog));
}

static GtkWidget *
find_row (GtkWidget  *root,
          const char *title)
{
  if (ADW_IS_PREFERENCES_ROW (root) &&
      g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (root)), title) == 0)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_row (child, title);

      if (found != NULL)
        return found;
    }
  return NULL;
}

typedef struct
{
  GListModel *model;
  guint       n;
} CountWait;

static gboolean
has_n_items (gpointer data)
{
  CountWait *wait = data;

  return g_list_model_get_n_items (wait->model) == wait->n;
}

static void
wait_n_items (GListModel *model,
              guint       n)
{
  CountWait wait = { model, n };

  g_assert_true (xi_ui_wait_for (has_n_items, &wait, 10000));
}

typedef struct
{
  XiGroup *group;
  guint    n;
} MemberWait;

static gboolean
has_n_members (gpointer data)
{
  MemberWait *wait = data;

  return xi_group_get_member_count (wait->group) == wait->n;
}

static gboolean
dialog_has_message (gpointer data)
{
  return xi_group_dialog_get_message (data)[0] != '\0';
}

static gboolean
editor_has_store_message (gpointer data)
{
  g_autofree char *message = xi_template_editor_dup_message (data);

  return strstr (message, "already exists") != NULL;
}

static gboolean
widget_gone (gpointer data)
{
  return *(gpointer *)data == NULL;
}

/* Every widget builds from its template and is freed with nothing left
 * behind, with and without a context. */
static void
test_widgets_finalize (XiUiFixture   *f,
                       gconstpointer  data)
{
  GType pages[] = {
    XI_TYPE_GROUPS_PAGE, XI_TYPE_TEMPLATES_PAGE, XI_TYPE_SENDING_PAGE, XI_TYPE_HISTORY_PAGE,
  };
  g_autoptr(XiTemplate) template_ = xi_template_new ("Salam");
  const char *variants[] = { "Halo {name}", "Hai {first_name|Kak}", NULL };
  XiTemplateEditor *editor;
  GtkWidget *dialog;
  g_autoptr(XiGroup) group = xi_group_new ("Jakarta");

  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      GtkWidget *bare = g_object_ref_sink (g_object_new (pages[i], NULL));
      GtkWidget *page = g_object_ref_sink (g_object_new (pages[i], "context", f->context, NULL));
      XiContext *context = NULL;

      g_object_get (page, "context", &context, NULL);
      g_assert_true (context == f->context);
      g_object_unref (context);
      g_assert_finalize_object (bare);
      g_assert_finalize_object (page);
    }

  editor = g_object_ref_sink (g_object_new (XI_TYPE_TEMPLATE_EDITOR, NULL));
  xi_template_editor_set_context (editor, f->context);
  xi_template_set_variants (template_, variants);
  xi_template_editor_edit (editor, template_);
  g_assert_cmpuint (xi_template_editor_get_n_variants (editor), ==, 2);
  g_assert_true (xi_template_editor_can_save (editor));
  g_assert_false (xi_template_editor_get_modified (editor));
  g_assert_finalize_object (editor);

  dialog = g_object_ref (xi_group_dialog_new (f->context, NULL));
  g_assert_false (xi_group_dialog_can_save (XI_GROUP_DIALOG (dialog)));
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_finalize_object (dialog);

  dialog = g_object_ref (xi_group_dialog_new (f->context, group));
  g_assert_true (xi_group_dialog_can_save (XI_GROUP_DIALOG (dialog)));
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_finalize_object (dialog);
}

/* Create groups through the dialog, refuse a duplicate, add and remove
 * members through the page, delete the group (the contacts stay). */
static void
test_groups (XiUiFixture   *f,
             gconstpointer  data)
{
  g_autoptr(XiContact) a = add_contact (f, "Budi Santoso", "6281234567890", NULL);
  g_autoptr(XiContact) b = add_contact (f, "Siti Aminah", "6285711112222", NULL);
  g_autoptr(XiContact) c = add_contact (f, "Agus Wijaya", "6281399990000", NULL);
  g_autoptr(XiGroup) jakarta = xi_group_new ("Jakarta");
  g_autoptr(GPtrArray) stored = NULL;
  g_autofree char *group_id = NULL;
  GtkWidget *dialog;
  GtkWidget *picker;
  GtkWidget *page;
  GListModel *groups = xi_context_get_groups (f->context);
  GListModel *members;
  GListModel *candidates;
  XiGroup *group;
  XiWindow *window;
  MemberWait member_wait;
  gpointer weak;

  xi_ui_reload (f);
  window = open_window (f, "groups");
  page = xi_window_get_page (window, "groups");
  xi_ui_screenshot (GTK_WIDGET (window), "groups-empty");

  /* Create through the dialog. */
  dialog = xi_group_dialog_new (f->context, NULL);
  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (window));
  gtk_window_present (GTK_WINDOW (dialog));
  xi_group_dialog_set_name (XI_GROUP_DIALOG (dialog), "  Pelanggan Setia ");
  xi_group_dialog_set_description (XI_GROUP_DIALOG (dialog), "Belanja lebih dari tiga kali");
  xi_group_dialog_set_colour (XI_GROUP_DIALOG (dialog), "green");
  g_assert_true (xi_group_dialog_can_save (XI_GROUP_DIALOG (dialog)));
  xi_ui_spin (200);
  xi_ui_screenshot (dialog, "group-dialog");
  weak = dialog;
  g_object_add_weak_pointer (G_OBJECT (dialog), &weak);
  xi_group_dialog_save (XI_GROUP_DIALOG (dialog));
  wait_n_items (groups, 1);
  g_assert_true (xi_ui_wait_for (widget_gone, &weak, 5000));

  group = g_list_model_get_item (groups, 0);
  g_object_unref (group);
  g_assert_cmpstr (xi_group_get_name (group), ==, "Pelanggan Setia");
  g_assert_cmpstr (xi_group_get_description (group), ==, "Belanja lebih dari tiga kali");
  g_assert_cmpstr (xi_group_get_colour (group), ==, "green");
  group_id = g_strdup (xi_group_get_id (group));
  stored = store_groups (f);
  g_assert_cmpuint (stored->len, ==, 1);
  g_assert_cmpstr (xi_group_get_name (g_ptr_array_index (stored, 0)), ==, "Pelanggan Setia");
  g_clear_pointer (&stored, g_ptr_array_unref);
  g_assert_true (xi_groups_page_get_selected_group (XI_GROUPS_PAGE (page)) == group);

  /* A name another group has is refused while typing… */
  dialog = xi_group_dialog_new (f->context, NULL);
  xi_group_dialog_set_name (XI_GROUP_DIALOG (dialog), "pelanggan SETIA");
  g_assert_false (xi_group_dialog_can_save (XI_GROUP_DIALOG (dialog)));
  g_assert_nonnull (strstr (xi_group_dialog_get_message (XI_GROUP_DIALOG (dialog)), "already exists"));
  xi_group_dialog_set_name (XI_GROUP_DIALOG (dialog), "");
  g_assert_false (xi_group_dialog_can_save (XI_GROUP_DIALOG (dialog)));
  g_assert_cmpstr (xi_group_dialog_get_message (XI_GROUP_DIALOG (dialog)), ==, "");
  gtk_window_destroy (GTK_WINDOW (dialog));

  /* …and when only the store knows it (XI_STORE_ERROR_DUPLICATE), the
   * dialog stays open and says so. */
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(XiGroup) saved = NULL;
    GAsyncResult *slot = NULL;

    xi_group_set_description (jakarta, "Pelanggan di Jakarta");
    xi_group_set_colour (jakarta, "orange");
    xi_store_save_group_async (f->store, jakarta, NULL, xi_test_store_result_cb, &slot);
    result = xi_test_wait_result (&slot);
    saved = xi_store_save_group_finish (f->store, result, &error);
    g_assert_no_error (error);
  }
  dialog = xi_group_dialog_new (f->context, NULL);
  gtk_window_present (GTK_WINDOW (dialog));
  xi_group_dialog_set_name (XI_GROUP_DIALOG (dialog), "JAKARTA");
  g_assert_true (xi_group_dialog_can_save (XI_GROUP_DIALOG (dialog)));
  xi_group_dialog_save (XI_GROUP_DIALOG (dialog));
  g_assert_true (xi_ui_wait_for (dialog_has_message, dialog, 10000));
  g_assert_nonnull (strstr (xi_group_dialog_get_message (XI_GROUP_DIALOG (dialog)), "already exists"));
  g_assert_false (xi_group_dialog_can_save (XI_GROUP_DIALOG (dialog)));
  g_assert_true (gtk_widget_get_visible (dialog));
  g_assert_cmpuint (g_list_model_get_n_items (groups), ==, 1);
  gtk_window_destroy (GTK_WINDOW (dialog));

  /* Both groups, sorted by name. */
  xi_ui_reload (f);
  wait_n_items (xi_groups_page_get_groups (XI_GROUPS_PAGE (page)), 2);
  group = g_list_model_get_item (xi_groups_page_get_groups (XI_GROUPS_PAGE (page)), 0);
  g_object_unref (group);
  g_assert_cmpstr (xi_group_get_name (group), ==, "Jakarta");
  g_assert_true (xi_groups_page_select_group_by_id (XI_GROUPS_PAGE (page), group_id));
  group = xi_groups_page_get_selected_group (XI_GROUPS_PAGE (page));
  g_assert_cmpstr (xi_group_get_id (group), ==, group_id);
  members = xi_groups_page_get_members (XI_GROUPS_PAGE (page));
  xi_ui_wait_contacts_n (members, 0);

  /* Add two members through the picker: searching keeps the choice. */
  gtk_widget_activate_action (page, "groups.add-members", NULL);
  picker = NULL;
  {
    GListModel *toplevels = gtk_window_get_toplevels ();

    for (guint i = 0; i < g_list_model_get_n_items (toplevels) && picker == NULL; i++)
      {
        g_autoptr(GtkWidget) window_ = g_list_model_get_item (toplevels, i);

        if (g_type_name (G_OBJECT_TYPE (window_)) != NULL &&
            g_str_equal (g_type_name (G_OBJECT_TYPE (window_)), "XiMemberPicker"))
          picker = window_;
      }
  }
  g_assert_nonnull (picker);
  candidates = xi_groups_page_picker_get_candidates (picker);
  xi_ui_wait_contacts (candidates);
  g_assert_cmpuint (g_list_model_get_n_items (candidates), ==, 3);
  xi_groups_page_picker_set_search (picker, "siti");
  xi_ui_wait_contacts (candidates);
  g_assert_cmpuint (g_list_model_get_n_items (candidates), ==, 1);
  xi_groups_page_picker_set_chosen (picker, find_contact (f, "6285711112222"), TRUE);
  xi_groups_page_picker_set_search (picker, "0812");
  xi_ui_wait_contacts (candidates);
  g_assert_cmpuint (g_list_model_get_n_items (candidates), ==, 1);
  xi_groups_page_picker_set_chosen (picker, find_contact (f, "6281234567890"), TRUE);
  xi_groups_page_picker_set_search (picker, "");
  xi_ui_wait_contacts (candidates);
  g_assert_cmpuint (g_list_model_get_n_items (candidates), ==, 3);
  g_assert_cmpuint (xi_groups_page_picker_get_n_chosen (picker), ==, 2);
  xi_ui_spin (300);
  xi_ui_screenshot (picker, "group-picker");

  weak = picker;
  g_object_add_weak_pointer (G_OBJECT (picker), &weak);
  gtk_widget_activate_action (picker, "picker.add", NULL);
  member_wait.group = group;
  member_wait.n = 2;
  g_assert_true (xi_ui_wait_for (has_n_members, &member_wait, 10000));
  g_assert_true (xi_ui_wait_for (widget_gone, &weak, 5000));
  xi_ui_wait_contacts_n (members, 2);
  g_assert_true (xi_contact_is_in_group (find_contact (f, "6281234567890"), group_id));
  g_assert_true (xi_contact_is_in_group (find_contact (f, "6285711112222"), group_id));
  g_assert_false (xi_contact_is_in_group (find_contact (f, "6281399990000"), group_id));
  stored = store_groups (f);
  for (guint i = 0; i < stored->len; i++)
    if (g_str_equal (xi_group_get_id (g_ptr_array_index (stored, i)), group_id))
      g_assert_cmpuint (xi_group_get_member_count (g_ptr_array_index (stored, i)), ==, 2);
  g_clear_pointer (&stored, g_ptr_array_unref);

  /* The member search. */
  xi_groups_page_set_member_search (XI_GROUPS_PAGE (page), "budi");
  xi_ui_wait_contacts_n (members, 1);
  xi_groups_page_set_member_search (XI_GROUPS_PAGE (page), "");
  xi_ui_wait_contacts_n (members, 2);

  /* The picker now offers only the contact outside the group. */
  picker = xi_groups_page_open_picker (XI_GROUPS_PAGE (page));
  xi_ui_wait_contacts_n (xi_groups_page_picker_get_candidates (picker), 1);
  gtk_window_destroy (GTK_WINDOW (picker));

  gtk_widget_grab_focus (GTK_WIDGET (page));
  xi_ui_spin (300);
  xi_ui_screenshot (GTK_WIDGET (window), "groups");

  /* Remove one member; the count follows. */
  gtk_selection_model_select_item (xi_groups_page_get_member_selection (XI_GROUPS_PAGE (page)), 0, TRUE);
  gtk_widget_activate_action (page, "groups.remove-members", NULL);
  member_wait.n = 1;
  g_assert_true (xi_ui_wait_for (has_n_members, &member_wait, 10000));
  xi_ui_wait_contacts_n (members, 1);

  /* Delete the group after the confirmation; the contacts stay. */
  gtk_widget_activate_action (page, "groups.delete", NULL);
  respond ("delete");
  wait_n_items (groups, 1);
  g_assert_null (xi_context_find_group (f->context, group_id));
  g_assert_cmpuint (g_list_model_get_n_items (xi_context_get_contacts (f->context)), ==, 3);
  /* The contacts' list reads the shown contacts again, in place. */
  {
    XiContact *siti = find_contact (f, "6285711112222");
    gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

    while (xi_contact_is_in_group (siti, group_id) && g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, TRUE);
    g_assert_false (xi_contact_is_in_group (siti, group_id));
  }
  stored = store_groups (f);
  g_assert_cmpuint (stored->len, ==, 1);
  g_assert_cmpstr (xi_group_get_name (g_ptr_array_index (stored, 0)), ==, "Jakarta");

  gtk_window_destroy (GTK_WINDOW (window));
}

#define N_LARGE 20000

static gboolean
all_chosen (gpointer data)
{
  return xi_groups_page_picker_get_n_chosen (data) == N_LARGE;
}

/* "Choose All Shown" over 20,000 candidates takes their ids from the
 * store a batch at a time, without their contacts; all of them are
 * added, and selecting every member and removing them takes them all
 * out again. */
static void
test_picker_large (XiUiFixture   *f,
                   gconstpointer  data)
{
  g_autoptr(XiGroup) grosir = xi_group_new ("Grosir");
  g_autoptr(XiGroup) saved = NULL;
  g_autoptr(GError) error = NULL;
  MemberWait member_wait;
  GtkWidget *picker;
  GtkWidget *page;
  XiWindow *window;

  xi_ui_import_numbered (f, "Toko", "62856", N_LARGE);
  XI_TEST_WAIT (xi_store_save_group_async (f->store, grosir, NULL, xi_test_store_result_cb, &slot_),
                saved = xi_store_save_group_finish (f->store, result_, &error));
  g_assert_no_error (error);
  xi_ui_reload (f);

  window = open_window (f, "groups");
  page = xi_window_get_page (window, "groups");
  g_assert_true (xi_groups_page_select_group_by_id (XI_GROUPS_PAGE (page), xi_group_get_id (saved)));
  member_wait.group = xi_groups_page_get_selected_group (XI_GROUPS_PAGE (page));
  picker = xi_groups_page_open_picker (XI_GROUPS_PAGE (page));
  xi_ui_wait_contacts_n (xi_groups_page_picker_get_candidates (picker), N_LARGE);

  gtk_widget_activate_action (picker, "picker.select-all", NULL);
  g_assert_true (xi_ui_wait_for (all_chosen, picker, 30000));
  xi_ui_spin (300);
  xi_ui_screenshot (picker, "group-picker-all");
  gtk_widget_activate_action (picker, "picker.add", NULL);
  member_wait.n = N_LARGE;
  g_assert_true (xi_ui_wait_for (has_n_members, &member_wait, 30000));
  xi_ui_wait_contacts_n (xi_groups_page_get_members (XI_GROUPS_PAGE (page)), N_LARGE);

  gtk_selection_model_select_all (xi_groups_page_get_member_selection (XI_GROUPS_PAGE (page)));
  gtk_widget_activate_action (page, "groups.remove-members", NULL);
  member_wait.n = 0;
  g_assert_true (xi_ui_wait_for (has_n_members, &member_wait, 30000));
  xi_ui_wait_contacts_n (xi_groups_page_get_members (XI_GROUPS_PAGE (page)), 0);
  /* The removal's toast, with its Undo, comes once the store answers. */
  xi_ui_spin (1000);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* A template with two variants, a fallback and a choice; an invalid
 * variant; the preview with and without a custom field; save, a
 * duplicate name, discarding changes, delete. */
static void
test_templates (XiUiFixture   *f,
                gconstpointer  data)
{
  g_autoptr(XiContact) with_city = add_contact (f, "Budi Santoso", "6281234567890", "Bandung");
  g_autoptr(XiContact) without_city = add_contact (f, "Siti Aminah", "6285711112222", NULL);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) stored = NULL;
  g_autofree char *saved_id = NULL;
  char *text;
  XiTemplateEditor *editor;
  XiTemplate *saved;
  GListModel *templates = xi_context_get_templates (f->context);
  XiWindow *window;
  GtkWidget *page;

  xi_ui_reload (f);
  g_assert_true (g_strv_contains (xi_context_get_custom_fields (f->context), "kota"));
  window = open_window (f, "templates");
  xi_ui_screenshot (GTK_WIDGET (window), "templates-empty");

  page = xi_window_get_page (window, "templates");
  gtk_widget_activate_action (page, "page.new", NULL);
  editor = xi_templates_page_get_editor (XI_TEMPLATES_PAGE (page));
  g_assert_cmpuint (xi_template_editor_get_n_variants (editor), ==, 1);
  g_assert_true (xi_template_editor_can_save (editor));

  xi_template_editor_set_name (editor, "Promo Desember");

  /* An unclosed variable: Save goes off and the error says where. */
  xi_template_editor_set_variant_text (editor, 0, "Halo {nama");
  g_assert_false (xi_template_editor_can_save (editor));
  text = xi_template_editor_dup_error (editor, 0);
  g_assert_true (g_str_has_prefix (text, "Line 1, column 6"));
  g_free (text);
  text = xi_template_editor_dup_message (editor);
  g_assert_cmpstr (text, !=, "");
  g_free (text);

  /* A variant longer than any message WhatsApp takes says so. */
  {
    g_autofree char *huge = g_strnfill (XI_LIMIT_VARIANT_CHARS + 1, 'x');

    xi_template_editor_set_variant_text (editor, 0, huge);
    g_assert_false (xi_template_editor_can_save (editor));
    text = xi_template_editor_dup_error (editor, 0);
    g_assert_nonnull (strstr (text, "65536"));
    g_free (text);
  }

  xi_template_editor_set_variant_text (editor, 0, "{{Halo|Hai}} {first_name|Kak}, promo di {kota}!");
  g_assert_true (xi_template_editor_can_save (editor));
  text = xi_template_editor_dup_error (editor, 0);
  g_assert_cmpstr (text, ==, "");
  g_free (text);

  xi_template_editor_add_variant (editor);
  g_assert_cmpuint (xi_template_editor_get_n_variants (editor), ==, 2);
  g_assert_false (xi_template_editor_can_save (editor));
  xi_template_editor_set_variant_text (editor, 1, "Selamat pagi {name|Kak}, diskon 20% di {kota|toko kami}.");
  g_assert_true (xi_template_editor_can_save (editor));

  /* Insert a variable into a third variant, then remove that variant. */
  xi_template_editor_add_variant (editor);
  xi_template_editor_insert_variable (editor, 2, "kota");
  text = xi_template_editor_dup_error (editor, 2);
  g_assert_cmpstr (text, ==, "");
  g_free (text);
  g_assert_true (xi_template_editor_can_save (editor));
  xi_template_editor_remove_variant (editor, 2);
  g_assert_cmpuint (xi_template_editor_get_n_variants (editor), ==, 2);

  /* The preview for a contact with every field. */
  xi_template_editor_preview_contact (editor, find_contact (f, "6281234567890"));
  text = xi_template_editor_dup_preview (editor, 1);
  g_assert_cmpstr (text, ==, "Selamat pagi Budi Santoso, diskon 20% di Bandung.");
  g_free (text);
  text = xi_template_editor_dup_warning (editor);
  g_assert_cmpstr (text, ==, "");
  g_free (text);

  /* Shuffling reaches both greetings, and only those. */
  for (guint i = 0; i < 64 && g_hash_table_size (seen) < 2; i++)
    {
      text = xi_template_editor_dup_preview (editor, 0);
      g_assert_true (g_str_equal (text, "Halo Budi, promo di Bandung!") ||
                     g_str_equal (text, "Hai Budi, promo di Bandung!"));
      g_hash_table_add (seen, text);
      xi_template_editor_shuffle (editor);
    }
  g_assert_cmpuint (g_hash_table_size (seen), ==, 2);

  /* Without the custom field: the fallback, or nothing and a warning. */
  xi_template_editor_preview_contact (editor, find_contact (f, "6285711112222"));
  text = xi_template_editor_dup_preview (editor, 1);
  g_assert_cmpstr (text, ==, "Selamat pagi Siti Aminah, diskon 20% di toko kami.");
  g_free (text);
  text = xi_template_editor_dup_preview (editor, 0);
  g_assert_true (g_str_has_suffix (text, "Siti, promo di !"));
  g_free (text);
  text = xi_template_editor_dup_warning (editor);
  g_assert_true (g_str_has_prefix (text, "Siti Aminah has no value for {kota}"));
  g_free (text);
  xi_ui_spin (300);
  xi_ui_screenshot (GTK_WIDGET (window), "template-editor");

  /* Save. */
  xi_template_editor_save (editor);
  wait_n_items (templates, 1);
  saved = g_list_model_get_item (templates, 0);
  g_object_unref (saved);
  saved_id = g_strdup (xi_template_get_id (saved));
  g_assert_cmpstr (xi_template_get_name (saved), ==, "Promo Desember");
  g_assert_cmpuint (xi_template_get_n_variants (saved), ==, 2);
  g_assert_cmpstr (xi_template_get_variants (saved)[1], ==,
                   "Selamat pagi {name|Kak}, diskon 20% di {kota|toko kami}.");
  g_assert_false (xi_template_editor_get_modified (editor));
  g_assert_cmpstr (xi_template_get_id (xi_template_editor_get_template (editor)), ==, saved_id);
  stored = store_templates (f);
  g_assert_cmpuint (stored->len, ==, 1);
  g_clear_pointer (&stored, g_ptr_array_unref);

  /* A second template with the same name (other case) is refused by the
   * store, and the editor says so beside Save. */
  gtk_widget_activate_action (page, "page.new", NULL);
  g_assert_null (xi_template_get_id (xi_template_editor_get_template (editor)));
  xi_template_editor_set_name (editor, "promo desember");
  xi_template_editor_save (editor);
  g_assert_true (xi_ui_wait_for (editor_has_store_message, editor, 10000));
  g_assert_false (xi_template_editor_can_save (editor));
  g_assert_cmpuint (g_list_model_get_n_items (templates), ==, 1);
  xi_template_editor_set_name (editor, "Promo Desember (2)");
  g_assert_true (xi_template_editor_can_save (editor));

  /* Opening the saved template asks before dropping the unsaved one. */
  g_assert_true (xi_template_editor_get_modified (editor));
  g_assert_true (xi_templates_page_select_template (XI_TEMPLATES_PAGE (page), saved_id));
  g_assert_null (xi_template_get_id (xi_template_editor_get_template (editor)));
  respond ("discard");
  g_assert_cmpstr (xi_template_get_id (xi_template_editor_get_template (editor)), ==, saved_id);
  g_assert_cmpuint (xi_template_editor_get_n_variants (editor), ==, 2);

  /* The search. */
  xi_templates_page_set_search (XI_TEMPLATES_PAGE (page), "diskon");
  g_assert_cmpuint (g_list_model_get_n_items (xi_templates_page_get_templates (XI_TEMPLATES_PAGE (page))), ==, 1);
  xi_templates_page_set_search (XI_TEMPLATES_PAGE (page), "tidak ada");
  g_assert_cmpuint (g_list_model_get_n_items (xi_templates_page_get_templates (XI_TEMPLATES_PAGE (page))), ==, 0);
  xi_templates_page_set_search (XI_TEMPLATES_PAGE (page), "");

  xi_template_editor_preview_contact (editor, find_contact (f, "6285711112222"));
  xi_ui_spin (300);
  xi_ui_screenshot (GTK_WIDGET (window), "templates");

  /* Delete after the confirmation. */
  gtk_widget_activate_action (page, "templates.delete", NULL);
  respond ("delete");
  wait_n_items (templates, 0);
  stored = store_templates (f);
  g_assert_cmpuint (stored->len, ==, 0);
  g_assert_null (xi_template_editor_get_template (editor));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* The sending page counts what is prepared and leads to those pages;
 * history is empty. */
static void
test_sending_history (XiUiFixture   *f,
                      gconstpointer  data)
{
  g_autoptr(XiContact) a = add_contact (f, "Budi Santoso", "6281234567890", NULL);
  g_autoptr(XiContact) b = add_contact (f, "Siti Aminah", "6285711112222", NULL);
  GtkWidget *page;
  GtkWidget *row;
  XiWindow *window;

  xi_ui_reload (f);
  window = open_window (f, "sending");
  page = xi_window_get_page (window, "sending");
  row = find_row (page, "_Contacts");
  g_assert_nonnull (row);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, "2 contacts");
  row = find_row (page, "_Groups");
  g_assert_nonnull (row);
  g_assert_true (g_str_has_prefix (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "None yet"));
  xi_ui_screenshot (GTK_WIDGET (window), "sending");

  /* The window switches pages when it has win.show-page. */
  g_signal_emit_by_name (row, "activated");
  xi_ui_spin (100);
  if (g_strcmp0 (xi_window_get_visible_page (window), "groups") != 0)
    g_test_message ("the window has no win.show-page action; the row did not switch pages");

  xi_window_show_page (window, "history");
  xi_ui_spin (300);
  xi_ui_screenshot (GTK_WIDGET (window), "history");

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Every problem of a variant is listed and marked at once, and the
 * Indonesian names of the variables work, {nama_depan} without the title. */
static void
test_template_problems (XiUiFixture   *f,
                        gconstpointer  data)
{
  g_autoptr(XiContact) ibu = add_contact (f, "Ibu Siti Aminah", "6285711112222", "Medan");
  XiTemplateEditor *editor;
  XiWindow *window;
  GtkWidget *page;
  char *text;

  xi_ui_reload (f);
  window = open_window (f, "templates");
  page = xi_window_get_page (window, "templates");
  gtk_widget_activate_action (page, "page.new", NULL);
  editor = xi_templates_page_get_editor (XI_TEMPLATES_PAGE (page));
  xi_template_editor_set_name (editor, "Salam");

  xi_template_editor_set_variant_text (editor, 0,
                                       "Halo {nmae}, promo di {kot}!\n{{Diskon|Potongan}} 20%}");
  g_assert_false (xi_template_editor_can_save (editor));
  text = xi_template_editor_dup_error (editor, 0);
  g_assert_cmpstr (text, ==,
                   "Line 1, column 6: unknown variable {nmae}. Did you mean {name}?\n"
                   "Line 1, column 23: unknown variable {kot}. Did you mean {kota}?\n"
                   "Line 2, column 24: this closing brace has no opening one. Remove it, or "
                   "write \\} for a brace.");
  g_free (text);
  text = xi_template_editor_dup_marked (editor, 0);
  g_assert_cmpstr (text, ==, "{nmae}\n{kot}\n}");
  g_free (text);
  xi_template_editor_preview_contact (editor, find_contact (f, "6285711112222"));
  xi_ui_spin (300);
  xi_ui_screenshot (GTK_WIDGET (window), "template-problems");

  /* Fixing one leaves the others marked. */
  xi_template_editor_set_variant_text (editor, 0,
                                       "Halo {name}, promo di {kot}!\n{{Diskon|Potongan}} 20%}");
  text = xi_template_editor_dup_marked (editor, 0);
  g_assert_cmpstr (text, ==, "{kot}\n}");
  g_free (text);

  xi_template_editor_set_variant_text (editor, 0, "Halo {Nama_Depan}, promo di {kota} untuk {telepon}!");
  g_assert_true (xi_template_editor_can_save (editor));
  text = xi_template_editor_dup_marked (editor, 0);
  g_assert_cmpstr (text, ==, "");
  g_free (text);
  text = xi_template_editor_dup_error (editor, 0);
  g_assert_cmpstr (text, ==, "");
  g_free (text);
  text = xi_template_editor_dup_preview (editor, 0);
  g_assert_cmpstr (text, ==, "Halo Siti, promo di Medan untuk +6285711112222!");
  g_free (text);
  xi_ui_spin (200);
  xi_ui_screenshot (GTK_WIDGET (window), "template-aliases");

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Assets */

static gboolean
has_label_with (GtkWidget  *root,
                const char *text)
{
  if (GTK_IS_LABEL (root) && strstr (gtk_label_get_text (GTK_LABEL (root)), text) != NULL)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (has_label_with (child, text))
      return TRUE;
  return FALSE;
}

static gboolean
editor_has_attachment (gpointer data)
{
  return xi_template_editor_get_attachment (data) != NULL;
}

/* The Assets page: empty, then a picture and a PDF added as if dropped,
 * with the picture's preview; the template editor attaches the picture
 * and saves it; the page refuses to remove it while the template uses
 * it, and removes the PDF. */
static void
test_assets (XiUiFixture   *f,
             gconstpointer  data)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 640, 400);
  g_autofree char *picture = g_build_filename (f->dir, "promo-desember.png", NULL);
  g_autofree char *pdf = g_build_filename (f->dir, "daftar-harga.pdf", NULL);
  g_autoptr(GPtrArray) stored = NULL;
  g_autoptr(GError) error = NULL;
  GSList *files = NULL;
  const char *variants[] = { "Halo {name}, promo akhir tahun!", NULL };
  XiTemplateEditor *editor;
  GListModel *assets;
  XiTemplate *saved;
  XiWindow *window;
  GtkWidget *page;
  GtkWidget *row;

  gdk_pixbuf_fill (pixbuf, 0xd04020ff);
  gdk_pixbuf_save (pixbuf, picture, "png", &error, NULL);
  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (pdf, "%PDF-1.4\n1 0 obj << /Type /Page >> endobj\n", -1, NULL));

  window = open_window (f, "assets");
  page = xi_window_get_page (window, "assets");
  assets = xi_assets_page_get_assets (XI_ASSETS_PAGE (page));
  g_assert_cmpuint (g_list_model_get_n_items (assets), ==, 0);
  xi_ui_screenshot (GTK_WIDGET (window), "assets-empty");

  files = g_slist_append (files, g_file_new_for_path (picture));
  files = g_slist_append (files, g_file_new_for_path (pdf));
  xi_assets_page_add_files (XI_ASSETS_PAGE (page), files);
  g_slist_free_full (files, g_object_unref);
  wait_n_items (assets, 2);
  g_assert_nonnull (find_row (page, "promo-desember.png"));
  g_assert_nonnull (find_row (page, "daftar-harga.pdf"));
  xi_ui_spin (500);
  xi_ui_screenshot (GTK_WIDGET (window), "assets");

  /* The template editor attaches the picture. */
  xi_window_show_page (window, "templates");
  page = xi_window_get_page (window, "templates");
  gtk_widget_activate_action (page, "page.new", NULL);
  editor = xi_templates_page_get_editor (XI_TEMPLATES_PAGE (page));
  xi_template_editor_set_name (editor, "Promo Bergambar");
  xi_template_editor_set_variant_text (editor, 0, variants[0]);
  {
    g_autoptr(GFile) file = g_file_new_for_path (picture);

    xi_template_editor_attach_file (editor, file);
  }
  g_assert_true (xi_ui_wait_for (editor_has_attachment, editor, 10000));
  g_assert_cmpstr (xi_asset_get_name (xi_template_editor_get_attachment (editor)), ==, "promo-desember.png");
  g_assert_true (xi_template_editor_get_modified (editor));
  xi_ui_spin (500);
  xi_ui_screenshot (GTK_WIDGET (window), "template-editor-attachment");
  xi_template_editor_save (editor);
  wait_n_items (xi_context_get_templates (f->context), 1);
  saved = g_list_model_get_item (xi_context_get_templates (f->context), 0);
  g_object_unref (saved);
  g_assert_cmpstr (xi_template_get_asset_id (saved), ==,
                   xi_asset_get_id (xi_template_editor_get_attachment (editor)));
  stored = store_templates (f);
  g_assert_cmpstr (xi_template_get_asset_id (g_ptr_array_index (stored, 0)), ==, xi_template_get_asset_id (saved));

  /* A campaign made from it: its report says what every message carries. */
  {
    g_autoptr(XiContact) contact = add_contact (f, "Budi Santoso", "6281234567890", NULL);
    const char *ids[] = { xi_contact_get_id (contact), NULL };
    g_autoptr(XiJobSpec) spec = xi_job_spec_new ();
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(XiJob) job = NULL;
    GAsyncResult *slot = NULL;

    spec->contact_ids = g_strdupv ((char **) ids);
    spec->template_id = g_strdup (xi_template_get_id (saved));
    spec->name = g_strdup ("Promo Bergambar");
    xi_store_create_job_async (f->store, spec, NULL, xi_test_store_result_cb, &slot);
    result = xi_test_wait_result (&slot);
    job = xi_store_create_job_finish (f->store, result, &error);
    g_assert_no_error (error);
    xi_ui_wait_for_item (XI_FACADE (xi_context_get_campaigns (f->context)), xi_job_get_id (job));
    xi_window_show_page (window, "history");
    page = xi_window_get_page (window, "history");
    g_assert_true (xi_history_page_select_job (XI_HISTORY_PAGE (page), xi_job_get_id (job)));
    xi_ui_spin (500);
    g_assert_true (has_label_with (page, "Every message carries “promo-desember.png”"));
    xi_ui_screenshot (GTK_WIDGET (window), "history-attachment");
  }

  /* Removing: the attached picture stays, the PDF goes. */
  xi_window_show_page (window, "assets");
  page = xi_window_get_page (window, "assets");
  row = find_row (page, "promo-desember.png");
  gtk_widget_activate (xi_ui_find_widget (row, GTK_TYPE_BUTTON));
  xi_ui_spin (500);
  g_assert_cmpuint (g_list_model_get_n_items (assets), ==, 2);
  row = find_row (page, "daftar-harga.pdf");
  gtk_widget_activate (xi_ui_find_widget (row, GTK_TYPE_BUTTON));
  wait_n_items (assets, 1);
  gtk_window_destroy (GTK_WINDOW (window));
}

static guint
count_named (GListModel *model,
             const char *name)
{
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (model, i);
      g_autofree char *item_name = NULL;

      g_object_get (item, "name", &item_name, NULL);
      n += g_strcmp0 (item_name, name) == 0;
    }
  return n;
}

/* The asset library follows the store: a file added or removed by
 * another part of the app (here the store API itself, as sync would)
 * shows or goes on the page without it doing anything, the page's own
 * add shows exactly once, and the template editor's attachment is the
 * library's item. */
static void
test_assets_follow_store (XiUiFixture   *f,
                          gconstpointer  data)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 320, 200);
  g_autofree char *picture = g_build_filename (f->dir, "brosur.png", NULL);
  g_autofree char *pdf = g_build_filename (f->dir, "katalog.pdf", NULL);
  XiFacade *facade = XI_FACADE (xi_context_get_assets_facade (f->context));
  g_autoptr(XiAsset) elsewhere = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) attached = NULL;
  gboolean deleted = FALSE;
  XiTemplateEditor *editor;
  GSList *files = NULL;
  GListModel *assets;
  XiWindow *window;
  GtkWidget *page;
  XiAsset *shown;

  gdk_pixbuf_fill (pixbuf, 0x2060d0ff);
  gdk_pixbuf_save (pixbuf, picture, "png", &error, NULL);
  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (pdf, "%PDF-1.4\n1 0 obj << /Type /Page >> endobj\n", -1, NULL));

  xi_ui_reload (f);
  window = open_window (f, "assets");
  page = xi_window_get_page (window, "assets");
  assets = xi_assets_page_get_assets (XI_ASSETS_PAGE (page));
  g_assert_true (assets == xi_context_get_assets (f->context));

  XI_TEST_WAIT (xi_store_add_asset_async (f->store, picture, NULL, xi_test_store_result_cb, &slot_),
                elsewhere = xi_store_add_asset_finish (f->store, result_, &error));
  g_assert_no_error (error);
  shown = xi_ui_wait_for_item (facade, xi_asset_get_id (elsewhere));
  xi_ui_spin (300);
  g_assert_nonnull (find_row (page, "brosur.png"));
  g_assert_cmpuint (g_list_model_get_n_items (assets), ==, 1);

  files = g_slist_append (files, g_file_new_for_path (pdf));
  xi_assets_page_add_files (XI_ASSETS_PAGE (page), files);
  g_slist_free_full (files, g_object_unref);
  wait_n_items (assets, 2);
  xi_ui_spin (500);
  g_assert_false (xi_facade_is_following (facade));
  g_assert_cmpuint (count_named (assets, "katalog.pdf"), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (assets), ==, 2);
  xi_ui_screenshot (GTK_WIDGET (window), "assets-follow-store");

  /* Attaching a file the library has gives the library's item. */
  xi_window_show_page (window, "templates");
  page = xi_window_get_page (window, "templates");
  gtk_widget_activate_action (page, "page.new", NULL);
  editor = xi_templates_page_get_editor (XI_TEMPLATES_PAGE (page));
  attached = g_file_new_for_path (picture);
  xi_template_editor_attach_file (editor, attached);
  g_assert_true (xi_ui_wait_for (editor_has_attachment, editor, 10000));
  g_assert_true (xi_template_editor_get_attachment (editor) == shown);

  /* Removed there: gone from the page's list, and from the editor. */
  XI_TEST_WAIT (xi_store_delete_asset_async (f->store, xi_asset_get_id (elsewhere), NULL,
                                             xi_test_store_result_cb, &slot_),
                deleted = xi_store_delete_asset_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_true (deleted);
  wait_n_items (assets, 1);
  g_assert_cmpuint (count_named (assets, "brosur.png"), ==, 0);
  g_assert_null (xi_template_editor_get_attachment (editor));

  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
is_named (gpointer data)
{
  gpointer *args = data;

  return g_strcmp0 (xi_template_get_name (args[0]), args[1]) == 0;
}

/* The templates and groups shown follow the store: what is written there
 * by another part of the app (here the store API itself, as sync would)
 * shows without the page doing anything, an edit changes the item the
 * page holds, and the page's own save shows exactly once. */
static void
test_follows_store (XiUiFixture   *f,
                    gconstpointer  data)
{
  g_autoptr(XiContact) budi = add_contact (f, "Budi Santoso", "6281234567890", NULL);
  g_autoptr(XiTemplate) elsewhere = xi_template_new ("Dari Kantor");
  g_autoptr(XiTemplate) stored = NULL;
  g_autoptr(XiTemplate) renamed = NULL;
  g_autoptr(XiGroup) group = xi_group_new ("Grosir");
  g_autoptr(XiGroup) stored_group = NULL;
  g_autoptr(GError) error = NULL;
  const char *variants[] = { "Halo {name}", NULL };
  const char *members[] = { xi_contact_get_id (budi), NULL };
  GListModel *templates = xi_context_get_templates (f->context);
  XiFacade *templates_facade = XI_FACADE (xi_context_get_templates_facade (f->context));
  XiFacade *groups_facade = XI_FACADE (xi_context_get_groups_facade (f->context));
  XiTemplateEditor *editor;
  XiTemplate *shown;
  XiGroup *shown_group;
  MemberWait member_wait;
  gpointer rename_wait[2];
  XiWindow *window;
  GtkWidget *page;
  guint n = 0;

  xi_ui_reload (f);
  window = open_window (f, "templates");
  page = xi_window_get_page (window, "templates");

  xi_template_set_variants (elsewhere, variants);
  XI_TEST_WAIT (xi_store_save_template_async (f->store, elsewhere, NULL, xi_test_store_result_cb, &slot_),
                stored = xi_store_save_template_finish (f->store, result_, &error));
  g_assert_no_error (error);
  shown = xi_ui_wait_for_item (templates_facade, xi_template_get_id (stored));
  g_assert_cmpuint (g_list_model_get_n_items (templates), ==, 1);

  /* Renamed there: the same item, with its new name. */
  xi_template_set_name (stored, "Dari Kantor Pusat");
  XI_TEST_WAIT (xi_store_save_template_async (f->store, stored, NULL, xi_test_store_result_cb, &slot_),
                renamed = xi_store_save_template_finish (f->store, result_, &error));
  g_assert_no_error (error);
  rename_wait[0] = shown;
  rename_wait[1] = "Dari Kantor Pusat";
  g_assert_true (xi_ui_wait_for (is_named, rename_wait, 10000));
  g_assert_true (xi_facade_find (templates_facade, xi_template_get_id (stored)) == (gpointer)shown);
  g_assert_cmpuint (g_list_model_get_n_items (templates), ==, 1);

  /* The page's own save. */
  gtk_widget_activate_action (page, "page.new", NULL);
  editor = xi_templates_page_get_editor (XI_TEMPLATES_PAGE (page));
  xi_template_editor_set_name (editor, "Promo Akhir Tahun");
  xi_template_editor_set_variant_text (editor, 0, "Halo {name}, ada promo!");
  xi_template_editor_save (editor);
  wait_n_items (templates, 2);
  xi_ui_spin (500);
  g_assert_false (xi_facade_is_following (templates_facade));
  g_assert_cmpuint (count_named (templates, "Promo Akhir Tahun"), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (templates), ==, 2);
  xi_ui_screenshot (GTK_WIDGET (window), "templates-follow-store");

  /* A group and its members, written there: the count follows. */
  XI_TEST_WAIT (xi_store_save_group_async (f->store, group, NULL, xi_test_store_result_cb, &slot_),
                stored_group = xi_store_save_group_finish (f->store, result_, &error));
  g_assert_no_error (error);
  shown_group = xi_ui_wait_for_item (groups_facade, xi_group_get_id (stored_group));
  XI_TEST_WAIT (xi_store_add_group_members_async (f->store, xi_group_get_id (stored_group), members, NULL,
                                                  xi_test_store_result_cb, &slot_),
                n = xi_store_add_group_members_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 1);
  member_wait.group = shown_group;
  member_wait.n = 1;
  g_assert_true (xi_ui_wait_for (has_n_members, &member_wait, 10000));
  g_assert_cmpuint (count_named (xi_context_get_groups (f->context), "Grosir"), ==, 1);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* A change announced once the store has closed (the profile is being
 * reopened or the app quits) is let go quietly: no read can answer it. */
static void
test_follow_after_close (XiUiFixture   *f,
                         gconstpointer  data)
{
  const char *ids[] = { "gone", NULL };

  xi_ui_reload (f);
  xi_store_close (f->store);
  g_signal_emit_by_name (f->store, "changed", "templates", ids);
  g_signal_emit_by_name (f->store, "changed", "jobs", ids);
  xi_ui_spin (300);
  g_assert_cmpuint (g_list_model_get_n_items (xi_context_get_templates (f->context)), ==, 0);
  g_assert_false (xi_facade_is_following (XI_FACADE (xi_context_get_templates_facade (f->context))));
}

int
main (int   argc,
      char *argv[])
{
  int skip = xi_ui_init (&argc, &argv);

  if (skip != 0)
    return skip;

  g_test_add ("/xi/ui-templates/widgets/finalize", XiUiFixture, NULL,
              xi_ui_fixture_setup, test_widgets_finalize, xi_ui_fixture_teardown);
  g_test_add ("/xi/ui-templates/follows-store", XiUiFixture, NULL,
              xi_ui_fixture_setup, test_follows_store, xi_ui_fixture_teardown);
  g_test_add ("/xi/ui-templates/follow-after-close", XiUiFixture, NULL,
              xi_ui_fixture_setup, test_follow_after_close, xi_ui_fixture_teardown);
  g_test_add ("/xi/ui-templates/groups", XiUiFixture, NULL,
              xi_ui_fixture_setup, test_groups, xi_ui_fixture_teardown);
  g_test_add ("/xi/ui-templates/picker-large", XiUiFixture, NULL, xi_ui_fixture_setup, test_picker_large,
              xi_ui_fixture_teardown);
  g_test_add ("/xi/ui-templates/templates", XiUiFixture, NULL,
              xi_ui_fixture_setup, test_templates, xi_ui_fixture_teardown);
  g_test_add ("/xi/ui-templates/templates/problems", XiUiFixture, NULL,
              xi_ui_fixture_setup, test_template_problems, xi_ui_fixture_teardown);
  g_test_add ("/xi/ui-templates/assets", XiUiFixture, NULL,
              xi_ui_fixture_setup, test_assets, xi_ui_fixture_teardown);
  g_test_add ("/xi/ui-templates/assets/follow-store", XiUiFixture, NULL,
              xi_ui_fixture_setup, test_assets_follow_store, xi_ui_fixture_teardown);
  g_test_add ("/xi/ui-templates/sending-history", XiUiFixture, NULL,
              xi_ui_fixture_setup, test_sending_history, xi_ui_fixture_teardown);

  return g_test_run ();
}
