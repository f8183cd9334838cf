/* wa-node.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "wa-node"

#include "config.h"

#include "wa-node.h"

typedef struct
{
  char  *key;
  char  *text;    /* the value as text; for a JID its string form */
  WaJid *jid;     /* set when the value travels as a JID */
} Attr;

struct _WaNode
{
  char      *tag;
  GArray    *attrs;      /* Attr, in insertion order */
  GBytes    *content;    /* raw bytes, or NULL */
  GPtrArray *children;   /* WaNode, or NULL */
};

G_DEFINE_BOXED_TYPE (WaNode, wa_node, wa_node_ref, wa_node_unref)

static void
attr_clear (gpointer data)
{
  Attr *attr = data;

  g_free (attr->key);
  g_free (attr->text);
  g_clear_pointer (&attr->jid, wa_jid_unref);
}

static void
node_clear (gpointer data)
{
  WaNode *self = data;

  g_free (self->tag);
  g_array_unref (self->attrs);
  g_clear_pointer (&self->content, g_bytes_unref);
  g_clear_pointer (&self->children, g_ptr_array_unref);
}

WaNode *
wa_node_new (const char *tag)
{
  WaNode *self;

  g_return_val_if_fail (tag != NULL, NULL);

  self = g_atomic_rc_box_new0 (WaNode);
  self->tag = g_strdup (tag);
  self->attrs = g_array_new (FALSE, FALSE, sizeof (Attr));
  g_array_set_clear_func (self->attrs, attr_clear);
  return self;
}

WaNode *
wa_node_ref (WaNode *self)
{
  return g_atomic_rc_box_acquire (self);
}

void
wa_node_unref (WaNode *self)
{
  g_atomic_rc_box_release_full (self, node_clear);
}

const char *
wa_node_get_tag (WaNode *self)
{
  return self->tag;
}

static Attr *
find_attr (WaNode     *self,
           const char *key)
{
  for (guint i = 0; i < self->attrs->len; i++)
    if (g_str_equal (g_array_index (self->attrs, Attr, i).key, key))
      return &g_array_index (self->attrs, Attr, i);
  return NULL;
}

static Attr *
ensure_attr (WaNode     *self,
             const char *key)
{
  Attr *attr = find_attr (self, key);
  Attr fresh = { 0 };

  if (attr != NULL)
    {
      g_clear_pointer (&attr->text, g_free);
      g_clear_pointer (&attr->jid, wa_jid_unref);
      return attr;
    }

  fresh.key = g_strdup (key);
  g_array_append_val (self->attrs, fresh);
  return &g_array_index (self->attrs, Attr, self->attrs->len - 1);
}

void
wa_node_set_attr (WaNode     *self,
                  const char *key,
                  const char *value)
{
  g_return_if_fail (key != NULL && value != NULL);
  ensure_attr (self, key)->text = g_strdup (value);
}

void
wa_node_set_attr_jid (WaNode     *self,
                      const char *key,
                      WaJid      *jid)
{
  Attr *attr;

  g_return_if_fail (key != NULL && jid != NULL);
  attr = ensure_attr (self, key);
  attr->jid = wa_jid_ref (jid);
  attr->text = wa_jid_to_string (jid);
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
  Attr *attr = find_attr (self, key);

  return attr != NULL ? attr->text : NULL;
}

/**
 * wa_node_get_attr_jid:
 * @self: a #WaNode
 * @key: an attribute name
 *
 * Returns: (transfer full) (nullable): the value as a JID, whether it came
 *   as one or as text that parses as one
 */
WaJid *
wa_node_get_attr_jid (WaNode     *self,
                      const char *key)
{
  Attr *attr = find_attr (self, key);

  if (attr == NULL)
    return NULL;
  if (attr->jid != NULL)
    return wa_jid_ref (attr->jid);
  return wa_jid_parse (attr->text, NULL);
}

guint
wa_node_get_n_attrs (WaNode *self)
{
  return self->attrs->len;
}

const char *
wa_node_get_attr_key (WaNode *self,
                      guint   index)
{
  g_return_val_if_fail (index < self->attrs->len, NULL);
  return g_array_index (self->attrs, Attr, index).key;
}

/* The JID of attribute @index, or %NULL when it is text. */
WaJid *
wa_node_peek_attr_jid (WaNode *self,
                       guint   index)
{
  g_return_val_if_fail (index < self->attrs->len, NULL);
  return g_array_index (self->attrs, Attr, index).jid;
}

const char *
wa_node_peek_attr_text (WaNode *self,
                        guint   index)
{
  g_return_val_if_fail (index < self->attrs->len, NULL);
  return g_array_index (self->attrs, Attr, index).text;
}

/**
 * wa_node_set_content:
 * @self: a #WaNode
 * @content: (nullable): raw bytes; replaces any children
 */
void
wa_node_set_content (WaNode *self,
                     GBytes *content)
{
  g_clear_pointer (&self->children, g_ptr_array_unref);
  g_clear_pointer (&self->content, g_bytes_unref);
  if (content != NULL)
    self->content = g_bytes_ref (content);
}

/**
 * wa_node_get_content:
 *
 * Returns: (transfer none) (nullable): the raw bytes content
 */
GBytes *
wa_node_get_content (WaNode *self)
{
  return self->content;
}

/**
 * wa_node_add_child:
 * @self: a #WaNode
 * @child: (transfer full): the child to append
 */
void
wa_node_add_child (WaNode *self,
                   WaNode *child)
{
  g_clear_pointer (&self->content, g_bytes_unref);
  if (self->children == NULL)
    self->children = g_ptr_array_new_with_free_func ((GDestroyNotify)wa_node_unref);
  g_ptr_array_add (self->children, child);
}

/**
 * wa_node_get_children:
 *
 * Returns: (transfer none) (nullable) (element-type WaNode): the children
 */
GPtrArray *
wa_node_get_children (WaNode *self)
{
  return self->children;
}

/**
 * wa_node_get_child:
 *
 * Returns: (transfer none) (nullable): the first child with @tag
 */
WaNode *
wa_node_get_child (WaNode     *self,
                   const char *tag)
{
  for (guint i = 0; self->children != NULL && i < self->children->len; i++)
    {
      WaNode *child = g_ptr_array_index (self->children, i);

      if (g_str_equal (child->tag, tag))
        return child;
    }
  return NULL;
}

/* Same tag, attributes (in any order, JID typing included) and content. */
gboolean
wa_node_equal (WaNode *a,
               WaNode *b)
{
  guint na = a->children != NULL ? a->children->len : 0;
  guint nb = b->children != NULL ? b->children->len : 0;

  if (!g_str_equal (a->tag, b->tag) || a->attrs->len != b->attrs->len || na != nb)
    return FALSE;
  if ((a->content == NULL) != (b->content == NULL) ||
      (a->content != NULL && !g_bytes_equal (a->content, b->content)))
    return FALSE;

  for (guint i = 0; i < a->attrs->len; i++)
    {
      Attr *x = &g_array_index (a->attrs, Attr, i);
      Attr *y = find_attr (b, x->key);

      if (y == NULL || !g_str_equal (x->text, y->text) || (x->jid == NULL) != (y->jid == NULL))
        return FALSE;
    }

  for (guint i = 0; i < na; i++)
    if (!wa_node_equal (g_ptr_array_index (a->children, i), g_ptr_array_index (b->children, i)))
      return FALSE;
  return TRUE;
}
