/* xi-template-editor.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "xi-context.h"

G_BEGIN_DECLS

#define XI_TYPE_TEMPLATE_EDITOR (xi_template_editor_get_type ())

G_DECLARE_FINAL_TYPE (XiTemplateEditor, xi_template_editor, XI, TEMPLATE_EDITOR, AdwBin)

void        xi_template_editor_set_context      (XiTemplateEditor *self,
                                                 XiContext        *context);
void        xi_template_editor_edit             (XiTemplateEditor *self,
                                                 XiTemplate       *template_);
XiTemplate *xi_template_editor_get_template     (XiTemplateEditor *self);
gboolean    xi_template_editor_get_modified     (XiTemplateEditor *self);
void        xi_template_editor_focus_name       (XiTemplateEditor *self);
void        xi_template_editor_set_name         (XiTemplateEditor *self,
                                                 const char       *name);
guint       xi_template_editor_get_n_variants   (XiTemplateEditor *self);
void        xi_template_editor_set_variant_text (XiTemplateEditor *self,
                                                 guint             index,
                                                 const char       *text);
void        xi_template_editor_add_variant      (XiTemplateEditor *self);
void        xi_template_editor_remove_variant   (XiTemplateEditor *self,
                                                 guint             index);
void        xi_template_editor_insert_variable  (XiTemplateEditor *self,
                                                 guint             index,
                                                 const char       *variable);
gboolean    xi_template_editor_can_save         (XiTemplateEditor *self);
char       *xi_template_editor_dup_error        (XiTemplateEditor *self,
                                                 guint             index);
char       *xi_template_editor_dup_marked       (XiTemplateEditor *self,
                                                 guint             index);
char       *xi_template_editor_dup_preview      (XiTemplateEditor *self,
                                                 guint             index);
char       *xi_template_editor_dup_warning      (XiTemplateEditor *self);
char       *xi_template_editor_dup_message      (XiTemplateEditor *self);
void        xi_template_editor_preview_contact  (XiTemplateEditor *self,
                                                 XiContact        *contact);
void        xi_template_editor_shuffle          (XiTemplateEditor *self);
void        xi_template_editor_save             (XiTemplateEditor *self);
void        xi_template_editor_attach_file      (XiTemplateEditor *self,
                                                 GFile            *file);
XiAsset    *xi_template_editor_get_attachment   (XiTemplateEditor *self);

G_END_DECLS
