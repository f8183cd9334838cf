/* xi-context.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "xi-assets-facade.h"
#include "xi-auto-reply-facade.h"
#include "xi-campaign-runner.h"
#include "xi-campaigns-facade.h"
#include "xi-connection.h"
#include "xi-contacts-facade.h"
#include "xi-groups-facade.h"
#include "xi-image-decoder.h"
#include "xi-inbox-facade.h"
#include "xi-segments-facade.h"
#include "xi-templates-facade.h"
#include "xi-store.h"
#include "xi-sync-account.h"
#include "xi-sync-service.h"

G_BEGIN_DECLS

#define XI_TYPE_CONTEXT (xi_context_get_type ())

/*
 * XiContext: the services every page needs (Calendar's GcalContext pattern),
 * handed to each page through its "context" property. Main thread only.
 * It owns the store and the GSettings, and the facades of contacts,
 * groups, templates, campaigns, assets, automatic replies and saved
 * segments, which own the models pages share, follow the store
 * themselves (XiStore::changed) and make the writes pages ask for. The
 * contacts are not held: their list keeps row keys and loads what is
 * shown.
 */
G_DECLARE_FINAL_TYPE (XiContext, xi_context, XI, CONTEXT, GObject)

XiContext   *xi_context_new                (XiStore              *store,
                                            GSettings            *settings);
XiStore     *xi_context_get_store          (XiContext            *self);
GSettings   *xi_context_get_settings       (XiContext            *self);
GListModel  *xi_context_get_contacts       (XiContext            *self);
XiContactsFacade *xi_context_get_contacts_facade (XiContext       *self);
GListModel  *xi_context_get_groups         (XiContext            *self);
GListModel  *xi_context_get_templates      (XiContext            *self);
GListModel  *xi_context_get_jobs           (XiContext            *self);
XiCampaignsFacade *xi_context_get_campaigns (XiContext           *self);
XiGroupsFacade *xi_context_get_groups_facade (XiContext          *self);
XiTemplatesFacade *xi_context_get_templates_facade (XiContext    *self);
GListModel  *xi_context_get_assets        (XiContext            *self);
XiAssetsFacade *xi_context_get_assets_facade (XiContext          *self);
XiAutoReplyFacade *xi_context_get_auto_reply_facade (XiContext    *self);
XiInboxFacade *xi_context_get_inbox_facade (XiContext            *self);
XiImageDecoder *xi_context_get_image_decoder (XiContext          *self);
XiSegmentsFacade *xi_context_get_segments_facade (XiContext      *self);
XiCampaignRunner *xi_context_get_runner    (XiContext            *self);
void         xi_context_set_runner         (XiContext            *self,
                                            XiCampaignRunner     *runner);
XiConnection *xi_context_get_connection    (XiContext            *self);
void         xi_context_set_connection     (XiContext            *self,
                                            XiConnection         *connection);
XiSyncService *xi_context_get_sync_service (XiContext          *self);
void         xi_context_set_sync_service   (XiContext            *self,
                                            XiSyncService        *service);
XiSyncAccount *xi_context_get_sync_account (XiContext          *self);
void         xi_context_set_sync_account   (XiContext            *self,
                                            XiSyncAccount        *account);
const char  *xi_context_get_engine_elsewhere (XiContext          *self);
void         xi_context_set_engine_elsewhere (XiContext          *self,
                                              const char         *sentence);
XiGroup     *xi_context_find_group         (XiContext            *self,
                                            const char           *id);
gboolean     xi_context_get_loading        (XiContext            *self);
char        *xi_context_dup_country_code   (XiContext            *self);
const char * const *xi_context_get_custom_fields (XiContext      *self);
void         xi_context_add_custom_fields  (XiContext            *self,
                                            const char * const   *names);

void         xi_context_reload_async       (XiContext            *self,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
gboolean     xi_context_reload_finish      (XiContext            *self,
                                            GAsyncResult         *result,
                                            GError              **error);

G_END_DECLS
