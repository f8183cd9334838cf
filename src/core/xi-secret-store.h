/* xi-secret-store.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * XiSecretBackend:
 * @XI_SECRET_BACKEND_AUTO: the Secret Service when one runs (GNOME Keyring,
 *   KWallet, the secret portal under Flatpak), else key files with a
 *   warning
 * @XI_SECRET_BACKEND_SERVICE: the Secret Service only
 * @XI_SECRET_BACKEND_FILE: key files of mode 0600 beside the database,
 *   chosen on purpose (a server without a desktop session), so without a
 *   warning
 *
 * Where an #XiSecretStore keeps its secrets.
 */
typedef enum {
  XI_SECRET_BACKEND_AUTO,
  XI_SECRET_BACKEND_SERVICE,
  XI_SECRET_BACKEND_FILE,
} XiSecretBackend;

#define XI_TYPE_SECRET_STORE (xi_secret_store_get_type ())

G_DECLARE_FINAL_TYPE (XiSecretStore, xi_secret_store, XI, SECRET_STORE, GObject)

XiSecretStore   *xi_secret_store_new            (const char           *database_path,
                                                 XiSecretBackend       backend);
XiSecretBackend  xi_secret_store_backend_from_env (void);
char            *xi_secret_store_dup_key_file   (XiSecretStore        *self,
                                                 const char           *name);
char            *xi_secret_store_dup_folder_name (XiSecretStore       *self,
                                                  const char          *name);

GBytes          *xi_secret_store_lookup_sync    (XiSecretStore        *self,
                                                 const char           *name,
                                                 GCancellable         *cancellable,
                                                 GError              **error);
gboolean         xi_secret_store_save_sync      (XiSecretStore        *self,
                                                 const char           *name,
                                                 const char           *label,
                                                 GBytes               *secret,
                                                 GCancellable         *cancellable,
                                                 GError              **error);
gboolean         xi_secret_store_delete_sync    (XiSecretStore        *self,
                                                 const char           *name,
                                                 GCancellable         *cancellable,
                                                 GError              **error);

void             xi_secret_store_lookup_async   (XiSecretStore        *self,
                                                 const char           *name,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
GBytes          *xi_secret_store_lookup_finish  (XiSecretStore        *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
void             xi_secret_store_save_async     (XiSecretStore        *self,
                                                 const char           *name,
                                                 const char           *label,
                                                 GBytes               *secret,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
gboolean         xi_secret_store_save_finish    (XiSecretStore        *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
void             xi_secret_store_delete_async   (XiSecretStore        *self,
                                                 const char           *name,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
gboolean         xi_secret_store_delete_finish  (XiSecretStore        *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);

G_END_DECLS
