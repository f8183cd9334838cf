/* xi-cli.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "wa-client.h"
#include "xi-campaign-runner.h"
#include "xi-dbus-generated.h"
#include "xi-engine-lock.h"
#include "xi-receiver.h"
#include "xi-store.h"

G_BEGIN_DECLS

/* Exit statuses of xender-in-cli (DESIGN.md, "Command line"). */
enum {
  XI_CLI_EXIT_OK = 0,
  XI_CLI_EXIT_USER_ERROR = 1,
  XI_CLI_EXIT_USAGE = 2,
};

typedef struct _XiCliCommand XiCliCommand;

typedef struct
{
  XiStore             *store;
  char                *data_dir;
  const char          *data_dir_option;   /* --data-dir, or NULL for the default */
  gboolean             json;
  char                *country_code;
  XiEngineLock        *engine_lock;   /* held while this process runs the engine */
  const XiCliCommand  *command;       /* the command running, for its help */
} XiCli;

typedef int (*XiCliCommandFunc) (XiCli  *cli,
                                 int     argc,
                                 char  **argv);

/* What the table cannot say about a command's arguments and options,
 * checked once they are parsed and before the store opens: a value that
 * cannot be right, options that go together. @argv[0] is the command's
 * name and @options what the command parsed into; a mistake is a
 * %G_OPTION_ERROR. */
typedef gboolean (*XiCliCheckFunc) (int        argc,
                                    char     **argv,
                                    gpointer   options,
                                    GError   **error);

/* The options of the commands that filter contacts (--where, --tag,
 * --opted-out, --not-opted-out), and the filter they describe once
 * xi_cli_check_filter_options() has read them. */
typedef struct
{
  char            **wheres;
  char            **tags;
  gboolean          opted_out;
  gboolean          not_opted_out;
  XiContactFilter  *filter;
} XiCliFilterOptions;

void xi_cli_filter_options_clear (XiCliFilterOptions *options);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (XiCliFilterOptions, xi_cli_filter_options_clear)

/* No upper bound on the number of a command's arguments. */
#define XI_CLI_ARGUMENTS_ANY G_MAXINT

typedef enum
{
  XI_CLI_COMMAND_NONE = 0,
  /* Its arguments are texts, which may start with a dash ("-20% today"):
   * an option it does not know is kept as an argument. */
  XI_CLI_COMMAND_TEXT_ARGUMENTS = 1 << 0,
  /* Nothing it runs listens to the store's "changed": what other
   * processes write need not be watched for. */
  XI_CLI_COMMAND_DEAF_TO_OTHERS = 1 << 1,
} XiCliCommandFlags;

/* A command, or a group of sub-commands (@commands); a group's @func, if
 * any, runs when no sub-command is named. Every command's @func parses
 * its options with xi_cli_parse() before anything else, which refuses a
 * number of arguments outside @min_arguments..@max_arguments with
 * @wrong_count (or, for a command that takes none, says so), then opens
 * the store; a group with no @func never opens it. A command that leaves
 * both at 0 takes no arguments. */
struct _XiCliCommand
{
  const char          *name;
  XiCliCommandFunc     func;
  const char          *summary;        /* translatable */
  const char          *arguments;      /* translatable, for the usage line; NULL: none */
  int                  min_arguments;  /* after the command's name */
  int                  max_arguments;  /* or XI_CLI_ARGUMENTS_ANY */
  const char          *wrong_count;    /* translatable; NULL when it takes none */
  const XiCliCommand  *commands;       /* sub-commands, ending with an empty one */
  XiCliCommandFlags    flags;
};

extern const XiCliCommand xi_cli_commands[];
extern const XiCliCommand xi_cli_contacts_commands[];
extern const XiCliCommand xi_cli_groups_commands[];
extern const XiCliCommand xi_cli_segments_commands[];
extern const XiCliCommand xi_cli_templates_commands[];
extern const XiCliCommand xi_cli_assets_commands[];
extern const XiCliCommand xi_cli_campaign_commands[];
extern const XiCliCommand xi_cli_inbox_commands[];
extern const XiCliCommand xi_cli_optout_commands[];
extern const XiCliCommand xi_cli_autoreply_commands[];
extern const XiCliCommand xi_cli_sync_commands[];

GAsyncResult *xi_cli_wait            (GAsyncResult       **slot);
void          xi_cli_result_cb       (GObject             *object,
                                      GAsyncResult        *result,
                                      gpointer             user_data);
int           xi_cli_fail            (XiCli               *cli,
                                      const GError        *error);
gboolean      xi_cli_bad_value       (GError             **error,
                                      GError              *cause);
gboolean      xi_cli_parse_start_time (const char         *text,
                                      gint64              *unix_time,
                                      GError             **error);
gboolean      xi_cli_refuse          (GError             **error,
                                      const char          *format,
                                      ...) G_GNUC_PRINTF (2, 3);
gboolean      xi_cli_check_filter_options (int             argc,
                                           char          **argv,
                                           gpointer        options,
                                           GError        **error);
int           xi_cli_fail_message    (XiCli               *cli,
                                      const char          *format,
                                      ...) G_GNUC_PRINTF (2, 3);
int           xi_cli_usage           (const char          *format,
                                      ...) G_GNUC_PRINTF (1, 2);
int           xi_cli_run_command     (XiCli               *cli,
                                      const XiCliCommand  *command,
                                      int                  argc,
                                      char               **argv);
GOptionContext *xi_cli_context_new   (XiCli               *cli);
gboolean      xi_cli_parse_options   (GOptionContext      *context,
                                      int                 *argc,
                                      char              ***argv,
                                      int                 *status);
gboolean      xi_cli_parse           (XiCli               *cli,
                                      GOptionContext      *context,
                                      int                 *argc,
                                      char              ***argv,
                                      int                 *status);
gboolean      xi_cli_parse_checked   (XiCli               *cli,
                                      GOptionContext      *context,
                                      XiCliCheckFunc       check,
                                      gpointer             options,
                                      int                 *argc,
                                      char              ***argv,
                                      int                 *status);
void          xi_cli_print_json      (JsonBuilder         *builder);
GSettings    *xi_cli_app_settings    (void);
int           xi_cli_lock_engine     (XiCli               *cli,
                                      gboolean             wait);
XiDbusXenderIn1 *xi_cli_app_proxy    (XiCli               *cli);
int           xi_cli_forward_send    (XiCli               *cli,
                                      XiDbusXenderIn1     *app,
                                      const char          *phone,
                                      const char          *text);
int           xi_cli_forward_link    (XiCli               *cli,
                                      XiDbusXenderIn1     *app);
int           xi_cli_forward_run     (XiCli               *cli,
                                      XiDbusXenderIn1     *app,
                                      gboolean             until_idle);
void          xi_cli_print_sent      (XiCli               *cli,
                                      const char          *phone,
                                      const char          *id);
gboolean      xi_cli_print_qr        (XiCli               *cli,
                                      const char          *qr,
                                      GError             **error);
char         *xi_cli_normalize_phone (XiCli               *cli,
                                      const char          *input,
                                      GError             **error);
GPtrArray    *xi_cli_list_contacts   (XiCli               *cli,
                                      GError             **error);
GPtrArray    *xi_cli_list_groups     (XiCli               *cli,
                                      GError             **error);
char        **xi_cli_list_custom_fields (XiCli            *cli,
                                      GError             **error);
XiGroup      *xi_cli_find_group      (XiCli               *cli,
                                      const char          *name,
                                      GError             **error);
GPtrArray    *xi_cli_filter_contacts (XiCli               *cli,
                                      XiContactFilter     *filter,
                                      GError             **error);
XiSegment    *xi_cli_find_segment    (XiCli               *cli,
                                      const char          *name,
                                      GError             **error);
const char   *xi_cli_filter_help     (void);
gboolean      xi_cli_add_filter_options (XiContactFilter          *filter,
                                         const XiCliFilterOptions *options,
                                         GError                  **error);
gboolean      xi_cli_check_filter_fields (XiCli                  *cli,
                                          XiContactFilter        *filter,
                                          GError                **error);
GPtrArray    *xi_cli_list_templates  (XiCli               *cli,
                                      GError             **error);
XiTemplate   *xi_cli_find_template  (XiCli               *cli,
                                      const char          *name,
                                      GError             **error);
XiContact    *xi_cli_find_contact    (GPtrArray           *contacts,
                                      const char          *phone);
char        **xi_cli_contact_ids_for (XiCli               *cli,
                                      int                  argc,
                                      char               **argv,
                                      GError             **error);

int           xi_cli_inbox           (XiCli               *cli,
                                      int                  argc,
                                      char               **argv);
void          xi_cli_inbox_attach    (XiCli               *cli,
                                      XiCampaignRunner    *runner);
void          xi_cli_reply_pacing    (GSettings           *settings,
                                      guint               *min_delay_ms,
                                      guint               *daily_cap);
int           xi_cli_link            (XiCli               *cli,
                                      int                  argc,
                                      char               **argv);
/* A connection to WhatsApp for one command (xi-cli-whatsapp.c). */
typedef struct
{
  WaClient    *client;
  XiTransport *transport;
  XiReceiver  *receiver;
} XiCliSession;

int           xi_cli_session_open    (XiCli               *cli,
                                      XiCliSession        *session);
void          xi_cli_session_close   (XiCliSession        *session);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (XiCliSession, xi_cli_session_close)

int           xi_cli_send            (XiCli               *cli,
                                      int                  argc,
                                      char               **argv);
WaClient     *xi_cli_whatsapp_client (XiCli               *cli,
                                      GError             **error);
WaClient     *xi_cli_whatsapp_client_for_link (XiCli       *cli,
                                      GError             **error);
gboolean      xi_cli_whatsapp_connect (WaClient           *client,
                                      gboolean             catch_up,
                                      GError             **error);
XiCampaignRunner *xi_cli_whatsapp_runner (XiCli           *cli,
                                      GError             **error);
gboolean      xi_cli_whatsapp_is_linked (XiCli             *cli);
gboolean      xi_cli_whatsapp_status (XiCli               *cli,
                                      JsonBuilder         *builder,
                                      GError             **error);
void          xi_cli_whatsapp_attach (XiCli               *cli,
                                      XiCampaignRunner    *runner);
void          xi_cli_whatsapp_detach (XiCampaignRunner    *runner);
int           xi_cli_check           (XiCli               *cli,
                                      int                  argc,
                                      char               **argv);
int           xi_cli_run             (XiCli               *cli,
                                      int                  argc,
                                      char               **argv);
XiAsset      *xi_cli_add_asset       (XiCli               *cli,
                                      const char          *path,
                                      GError             **error);
int           xi_cli_sync            (XiCli               *cli,
                                      int                  argc,
                                      char               **argv);
int           xi_cli_login           (XiCli               *cli,
                                      int                  argc,
                                      char               **argv);
int           xi_cli_logout          (XiCli               *cli,
                                      int                  argc,
                                      char               **argv);
int           xi_cli_status          (XiCli               *cli,
                                      int                  argc,
                                      char               **argv);

G_END_DECLS
