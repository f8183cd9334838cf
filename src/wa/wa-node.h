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
 * WaNodeContent:
 * @WA_NODE_CONTENT_NONE: no content: `<tag …/>`
 * @WA_NODE_CONTENT_BYTES: raw bytes, always written as BINARY_8/20/32
 * @WA_NODE_CONTENT_CHILDREN: a list of child nodes, possibly empty
 *
 * What a #WaNode holds besides its tag and attributes.
 */
typedef enum {
  WA_NODE_CONTENT_NONE,
  WA_NODE_CONTENT_BYTES,
  WA_NODE_CONTENT_CHILDREN,
} WaNodeContent;

/**
 * WaNodeDebugFlags:
 * @WA_NODE_DEBUG_DEFAULT: safe for logs: byte content is replaced by its
 *   length and long digit runs (phone numbers, LIDs) are masked
 * @WA_NODE_DEBUG_SHOW_BYTES: print byte content in hex
 * @WA_NODE_DEBUG_SHOW_NUMBERS: print numbers in full
 * @WA_NODE_DEBUG_FULL: everything; for tests, never for logs
 * @WA_NODE_DEBUG_INDENT: one node per line, indented by depth
 *
 * How wa_node_to_debug_string() prints a node.
 */
typedef enum {
  WA_NODE_DEBUG_DEFAULT      = 0,
  WA_NODE_DEBUG_SHOW_BYTES   = 1 << 0,
  WA_NODE_DEBUG_SHOW_NUMBERS = 1 << 1,
  WA_NODE_DEBUG_FULL         = WA_NODE_DEBUG_SHOW_BYTES | WA_NODE_DEBUG_SHOW_NUMBERS,
  WA_NODE_DEBUG_INDENT       = 1 << 2,
} WaNodeDebugFlags;

/**
 * WaNode:
 *
 * One stanza of WhatsApp's binary XML (WA-PROTOCOL.md §4): a tag,
 * attributes in insertion order whose values are either text or a #WaJid
 * (the wire keeps the difference, and whatsmeow and Baileys depend on it),
 * and as content nothing, raw bytes or child nodes.
 *
 * Reference counted. Build a node on one thread, then treat it as immutable:
 * the setters are not thread-safe, the getters are.
 */
typedef struct _WaNode WaNode;

#define WA_TYPE_NODE (wa_node_get_type ())

GType          wa_node_get_type              (void) G_GNUC_CONST;

WaNode        *wa_node_new                   (const char        *tag);
WaNode        *wa_node_new_with_attrs        (const char        *tag,
                                              const char        *first_key,
                                              ...) G_GNUC_NULL_TERMINATED;
WaNode        *wa_node_ref                   (WaNode            *self);
void           wa_node_unref                 (WaNode            *self);

const char    *wa_node_get_tag               (WaNode            *self);

void           wa_node_set_attr              (WaNode            *self,
                                              const char        *key,
                                              const char        *value);
void           wa_node_set_attr_jid          (WaNode            *self,
                                              const char        *key,
                                              WaJid             *jid);
void           wa_node_set_attrs             (WaNode            *self,
                                              const char        *first_key,
                                              ...) G_GNUC_NULL_TERMINATED;
void           wa_node_set_attrs_valist      (WaNode            *self,
                                              const char        *first_key,
                                              va_list            args);
gboolean       wa_node_has_attr              (WaNode            *self,
                                              const char        *key);
const char    *wa_node_get_attr              (WaNode            *self,
                                              const char        *key);
WaJid         *wa_node_get_attr_jid          (WaNode            *self,
                                              const char        *key);
guint          wa_node_get_n_attrs           (WaNode            *self);
const char    *wa_node_get_attr_key          (WaNode            *self,
                                              guint              index);
const char    *wa_node_get_attr_value        (WaNode            *self,
                                              guint              index);
WaJid         *wa_node_peek_attr_jid         (WaNode            *self,
                                              guint              index);

WaNodeContent  wa_node_get_content_type      (WaNode            *self);
void           wa_node_set_content_bytes     (WaNode            *self,
                                              GBytes            *bytes);
void           wa_node_set_content_data      (WaNode            *self,
                                              const guint8      *data,
                                              gsize              len);
GBytes        *wa_node_get_content_bytes     (WaNode            *self);
void           wa_node_clear_content         (WaNode            *self);

WaNode        *wa_node_add_child             (WaNode            *self,
                                              WaNode            *child);
void           wa_node_add_children          (WaNode            *self,
                                              WaNode            *first_child,
                                              ...) G_GNUC_NULL_TERMINATED;
GPtrArray     *wa_node_ensure_children       (WaNode            *self);
GPtrArray     *wa_node_get_children          (WaNode            *self);
guint          wa_node_get_n_children        (WaNode            *self);
WaNode        *wa_node_get_child_by_tag      (WaNode            *self,
                                              const char        *tag);
GPtrArray     *wa_node_get_children_by_tag   (WaNode            *self,
                                              const char        *tag);

gboolean       wa_node_equal                 (WaNode            *a,
                                              WaNode            *b);
char          *wa_node_to_debug_string       (WaNode            *self,
                                              WaNodeDebugFlags   flags);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WaNode, wa_node_unref)

G_END_DECLS
