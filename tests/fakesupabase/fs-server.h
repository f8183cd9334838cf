/* fs-server.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define FS_TYPE_SERVER (fs_server_get_type ())

G_DECLARE_FINAL_TYPE (FsServer, fs_server, FS, SERVER, GObject)

FsServer   *fs_server_new             (const char  *conninfo,
                                       const char  *auth_user,
                                       const char  *jwt_secret,
                                       guint        port,
                                       GError     **error);
const char *fs_server_get_url         (FsServer    *self);
const char *fs_server_get_anon_key    (FsServer    *self);
const char *fs_server_get_service_key (FsServer    *self);
void        fs_server_set_max_rows    (FsServer    *self,
                                       guint        max_rows);
void        fs_server_set_autoconfirm (FsServer    *self,
                                       gboolean     autoconfirm);
void        fs_server_set_token_lifetime (FsServer *self,
                                          guint     seconds);

G_END_DECLS
