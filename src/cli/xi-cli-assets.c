/* xi-cli-assets.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-cli-assets"

#include "config.h"

#include <glib/gi18n.h>

#include "xi-cli.h"

/* "xender-in-cli assets …": the pictures and documents messages carry. */

static void
add_asset_json (JsonBuilder *builder,
                XiAsset     *asset)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, xi_asset_get_id (asset));
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, xi_asset_get_name (asset));
  json_builder_set_member_name (builder, "mime_type");
  json_builder_add_string_value (builder, xi_asset_get_mime_type (asset));
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, xi_asset_get_kind (asset) == XI_ASSET_KIND_IMAGE ? "image" : "document");
  json_builder_set_member_name (builder, "size");
  json_builder_add_int_value (builder, xi_asset_get_size (asset));
  json_builder_set_member_name (builder, "sha256");
  json_builder_add_string_value (builder, xi_asset_get_sha256 (asset));
  json_builder_set_member_name (builder, "on_this_computer");
  json_builder_add_boolean_value (builder, xi_asset_get_path (asset) != NULL);
  json_builder_end_object (builder);
}

/**
 * xi_cli_add_asset:
 * @cli: the command line
 * @path: a file
 * @error: what went wrong, in words for the user
 *
 * Adds a file to the asset library, or finds the asset that has its bytes.
 *
 * Returns: (transfer full): the asset
 */
XiAsset *
xi_cli_add_asset (XiCli       *cli,
                  const char  *path,
                  GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;

  xi_store_add_asset_async (cli->store, path, NULL, xi_cli_result_cb, &slot);
  result = xi_cli_wait (&slot);
  return xi_store_add_asset_finish (cli->store, result, error);
}

static GPtrArray *
list_assets (XiCli   *cli,
             GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;

  xi_store_list_assets_async (cli->store, NULL, xi_cli_result_cb, &slot);
  result = xi_cli_wait (&slot);
  return xi_store_list_assets_finish (cli->store, result, error);
}

static int
assets_add (XiCli  *cli,
            int     argc,
            char  **argv)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  if (!xi_cli_parse (cli, NULL, &argc, &argv, &status))
    return status;

  if (cli->json)
    {
      builder = json_builder_new ();
      json_builder_begin_array (builder);
    }
  for (int i = 1; i < argc; i++)
    {
      g_autoptr(XiAsset) asset = xi_cli_add_asset (cli, argv[i], &error);
      g_autofree char *size = NULL;

      if (asset == NULL)
        return xi_cli_fail (cli, error);
      if (builder != NULL)
        {
          add_asset_json (builder, asset);
          continue;
        }
      size = g_format_size (xi_asset_get_size (asset));
      /* Translators: the file's name, its size, its type, its ID */
      g_print (_("Added “%s” (%s, %s) as %s.\n"), xi_asset_get_name (asset), size,
               xi_asset_get_mime_type (asset), xi_asset_get_id (asset));
    }
  if (builder != NULL)
    {
      json_builder_end_array (builder);
      xi_cli_print_json (builder);
    }
  return XI_CLI_EXIT_OK;
}

static int
assets_list (XiCli  *cli,
             int     argc,
             char  **argv)
{
  g_autoptr(GPtrArray) assets = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  if (!xi_cli_parse (cli, NULL, &argc, &argv, &status))
    return status;
  if ((assets = list_assets (cli, &error)) == NULL)
    return xi_cli_fail (cli, error);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_array (builder);
      for (guint i = 0; i < assets->len; i++)
        add_asset_json (builder, g_ptr_array_index (assets, i));
      json_builder_end_array (builder);
      xi_cli_print_json (builder);
      return XI_CLI_EXIT_OK;
    }

  for (guint i = 0; i < assets->len; i++)
    {
      XiAsset *asset = g_ptr_array_index (assets, i);
      g_autofree char *size = g_format_size (xi_asset_get_size (asset));

      g_print ("%s  %-10s  %-9s  %s%s\n", xi_asset_get_id (asset), size,
               xi_asset_get_kind (asset) == XI_ASSET_KIND_IMAGE ? C_("asset kind", "picture")
                                                                : C_("asset kind", "document"),
               xi_asset_get_name (asset),
               xi_asset_get_path (asset) != NULL ? "" : _(" (not on this computer)"));
    }
  if (assets->len == 0)
    g_print ("%s\n", _("No assets yet. Add a picture or a document with “xender-in-cli assets add FILE”."));
  return XI_CLI_EXIT_OK;
}

static int
assets_delete (XiCli  *cli,
               int     argc,
               char  **argv)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;
  int status;

  if (!xi_cli_parse (cli, NULL, &argc, &argv, &status))
    return status;

  xi_store_delete_asset_async (cli->store, argv[1], NULL, xi_cli_result_cb, &slot);
  result = xi_cli_wait (&slot);
  if (!xi_store_delete_asset_finish (cli->store, result, &error))
    return xi_cli_fail (cli, error);
  if (!cli->json)
    g_print (_("Deleted asset %s.\n"), argv[1]);
  return XI_CLI_EXIT_OK;
}

const XiCliCommand xi_cli_assets_commands[] = {
  { "add",    assets_add,    N_("Add pictures or documents"), N_("FILE [FILE…]"),
    1, XI_CLI_ARGUMENTS_ANY, N_("Give the files to add, for example: assets add promo.jpg price-list.pdf") },
  { "list",   assets_list,   N_("List the assets") },
  { "delete", assets_delete, N_("Delete an asset no template or running campaign uses"), N_("ID"),
    1, 1, N_("Give the ID of the asset to delete (see “assets list”).") },
  { NULL },
};
