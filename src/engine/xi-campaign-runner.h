/* xi-campaign-runner.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "xi-store.h"
#include "xi-transport.h"

G_BEGIN_DECLS

/**
 * XiJobProgress:
 * @job_id: the campaign
 * @state: its state
 * @total: recipients
 * @sent: acknowledged by the server
 * @failed: given up on
 * @skipped: never sent
 * @remaining: still to send
 * @current_name: (nullable): who is being sent to or waited for
 * @next_send_at: (nullable-zero): Unix ms of the next send, 0 when sending
 * @resting: the pause is the batch rest, not the message delay
 * @finish_estimate: Unix seconds of the expected end from the delay
 *   settings (0 when unknown)
 *
 * A snapshot of a running campaign, published to the main thread at most
 * once per main-loop turn however fast messages go.
 */
typedef struct
{
  char        *job_id;
  XiJobState   state;
  guint        total;
  guint        sent;
  guint        failed;
  guint        skipped;
  guint        remaining;
  char        *current_name;
  gint64       next_send_at;
  gboolean     resting;
  gint64       finish_estimate;
} XiJobProgress;

#define XI_TYPE_JOB_PROGRESS (xi_job_progress_get_type ())
GType           xi_job_progress_get_type (void) G_GNUC_CONST;
XiJobProgress  *xi_job_progress_copy     (const XiJobProgress *progress);
void            xi_job_progress_free     (XiJobProgress       *progress);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (XiJobProgress, xi_job_progress_free)

/* Creates the transport; called once, on the network thread. */
typedef XiTransport *(*XiTransportFactory) (gpointer   user_data,
                                            GError   **error);

#define XI_TYPE_CAMPAIGN_RUNNER (xi_campaign_runner_get_type ())

/* The main thread's handle on the campaign engine, which runs on its own
 * network thread. Signals are emitted on the thread that created it:
 * "job-changed" (XiJob snapshot) whenever a campaign's state or counts
 * change, "progress" (XiJobProgress) coalesced, "idle" when the queue
 * has nothing it could run now, and "incoming" (XiIncoming) for each
 * customer's message once it is stored (opt-outs included). */
G_DECLARE_FINAL_TYPE (XiCampaignRunner, xi_campaign_runner, XI, CAMPAIGN_RUNNER, GObject)

XiCampaignRunner *xi_campaign_runner_new            (XiStore               *store,
                                                     XiTransportFactory     factory,
                                                     gpointer               factory_data,
                                                     GDestroyNotify         factory_destroy);
gboolean          xi_campaign_runner_start          (XiCampaignRunner      *self,
                                                     GError               **error);
void              xi_campaign_runner_stop           (XiCampaignRunner      *self);
void              xi_campaign_runner_wake           (XiCampaignRunner      *self);
XiTransportState  xi_campaign_runner_get_transport_state (XiCampaignRunner *self);
gboolean          xi_campaign_runner_is_idle        (XiCampaignRunner      *self);
GMainContext     *xi_campaign_runner_get_network_context (XiCampaignRunner *self);
void              xi_campaign_runner_set_receiver_settings (XiCampaignRunner   *self,
                                                     const char * const    *opt_out_keywords,
                                                     guint                  reply_min_delay_ms,
                                                     guint                  reply_daily_cap);
void              xi_campaign_runner_set_media_auto_download (XiCampaignRunner *self,
                                                     guint64                limit);
void              xi_campaign_runner_download_media_async (XiCampaignRunner *self,
                                                     XiIncoming            *incoming,
                                                     GCancellable          *cancellable,
                                                     GAsyncReadyCallback    callback,
                                                     gpointer               user_data);
XiIncoming       *xi_campaign_runner_download_media_finish (XiCampaignRunner *self,
                                                     GAsyncResult          *result,
                                                     GError               **error);
void              xi_campaign_runner_set_whatsapp_transport (XiCampaignRunner *self,
                                                     XiTransport           *transport);
void              xi_campaign_runner_command_async  (XiCampaignRunner      *self,
                                                     const char            *job_id,
                                                     XiJobCommand           command,
                                                     GCancellable          *cancellable,
                                                     GAsyncReadyCallback    callback,
                                                     gpointer               user_data);
XiJob            *xi_campaign_runner_command_finish (XiCampaignRunner      *self,
                                                     GAsyncResult          *result,
                                                     GError               **error);

G_END_DECLS
