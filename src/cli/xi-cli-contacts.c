/* xi-cli-contacts.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-cli-contacts"

#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <string.h>
#include <unistd.h>

#include "xi-cli.h"
#include "xi-contact-filter.h"
#include "xi-csv.h"
#include "xi-import-reader.h"
#include "xi-phone.h"

/* "xender-in-cli contacts …" */

/* Contacts loaded at a time by "contacts list". */
#define LIST_PAGE 512

static gboolean
interrupted_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_CONTINUE;
}

static void
show_progress_cb (double   fraction,
                  gpointer user_data)
{
  g_printerr ("\r%s %3.0f%%", (const char *)user_data, fraction * 100.0);
}

static void
add_issues_json (JsonBuilder *builder,
                 GPtrArray   *issues)
{
  json_builder_set_member_name (builder, "issues");
  json_builder_begin_array (builder);
  for (guint i = 0; i < issues->len; i++)
    {
      XiImportIssue *issue = g_ptr_array_index (issues, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "line");
      json_builder_add_int_value (builder, issue->line);
      json_builder_set_member_name (builder, "excerpt");
      json_builder_add_string_value (builder, issue->excerpt);
      json_builder_set_member_name (builder, "reason");
      json_builder_add_string_value (builder, issue->reason);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

/* What the file was read as, so a wrong guess shows before the import. */
typedef struct
{
  XiImportFormat  format;
  char            delimiter;
  char          **custom_field_names;
  gboolean        dry_run;
  gboolean        new_group;
} ImportFacts;

static const char *
delimiter_name (char delimiter)
{
  switch (delimiter)
    {
    case '\t':
      return _("tab");
    case ';':
      return _("semicolon");
    case ',':
    default:
      return _("comma");
    }
}

static void
print_report (XiCli             *cli,
              XiImportReport    *report,
              const ImportFacts *facts,
              const char        *group)
{
  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "dry_run");
      json_builder_add_boolean_value (builder, facts->dry_run);
      json_builder_set_member_name (builder, "imported");
      json_builder_add_int_value (builder, report->imported);
      json_builder_set_member_name (builder, "updated");
      json_builder_add_int_value (builder, report->updated);
      json_builder_set_member_name (builder, "skipped");
      json_builder_add_int_value (builder, report->skipped);
      json_builder_set_member_name (builder, "new_group");
      json_builder_add_boolean_value (builder, facts->new_group);
      add_issues_json (builder, report->issues);
      json_builder_end_object (builder);
      xi_cli_print_json (builder);
      return;
    }

  if (facts->dry_run)
    {
      g_autofree char *fields = g_strjoinv (", ", facts->custom_field_names);

      if (facts->format == XI_IMPORT_FORMAT_VCARD)
        g_print ("%s\n", _("Read as vCard."));
      else if (facts->format == XI_IMPORT_FORMAT_WORKBOOK)
        g_print ("%s\n", _("Read the first sheet of the workbook."));
      else
        g_print (_("Read as delimited text, separated by %s.\n"), delimiter_name (facts->delimiter));
      if (fields[0] != '\0')
        g_print (_("Extra columns kept as fields: %s\n"), fields);
      g_print (_("Would import %u, update %u, refuse %u. Nothing was written.\n"),
               report->imported, report->updated, report->skipped);
      if (facts->new_group)
        g_print (_("Would create group “%s”.\n"), group);
    }
  else
    g_print (_("Imported %u, updated %u, skipped %u.\n"),
             report->imported, report->updated, report->skipped);
  for (guint i = 0; i < report->issues->len; i++)
    {
      XiImportIssue *issue = g_ptr_array_index (report->issues, i);

      g_print (_("Line %u: %s — %s\n"), issue->line,
               issue->excerpt != NULL ? issue->excerpt : "", issue->reason);
    }
}

/* A group named on the command line must exist unless its creation is
 * asked for, so that a typo never makes a new group silently. */
static gboolean
check_import_group (XiCli       *cli,
                    const char  *group,
                    gboolean     create,
                    gboolean    *is_new,
                    GError     **error)
{
  g_autoptr(XiGroup) found = NULL;
  g_autoptr(GError) local_error = NULL;

  *is_new = FALSE;
  if (group == NULL)
    return TRUE;
  if ((found = xi_cli_find_group (cli, group, &local_error)) != NULL)
    return TRUE;
  if (!g_error_matches (local_error, XI_STORE_ERROR, XI_STORE_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (create)
    {
      *is_new = TRUE;
      return TRUE;
    }
  g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_NOT_FOUND,
               _("There is no group “%s”. Choose an existing one (“xender-in-cli groups list”), "
                 "or add --create-group to create it."), group);
  return FALSE;
}

static gboolean
write_refused (const char  *path,
               GPtrArray   *issues,
               GError     **error)
{
  g_autoptr(GFile) file = g_file_new_for_commandline_arg (path);
  char *csv = xi_import_issues_to_csv (issues);
  g_autoptr(GBytes) bytes = g_bytes_new_take (csv, strlen (csv));

  /* The refused rows hold customers' numbers: readable by the user only. */
  return xi_csv_save (file, bytes, error);
}

/* The reading choices of the import dialog, from the command line;
 * %NULL options when none was given, so everything is guessed. */
static gboolean
import_options (const char          *encoding,
                const char          *separator,
                const char          *header,
                char               **columns,
                XiImportOptions    **options,
                GError             **error)
{
  static const char * const encodings[] = { "UTF-8", "Windows-1252", "ISO-8859-1", "UTF-16",
                                             "UTF-16LE", "UTF-16BE" };
  g_autoptr(XiImportOptions) read = g_new0 (XiImportOptions, 1);
  g_autoptr(GPtrArray) roles = g_ptr_array_new_with_free_func (g_free);

  *options = NULL;
  if (encoding == NULL && separator == NULL && header == NULL && columns == NULL)
    return TRUE;

  if (encoding != NULL)
    {
      for (guint i = 0; i < G_N_ELEMENTS (encodings) && read->encoding == NULL; i++)
        if (g_ascii_strcasecmp (encoding, encodings[i]) == 0)
          read->encoding = g_strdup (encodings[i]);
      if (read->encoding == NULL)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("“%s” is not an encoding Xender-In reads. Choose UTF-8, Windows-1252, "
                         "ISO-8859-1 or UTF-16."), encoding);
          return FALSE;
        }
    }

  if (g_strcmp0 (separator, "comma") == 0 || g_strcmp0 (separator, ",") == 0)
    read->delimiter = ',';
  else if (g_strcmp0 (separator, "semicolon") == 0 || g_strcmp0 (separator, ";") == 0)
    read->delimiter = ';';
  else if (g_strcmp0 (separator, "tab") == 0)
    read->delimiter = '\t';
  else if (separator != NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("“%s” is not a separator: use comma, semicolon or tab."), separator);
      return FALSE;
    }

  if (g_strcmp0 (header, "yes") == 0)
    read->header = XI_IMPORT_HEADER_PRESENT;
  else if (g_strcmp0 (header, "no") == 0)
    read->header = XI_IMPORT_HEADER_ABSENT;
  else if (header != NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--header takes yes or no, not “%s”."), header);
      return FALSE;
    }

  /* "3=phone": the third column holds the numbers; the others keep the guess. */
  for (guint i = 0; columns != NULL && columns[i] != NULL; i++)
    {
      const char *equals = strchr (columns[i], '=');
      g_autofree char *number = equals != NULL ? g_strndup (columns[i], equals - columns[i]) : NULL;
      guint64 column = 0;

      if (number == NULL || equals[1] == '\0' ||
          !g_ascii_string_to_unsigned (number, 10, 1, 256, &column, NULL))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("“%s” is not a column choice: write the column's number, “=” and what "
                         "it holds, such as 2=phone or 4=field:kota."), columns[i]);
          return FALSE;
        }
      if (!xi_import_role_is_known (equals + 1))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("A column cannot hold “%s”: choose name, first-name, last-name, phone, "
                         "tags, notes, groups, ignore or field:KEY."), equals + 1);
          return FALSE;
        }
      while (roles->len < column)
        g_ptr_array_add (roles, g_strdup (""));
      g_free (roles->pdata[column - 1]);
      roles->pdata[column - 1] = g_strdup (equals + 1);
    }
  if (roles->len > 0)
    {
      g_ptr_array_add (roles, NULL);
      read->columns = (char **)g_ptr_array_steal (roles, NULL);
    }

  *options = g_steal_pointer (&read);
  return TRUE;
}

/* What "contacts import" was told, and the reading choices it makes of
 * it once they are checked. */
typedef struct
{
  char            *group;
  gboolean         create_group;
  char            *country;
  char            *encoding;
  char            *separator;
  char            *header;
  char           **columns;
  XiImportOptions *read;
} ImportArguments;

static void
import_arguments_clear (ImportArguments *arguments)
{
  g_free (arguments->group);
  g_free (arguments->country);
  g_free (arguments->encoding);
  g_free (arguments->separator);
  g_free (arguments->header);
  g_strfreev (arguments->columns);
  g_clear_pointer (&arguments->read, xi_import_options_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ImportArguments, import_arguments_clear)

/* @options is the #ImportArguments given. */
static gboolean
check_import_arguments (int        argc,
                        char     **argv,
                        gpointer   options,
                        GError   **error)
{
  ImportArguments *arguments = options;

  if (arguments->create_group && arguments->group == NULL)
    return xi_cli_refuse (error, "%s", _("--create-group goes with --group NAME."));
  if (arguments->country != NULL && !xi_phone_is_country_code (arguments->country))
    return xi_cli_refuse (error, _("“%s” is not a country calling code (for example 62 or 1)."),
                          arguments->country);
  return import_options (arguments->encoding, arguments->separator, arguments->header,
                         arguments->columns, &arguments->read, error);
}

static int
contacts_import (XiCli  *cli,
                 int     argc,
                 char  **argv)
{
  g_autoptr(GOptionContext) context = xi_cli_context_new (cli);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(XiImportReport) report = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_auto(ImportArguments) arguments = { NULL, };
  const char *country;
  g_autofree char *refused = NULL;
  ImportFacts facts = { 0, };
  GAsyncResult *slot = NULL;
  gboolean show_progress = !cli->json && isatty (STDERR_FILENO);
  gboolean dry_run = FALSE;
  guint sigint;
  int status;
  const GOptionEntry entries[] = {
    { "group", 'g', 0, G_OPTION_ARG_STRING, &arguments.group,
      N_("Also put every imported contact in the existing group NAME"), N_("NAME") },
    { "create-group", 0, 0, G_OPTION_ARG_NONE, &arguments.create_group,
      N_("Create the group of --group when there is none of that name"), NULL },
    { "country", 'c', 0, G_OPTION_ARG_STRING, &arguments.country,
      N_("Country calling code for numbers written in local form"), N_("CODE") },
    { "dry-run", 'n', 0, G_OPTION_ARG_NONE, &dry_run,
      N_("Only say what the import would do: how the file was read, the counts and the refused rows"),
      NULL },
    { "refused", 0, 0, G_OPTION_ARG_FILENAME, &refused,
      N_("Write the refused rows (line, value, reason) to FILE as CSV"), N_("FILE") },
    { "encoding", 0, 0, G_OPTION_ARG_STRING, &arguments.encoding,
      N_("Read text as UTF-8, Windows-1252, ISO-8859-1 or UTF-16 instead of guessing"),
      N_("ENCODING") },
    { "separator", 0, 0, G_OPTION_ARG_STRING, &arguments.separator,
      N_("The separator of a delimited file: comma, semicolon or tab"), N_("SEPARATOR") },
    { "header", 0, 0, G_OPTION_ARG_STRING, &arguments.header,
      N_("Whether the first row holds column titles: yes or no"), N_("yes|no") },
    { "column", 0, 0, G_OPTION_ARG_STRING_ARRAY, &arguments.columns,
      N_("What column N holds: name, first-name, last-name, phone, tags, notes, groups, ignore "
         "or field:KEY (repeatable)"), N_("N=ROLE") },
    { NULL },
  };

  g_option_context_set_summary (context, _("Import contacts from a CSV, TSV or vCard file, or "
                                           "the first sheet of an Excel (.xlsx) or OpenDocument "
                                           "(.ods) workbook. "
                                           "Rows with a bad number are reported with their line "
                                           "number; the good rows are imported."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!xi_cli_parse_checked (cli, context, check_import_arguments, &arguments, &argc, &argv, &status))
    return status;

  if (!check_import_group (cli, arguments.group, arguments.create_group, &facts.new_group, &error))
    return xi_cli_fail (cli, error);
  country = arguments.country != NULL ? arguments.country : cli->country_code;

  sigint = g_unix_signal_add (SIGINT, interrupted_cb, cancellable);

  file = g_file_new_for_commandline_arg (argv[1]);
  /* Read as it is written, a dry run too: a million rows never sit in
   * memory. */
  if (dry_run)
    {
      xi_store_preview_import_file_async (cli->store, file, NULL,
                                          country, arguments.read,
                                          arguments.group, show_progress ? show_progress_cb : NULL,
                                          (gpointer)_("Reading"), NULL, cancellable,
                                          xi_cli_result_cb, &slot);
      result = xi_cli_wait (&slot);
      report = xi_store_preview_import_finish (cli->store, result, &error);
    }
  else
    {
      xi_store_import_file_full_async (cli->store, file, NULL,
                                       country, arguments.read,
                                       arguments.group, show_progress ? show_progress_cb : NULL,
                                       (gpointer)_("Saving"), NULL, cancellable,
                                       xi_cli_result_cb, &slot);
      result = xi_cli_wait (&slot);
      report = xi_store_import_file_finish (cli->store, result, &error);
    }
  if (show_progress)
    g_printerr ("\n");
  if (report == NULL)
    goto failed;

  facts.format = report->format;
  facts.delimiter = report->delimiter;
  facts.custom_field_names = report->custom_field_names;
  facts.dry_run = dry_run;

  g_source_remove (sigint);
  if (refused != NULL && !write_refused (refused, report->issues, &error))
    return xi_cli_fail (cli, error);
  print_report (cli, report, &facts, arguments.group);
  return XI_CLI_EXIT_OK;

failed:
  g_source_remove (sigint);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return xi_cli_fail_message (cli, "%s", _("Import cancelled; nothing was changed."));
  return xi_cli_fail (cli, error);
}

static GHashTable *
group_names_by_id (GPtrArray *groups)
{
  GHashTable *names = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < groups->len; i++)
    {
      XiGroup *group = g_ptr_array_index (groups, i);
      g_hash_table_insert (names, (gpointer)xi_group_get_id (group),
                           (gpointer)xi_group_get_name (group));
    }
  return names;
}

static char **
group_names_of (XiContact  *contact,
                GHashTable *names)
{
  const char * const *ids = xi_contact_get_group_ids (contact);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; ids[i] != NULL; i++)
    {
      const char *name = g_hash_table_lookup (names, ids[i]);
      if (name != NULL)
        g_strv_builder_add (builder, name);
    }
  return g_strv_builder_end (builder);
}

static void
add_strv_json (JsonBuilder        *builder,
               const char         *member,
               const char * const *strv)
{
  json_builder_set_member_name (builder, member);
  json_builder_begin_array (builder);
  for (guint i = 0; strv[i] != NULL; i++)
    json_builder_add_string_value (builder, strv[i]);
  json_builder_end_array (builder);
}

static void
add_contact_json (JsonBuilder *builder,
                  XiContact   *contact,
                  GHashTable  *names)
{
  g_auto(GStrv) groups = group_names_of (contact, names);
  g_auto(GStrv) fields = xi_contact_dup_custom_field_names (contact);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, xi_contact_get_id (contact));
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, xi_contact_get_name (contact));
  json_builder_set_member_name (builder, "phone");
  json_builder_add_string_value (builder, xi_contact_get_phone (contact));
  add_strv_json (builder, "tags", xi_contact_get_tags (contact));
  add_strv_json (builder, "groups", (const char * const *)groups);
  json_builder_set_member_name (builder, "notes");
  json_builder_add_string_value (builder, xi_contact_get_notes (contact));
  json_builder_set_member_name (builder, "custom_fields");
  json_builder_begin_object (builder);
  for (guint i = 0; fields[i] != NULL; i++)
    {
      json_builder_set_member_name (builder, fields[i]);
      json_builder_add_string_value (builder, xi_contact_get_custom_field (contact, fields[i]));
    }
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "opted_out");
  json_builder_add_boolean_value (builder, xi_contact_get_opted_out (contact));
  json_builder_end_object (builder);
}

/* The contacts a listing shows, as row keys in list order: a million of
 * them take 8 MB, and the contacts are loaded a page at a time. */
static GArray *
list_contact_keys (XiCli            *cli,
                   const char       *search,
                   XiContactFilter  *filter,
                   GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;

  xi_store_list_contact_keys_async (cli->store, search, filter, NULL, xi_cli_result_cb, &slot);
  result = xi_cli_wait (&slot);
  return xi_store_list_contact_keys_finish (cli->store, result, error);
}

static GPtrArray *
load_contact_keys (XiCli         *cli,
                   const gint64  *keys,
                   guint          n_keys,
                   GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;

  xi_store_load_contact_keys_async (cli->store, keys, n_keys, NULL, xi_cli_result_cb, &slot);
  result = xi_cli_wait (&slot);
  return xi_store_load_contact_keys_finish (cli->store, result, error);
}

/* One element of the JSON array "contacts list" streams. */
static void
print_contact_json (XiContact  *contact,
                    GHashTable *names,
                    gboolean    first)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  add_contact_json (builder, contact, names);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s%s", first ? "" : ",\n", text);
}

/* What --where reads, for the --help of every command that takes it. */
const char *
xi_cli_filter_help (void)
{
  /* Translators: keep the FIELD=VALUE examples as they are */
  return _("Conditions for --where: FIELD=VALUE (is), FIELD!=VALUE (is not), FIELD~TEXT "
           "(contains). FIELD is name, phone or one of your own fields such as kota, and also:\n"
           "  tag=TAG                    has the tag\n"
           "  group=NAME                 is in the group\n"
           "  whatsapp=yes|no|unknown    WhatsApp status of the number\n"
           "  opted_out=yes|no           asked not to get messages\n"
           "  messaged=no                was never sent a message\n"
           "  replied=CAMPAIGN           replied to the campaign");
}

void
xi_cli_filter_options_clear (XiCliFilterOptions *options)
{
  g_strfreev (options->wheres);
  g_strfreev (options->tags);
  g_clear_pointer (&options->filter, xi_contact_filter_unref);
}

/**
 * xi_cli_add_filter_options:
 * @filter: the filter to narrow
 * @options: what the command line said
 * @error: return location for a %G_OPTION_ERROR
 *
 * Adds the conditions of --where, --tag and --opted-out to @filter.
 *
 * Returns: whether every --where could be read
 */
gboolean
xi_cli_add_filter_options (XiContactFilter          *filter,
                           const XiCliFilterOptions *options,
                           GError                  **error)
{
  GError *cause = NULL;

  for (guint i = 0; options->wheres != NULL && options->wheres[i] != NULL; i++)
    if (!xi_contact_filter_add_where (filter, options->wheres[i], &cause))
      return xi_cli_bad_value (error, cause);
  for (guint i = 0; options->tags != NULL && options->tags[i] != NULL; i++)
    xi_contact_filter_add_tag (filter, options->tags[i]);
  if (options->opted_out || options->not_opted_out)
    xi_contact_filter_set_opted_out (filter, options->opted_out);
  return TRUE;
}

/**
 * xi_cli_check_filter_options:
 *
 * An #XiCliCheckFunc for the commands that filter contacts; @options is
 * an #XiCliFilterOptions, whose filter it sets.
 */
gboolean
xi_cli_check_filter_options (int        argc,
                             char     **argv,
                             gpointer   options,
                             GError   **error)
{
  XiCliFilterOptions *filter_options = options;

  if (filter_options->opted_out && filter_options->not_opted_out)
    return xi_cli_refuse (error, "%s", _("Give --opted-out or --not-opted-out, not both."));
  filter_options->filter = xi_contact_filter_new ();
  return xi_cli_add_filter_options (filter_options->filter, filter_options, error);
}

/**
 * xi_cli_check_filter_fields:
 * @cli: the CLI, its store open
 * @filter: a filter from the command line
 * @error: return location for a #GError
 *
 * A condition on a field no contact has matches nobody, which is most
 * likely a typo; says so, with the fields there are.
 *
 * Returns: whether every field @filter names is one the contacts have
 */
gboolean
xi_cli_check_filter_fields (XiCli            *cli,
                            XiContactFilter  *filter,
                            GError          **error)
{
  const char **named = xi_contact_filter_get_fields (filter);
  g_auto(GStrv) known = NULL;

  if (named[0] == NULL)
    return TRUE;
  if ((known = xi_cli_list_custom_fields (cli, error)) == NULL)
    return FALSE;

  for (guint i = 0; named[i] != NULL; i++)
    if (!g_strv_contains ((const char * const *)known, named[i]))
      {
        g_autofree char *list = g_strjoinv (", ", known);

        if (known[0] == NULL)
          g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_INVALID,
                       _("No contact has a field “%s”; your contacts have no fields besides "
                         "name and phone."), named[i]);
        else
          g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_INVALID,
                       _("No contact has a field “%s”. The fields are: name, phone, %s."),
                       named[i], list);
        return FALSE;
      }
  return TRUE;
}

static int
contacts_list (XiCli  *cli,
               int     argc,
               char  **argv)
{
  g_autoptr(GOptionContext) context = xi_cli_context_new (cli);
  g_autoptr(GArray) keys = NULL;
  g_autoptr(GPtrArray) groups = NULL;
  g_autoptr(GHashTable) names = NULL;
  g_autoptr(XiGroup) only_group = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *search = NULL;
  g_autofree char *group = NULL;
  g_autofree char *segment_name = NULL;
  g_autoptr(XiSegment) segment = NULL;
  g_autoptr(XiContactFilter) filter = NULL;
  g_auto(XiCliFilterOptions) filter_options = { NULL, };
  guint shown = 0;
  int status;
  const GOptionEntry entries[] = {
    { "search", 's', 0, G_OPTION_ARG_STRING, &search, N_("Only contacts whose name or number contains TEXT"), N_("TEXT") },
    { "group", 'g', 0, G_OPTION_ARG_STRING, &group, N_("Only members of group NAME"), N_("NAME") },
    { "where", 'w', 0, G_OPTION_ARG_STRING_ARRAY, &filter_options.wheres,
      N_("Only contacts whose FIELD is VALUE (FIELD~TEXT: contains, FIELD!=VALUE: is not; repeatable)"),
      N_("FIELD=VALUE") },
    { "tag", 't', 0, G_OPTION_ARG_STRING_ARRAY, &filter_options.tags, N_("Only contacts with tag TAG (repeatable)"), N_("TAG") },
    { "opted-out", 0, 0, G_OPTION_ARG_NONE, &filter_options.opted_out, N_("Only contacts who opted out"), NULL },
    { "not-opted-out", 0, 0, G_OPTION_ARG_NONE, &filter_options.not_opted_out, N_("Only contacts who did not opt out"), NULL },
    { "segment", 0, 0, G_OPTION_ARG_STRING, &segment_name, N_("Only contacts of the saved segment NAME"), N_("NAME") },
    { NULL },
  };

  g_option_context_set_description (context, xi_cli_filter_help ());
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!xi_cli_parse_checked (cli, context, xi_cli_check_filter_options, &filter_options, &argc, &argv, &status))
    return status;

  if (segment_name != NULL)
    {
      if ((segment = xi_cli_find_segment (cli, segment_name, &error)) == NULL ||
          (filter = xi_segment_get_filter (segment, &error)) == NULL)
        return xi_cli_fail (cli, error);
      /* Read once already, by the check. */
      if (!xi_cli_add_filter_options (filter, &filter_options, NULL))
        g_assert_not_reached ();
    }
  else if (!xi_cli_check_filter_fields (cli, filter_options.filter, &error))
    return xi_cli_fail (cli, error);
  else
    filter = xi_contact_filter_ref (filter_options.filter);

  if (group != NULL && (only_group = xi_cli_find_group (cli, group, &error)) == NULL)
    return xi_cli_fail (cli, error);
  if ((keys = list_contact_keys (cli, search, filter, &error)) == NULL ||
      (groups = xi_cli_list_groups (cli, &error)) == NULL)
    return xi_cli_fail (cli, error);

  names = group_names_by_id (groups);

  if (cli->json)
    g_print ("[\n");

  for (guint start = 0; start < keys->len; start += LIST_PAGE)
    {
      g_autoptr(GPtrArray) contacts = NULL;

      contacts = load_contact_keys (cli, &g_array_index (keys, gint64, start),
                                    MIN (LIST_PAGE, keys->len - start), &error);
      if (contacts == NULL)
        return xi_cli_fail (cli, error);

      for (guint i = 0; i < contacts->len; i++)
        {
          XiContact *contact = g_ptr_array_index (contacts, i);
          g_autofree char *phone = NULL;
          g_autofree char *groups_text = NULL;
          g_auto(GStrv) group_names = NULL;

          /* Deleted since it was listed. */
          if (contact == NULL)
            continue;
          if (only_group != NULL && !xi_contact_is_in_group (contact, xi_group_get_id (only_group)))
            continue;

          if (cli->json)
            {
              print_contact_json (contact, names, shown++ == 0);
              continue;
            }
          shown++;

          phone = xi_phone_format_international (xi_contact_get_phone (contact));
          group_names = group_names_of (contact, names);
          groups_text = g_strjoinv (", ", group_names);
          g_print ("%-20s  %-30s  %s%s\n", phone, xi_contact_get_display_name (contact), groups_text,
                   xi_contact_get_opted_out (contact) ? _("  [opted out]") : "");
        }
    }

  if (cli->json)
    g_print ("%s]\n", shown > 0 ? "\n" : "");
  else
    g_print (ngettext ("%u contact\n", "%u contacts\n", shown), shown);

  return XI_CLI_EXIT_OK;
}

static gboolean
apply_fields (XiContact  *contact,
              char      **fields,
              GError    **error)
{
  for (guint i = 0; fields != NULL && fields[i] != NULL; i++)
    {
      g_auto(GStrv) kv = g_strsplit (fields[i], "=", 2);
      g_autofree char *key = NULL;

      if (kv[0] == NULL || kv[1] == NULL || kv[0][0] == '\0')
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("A field is written KEY=VALUE, for example city=Bandung, not “%s”."),
                       fields[i]);
          return FALSE;
        }
      key = g_ascii_strdown (g_strstrip (kv[0]), -1);
      xi_contact_set_custom_field (contact, key, kv[1]);
    }
  return TRUE;
}

static int
contacts_add (XiCli  *cli,
              int     argc,
              char  **argv)
{
  g_autoptr(GOptionContext) context = xi_cli_context_new (cli);
  g_autoptr(XiContact) contact = xi_contact_new ();
  g_autoptr(XiContact) saved = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GStrvBuilder) group_ids = g_strv_builder_new ();
  g_auto(GStrv) ids = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *phone = NULL;
  g_autofree char *name = NULL;
  g_autofree char *notes = NULL;
  g_auto(GStrv) tags = NULL;
  g_auto(GStrv) fields = NULL;
  g_auto(GStrv) groups = NULL;
  GAsyncResult *slot = NULL;
  int status;
  const GOptionEntry entries[] = {
    { "name", 'n', 0, G_OPTION_ARG_STRING, &name, N_("The contact's name"), N_("NAME") },
    { "tag", 't', 0, G_OPTION_ARG_STRING_ARRAY, &tags, N_("Add a tag (repeatable)"), N_("TAG") },
    { "field", 'f', 0, G_OPTION_ARG_STRING_ARRAY, &fields, N_("Set a custom field (repeatable)"), N_("KEY=VALUE") },
    { "group", 'g', 0, G_OPTION_ARG_STRING_ARRAY, &groups, N_("Put the contact in an existing group (repeatable)"), N_("NAME") },
    { "notes", 0, 0, G_OPTION_ARG_STRING, &notes, N_("Free notes"), N_("TEXT") },
    { NULL },
  };

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!xi_cli_parse (cli, context, &argc, &argv, &status))
    return status;

  if ((phone = xi_cli_normalize_phone (cli, argv[1], &error)) == NULL ||
      !apply_fields (contact, fields, &error))
    return xi_cli_fail (cli, error);

  for (guint i = 0; groups != NULL && groups[i] != NULL; i++)
    {
      g_autoptr(XiGroup) group = xi_cli_find_group (cli, groups[i], &error);

      if (group == NULL)
        return xi_cli_fail (cli, error);
      g_strv_builder_add (group_ids, xi_group_get_id (group));
    }
  ids = g_strv_builder_end (group_ids);

  xi_contact_set_phone (contact, phone);
  xi_contact_set_name (contact, name);
  xi_contact_set_notes (contact, notes);
  xi_contact_set_tags (contact, (const char * const *)tags);
  xi_contact_set_group_ids (contact, (const char * const *)ids);

  xi_store_save_contact_async (cli->store, contact, NULL, xi_cli_result_cb, &slot);
  result = xi_cli_wait (&slot);
  saved = xi_store_save_contact_finish (cli->store, result, &error);
  if (saved == NULL)
    return xi_cli_fail (cli, error);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(GHashTable) none = g_hash_table_new (g_str_hash, g_str_equal);

      add_contact_json (builder, saved, none);
      xi_cli_print_json (builder);
    }
  else
    g_print (_("Added %s.\n"), xi_contact_get_display_name (saved));

  return XI_CLI_EXIT_OK;
}

static int
print_count (XiCli      *cli,
             const char *member,
             guint       count,
             const char *message)
{
  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, member);
      json_builder_add_int_value (builder, count);
      json_builder_end_object (builder);
      xi_cli_print_json (builder);
    }
  else
    g_print ("%s\n", message);
  return XI_CLI_EXIT_OK;
}

static int
contacts_delete (XiCli  *cli,
                 int     argc,
                 char  **argv)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_auto(GStrv) ids = NULL;
  GAsyncResult *slot = NULL;
  guint deleted;
  int status;

  if (!xi_cli_parse (cli, NULL, &argc, &argv, &status))
    return status;

  if ((ids = xi_cli_contact_ids_for (cli, argc - 1, argv + 1, &error)) == NULL)
    return xi_cli_fail (cli, error);

  xi_store_delete_contacts_async (cli->store, (const char * const *)ids, NULL,
                                  xi_cli_result_cb, &slot);
  result = xi_cli_wait (&slot);
  deleted = xi_store_delete_contacts_finish (cli->store, result, &error);
  if (error != NULL)
    return xi_cli_fail (cli, error);

  message = g_strdup_printf (ngettext ("Deleted %u contact.", "Deleted %u contacts.", deleted), deleted);
  return print_count (cli, "deleted", deleted, message);
}

static int
set_opted_out (XiCli     *cli,
               int        argc,
               char     **argv,
               gboolean   opted_out)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_auto(GStrv) ids = NULL;
  GAsyncResult *slot = NULL;
  guint changed;

  if ((ids = xi_cli_contact_ids_for (cli, argc, argv, &error)) == NULL)
    return xi_cli_fail (cli, error);

  xi_store_set_opted_out_async (cli->store, (const char * const *)ids, opted_out, NULL,
                                xi_cli_result_cb, &slot);
  result = xi_cli_wait (&slot);
  changed = xi_store_set_opted_out_finish (cli->store, result, &error);
  if (error != NULL)
    return xi_cli_fail (cli, error);

  message = g_strdup_printf (opted_out
                             ? ngettext ("%u contact will get no more messages.",
                                         "%u contacts will get no more messages.", changed)
                             : ngettext ("%u contact may be messaged again.",
                                         "%u contacts may be messaged again.", changed),
                             changed);
  return print_count (cli, "changed", changed, message);
}

static int
contacts_opt_out (XiCli  *cli,
                  int     argc,
                  char  **argv)
{
  int status;

  if (!xi_cli_parse (cli, NULL, &argc, &argv, &status))
    return status;
  return set_opted_out (cli, argc - 1, argv + 1, TRUE);
}

/* Undoing an opt-out must be deliberate: the customer asked to be left alone. */
static int
contacts_opt_in (XiCli  *cli,
                 int     argc,
                 char  **argv)
{
  g_autoptr(GOptionContext) context = xi_cli_context_new (cli);
  gboolean confirmed = FALSE;
  int status;
  const GOptionEntry entries[] = {
    { "confirm", 0, 0, G_OPTION_ARG_NONE, &confirmed,
      N_("Confirm that these customers asked to get messages again"), NULL },
    { NULL },
  };

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!xi_cli_parse (cli, context, &argc, &argv, &status))
    return status;
  if (!confirmed)
    return xi_cli_fail_message (cli, "%s", _("These customers opted out. Add --confirm if they "
                                              "asked to get messages again."));
  return set_opted_out (cli, argc - 1, argv + 1, FALSE);
}

static int
contacts_export (XiCli  *cli,
                 int     argc,
                 char  **argv)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autofree char *message = NULL;
  GAsyncResult *slot = NULL;
  guint count;
  int status;

  if (!xi_cli_parse (cli, NULL, &argc, &argv, &status))
    return status;

  file = g_file_new_for_commandline_arg (argv[1]);
  xi_store_export_contacts_async (cli->store, file, NULL, NULL, xi_cli_result_cb, &slot);
  result = xi_cli_wait (&slot);
  count = xi_store_export_contacts_finish (cli->store, result, &error);
  if (error != NULL)
    return xi_cli_fail (cli, error);

  message = g_strdup_printf (ngettext ("Exported %u contact.", "Exported %u contacts.", count), count);
  return print_count (cli, "exported", count, message);
}

static int
contacts_duplicates (XiCli  *cli,
                     int     argc,
                     char  **argv)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) clusters = NULL;
  g_autoptr(GPtrArray) groups = NULL;
  g_autoptr(GHashTable) names = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  GAsyncResult *slot = NULL;
  int status;

  if (!xi_cli_parse (cli, NULL, &argc, &argv, &status))
    return status;

  xi_store_find_duplicates_async (cli->store, NULL, xi_cli_result_cb, &slot);
  result = xi_cli_wait (&slot);
  if ((clusters = xi_store_find_duplicates_finish (cli->store, result, &error)) == NULL ||
      (groups = xi_cli_list_groups (cli, &error)) == NULL)
    return xi_cli_fail (cli, error);
  names = group_names_by_id (groups);

  if (cli->json)
    {
      builder = json_builder_new ();
      json_builder_begin_array (builder);
    }
  for (guint c = 0; c < clusters->len; c++)
    {
      GPtrArray *cluster = g_ptr_array_index (clusters, c);

      if (builder != NULL)
        json_builder_begin_array (builder);
      else if (c > 0)
        g_print ("\n");
      for (guint i = 0; i < cluster->len; i++)
        {
          XiContact *contact = g_ptr_array_index (cluster, i);
          g_autofree char *phone = NULL;

          if (builder != NULL)
            {
              add_contact_json (builder, contact, names);
              continue;
            }
          phone = xi_phone_format_international (xi_contact_get_phone (contact));
          g_print ("%-20s  %s%s\n", phone, xi_contact_get_display_name (contact),
                   xi_contact_get_opted_out (contact) ? _("  [opted out]") : "");
        }
      if (builder != NULL)
        json_builder_end_array (builder);
    }

  if (builder != NULL)
    {
      json_builder_end_array (builder);
      xi_cli_print_json (builder);
    }
  else if (clusters->len == 0)
    g_print ("%s\n", _("No likely duplicates."));
  else
    g_print (_("\nMerge two with “contacts merge KEEP OTHER” (phone numbers): KEEP stays, with "
               "everything OTHER had.\n"));
  return XI_CLI_EXIT_OK;
}

static int
contacts_merge (XiCli  *cli,
                int     argc,
                char  **argv)
{
  g_autoptr(GOptionContext) context = xi_cli_context_new (cli);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(XiContact) merged = NULL;
  g_autoptr(GPtrArray) groups = NULL;
  g_autoptr(GHashTable) names = NULL;
  g_autofree char *name = NULL;
  g_autofree char *phone = NULL;
  g_auto(GStrv) ids = NULL;
  GAsyncResult *slot = NULL;
  int status;
  const GOptionEntry entries[] = {
    { "name", 'n', 0, G_OPTION_ARG_STRING, &name, N_("Keep this name instead of KEEP's"), N_("NAME") },
    { NULL },
  };

  g_option_context_set_summary (context, _("Merges the contact with number OTHER into the one with "
                                           "number KEEP: KEEP gets OTHER's tags, groups, fields, notes "
                                           "and history, and is opted out if either was; OTHER is "
                                           "deleted."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!xi_cli_parse (cli, context, &argc, &argv, &status))
    return status;

  if ((ids = xi_cli_contact_ids_for (cli, 2, argv + 1, &error)) == NULL)
    return xi_cli_fail (cli, error);

  xi_store_merge_contacts_async (cli->store, ids[0], ids[1], name, NULL, xi_cli_result_cb, &slot);
  result = xi_cli_wait (&slot);
  if ((merged = xi_store_merge_contacts_finish (cli->store, result, &error)) == NULL)
    return xi_cli_fail (cli, error);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      if ((groups = xi_cli_list_groups (cli, &error)) == NULL)
        return xi_cli_fail (cli, error);
      names = group_names_by_id (groups);
      add_contact_json (builder, merged, names);
      xi_cli_print_json (builder);
      return XI_CLI_EXIT_OK;
    }

  phone = xi_phone_format_international (xi_contact_get_phone (merged));
  g_print (_("Merged into %s (%s).\n"), xi_contact_get_display_name (merged), phone);
  return XI_CLI_EXIT_OK;
}

const XiCliCommand xi_cli_contacts_commands[] = {
  { "import",  contacts_import,  N_("Import a CSV, TSV, vCard, .xlsx or .ods file"), N_("FILE"),
    1, 1, N_("Give exactly one file to import.") },
  { "list",    contacts_list,    N_("List contacts (--search, --group, --where, --tag)") },
  { "add",     contacts_add,     N_("Add one contact"), N_("PHONE"), 1, 1, N_("Give exactly one phone number.") },
  { "delete",  contacts_delete,  N_("Delete contacts by phone number"), N_("PHONE…"),
    1, XI_CLI_ARGUMENTS_ANY, N_("Give the phone numbers of the contacts to delete.") },
  { "export",  contacts_export,  N_("Write all contacts to a CSV file"), N_("FILE"),
    1, 1, N_("Give the CSV file to write.") },
  { "opt-out", contacts_opt_out, N_("Stop messaging these numbers"), N_("PHONE…"),
    1, XI_CLI_ARGUMENTS_ANY, N_("Give the phone numbers that asked to get no more messages.") },
  { "opt-in",  contacts_opt_in,  N_("Allow messaging opted-out numbers again (--confirm)"), N_("PHONE…"),
    1, XI_CLI_ARGUMENTS_ANY, N_("Give the phone numbers that may be messaged again.") },
  { "duplicates", contacts_duplicates, N_("List contacts that are likely one person (same name)") },
  { "merge",   contacts_merge,   N_("Merge contact OTHER into KEEP (phone numbers)"), N_("KEEP OTHER"),
    2, 2, N_("Give the phone numbers of the contact to keep and of the one to merge into it.") },
  { NULL },
};
