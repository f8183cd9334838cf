/* xi-inbox-page.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-inbox-page"

#include "config.h"

#include <glib/gi18n.h>

#include "xi-contact.h"
#include "xi-format.h"
#include "xi-inbox-page.h"
#include "xi-list-keys.h"
#include "xi-message-bubble.h"
#include "xi-reply-composer.h"
#include "xi-phone.h"

/* The customers' replies: conversations per number on the left, the
 * chosen one's messages on the right (one pane at a time when narrow).
 * Main thread only. The list is the inbox facade's model, which follows
 * every committed write (the engine's, sync's, another window's) and
 * changes its conversations in place, so the selection and the keyboard
 * focus stay where they were; the open conversation is read again when
 * its own conversation says it got a message, or when a reply or a
 * receipt was stored. */
struct _XiInboxPage
{
  XiPage               parent_instance;

  /* Template widgets */
  GtkStack            *page_stack;
  AdwLeaflet          *leaflet;
  GtkSearchEntry      *search_entry;
  GtkStack            *list_stack;
  GtkListView         *list_view;
  GtkStack            *conversation_stack;
  AdwAvatar           *conversation_avatar;
  GtkLabel            *conversation_title;
  GtkLabel            *conversation_subtitle;
  GtkRevealer         *opt_out_revealer;
  GtkLabel            *opt_out_label;
  GtkListBox          *messages_box;
  GtkScrolledWindow   *messages_scroller;
  XiReplyComposer     *composer;

  /* Owned */
  XiInboxFacade       *inbox;          /* the context's */
  XiConversation      *shown;          /* the open conversation, followed */
  GtkCustomFilter     *filter;
  GtkFilterListModel  *filtered;
  GtkSingleSelection  *selection;
  char                *needle;         /* casefolded search text, or NULL */
  char                *needle_digits;  /* its digits, when it has three or more */
  char                *selected_phone;
  char                *wanted_phone;   /* to select once the list has it */
  GCancellable        *cancellable;
  GCancellable        *messages_cancellable;
  guint                reload_id;
  guint                thread_id;      /* reading the open conversation again, soon */
  gboolean             replacing;      /* the search is being changed */
  gboolean             scroll_to_end;
  gboolean             thread_loaded;  /* since the last change of conversation */
  guint                thread_limit;   /* how many of its newest messages to show */
  gboolean             loading_earlier; /* keep the place, do not jump to the end */
  char                *reply_to;       /* the customer's latest message there */
  GPtrArray           *opt_outs;       /* XiIncoming, not announced yet */
  AdwToast            *disk_full_toast; /* weak: said while customers' messages do not fit */
  guint                announce_id;

  /* Borrowed */
  XiCampaignRunner    *runner;
  XiConnection        *connection;
};

G_DEFINE_FINAL_TYPE (XiInboxPage, xi_inbox_page, XI_TYPE_PAGE)

enum {
  PROP_0,
  PROP_UNREAD_COUNT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void load_messages (XiInboxPage *self);

/* Auxiliary methods */

static XiStore *
store_of (XiInboxPage *self)
{
  XiContext *context = xi_page_get_context (XI_PAGE (self));

  return context != NULL ? xi_context_get_store (context) : NULL;
}

/* The contact's name, or the number written for people (or said to be
 * hidden). */
static char *
display_name (const char *name,
              const char *phone)
{
  if (name != NULL && name[0] != '\0')
    return g_strdup (name);
  return xi_phone_format_address (phone);
}

static char *
conversation_name (XiConversation *conversation)
{
  return display_name (xi_conversation_get_contact_name (conversation),
                       xi_conversation_get_phone (conversation));
}

/* Initials for a contact; a plain picture for a bare number. */
static void
set_avatar (AdwAvatar      *avatar,
            XiConversation *conversation)
{
  const char *name = xi_conversation_get_contact_name (conversation);
  gboolean named = name != NULL && name[0] != '\0';

  adw_avatar_set_text (avatar, named ? name : xi_conversation_get_phone (conversation));
  adw_avatar_set_show_initials (avatar, named);
}

static XiConversation *
find_conversation (XiInboxPage *self,
                   const char  *phone)
{
  return self->inbox != NULL ? xi_facade_find (XI_FACADE (self->inbox), phone) : NULL;
}

/* The count is the inbox facade's; the page only passes its changes on. */
static void
unread_count_changed (XiInboxPage *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.mark-all-read",
                                 xi_inbox_page_get_unread_count (self) > 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNREAD_COUNT]);
}

static void
update_list_stack (XiInboxPage *self)
{
  /* Nothing yet: one message for the whole page, not an empty list
   * beside an empty conversation. */
  gtk_stack_set_visible_child_name (self->page_stack,
                                    self->inbox == NULL ||
                                    g_list_model_get_n_items (xi_facade_get_model (XI_FACADE (self->inbox))) == 0
                                    ? "empty" : "conversations");
  if (g_list_model_get_n_items (G_LIST_MODEL (self->filtered)) == 0)
    gtk_stack_set_visible_child_name (self->list_stack, "no-match");
  else
    gtk_stack_set_visible_child_name (self->list_stack, "list");
}

/* Takes @toast: the window keeps its own reference. */
static void
toast (XiInboxPage *self,
       AdwToast    *toast)
{
  g_signal_emit_by_name (self, "add-toast", toast);
  g_object_unref (toast);
}

/* Marking read */

static void
marked_read_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!xi_inbox_facade_mark_read_finish (XI_INBOX_FACADE (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("Could not mark a conversation read: %s", error->message);
}

/* Read means the user could see it: the page is on screen, in the
 * window they are using. */
static void
mark_selected_read (XiInboxPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  XiConversation *conversation;

  if (self->selected_phone == NULL || !gtk_widget_get_mapped (GTK_WIDGET (self)) ||
      (GTK_IS_WINDOW (root) && !gtk_window_is_active (GTK_WINDOW (root))))
    return;
  conversation = find_conversation (self, self->selected_phone);
  if (conversation == NULL || xi_conversation_get_unread_count (conversation) == 0)
    return;
  xi_inbox_facade_mark_read_async (self->inbox, self->selected_phone, self->cancellable,
                                   marked_read_cb, NULL);
}

/* The conversation pane */

static void
show_header (XiInboxPage    *self,
             XiConversation *conversation)
{
  g_autofree char *name = conversation_name (conversation);
  g_autofree char *number = xi_phone_format_address (xi_conversation_get_phone (conversation));
  gboolean opted_out = xi_conversation_get_opted_out (conversation);

  set_avatar (self->conversation_avatar, conversation);
  gtk_label_set_text (self->conversation_title, name);
  gtk_label_set_text (self->conversation_subtitle,
                      g_strcmp0 (name, number) != 0 ? number : "");
  gtk_widget_set_visible (GTK_WIDGET (self->conversation_subtitle), g_strcmp0 (name, number) != 0);
  if (opted_out)
    {
      g_autofree char *text =
        /* Translators: %s is a contact's name or number */
        g_strdup_printf (_("%s asked to stop receiving messages. Campaigns skip this number."), name);

      gtk_label_set_text (self->opt_out_label, text);
    }
  gtk_revealer_set_reveal_child (self->opt_out_revealer, opted_out);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.allow-selected", opted_out);
}

/* The newest first: a long conversation opens at once, at its end, and
 * "Show Earlier Messages" reads this many more each time. */
#define THREAD_STEP 100

static void
messages_loaded_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  XiInboxPage *self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) messages = xi_store_list_thread_finish (XI_STORE (object), result, &error);
  XiConversation *conversation;
  const char *reply_to = NULL;
  XiImageDecoder *decoder;
  GtkWidget *child;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = user_data;
  decoder = xi_context_get_image_decoder (xi_page_get_context (XI_PAGE (self)));
  if (messages == NULL)
    {
      g_warning ("Could not read a conversation: %s", error->message);
      return;
    }

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->messages_box))) != NULL)
    gtk_list_box_remove (self->messages_box, child);
  /* As many as asked for: there may be more before them. */
  if (messages->len >= self->thread_limit)
    {
      GtkWidget *row = gtk_list_box_row_new ();
      GtkWidget *button = gtk_button_new_with_mnemonic (_("Show _Earlier Messages"));

      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "page.show-earlier");
      gtk_widget_set_halign (button, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (button, "pill");
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), button);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
      gtk_list_box_append (self->messages_box, row);
    }
  for (guint i = 0; i < messages->len; i++)
    {
      XiChatMessage *message = g_ptr_array_index (messages, i);
      GtkWidget *row = gtk_list_box_row_new ();

      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), xi_message_bubble_new (message, self->runner, decoder));
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
      gtk_list_box_append (self->messages_box, row);
      if (!xi_chat_message_is_ours (message))
        reply_to = xi_chat_message_get_message_id (message);
    }
  self->scroll_to_end = !self->loading_earlier;
  self->loading_earlier = FALSE;

  /* Somebody who opted out can be answered, in reply to their latest
   * message; the store holds the composer to that. */
  conversation = find_conversation (self, self->selected_phone);
  g_free (self->reply_to);
  self->reply_to = g_strdup (reply_to);
  xi_reply_composer_set_target (self->composer, self->selected_phone,
                                conversation != NULL && xi_conversation_get_opted_out (conversation),
                                reply_to);
  self->thread_loaded = TRUE;
}

/* The newest message is at the bottom, as in every chat. */
static void
messages_upper_cb (XiInboxPage   *self,
                   GParamSpec    *pspec,
                   GtkAdjustment *adjustment)
{
  if (!self->scroll_to_end)
    return;
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
}

static void
messages_scrolled_cb (XiInboxPage   *self,
                      GtkAdjustment *adjustment)
{
  double bottom = gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment);

  self->scroll_to_end = gtk_adjustment_get_value (adjustment) >= bottom - 1;
}

static void
load_messages (XiInboxPage *self)
{
  if (self->selected_phone == NULL || store_of (self) == NULL)
    return;
  g_cancellable_cancel (self->messages_cancellable);
  g_clear_object (&self->messages_cancellable);
  self->messages_cancellable = g_cancellable_new ();
  xi_store_list_thread_async (store_of (self), self->selected_phone, self->thread_limit,
                              self->messages_cancellable, messages_loaded_cb, self);
}

/* The open conversation changed in the store: a message came, it was
 * read elsewhere, the number opted out or in, the contact was renamed. */
static void
shown_notified_cb (XiInboxPage    *self,
                   GParamSpec     *pspec,
                   XiConversation *conversation)
{
  const char *name = g_param_spec_get_name (pspec);

  show_header (self, conversation);
  if (g_str_equal (name, "message-count") || g_str_equal (name, "last-received-at"))
    load_messages (self);
  else if (g_str_equal (name, "opted-out") && self->thread_loaded)
    xi_reply_composer_set_target (self->composer, self->selected_phone,
                                  xi_conversation_get_opted_out (conversation), self->reply_to);
  else if (g_str_equal (name, "unread-count"))
    mark_selected_read (self);
}

static void
follow_shown (XiInboxPage    *self,
              XiConversation *conversation)
{
  if (self->shown == conversation)
    return;
  if (self->shown != NULL)
    g_signal_handlers_disconnect_by_func (self->shown, shown_notified_cb, self);
  g_set_object (&self->shown, conversation);
  if (conversation != NULL)
    g_signal_connect_object (conversation, "notify", G_CALLBACK (shown_notified_cb), self,
                             G_CONNECT_SWAPPED);
}

static void
select_conversation (XiInboxPage    *self,
                     XiConversation *conversation)
{
  const char *phone = conversation != NULL ? xi_conversation_get_phone (conversation) : NULL;
  gboolean changed = g_strcmp0 (phone, self->selected_phone) != 0;

  follow_shown (self, conversation);
  g_free (self->selected_phone);
  self->selected_phone = g_strdup (phone);

  if (conversation == NULL)
    {
      gtk_stack_set_visible_child_name (self->conversation_stack, "none");
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.allow-selected", FALSE);
      xi_reply_composer_set_target (self->composer, NULL, FALSE, NULL);
      return;
    }

  show_header (self, conversation);
  gtk_stack_set_visible_child_name (self->conversation_stack, "messages");
  if (changed)
    {
      GtkWidget *child;

      while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->messages_box))) != NULL)
        gtk_list_box_remove (self->messages_box, child);
      /* Until the thread says which message a reply would answer. */
      self->thread_loaded = FALSE;
      self->thread_limit = THREAD_STEP;
      xi_reply_composer_set_target (self->composer, NULL, FALSE, NULL);
      load_messages (self);
    }
  else if (self->thread_loaded)
    xi_reply_composer_set_target (self->composer, phone, xi_conversation_get_opted_out (conversation),
                                  self->reply_to);
  mark_selected_read (self);
}

/* Selects @phone's conversation when the list (as filtered) has it. */
static gboolean
select_phone (XiInboxPage *self,
              const char  *phone)
{
  GListModel *model = G_LIST_MODEL (self->filtered);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(XiConversation) conversation = g_list_model_get_item (model, i);

      if (g_strcmp0 (xi_conversation_get_phone (conversation), phone) == 0)
        {
          gtk_single_selection_set_selected (self->selection, i);
          return TRUE;
        }
    }
  return FALSE;
}

/* Following the list */

/* After the list changed: a conversation asked for by a notification
 * may be there now, and the open one may be gone (deleted elsewhere). */
static void
conversations_changed_cb (XiInboxPage *self)
{
  if (self->wanted_phone != NULL && select_phone (self, self->wanted_phone))
    g_clear_pointer (&self->wanted_phone, g_free);
  else if (self->selected_phone != NULL && find_conversation (self, self->selected_phone) == NULL)
    {
      gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
      select_conversation (self, NULL);
    }
  update_list_stack (self);
}

static void
unread_count_cb (XiInboxPage   *self,
                 GParamSpec    *pspec,
                 XiInboxFacade *inbox)
{
  unread_count_changed (self);
}

static void
reloaded_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!xi_facade_reload_finish (XI_FACADE (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("Could not read the inbox: %s", error->message);
}

static gboolean
reload_cb (gpointer user_data)
{
  XiInboxPage *self = user_data;

  self->reload_id = 0;
  if (self->inbox != NULL)
    xi_facade_reload_async (XI_FACADE (self->inbox), self->cancellable, reloaded_cb, NULL);
  return G_SOURCE_REMOVE;
}

static gboolean
thread_cb (gpointer user_data)
{
  XiInboxPage *self = user_data;

  self->thread_id = 0;
  load_messages (self);
  return G_SOURCE_REMOVE;
}

/* Search */

static gboolean
conversation_matches (gpointer item,
                      gpointer user_data)
{
  XiInboxPage *self = user_data;
  XiConversation *conversation = item;
  g_autofree char *name = NULL;
  g_autofree char *text = NULL;

  if (self->needle == NULL)
    return TRUE;
  if (self->needle_digits != NULL && !xi_phone_is_lid (xi_conversation_get_phone (conversation)) &&
      strstr (xi_conversation_get_phone (conversation), self->needle_digits) != NULL)
    return TRUE;
  name = g_utf8_casefold (xi_conversation_get_contact_name (conversation) ?: "", -1);
  if (strstr (name, self->needle) != NULL)
    return TRUE;
  text = g_utf8_casefold (xi_conversation_get_last_text (conversation) ?: "", -1);
  return strstr (text, self->needle) != NULL;
}

static void
set_search (XiInboxPage *self,
            const char  *search)
{
  g_autofree char *stripped = g_strstrip (g_strdup (search != NULL ? search : ""));
  GString *digits = g_string_new (NULL);

  g_clear_pointer (&self->needle, g_free);
  g_clear_pointer (&self->needle_digits, g_free);
  if (stripped[0] != '\0')
    self->needle = g_utf8_casefold (stripped, -1);
  for (const char *p = stripped; *p != '\0'; p++)
    if (g_ascii_isdigit (*p))
      g_string_append_c (digits, *p);
  if (digits->len >= 3)
    self->needle_digits = g_string_free (digits, FALSE);
  else
    g_string_free (digits, TRUE);

  /* No search, no filter: a filter would look at every conversation each
   * time the list is read again. */
  self->replacing = TRUE;
  gtk_filter_list_model_set_filter (self->filtered, self->needle != NULL ? GTK_FILTER (self->filter) : NULL);
  if (self->needle != NULL)
    gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  if (self->selected_phone != NULL)
    select_phone (self, self->selected_phone);
  self->replacing = FALSE;
  update_list_stack (self);
}

/* Callbacks */

static void
search_changed_cb (XiInboxPage *self)
{
  set_search (self, gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
}

static void
stop_search_cb (XiInboxPage *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
}

static void
selection_changed_cb (XiInboxPage *self)
{
  XiConversation *conversation;

  if (self->replacing)
    return;
  conversation = gtk_single_selection_get_selected_item (self->selection);
  /* The list changed around the open conversation, which moved. */
  if (conversation == NULL || g_strcmp0 (xi_conversation_get_phone (conversation), self->selected_phone) == 0)
    return;
  select_conversation (self, conversation);
  if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_set_visible_child_name (self->leaflet, "conversation");
}

static void
conversation_activated_cb (XiInboxPage *self,
                           guint        position)
{
  gtk_single_selection_set_selected (self->selection, position);
  adw_leaflet_set_visible_child_name (self->leaflet, "conversation");
  gtk_widget_grab_focus (GTK_WIDGET (self->messages_box));
}

static void
mapped_cb (XiInboxPage *self)
{
  mark_selected_read (self);
}

static void
window_active_cb (XiInboxPage *self)
{
  mark_selected_read (self);
}

static void
root_changed_cb (XiInboxPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  /* Realized again after being unrealized: connected already. */
  if (GTK_IS_WINDOW (root) &&
      g_signal_handler_find (root, G_SIGNAL_MATCH_FUNC | G_SIGNAL_MATCH_DATA, 0, 0, NULL,
                             window_active_cb, self) == 0)
    g_signal_connect_object (root, "notify::is-active", G_CALLBACK (window_active_cb), self,
                             G_CONNECT_SWAPPED);
}

/* One pane at a time: a click on the conversation already chosen opens
 * it again, which a selection that does not change would not do. */
static void
row_released_cb (GtkGestureClick *gesture,
                 int              n_press,
                 double           x,
                 double           y,
                 XiInboxPage     *self)
{
  GtkWidget *row = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture));
  GtkListItem *item = g_object_get_data (G_OBJECT (row), "list-item");

  if (item == NULL || !adw_leaflet_get_folded (self->leaflet) ||
      gtk_list_item_get_position (item) == GTK_INVALID_LIST_POSITION)
    return;
  gtk_single_selection_set_selected (self->selection, gtk_list_item_get_position (item));
  adw_leaflet_set_visible_child_name (self->leaflet, "conversation");
}

static void
setup_row_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  user_data)
{
  XiInboxPage *self = user_data;
  GtkGesture *click = gtk_gesture_click_new ();
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *avatar = adw_avatar_new (36, NULL, TRUE);
  GtkWidget *texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *bottom = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *name = gtk_label_new (NULL);
  GtkWidget *when = gtk_label_new (NULL);
  GtkWidget *preview = gtk_label_new (NULL);
  GtkWidget *tag = gtk_label_new (_("Opted out"));
  GtkWidget *unread = gtk_label_new (NULL);

  gtk_widget_set_margin_top (row, 6);
  gtk_widget_set_margin_bottom (row, 6);
  gtk_widget_set_valign (avatar, GTK_ALIGN_CENTER);
  gtk_widget_set_hexpand (texts, TRUE);

  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (name, TRUE);
  gtk_widget_add_css_class (when, "caption");
  gtk_widget_add_css_class (when, "dim-label");
  gtk_box_append (GTK_BOX (top), name);
  gtk_box_append (GTK_BOX (top), when);

  gtk_label_set_xalign (GTK_LABEL (preview), 0);
  gtk_label_set_ellipsize (GTK_LABEL (preview), PANGO_ELLIPSIZE_END);
  gtk_label_set_single_line_mode (GTK_LABEL (preview), TRUE);
  gtk_widget_set_hexpand (preview, TRUE);
  gtk_widget_add_css_class (preview, "dim-label");
  gtk_widget_set_valign (tag, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (tag, "status-pill");
  gtk_widget_set_valign (unread, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (unread, "unread-count");
  gtk_box_append (GTK_BOX (bottom), preview);
  gtk_box_append (GTK_BOX (bottom), tag);
  gtk_box_append (GTK_BOX (bottom), unread);

  gtk_box_append (GTK_BOX (texts), top);
  gtk_box_append (GTK_BOX (texts), bottom);
  gtk_box_append (GTK_BOX (row), avatar);
  gtk_box_append (GTK_BOX (row), texts);

  g_object_set_data (G_OBJECT (row), "avatar", avatar);
  g_object_set_data (G_OBJECT (row), "name", name);
  g_object_set_data (G_OBJECT (row), "when", when);
  g_object_set_data (G_OBJECT (row), "preview", preview);
  g_object_set_data (G_OBJECT (row), "tag", tag);
  g_object_set_data (G_OBJECT (row), "unread", unread);
  g_object_set_data (G_OBJECT (row), "list-item", item);
  g_signal_connect_object (click, "released", G_CALLBACK (row_released_cb), self, 0);
  gtk_widget_add_controller (row, GTK_EVENT_CONTROLLER (click));
  gtk_list_item_set_child (item, row);
}

static void
fill_row (GtkWidget      *row,
          XiConversation *conversation)
{
  g_autofree char *name = conversation_name (conversation);
  g_autofree char *when = xi_format_when (xi_conversation_get_last_received_at (conversation), FALSE);
  g_autofree char *preview = g_strdup (xi_conversation_get_last_text (conversation) ?: "");
  guint unread = xi_conversation_get_unread_count (conversation);
  GtkWidget *name_label = g_object_get_data (G_OBJECT (row), "name");
  GtkWidget *unread_label = g_object_get_data (G_OBJECT (row), "unread");

  /* One line of preview, whatever the customer typed. */
  g_strdelimit (preview, "\r\n\t", ' ');

  set_avatar (g_object_get_data (G_OBJECT (row), "avatar"), conversation);
  gtk_label_set_text (GTK_LABEL (name_label), name);
  gtk_label_set_text (g_object_get_data (G_OBJECT (row), "when"), when);
  gtk_label_set_text (g_object_get_data (G_OBJECT (row), "preview"), preview);
  gtk_widget_set_visible (g_object_get_data (G_OBJECT (row), "tag"),
                          xi_conversation_get_opted_out (conversation));
  if (unread > 0)
    {
      g_autofree char *count = g_strdup_printf ("%u", unread);

      gtk_label_set_text (GTK_LABEL (unread_label), count);
      gtk_widget_add_css_class (name_label, "heading");
    }
  else
    gtk_widget_remove_css_class (name_label, "heading");
  gtk_widget_set_visible (unread_label, unread > 0);
}

/* A row shows its conversation as it changes, in place. */
static void
conversation_notified_cb (GtkWidget      *row,
                          GParamSpec     *pspec,
                          XiConversation *conversation)
{
  fill_row (row, conversation);
}

static void
bind_row_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             gpointer                  user_data)
{
  XiConversation *conversation = gtk_list_item_get_item (item);
  GtkWidget *row = gtk_list_item_get_child (item);

  fill_row (row, conversation);
  g_signal_connect_object (conversation, "notify", G_CALLBACK (conversation_notified_cb), row,
                           G_CONNECT_SWAPPED);
}

static void
unbind_row_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  g_signal_handlers_disconnect_by_func (gtk_list_item_get_item (item), conversation_notified_cb,
                                        gtk_list_item_get_child (item));
}

/* An opt-out is news: the number will be skipped from now on. The toast
 * offers to undo it, which asks first. A campaign can bring many at once:
 * those that arrive together share one toast, which leads to the Inbox. */
static gboolean
announce_opt_outs_cb (gpointer user_data)
{
  XiInboxPage *self = user_data;
  guint count = self->opt_outs->len;
  AdwToast *t;

  self->announce_id = 0;
  if (count == 0)
    return G_SOURCE_REMOVE;

  if (count == 1)
    {
      XiIncoming *incoming = g_ptr_array_index (self->opt_outs, 0);
      g_autofree char *name = display_name (xi_incoming_get_contact_name (incoming),
                                            xi_incoming_get_phone (incoming));

      /* Translators: %s is a contact's name or number */
      t = adw_toast_new_format (_("%s asked to stop receiving messages. They will be skipped from now on."), name);
      adw_toast_set_button_label (t, _("_Undo"));
      adw_toast_set_action_name (t, "win.allow-messages");
      adw_toast_set_action_target_value (t, g_variant_new_string (xi_incoming_get_phone (incoming)));
    }
  else
    {
      /* Translators: %u is how many customers opted out at once */
      t = adw_toast_new_format (ngettext ("%u customer asked to stop receiving messages. They will be skipped from now on.",
                                          "%u customers asked to stop receiving messages. They will be skipped from now on.",
                                          count),
                                count);
      adw_toast_set_button_label (t, _("_Open Inbox"));
      adw_toast_set_action_name (t, "win.show-inbox");
    }
  g_ptr_array_set_size (self->opt_outs, 0);
  adw_toast_set_timeout (t, 10);
  toast (self, t);

  return G_SOURCE_REMOVE;
}

/* The runner publishes what arrived once per main-loop turn; a short
 * wait gathers the opt-outs of a fast campaign into one toast. */
#define ANNOUNCE_DELAY_MS 300

static void
announce_opt_out (XiInboxPage *self,
                  XiIncoming  *incoming)
{
  g_ptr_array_add (self->opt_outs, g_object_ref (incoming));
  if (self->announce_id == 0)
    self->announce_id = g_timeout_add (ANNOUNCE_DELAY_MS, announce_opt_outs_cb, self);
}

static void
incoming_cb (XiInboxPage      *self,
             XiIncoming       *incoming,
             XiCampaignRunner *runner)
{
  /* A customer's message was stored: there is room again. */
  if (self->disk_full_toast != NULL)
    adw_toast_dismiss (self->disk_full_toast);
  if (xi_incoming_get_opt_out_keyword (incoming) != NULL)
    announce_opt_out (self, incoming);
}

static void
disk_full_dismissed_cb (XiInboxPage *self)
{
  g_clear_weak_pointer (&self->disk_full_toast);
}

/* Said once until a message is stored again, and kept until read or
 * until then: a shop that misses it misses its customers. */
static void
incoming_disk_full_cb (XiInboxPage *self)
{
  AdwToast *full;

  if (self->disk_full_toast != NULL)
    return;
  full = adw_toast_new (_("The disk is full: new messages from customers stay on WhatsApp until "
                          "there is room. Free some space."));
  adw_toast_set_priority (full, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_set_timeout (full, 0);
  g_set_weak_pointer (&self->disk_full_toast, full);
  g_signal_connect_object (full, "dismissed", G_CALLBACK (disk_full_dismissed_cb), self, G_CONNECT_SWAPPED);
  toast (self, full);
}

/* Ticks moved somewhere: the open conversation may show them. */
static void
receipts_cb (XiInboxPage *self)
{
  load_messages (self);
}

static void
message_changed_cb (XiInboxPage  *self,
                    const char   *phone,
                    XiConnection *connection)
{
  if (g_strcmp0 (phone, self->selected_phone) == 0)
    load_messages (self);
}

static void
composer_failed_cb (XiInboxPage     *self,
                    const char      *message,
                    XiReplyComposer *composer)
{
  /* Translators: %s says why, such as "WhatsApp is not connected." */
  toast (self, adw_toast_new_format (_("Not sent: %s"), message));
}

static void
set_runner (XiInboxPage      *self,
            XiCampaignRunner *runner)
{
  if (runner == NULL || runner == self->runner)
    return;
  self->runner = runner;
  g_signal_connect_object (runner, "incoming", G_CALLBACK (incoming_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (runner, "receipts", G_CALLBACK (receipts_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (runner, "incoming-disk-full", G_CALLBACK (incoming_disk_full_cb), self,
                           G_CONNECT_SWAPPED);
}

static void
set_connection (XiInboxPage  *self,
                XiConnection *connection)
{
  if (connection == self->connection)
    return;
  if (self->connection != NULL)
    g_signal_handlers_disconnect_by_func (self->connection, message_changed_cb, self);
  self->connection = connection;
  if (connection != NULL)
    g_signal_connect_object (connection, "message-changed", G_CALLBACK (message_changed_cb), self,
                             G_CONNECT_SWAPPED);
  xi_reply_composer_set_connection (self->composer, connection);
}

static void
context_connection_cb (XiInboxPage *self,
                       GParamSpec  *pspec,
                       XiContext   *context)
{
  set_connection (self, xi_context_get_connection (context));
}

static void
context_runner_cb (XiInboxPage *self,
                   GParamSpec  *pspec,
                   XiContext   *context)
{
  set_runner (self, xi_context_get_runner (context));
}

static void
context_loaded_cb (XiInboxPage  *self,
                   const GError *error,
                   XiContext    *context)
{
  if (error == NULL)
    xi_inbox_page_reload (self);
}

/* Allowing messages again */

typedef struct
{
  XiInboxPage *self;
  char        *phone;
  char        *name;
  char        *contact_id;
} AllowOp;

static void
allow_op_free (AllowOp *op)
{
  g_object_unref (op->self);
  g_free (op->phone);
  g_free (op->name);
  g_free (op->contact_id);
  g_free (op);
}

static void
opt_out_undone_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  AllowOp *op = user_data;
  g_autoptr(GError) error = NULL;

  if (!xi_inbox_facade_allow_finish (XI_INBOX_FACADE (object), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast (op->self, adw_toast_new_format (_("Could not allow messages again: %s"), error->message));
    }
  else
    {
      /* Translators: %s is a contact's name or number */
      toast (op->self, adw_toast_new_format (_("%s can receive campaign messages again."), op->name));
    }
  allow_op_free (op);
}

static void
allow_response_cb (AdwMessageDialog *dialog,
                   const char       *response,
                   AllowOp          *op)
{
  if (g_str_equal (response, "allow") && op->self->inbox != NULL)
    xi_inbox_facade_allow_async (op->self->inbox, op->phone, op->self->cancellable, opt_out_undone_cb, op);
  else
    allow_op_free (op);
}

/* Actions */

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  XiInboxPage *self = XI_INBOX_PAGE (widget);

  adw_leaflet_set_visible_child_name (self->leaflet, "list");
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  XiInboxPage *self = XI_INBOX_PAGE (widget);

  adw_leaflet_set_visible_child_name (self->leaflet, "list");
  gtk_widget_grab_focus (GTK_WIDGET (self->list_view));
}

static void
allow_selected_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  XiInboxPage *self = XI_INBOX_PAGE (widget);

  if (self->selected_phone != NULL)
    xi_inbox_page_confirm_allow (self, self->selected_phone);
}

static void
show_earlier_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  XiInboxPage *self = XI_INBOX_PAGE (widget);

  self->thread_limit += THREAD_STEP;
  self->loading_earlier = TRUE;
  load_messages (self);
}

static void
mark_all_read_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  XiInboxPage *self = XI_INBOX_PAGE (widget);

  if (self->inbox != NULL)
    xi_inbox_facade_mark_read_async (self->inbox, NULL, self->cancellable, marked_read_cb, NULL);
}

/* Replies and their receipts are not the customer's messages the list is
 * made of: a reply sent from the command line or another computer, or a
 * tick pulled by sync, is seen in the open conversation only. */
static void
store_changed_cb (XiInboxPage        *self,
                  const char         *table,
                  const char * const *ids,
                  XiStore            *store)
{
  if (g_str_equal (table, "outgoing_messages") && self->selected_phone != NULL && self->thread_id == 0)
    self->thread_id = g_idle_add (thread_cb, self);
}

/* vfuncs */

static void
xi_inbox_page_context_set (XiPage    *page,
                           XiContext *context)
{
  XiInboxPage *self = XI_INBOX_PAGE (page);

  self->inbox = g_object_ref (xi_context_get_inbox_facade (context));
  gtk_filter_list_model_set_model (self->filtered, xi_facade_get_model (XI_FACADE (self->inbox)));
  g_signal_connect_object (self->inbox, "notify::unread-count", G_CALLBACK (unread_count_cb), self,
                           G_CONNECT_SWAPPED);
  unread_count_changed (self);
  update_list_stack (self);
  g_signal_connect_object (xi_context_get_store (context), "changed", G_CALLBACK (store_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (context, "notify::runner", G_CALLBACK (context_runner_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (context, "loaded", G_CALLBACK (context_loaded_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (context, "notify::connection", G_CALLBACK (context_connection_cb), self,
                           G_CONNECT_SWAPPED);
  set_runner (self, xi_context_get_runner (context));
  set_connection (self, xi_context_get_connection (context));
  xi_reply_composer_set_settings (self->composer, xi_context_get_settings (context));
  if (!xi_context_get_loading (context))
    xi_inbox_page_reload (self);
}

static void
xi_inbox_page_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  XiInboxPage *self = XI_INBOX_PAGE (object);

  switch (prop_id)
    {
    case PROP_UNREAD_COUNT:
      g_value_set_uint (value, xi_inbox_page_get_unread_count (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
xi_inbox_page_dispose (GObject *object)
{
  XiInboxPage *self = (XiInboxPage *)object;

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->messages_cancellable);
  g_clear_handle_id (&self->reload_id, g_source_remove);
  g_clear_handle_id (&self->thread_id, g_source_remove);
  g_clear_weak_pointer (&self->disk_full_toast);
  follow_shown (self, NULL);
  if (self->list_view != NULL)
    gtk_list_view_set_model (self->list_view, NULL);
  g_clear_object (&self->selection);
  g_clear_object (&self->filtered);
  g_clear_object (&self->filter);
  g_clear_object (&self->inbox);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->messages_cancellable);
  g_clear_pointer (&self->needle, g_free);
  g_clear_pointer (&self->needle_digits, g_free);
  g_clear_pointer (&self->selected_phone, g_free);
  g_clear_pointer (&self->wanted_phone, g_free);
  g_clear_pointer (&self->reply_to, g_free);
  g_clear_handle_id (&self->announce_id, g_source_remove);
  g_clear_pointer (&self->opt_outs, g_ptr_array_unref);

  G_OBJECT_CLASS (xi_inbox_page_parent_class)->dispose (object);
}

static void
xi_inbox_page_class_init (XiInboxPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  XiPageClass *page_class = XI_PAGE_CLASS (klass);

  object_class->dispose = xi_inbox_page_dispose;
  object_class->get_property = xi_inbox_page_get_property;
  page_class->context_set = xi_inbox_page_context_set;

  /**
   * XiInboxPage:unread-count:
   *
   * Messages not read yet, in every conversation.
   */
  properties[PROP_UNREAD_COUNT] =
    g_param_spec_uint ("unread-count", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/xi-inbox-page.ui");
  gtk_widget_class_bind_template_child (widget_class, XiInboxPage, page_stack);
  gtk_widget_class_bind_template_child (widget_class, XiInboxPage, leaflet);
  gtk_widget_class_bind_template_child (widget_class, XiInboxPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, XiInboxPage, list_stack);
  gtk_widget_class_bind_template_child (widget_class, XiInboxPage, list_view);
  gtk_widget_class_bind_template_child (widget_class, XiInboxPage, conversation_stack);
  gtk_widget_class_bind_template_child (widget_class, XiInboxPage, conversation_avatar);
  gtk_widget_class_bind_template_child (widget_class, XiInboxPage, conversation_title);
  gtk_widget_class_bind_template_child (widget_class, XiInboxPage, conversation_subtitle);
  gtk_widget_class_bind_template_child (widget_class, XiInboxPage, opt_out_revealer);
  gtk_widget_class_bind_template_child (widget_class, XiInboxPage, opt_out_label);
  gtk_widget_class_bind_template_child (widget_class, XiInboxPage, messages_box);
  gtk_widget_class_bind_template_child (widget_class, XiInboxPage, messages_scroller);
  gtk_widget_class_bind_template_child (widget_class, XiInboxPage, composer);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, stop_search_cb);
  gtk_widget_class_bind_template_callback (widget_class, conversation_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, composer_failed_cb);

  gtk_widget_class_install_action (widget_class, "page.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "page.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "page.allow-selected", NULL, allow_selected_action);
  gtk_widget_class_install_action (widget_class, "page.mark-all-read", NULL, mark_all_read_action);
  gtk_widget_class_install_action (widget_class, "page.show-earlier", NULL, show_earlier_action);
}

static void
xi_inbox_page_init (XiInboxPage *self)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  GtkAdjustment *adjustment;

  g_type_ensure (XI_TYPE_REPLY_COMPOSER);
  gtk_widget_init_template (GTK_WIDGET (self));
  xi_list_keys_attach (GTK_WIDGET (self->list_view), self->search_entry);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.mark-all-read", FALSE);

  self->cancellable = g_cancellable_new ();
  self->thread_limit = THREAD_STEP;
  self->opt_outs = g_ptr_array_new_with_free_func (g_object_unref);
  self->filter = gtk_custom_filter_new (conversation_matches, self, NULL);
  self->filtered = gtk_filter_list_model_new (NULL, NULL);
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->filtered)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  g_signal_connect_swapped (self->selection, "selection-changed", G_CALLBACK (selection_changed_cb), self);
  /* After the list view's own handler: a selection changed while the
   * view still holds the rows of before the change makes it reach for
   * rows that are gone. */
  g_signal_connect_data (self->selection, "items-changed", G_CALLBACK (conversations_changed_cb), self,
                         NULL, G_CONNECT_SWAPPED | G_CONNECT_AFTER);

  g_signal_connect (factory, "setup", G_CALLBACK (setup_row_cb), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row_cb), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row_cb), self);
  gtk_list_view_set_factory (self->list_view, factory);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));

  adjustment = gtk_scrolled_window_get_vadjustment (self->messages_scroller);
  g_signal_connect_object (adjustment, "notify::upper", G_CALLBACK (messages_upper_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (adjustment, "value-changed", G_CALLBACK (messages_scrolled_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect (self, "map", G_CALLBACK (mapped_cb), NULL);
  g_signal_connect (self, "realize", G_CALLBACK (root_changed_cb), NULL);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.allow-selected", FALSE);
}

/* Public API */

/**
 * xi_inbox_page_get_conversations:
 * @self: a #XiInboxPage
 *
 * Returns: (transfer none): the conversations shown, newest first
 *   (#GListModel of #XiConversation, after the search)
 */
GListModel *
xi_inbox_page_get_conversations (XiInboxPage *self)
{
  g_return_val_if_fail (XI_IS_INBOX_PAGE (self), NULL);
  return G_LIST_MODEL (self->filtered);
}

/**
 * xi_inbox_page_get_unread_count:
 * @self: a #XiInboxPage
 *
 * Returns: the messages not read yet, in every conversation
 */
guint
xi_inbox_page_get_unread_count (XiInboxPage *self)
{
  g_return_val_if_fail (XI_IS_INBOX_PAGE (self), 0);
  return self->inbox != NULL ? xi_inbox_facade_get_unread_count (self->inbox) : 0;
}

/**
 * xi_inbox_page_get_selected_phone:
 * @self: a #XiInboxPage
 *
 * Returns: (nullable): the number of the conversation shown
 */
const char *
xi_inbox_page_get_selected_phone (XiInboxPage *self)
{
  g_return_val_if_fail (XI_IS_INBOX_PAGE (self), NULL);
  return self->selected_phone;
}

/**
 * xi_inbox_page_get_messages_box:
 * @self: a #XiInboxPage
 *
 * Returns: (transfer none): the list of the shown conversation's messages
 */
GtkWidget *
xi_inbox_page_get_messages_box (XiInboxPage *self)
{
  g_return_val_if_fail (XI_IS_INBOX_PAGE (self), NULL);
  return GTK_WIDGET (self->messages_box);
}

/**
 * xi_inbox_page_show_conversation:
 * @self: a #XiInboxPage
 * @phone: the customer's number, E.164 digits
 *
 * Shows that conversation, now or once the list has it (a notification
 * may be clicked before the list is read). The search is cleared when it
 * would hide it.
 */
void
xi_inbox_page_show_conversation (XiInboxPage *self,
                                 const char  *phone)
{
  g_return_if_fail (XI_IS_INBOX_PAGE (self));
  g_return_if_fail (phone != NULL);

  if (find_conversation (self, phone) != NULL && !select_phone (self, phone))
    {
      gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
      set_search (self, NULL);
      select_phone (self, phone);
    }
  if (g_strcmp0 (self->selected_phone, phone) != 0)
    {
      g_free (self->wanted_phone);
      self->wanted_phone = g_strdup (phone);
      xi_inbox_page_reload (self);
    }
  adw_leaflet_set_visible_child_name (self->leaflet, "conversation");
}

/**
 * xi_inbox_page_confirm_allow:
 * @self: a #XiInboxPage
 * @phone: a number on the suppression list, E.164 digits
 *
 * Asks whether campaigns may message @phone again, and if the user says
 * so, takes it off the suppression list. Undoing an opt-out is never a
 * single click.
 */
void
xi_inbox_page_confirm_allow (XiInboxPage *self,
                             const char  *phone)
{
  XiConversation *conversation;
  GtkRoot *root;
  GtkWidget *dialog;
  AllowOp *op;

  g_return_if_fail (XI_IS_INBOX_PAGE (self));
  g_return_if_fail (phone != NULL);

  conversation = find_conversation (self, phone);
  op = g_new0 (AllowOp, 1);
  op->self = g_object_ref (self);
  op->phone = g_strdup (phone);
  op->name = display_name (conversation != NULL ? xi_conversation_get_contact_name (conversation) : NULL,
                           phone);
  op->contact_id = g_strdup (conversation != NULL ? xi_conversation_get_contact_id (conversation) : NULL);

  root = gtk_widget_get_root (GTK_WIDGET (self));
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, NULL, NULL);
  /* Translators: %s is a contact's name or number */
  adw_message_dialog_format_heading (ADW_MESSAGE_DIALOG (dialog), _("Allow Messages to %s Again?"), op->name);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  /* Translators: %s is a contact's name or number */
                                  _("%s asked to stop receiving messages. If you allow them again, the number "
                                    "leaves the suppression list and later campaigns will message it. Do this "
                                    "only if the customer asked for it: messaging people who opted out can get "
                                    "your WhatsApp account banned."),
                                  op->name);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Keep Blocked"),
                                    "allow", _("_Allow Messages"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "allow",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (allow_response_cb), op);
  gtk_window_present (GTK_WINDOW (dialog));
}

/**
 * xi_inbox_page_reload:
 * @self: a #XiInboxPage
 *
 * Reads the conversations again, soon: calls in one main-loop turn make
 * one read.
 */
void
xi_inbox_page_reload (XiInboxPage *self)
{
  g_return_if_fail (XI_IS_INBOX_PAGE (self));

  if (self->reload_id == 0)
    self->reload_id = g_idle_add (reload_cb, self);
}
