/* wa-node.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "wa-binary"

#include "config.h"

#include <string.h>

#include "wa-node.h"

/* The list header of a node counts its tag, two items per attribute and
 * the content in 16 bits (LIST_16), so these are the most a node can hold
 * and still be written. */
#define MAX_ATTRS    32767
#define MAX_CHILDREN 65535

/* Past this many attributes, finding one by key goes through a hash table:
 * a hostile stanza can carry thousands, and the decoder sets each one. */
#define ATTR_INDEX_THRESHOLD 16

/* Nodes are built and freed for every stanza in both directions, so a
 * node, its tag and its first few attributes share one allocation, and
 * an attribute's key and text share another. */
#define INLINE_ATTRS 4

typedef struct
{
  char  *key;     /* owns one block: the key, then the value's text */
  char  *value;   /* the text, inside the key's block; for a JID its
                   * string form, so get_attr() works */
  WaJid *jid;     /* set when the value travels as a JID */
} Attr;

struct _WaNode
{
  Attr          *attrs;        /* insertion order; inline_attrs until more are needed */
  guint          n_attrs;
  guint          attrs_size;
  GHashTable    *attr_index;   /* key -> position + 1, for nodes with many attrs */
  WaNodeContent  content_type;
  GBytes        *bytes;        /* for WA_NODE_CONTENT_BYTES */
  GPtrArray     *children;     /* of WaNode, for WA_NODE_CONTENT_CHILDREN */
  Attr           inline_attrs[INLINE_ATTRS];
  char           tag[];
};

G_DEFINE_BOXED_TYPE (WaNode, wa_node, wa_node_ref, wa_node_unref)

/* Auxiliary methods */

static void
node_clear (gpointer data)
{
  WaNode *self = data;

  for (guint i = 0; i < self->n_attrs; i++)
    {
      g_free (self->attrs[i].key);
      g_clear_pointer (&self->attrs[i].jid, wa_jid_unref);
    }
  if (self->attrs != self->inline_attrs)
    g_free (self->attrs);
  g_clear_pointer (&self->attr_index, g_hash_table_unref);
  g_clear_pointer (&self->bytes, g_bytes_unref);
  g_clear_pointer (&self->children, g_ptr_array_unref);
}

static Attr *
find_attr (WaNode     *self,
           const char *key)
{
  if (self->attr_index != NULL)
    {
      guint pos = GPOINTER_TO_UINT (g_hash_table_lookup (self->attr_index, key));

      return pos != 0 ? &self->attrs[pos - 1] : NULL;
    }

  for (guint i = 0; i < self->n_attrs; i++)
    if (g_str_equal (self->attrs[i].key, key))
      return &self->attrs[i];
  return NULL;
}

/* A new attribute, last; NULL when the node is full. */
static Attr *
append_attr (WaNode *self)
{
  g_return_val_if_fail (self->n_attrs < MAX_ATTRS, NULL);

  if (self->n_attrs == self->attrs_size)
    {
      self->attrs_size *= 2;
      if (self->attrs == self->inline_attrs)
        {
          self->attrs = g_new (Attr, self->attrs_size);
          memcpy (self->attrs, self->inline_attrs, sizeof self->inline_attrs);
        }
      else
        self->attrs = g_renew (Attr, self->attrs, self->attrs_size);
    }
  return &self->attrs[self->n_attrs++];
}

/* Sets @key to @value, taking @jid (the value's JID, or NULL). A key
 * already set keeps its place. */
static void
set_attr (WaNode     *self,
          const char *key,
          const char *value,
          WaJid      *jid)
{
  gsize key_size = strlen (key) + 1;
  gsize value_size = strlen (value) + 1;
  char *block = g_malloc (key_size + value_size);
  Attr *attr = find_attr (self, key);
  char *old_block = NULL;

  memcpy (block, key, key_size);
  memcpy (block + key_size, value, value_size);

  if (attr != NULL)
    {
      old_block = attr->key;
      g_clear_pointer (&attr->jid, wa_jid_unref);
    }
  else if ((attr = append_attr (self)) == NULL)
    {
      g_free (block);
      g_clear_pointer (&jid, wa_jid_unref);
      return;
    }
  attr->key = block;
  attr->value = block + key_size;
  attr->jid = jid;

  /* The index borrows the keys from their blocks. */
  if (self->attr_index == NULL && self->n_attrs >= ATTR_INDEX_THRESHOLD)
    {
      self->attr_index = g_hash_table_new (g_str_hash, g_str_equal);
      for (guint i = 0; i < self->n_attrs; i++)
        g_hash_table_insert (self->attr_index, self->attrs[i].key, GUINT_TO_POINTER (i + 1));
    }
  else if (self->attr_index != NULL)
    g_hash_table_replace (self->attr_index, attr->key, GUINT_TO_POINTER (attr - self->attrs + 1));
  g_free (old_block);
}

static Attr *
attr_at (WaNode *self,
         guint   index)
{
  g_return_val_if_fail (index < self->n_attrs, NULL);

  return &self->attrs[index];
}

static void
drop_content (WaNode *self)
{
  g_clear_pointer (&self->bytes, g_bytes_unref);
  g_clear_pointer (&self->children, g_ptr_array_unref);
  self->content_type = WA_NODE_CONTENT_NONE;
}

/* Public API */

/**
 * wa_node_new:
 * @tag: the tag, not empty
 *
 * Returns: (transfer full): a node with no attributes and no content
 */
WaNode *
wa_node_new (const char *tag)
{
  gsize tag_size;
  WaNode *self;

  g_return_val_if_fail (tag != NULL && tag[0] != '\0', NULL);

  tag_size = strlen (tag) + 1;
  self = g_atomic_rc_box_alloc0 (sizeof (WaNode) + tag_size);
  memcpy (self->tag, tag, tag_size);
  self->attrs = self->inline_attrs;
  self->attrs_size = INLINE_ATTRS;
  return self;
}

/**
 * wa_node_new_with_attrs:
 * @tag: the tag
 * @first_key: (nullable): the first attribute's key
 * @...: its value, then more key/value pairs, ended by %NULL
 *
 * Builds a node with text attributes in one call:
 * |[<!-- language="C" -->
 * node = wa_node_new_with_attrs ("ack", "class", "receipt", "id", id,
 *                                "participant", participant_or_null, NULL);
 * ]|
 * A %NULL value skips its key, so optional attributes need no branches.
 * JID-typed values go through wa_node_set_attr_jid().
 *
 * Returns: (transfer full): the node
 */
WaNode *
wa_node_new_with_attrs (const char *tag,
                        const char *first_key,
                        ...)
{
  WaNode *self;
  va_list args;

  g_return_val_if_fail (tag != NULL && tag[0] != '\0', NULL);

  self = wa_node_new (tag);
  va_start (args, first_key);
  wa_node_set_attrs_valist (self, first_key, args);
  va_end (args);
  return self;
}

/**
 * wa_node_ref:
 * @self: a #WaNode
 *
 * Returns: (transfer full): @self
 */
WaNode *
wa_node_ref (WaNode *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_atomic_rc_box_acquire (self);
}

/**
 * wa_node_unref:
 * @self: (transfer full): a #WaNode
 *
 * Drops a reference; the last one frees the node and its subtree.
 */
void
wa_node_unref (WaNode *self)
{
  g_return_if_fail (self != NULL);

  g_atomic_rc_box_release_full (self, node_clear);
}

/**
 * wa_node_get_tag:
 * @self: a #WaNode
 *
 * Returns: the tag, never empty
 */
const char *
wa_node_get_tag (WaNode *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->tag;
}

/**
 * wa_node_set_attr:
 * @self: a #WaNode
 * @key: the attribute, not empty
 * @value: its value, as text
 *
 * Sets a text attribute, replacing any value @key had (in place, so the
 * attribute order stays that of first insertion). Text that looks like a
 * JID stays text on the wire: JID typing is the caller's decision, through
 * wa_node_set_attr_jid().
 */
void
wa_node_set_attr (WaNode     *self,
                  const char *key,
                  const char *value)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (key != NULL && key[0] != '\0');
  g_return_if_fail (value != NULL);

  set_attr (self, key, value, NULL);
}

/**
 * wa_node_set_attr_jid:
 * @self: a #WaNode
 * @key: the attribute, not empty
 * @jid: its value
 *
 * Sets an attribute that travels as a JID (AD_JID, JID_PAIR…): `to`,
 * `from`, `jid`, `participant` and the like. WA-PROTOCOL.md §4.6 explains
 * why the type matters to the peer.
 */
void
wa_node_set_attr_jid (WaNode     *self,
                      const char *key,
                      WaJid      *jid)
{
  g_autofree char *text = NULL;

  g_return_if_fail (self != NULL);
  g_return_if_fail (key != NULL && key[0] != '\0');
  g_return_if_fail (jid != NULL);

  text = wa_jid_to_string (jid);
  set_attr (self, key, text, wa_jid_ref (jid));
}

/**
 * wa_node_set_attrs:
 * @self: a #WaNode
 * @first_key: (nullable): the first key
 * @...: its value, then more pairs, ended by %NULL
 *
 * Sets text attributes from key/value pairs; a %NULL value skips its key.
 */
void
wa_node_set_attrs (WaNode     *self,
                   const char *first_key,
                   ...)
{
  va_list args;

  g_return_if_fail (self != NULL);

  va_start (args, first_key);
  wa_node_set_attrs_valist (self, first_key, args);
  va_end (args);
}

/**
 * wa_node_set_attrs_valist:
 * @self: a #WaNode
 * @first_key: (nullable): the first key
 * @args: its value, then more pairs, ended by %NULL
 *
 * The va_list form of wa_node_set_attrs().
 */
void
wa_node_set_attrs_valist (WaNode     *self,
                          const char *first_key,
                          va_list     args)
{
  g_return_if_fail (self != NULL);

  for (const char *key = first_key; key != NULL; key = va_arg (args, const char *))
    {
      const char *value = va_arg (args, const char *);

      if (value != NULL)
        wa_node_set_attr (self, key, value);
    }
}

/**
 * wa_node_has_attr:
 * @self: a #WaNode
 * @key: an attribute name
 *
 * Returns: whether the attribute is set, as text or as a JID
 */
gboolean
wa_node_has_attr (WaNode     *self,
                  const char *key)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  return find_attr (self, key) != NULL;
}

/**
 * wa_node_get_attr:
 * @self: a #WaNode
 * @key: an attribute name
 *
 * Returns: (nullable): the value as text (a JID in its string form)
 */
const char *
wa_node_get_attr (WaNode     *self,
                  const char *key)
{
  Attr *attr;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  attr = find_attr (self, key);
  return attr != NULL ? attr->value : NULL;
}

/**
 * wa_node_get_attr_jid:
 * @self: a #WaNode
 * @key: an attribute name
 *
 * The value as a JID, whether it came as one or as text that parses as one
 * (parsed on each call; peers are not consistent about the typing).
 *
 * Returns: (transfer full) (nullable): the JID, or %NULL when the attribute
 *   is missing or its text is not a JID
 */
WaJid *
wa_node_get_attr_jid (WaNode     *self,
                      const char *key)
{
  Attr *attr;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  attr = find_attr (self, key);
  if (attr == NULL)
    return NULL;
  if (attr->jid != NULL)
    return wa_jid_ref (attr->jid);
  return wa_jid_parse (attr->value, NULL);
}

/**
 * wa_node_get_n_attrs:
 * @self: a #WaNode
 *
 * Returns: the number of attributes
 */
guint
wa_node_get_n_attrs (WaNode *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_attrs;
}

/**
 * wa_node_get_attr_key:
 * @self: a #WaNode
 * @index: below wa_node_get_n_attrs()
 *
 * Returns: the key of attribute @index, in insertion order
 */
const char *
wa_node_get_attr_key (WaNode *self,
                      guint   index)
{
  Attr *attr;

  g_return_val_if_fail (self != NULL, NULL);

  attr = attr_at (self, index);
  return attr != NULL ? attr->key : NULL;
}

/**
 * wa_node_get_attr_value:
 * @self: a #WaNode
 * @index: below wa_node_get_n_attrs()
 *
 * Returns: the value of attribute @index as text
 */
const char *
wa_node_get_attr_value (WaNode *self,
                        guint   index)
{
  Attr *attr;

  g_return_val_if_fail (self != NULL, NULL);

  attr = attr_at (self, index);
  return attr != NULL ? attr->value : NULL;
}

/**
 * wa_node_peek_attr_jid:
 * @self: a #WaNode
 * @index: below wa_node_get_n_attrs()
 *
 * Returns: (transfer none) (nullable): the JID of attribute @index, or
 *   %NULL when the attribute is text
 */
WaJid *
wa_node_peek_attr_jid (WaNode *self,
                       guint   index)
{
  Attr *attr;

  g_return_val_if_fail (self != NULL, NULL);

  attr = attr_at (self, index);
  return attr != NULL ? attr->jid : NULL;
}

/**
 * wa_node_get_content_type:
 * @self: a #WaNode
 *
 * Returns: whether the node holds nothing, bytes or children
 */
WaNodeContent
wa_node_get_content_type (WaNode *self)
{
  g_return_val_if_fail (self != NULL, WA_NODE_CONTENT_NONE);

  return self->content_type;
}

/**
 * wa_node_set_content_bytes:
 * @self: a #WaNode
 * @bytes: (nullable): raw bytes; %NULL for no content
 *
 * Sets raw byte content, replacing any content (children included). Bytes
 * are always written as BINARY_8/20/32, never as a token or packed string,
 * even when they happen to look like one.
 */
void
wa_node_set_content_bytes (WaNode *self,
                           GBytes *bytes)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (bytes == NULL || g_bytes_get_size (bytes) <= G_MAXUINT32);

  if (bytes != NULL)
    g_bytes_ref (bytes);
  drop_content (self);
  if (bytes != NULL)
    {
      self->bytes = bytes;
      self->content_type = WA_NODE_CONTENT_BYTES;
    }
}

/**
 * wa_node_set_content_data:
 * @self: a #WaNode
 * @data: (array length=len): raw bytes
 * @len: their length
 *
 * Like wa_node_set_content_bytes() with a copy of @data.
 */
void
wa_node_set_content_data (WaNode       *self,
                          const guint8 *data,
                          gsize         len)
{
  g_autoptr(GBytes) bytes = NULL;

  g_return_if_fail (self != NULL);
  g_return_if_fail (data != NULL || len == 0);

  bytes = g_bytes_new (data, len);
  wa_node_set_content_bytes (self, bytes);
}

/**
 * wa_node_get_content_bytes:
 * @self: a #WaNode
 *
 * Returns: (transfer none) (nullable): the byte content, or %NULL when the
 *   node has none or has children
 */
GBytes *
wa_node_get_content_bytes (WaNode *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->bytes;
}

/**
 * wa_node_clear_content:
 * @self: a #WaNode
 *
 * Drops the content, bytes or children.
 */
void
wa_node_clear_content (WaNode *self)
{
  g_return_if_fail (self != NULL);

  drop_content (self);
}

/**
 * wa_node_ensure_children:
 * @self: a #WaNode
 *
 * Makes the content a child list, empty if it was not one already (byte
 * content is dropped). An empty child list is written as LIST_EMPTY, which
 * is what whatsmeow sends for `Content: []Node{}`.
 *
 * Returns: (transfer none) (element-type WaNode): the children
 */
GPtrArray *
wa_node_ensure_children (WaNode *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (self->content_type != WA_NODE_CONTENT_CHILDREN)
    {
      drop_content (self);
      self->children = g_ptr_array_new_with_free_func ((GDestroyNotify)wa_node_unref);
      self->content_type = WA_NODE_CONTENT_CHILDREN;
    }
  return self->children;
}

/**
 * wa_node_add_child:
 * @self: a #WaNode
 * @child: (transfer full): the child to append
 *
 * Appends a child; byte content, if any, is dropped. Returns @child so a
 * tree can be built in place:
 * |[<!-- language="C" -->
 * WaNode *to = wa_node_add_child (participants, wa_node_new ("to"));
 * ]|
 *
 * Returns: (transfer none): @child
 */
WaNode *
wa_node_add_child (WaNode *self,
                   WaNode *child)
{
  GPtrArray *children;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (child != NULL, NULL);
  g_return_val_if_fail (child != self, NULL);

  children = wa_node_ensure_children (self);
  if (children->len >= MAX_CHILDREN)
    {
      g_critical ("%s: a node cannot hold more than %u children", G_STRFUNC, MAX_CHILDREN);
      wa_node_unref (child);
      return NULL;
    }
  g_ptr_array_add (children, child);
  return child;
}

/**
 * wa_node_add_children:
 * @self: a #WaNode
 * @first_child: (transfer full) (nullable): a child
 * @...: (transfer full): more children, ended by %NULL
 *
 * Appends several children, as wa_node_add_child() does.
 */
void
wa_node_add_children (WaNode *self,
                      WaNode *first_child,
                      ...)
{
  va_list args;

  g_return_if_fail (self != NULL);

  va_start (args, first_child);
  for (WaNode *child = first_child; child != NULL; child = va_arg (args, WaNode *))
    wa_node_add_child (self, child);
  va_end (args);
}

/**
 * wa_node_get_children:
 * @self: a #WaNode
 *
 * Returns: (transfer none) (nullable) (element-type WaNode): the children,
 *   or %NULL when the content is not a child list
 */
GPtrArray *
wa_node_get_children (WaNode *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->children;
}

/**
 * wa_node_get_n_children:
 * @self: a #WaNode
 *
 * Returns: the number of children; 0 when the content is not a child list
 */
guint
wa_node_get_n_children (WaNode *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->children != NULL ? self->children->len : 0;
}

/**
 * wa_node_get_child_by_tag:
 * @self: a #WaNode
 * @tag: a tag
 *
 * Returns: (transfer none) (nullable): the first child with @tag
 */
WaNode *
wa_node_get_child_by_tag (WaNode     *self,
                          const char *tag)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (tag != NULL, NULL);

  for (guint i = 0; self->children != NULL && i < self->children->len; i++)
    {
      WaNode *child = g_ptr_array_index (self->children, i);

      if (g_str_equal (child->tag, tag))
        return child;
    }
  return NULL;
}

/**
 * wa_node_get_children_by_tag:
 * @self: a #WaNode
 * @tag: a tag
 *
 * Returns: (transfer full) (element-type WaNode): the children with @tag,
 *   in order; an empty array when there are none
 */
GPtrArray *
wa_node_get_children_by_tag (WaNode     *self,
                             const char *tag)
{
  GPtrArray *found;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (tag != NULL, NULL);

  found = g_ptr_array_new_with_free_func ((GDestroyNotify)wa_node_unref);
  for (guint i = 0; self->children != NULL && i < self->children->len; i++)
    {
      WaNode *child = g_ptr_array_index (self->children, i);

      if (g_str_equal (child->tag, tag))
        g_ptr_array_add (found, wa_node_ref (child));
    }
  return found;
}

/**
 * wa_node_equal:
 * @a: a #WaNode
 * @b: another
 *
 * Compares tags, attributes (in any order; a JID value never equals a text
 * value, even with the same string form) and content. No content and an
 * empty child list are different: they are written differently.
 *
 * Returns: whether the trees are the same
 */
gboolean
wa_node_equal (WaNode *a,
               WaNode *b)
{
  guint n_attrs;

  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  if (a == b)
    return TRUE;

  n_attrs = wa_node_get_n_attrs (a);
  if (!g_str_equal (a->tag, b->tag) || n_attrs != wa_node_get_n_attrs (b) ||
      a->content_type != b->content_type)
    return FALSE;

  for (guint i = 0; i < n_attrs; i++)
    {
      Attr *x = &a->attrs[i];
      Attr *y = find_attr (b, x->key);

      if (y == NULL || (x->jid == NULL) != (y->jid == NULL))
        return FALSE;
      if (x->jid != NULL ? !wa_jid_equal (x->jid, y->jid) : !g_str_equal (x->value, y->value))
        return FALSE;
    }

  switch (a->content_type)
    {
    case WA_NODE_CONTENT_BYTES:
      return g_bytes_equal (a->bytes, b->bytes);

    case WA_NODE_CONTENT_CHILDREN:
      if (a->children->len != b->children->len)
        return FALSE;
      for (guint i = 0; i < a->children->len; i++)
        if (!wa_node_equal (g_ptr_array_index (a->children, i), g_ptr_array_index (b->children, i)))
          return FALSE;
      return TRUE;

    case WA_NODE_CONTENT_NONE:
    default:
      return TRUE;
    }
}

/* Text from the wire may hold anything but NUL: quotes, backslashes,
 * control characters and bytes that are not UTF-8 are escaped so a log line
 * stays one line and valid UTF-8. */
static void
append_escaped (GString    *out,
                const char *text,
                gboolean    mask)
{
  g_autofree char *masked = mask ? wa_jid_mask_digits (text) : NULL;
  const char *p = masked != NULL ? masked : text;
  const char *end = p + strlen (p);

  while (p < end)
    {
      gunichar c = g_utf8_get_char_validated (p, end - p);

      if (c == (gunichar)-1 || c == (gunichar)-2)
        {
          g_string_append_printf (out, "\\x%02x", (guint8)*p);
          p++;
          continue;
        }

      if (c == '"' || c == '\\')
        g_string_append_printf (out, "\\%c", (char)c);
      else if (c < 0x20 || c == 0x7f)
        g_string_append_printf (out, "\\x%02x", c);
      else
        g_string_append_unichar (out, c);
      p = g_utf8_next_char (p);
    }
}

static void
append_node (GString          *out,
             WaNode           *node,
             WaNodeDebugFlags  flags,
             guint             depth)
{
  gboolean mask = (flags & WA_NODE_DEBUG_SHOW_NUMBERS) == 0;
  gboolean indent = (flags & WA_NODE_DEBUG_INDENT) != 0;

  if (indent)
    {
      if (depth > 0)
        g_string_append_c (out, '\n');
      for (guint i = 0; i < depth; i++)
        g_string_append (out, "  ");
    }

  g_string_append_c (out, '<');
  append_escaped (out, node->tag, FALSE);

  for (guint i = 0; i < wa_node_get_n_attrs (node); i++)
    {
      Attr *attr = &node->attrs[i];

      g_string_append_c (out, ' ');
      append_escaped (out, attr->key, FALSE);
      g_string_append_c (out, '=');

      /* JIDs unquoted, as WA-PROTOCOL.md writes them, so the type shows. */
      if (attr->jid != NULL)
        {
          g_autofree char *text = NULL;

          text = mask ? wa_jid_to_debug_string (attr->jid) : wa_jid_to_string (attr->jid);
          append_escaped (out, text, FALSE);
        }
      else
        {
          g_string_append_c (out, '"');
          append_escaped (out, attr->value, mask);
          g_string_append_c (out, '"');
        }
    }

  switch (node->content_type)
    {
    case WA_NODE_CONTENT_NONE:
      g_string_append (out, "/>");
      return;

    case WA_NODE_CONTENT_BYTES:
      {
        gsize len;
        const guint8 *data = g_bytes_get_data (node->bytes, &len);

        g_string_append_c (out, '>');
        if (flags & WA_NODE_DEBUG_SHOW_BYTES)
          for (gsize i = 0; i < len; i++)
            g_string_append_printf (out, "%02x", data[i]);
        else
          g_string_append_printf (out, "[%" G_GSIZE_FORMAT " bytes]", len);
      }
      break;

    case WA_NODE_CONTENT_CHILDREN:
    default:
      g_string_append_c (out, '>');
      for (guint i = 0; i < node->children->len; i++)
        append_node (out, g_ptr_array_index (node->children, i), flags, depth + 1);
      if (indent && node->children->len > 0)
        {
          g_string_append_c (out, '\n');
          for (guint i = 0; i < depth; i++)
            g_string_append (out, "  ");
        }
      break;
    }

  g_string_append (out, "</");
  append_escaped (out, node->tag, FALSE);
  g_string_append_c (out, '>');
}

/**
 * wa_node_to_debug_string:
 * @self: a #WaNode
 * @flags: what to reveal
 *
 * An XML-like rendering for logs and tests, in the notation of
 * WA-PROTOCOL.md: text values quoted, JID values bare, byte content as hex.
 * With %WA_NODE_DEBUG_DEFAULT nothing private appears: byte content (keys,
 * ciphertexts, message bodies) is shown as its length only and long digit
 * runs are masked, in JIDs and text alike.
 *
 * Returns: (transfer full): the rendering
 */
char *
wa_node_to_debug_string (WaNode           *self,
                         WaNodeDebugFlags  flags)
{
  GString *out;

  g_return_val_if_fail (self != NULL, NULL);

  out = g_string_new (NULL);
  append_node (out, self, flags, 0);
  return g_string_free (out, FALSE);
}
