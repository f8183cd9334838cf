/* xi-templates-facade.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "xi-facade.h"

G_BEGIN_DECLS

#define XI_TYPE_TEMPLATES_FACADE (xi_templates_facade_get_type ())

G_DECLARE_FINAL_TYPE (XiTemplatesFacade, xi_templates_facade, XI, TEMPLATES_FACADE, XiFacade)

XiTemplatesFacade *xi_templates_facade_new           (XiStore               *store);
void               xi_templates_facade_save_async    (XiTemplatesFacade     *self,
                                                      XiTemplate            *template_,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
XiTemplate        *xi_templates_facade_save_finish   (XiTemplatesFacade     *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);
void               xi_templates_facade_delete_async  (XiTemplatesFacade     *self,
                                                      const char            *template_id,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
gboolean           xi_templates_facade_delete_finish (XiTemplatesFacade     *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);

G_END_DECLS
