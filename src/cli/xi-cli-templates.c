/* xi-cli-templates.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-cli-templates"

#include "config.h"

#include <glib/gi18n.h>

#include "xi-cli.h"
#include "xi-limits.h"
#include "xi-template-text.h"

/* "xender-in-cli templates …" */

/* Every variant must parse before a template is stored, so a campaign can
 * never start with a broken one. */
static gboolean
check_variants (XiCli         *cli,
                char         **variants,
                GError       **error)
{
  g_auto(GStrv) known = xi_cli_list_custom_fields (cli, error);

  if (known == NULL || !xi_limit_check_variants ((const char * const *)variants, error))
    return FALSE;

  for (guint i = 0; variants[i] != NULL; i++)
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(XiTemplateText) text = NULL;

      text = xi_template_text_parse (variants[i], (const char * const *)known, &local_error);
      if (text == NULL)
        {
          g_set_error (error, local_error->domain, local_error->code,
                       _("Variant %u: %s"), i + 1, local_error->message);
          return FALSE;
        }
    }
  return TRUE;
}

static void
add_template_json (JsonBuilder *builder,
                   XiTemplate  *template_)
{
  const char * const *variants = xi_template_get_variants (template_);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, xi_template_get_id (template_));
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, xi_template_get_name (template_));
  json_builder_set_member_name (builder, "variants");
  json_builder_begin_array (builder);
  for (guint i = 0; variants[i] != NULL; i++)
    json_builder_add_string_value (builder, variants[i]);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "asset_id");
  if (xi_template_get_asset_id (template_) != NULL)
    json_builder_add_string_value (builder, xi_template_get_asset_id (template_));
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
}

static int
templates_add (XiCli  *cli,
               int     argc,
               char  **argv)
{
  g_autoptr(GOptionContext) context = xi_cli_context_new (cli);
  g_autoptr(XiTemplate) template_ = NULL;
  g_autoptr(XiTemplate) saved = NULL;
  g_autoptr(XiAsset) asset = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *attach = NULL;
  GAsyncResult *slot = NULL;
  int status;
  const GOptionEntry entries[] = {
    { "attach", 'a', 0, G_OPTION_ARG_FILENAME, &attach,
      N_("Send this picture (the text is its caption) or document with every message"), N_("FILE") },
    { NULL },
  };

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!xi_cli_parse (cli, context, &argc, &argv, &status))
    return status;

  if (!check_variants (cli, argv + 2, &error))
    return xi_cli_fail (cli, error);
  if (attach != NULL && (asset = xi_cli_add_asset (cli, attach, &error)) == NULL)
    return xi_cli_fail (cli, error);

  template_ = xi_template_new (argv[1]);
  xi_template_set_variants (template_, (const char * const *)argv + 2);
  if (asset != NULL)
    xi_template_set_asset_id (template_, xi_asset_get_id (asset));
  xi_store_save_template_async (cli->store, template_, NULL, xi_cli_result_cb, &slot);
  result = xi_cli_wait (&slot);
  if ((saved = xi_store_save_template_finish (cli->store, result, &error)) == NULL)
    return xi_cli_fail (cli, error);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      add_template_json (builder, saved);
      xi_cli_print_json (builder);
    }
  else if (asset != NULL)
    g_print (_("Saved template “%s” with “%s” attached.\n"), xi_template_get_name (saved),
             xi_asset_get_name (asset));
  else
    g_print (_("Saved template “%s”.\n"), xi_template_get_name (saved));

  return XI_CLI_EXIT_OK;
}

static int
templates_list (XiCli  *cli,
                int     argc,
                char  **argv)
{
  g_autoptr(GPtrArray) templates = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  if (!xi_cli_parse (cli, NULL, &argc, &argv, &status))
    return status;
  if ((templates = xi_cli_list_templates (cli, &error)) == NULL)
    return xi_cli_fail (cli, error);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_array (builder);
      for (guint i = 0; i < templates->len; i++)
        add_template_json (builder, g_ptr_array_index (templates, i));
      json_builder_end_array (builder);
      xi_cli_print_json (builder);
      return XI_CLI_EXIT_OK;
    }

  for (guint i = 0; i < templates->len; i++)
    {
      XiTemplate *template_ = g_ptr_array_index (templates, i);
      guint n = xi_template_get_n_variants (template_);

      g_print ("%-30s  ", xi_template_get_name (template_));
      g_print (ngettext ("%u variant\n", "%u variants\n", n), n);
    }
  if (templates->len == 0)
    g_print ("%s\n", _("No templates yet. Write one with “xender-in-cli templates add NAME TEXT”."));

  return XI_CLI_EXIT_OK;
}

static char *
render_preview (XiTemplate  *template_,
                guint        index,
                XiContact   *contact,
                GRand       *rand,
                char      ***missing,
                GError     **error)
{
  g_autoptr(XiTemplateText) text = NULL;

  /* Stored variants parsed before; unknown variables are not an error when
   * previewing (a custom field may have been removed since). */
  text = xi_template_text_parse (xi_template_get_variants (template_)[index], NULL, error);
  if (text == NULL)
    {
      g_clear_error (error);
      return g_strdup (xi_template_get_variants (template_)[index]);
    }
  return xi_template_text_render (text, xi_contact_lookup_variable, contact, rand, missing, error);
}

static int
templates_show (XiCli  *cli,
                int     argc,
                char  **argv)
{
  g_autoptr(GOptionContext) context = xi_cli_context_new (cli);
  g_autoptr(XiTemplate) template_ = NULL;
  g_autoptr(GPtrArray) contacts = NULL;
  g_autoptr(GRand) rand = g_rand_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *preview = NULL;
  g_autofree char *phone = NULL;
  XiContact *contact = NULL;
  const char * const *variants;
  int status;
  const GOptionEntry entries[] = {
    { "preview", 'p', 0, G_OPTION_ARG_STRING, &preview,
      N_("Show each variant as the contact with this phone number would get it"), N_("PHONE") },
    { NULL },
  };

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!xi_cli_parse (cli, context, &argc, &argv, &status))
    return status;

  if ((template_ = xi_cli_find_template (cli, argv[1], &error)) == NULL)
    return xi_cli_fail (cli, error);

  if (preview != NULL)
    {
      if ((phone = xi_cli_normalize_phone (cli, preview, &error)) == NULL ||
          (contacts = xi_cli_list_contacts (cli, &error)) == NULL)
        return xi_cli_fail (cli, error);
      if ((contact = xi_cli_find_contact (contacts, phone)) == NULL)
        return xi_cli_fail_message (cli, _("%s is not a contact."), preview);
    }

  variants = xi_template_get_variants (template_);
  if (cli->json && contact == NULL)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      add_template_json (builder, template_);
      xi_cli_print_json (builder);
      return XI_CLI_EXIT_OK;
    }

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_array (builder);
      for (guint i = 0; variants[i] != NULL; i++)
        {
          g_auto(GStrv) missing = NULL;
          g_autofree char *rendered = render_preview (template_, i, contact, rand, &missing, &error);

          if (rendered == NULL)
            return xi_cli_fail (cli, error);
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "text");
          json_builder_add_string_value (builder, rendered);
          json_builder_set_member_name (builder, "missing");
          json_builder_begin_array (builder);
          for (guint m = 0; missing != NULL && missing[m] != NULL; m++)
            json_builder_add_string_value (builder, missing[m]);
          json_builder_end_array (builder);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      xi_cli_print_json (builder);
      return XI_CLI_EXIT_OK;
    }

  for (guint i = 0; variants[i] != NULL; i++)
    {
      g_auto(GStrv) missing = NULL;
      g_autofree char *rendered = NULL;

      g_print (_("Variant %u:\n"), i + 1);
      if (contact == NULL)
        {
          g_print ("%s\n\n", variants[i]);
          continue;
        }

      if ((rendered = render_preview (template_, i, contact, rand, &missing, &error)) == NULL)
        return xi_cli_fail (cli, error);
      g_print ("%s\n", rendered);
      for (guint m = 0; missing != NULL && missing[m] != NULL; m++)
        g_print (_("  (no value for {%s})\n"), missing[m]);
      g_print ("\n");
    }

  return XI_CLI_EXIT_OK;
}

static int
templates_delete (XiCli  *cli,
                  int     argc,
                  char  **argv)
{
  g_autoptr(XiTemplate) template_ = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;
  int status;

  if (!xi_cli_parse (cli, NULL, &argc, &argv, &status))
    return status;
  if ((template_ = xi_cli_find_template (cli, argv[1], &error)) == NULL)
    return xi_cli_fail (cli, error);

  xi_store_delete_template_async (cli->store, xi_template_get_id (template_), NULL,
                                  xi_cli_result_cb, &slot);
  result = xi_cli_wait (&slot);
  if (!xi_store_delete_template_finish (cli->store, result, &error))
    return xi_cli_fail (cli, error);

  if (!cli->json)
    g_print (_("Deleted template “%s”.\n"), xi_template_get_name (template_));
  return XI_CLI_EXIT_OK;
}

const XiCliCommand xi_cli_templates_commands[] = {
  { "add",    templates_add,    N_("Save a template, one TEXT per variant"), N_("NAME TEXT [TEXT…]"),
    2, XI_CLI_ARGUMENTS_ANY, N_("Give a name and at least one text, for example: "
                                "templates add Promo \"Halo {name|Kak}, …\""),
    .flags = XI_CLI_COMMAND_TEXT_ARGUMENTS },
  { "list",   templates_list,   N_("List templates") },
  { "show",   templates_show,   N_("Show a template, or preview it for a contact (--preview)"), N_("NAME"),
    1, 1, N_("Give the name of the template.") },
  { "delete", templates_delete, N_("Delete a template"), N_("NAME"),
    1, 1, N_("Give the name of the template to delete.") },
  { NULL },
};
