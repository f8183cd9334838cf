/* xi-cli-segments.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-cli-segments"

#include "config.h"

#include <glib/gi18n.h>

#include "xi-cli.h"

/* "segments": saved audiences that a campaign can target. */

static void
add_segment_json (JsonBuilder *builder,
                  XiSegment   *segment,
                  guint        matching)
{
  json_builder_begin_object (builder);
  xi_segment_add_members (segment, builder);
  json_builder_set_member_name (builder, "contacts");
  json_builder_add_int_value (builder, matching);
  json_builder_end_object (builder);
}

/* How many contacts @segment chooses now. */
static gboolean
count_matching (XiCli      *cli,
                XiSegment  *segment,
                guint      *matching,
                GError    **error)
{
  g_autoptr(XiContactFilter) filter = xi_segment_get_filter (segment, error);
  g_autoptr(GPtrArray) contacts = NULL;

  if (filter == NULL || (contacts = xi_cli_filter_contacts (cli, filter, error)) == NULL)
    return FALSE;
  *matching = contacts->len;
  return TRUE;
}

/* @options is the #XiCliFilterOptions given. */
static gboolean
check_segment_options (int        argc,
                       char     **argv,
                       gpointer   options,
                       GError   **error)
{
  XiCliFilterOptions *filter_options = options;

  if (!xi_cli_check_filter_options (argc, argv, options, error))
    return FALSE;
  if (xi_contact_filter_is_empty (filter_options->filter))
    return xi_cli_refuse (error, "%s", _("A segment needs at least one condition: --where or --tag."));
  return TRUE;
}

static int
segments_add (XiCli  *cli,
              int     argc,
              char  **argv)
{
  g_autoptr(GOptionContext) context = xi_cli_context_new (cli);
  g_autoptr(XiSegment) segment = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;
  g_auto(XiCliFilterOptions) filter_options = { NULL, };
  guint matching = 0;
  int status;
  const GOptionEntry entries[] = {
    { "where", 'w', 0, G_OPTION_ARG_STRING_ARRAY, &filter_options.wheres,
      N_("Contacts whose FIELD is VALUE (FIELD~TEXT: contains, FIELD!=VALUE: is not; repeatable)"),
      N_("FIELD=VALUE") },
    { "tag", 't', 0, G_OPTION_ARG_STRING_ARRAY, &filter_options.tags, N_("Contacts with tag TAG (repeatable)"), N_("TAG") },
    { "opted-out", 0, 0, G_OPTION_ARG_NONE, &filter_options.opted_out, N_("Only contacts who opted out"), NULL },
    { "not-opted-out", 0, 0, G_OPTION_ARG_NONE, &filter_options.not_opted_out, N_("Only contacts who did not opt out"), NULL },
    { NULL },
  };

  g_option_context_set_summary (context, _("Save a filter as a segment. A campaign created for it "
                                           "goes to the contacts that match when it is created."));
  g_option_context_set_description (context, xi_cli_filter_help ());
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!xi_cli_parse_checked (cli, context, check_segment_options, &filter_options, &argc, &argv, &status))
    return status;

  if (!xi_cli_check_filter_fields (cli, filter_options.filter, &error))
    return xi_cli_fail (cli, error);

  xi_store_add_segment_async (cli->store, argv[1], filter_options.filter, NULL, xi_cli_result_cb, &slot);
  result = xi_cli_wait (&slot);
  if ((segment = xi_store_add_segment_finish (cli->store, result, &error)) == NULL ||
      !count_matching (cli, segment, &matching, &error))
    return xi_cli_fail (cli, error);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      add_segment_json (builder, segment, matching);
      xi_cli_print_json (builder);
    }
  else
    g_print (ngettext ("Saved segment “%s”; %u contact matches it now.\n",
                       "Saved segment “%s”; %u contacts match it now.\n", matching),
             segment->name, matching);
  return XI_CLI_EXIT_OK;
}

static int
segments_list (XiCli  *cli,
               int     argc,
               char  **argv)
{
  g_autoptr(GOptionContext) context = xi_cli_context_new (cli);
  g_autoptr(GPtrArray) segments = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  GAsyncResult *slot = NULL;
  int status;

  if (!xi_cli_parse (cli, context, &argc, &argv, &status))
    return status;

  xi_store_list_segments_async (cli->store, NULL, xi_cli_result_cb, &slot);
  result = xi_cli_wait (&slot);
  if ((segments = xi_store_list_segments_finish (cli->store, result, &error)) == NULL)
    return xi_cli_fail (cli, error);

  if (cli->json)
    {
      builder = json_builder_new ();
      json_builder_begin_array (builder);
    }
  for (guint i = 0; i < segments->len; i++)
    {
      XiSegment *segment = g_ptr_array_index (segments, i);
      g_autofree char *described = xi_segment_describe (segment);
      guint matching = 0;

      if (!count_matching (cli, segment, &matching, &error))
        return xi_cli_fail (cli, error);
      if (builder != NULL)
        add_segment_json (builder, segment, matching);
      else
        g_print (ngettext ("%-24s  %-40s  %u contact\n", "%-24s  %-40s  %u contacts\n", matching),
                 segment->name, described, matching);
    }
  if (builder != NULL)
    {
      json_builder_end_array (builder);
      xi_cli_print_json (builder);
    }
  else if (segments->len == 0)
    g_print ("%s\n", _("No segments yet; “xender-in-cli segments add” saves one."));
  return XI_CLI_EXIT_OK;
}

static int
segments_delete (XiCli  *cli,
                 int     argc,
                 char  **argv)
{
  g_autoptr(GOptionContext) context = xi_cli_context_new (cli);
  g_autoptr(XiSegment) segment = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;
  int status;

  if (!xi_cli_parse (cli, context, &argc, &argv, &status))
    return status;

  if ((segment = xi_cli_find_segment (cli, argv[1], &error)) == NULL)
    return xi_cli_fail (cli, error);
  xi_store_delete_segment_async (cli->store, segment->id, NULL, xi_cli_result_cb, &slot);
  result = xi_cli_wait (&slot);
  if (!xi_store_delete_segment_finish (cli->store, result, &error))
    return xi_cli_fail (cli, error);

  if (!cli->json)
    g_print (_("Deleted segment “%s”.\n"), segment->name);
  return XI_CLI_EXIT_OK;
}

const XiCliCommand xi_cli_segments_commands[] = {
  { "add",    segments_add,    N_("Save a filter as a segment"), N_("NAME"),
    1, 1, N_("Give the segment's name, then its conditions, as in: "
             "segments add \"Jakarta grosir\" --where kota=Jakarta --tag grosir") },
  { "list",   segments_list,   N_("List segments with how many contacts match each now") },
  { "delete", segments_delete, N_("Delete a segment (campaigns made from it are kept)"), N_("NAME"),
    1, 1, N_("Give the name of the segment to delete.") },
  { NULL },
};
