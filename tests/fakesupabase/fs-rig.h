/* fs-rig.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _FsRig FsRig;

FsRig      *fs_rig_start           (const char * const *gateway_args,
                                    GError            **error);
void        fs_rig_stop            (FsRig              *self);
const char *fs_rig_get_url         (FsRig              *self);
const char *fs_rig_get_anon_key    (FsRig              *self);
const char *fs_rig_get_service_key (FsRig              *self);
gboolean    fs_rig_sql             (FsRig              *self,
                                    const char         *statement,
                                    GError            **error);
gboolean    fs_rig_control         (FsRig              *self,
                                    const char         *command,
                                    GError            **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FsRig, fs_rig_stop)

G_END_DECLS
