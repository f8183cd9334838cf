/* xi-engine-lock.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * XiEngineLockKind:
 * @XI_ENGINE_LOCK_KIND_UNKNOWN: the holder did not say (yet)
 * @XI_ENGINE_LOCK_KIND_APP: the app
 * @XI_ENGINE_LOCK_KIND_CLI: xender-in-cli
 *
 * Which program runs the engine of a data folder.
 */
typedef enum
{
  XI_ENGINE_LOCK_KIND_UNKNOWN,
  XI_ENGINE_LOCK_KIND_APP,
  XI_ENGINE_LOCK_KIND_CLI,
} XiEngineLockKind;

#define XI_ENGINE_LOCK_ERROR (xi_engine_lock_error_quark ())

/**
 * XiEngineLockError:
 * @XI_ENGINE_LOCK_ERROR_BUSY: another process runs the engine
 * @XI_ENGINE_LOCK_ERROR_FAILED: the lock file could not be used
 */
typedef enum
{
  XI_ENGINE_LOCK_ERROR_BUSY,
  XI_ENGINE_LOCK_ERROR_FAILED,
} XiEngineLockError;

#define XI_TYPE_ENGINE_LOCK (xi_engine_lock_get_type ())

G_DECLARE_FINAL_TYPE (XiEngineLock, xi_engine_lock, XI, ENGINE_LOCK, GObject)

GQuark            xi_engine_lock_error_quark     (void);
XiEngineLock     *xi_engine_lock_new             (const char           *data_dir,
                                                  XiEngineLockKind      kind);
gboolean          xi_engine_lock_try_acquire     (XiEngineLock         *self,
                                                  GError              **error);
gboolean          xi_engine_lock_acquire_waiting (XiEngineLock         *self,
                                                  GError              **error);
void              xi_engine_lock_release         (XiEngineLock         *self);
gboolean          xi_engine_lock_is_held         (XiEngineLock         *self);
XiEngineLockKind  xi_engine_lock_get_holder_kind (XiEngineLock         *self);
GPid              xi_engine_lock_get_holder_pid  (XiEngineLock         *self);
void              xi_engine_lock_wait_async      (XiEngineLock         *self,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
gboolean          xi_engine_lock_wait_finish     (XiEngineLock         *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);

G_END_DECLS
