/* xi-campaigns-facade.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "xi-campaign-runner.h"
#include "xi-facade.h"

G_BEGIN_DECLS

#define XI_TYPE_CAMPAIGNS_FACADE (xi_campaigns_facade_get_type ())

G_DECLARE_FINAL_TYPE (XiCampaignsFacade, xi_campaigns_facade, XI, CAMPAIGNS_FACADE, XiFacade)

XiCampaignsFacade *xi_campaigns_facade_new            (XiStore               *store);
void               xi_campaigns_facade_set_runner     (XiCampaignsFacade     *self,
                                                       XiCampaignRunner      *runner);
void               xi_campaigns_facade_create_async   (XiCampaignsFacade     *self,
                                                       XiJobSpec             *spec,
                                                       GCancellable          *cancellable,
                                                       GAsyncReadyCallback    callback,
                                                       gpointer               user_data);
XiJob             *xi_campaigns_facade_create_finish  (XiCampaignsFacade     *self,
                                                       GAsyncResult          *result,
                                                       GError               **error);
void               xi_campaigns_facade_command_async  (XiCampaignsFacade     *self,
                                                       const char            *job_id,
                                                       XiJobCommand           command,
                                                       GCancellable          *cancellable,
                                                       GAsyncReadyCallback    callback,
                                                       gpointer               user_data);
XiJob             *xi_campaigns_facade_command_finish (XiCampaignsFacade     *self,
                                                       GAsyncResult          *result,
                                                       GError               **error);
void               xi_campaigns_facade_delete_async   (XiCampaignsFacade     *self,
                                                       const char            *job_id,
                                                       GCancellable          *cancellable,
                                                       GAsyncReadyCallback    callback,
                                                       gpointer               user_data);
gboolean           xi_campaigns_facade_delete_finish  (XiCampaignsFacade     *self,
                                                       GAsyncResult          *result,
                                                       GError               **error);

G_END_DECLS
