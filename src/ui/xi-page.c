/* xi-page.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-page"

#include "config.h"

#include "xi-page.h"

typedef struct
{
  XiContext *context;
} XiPagePrivate;

G_DEFINE_TYPE_WITH_PRIVATE (XiPage, xi_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_CONTEXT,
  N_PROPS
};

enum {
  ADD_TOAST,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
xi_page_dispose (GObject *object)
{
  XiPage *self = (XiPage *)object;
  XiPagePrivate *priv = xi_page_get_instance_private (self);

  g_clear_object (&priv->context);

  G_OBJECT_CLASS (xi_page_parent_class)->dispose (object);
}

static void
xi_page_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  XiPage *self = XI_PAGE (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      g_value_set_object (value, xi_page_get_context (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
xi_page_set_property (GObject      *object,
                      guint         prop_id,
                      const GValue *value,
                      GParamSpec   *pspec)
{
  XiPage *self = XI_PAGE (object);
  XiPagePrivate *priv = xi_page_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      /* Set once: every page keeps the window's context for its life. */
      g_return_if_fail (priv->context == NULL);
      priv->context = g_value_dup_object (value);
      if (priv->context != NULL && XI_PAGE_GET_CLASS (self)->context_set != NULL)
        XI_PAGE_GET_CLASS (self)->context_set (self, priv->context);
      g_object_notify_by_pspec (object, pspec);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
xi_page_class_init (XiPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = xi_page_dispose;
  object_class->get_property = xi_page_get_property;
  object_class->set_property = xi_page_set_property;

  properties[PROP_CONTEXT] =
    g_param_spec_object ("context", NULL, NULL, XI_TYPE_CONTEXT,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[ADD_TOAST] = g_signal_new ("add-toast", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 1, ADW_TYPE_TOAST);
}

static void
xi_page_init (XiPage *self)
{
}

/**
 * xi_page_get_context:
 * @self: a #XiPage
 *
 * Returns: (transfer none) (nullable): the shared services
 */
XiContext *
xi_page_get_context (XiPage *self)
{
  XiPagePrivate *priv = xi_page_get_instance_private (self);

  g_return_val_if_fail (XI_IS_PAGE (self), NULL);
  return priv->context;
}

/* Shows a short message at the bottom of the window. */
void
xi_page_toast (XiPage     *self,
               const char *format,
               ...)
{
  g_autofree char *message = NULL;
  g_autoptr(AdwToast) toast = NULL;
  va_list args;

  g_return_if_fail (XI_IS_PAGE (self));

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  toast = adw_toast_new (message);
  g_signal_emit (self, signals[ADD_TOAST], 0, toast);
}
