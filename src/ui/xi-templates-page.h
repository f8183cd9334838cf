/* xi-templates-page.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "xi-page.h"
#include "xi-template-editor.h"

G_BEGIN_DECLS

#define XI_TYPE_TEMPLATES_PAGE (xi_templates_page_get_type ())

G_DECLARE_FINAL_TYPE (XiTemplatesPage, xi_templates_page, XI, TEMPLATES_PAGE, XiPage)

XiTemplateEditor *xi_templates_page_get_editor       (XiTemplatesPage *self);
GListModel       *xi_templates_page_get_templates    (XiTemplatesPage *self);
gboolean          xi_templates_page_select_template  (XiTemplatesPage *self,
                                                      const char      *template_id);
void              xi_templates_page_set_search       (XiTemplatesPage *self,
                                                      const char      *text);

G_END_DECLS
