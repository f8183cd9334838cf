/* wa-ab-props.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "wa-key-store.h"
#include "wa-node.h"

G_BEGIN_DECLS

/* The AB props this client acts on (WA-FIDELITY §1.4, §1.5, §1.7). */
#define WA_AB_PROP_TCTOKEN_DURATION        865
#define WA_AB_PROP_TCTOKEN_NUM_BUCKETS     909
#define WA_AB_PROP_TCTOKEN_DURATION_SENDER 996
#define WA_AB_PROP_TCTOKEN_BUCKETS_SENDER  997
#define WA_AB_PROP_TCTOKEN_ON_ALL_1_ON_1   10518
#define WA_AB_PROP_NCT_TOKEN_SEND          24941

#define WA_AB_PROPS_KIND "abprops"

WaNode   *wa_ab_props_request  (WaKeyStore  *store);
gboolean  wa_ab_props_store    (WaKeyStore  *store,
                                WaNode      *answer,
                                guint       *n_props,
                                GError     **error);
gint64    wa_ab_props_get_int  (WaKeyStore  *store,
                                guint        code,
                                gint64       min,
                                gint64       max,
                                gint64       fallback);
gboolean  wa_ab_props_allows   (WaKeyStore  *store,
                                guint        code);

G_END_DECLS
