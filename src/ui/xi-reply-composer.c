/* xi-reply-composer.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-reply-composer"

#include "config.h"

#include <glib/gi18n.h>

#include "xi-limits.h"
#include "xi-phone.h"
#include "xi-reply-composer.h"
#include "xi-store.h"

/* The box under a conversation that answers the customer. Enter makes a
 * new line, Ctrl+Enter sends, Alt+1…9 insert the saved quick replies.
 * It sends through XiConnection's single-message path, which writes the
 * message to the store first (where the opted-out rule is enforced) and
 * keeps the text until WhatsApp's server took it, so nothing typed is
 * lost to a failure. Main thread only. */
struct _XiReplyComposer
{
  GtkWidget      parent_instance;

  GtkWidget     *box;
  GtkLabel      *notice;
  GtkTextView   *text_view;
  GtkMenuButton *quick_button;
  GtkWidget     *send_button;

  XiConnection  *connection;
  GSettings     *settings;
  char          *phone;
  char          *reply_to;
  gboolean       opted_out;
  gboolean       sending;
  GCancellable  *cancellable;
};

G_DEFINE_FINAL_TYPE (XiReplyComposer, xi_reply_composer, GTK_TYPE_WIDGET)

enum {
  FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

#define MAX_QUICK_REPLIES 9

/* Auxiliary methods */

static void
show_notice (XiReplyComposer *self,
             const char      *text)
{
  gtk_label_set_text (self->notice, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->notice), text != NULL);
}

static gboolean
is_linked (XiReplyComposer *self)
{
  return self->connection != NULL && xi_connection_is_linked (self->connection);
}

/* What may be sent, and why not: the notice says it before anybody
 * tries. */
static void
update (XiReplyComposer *self)
{
  g_autofree char *text = xi_reply_composer_dup_text (self);
  g_autoptr(GError) error = NULL;
  gboolean fits = xi_limit_check_message (text, &error);
  gboolean hidden = xi_phone_is_lid (self->phone);
  gboolean may = is_linked (self) && self->phone != NULL && !hidden && (!self->opted_out || self->reply_to != NULL);

  /* WhatsApp reaches a customer by number, and this one's is not known
   * yet: messages go to numbers only (xi-whatsapp-transport.c). */
  if (hidden)
    show_notice (self, _("WhatsApp hides this customer’s number, so you cannot answer from here yet. Once "
                         "WhatsApp tells the number, these messages move to that customer’s conversation; "
                         "until then, answer from your phone."));
  else if (!is_linked (self))
    show_notice (self, _("Link a WhatsApp account to answer from here: use the connection button at the top "
                         "of the window."));
  else if (self->opted_out && self->reply_to == NULL)
    show_notice (self, _("This customer opted out. You can answer only a message they sent you."));
  else if (self->opted_out)
    show_notice (self, _("This customer opted out. Your message answers their latest message; it is not "
                         "a new conversation."));
  else if (!fits)
    show_notice (self, error->message);
  else
    show_notice (self, NULL);

  gtk_text_view_set_editable (self->text_view, may && !self->sending);
  gtk_widget_set_sensitive (GTK_WIDGET (self->text_view), may);
  gtk_widget_set_sensitive (GTK_WIDGET (self->quick_button), may && !self->sending);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "composer.send",
                                 may && !self->sending && text[0] != '\0' && fits);
}

static GMenuModel *
quick_reply_menu (XiReplyComposer *self)
{
  g_auto(GStrv) replies = self->settings != NULL ? g_settings_get_strv (self->settings, "quick-replies") : NULL;
  GMenu *menu = g_menu_new ();

  for (guint i = 0; replies != NULL && replies[i] != NULL && i < MAX_QUICK_REPLIES; i++)
    {
      g_autofree char *label = g_utf8_substring (replies[i], 0, MIN (g_utf8_strlen (replies[i], -1), 40));
      g_autofree char *accel = g_strdup_printf ("<Alt>%u", i + 1);
      g_autoptr(GMenuItem) item = NULL;

      g_strdelimit (label, "\r\n\t", ' ');
      item = g_menu_item_new (label, NULL);
      g_menu_item_set_action_and_target_value (item, "composer.insert-quick-reply", g_variant_new_uint32 (i));
      g_menu_item_set_attribute (item, "accel", "s", accel);
      g_menu_append_item (menu, item);
    }
  if (replies == NULL || replies[0] == NULL)
    {
      g_autoptr(GMenuItem) item = g_menu_item_new (_("Add Quick Replies in Preferences…"), "app.preferences");

      g_menu_append_item (menu, item);
    }
  return G_MENU_MODEL (menu);
}

static void
update_quick_replies (XiReplyComposer *self)
{
  g_autoptr(GMenuModel) menu = quick_reply_menu (self);

  gtk_menu_button_set_menu_model (self->quick_button, menu);
}

/* Callbacks */

static void
sent_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  XiReplyComposer *self;
  g_autoptr(GError) error = NULL;
  g_autofree char *message_id = xi_connection_send_text_finish (XI_CONNECTION (object), result, &error);

  if (message_id == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = user_data;
  self->sending = FALSE;
  if (error == NULL)
    xi_reply_composer_set_text (self, "");
  update (self);
  if (error != NULL)
    g_signal_emit (self, signals[FAILED], 0, error->message);
}

static void
send_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  XiReplyComposer *self = XI_REPLY_COMPOSER (widget);
  g_autofree char *text = xi_reply_composer_dup_text (self);

  if (self->sending || text[0] == '\0' || !is_linked (self) || self->phone == NULL || xi_phone_is_lid (self->phone) ||
      !xi_limit_check_message (text, NULL))
    return;

  self->sending = TRUE;
  update (self);
  xi_connection_send_text_async (self->connection, self->phone, text, NULL, self->reply_to, self->cancellable,
                                 sent_cb, self);
}

static void
insert_quick_reply_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  XiReplyComposer *self = XI_REPLY_COMPOSER (widget);
  g_auto(GStrv) replies = NULL;
  guint index = g_variant_get_uint32 (parameter);
  GtkTextBuffer *buffer;

  if (self->settings == NULL || !gtk_text_view_get_editable (self->text_view))
    return;
  replies = g_settings_get_strv (self->settings, "quick-replies");
  if (index >= g_strv_length (replies))
    return;
  buffer = gtk_text_view_get_buffer (self->text_view);
  gtk_text_buffer_delete_selection (buffer, TRUE, TRUE);
  gtk_text_buffer_insert_at_cursor (buffer, replies[index], -1);
  gtk_widget_grab_focus (GTK_WIDGET (self->text_view));
}

/* GObject */

static void
xi_reply_composer_dispose (GObject *object)
{
  XiReplyComposer *self = (XiReplyComposer *)object;

  g_cancellable_cancel (self->cancellable);
  if (self->connection != NULL)
    g_signal_handlers_disconnect_by_data (self->connection, self);
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_pointer (&self->box, gtk_widget_unparent);

  G_OBJECT_CLASS (xi_reply_composer_parent_class)->dispose (object);
}

static void
xi_reply_composer_finalize (GObject *object)
{
  XiReplyComposer *self = (XiReplyComposer *)object;

  g_clear_object (&self->connection);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);
  g_free (self->phone);
  g_free (self->reply_to);

  G_OBJECT_CLASS (xi_reply_composer_parent_class)->finalize (object);
}

static void
xi_reply_composer_class_init (XiReplyComposerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = xi_reply_composer_dispose;
  object_class->finalize = xi_reply_composer_finalize;

  /**
   * XiReplyComposer::failed:
   * @message: why, for a toast
   *
   * A reply could not be sent; its text is still in the composer.
   */
  signals[FAILED] = g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "reply-composer");

  gtk_widget_class_install_action (widget_class, "composer.send", NULL, send_action);
  gtk_widget_class_install_action (widget_class, "composer.insert-quick-reply", "u", insert_quick_reply_action);
}

static void
add_shortcut (GtkShortcutController *controller,
              guint                  key,
              GdkModifierType        modifiers,
              const char            *action,
              GVariant              *target)
{
  GtkShortcut *shortcut = gtk_shortcut_new (gtk_keyval_trigger_new (key, modifiers),
                                            gtk_named_action_new (action));

  if (target != NULL)
    gtk_shortcut_set_arguments (shortcut, target);
  gtk_shortcut_controller_add_shortcut (controller, shortcut);
}

static void
xi_reply_composer_init (XiReplyComposer *self)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkEventController *shortcuts = gtk_shortcut_controller_new ();

  /* Before the text view: it would take Ctrl+Enter as a key of its own. */
  gtk_event_controller_set_propagation_phase (shortcuts, GTK_PHASE_CAPTURE);
  add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts), GDK_KEY_Return, GDK_CONTROL_MASK, "composer.send", NULL);
  add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts), GDK_KEY_KP_Enter, GDK_CONTROL_MASK, "composer.send", NULL);
  for (guint i = 0; i < MAX_QUICK_REPLIES; i++)
    {
      add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts), GDK_KEY_1 + i, GDK_ALT_MASK,
                    "composer.insert-quick-reply", g_variant_new_uint32 (i));
      add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts), GDK_KEY_KP_1 + i, GDK_ALT_MASK,
                    "composer.insert-quick-reply", g_variant_new_uint32 (i));
    }
  gtk_widget_add_controller (GTK_WIDGET (self), shortcuts);

  self->cancellable = g_cancellable_new ();
  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));
  gtk_widget_set_margin_start (self->box, 12);
  gtk_widget_set_margin_end (self->box, 12);
  gtk_widget_set_margin_top (self->box, 6);
  gtk_widget_set_margin_bottom (self->box, 12);

  self->notice = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->notice, TRUE);
  gtk_label_set_xalign (self->notice, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->notice), "caption");
  gtk_widget_add_css_class (GTK_WIDGET (self->notice), "dim-label");
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->notice));

  self->quick_button = GTK_MENU_BUTTON (gtk_menu_button_new ());
  gtk_menu_button_set_icon_name (self->quick_button, "view-list-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->quick_button), _("Quick Replies (Alt+1…9)"));
  gtk_widget_set_valign (GTK_WIDGET (self->quick_button), GTK_ALIGN_END);
  gtk_widget_add_css_class (GTK_WIDGET (self->quick_button), "flat");
  gtk_box_append (GTK_BOX (row), GTK_WIDGET (self->quick_button));

  self->text_view = GTK_TEXT_VIEW (gtk_text_view_new ());
  gtk_text_view_set_wrap_mode (self->text_view, GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_accepts_tab (self->text_view, FALSE);
  gtk_text_view_set_top_margin (self->text_view, 6);
  gtk_text_view_set_bottom_margin (self->text_view, 6);
  gtk_text_view_set_left_margin (self->text_view, 6);
  gtk_text_view_set_right_margin (self->text_view, 6);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->text_view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Reply"), -1);
  gtk_widget_add_css_class (GTK_WIDGET (self->text_view), "card");
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), GTK_WIDGET (self->text_view));
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scroller), 140);
  gtk_widget_set_hexpand (scroller, TRUE);
  gtk_box_append (GTK_BOX (row), scroller);

  self->send_button = gtk_button_new_from_icon_name ("mail-send-symbolic");
  gtk_widget_set_tooltip_text (self->send_button, _("Send (Ctrl+Enter)"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->send_button), "composer.send");
  gtk_widget_set_valign (self->send_button, GTK_ALIGN_END);
  gtk_widget_add_css_class (self->send_button, "suggested-action");
  gtk_widget_add_css_class (self->send_button, "circular");
  gtk_box_append (GTK_BOX (row), self->send_button);

  gtk_box_append (GTK_BOX (self->box), row);

  g_signal_connect_object (gtk_text_view_get_buffer (self->text_view), "changed",
                           G_CALLBACK (update), self, G_CONNECT_SWAPPED);
  update_quick_replies (self);
  update (self);
}

/* Public API */

GtkWidget *
xi_reply_composer_new (void)
{
  return g_object_new (XI_TYPE_REPLY_COMPOSER, NULL);
}

/**
 * xi_reply_composer_set_settings:
 * @settings: the app's settings, whose "quick-replies" it offers
 */
void
xi_reply_composer_set_settings (XiReplyComposer *self,
                                GSettings       *settings)
{
  g_return_if_fail (XI_IS_REPLY_COMPOSER (self));

  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_set_object (&self->settings, settings);
  if (settings != NULL)
    g_signal_connect_object (settings, "changed::quick-replies", G_CALLBACK (update_quick_replies), self,
                             G_CONNECT_SWAPPED);
  update_quick_replies (self);
}

/**
 * xi_reply_composer_set_connection:
 * @connection: (nullable): what sends, and says whether an account is linked
 */
void
xi_reply_composer_set_connection (XiReplyComposer *self,
                                  XiConnection    *connection)
{
  g_return_if_fail (XI_IS_REPLY_COMPOSER (self));

  if (self->connection != NULL)
    g_signal_handlers_disconnect_by_data (self->connection, self);
  g_set_object (&self->connection, connection);
  if (connection != NULL)
    g_signal_connect_object (connection, "notify::linked", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
  update (self);
}

/**
 * xi_reply_composer_set_target:
 * @phone: (nullable): the customer's number
 * @opted_out: whether they opted out
 * @reply_to: (nullable): the id of their message a reply answers; needed
 *   to answer somebody who opted out
 *
 * Chooses whom the composer answers. The text stays: a draft is not lost
 * by looking at another conversation.
 */
void
xi_reply_composer_set_target (XiReplyComposer *self,
                              const char      *phone,
                              gboolean         opted_out,
                              const char      *reply_to)
{
  g_return_if_fail (XI_IS_REPLY_COMPOSER (self));

  g_free (self->phone);
  self->phone = g_strdup (phone);
  g_free (self->reply_to);
  self->reply_to = opted_out ? g_strdup (reply_to) : NULL;
  self->opted_out = opted_out;
  update (self);
}

/**
 * xi_reply_composer_dup_text:
 *
 * Returns: (transfer full): the text typed, without surrounding spaces
 */
char *
xi_reply_composer_dup_text (XiReplyComposer *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (XI_IS_REPLY_COMPOSER (self), NULL);

  buffer = gtk_text_view_get_buffer (self->text_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return g_strstrip (gtk_text_buffer_get_text (buffer, &start, &end, FALSE));
}

void
xi_reply_composer_set_text (XiReplyComposer *self,
                            const char      *text)
{
  g_return_if_fail (XI_IS_REPLY_COMPOSER (self));
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->text_view), text, -1);
}

/**
 * xi_reply_composer_get_notice:
 *
 * Returns: (nullable): what the composer explains above the text (why
 *   it cannot send, a limit), or %NULL
 */
const char *
xi_reply_composer_get_notice (XiReplyComposer *self)
{
  g_return_val_if_fail (XI_IS_REPLY_COMPOSER (self), NULL);
  return gtk_widget_get_visible (GTK_WIDGET (self->notice)) ? gtk_label_get_text (self->notice) : NULL;
}

gboolean
xi_reply_composer_is_sending (XiReplyComposer *self)
{
  g_return_val_if_fail (XI_IS_REPLY_COMPOSER (self), FALSE);
  return self->sending;
}

void
xi_reply_composer_focus (XiReplyComposer *self)
{
  g_return_if_fail (XI_IS_REPLY_COMPOSER (self));
  gtk_widget_grab_focus (GTK_WIDGET (self->text_view));
}
