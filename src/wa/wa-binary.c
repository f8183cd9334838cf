/* wa-binary.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "wa-binary"

#include "config.h"

#include <string.h>
#include <zlib.h>

#include "wa-binary.h"
#include "wa-error.h"
#include "wa-tokens.h"

/*
 * WABinary, the compact XML WhatsApp sends inside Noise frames
 * (WA-PROTOCOL.md §4). The decoder reads bytes from the network: every
 * read is bounds-checked, sizes are checked against what is left before
 * anything is allocated, and nesting is limited, so malformed input is an
 * error and never a crash.
 */

enum {
  TAG_LIST_EMPTY = 0,
  TAG_DICTIONARY_0 = 236,
  TAG_DICTIONARY_3 = 239,
  TAG_INTEROP_JID = 245,
  TAG_FB_JID = 246,
  TAG_AD_JID = 247,
  TAG_LIST_8 = 248,
  TAG_LIST_16 = 249,
  TAG_JID_PAIR = 250,
  TAG_HEX_8 = 251,
  TAG_BINARY_8 = 252,
  TAG_BINARY_20 = 253,
  TAG_BINARY_32 = 254,
  TAG_NIBBLE_8 = 255,
};

#define PACKED_MAX 127
#define MAX_DEPTH  64

/* Encoder */

static void
write_byte (GByteArray *out,
            guint8      byte)
{
  g_byte_array_append (out, &byte, 1);
}

static void
write_list_start (GByteArray *out,
                  guint       size)
{
  if (size == 0)
    write_byte (out, TAG_LIST_EMPTY);
  else if (size < 256)
    {
      write_byte (out, TAG_LIST_8);
      write_byte (out, size);
    }
  else
    {
      write_byte (out, TAG_LIST_16);
      write_byte (out, size >> 8);
      write_byte (out, size & 0xff);
    }
}

static void
write_bytes (GByteArray   *out,
             const guint8 *data,
             gsize         len)
{
  if (len < 256)
    {
      write_byte (out, TAG_BINARY_8);
      write_byte (out, len);
    }
  else if (len < (1 << 20))
    {
      write_byte (out, TAG_BINARY_20);
      write_byte (out, (len >> 16) & 0x0f);
      write_byte (out, (len >> 8) & 0xff);
      write_byte (out, len & 0xff);
    }
  else
    {
      write_byte (out, TAG_BINARY_32);
      write_byte (out, (len >> 24) & 0xff);
      write_byte (out, (len >> 16) & 0xff);
      write_byte (out, (len >> 8) & 0xff);
      write_byte (out, len & 0xff);
    }
  g_byte_array_append (out, data, len);
}

static int
nibble_code (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c == '-')
    return 10;
  if (c == '.')
    return 11;
  return -1;
}

static int
hex_code (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

static gboolean
packable (const char *s,
          gsize       len,
          int       (*code) (char))
{
  if (len > PACKED_MAX)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (code (s[i]) < 0)
      return FALSE;
  return TRUE;
}

static void
write_packed (GByteArray *out,
              guint8      tag,
              const char *s,
              gsize       len,
              int       (*code) (char))
{
  write_byte (out, tag);
  write_byte (out, ((len + 1) / 2) | (len % 2 ? 0x80 : 0));
  for (gsize i = 0; i < len; i += 2)
    {
      int hi = code (s[i]);
      int lo = i + 1 < len ? code (s[i + 1]) : 15;

      write_byte (out, (hi << 4) | lo);
    }
}

static void
write_string (GByteArray *out,
              const char *s)
{
  gsize len = strlen (s);
  int dictionary;
  guint index;

  if (wa_tokens_lookup (s, &dictionary, &index))
    {
      if (dictionary >= 0)
        write_byte (out, TAG_DICTIONARY_0 + dictionary);
      write_byte (out, index);
    }
  else if (packable (s, len, nibble_code))
    write_packed (out, TAG_NIBBLE_8, s, len, nibble_code);
  else if (packable (s, len, hex_code))
    write_packed (out, TAG_HEX_8, s, len, hex_code);
  else
    write_bytes (out, (const guint8 *)s, len);
}

static int
ad_domain (const char *server)
{
  if (g_str_equal (server, WA_SERVER_PN))
    return 0;
  if (g_str_equal (server, WA_SERVER_LID))
    return 1;
  if (g_str_equal (server, "hosted"))
    return 128;
  if (g_str_equal (server, "hosted.lid"))
    return 129;
  return -1;
}

static void
write_jid (GByteArray  *out,
           const WaJid *jid)
{
  int domain = ad_domain (wa_jid_get_server (jid));

  /* Device JIDs on the phone-number and LID servers, and every hosted JID,
   * travel as AD_JID; the rest as a user/server pair. */
  if (domain >= 0 && (domain >= 128 || wa_jid_get_device (jid) > 0) && wa_jid_get_device (jid) < 256)
    {
      write_byte (out, TAG_AD_JID);
      write_byte (out, domain);
      write_byte (out, wa_jid_get_device (jid));
      write_string (out, wa_jid_get_user (jid));
      return;
    }

  write_byte (out, TAG_JID_PAIR);
  if (wa_jid_get_user (jid)[0] == '\0')
    write_byte (out, TAG_LIST_EMPTY);
  else
    write_string (out, wa_jid_get_user (jid));
  write_string (out, wa_jid_get_server (jid));
}

static void
write_node (GByteArray *out,
            WaNode     *node)
{
  GPtrArray *children = wa_node_get_children (node);
  GBytes *content = wa_node_get_content (node);
  guint n_attrs = wa_node_get_n_attrs (node);
  gboolean has_content = children != NULL || content != NULL;

  write_list_start (out, 1 + 2 * n_attrs + (has_content ? 1 : 0));
  write_string (out, wa_node_get_tag (node));

  for (guint i = 0; i < n_attrs; i++)
    {
      WaJid *jid = wa_node_peek_attr_jid (node, i);

      write_string (out, wa_node_get_attr_key (node, i));
      if (jid != NULL)
        write_jid (out, jid);
      else
        write_string (out, wa_node_peek_attr_text (node, i));
    }

  if (content != NULL)
    {
      gsize len;
      const guint8 *data = g_bytes_get_data (content, &len);

      write_bytes (out, data, len);
    }
  else if (children != NULL)
    {
      write_list_start (out, children->len);
      for (guint i = 0; i < children->len; i++)
        write_node (out, g_ptr_array_index (children, i));
    }
}

/**
 * wa_binary_encode:
 * @node: the stanza
 *
 * Returns: (transfer full): the stanza in WABinary, without the frame's
 *   flag byte
 */
GBytes *
wa_binary_encode (WaNode *node)
{
  GByteArray *out = g_byte_array_sized_new (64);

  write_node (out, node);
  return g_byte_array_free_to_bytes (out);
}

/* Decoder */

typedef struct
{
  const guint8 *data;
  gsize         len;
  gsize         pos;
  guint         depth;
} Reader;

typedef struct
{
  char  *text;
  WaJid *jid;
} Value;

static gboolean
need (Reader  *r,
      gsize    n,
      GError **error)
{
  if (r->len - r->pos >= n)
    return TRUE;
  g_set_error (error, WA_ERROR, WA_ERROR_TRUNCATED,
               "Binary node ends after %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT " bytes",
               r->pos, r->len);
  return FALSE;
}

static gboolean
read_uint (Reader  *r,
           guint    n,
           guint32 *value,
           GError **error)
{
  if (!need (r, n, error))
    return FALSE;
  *value = 0;
  for (guint i = 0; i < n; i++)
    *value = (*value << 8) | r->data[r->pos++];
  return TRUE;
}

static gboolean
read_list_size (Reader  *r,
                guint8   tag,
                guint32 *size,
                GError **error)
{
  switch (tag)
    {
    case TAG_LIST_EMPTY:
      *size = 0;
      return TRUE;
    case TAG_LIST_8:
      return read_uint (r, 1, size, error);
    case TAG_LIST_16:
      return read_uint (r, 2, size, error);
    default:
      g_set_error (error, WA_ERROR, WA_ERROR_MALFORMED, "Expected a list, found tag %u", tag);
      return FALSE;
    }
}

static char *
read_packed (Reader  *r,
             guint8   tag,
             GError **error)
{
  static const char nibbles[] = "0123456789-.\0\0\0\0";
  static const char hex[] = "0123456789ABCDEF";
  const char *alphabet = tag == TAG_NIBBLE_8 ? nibbles : hex;
  guint32 start;
  guint n;
  GString *out;

  if (!read_uint (r, 1, &start, error))
    return NULL;
  n = start & 0x7f;
  if (!need (r, n, error))
    return NULL;

  out = g_string_sized_new (n * 2);
  for (guint i = 0; i < n; i++)
    {
      guint8 byte = r->data[r->pos++];
      guint8 parts[2] = { byte >> 4, byte & 0x0f };

      for (guint k = 0; k < 2; k++)
        {
          gboolean last = i == n - 1 && k == 1 && (start & 0x80);

          if (last)
            break;
          if (alphabet[parts[k]] == '\0')
            {
              g_string_free (out, TRUE);
              g_set_error (error, WA_ERROR, WA_ERROR_MALFORMED, "Invalid packed digit %u", parts[k]);
              return NULL;
            }
          g_string_append_c (out, alphabet[parts[k]]);
        }
    }
  return g_string_free (out, FALSE);
}

static gboolean
read_binary (Reader  *r,
             guint8   tag,
             GBytes **bytes,
             GError **error)
{
  guint32 len;

  switch (tag)
    {
    case TAG_BINARY_8:
      if (!read_uint (r, 1, &len, error))
        return FALSE;
      break;
    case TAG_BINARY_20:
      if (!read_uint (r, 3, &len, error))
        return FALSE;
      len &= 0x0fffff;
      break;
    case TAG_BINARY_32:
    default:
      if (!read_uint (r, 4, &len, error))
        return FALSE;
      break;
    }

  if (!need (r, len, error))
    return FALSE;
  *bytes = g_bytes_new (r->data + r->pos, len);
  r->pos += len;
  return TRUE;
}

static gboolean read_value (Reader  *r,
                            guint8   tag,
                            Value   *value,
                            GError **error);

/* A value that must be text: a tag name, a key, a JID's user. */
static char *
read_text (Reader  *r,
           GError **error)
{
  Value value = { 0 };
  guint32 tag;

  if (!read_uint (r, 1, &tag, error) || !read_value (r, tag, &value, error))
    return NULL;
  if (value.jid != NULL)
    {
      wa_jid_unref (value.jid);
      g_free (value.text);
      g_set_error (error, WA_ERROR, WA_ERROR_MALFORMED, "Expected text, found a JID");
      return NULL;
    }
  return value.text;
}

static gboolean
read_jid_pair (Reader  *r,
               Value   *value,
               GError **error)
{
  g_autofree char *user = NULL;
  g_autofree char *server = NULL;
  guint32 tag;

  if (!read_uint (r, 1, &tag, error))
    return FALSE;
  if (tag != TAG_LIST_EMPTY)
    {
      r->pos--;
      if ((user = read_text (r, error)) == NULL)
        return FALSE;
    }
  if ((server = read_text (r, error)) == NULL)
    return FALSE;

  value->jid = wa_jid_new (user, server);
  value->text = wa_jid_to_string (value->jid);
  return TRUE;
}

static gboolean
read_ad_jid (Reader  *r,
             Value   *value,
             GError **error)
{
  static const struct { guint8 domain; const char *server; } domains[] = {
    { 0, WA_SERVER_PN }, { 1, WA_SERVER_LID }, { 128, "hosted" }, { 129, "hosted.lid" },
  };
  g_autofree char *user = NULL;
  const char *server = WA_SERVER_PN;
  guint32 domain, device;

  if (!read_uint (r, 1, &domain, error) || !read_uint (r, 1, &device, error) ||
      (user = read_text (r, error)) == NULL)
    return FALSE;

  /* Other domain bytes are a legacy agent id on the phone-number server. */
  for (guint i = 0; i < G_N_ELEMENTS (domains); i++)
    if (domains[i].domain == domain)
      server = domains[i].server;

  value->jid = wa_jid_new_device (user, server, device);
  value->text = wa_jid_to_string (value->jid);
  return TRUE;
}

static gboolean
read_device_jid (Reader   *r,
                 gboolean  interop,
                 Value    *value,
                 GError  **error)
{
  g_autofree char *user = NULL;
  g_autofree char *server = NULL;
  guint32 device, integrator;

  if ((user = read_text (r, error)) == NULL || !read_uint (r, 2, &device, error) ||
      (interop && !read_uint (r, 2, &integrator, error)) ||
      (server = read_text (r, error)) == NULL)
    return FALSE;

  value->jid = wa_jid_new_device (user, server, device);
  value->text = wa_jid_to_string (value->jid);
  return TRUE;
}

static gboolean
read_value (Reader  *r,
            guint8   tag,
            Value   *value,
            GError **error)
{
  g_autoptr(GBytes) bytes = NULL;
  guint32 index;
  const char *token;

  if (r->depth++ > MAX_DEPTH)
    {
      g_set_error (error, WA_ERROR, WA_ERROR_MALFORMED, "Binary node nests too deep");
      return FALSE;
    }

  switch (tag)
    {
    case TAG_LIST_EMPTY:
      value->text = g_strdup ("");
      break;

    case TAG_DICTIONARY_0 ... TAG_DICTIONARY_3:
      if (!read_uint (r, 1, &index, error))
        return FALSE;
      value->text = g_strdup (wa_tokens_get_double (tag - TAG_DICTIONARY_0, index));
      break;

    case TAG_JID_PAIR:
      if (!read_jid_pair (r, value, error))
        return FALSE;
      break;

    case TAG_AD_JID:
      if (!read_ad_jid (r, value, error))
        return FALSE;
      break;

    case TAG_FB_JID:
    case TAG_INTEROP_JID:
      if (!read_device_jid (r, tag == TAG_INTEROP_JID, value, error))
        return FALSE;
      break;

    case TAG_NIBBLE_8:
    case TAG_HEX_8:
      if ((value->text = read_packed (r, tag, error)) == NULL)
        return FALSE;
      break;

    case TAG_BINARY_8:
    case TAG_BINARY_20:
    case TAG_BINARY_32:
      if (!read_binary (r, tag, &bytes, error))
        return FALSE;
      value->text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
      break;

    default:
      if ((token = wa_tokens_get_single (tag)) == NULL)
        {
          g_set_error (error, WA_ERROR, WA_ERROR_MALFORMED, "Unknown tag byte %u", tag);
          return FALSE;
        }
      value->text = g_strdup (token);
      break;
    }

  r->depth--;
  return TRUE;
}

static WaNode *read_node (Reader  *r,
                          GError **error);

static gboolean
read_content (Reader  *r,
              WaNode  *node,
              GError **error)
{
  g_autoptr(GBytes) bytes = NULL;
  guint32 tag, size;
  Value value = { 0 };

  if (!read_uint (r, 1, &tag, error))
    return FALSE;

  switch (tag)
    {
    case TAG_LIST_EMPTY:
    case TAG_LIST_8:
    case TAG_LIST_16:
      if (!read_list_size (r, tag, &size, error))
        return FALSE;
      /* Every child takes at least two bytes. */
      if (!need (r, (gsize)size * 2, error))
        return FALSE;
      for (guint i = 0; i < size; i++)
        {
          WaNode *child = read_node (r, error);

          if (child == NULL)
            return FALSE;
          wa_node_add_child (node, child);
        }
      return TRUE;

    case TAG_BINARY_8:
    case TAG_BINARY_20:
    case TAG_BINARY_32:
      if (!read_binary (r, tag, &bytes, error))
        return FALSE;
      wa_node_set_content (node, bytes);
      return TRUE;

    default:
      if (!read_value (r, tag, &value, error))
        return FALSE;
      bytes = g_bytes_new_take (value.text, strlen (value.text));
      g_clear_pointer (&value.jid, wa_jid_unref);
      wa_node_set_content (node, bytes);
      return TRUE;
    }
}

static WaNode *
read_node (Reader  *r,
           GError **error)
{
  g_autoptr(WaNode) node = NULL;
  g_autofree char *tag_name = NULL;
  guint32 tag, size;

  if (++r->depth > MAX_DEPTH)
    {
      g_set_error (error, WA_ERROR, WA_ERROR_MALFORMED, "Binary node nests too deep");
      return NULL;
    }

  if (!read_uint (r, 1, &tag, error) || !read_list_size (r, tag, &size, error))
    return NULL;
  if (size == 0)
    {
      g_set_error (error, WA_ERROR, WA_ERROR_MALFORMED, "A node cannot be an empty list");
      return NULL;
    }

  if ((tag_name = read_text (r, error)) == NULL)
    return NULL;
  node = wa_node_new (tag_name);

  for (guint i = 0; i < (size - 1) / 2; i++)
    {
      g_autofree char *key = read_text (r, error);
      Value value = { 0 };
      guint32 value_tag;

      if (key == NULL || !read_uint (r, 1, &value_tag, error) ||
          !read_value (r, value_tag, &value, error))
        return NULL;

      if (value.jid != NULL)
        wa_node_set_attr_jid (node, key, value.jid);
      else
        wa_node_set_attr (node, key, value.text);
      g_clear_pointer (&value.jid, wa_jid_unref);
      g_free (value.text);
    }

  if (size % 2 == 0 && !read_content (r, node, error))
    return NULL;

  r->depth--;
  return g_steal_pointer (&node);
}

/**
 * wa_binary_decode:
 * @data: one node in WABinary
 * @len: its length
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the node; bytes left after it are
 *   an error
 */
WaNode *
wa_binary_decode (const guint8  *data,
                  gsize          len,
                  GError       **error)
{
  Reader r = { data, len, 0, 0 };
  g_autoptr(WaNode) node = read_node (&r, error);

  if (node == NULL)
    return NULL;
  if (r.pos != len)
    {
      g_set_error (error, WA_ERROR, WA_ERROR_MALFORMED,
                   "%" G_GSIZE_FORMAT " bytes left after the node", len - r.pos);
      return NULL;
    }
  return g_steal_pointer (&node);
}

static GBytes *
inflate_frame (const guint8  *data,
               gsize          len,
               GError       **error)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  z_stream stream = { 0 };
  guint8 chunk[16384];
  int rc;

  if (inflateInit (&stream) != Z_OK)
    {
      g_set_error (error, WA_ERROR, WA_ERROR_FAILED, "Could not start zlib");
      return NULL;
    }

  stream.next_in = (Bytef *)data;
  stream.avail_in = len;
  do
    {
      stream.next_out = chunk;
      stream.avail_out = sizeof chunk;
      rc = inflate (&stream, Z_NO_FLUSH);
      if (rc != Z_OK && rc != Z_STREAM_END)
        break;
      g_byte_array_append (out, chunk, sizeof chunk - stream.avail_out);
      /* A compressed frame that inflates past the frame limit is an attack. */
      if (out->len > WA_BINARY_MAX_FRAME)
        {
          rc = Z_DATA_ERROR;
          break;
        }
    }
  while (rc != Z_STREAM_END && (stream.avail_in > 0 || stream.avail_out == 0));
  inflateEnd (&stream);

  if (rc != Z_STREAM_END)
    {
      g_set_error (error, WA_ERROR, WA_ERROR_MALFORMED, "Compressed frame is damaged or too large");
      return NULL;
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

/**
 * wa_binary_unpack_frame:
 * @data: a decrypted frame: a flag byte, then the node
 * @len: its length
 * @error: return location for a #GError
 *
 * Handles the flag byte (bit 2: the node is zlib-compressed), then decodes.
 *
 * Returns: (transfer full) (nullable): the node
 */
WaNode *
wa_binary_unpack_frame (const guint8  *data,
                        gsize          len,
                        GError       **error)
{
  g_autoptr(GBytes) inflated = NULL;

  if (len < 1)
    {
      g_set_error (error, WA_ERROR, WA_ERROR_TRUNCATED, "Empty frame");
      return NULL;
    }

  if ((data[0] & 0x02) == 0)
    return wa_binary_decode (data + 1, len - 1, error);

  if ((inflated = inflate_frame (data + 1, len - 1, error)) == NULL)
    return NULL;
  return wa_binary_decode (g_bytes_get_data (inflated, NULL), g_bytes_get_size (inflated), error);
}
