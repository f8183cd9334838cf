/* xi-list-keys.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "xi-list-keys.h"

/* GtkListView and GtkColumnView in GTK 4.8 move Tab from one row to the
 * next, so leaving a list of 100,000 contacts took 100,000 presses (the
 * tab-behavior property only arrives in 4.12). While the list cannot take
 * the focus, the window's own focus chain skips it and goes on to the
 * widget after (or before) it, exactly as if the list were one stop. */
static gboolean
list_key_pressed_cb (GtkEventControllerKey *controller,
                     guint                  keyval,
                     guint                  keycode,
                     GdkModifierType        state,
                     gpointer               user_data)
{
  GtkWidget *list = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (controller));
  GtkDirectionType direction;
  GtkRoot *root;
  gboolean moved;

  if (keyval == GDK_KEY_Tab || keyval == GDK_KEY_KP_Tab)
    direction = (state & GDK_SHIFT_MASK) != 0 ? GTK_DIR_TAB_BACKWARD : GTK_DIR_TAB_FORWARD;
  else if (keyval == GDK_KEY_ISO_Left_Tab)
    direction = GTK_DIR_TAB_BACKWARD;
  else
    return GDK_EVENT_PROPAGATE;

  if ((state & (GDK_CONTROL_MASK | GDK_ALT_MASK)) != 0)
    return GDK_EVENT_PROPAGATE;

  root = gtk_widget_get_root (list);
  if (root == NULL)
    return GDK_EVENT_PROPAGATE;

  gtk_widget_set_can_focus (list, FALSE);
  moved = gtk_widget_child_focus (GTK_WIDGET (root), direction);
  gtk_widget_set_can_focus (list, TRUE);

  return moved ? GDK_EVENT_STOP : GDK_EVENT_PROPAGATE;
}

static void
search_started_cb (GtkSearchEntry *search)
{
  /* The first letter went to the entry; the rest should be seen going
   * there too, with the cursor after what was typed. */
  gtk_widget_grab_focus (GTK_WIDGET (search));
  gtk_editable_set_position (GTK_EDITABLE (search), -1);
}

/**
 * xi_list_keys_attach:
 * @list: a #GtkListView or #GtkColumnView
 * @search: (nullable): the entry that searches @list
 *
 * Makes @list one stop for Tab and Shift+Tab, and sends what is typed
 * while a row has the focus to @search, which starts the search.
 */
void
xi_list_keys_attach (GtkWidget      *list,
                     GtkSearchEntry *search)
{
  GtkEventController *controller;

  g_return_if_fail (GTK_IS_LIST_VIEW (list) || GTK_IS_COLUMN_VIEW (list));
  g_return_if_fail (search == NULL || GTK_IS_SEARCH_ENTRY (search));

  controller = gtk_event_controller_key_new ();
  /* Before the rows, which would take Tab to the next row. */
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect (controller, "key-pressed", G_CALLBACK (list_key_pressed_cb), NULL);
  gtk_widget_add_controller (list, controller);

  if (search != NULL)
    {
      gtk_search_entry_set_key_capture_widget (search, list);
      g_signal_connect (search, "search-started", G_CALLBACK (search_started_cb), NULL);
    }
}
