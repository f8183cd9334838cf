/* xi-cli-groups.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-cli-groups"

#include "config.h"

#include <glib/gi18n.h>

#include "xi-cli.h"
#include "xi-phone.h"

/* "xender-in-cli groups …" */

static XiGroup *
save_group (XiCli    *cli,
            XiGroup  *group,
            GError  **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;

  xi_store_save_group_async (cli->store, group, NULL, xi_cli_result_cb, &slot);
  result = xi_cli_wait (&slot);
  return xi_store_save_group_finish (cli->store, result, error);
}

static void
add_group_json (JsonBuilder *builder,
                XiGroup     *group)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, xi_group_get_id (group));
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, xi_group_get_name (group));
  json_builder_set_member_name (builder, "description");
  json_builder_add_string_value (builder, xi_group_get_description (group));
  json_builder_set_member_name (builder, "members");
  json_builder_add_int_value (builder, xi_group_get_member_count (group));
  json_builder_end_object (builder);
}

static int
print_group (XiCli      *cli,
             XiGroup    *group,
             const char *message)
{
  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      add_group_json (builder, group);
      xi_cli_print_json (builder);
    }
  else
    g_print ("%s\n", message);
  return XI_CLI_EXIT_OK;
}

static int
groups_add (XiCli  *cli,
            int     argc,
            char  **argv)
{
  g_autoptr(GOptionContext) context = xi_cli_context_new (cli);
  g_autoptr(XiGroup) group = NULL;
  g_autoptr(XiGroup) saved = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *description = NULL;
  g_autofree char *message = NULL;
  int status;
  const GOptionEntry entries[] = {
    { "description", 0, 0, G_OPTION_ARG_STRING, &description, N_("What the group is for"), N_("TEXT") },
    { NULL },
  };

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!xi_cli_parse (cli, context, &argc, &argv, &status))
    return status;

  group = xi_group_new (argv[1]);
  xi_group_set_description (group, description);
  if ((saved = save_group (cli, group, &error)) == NULL)
    return xi_cli_fail (cli, error);

  message = g_strdup_printf (_("Created group “%s”."), xi_group_get_name (saved));
  return print_group (cli, saved, message);
}

static int
groups_list (XiCli  *cli,
             int     argc,
             char  **argv)
{
  g_autoptr(GPtrArray) groups = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  if (!xi_cli_parse (cli, NULL, &argc, &argv, &status))
    return status;
  if ((groups = xi_cli_list_groups (cli, &error)) == NULL)
    return xi_cli_fail (cli, error);

  if (cli->json)
    {
      builder = json_builder_new ();
      json_builder_begin_array (builder);
      for (guint i = 0; i < groups->len; i++)
        add_group_json (builder, g_ptr_array_index (groups, i));
      json_builder_end_array (builder);
      xi_cli_print_json (builder);
      return XI_CLI_EXIT_OK;
    }

  for (guint i = 0; i < groups->len; i++)
    {
      XiGroup *group = g_ptr_array_index (groups, i);
      guint n = xi_group_get_member_count (group);
      g_autofree char *members = g_strdup_printf (ngettext ("%u contact", "%u contacts", n), n);

      g_print ("%-30s  %s\n", xi_group_get_name (group), members);
    }
  if (groups->len == 0)
    g_print ("%s\n", _("No groups yet. Create one with “xender-in-cli groups add NAME”."));

  return XI_CLI_EXIT_OK;
}

static int
groups_members (XiCli  *cli,
                int     argc,
                char  **argv)
{
  g_autoptr(XiGroup) group = NULL;
  g_autoptr(GPtrArray) contacts = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  if (!xi_cli_parse (cli, NULL, &argc, &argv, &status))
    return status;
  if ((group = xi_cli_find_group (cli, argv[1], &error)) == NULL ||
      (contacts = xi_cli_list_contacts (cli, &error)) == NULL)
    return xi_cli_fail (cli, error);

  if (cli->json)
    {
      builder = json_builder_new ();
      json_builder_begin_array (builder);
    }

  for (guint i = 0; i < contacts->len; i++)
    {
      XiContact *contact = g_ptr_array_index (contacts, i);
      g_autofree char *phone = NULL;

      if (!xi_contact_is_in_group (contact, xi_group_get_id (group)))
        continue;

      if (builder != NULL)
        {
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "name");
          json_builder_add_string_value (builder, xi_contact_get_name (contact));
          json_builder_set_member_name (builder, "phone");
          json_builder_add_string_value (builder, xi_contact_get_phone (contact));
          json_builder_end_object (builder);
          continue;
        }

      phone = xi_phone_format_international (xi_contact_get_phone (contact));
      g_print ("%-20s  %s\n", phone, xi_contact_get_display_name (contact));
    }

  if (builder != NULL)
    {
      json_builder_end_array (builder);
      xi_cli_print_json (builder);
    }
  return XI_CLI_EXIT_OK;
}

static int
groups_rename (XiCli  *cli,
               int     argc,
               char  **argv)
{
  g_autoptr(XiGroup) group = NULL;
  g_autoptr(XiGroup) saved = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  int status;

  if (!xi_cli_parse (cli, NULL, &argc, &argv, &status))
    return status;
  if ((group = xi_cli_find_group (cli, argv[1], &error)) == NULL)
    return xi_cli_fail (cli, error);

  xi_group_set_name (group, argv[2]);
  if ((saved = save_group (cli, group, &error)) == NULL)
    return xi_cli_fail (cli, error);

  message = g_strdup_printf (_("Renamed to “%s”."), xi_group_get_name (saved));
  return print_group (cli, saved, message);
}

static int
groups_delete (XiCli  *cli,
               int     argc,
               char  **argv)
{
  g_autoptr(XiGroup) group = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;
  int status;

  if (!xi_cli_parse (cli, NULL, &argc, &argv, &status))
    return status;
  if ((group = xi_cli_find_group (cli, argv[1], &error)) == NULL)
    return xi_cli_fail (cli, error);

  xi_store_delete_group_async (cli->store, xi_group_get_id (group), NULL, xi_cli_result_cb, &slot);
  result = xi_cli_wait (&slot);
  if (!xi_store_delete_group_finish (cli->store, result, &error))
    return xi_cli_fail (cli, error);

  if (!cli->json)
    g_print (_("Deleted group “%s”; its contacts were kept.\n"), xi_group_get_name (group));
  return XI_CLI_EXIT_OK;
}

static int
change_members (XiCli     *cli,
                int        argc,
                char     **argv,
                gboolean   add)
{
  g_autoptr(XiGroup) group = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) ids = NULL;
  GAsyncResult *slot = NULL;
  guint n;
  int status;

  if (!xi_cli_parse (cli, NULL, &argc, &argv, &status))
    return status;
  if ((group = xi_cli_find_group (cli, argv[1], &error)) == NULL ||
      (ids = xi_cli_contact_ids_for (cli, argc - 2, argv + 2, &error)) == NULL)
    return xi_cli_fail (cli, error);

  if (add)
    {
      xi_store_add_group_members_async (cli->store, xi_group_get_id (group),
                                        (const char * const *)ids, NULL, xi_cli_result_cb, &slot);
      result = xi_cli_wait (&slot);
      n = xi_store_add_group_members_finish (cli->store, result, &error);
    }
  else
    {
      xi_store_remove_group_members_async (cli->store, xi_group_get_id (group),
                                           (const char * const *)ids, NULL, xi_cli_result_cb, &slot);
      result = xi_cli_wait (&slot);
      n = xi_store_remove_group_members_finish (cli->store, result, &error);
    }
  if (error != NULL)
    return xi_cli_fail (cli, error);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, add ? "added" : "removed");
      json_builder_add_int_value (builder, n);
      json_builder_end_object (builder);
      xi_cli_print_json (builder);
    }
  else if (add)
    g_print (ngettext ("Added %u contact to “%s”.\n", "Added %u contacts to “%s”.\n", n),
             n, xi_group_get_name (group));
  else
    g_print (ngettext ("Removed %u contact from “%s”.\n", "Removed %u contacts from “%s”.\n", n),
             n, xi_group_get_name (group));

  return XI_CLI_EXIT_OK;
}

static int
groups_add_members (XiCli  *cli,
                    int     argc,
                    char  **argv)
{
  return change_members (cli, argc, argv, TRUE);
}

static int
groups_remove_members (XiCli  *cli,
                       int     argc,
                       char  **argv)
{
  return change_members (cli, argc, argv, FALSE);
}

const XiCliCommand xi_cli_groups_commands[] = {
  { "add",            groups_add,            N_("Create a group"), N_("NAME"),
    1, 1, N_("Give the name of the new group.") },
  { "list",           groups_list,           N_("List groups with their member counts") },
  { "members",        groups_members,        N_("List the contacts in a group"), N_("NAME"),
    1, 1, N_("Give the name of the group.") },
  { "rename",         groups_rename,         N_("Rename a group"), N_("NAME NEW-NAME"),
    2, 2, N_("Give the current name and the new name.") },
  { "delete",         groups_delete,         N_("Delete a group (its contacts are kept)"), N_("NAME"),
    1, 1, N_("Give the name of the group to delete.") },
  { "add-members",    groups_add_members,    N_("Add contacts to a group by phone number"), N_("NAME PHONE…"),
    2, XI_CLI_ARGUMENTS_ANY, N_("Give the group name and one or more phone numbers.") },
  { "remove-members", groups_remove_members, N_("Take contacts out of a group"), N_("NAME PHONE…"),
    2, XI_CLI_ARGUMENTS_ANY, N_("Give the group name and one or more phone numbers.") },
  { NULL },
};
