/* xi-template-text.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define XI_TEMPLATE_ERROR (xi_template_error_quark ())

typedef enum {
  XI_TEMPLATE_ERROR_UNCLOSED_BRACE,
  XI_TEMPLATE_ERROR_UNEXPECTED_CLOSE,
  XI_TEMPLATE_ERROR_EMPTY_VARIABLE,
  XI_TEMPLATE_ERROR_UNKNOWN_VARIABLE,
  XI_TEMPLATE_ERROR_BAD_CHOICE,
  XI_TEMPLATE_ERROR_EMPTY,
} XiTemplateError;

/**
 * XiTemplateText:
 *
 * One parsed template variant: literal text, variables such as `{name}`,
 * variables with a fallback (`{name|Kak}`) and choices (`{{Halo|Hai}}`).
 * Immutable and reference counted, so it may be shared between threads.
 */
typedef struct _XiTemplateText XiTemplateText;

/**
 * XiTemplateProblem:
 * @start: where the problem starts, in characters from the start of the text
 * @end: where it ends (exclusive), in characters; @start and @end are 0 for
 *   %XI_TEMPLATE_ERROR_EMPTY
 * @error: what is wrong, as xi_template_text_parse() would say it
 *
 * One problem found by xi_template_text_check().
 */
typedef struct
{
  guint   start;
  guint   end;
  GError *error;
} XiTemplateProblem;

/**
 * XiTemplateLookupFunc:
 * @variable: the variable name, lower case
 * @user_data: closure
 *
 * Returns: (nullable): the value, or %NULL or "" when the recipient has none
 */
typedef const char *(*XiTemplateLookupFunc) (const char *variable,
                                             gpointer    user_data);

GQuark           xi_template_error_quark        (void);

XiTemplateText  *xi_template_text_parse         (const char            *source,
                                                 const char * const    *known_variables,
                                                 GError               **error);
GPtrArray       *xi_template_text_check        (const char            *source,
                                                 const char * const    *known_variables);
void             xi_template_problem_free       (gpointer               problem);
XiTemplateText  *xi_template_text_ref           (XiTemplateText        *self);
void             xi_template_text_unref         (XiTemplateText        *self);
const char      *xi_template_text_get_source    (XiTemplateText        *self);
char           **xi_template_text_get_variables (XiTemplateText        *self);
gboolean         xi_template_text_needs_value   (XiTemplateText        *self,
                                                 const char            *variable);
gsize            xi_template_text_get_max_chars (XiTemplateText        *self,
                                                 XiTemplateLookupFunc   lookup,
                                                 gpointer               lookup_data);
char            *xi_template_text_render        (XiTemplateText        *self,
                                                 XiTemplateLookupFunc   lookup,
                                                 gpointer               lookup_data,
                                                 GRand                 *rand,
                                                 char                ***missing,
                                                 GError               **error);

const char * const *xi_template_builtin_variables (void);
char            *xi_template_name_key           (const char            *name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (XiTemplateText, xi_template_text_unref)

G_END_DECLS
