/* xi-cli-check.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-cli-check"

#include "config.h"

#include <glib/gi18n.h>

#include "wa-pairing.h"
#include "wa-usync.h"
#include "xi-cli.h"
#include "xi-number-check.h"
#include "xi-phone.h"

/*
 * "check [PHONE…] [--group NAME] [--force]": which numbers are on
 * WhatsApp. Contacts checked in the last 30 days are not asked about
 * again unless --force: asking in bulk is itself a ban signal. Answers
 * are recorded on the contacts, dated, and campaigns skip the numbers
 * that are not on WhatsApp.
 */

typedef struct
{
  GMainLoop    *loop;
  GPtrArray    *checks;
  GError       *error;
  XiCli        *cli;
} Checking;

static void
progress_cb (guint    done,
             guint    total,
             gpointer user_data)
{
  Checking *checking = user_data;

  if (!checking->cli->json && done < total)
    g_printerr (_("Checked %u of %u numbers; pausing a few seconds before the next batch…\n"), done, total);
}

static void
checked_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Checking *checking = user_data;

  checking->checks = xi_number_check_finish (result, &checking->error);
  g_main_loop_quit (checking->loop);
}

static void
print_results (XiCli     *cli,
               GPtrArray *checks,
               guint      n_fresh)
{
  guint on = 0;

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "checked");
      json_builder_begin_array (builder);
      for (guint i = 0; i < checks->len; i++)
        {
          WaContactCheck *check = g_ptr_array_index (checks, i);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "phone");
          json_builder_add_string_value (builder, check->phone);
          json_builder_set_member_name (builder, "on_whatsapp");
          json_builder_add_boolean_value (builder, check->on_whatsapp);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_set_member_name (builder, "recently_checked");
      json_builder_add_int_value (builder, n_fresh);
      json_builder_end_object (builder);
      xi_cli_print_json (builder);
      return;
    }

  for (guint i = 0; i < checks->len; i++)
    {
      WaContactCheck *check = g_ptr_array_index (checks, i);
      g_autofree char *shown = xi_phone_format_international (check->phone);

      on += check->on_whatsapp;
      g_print ("%-20s %s\n", shown, check->on_whatsapp ? _("on WhatsApp") : _("not on WhatsApp"));
    }
  g_print (ngettext ("%u of %u number is on WhatsApp.\n", "%u of %u numbers are on WhatsApp.\n", checks->len),
           on, checks->len);
  if (n_fresh > 0)
    g_print (ngettext ("%u contact was checked in the last %u days and was not asked about again "
                       "(--force asks anyway).\n",
                       "%u contacts were checked in the last %u days and were not asked about again "
                       "(--force asks anyway).\n", n_fresh),
             n_fresh, XI_NUMBER_CHECK_FRESH_DAYS);
}

/* The numbers to check come as arguments or from --group; @options
 * points to the group's name. */
static gboolean
check_has_numbers (int        argc,
                   char     **argv,
                   gpointer   options,
                   GError   **error)
{
  const char *group_name = *(char **)options;

  if (argc < 2 && group_name == NULL)
    return xi_cli_refuse (error, "%s", _("Say which numbers to check: check PHONE… or check --group GROUP."));
  return TRUE;
}

/**
 * xi_cli_check:
 *
 * "check": asks WhatsApp which numbers have an account.
 */
int
xi_cli_check (XiCli  *cli,
              int     argc,
              char  **argv)
{
  g_autoptr(GOptionContext) context = xi_cli_context_new (cli);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GPtrArray) contacts = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) phones = NULL;
  g_autoptr(XiGroup) group = NULL;
  g_autoptr(WaClient) client = NULL;
  g_autoptr(XiDbusXenderIn1) app = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *group_name = NULL;
  g_autofree char *linked = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gboolean force = FALSE;
  gboolean wait = FALSE;
  guint n_fresh = 0, pause_min_ms, pause_max_ms;
  Checking checking = { .loop = loop, .cli = cli };
  int status;
  const GOptionEntry entries[] = {
    { "group", 'g', 0, G_OPTION_ARG_STRING, &group_name, N_("Check the members of this group"), N_("GROUP") },
    { "force", 0, 0, G_OPTION_ARG_NONE, &force,
      N_("Ask again about contacts checked in the last 30 days"), NULL },
    { "wait", 0, 0, G_OPTION_ARG_NONE, &wait,
      N_("When another Xender-In is sending from this data folder, wait until it stops"), NULL },
    { NULL },
  };

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!xi_cli_parse_checked (cli, context, check_has_numbers, &group_name, &argc, &argv, &status))
    return status;
  if ((contacts = xi_cli_list_contacts (cli, &error)) == NULL ||
      (group_name != NULL && (group = xi_cli_find_group (cli, group_name, &error)) == NULL))
    return xi_cli_fail (cli, error);

  for (int i = 1; i < argc; i++)
    {
      g_autofree char *phone = xi_cli_normalize_phone (cli, argv[i], &error);
      XiContact *contact;

      if (phone == NULL)
        return xi_cli_fail (cli, error);
      contact = xi_cli_find_contact (contacts, phone);
      if (!g_hash_table_add (seen, g_strdup (phone)))
        continue;
      if (!force && contact != NULL && !xi_number_check_is_due (contact, now))
        n_fresh++;
      else
        g_strv_builder_add (builder, phone);
    }
  for (guint i = 0; group != NULL && i < contacts->len; i++)
    {
      XiContact *contact = g_ptr_array_index (contacts, i);

      /* Nobody is going to message them: asking about them is all risk. */
      if (!g_strv_contains (xi_contact_get_group_ids (contact), xi_group_get_id (group)) ||
          xi_contact_get_opted_out (contact) ||
          !g_hash_table_add (seen, g_strdup (xi_contact_get_phone (contact))))
        continue;
      if (!force && !xi_number_check_is_due (contact, now))
        n_fresh++;
      else
        g_strv_builder_add (builder, xi_contact_get_phone (contact));
    }
  phones = g_strv_builder_end (builder);

  if (phones[0] != NULL)
    {
      /* Checking paces itself over minutes and stores what it learns on
       * the contacts, which the app's Contacts page does with progress
       * and a Stop button; a second client would be a second device. */
      if (!wait && (app = xi_cli_app_proxy (cli)) != NULL)
        return xi_cli_fail_message (cli, "%s", _("Xender-In is open and holds this data folder's WhatsApp "
                                                 "connection: check the numbers from its Contacts page, or "
                                                 "add --wait to check once it closes."));
      if ((status = xi_cli_lock_engine (cli, wait)) != XI_CLI_EXIT_OK)
        return status;
      if ((client = xi_cli_whatsapp_client (cli, &error)) == NULL)
        return xi_cli_fail (cli, error);
      linked = wa_pairing_load_device_jid (wa_client_get_key_store (client));
      if (linked == NULL)
        return xi_cli_fail_message (cli, "%s", _("This computer is not linked to WhatsApp yet. Run "
                                                 "“xender-in-cli link” first."));
      if (!xi_cli_whatsapp_connect (client, FALSE, &error))
        return xi_cli_fail (cli, error);
      xi_number_check_read_pause (&pause_min_ms, &pause_max_ms);
      xi_number_check_async (client, cli->store, (const char * const *) phones, pause_min_ms, pause_max_ms,
                             progress_cb, &checking, NULL, checked_cb, &checking);
      g_main_loop_run (loop);
      wa_client_stop (client);
      if (checking.error != NULL)
        {
          g_propagate_error (&error, checking.error);
          return xi_cli_fail (cli, error);
        }
    }
  else
    checking.checks = g_ptr_array_new_with_free_func ((GDestroyNotify) wa_contact_check_free);

  print_results (cli, checking.checks, n_fresh);
  g_ptr_array_unref (checking.checks);
  return XI_CLI_EXIT_OK;
}
