/* xi-test-utils.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

char         *xi_test_make_tmpdir      (void);
void          xi_test_rm_rf            (const char    *path);
GAsyncResult *xi_test_wait_result      (GAsyncResult **slot);
void          xi_test_store_result_cb  (GObject       *object,
                                        GAsyncResult  *result,
                                        gpointer       user_data);
GBytes       *xi_test_bytes_from_hex   (const char    *hex);
char         *xi_test_hex              (const guint8  *data,
                                        gsize          len);
void          xi_test_expect_owner_abort (void);
char         *xi_test_compile_locale   (const char    *name);
void          xi_test_assert_message_ids_random (const char * const *ids,
                                                 guint               n);
char         *xi_test_seal_secret_name (const char    *database_path);
void          xi_test_sqlite_exec      (const char    *database_path,
                                        const char    *sql);
gint64        xi_test_sqlite_int       (const char    *database_path,
                                        const char    *sql);
char         *xi_test_sqlite_text      (const char    *database_path,
                                        const char    *sql);
void          xi_test_tolerate_warning (const char    *log_domain,
                                        const char    *prefix);
gboolean      xi_test_can_mount_tmpfs  (void);
char         *xi_test_read_out         (const char    *dir,
                                        const char    *name);
GSubprocess  *xi_test_spawn_on_tmpfs   (GSubprocessLauncher *launcher,
                                        const char    *mnt,
                                        const char    *script);
gboolean      xi_test_tmpfs_wait       (GSubprocess   *process);
void          xi_test_wait_for_search_index (const char *database_path);

typedef struct _XiTestSilentKeyring XiTestSilentKeyring;
XiTestSilentKeyring *xi_test_silent_keyring_start (void);
void          xi_test_silent_keyring_stop (XiTestSilentKeyring *keyring);

/* Shell lines for xi_test_spawn_on_tmpfs (): fill the tmpfs up to $ROOM
 * bytes with $MNT/filler, which a script removes when room returns. */
#define XI_TEST_TMPFS_FILL \
  "dd if=/dev/zero of=\"$MNT/filler\" bs=65536 2>/dev/null\n" \
  "truncate -s -\"$ROOM\" \"$MNT/filler\"\n"

/* A JPEG of 16 × 37 pixels, arithmetic-coded (SOF9), in base64, as
 * fuzz-media-preview found it: Debian 12's decoder never returns from it. */
#define XI_TEST_ARITHMETIC_JPEG \
  "/9j/AAEAAP/bAEMAcG5nCwoIDQsKCw4ODS4NCwoLDhMSEhMnHB4XIC4pMTEuKS0sM38sBwCAYQAALUBXQUZMTlJTUjE+" \
  "WmFaUGBKWVJP/9sAQwEODg4TERMmFRUmTzYtNU9PT09PT09PT09PT09PT7dPT09PT09PT09PT09PT09PT09P4AAQSm1t" \
  "AAAAAAAAAAAAAAAA/8kAEQgAECUYAwEiAAIRAQMRAXL6/9oADAMBAAIRAxEoJSry"

/* Runs @call, an _async() call whose callback is xi_test_store_result_cb
 * with &slot_, waits for it, then runs @finish with its result in
 * result_. */
#define XI_TEST_WAIT(call, finish) \
  G_STMT_START { \
    GAsyncResult *slot_ = NULL; \
    g_autoptr(GAsyncResult) result_ = NULL; \
    call; \
    result_ = xi_test_wait_result (&slot_); \
    finish; \
  } G_STMT_END

G_END_DECLS
