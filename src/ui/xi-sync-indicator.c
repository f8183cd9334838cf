/* xi-sync-indicator.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-sync-indicator"

#include "config.h"

#include <glib/gi18n.h>

#include "xi-format.h"
#include "xi-store-sync.h"
#include "xi-sync-indicator.h"

/*
 * The account's sync in the header bar while someone is signed in: an
 * icon in the state's colour for up to date, syncing, offline or a
 * problem, its tooltip in words (syncing N changes, offline with a
 * countdown to the next try). Words would not fit: the centred page
 * switcher leaves the header's sides little room, and a label changing
 * width would make it jump to the bottom bar. Its popover explains
 * the state in a shop owner's words, keeps the server's own message
 * below for support, and lists the changes the server refused, each of
 * which can be sent again or dropped for the server's copy. Main thread
 * only.
 */
struct _XiSyncIndicator
{
  GtkWidget      parent_instance;

  /* Template widgets */
  GtkWidget     *button;
  GtkImage      *icon;
  GtkPopover    *popover;
  GtkLabel      *status_label;
  GtkLabel      *explanation_label;
  GtkLabel      *reason_label;
  GtkWidget     *refused_box;
  GtkListBox    *refused_list;
  GtkWidget     *sync_button;
  GtkWidget     *sign_out_button;

  /* Owned */
  XiContext     *context;
  XiSyncService *service;
  GCancellable  *cancellable;  /* the refused list being read */
  gint64         retry_at;     /* monotonic µs of the next try, when offline */
  guint          tick_id;
};

G_DEFINE_FINAL_TYPE (XiSyncIndicator, xi_sync_indicator, GTK_TYPE_WIDGET)

static void update (XiSyncIndicator *self);

/* Auxiliary methods */

static guint
seconds_to_retry (XiSyncIndicator *self)
{
  gint64 left = self->retry_at - g_get_monotonic_time ();

  return left > 0 ? (guint) ((left + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC) : 0;
}

/* What the header bar's icon means (its tooltip; the popover says
 * more), and the icon and colour that show it at a glance. */
static char *
dup_summary (XiSyncIndicator  *self,
             const char      **icon,
             const char      **style)
{
  guint pending = xi_sync_service_get_pending (self->service);
  guint refused = xi_sync_service_get_refused (self->service);

  *style = NULL;
  switch (xi_sync_service_get_state (self->service))
    {
    case XI_SYNC_STATE_STARTING:
      *icon = "emblem-synchronizing-symbolic";
      return g_strdup (_("Connecting…"));
    case XI_SYNC_STATE_SYNCING:
      *icon = "emblem-synchronizing-symbolic";
      if (pending == 0)
        return g_strdup (_("Syncing…"));
      /* Translators: %'u is a count such as 1,204 */
      return g_strdup_printf (ngettext ("Syncing %'u change", "Syncing %'u changes", pending), pending);
    case XI_SYNC_STATE_OFFLINE:
      *icon = "network-offline-symbolic";
      *style = "warning";
      if (seconds_to_retry (self) == 0)
        return g_strdup (_("Offline, retrying…"));
      else
        {
          g_autofree char *wait = xi_format_short_wait (seconds_to_retry (self));

          /* Translators: %s is a short wait such as "12 s" */
          return g_strdup_printf (_("Offline, retrying in %s"), wait);
        }
    case XI_SYNC_STATE_SIGNED_OUT:
      *icon = "dialog-password-symbolic";
      *style = "error";
      return g_strdup (_("Sign-in needed"));
    case XI_SYNC_STATE_PROBLEM:
      *icon = "dialog-warning-symbolic";
      *style = "error";
      return g_strdup (_("Sync problem"));
    case XI_SYNC_STATE_UP_TO_DATE:
    default:
      if (refused > 0)
        {
          *icon = "dialog-warning-symbolic";
          *style = "warning";
          return g_strdup_printf (ngettext ("%'u change refused", "%'u changes refused", refused), refused);
        }
      *icon = "emblem-ok-symbolic";
      *style = "success";
      return g_strdup (_("Up to date"));
    }
}

/* The popover's heading and its explanation. */
static void
explain (XiSyncIndicator  *self,
         char            **heading,
         char            **explanation)
{
  guint pending = xi_sync_service_get_pending (self->service);

  switch (xi_sync_service_get_state (self->service))
    {
    case XI_SYNC_STATE_STARTING:
      *heading = g_strdup (_("Connecting to your account"));
      *explanation = g_strdup (_("Your changes are kept on this computer meanwhile."));
      break;
    case XI_SYNC_STATE_SYNCING:
      *heading = g_strdup (_("Sending and receiving changes"));
      *explanation = g_strdup_printf (ngettext ("%'u change made here is waiting to be sent.",
                                                "%'u changes made here are waiting to be sent.",
                                                pending), pending);
      break;
    case XI_SYNC_STATE_OFFLINE:
      *heading = g_strdup (_("The server cannot be reached"));
      *explanation = g_strdup (_("Keep working: your changes are kept on this computer and sent "
                                 "when the connection returns."));
      break;
    case XI_SYNC_STATE_SIGNED_OUT:
      *heading = g_strdup (_("This computer was signed out"));
      *explanation = g_strdup (_("The server ended this computer’s session, so nothing is synced. "
                                 "Sign out and sign in again: the data on this computer stays."));
      break;
    case XI_SYNC_STATE_PROBLEM:
      *heading = g_strdup (_("Sync stopped because of a problem"));
      *explanation = g_strdup (_("Your changes are kept on this computer. If this stays, send the "
                                 "message below to whoever set up your project."));
      break;
    case XI_SYNC_STATE_UP_TO_DATE:
    default:
      if (xi_sync_service_get_refused (self->service) > 0)
        {
          *heading = g_strdup (_("The server refused some changes"));
          *explanation = g_strdup (_("Everything else is up to date. Once the reason is fixed, "
                                     "send a change again, or discard it to keep the server’s copy."));
          break;
        }
      *heading = g_strdup (_("Everything is up to date"));
      *explanation = g_strdup (_("Changes made here reach your other computers, and theirs "
                                 "appear here."));
      break;
    }
}

static gboolean
tick_cb (gpointer user_data)
{
  XiSyncIndicator *self = user_data;

  update (self);
  if (seconds_to_retry (self) > 0)
    return G_SOURCE_CONTINUE;
  self->tick_id = 0;
  return G_SOURCE_REMOVE;
}

static void
update (XiSyncIndicator *self)
{
  static const char * const styles[] = { "success", "warning", "error" };
  g_autofree char *summary = NULL;
  g_autofree char *heading = NULL;
  g_autofree char *explanation = NULL;
  const char *message;
  const char *icon = NULL;
  const char *style = NULL;
  XiSyncState state;

  gtk_widget_set_visible (GTK_WIDGET (self), self->service != NULL);
  if (self->service == NULL)
    return;

  state = xi_sync_service_get_state (self->service);
  summary = dup_summary (self, &icon, &style);
  gtk_widget_set_tooltip_text (self->button, summary);
  /* An icon alone says nothing to a screen reader. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->button), GTK_ACCESSIBLE_PROPERTY_LABEL, summary, -1);
  gtk_image_set_from_icon_name (self->icon, icon);
  for (guint i = 0; i < G_N_ELEMENTS (styles); i++)
    if (g_strcmp0 (style, styles[i]) != 0)
      gtk_widget_remove_css_class (self->button, styles[i]);
  if (style != NULL)
    gtk_widget_add_css_class (self->button, style);

  explain (self, &heading, &explanation);
  gtk_label_set_label (self->status_label, heading);
  gtk_label_set_label (self->explanation_label, explanation);
  message = xi_sync_service_get_message (self->service);
  gtk_label_set_label (self->reason_label, message);
  /* Up to date or syncing, the only message is the service's notice. */
  gtk_widget_set_visible (GTK_WIDGET (self->reason_label), message != NULL);
  gtk_widget_set_visible (self->refused_box, xi_sync_service_get_refused (self->service) > 0);
  gtk_widget_set_sensitive (self->sync_button, state != XI_SYNC_STATE_SYNCING &&
                            state != XI_SYNC_STATE_SIGNED_OUT);
  gtk_widget_set_visible (self->sign_out_button, state == XI_SYNC_STATE_SIGNED_OUT);

  if (state == XI_SYNC_STATE_OFFLINE && seconds_to_retry (self) > 0 && self->tick_id == 0)
    self->tick_id = g_timeout_add_seconds (1, tick_cb, self);
}

/* A contact is not held in memory: its row says "A contact" until the
 * store has said its name. */
static void
contact_found_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GtkWidget) row = user_data;
  g_autoptr(XiContact) contact = xi_contacts_facade_find_finish (XI_CONTACTS_FACADE (object), result, NULL);
  g_autofree char *title = NULL;

  if (contact == NULL || !xi_contact_has_name (contact))
    return;
  /* Translators: %s is a customer's name */
  title = g_strdup_printf (_("Contact “%s”"), xi_contact_get_name (contact));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
}

/* Says which row a refused change was about, by the name the page
 * models know it by. */
static char *
dup_change_title (XiSyncIndicator *self,
                  XiSyncOp        *op)
{
  if (g_str_equal (op->table_name, "contacts"))
    return g_strdup (_("A contact"));
  if (g_str_equal (op->table_name, "groups"))
    {
      XiGroup *group = xi_context_find_group (self->context, op->row_id);

      /* Translators: %s is a contact group's name */
      return group != NULL ? g_strdup_printf (_("Group “%s”"), xi_group_get_name (group))
                           : g_strdup (_("A group"));
    }
  if (g_str_equal (op->table_name, "group_members"))
    return g_strdup (_("A group member"));
  if (g_str_equal (op->table_name, "templates"))
    {
      XiTemplate *template_ = xi_facade_find (XI_FACADE (xi_context_get_templates_facade (self->context)),
                                              op->row_id);

      /* Translators: %s is a message template's name */
      return template_ != NULL ? g_strdup_printf (_("Template “%s”"), xi_template_get_name (template_))
                               : g_strdup (_("A template"));
    }
  if (g_str_equal (op->table_name, "jobs"))
    {
      XiJob *job = xi_facade_find (XI_FACADE (xi_context_get_campaigns (self->context)), op->row_id);

      /* Translators: %s is a campaign's name */
      return job != NULL ? g_strdup_printf (_("Campaign “%s”"), xi_job_get_name (job))
                         : g_strdup (_("A campaign"));
    }
  if (g_str_equal (op->table_name, "incoming_messages"))
    return g_strdup (_("A received message"));
  if (g_str_has_prefix (op->table_name, "job"))
    return g_strdup (_("A campaign"));
  return g_strdup (_("Another change"));
}

static void
resolved_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  xi_sync_service_resolve_refused_finish (XI_SYNC_SERVICE (object), result, &error);
  if (error != NULL)
    g_warning ("Could not resolve a refused change: %s", error->message);
}

static void
resolve (XiSyncIndicator  *self,
         GtkWidget        *button,
         XiSyncDeadAction  action)
{
  GtkWidget *row = gtk_widget_get_ancestor (button, GTK_TYPE_LIST_BOX_ROW);
  const char *op_id = g_object_get_data (G_OBJECT (row), "op-id");

  if (self->service == NULL)
    return;
  xi_sync_service_resolve_refused_async (self->service, op_id, action, resolved_cb, NULL);
  gtk_list_box_remove (self->refused_list, row);
}

static void
retry_clicked_cb (GtkButton       *button,
                  XiSyncIndicator *self)
{
  resolve (self, GTK_WIDGET (button), XI_SYNC_DEAD_RETRY);
}

static void
discard_clicked_cb (GtkButton       *button,
                    XiSyncIndicator *self)
{
  resolve (self, GTK_WIDGET (button), XI_SYNC_DEAD_DISCARD);
}

static GtkWidget *
make_refused_row (XiSyncIndicator *self,
                  XiSyncOp        *op)
{
  g_autofree char *title = dup_change_title (self, op);
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *retry = gtk_button_new_from_icon_name ("view-refresh-symbolic");
  GtkWidget *discard = gtk_button_new_from_icon_name ("user-trash-symbolic");

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                               op->last_error != NULL ? op->last_error : _("No reason was given"));
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  g_object_set_data_full (G_OBJECT (row), "op-id", g_strdup (op->op_id), g_free);
  if (g_str_equal (op->table_name, "contacts"))
    xi_contacts_facade_find_async (xi_context_get_contacts_facade (self->context), op->row_id,
                                   self->cancellable, contact_found_cb, g_object_ref_sink (g_object_ref (row)));

  gtk_widget_set_valign (retry, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (retry, _("Send Again"));
  gtk_widget_add_css_class (retry, "flat");
  g_signal_connect_object (retry, "clicked", G_CALLBACK (retry_clicked_cb), self, 0);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), retry);

  gtk_widget_set_valign (discard, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (discard, _("Discard, Keeping the Server’s Copy"));
  gtk_widget_add_css_class (discard, "flat");
  g_signal_connect_object (discard, "clicked", G_CALLBACK (discard_clicked_cb), self, 0);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), discard);
  return row;
}

static void
refused_listed_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  XiSyncIndicator *self = user_data;
  g_autoptr(GPtrArray) dead = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *child;

  dead = xi_store_sync_list_dead_finish (XI_STORE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->cancellable);
  if (dead == NULL)
    {
      g_warning ("Could not list the refused changes: %s", error->message);
      return;
    }
  g_ptr_array_set_free_func (dead, (GDestroyNotify) xi_sync_op_free);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->refused_list))) != NULL)
    gtk_list_box_remove (self->refused_list, child);
  for (guint i = 0; i < dead->len; i++)
    gtk_list_box_append (self->refused_list, make_refused_row (self, g_ptr_array_index (dead, i)));
}

static void
reload_refused (XiSyncIndicator *self)
{
  if (self->context == NULL)
    return;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  xi_store_sync_list_dead_async (xi_context_get_store (self->context), self->cancellable,
                                 refused_listed_cb, self);
}

/* Callbacks */

static void
service_notified_cb (XiSyncIndicator *self,
                     GParamSpec      *pspec,
                     XiSyncService   *service)
{
  if (g_str_equal (pspec->name, "retry-in") || g_str_equal (pspec->name, "state"))
    self->retry_at = g_get_monotonic_time () +
                     (gint64) xi_sync_service_get_retry_in (service) * G_USEC_PER_SEC;
  if (g_str_equal (pspec->name, "refused"))
    reload_refused (self);
  update (self);
}

static void
set_service (XiSyncIndicator *self,
             XiSyncService   *service)
{
  if (self->service != NULL)
    g_signal_handlers_disconnect_by_data (self->service, self);
  g_clear_handle_id (&self->tick_id, g_source_remove);
  g_set_object (&self->service, service);
  self->retry_at = 0;
  if (service != NULL)
    {
      g_signal_connect_object (service, "notify", G_CALLBACK (service_notified_cb), self,
                               G_CONNECT_SWAPPED);
      self->retry_at = g_get_monotonic_time () +
                       (gint64) xi_sync_service_get_retry_in (service) * G_USEC_PER_SEC;
      reload_refused (self);
    }
  else
    gtk_popover_popdown (self->popover);
  update (self);
}

static void
context_sync_service_cb (XiSyncIndicator *self,
                         GParamSpec      *pspec,
                         XiContext       *context)
{
  set_service (self, xi_context_get_sync_service (context));
}

/* The models read again (a refused row comes back marked): the list
 * names it now. */
static void
context_loaded_cb (XiSyncIndicator *self)
{
  if (self->service != NULL && xi_sync_service_get_refused (self->service) > 0)
    reload_refused (self);
}

static void
popover_shown_cb (XiSyncIndicator *self)
{
  /* The selectable reason would take the focus and show all selected. */
  gtk_widget_grab_focus (self->sync_button);
  reload_refused (self);
}

static void
sync_clicked_cb (XiSyncIndicator *self)
{
  if (self->service != NULL)
    xi_sync_service_sync_now (self->service);
}

/* GObject */

static void
xi_sync_indicator_dispose (GObject *object)
{
  XiSyncIndicator *self = (XiSyncIndicator *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->tick_id, g_source_remove);
  if (self->service != NULL)
    g_signal_handlers_disconnect_by_data (self->service, self);
  g_clear_object (&self->service);
  if (self->context != NULL)
    g_signal_handlers_disconnect_by_data (self->context, self);
  g_clear_object (&self->context);
  gtk_widget_dispose_template (GTK_WIDGET (self), XI_TYPE_SYNC_INDICATOR);

  G_OBJECT_CLASS (xi_sync_indicator_parent_class)->dispose (object);
}

static void
xi_sync_indicator_class_init (XiSyncIndicatorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = xi_sync_indicator_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/xi-sync-indicator.ui");
  gtk_widget_class_bind_template_child (widget_class, XiSyncIndicator, button);
  gtk_widget_class_bind_template_child (widget_class, XiSyncIndicator, icon);
  gtk_widget_class_bind_template_child (widget_class, XiSyncIndicator, popover);
  gtk_widget_class_bind_template_child (widget_class, XiSyncIndicator, status_label);
  gtk_widget_class_bind_template_child (widget_class, XiSyncIndicator, explanation_label);
  gtk_widget_class_bind_template_child (widget_class, XiSyncIndicator, reason_label);
  gtk_widget_class_bind_template_child (widget_class, XiSyncIndicator, refused_box);
  gtk_widget_class_bind_template_child (widget_class, XiSyncIndicator, refused_list);
  gtk_widget_class_bind_template_child (widget_class, XiSyncIndicator, sync_button);
  gtk_widget_class_bind_template_child (widget_class, XiSyncIndicator, sign_out_button);
  gtk_widget_class_bind_template_callback (widget_class, popover_shown_cb);
  gtk_widget_class_bind_template_callback (widget_class, sync_clicked_cb);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "syncindicator");
}

static void
xi_sync_indicator_init (XiSyncIndicator *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/* Public API */

/**
 * xi_sync_indicator_set_context:
 * @self: a #XiSyncIndicator
 * @context: the window's services; the indicator follows its sync service
 */
void
xi_sync_indicator_set_context (XiSyncIndicator *self,
                               XiContext       *context)
{
  g_return_if_fail (XI_IS_SYNC_INDICATOR (self));
  g_return_if_fail (XI_IS_CONTEXT (context));
  g_return_if_fail (self->context == NULL);

  self->context = g_object_ref (context);
  g_signal_connect_object (context, "notify::sync-service", G_CALLBACK (context_sync_service_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (context, "loaded", G_CALLBACK (context_loaded_cb), self, G_CONNECT_SWAPPED);
  set_service (self, xi_context_get_sync_service (context));
}

/**
 * xi_sync_indicator_get_text:
 * @self: a #XiSyncIndicator
 *
 * Returns: (nullable): what the header bar's icon means, in full (its
 *   tooltip); %NULL while nobody is signed in
 */
const char *
xi_sync_indicator_get_text (XiSyncIndicator *self)
{
  g_return_val_if_fail (XI_IS_SYNC_INDICATOR (self), NULL);
  return self->service != NULL ? gtk_widget_get_tooltip_text (self->button) : NULL;
}

/**
 * xi_sync_indicator_open:
 * @self: a #XiSyncIndicator
 *
 * Shows the popover, as a click does.
 */
void
xi_sync_indicator_open (XiSyncIndicator *self)
{
  g_return_if_fail (XI_IS_SYNC_INDICATOR (self));
  gtk_menu_button_popup (GTK_MENU_BUTTON (self->button));
}
