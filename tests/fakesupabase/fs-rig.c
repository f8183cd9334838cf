/* fs-rig.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <libsoup/soup.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "fs-rig.h"

/*
 * The test Supabase for C tests and benches: a throwaway cluster with the
 * project's migrations (pg-cluster) and the gateway in front of it, as
 * child processes of the caller. fs_rig_stop() ends both; the gateway
 * also ends by itself when the caller dies, since it watches its stdin.
 * Not thread-safe: one thread starts, uses and stops a rig.
 */

#define JWT_SECRET "test-secret-of-the-xender-in-gateway-0123456789"

struct _FsRig
{
  char        *dir;
  guint        port;
  GSubprocess *gateway;
  char        *url;
  char        *anon_key;
  char        *service_key;
  char        *control;
};

/* Auxiliary methods */

static char *
read_line_value (GDataInputStream  *lines,
                 const char        *key,
                 GError           **error)
{
  g_autofree char *line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, error);
  g_autofree char *prefix = g_strconcat (key, " ", NULL);

  if (line == NULL || !g_str_has_prefix (line, prefix))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "The gateway did not print its %s", key);
      return NULL;
    }
  return g_strdup (line + strlen (prefix));
}

static gboolean
run_sync (const char * const  *argv,
          char               **output,
          GError             **error)
{
  int status = 0;

  return g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, output, NULL,
                       &status, error) &&
         g_spawn_check_wait_status (status, error);
}

/* Public API */

/**
 * fs_rig_start:
 * @gateway_args: (nullable) (array zero-terminated=1): more options for fakesupabase
 * @error: why the rig could not start
 *
 * Returns: (transfer full) (nullable): a running cluster and gateway
 */
FsRig *
fs_rig_start (const char * const  *gateway_args,
              GError             **error)
{
  g_autoptr(FsRig) self = g_new0 (FsRig, 1);
  const char *start_argv[] = { XI_PG_CLUSTER, "start", NULL, NULL };
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDataInputStream) lines = NULL;
  g_autofree char *output = NULL;
  g_auto(GStrv) settings = NULL;

  /* Short, for the socket path; pg-cluster wants it new or empty. */
  self->dir = g_dir_make_tmp ("xi-fs.XXXXXX", error);
  if (self->dir == NULL)
    return NULL;
  start_argv[2] = self->dir;
  if (!run_sync (start_argv, &output, error))
    return NULL;

  settings = g_strsplit (output, "\n", 0);
  for (guint i = 0; settings[i] != NULL; i++)
    if (g_str_has_prefix (settings[i], "PGPORT="))
      self->port = (guint) strtoul (settings[i] + strlen ("PGPORT="), NULL, 10);
  if (self->port == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "pg-cluster printed no port");
      return NULL;
    }

  g_ptr_array_add (argv, g_strdup (XI_FAKESUPABASE));
  g_ptr_array_add (argv, g_strdup ("--db"));
  g_ptr_array_add (argv, g_strdup_printf ("host=127.0.0.1 port=%u dbname=postgres user=authenticator",
                                          self->port));
  g_ptr_array_add (argv, g_strdup ("--jwt-secret"));
  g_ptr_array_add (argv, g_strdup (JWT_SECRET));
  g_ptr_array_add (argv, g_strdup ("--watch-stdin"));
  for (guint i = 0; gateway_args != NULL && gateway_args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (gateway_args[i]));
  g_ptr_array_add (argv, NULL);

  self->gateway = g_subprocess_newv ((const char * const *) argv->pdata,
                                     G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                                     error);
  if (self->gateway == NULL)
    return NULL;
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (self->gateway));
  if ((self->url = read_line_value (lines, "url", error)) == NULL ||
      (self->anon_key = read_line_value (lines, "anon-key", error)) == NULL ||
      (self->service_key = read_line_value (lines, "service-key", error)) == NULL ||
      (self->control = read_line_value (lines, "control", error)) == NULL)
    return NULL;

  return g_steal_pointer (&self);
}

/**
 * fs_rig_stop:
 * @self: (transfer full): a rig, started or half-started
 *
 * Stops the gateway and the cluster and removes the cluster's folder.
 */
void
fs_rig_stop (FsRig *self)
{
  const char *stop_argv[] = { XI_PG_CLUSTER, "stop", NULL, NULL };

  if (self->gateway != NULL)
    {
      g_subprocess_send_signal (self->gateway, SIGTERM);
      g_subprocess_wait (self->gateway, NULL, NULL);
      g_clear_object (&self->gateway);
    }
  if (self->dir != NULL)
    {
      stop_argv[2] = self->dir;
      if (!run_sync (stop_argv, NULL, NULL))
        g_printerr ("fs-rig: pg-cluster stop %s failed\n", self->dir);
    }
  g_free (self->dir);
  g_free (self->url);
  g_free (self->anon_key);
  g_free (self->service_key);
  g_free (self->control);
  g_free (self);
}

/**
 * fs_rig_get_url:
 * @self: a rig
 *
 * Returns: the gateway's base URL, the project URL a client is given
 */
const char *
fs_rig_get_url (FsRig *self)
{
  return self->url;
}

/**
 * fs_rig_get_anon_key:
 * @self: a rig
 *
 * Returns: the anon key a client is given
 */
const char *
fs_rig_get_anon_key (FsRig *self)
{
  return self->anon_key;
}

/**
 * fs_rig_get_service_key:
 * @self: a rig
 *
 * Returns: the service key, which bypasses row-level security
 */
const char *
fs_rig_get_service_key (FsRig *self)
{
  return self->service_key;
}

/**
 * fs_rig_sql:
 * @self: a rig
 * @statement: SQL run by psql as the superuser
 * @error: psql's failure
 *
 * Returns: whether the statement succeeded
 */
gboolean
fs_rig_sql (FsRig       *self,
            const char  *statement,
            GError     **error)
{
  g_autofree char *port = g_strdup_printf ("%u", self->port);
  const char *argv[] = { "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", self->dir, "-p", port,
                         "-U", "postgres", "-d", "postgres", "-c", statement, NULL };

  return run_sync (argv, NULL, error);
}

/**
 * fs_rig_control:
 * @self: a rig
 * @command: a control command with its query, e.g. "max-rows?n=100"
 * @error: why the gateway refused it
 *
 * Returns: whether the gateway accepted the command (README.md lists them)
 */
gboolean
fs_rig_control (FsRig       *self,
                const char  *command,
                GError     **error)
{
  g_autofree char *uri = g_strconcat (self->control, "/", command, NULL);
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", uri);
  g_autoptr(GBytes) reply = NULL;

  if (msg == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "Not a control command: %s", command);
      return FALSE;
    }
  reply = soup_session_send_and_read (session, msg, NULL, error);
  if (reply == NULL)
    return FALSE;
  if (soup_message_get_status (msg) != SOUP_STATUS_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "The gateway refused %s: %.*s", command,
                   (int) g_bytes_get_size (reply), (const char *) g_bytes_get_data (reply, NULL));
      return FALSE;
    }
  return TRUE;
}
