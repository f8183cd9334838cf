/* wa-signal-provider.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <signal/signal_protocol.h>

G_BEGIN_DECLS

const signal_crypto_provider *wa_signal_crypto_provider (void);

G_END_DECLS
