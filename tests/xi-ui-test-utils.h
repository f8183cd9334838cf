/* xi-ui-test-utils.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "xi-context.h"

G_BEGIN_DECLS

typedef struct
{
  char      *dir;
  XiStore   *store;
  GSettings *settings;
  XiContext *context;
} XiUiFixture;

void      xi_ui_fixture_setup     (XiUiFixture   *fixture,
                                   gconstpointer  data);
void      xi_ui_fixture_teardown  (XiUiFixture   *fixture,
                                   gconstpointer  data);
void      xi_ui_reload            (XiUiFixture   *fixture);
void      xi_ui_import_numbered   (XiUiFixture   *fixture,
                                   const char    *name,
                                   const char    *phone_prefix,
                                   guint          n);
void      xi_ui_spin              (guint          milliseconds);
void      xi_ui_wait_filter       (GListModel    *model);
void      xi_ui_wait_contacts     (GListModel    *model);
void      xi_ui_wait_contacts_n   (GListModel    *model,
                                  guint          n);
XiContact *xi_ui_find_contact     (GListModel    *model,
                                  const char    *what,
                                  guint          timeout_ms);
guint     xi_ui_count_layouts     (GtkWidget     *widget,
                                   guint          milliseconds);
gboolean  xi_ui_send_keys         (GtkWindow     *window,
                                   const char    *command,
                                   const char    *keys);
gboolean  xi_ui_send_keys_to      (GtkNative     *native,
                                   const char    *command,
                                   const char    *keys);
gboolean  xi_ui_wait_for          (gboolean     (*done) (gpointer data),
                                   gpointer       data,
                                   guint          timeout_ms);
gpointer  xi_ui_wait_for_item     (XiFacade      *facade,
                                   const char    *id);
void      xi_ui_screenshot        (GtkWidget     *widget,
                                   const char    *name);
GtkWindow *xi_ui_find_window      (GType          type);
AdwMessageDialog *xi_ui_find_message_dialog (void);
GtkWidget *xi_ui_find_widget      (GtkWidget     *root,
                                   GType          type);
GtkWidget *xi_ui_find_button      (GtkWidget     *root,
                                   const char    *label);
GtkWidget *xi_ui_find_row         (GtkWidget     *root,
                                   const char    *title);
int       xi_ui_init              (int           *argc,
                                   char        ***argv);
int       xi_ui_init_language     (int           *argc,
                                   char        ***argv,
                                   const char    *localedir,
                                   const char   **language,
                                   char         **locale_dir);

G_END_DECLS
