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

XiTemplateEditor *xi_templates_page_get_editor (XiTemplatesPage *self);

G_END_DECLS
