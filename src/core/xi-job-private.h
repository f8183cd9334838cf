/* xi-job-private.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "xi-job.h"

G_BEGIN_DECLS

/* The store fills a new job field by field; after that a job is only
 * changed through xi_job_update_from(), which notifies. */
struct _XiJob
{
  GObject        parent_instance;

  char          *id;
  char          *name;
  char          *template_id;
  char          *group_id;
  XiJobState     state;
  guint          delay_min_ms;
  guint          delay_max_ms;
  guint          batch_size;
  guint          batch_rest_ms;
  guint          daily_cap;
  XiVariantMode  variant_mode;
  int            priority;
  gint64         scheduled_at;
  guint          total;
  guint          sent;
  guint          failed;
  guint          skipped;
  guint          delivered;
  guint          read;
  char          *created_at;
  char          *started_at;
  char          *finished_at;
  char          *last_error;
  char          *transport;
  char          *asset_sha256;
  char          *asset_name;
  char          *asset_mime_type;
  guint64        asset_size;
};

XiJob *_xi_job_new (void);

G_END_DECLS
