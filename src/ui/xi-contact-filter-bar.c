/* xi-contact-filter-bar.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-contact-filter-bar"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <string.h>

#include "xi-contact-filter-bar.h"
#include "xi-page.h"

/*
 * The audience being built on the Contacts page: each condition is a
 * chip with a button that removes it, added from a popover that offers
 * every column (the custom fields of the contacts loaded included), and
 * the saved segments, which put their conditions back in the bar.
 *
 * The bar keeps conditions as the text xi_contact_filter_add_where()
 * reads, the same text a segment stores and the CLI's --where takes, so
 * what is shown, saved and sent to the store is one thing.
 */

typedef enum {
  KIND_TEXT,
  KIND_TAG,
  KIND_GROUP,
  KIND_WHATSAPP,
  KIND_OPTED_OUT,
  KIND_MESSAGED,
  KIND_REPLIED,
} Kind;

typedef struct
{
  Kind  kind;
  char *key;
  char *label;
} Field;

typedef struct
{
  const char *sign;
  const char *label;
} Comparison;

typedef struct
{
  const char *value;
  const char *label;
} Choice;

static const Comparison text_comparisons[] = {
  { "~", N_("contains") }, { "=", N_("is") }, { "!=", N_("is not") }, { NULL },
};
static const Comparison tag_comparisons[] = {
  { "=", N_("has the tag") }, { "!=", N_("does not have the tag") }, { NULL },
};
static const Comparison group_comparisons[] = {
  { "=", N_("is in") }, { "!=", N_("is not in") }, { NULL },
};
static const Comparison replied_comparisons[] = {
  { "=", N_("replied to") }, { "!=", N_("did not reply to") }, { NULL },
};
static const Comparison state_comparisons[] = {
  { "=", N_("is") }, { NULL },
};

static const Choice whatsapp_choices[] = {
  { "yes", N_("On WhatsApp") }, { "no", N_("Not on WhatsApp") }, { "unknown", N_("Not checked yet") }, { NULL },
};
static const Choice opted_out_choices[] = {
  { "no", N_("Accepts messages") }, { "yes", N_("Opted out") }, { NULL },
};
static const Choice messaged_choices[] = {
  { "no", N_("Never messaged") }, { "yes", N_("Messaged before") }, { NULL },
};

struct _XiContactFilterBar
{
  GtkWidget       parent_instance;

  /* Template widgets */
  GtkWidget      *box;
  GtkStack       *chips_stack;
  GtkFlowBox     *chips;
  GtkMenuButton  *add_button;
  GtkMenuButton  *segments_button;
  GtkPopover     *add_popover;
  GtkDropDown    *field_dropdown;
  GtkDropDown    *op_dropdown;
  GtkStack       *value_stack;
  GtkLabel       *value_label;
  GtkEntry       *value_entry;
  GtkDropDown    *choice_dropdown;
  GtkLabel       *hint_label;
  GtkButton      *add_condition_button;
  GtkPopover     *segments_popover;
  GtkListBox     *segments_list;

  /* Owned; everything here belongs to the main thread */
  XiContext      *context;
  GPtrArray      *conditions;  /* char *, as xi_contact_filter_add_where() reads them; NULL-terminated */
  GPtrArray      *fields;      /* Field, the field dropdown's rows */
  GPtrArray      *choices;     /* char *, the value each row of the choice dropdown stands for */
  GCancellable   *cancellable;
};

G_DEFINE_FINAL_TYPE (XiContactFilterBar, xi_contact_filter_bar, GTK_TYPE_WIDGET)

enum {
  SIGNAL_CHANGED,
  N_SIGNALS,
};

static guint signals[N_SIGNALS];

/* Auxiliary methods */

static void
field_free (gpointer data)
{
  Field *field = data;

  g_free (field->key);
  g_free (field->label);
  g_free (field);
}

static void
add_field (XiContactFilterBar *self,
           Kind                kind,
           const char         *key,
           const char         *label)
{
  Field *field = g_new0 (Field, 1);

  field->kind = kind;
  field->key = g_strdup (key);
  field->label = g_strdup (label);
  g_ptr_array_add (self->fields, field);
}

static const Comparison *
comparisons_of (Kind kind)
{
  switch (kind)
    {
    case KIND_TAG:
      return tag_comparisons;
    case KIND_GROUP:
      return group_comparisons;
    case KIND_REPLIED:
      return replied_comparisons;
    case KIND_WHATSAPP:
    case KIND_OPTED_OUT:
    case KIND_MESSAGED:
      return state_comparisons;
    case KIND_TEXT:
    default:
      return text_comparisons;
    }
}

static const Choice *
choices_of (Kind kind)
{
  switch (kind)
    {
    case KIND_WHATSAPP:
      return whatsapp_choices;
    case KIND_OPTED_OUT:
      return opted_out_choices;
    case KIND_MESSAGED:
      return messaged_choices;
    case KIND_TEXT:
    case KIND_TAG:
    case KIND_GROUP:
    case KIND_REPLIED:
    default:
      return NULL;
    }
}

static Field *
selected_field (XiContactFilterBar *self)
{
  guint position = gtk_drop_down_get_selected (self->field_dropdown);

  return position < self->fields->len ? g_ptr_array_index (self->fields, position) : NULL;
}

static const Choice *
find_choice (const Choice *choices,
             const char   *value)
{
  g_autofree char *folded = g_utf8_casefold (value, -1);
  const char *canonical = folded;

  /* The store reads these words in English and Indonesian alike. */
  if (g_str_equal (folded, "ya") || g_str_equal (folded, "true") || g_str_equal (folded, "1"))
    canonical = "yes";
  else if (g_str_equal (folded, "tidak") || g_str_equal (folded, "false") || g_str_equal (folded, "0"))
    canonical = "no";
  else if (g_str_equal (folded, "unchecked") || g_str_equal (folded, "belum"))
    canonical = "unknown";

  for (guint i = 0; choices[i].value != NULL; i++)
    if (g_str_equal (choices[i].value, canonical))
      return &choices[i];
  return NULL;
}

/* Splits @condition the way xi_contact_filter_add_where() does. */
static gboolean
split_condition (const char  *condition,
                 char       **key,
                 const char **sign,
                 char       **value)
{
  const char *at;
  gsize sign_len = 1;

  if (condition[0] == '#')
    {
      *key = g_strdup ("tag");
      *sign = "=";
      *value = g_strdup (condition + 1);
      return TRUE;
    }

  at = strpbrk (condition, "=~!");
  if (at == NULL || (at[0] == '!' && at[1] != '='))
    return FALSE;
  if (at[0] == '!')
    {
      *sign = "!=";
      sign_len = 2;
    }
  else
    *sign = at[0] == '~' ? "~" : "=";
  *key = g_ascii_strdown (g_strstrip (g_strndup (condition, at - condition)), -1);
  *value = g_strstrip (g_strdup (at + sign_len));
  return TRUE;
}

static char *
describe_state (const Choice *choices,
                const char   *sign,
                const char   *value)
{
  const Choice *choice = find_choice (choices, value);
  const char *label = choice != NULL ? _(choice->label) : value;

  if (g_str_equal (sign, "!="))
    /* Translators: a condition on a contact's state, negated: "Not: Opted out" */
    return g_strdup_printf (_("Not: %s"), label);
  return g_strdup (label);
}

static void
update_chips (XiContactFilterBar *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->chips))) != NULL)
    gtk_flow_box_remove (self->chips, child);

  for (guint i = 0; i < self->conditions->len; i++)
    {
      const char *condition = g_ptr_array_index (self->conditions, i);
      g_autofree char *text = xi_contact_filter_bar_describe (condition);
      /* Translators: the tooltip of the button that removes a condition from the filter */
      g_autofree char *remove_text = g_strdup_printf (_("Remove “%s”"), text);
      GtkWidget *chip = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 2);
      GtkWidget *label = gtk_label_new (text);
      GtkWidget *remove = gtk_button_new_from_icon_name ("window-close-symbolic");

      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 32);
      gtk_widget_set_tooltip_text (label, condition);
      gtk_widget_set_margin_start (label, 10);
      gtk_widget_set_tooltip_text (remove, remove_text);
      gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL, remove_text, -1);
      gtk_widget_add_css_class (remove, "flat");
      gtk_widget_add_css_class (remove, "circular");
      gtk_actionable_set_action_name (GTK_ACTIONABLE (remove), "filter-bar.remove");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (remove), "u", i);
      gtk_widget_add_css_class (chip, "filter-chip");
      gtk_box_append (GTK_BOX (chip), label);
      gtk_box_append (GTK_BOX (chip), remove);
      gtk_flow_box_append (self->chips, chip);
      /* The remove buttons are the stops for Tab, not the chips. */
      gtk_widget_set_focusable (gtk_widget_get_parent (chip), FALSE);
    }

  gtk_stack_set_visible_child_name (self->chips_stack, self->conditions->len > 0 ? "chips" : "none");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "filter-bar.save", self->conditions->len > 0);
}

static void
conditions_changed (XiContactFilterBar *self)
{
  update_chips (self);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static void
fill_fields (XiContactFilterBar *self)
{
  const char * const *custom = self->context != NULL ? xi_context_get_custom_fields (self->context) : NULL;
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);

  g_ptr_array_set_size (self->fields, 0);
  add_field (self, KIND_TEXT, "name", _("Name"));
  add_field (self, KIND_TEXT, "phone", _("Number"));
  for (guint i = 0; custom != NULL && custom[i] != NULL; i++)
    add_field (self, KIND_TEXT, custom[i], custom[i]);
  add_field (self, KIND_TAG, "tag", _("Tag"));
  add_field (self, KIND_GROUP, "group", _("Group"));
  add_field (self, KIND_WHATSAPP, "whatsapp", _("WhatsApp"));
  add_field (self, KIND_OPTED_OUT, "opted_out", _("Opt-out"));
  add_field (self, KIND_MESSAGED, "messaged", _("Messages sent"));
  add_field (self, KIND_REPLIED, "replied", _("Replies"));

  for (guint i = 0; i < self->fields->len; i++)
    gtk_string_list_append (labels, ((Field *)g_ptr_array_index (self->fields, i))->label);
  gtk_drop_down_set_model (self->field_dropdown, G_LIST_MODEL (labels));
}

/* The names a group or campaign condition can take, from the models the
 * app already holds. */
static void
fill_named_choices (XiContactFilterBar *self,
                    GtkStringList      *labels,
                    Kind                kind)
{
  GListModel *model = kind == KIND_GROUP ? xi_context_get_groups (self->context)
                                         : xi_context_get_jobs (self->context);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (model, i);
      const char *name = kind == KIND_GROUP ? xi_group_get_name (XI_GROUP (item))
                                            : xi_job_get_name (XI_JOB (item));

      if (name == NULL || name[0] == '\0')
        continue;
      gtk_string_list_append (labels, name);
      g_ptr_array_add (self->choices, g_strdup (name));
    }
}

/* The popover's comparison and value widgets for the field chosen. */
static void
fill_for_field (XiContactFilterBar *self)
{
  Field *field = selected_field (self);
  g_autoptr(GtkStringList) comparisons = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) choices = gtk_string_list_new (NULL);
  const Comparison *table;
  const Choice *choice_table;

  if (field == NULL)
    return;

  table = comparisons_of (field->kind);
  for (guint i = 0; table[i].sign != NULL; i++)
    gtk_string_list_append (comparisons, _(table[i].label));
  gtk_drop_down_set_model (self->op_dropdown, G_LIST_MODEL (comparisons));
  gtk_drop_down_set_selected (self->op_dropdown, 0);
  gtk_widget_set_sensitive (GTK_WIDGET (self->op_dropdown), table[1].sign != NULL);

  g_ptr_array_set_size (self->choices, 0);
  choice_table = choices_of (field->kind);
  if (choice_table != NULL)
    for (guint i = 0; choice_table[i].value != NULL; i++)
      {
        gtk_string_list_append (choices, _(choice_table[i].label));
        g_ptr_array_add (self->choices, g_strdup (choice_table[i].value));
      }
  else if ((field->kind == KIND_GROUP || field->kind == KIND_REPLIED) && self->context != NULL)
    fill_named_choices (self, choices, field->kind);

  if (field->kind == KIND_TEXT || field->kind == KIND_TAG)
    {
      gtk_stack_set_visible_child_name (self->value_stack, "text");
      gtk_label_set_mnemonic_widget (self->value_label, GTK_WIDGET (self->value_entry));
      gtk_label_set_text (self->hint_label,
                          field->kind == KIND_TAG ? ""
                                                  : _("Compared ignoring case. Leave the value empty "
                                                      "to find contacts who have none."));
    }
  else
    {
      gtk_drop_down_set_model (self->choice_dropdown, G_LIST_MODEL (choices));
      gtk_drop_down_set_selected (self->choice_dropdown, 0);
      gtk_stack_set_visible_child_name (self->value_stack, "choice");
      gtk_label_set_mnemonic_widget (self->value_label, GTK_WIDGET (self->choice_dropdown));
      if (self->choices->len == 0)
        gtk_label_set_text (self->hint_label, field->kind == KIND_GROUP ? _("There are no groups yet.")
                                                                        : _("There are no campaigns yet."));
      else if (field->kind == KIND_GROUP || field->kind == KIND_REPLIED)
        gtk_label_set_text (self->hint_label, _("Checked against who is in it when the filter is applied."));
      else
        gtk_label_set_text (self->hint_label, "");
    }
  gtk_widget_set_visible (GTK_WIDGET (self->hint_label),
                          gtk_label_get_text (self->hint_label)[0] != '\0');
}

/* The condition the popover describes, or NULL while it describes none. */
static char *
build_condition (XiContactFilterBar *self)
{
  Field *field = selected_field (self);
  const Comparison *table;
  guint op;
  g_autofree char *value = NULL;

  if (field == NULL)
    return NULL;

  table = comparisons_of (field->kind);
  op = gtk_drop_down_get_selected (self->op_dropdown);
  for (guint i = 0; i <= op; i++)
    if (table[i].sign == NULL)
      return NULL;

  if (field->kind == KIND_TEXT || field->kind == KIND_TAG)
    {
      value = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->value_entry))));
      /* "contains nothing" is every contact, and a tag is never empty. */
      if (value[0] == '\0' && (field->kind == KIND_TAG || g_str_equal (table[op].sign, "~")))
        return NULL;
    }
  else
    {
      guint choice = gtk_drop_down_get_selected (self->choice_dropdown);

      if (choice >= self->choices->len)
        return NULL;
      value = g_strdup (g_ptr_array_index (self->choices, choice));
    }
  return g_strconcat (field->key, table[op].sign, value, NULL);
}

/* Shows @item's current name and conditions: sync or another process
 * may rename or redefine it while its row is shown. */
static void
segment_item_changed_cb (XiSegmentItem *item,
                         GParamSpec    *pspec,
                         AdwActionRow  *row)
{
  const XiSegment *segment = xi_segment_item_get_segment (item);
  GtkWidget *delete = g_object_get_data (G_OBJECT (row), "delete-button");
  g_autoptr(GString) subtitle = g_string_new (NULL);
  /* Translators: the tooltip of the button that deletes a saved segment */
  g_autofree char *delete_text = g_strdup_printf (_("Delete Segment “%s”"), segment->name);

  for (guint j = 0; segment->conditions[j] != NULL; j++)
    {
      g_autofree char *text = xi_contact_filter_bar_describe (segment->conditions[j]);

      if (subtitle->len > 0)
        g_string_append (subtitle, " · ");
      g_string_append (subtitle, text);
    }
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), segment->name);
  adw_action_row_set_subtitle (row, subtitle->str);
  gtk_widget_set_tooltip_text (delete, delete_text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (delete), GTK_ACCESSIBLE_PROPERTY_LABEL, delete_text, -1);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (delete), "s", segment->id);
}

static GtkWidget *
create_segment_row_cb (gpointer item,
                       gpointer user_data)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *delete = gtk_button_new_from_icon_name ("user-trash-symbolic");

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  g_object_set_data_full (G_OBJECT (row), "segment-item", g_object_ref (item), g_object_unref);

  gtk_widget_set_valign (delete, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (delete, "flat");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (delete), "filter-bar.delete-segment");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), delete);
  g_object_set_data (G_OBJECT (row), "delete-button", delete);

  segment_item_changed_cb (item, NULL, ADW_ACTION_ROW (row));
  g_signal_connect_object (item, "notify", G_CALLBACK (segment_item_changed_cb), row, 0);
  return row;
}

static const XiSegment *
find_segment_by_name (XiContactFilterBar *self,
                      const char         *name)
{
  g_autofree char *folded = NULL;
  g_autofree char *trimmed = g_strstrip (g_strdup (name));
  GListModel *segments;

  if (self->context == NULL)
    return NULL;
  segments = xi_facade_get_model (XI_FACADE (xi_context_get_segments_facade (self->context)));
  folded = g_utf8_casefold (trimmed, -1);
  for (guint i = 0; i < g_list_model_get_n_items (segments); i++)
    {
      g_autoptr(XiSegmentItem) item = g_list_model_get_item (segments, i);
      const XiSegment *segment = xi_segment_item_get_segment (item);
      g_autofree char *other = g_utf8_casefold (segment->name, -1);

      if (g_str_equal (folded, other))
        return segment;
    }
  return NULL;
}

static void
toast (XiContactFilterBar *self,
       const char         *message)
{
  GtkWidget *page = gtk_widget_get_ancestor (GTK_WIDGET (self), XI_TYPE_PAGE);

  if (page != NULL)
    xi_page_toast (XI_PAGE (page), "%s", message);
}

/* Callbacks */

static void
value_changed_cb (XiContactFilterBar *self)
{
  g_autofree char *condition = build_condition (self);

  gtk_widget_set_sensitive (GTK_WIDGET (self->add_condition_button), condition != NULL);
}

static void
field_changed_cb (XiContactFilterBar *self)
{
  fill_for_field (self);
  value_changed_cb (self);
}

static void
add_popover_shown_cb (XiContactFilterBar *self)
{
  Field *previous = selected_field (self);
  g_autofree char *keep = previous != NULL ? g_strdup (previous->key) : NULL;
  guint selected = 0;

  /* Fields and names may have come or gone since it was last open. */
  fill_fields (self);
  for (guint i = 0; keep != NULL && i < self->fields->len; i++)
    if (g_str_equal (((Field *)g_ptr_array_index (self->fields, i))->key, keep))
      selected = i;
  gtk_drop_down_set_selected (self->field_dropdown, selected);
  field_changed_cb (self);
  gtk_editable_set_text (GTK_EDITABLE (self->value_entry), "");
  gtk_widget_grab_focus (GTK_WIDGET (self->field_dropdown));
}

static void
add_clicked_cb (XiContactFilterBar *self)
{
  g_autofree char *condition = build_condition (self);
  g_autoptr(GError) error = NULL;

  if (condition == NULL)
    return;
  if (!xi_contact_filter_bar_add_condition (self, condition, &error))
    {
      gtk_label_set_text (self->hint_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->hint_label), TRUE);
      return;
    }
  gtk_popover_popdown (self->add_popover);
  gtk_widget_grab_focus (GTK_WIDGET (self->add_button));
}

/* Return then picks the first. */
static void
segments_popover_shown_cb (XiContactFilterBar *self)
{
  GtkListBoxRow *first = gtk_list_box_get_row_at_index (self->segments_list, 0);

  if (first != NULL)
    gtk_widget_grab_focus (GTK_WIDGET (first));
}

static void
segment_activated_cb (XiContactFilterBar *self,
                      GtkListBoxRow      *row)
{
  XiSegmentItem *item = g_object_get_data (G_OBJECT (row), "segment-item");

  xi_contact_filter_bar_set_conditions (self,
                                        (const char * const *)xi_segment_item_get_segment (item)->conditions);
  gtk_popover_popdown (self->segments_popover);
  gtk_widget_grab_focus (GTK_WIDGET (self->segments_button));
}

static void
segment_deleted_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  XiContactFilterBar *self = user_data;
  g_autoptr(GError) error = NULL;

  if (!xi_segments_facade_delete_finish (XI_SEGMENTS_FACADE (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    toast (self, error->message);
}

static void
segment_added_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  XiContactFilterBar *self = user_data;
  g_autoptr(XiSegmentItem) segment = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  segment = xi_segments_facade_add_finish (XI_SEGMENTS_FACADE (object), result, &error);
  if (segment == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* Translators: a segment could not be saved; the reason follows */
      message = g_strdup_printf (_("The segment was not saved: %s"), error->message);
      toast (self, message);
      return;
    }
  /* Translators: a toast once a segment is saved */
  message = g_strdup_printf (_("Saved segment “%s”"), xi_segment_item_get_segment (segment)->name);
  toast (self, message);
}

/* A name is refused before the dialog can close, with the reason. */
static void
segment_name_changed_cb (GtkEditable      *entry,
                         AdwMessageDialog *dialog)
{
  XiContactFilterBar *self = g_object_get_data (G_OBJECT (dialog), "filter-bar");
  GtkLabel *reason = g_object_get_data (G_OBJECT (dialog), "reason");
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (entry)));
  const XiSegment *existing = find_segment_by_name (self, name);
  g_autofree char *text = NULL;

  if (existing != NULL)
    text = g_strdup_printf (_("There is already a segment “%s”. Choose another name, or delete that "
                              "one from the Segments menu first."), existing->name);
  gtk_label_set_text (reason, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (reason), text != NULL);
  if (text != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (entry), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (entry), "error");
  adw_message_dialog_set_response_enabled (dialog, "save", name[0] != '\0' && existing == NULL);
}

static void
save_dialog_response_cb (AdwMessageDialog *dialog,
                         const char       *response,
                         gpointer          user_data)
{
  XiContactFilterBar *self = g_object_get_data (G_OBJECT (dialog), "filter-bar");
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "entry");
  g_autoptr(XiContactFilter) filter = NULL;

  if (!g_str_equal (response, "save") || self->context == NULL)
    return;
  filter = xi_contact_filter_bar_dup_filter (self);
  xi_segments_facade_add_async (xi_context_get_segments_facade (self->context), gtk_editable_get_text (entry),
                                filter, self->cancellable, segment_added_cb, self);
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  XiContactFilterBar *self = XI_CONTACT_FILTER_BAR (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autoptr(GString) body = g_string_new (NULL);
  AdwMessageDialog *dialog;
  GtkWidget *box, *label, *entry, *reason;

  gtk_popover_popdown (self->segments_popover);
  for (guint i = 0; i < self->conditions->len; i++)
    {
      g_autofree char *text = xi_contact_filter_bar_describe (g_ptr_array_index (self->conditions, i));

      g_string_append_printf (body, "%s%s", i > 0 ? ", " : "", text);
    }

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                       _("Save as Segment"), NULL));
  adw_message_dialog_format_body (dialog,
                                  _("A campaign can go to the contacts who match %s. They are looked up "
                                    "again each time a campaign is created for the segment."),
                                  body->str);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  label = gtk_label_new_with_mnemonic (_("_Name"));
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  entry = gtk_entry_new ();
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), entry);
  reason = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (reason), TRUE);
  gtk_label_set_xalign (GTK_LABEL (reason), 0);
  gtk_widget_add_css_class (reason, "error");
  gtk_widget_set_visible (reason, FALSE);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), entry);
  gtk_box_append (GTK_BOX (box), reason);
  adw_message_dialog_set_extra_child (dialog, box);

  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "save", _("_Save"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "save", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "save");
  adw_message_dialog_set_close_response (dialog, "cancel");
  adw_message_dialog_set_response_enabled (dialog, "save", FALSE);

  g_object_set_data_full (G_OBJECT (dialog), "filter-bar", g_object_ref (self), g_object_unref);
  g_object_set_data (G_OBJECT (dialog), "entry", entry);
  g_object_set_data (G_OBJECT (dialog), "reason", reason);
  g_signal_connect (entry, "changed", G_CALLBACK (segment_name_changed_cb), dialog);
  g_signal_connect (dialog, "response", G_CALLBACK (save_dialog_response_cb), NULL);

  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

static void
remove_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  XiContactFilterBar *self = XI_CONTACT_FILTER_BAR (widget);
  guint index = g_variant_get_uint32 (parameter);

  if (index >= self->conditions->len)
    return;
  g_ptr_array_remove_index (self->conditions, index);
  conditions_changed (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->add_button));
}

static void
delete_segment_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  XiContactFilterBar *self = XI_CONTACT_FILTER_BAR (widget);

  if (self->context == NULL)
    return;
  xi_segments_facade_delete_async (xi_context_get_segments_facade (self->context),
                                   g_variant_get_string (parameter, NULL), self->cancellable,
                                   segment_deleted_cb, self);
}

/* Life cycle */

static void
xi_contact_filter_bar_dispose (GObject *object)
{
  XiContactFilterBar *self = (XiContactFilterBar *)object;

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), XI_TYPE_CONTACT_FILTER_BAR);
  g_clear_object (&self->context);

  G_OBJECT_CLASS (xi_contact_filter_bar_parent_class)->dispose (object);
}

static void
xi_contact_filter_bar_finalize (GObject *object)
{
  XiContactFilterBar *self = (XiContactFilterBar *)object;

  g_ptr_array_unref (self->conditions);
  g_ptr_array_unref (self->fields);
  g_ptr_array_unref (self->choices);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (xi_contact_filter_bar_parent_class)->finalize (object);
}

static void
xi_contact_filter_bar_class_init (XiContactFilterBarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = xi_contact_filter_bar_dispose;
  object_class->finalize = xi_contact_filter_bar_finalize;

  /**
   * XiContactFilterBar::changed:
   *
   * The conditions changed: added, removed, or put back from a segment.
   */
  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                          NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/xenderin/XenderIn/xi-contact-filter-bar.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_bind_template_child (widget_class, XiContactFilterBar, box);
  gtk_widget_class_bind_template_child (widget_class, XiContactFilterBar, chips_stack);
  gtk_widget_class_bind_template_child (widget_class, XiContactFilterBar, chips);
  gtk_widget_class_bind_template_child (widget_class, XiContactFilterBar, add_button);
  gtk_widget_class_bind_template_child (widget_class, XiContactFilterBar, segments_button);
  gtk_widget_class_bind_template_child (widget_class, XiContactFilterBar, add_popover);
  gtk_widget_class_bind_template_child (widget_class, XiContactFilterBar, field_dropdown);
  gtk_widget_class_bind_template_child (widget_class, XiContactFilterBar, op_dropdown);
  gtk_widget_class_bind_template_child (widget_class, XiContactFilterBar, value_stack);
  gtk_widget_class_bind_template_child (widget_class, XiContactFilterBar, value_label);
  gtk_widget_class_bind_template_child (widget_class, XiContactFilterBar, value_entry);
  gtk_widget_class_bind_template_child (widget_class, XiContactFilterBar, choice_dropdown);
  gtk_widget_class_bind_template_child (widget_class, XiContactFilterBar, hint_label);
  gtk_widget_class_bind_template_child (widget_class, XiContactFilterBar, add_condition_button);
  gtk_widget_class_bind_template_child (widget_class, XiContactFilterBar, segments_popover);
  gtk_widget_class_bind_template_child (widget_class, XiContactFilterBar, segments_list);
  gtk_widget_class_bind_template_callback (widget_class, add_popover_shown_cb);
  gtk_widget_class_bind_template_callback (widget_class, field_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, value_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, add_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, segments_popover_shown_cb);
  gtk_widget_class_bind_template_callback (widget_class, segment_activated_cb);

  gtk_widget_class_install_action (widget_class, "filter-bar.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "filter-bar.remove", "u", remove_action);
  gtk_widget_class_install_action (widget_class, "filter-bar.delete-segment", "s", delete_segment_action);
}

static void
xi_contact_filter_bar_init (XiContactFilterBar *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->conditions = g_ptr_array_new_null_terminated (0, g_free, TRUE);
  self->fields = g_ptr_array_new_with_free_func (field_free);
  self->choices = g_ptr_array_new_with_free_func (g_free);
  self->cancellable = g_cancellable_new ();
  gtk_drop_down_set_expression (self->field_dropdown,
                                gtk_property_expression_new (GTK_TYPE_STRING_OBJECT, NULL, "string"));
  update_chips (self);
}

/* Public API */

/**
 * xi_contact_filter_bar_new:
 *
 * Returns: (transfer floating): a new bar without conditions
 */
GtkWidget *
xi_contact_filter_bar_new (void)
{
  return g_object_new (XI_TYPE_CONTACT_FILTER_BAR, NULL);
}

/**
 * xi_contact_filter_bar_set_context:
 * @self: a #XiContactFilterBar
 * @context: where the fields, groups, campaigns and segments come from
 */
void
xi_contact_filter_bar_set_context (XiContactFilterBar *self,
                                   XiContext          *context)
{
  g_return_if_fail (XI_IS_CONTACT_FILTER_BAR (self));
  g_return_if_fail (XI_IS_CONTEXT (context));

  g_set_object (&self->context, context);
  gtk_list_box_bind_model (self->segments_list,
                           xi_facade_get_model (XI_FACADE (xi_context_get_segments_facade (context))),
                           create_segment_row_cb, NULL, NULL);
}

/**
 * xi_contact_filter_bar_add_condition:
 * @self: a #XiContactFilterBar
 * @condition: a condition as xi_contact_filter_add_where() reads it, or
 *   "#TAG"
 * @error: return location for a %XI_STORE_ERROR_INVALID error
 *
 * Adds @condition as a chip, unless the same condition is there already.
 *
 * Returns: whether @condition could be read
 */
gboolean
xi_contact_filter_bar_add_condition (XiContactFilterBar  *self,
                                     const char          *condition,
                                     GError             **error)
{
  const char *one[] = { condition, NULL };
  g_autoptr(XiContactFilter) check = NULL;
  const char *text;

  g_return_val_if_fail (XI_IS_CONTACT_FILTER_BAR (self), FALSE);
  g_return_val_if_fail (condition != NULL, FALSE);

  if ((check = xi_contact_filter_new_from_conditions (one, error)) == NULL)
    return FALSE;
  /* Kept as the filter writes it back, trimmed, so equal ones compare equal. */
  text = xi_contact_filter_get_conditions (check)[0];
  for (guint i = 0; i < self->conditions->len; i++)
    if (g_str_equal (g_ptr_array_index (self->conditions, i), text))
      return TRUE;
  g_ptr_array_add (self->conditions, g_strdup (text));
  conditions_changed (self);
  return TRUE;
}

/**
 * xi_contact_filter_bar_set_conditions:
 * @self: a #XiContactFilterBar
 * @conditions: (array zero-terminated=1): conditions, as a segment keeps
 *   them; those that cannot be read are left out
 *
 * Replaces every condition of the bar.
 */
void
xi_contact_filter_bar_set_conditions (XiContactFilterBar *self,
                                      const char * const *conditions)
{
  g_return_if_fail (XI_IS_CONTACT_FILTER_BAR (self));
  g_return_if_fail (conditions != NULL);

  g_ptr_array_set_size (self->conditions, 0);
  for (guint i = 0; conditions[i] != NULL; i++)
    {
      const char *one[] = { conditions[i], NULL };
      g_autoptr(XiContactFilter) check = xi_contact_filter_new_from_conditions (one, NULL);

      if (check != NULL)
        g_ptr_array_add (self->conditions, g_strdup (xi_contact_filter_get_conditions (check)[0]));
    }
  conditions_changed (self);
}

/**
 * xi_contact_filter_bar_get_conditions:
 * @self: a #XiContactFilterBar
 *
 * Returns: (transfer none) (array zero-terminated=1): the conditions shown
 */
const char * const *
xi_contact_filter_bar_get_conditions (XiContactFilterBar *self)
{
  static const char *none[] = { NULL };

  g_return_val_if_fail (XI_IS_CONTACT_FILTER_BAR (self), NULL);

  /* An empty array may have no storage at all yet. */
  return self->conditions->len > 0 ? (const char * const *)self->conditions->pdata : none;
}

/**
 * xi_contact_filter_bar_dup_filter:
 * @self: a #XiContactFilterBar
 *
 * Returns: (transfer full): a new filter with the bar's conditions, not
 *   yet resolved; empty when the bar has none
 */
XiContactFilter *
xi_contact_filter_bar_dup_filter (XiContactFilterBar *self)
{
  XiContactFilter *filter;

  g_return_val_if_fail (XI_IS_CONTACT_FILTER_BAR (self), NULL);

  /* Every condition was read once already when it was added. */
  filter = xi_contact_filter_new_from_conditions (xi_contact_filter_bar_get_conditions (self), NULL);
  g_return_val_if_fail (filter != NULL, xi_contact_filter_new ());
  return filter;
}

/**
 * xi_contact_filter_bar_describe:
 * @condition: a condition as xi_contact_filter_add_where() reads it, or
 *   "#TAG"
 *
 * Returns: (transfer full): @condition in words, for a chip or a list
 */
char *
xi_contact_filter_bar_describe (const char *condition)
{
  g_autofree char *key = NULL;
  g_autofree char *value = NULL;
  const char *sign = NULL;
  gboolean negated;
  const char *label;

  g_return_val_if_fail (condition != NULL, NULL);

  if (!split_condition (condition, &key, &sign, &value))
    return g_strdup (condition);
  negated = g_str_equal (sign, "!=");

  if (g_str_equal (key, "whatsapp"))
    return describe_state (whatsapp_choices, sign, value);
  if (g_str_equal (key, "opted_out"))
    return describe_state (opted_out_choices, sign, value);
  if (g_str_equal (key, "messaged"))
    return describe_state (messaged_choices, sign, value);
  if (g_str_equal (key, "tag"))
    /* Translators: a condition: contacts with, or without, the tag named */
    return g_strdup_printf (negated ? _("Not tagged “%s”") : _("Tagged “%s”"), value);
  if (g_str_equal (key, "group") || g_str_equal (key, "grup"))
    /* Translators: a condition: contacts in, or not in, the group named */
    return g_strdup_printf (negated ? _("Not in group “%s”") : _("In group “%s”"), value);
  if (g_str_equal (key, "replied") || g_str_equal (key, "dibalas"))
    /* Translators: a condition: contacts who answered, or not, the campaign named */
    return g_strdup_printf (negated ? _("Did not reply to “%s”") : _("Replied to “%s”"), value);

  if (g_str_equal (key, "name") || g_str_equal (key, "nama"))
    label = _("Name");
  else if (g_str_equal (key, "phone") || g_str_equal (key, "telepon"))
    label = _("Number");
  else
    label = key;

  if (value[0] == '\0')
    /* Translators: a condition on a field that has, or has no, value: "kota is empty" */
    return g_strdup_printf (negated ? _("%s is not empty") : _("%s is empty"), label);
  if (g_str_equal (sign, "~"))
    /* Translators: a condition: a field, then the text it contains */
    return g_strdup_printf (_("%s contains “%s”"), label, value);
  if (negated)
    /* Translators: a condition: a field, then the value it must not have */
    return g_strdup_printf (_("%s is not “%s”"), label, value);
  /* Translators: a condition: a field, then its value */
  return g_strdup_printf (_("%s is “%s”"), label, value);
}
