/* fs-auth.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "fs-exchange.h"

G_BEGIN_DECLS

void fs_auth_handle       (FsExchange *ex,
                           const char *route);
void fs_auth_end_sessions (FsExchange *ex,
                           const char *email,
                           const char *session_id);
void fs_auth_confirm      (FsExchange *ex,
                           const char *email);
char *fs_auth_dup_error   (const char *api_version,
                           guint       status,
                           const char *code,
                           const char *message);

G_END_DECLS
