/* wa-node.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "wa-jid.h"

G_BEGIN_DECLS

/**
 * WaNode:
 *
 * One stanza of the WhatsApp binary XML: a tag, attributes whose values are
 * text or JIDs (the wire keeps the difference), and as content either
 * nothing, raw bytes or child nodes. Reference counted; build it on one
 * thread, then treat it as immutable.
 */
typedef struct _WaNode WaNode;

#define WA_TYPE_NODE (wa_node_get_type ())

GType        wa_node_get_type       (void) G_GNUC_CONST;
WaNode      *wa_node_new            (const char  *tag);
WaNode      *wa_node_ref            (WaNode      *self);
void         wa_node_unref          (WaNode      *self);
const char  *wa_node_get_tag        (WaNode      *self);
void         wa_node_set_attr       (WaNode      *self,
                                     const char  *key,
                                     const char  *value);
void         wa_node_set_attr_jid   (WaNode      *self,
                                     const char  *key,
                                     WaJid       *jid);
const char  *wa_node_get_attr       (WaNode      *self,
                                     const char  *key);
WaJid       *wa_node_get_attr_jid   (WaNode      *self,
                                     const char  *key);
guint        wa_node_get_n_attrs    (WaNode      *self);
const char  *wa_node_get_attr_key   (WaNode      *self,
                                     guint        index);
WaJid       *wa_node_peek_attr_jid  (WaNode      *self,
                                     guint        index);
const char  *wa_node_peek_attr_text (WaNode      *self,
                                     guint        index);
void         wa_node_set_content    (WaNode      *self,
                                     GBytes      *content);
GBytes      *wa_node_get_content    (WaNode      *self);
void         wa_node_add_child      (WaNode      *self,
                                     WaNode      *child);
GPtrArray   *wa_node_get_children   (WaNode      *self);
WaNode      *wa_node_get_child      (WaNode      *self,
                                     const char  *tag);
gboolean     wa_node_equal          (WaNode      *a,
                                     WaNode      *b);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WaNode, wa_node_unref)

G_END_DECLS
