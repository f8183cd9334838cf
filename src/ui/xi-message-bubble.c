/* xi-message-bubble.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-message-bubble"

#include "config.h"

#include <glib/gi18n.h>

#include "xi-format.h"
#include "xi-media-bubble.h"
#include "xi-message-bubble.h"

/* One message of a conversation: the customer's on the left, ours on the
 * right with where it came from (a campaign, an auto-reply rule) and its
 * ticks. Main thread only; the message is immutable, so a change of state
 * is a new bubble. */
struct _XiMessageBubble
{
  GtkWidget      parent_instance;

  XiChatMessage *message;
  GtkWidget     *box;
  GtkWidget     *ticks;
};

G_DEFINE_FINAL_TYPE (XiMessageBubble, xi_message_bubble, GTK_TYPE_WIDGET)

/* Auxiliary methods */

/* What the ticks show, and what they mean for somebody who cannot see
 * them. */
static const char *
ticks_for (XiChatState   state,
           const char  **meaning)
{
  *meaning = xi_chat_state_describe (state);
  switch (state)
    {
    case XI_CHAT_STATE_PENDING:
      return "🕓";
    case XI_CHAT_STATE_SENT:
      return "✓";
    case XI_CHAT_STATE_DELIVERED:
    case XI_CHAT_STATE_READ:
      return "✓✓";
    case XI_CHAT_STATE_FAILED:
      return "!";
    case XI_CHAT_STATE_RECEIVED:
    default:
      return NULL;
    }
}

static char *
source_of (XiChatMessage *message)
{
  const char *name = xi_chat_message_get_source_name (message);

  switch (xi_chat_message_get_kind (message))
    {
    case XI_CHAT_KIND_CAMPAIGN:
      /* Translators: above a message a campaign sent; %s is its name */
      return name != NULL ? g_strdup_printf (_("Campaign “%s”"), name) : g_strdup (_("Campaign"));
    case XI_CHAT_KIND_AUTO_REPLY:
      /* Translators: above an automatic reply; %s is the rule's name */
      return name != NULL ? g_strdup_printf (_("Auto-reply “%s”"), name) : g_strdup (_("Auto-reply"));
    case XI_CHAT_KIND_CUSTOMER:
    case XI_CHAT_KIND_REPLY:
    default:
      return NULL;
    }
}

static void
build (XiMessageBubble  *self,
       XiCampaignRunner *runner,
       XiImageDecoder   *decoder)
{
  XiChatMessage *message = self->message;
  gboolean ours = xi_chat_message_is_ours (message);
  g_autofree char *markup = xi_format_whatsapp_markup (xi_chat_message_get_text (message));
  g_autofree char *when = xi_format_when (xi_chat_message_get_time (message), TRUE);
  g_autofree char *source = source_of (message);
  const char *keyword = xi_chat_message_get_opt_out_keyword (message);
  const char *meaning = NULL;
  const char *ticks = ticks_for (xi_chat_message_get_state (message), &meaning);
  XiIncoming *with_file = xi_chat_message_get_incoming (message);
  GtkWidget *meta = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *time = gtk_label_new (when);

  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));

  if (source != NULL)
    {
      GtkWidget *from = gtk_label_new (source);

      gtk_label_set_xalign (GTK_LABEL (from), 0);
      gtk_label_set_ellipsize (GTK_LABEL (from), PANGO_ELLIPSIZE_END);
      gtk_widget_add_css_class (from, "caption-heading");
      gtk_widget_add_css_class (from, "dim-label");
      gtk_box_append (GTK_BOX (self->box), from);
    }

  if (with_file != NULL)
    gtk_box_append (GTK_BOX (self->box), xi_media_bubble_new (with_file, runner, decoder));
  /* A file may come without a caption. */
  if (with_file == NULL || *xi_chat_message_get_text (message) != '\0')
    {
      GtkWidget *text = gtk_label_new (NULL);

      gtk_label_set_markup (GTK_LABEL (text), markup);
      gtk_label_set_wrap (GTK_LABEL (text), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (text), PANGO_WRAP_WORD_CHAR);
      /* Long messages read as a column, not one wide line. */
      gtk_label_set_max_width_chars (GTK_LABEL (text), 60);
      gtk_label_set_xalign (GTK_LABEL (text), 0);
      gtk_label_set_selectable (GTK_LABEL (text), TRUE);
      gtk_box_append (GTK_BOX (self->box), text);
    }

  gtk_widget_set_halign (meta, ours ? GTK_ALIGN_END : GTK_ALIGN_START);
  gtk_widget_add_css_class (time, "caption");
  gtk_widget_add_css_class (time, "dim-label");
  gtk_box_append (GTK_BOX (meta), time);
  if (keyword != NULL)
    {
      /* Translators: under a customer's message that asked to stop receiving messages */
      GtkWidget *tag = gtk_label_new (_("Opt-out"));

      gtk_widget_add_css_class (tag, "caption-heading");
      gtk_widget_add_css_class (tag, "error");
      gtk_box_append (GTK_BOX (meta), tag);
    }
  if (ticks != NULL)
    {
      self->ticks = gtk_label_new (ticks);
      gtk_widget_set_tooltip_text (self->ticks, meaning);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->ticks), GTK_ACCESSIBLE_PROPERTY_LABEL, meaning, -1);
      gtk_widget_add_css_class (self->ticks, "caption");
      gtk_widget_add_css_class (self->ticks, "message-ticks");
      if (xi_chat_message_get_state (message) == XI_CHAT_STATE_READ)
        gtk_widget_add_css_class (self->ticks, "read");
      else if (xi_chat_message_get_state (message) == XI_CHAT_STATE_FAILED)
        gtk_widget_add_css_class (self->ticks, "error");
      else
        gtk_widget_add_css_class (self->ticks, "dim-label");
      gtk_box_append (GTK_BOX (meta), self->ticks);
    }
  gtk_box_append (GTK_BOX (self->box), meta);

  gtk_widget_set_halign (GTK_WIDGET (self), ours ? GTK_ALIGN_END : GTK_ALIGN_START);
  gtk_widget_add_css_class (self->box, ours ? "outgoing-message" : "incoming-message");
  if (keyword != NULL)
    gtk_widget_add_css_class (self->box, "opt-out");
}

/* GObject */

static void
xi_message_bubble_dispose (GObject *object)
{
  XiMessageBubble *self = (XiMessageBubble *)object;

  g_clear_pointer (&self->box, gtk_widget_unparent);
  self->ticks = NULL;

  G_OBJECT_CLASS (xi_message_bubble_parent_class)->dispose (object);
}

static void
xi_message_bubble_finalize (GObject *object)
{
  XiMessageBubble *self = (XiMessageBubble *)object;

  g_clear_object (&self->message);

  G_OBJECT_CLASS (xi_message_bubble_parent_class)->finalize (object);
}

static void
xi_message_bubble_class_init (XiMessageBubbleClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = xi_message_bubble_dispose;
  object_class->finalize = xi_message_bubble_finalize;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "message-bubble");
}

static void
xi_message_bubble_init (XiMessageBubble *self)
{
}

/* Public API */

/**
 * xi_message_bubble_new:
 * @message: the message to show
 * @runner: (nullable): the engine that fetches a customer's file on
 *   demand, if the message carries one
 * @decoder: what decodes the picture a customer's message carries
 *
 * Returns: (transfer floating): a bubble for @message
 */
GtkWidget *
xi_message_bubble_new (XiChatMessage    *message,
                       XiCampaignRunner *runner,
                       XiImageDecoder   *decoder)
{
  XiMessageBubble *self;

  g_return_val_if_fail (XI_IS_CHAT_MESSAGE (message), NULL);

  self = g_object_new (XI_TYPE_MESSAGE_BUBBLE, NULL);
  self->message = g_object_ref (message);
  build (self, runner, decoder);
  return GTK_WIDGET (self);
}

/**
 * xi_message_bubble_get_message:
 *
 * Returns: (transfer none): the message shown
 */
XiChatMessage *
xi_message_bubble_get_message (XiMessageBubble *self)
{
  g_return_val_if_fail (XI_IS_MESSAGE_BUBBLE (self), NULL);
  return self->message;
}

/**
 * xi_message_bubble_get_ticks:
 *
 * Returns: (nullable): the ticks shown, "✓✓" or the like, or %NULL for a
 *   customer's message
 */
const char *
xi_message_bubble_get_ticks (XiMessageBubble *self)
{
  g_return_val_if_fail (XI_IS_MESSAGE_BUBBLE (self), NULL);
  return self->ticks != NULL ? gtk_label_get_text (GTK_LABEL (self->ticks)) : NULL;
}
