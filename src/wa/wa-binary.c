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
 * (WA-PROTOCOL.md §4).
 *
 * The decoder reads bytes from the network, so it trusts nothing: every
 * read goes through need(), every size is checked against what is left
 * before anything is allocated, node nesting is limited and string values
 * never recurse. A proper prefix of a valid encoding always fails with
 * WA_ERROR_TRUNCATED; anything else that does not parse fails with
 * WA_ERROR_MALFORMED.
 */

enum {
  TAG_LIST_EMPTY   = 0,
  TAG_DICTIONARY_0 = 236,
  TAG_DICTIONARY_3 = 239,
  TAG_INTEROP_JID  = 245,
  TAG_FB_JID       = 246,
  TAG_AD_JID       = 247,
  TAG_LIST_8       = 248,
  TAG_LIST_16      = 249,
  TAG_JID_PAIR     = 250,
  TAG_HEX_8        = 251,
  TAG_BINARY_8     = 252,
  TAG_BINARY_20    = 253,
  TAG_BINARY_32    = 254,
  TAG_NIBBLE_8     = 255,
};

#define PACKED_MAX 127

/* The smallest node on the wire: LIST_8, size 1, a one-byte token tag. */
#define MIN_NODE_SIZE 3

/* Encoder */

/* A stanza is written a byte at a time; a GByteArray's append per byte
 * cost more than the rest of the encoding. */
#define WRITER_INITIAL_SIZE 4096
/* Past this, a thread's writing buffer is given back after the stanza. */
#define WRITER_KEEP_MAX (64 * 1024)

typedef struct
{
  guint8         *data;
  gsize           len;
  gsize           size;
  const WaTokens *tokens;
  gboolean        too_large;   /* something did not fit its length field */
} Writer;

static void
writer_grow (Writer *w,
             gsize   more)
{
  w->size = MAX (w->size * 2, w->len + more);
  w->data = g_realloc (w->data, w->size);
}

static inline void
write_byte (Writer *w,
            guint8  byte)
{
  if (G_UNLIKELY (w->len == w->size))
    writer_grow (w, 1);
  w->data[w->len++] = byte;
}

static void
write_list_start (Writer *w,
                  gsize   size)
{
  if (size > G_MAXUINT16)
    {
      w->too_large = TRUE;
      return;
    }

  if (size == 0)
    write_byte (w, TAG_LIST_EMPTY);
  else if (size < 256)
    {
      write_byte (w, TAG_LIST_8);
      write_byte (w, size);
    }
  else
    {
      write_byte (w, TAG_LIST_16);
      write_byte (w, size >> 8);
      write_byte (w, size & 0xff);
    }
}

static void
write_binary (Writer       *w,
              const guint8 *data,
              gsize         len)
{
  if (len < 256)
    {
      write_byte (w, TAG_BINARY_8);
      write_byte (w, len);
    }
  else if (len < (1 << 20))
    {
      write_byte (w, TAG_BINARY_20);
      write_byte (w, (len >> 16) & 0x0f);
      write_byte (w, (len >> 8) & 0xff);
      write_byte (w, len & 0xff);
    }
  else if (len <= G_MAXUINT32)
    {
      write_byte (w, TAG_BINARY_32);
      write_byte (w, (len >> 24) & 0xff);
      write_byte (w, (len >> 16) & 0xff);
      write_byte (w, (len >> 8) & 0xff);
      write_byte (w, len & 0xff);
    }
  else
    {
      w->too_large = TRUE;
      return;
    }

  if (w->size - w->len < len)
    writer_grow (w, len);
  if (len > 0)
    memcpy (w->data + w->len, data, len);
  w->len += len;
}

/* Codes of the two packed alphabets; -1 when the character has none. */
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

/* Uppercase only: lowercase hex would not come back the same. */
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
write_packed (Writer     *w,
              guint8      tag,
              const char *s,
              gsize       len,
              int       (*code) (char))
{
  write_byte (w, tag);
  write_byte (w, ((len + 1) / 2) | (len % 2 != 0 ? 0x80 : 0));
  for (gsize i = 0; i < len; i += 2)
    {
      int hi = code (s[i]);
      int lo = i + 1 < len ? code (s[i + 1]) : 15;   /* 15 pads an odd length */

      write_byte (w, (hi << 4) | lo);
    }
}

/* The order is whatsmeow's writeString (WA-PROTOCOL.md §4.5): tokens,
 * then packed forms, then raw bytes. */
static void
write_string (Writer     *w,
              const char *s)
{
  gsize len = strlen (s);
  guint dict;
  guint8 idx;

  switch (wa_tokens_lookup (w->tokens, s, &dict, &idx))
    {
    case WA_TOKEN_SINGLE:
      write_byte (w, idx);
      return;

    case WA_TOKEN_DOUBLE:
      write_byte (w, TAG_DICTIONARY_0 + dict);
      write_byte (w, idx);
      return;

    case WA_TOKEN_NONE:
    default:
      break;
    }

  if (packable (s, len, nibble_code))
    write_packed (w, TAG_NIBBLE_8, s, len, nibble_code);
  else if (packable (s, len, hex_code))
    write_packed (w, TAG_HEX_8, s, len, hex_code);
  else
    write_binary (w, (const guint8 *)s, len);
}

static void
write_uint16 (Writer  *w,
              guint16  value)
{
  write_byte (w, value >> 8);
  write_byte (w, value & 0xff);
}

/* A WaJid's constructors already refused what its server's form cannot
 * carry (see wa-jid.c), so every branch here is exact. */
static void
write_jid (Writer      *w,
           const WaJid *jid)
{
  const char *server = wa_jid_get_server (jid);
  const char *user = wa_jid_get_user (jid);

  if (((g_str_equal (server, WA_SERVER_PN) || g_str_equal (server, WA_SERVER_LID)) &&
       wa_jid_is_ad (jid)) ||
      g_str_equal (server, WA_SERVER_HOSTED) || g_str_equal (server, WA_SERVER_HOSTED_LID))
    {
      write_byte (w, TAG_AD_JID);
      write_byte (w, wa_jid_get_domain (jid));
      write_byte (w, wa_jid_get_device (jid));
      write_string (w, user);
    }
  else if (g_str_equal (server, WA_SERVER_MSGR))
    {
      write_byte (w, TAG_FB_JID);
      write_string (w, user);
      write_uint16 (w, wa_jid_get_device (jid));
      write_string (w, server);
    }
  else if (g_str_equal (server, WA_SERVER_INTEROP))
    {
      write_byte (w, TAG_INTEROP_JID);
      write_string (w, user);
      write_uint16 (w, wa_jid_get_device (jid));
      write_uint16 (w, wa_jid_get_integrator (jid));
      write_string (w, server);
    }
  else
    {
      /* Device 0 travels as a pair ("user@server", no ":0"); the server
       * itself as FA 00 03. */
      write_byte (w, TAG_JID_PAIR);
      if (user[0] == '\0')
        write_byte (w, TAG_LIST_EMPTY);
      else
        write_string (w, user);
      write_string (w, server);
    }
}

static void
write_node (Writer *w,
            WaNode *node)
{
  WaNodeContent content = wa_node_get_content_type (node);
  guint n_attrs = wa_node_get_n_attrs (node);

  write_list_start (w, 1 + 2 * (gsize)n_attrs + (content != WA_NODE_CONTENT_NONE ? 1 : 0));
  write_string (w, wa_node_get_tag (node));

  for (guint i = 0; i < n_attrs; i++)
    {
      WaJid *jid = wa_node_peek_attr_jid (node, i);

      write_string (w, wa_node_get_attr_key (node, i));
      if (jid != NULL)
        write_jid (w, jid);
      else
        write_string (w, wa_node_get_attr_value (node, i));
    }

  switch (content)
    {
    case WA_NODE_CONTENT_BYTES:
      {
        gsize len;
        const guint8 *data = g_bytes_get_data (wa_node_get_content_bytes (node), &len);

        write_binary (w, data, len);
      }
      break;

    case WA_NODE_CONTENT_CHILDREN:
      {
        GPtrArray *children = wa_node_get_children (node);

        write_list_start (w, children->len);
        for (guint i = 0; i < children->len; i++)
          write_node (w, g_ptr_array_index (children, i));
      }
      break;

    case WA_NODE_CONTENT_NONE:
    default:
      break;
    }
}

typedef struct
{
  guint8 *data;
  gsize   size;
} Scratch;

static void
scratch_free (gpointer data)
{
  Scratch *scratch = data;

  g_free (scratch->data);
  g_free (scratch);
}

/* Each thread writes its stanzas in one buffer it keeps, then copies out
 * exactly what was written: growing a fresh buffer stanza after stanza
 * cost more than the encoding, each reallocation past a kilobyte making
 * malloc sort its free lists. */
static GPrivate writer_scratch = G_PRIVATE_INIT (scratch_free);

static GBytes *
encode (WaNode         *node,
        const WaTokens *tokens,
        gboolean        with_flag)
{
  Scratch *scratch = g_private_get (&writer_scratch);
  Writer w = { NULL, 0, 0, tokens, FALSE };
  GBytes *bytes = NULL;

  if (scratch == NULL)
    {
      scratch = g_new0 (Scratch, 1);
      g_private_set (&writer_scratch, scratch);
    }
  if (scratch->data == NULL)
    {
      scratch->data = g_malloc (WRITER_INITIAL_SIZE);
      scratch->size = WRITER_INITIAL_SIZE;
    }
  w.data = scratch->data;
  w.size = scratch->size;

  if (with_flag)
    write_byte (&w, 0x00);
  write_node (&w, node);

  if (w.too_large)
    g_critical ("A node has more than 32767 attributes with content, or content "
                "over 4 GiB: it cannot be encoded");
  else
    bytes = g_bytes_new (w.data, w.len);

  if (w.size > WRITER_KEEP_MAX)
    {
      g_free (w.data);
      w.data = NULL;
      w.size = 0;
    }
  scratch->data = w.data;
  scratch->size = w.size;
  return bytes;
}

/**
 * wa_binary_encode:
 * @node: the stanza
 *
 * Encodes a stanza as WA-PROTOCOL.md §4 says, byte for byte what whatsmeow
 * writes for the same tree (whatsmeow's attribute order being random, ours
 * is the node's). JID-typed attributes become AD_JID, JID_PAIR, FB_JID or
 * INTEROP_JID; text never becomes a JID.
 *
 * Returns: (transfer full) (nullable): the payload, without the frame's
 *   flag byte; %NULL only for a node beyond the format's limits (a
 *   programmer error, reported with g_critical())
 */
GBytes *
wa_binary_encode (WaNode *node)
{
  g_return_val_if_fail (node != NULL, NULL);

  return encode (node, wa_tokens_get (WA_TOKENS_DICT_VERSION), FALSE);
}

/**
 * wa_binary_pack_frame:
 * @node: the stanza
 *
 * Like wa_binary_encode() with the frame's flag byte in front: 0x00, as
 * both reference clients send (they never compress).
 *
 * Returns: (transfer full) (nullable): the frame plaintext to encrypt
 */
GBytes *
wa_binary_pack_frame (WaNode *node)
{
  return wa_binary_pack_frame_with (node, wa_tokens_get (WA_TOKENS_DICT_VERSION));
}

/**
 * wa_binary_pack_frame_with:
 * @node: the stanza
 * @tokens: the dictionary version the peer announced
 *
 * Like wa_binary_pack_frame() in another dictionary version: a server
 * answers each client in the version its connection header names.
 *
 * Returns: (transfer full) (nullable): the frame plaintext to encrypt
 */
GBytes *
wa_binary_pack_frame_with (WaNode         *node,
                           const WaTokens *tokens)
{
  g_return_val_if_fail (node != NULL, NULL);
  g_return_val_if_fail (tokens != NULL, NULL);

  return encode (node, tokens, TRUE);
}

/* Decoder */

typedef struct
{
  const guint8   *data;
  gsize           len;
  gsize           pos;
  guint           depth;
  const WaTokens *tokens;
} Reader;

/* A string read from the input, ended by a NUL: a token borrowed from the
 * dictionary, or a copy, on the stack unless it is long. A stanza holds
 * dozens of strings, which the node copies once more anyway. */
typedef struct
{
  const char *str;                  /* NULL for LIST_EMPTY */
  char       *owned;                /* a copy too long for buf */
  char        buf[2 * PACKED_MAX + 1];
} Text;

static void
text_clear (Text *text)
{
  g_clear_pointer (&text->owned, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Text, text_clear)

static void
text_set_copy (Text       *text,
               const char *data,
               gsize       len)
{
  char *copy = text->buf;

  if (len >= sizeof text->buf)
    copy = text->owned = g_malloc (len + 1);
  memcpy (copy, data, len);
  copy[len] = '\0';
  text->str = copy;
}

static gboolean
need (Reader  *r,
      gsize    n,
      GError **error)
{
  if (r->len - r->pos >= n)
    return TRUE;
  g_set_error (error, WA_ERROR, WA_ERROR_TRUNCATED,
               "Binary node truncated: %" G_GSIZE_FORMAT " bytes needed at offset %"
               G_GSIZE_FORMAT ", %" G_GSIZE_FORMAT " left",
               n, r->pos, r->len - r->pos);
  return FALSE;
}

static gboolean
malformed (Reader      *r,
           GError     **error,
           const char  *what)
{
  g_set_error (error, WA_ERROR, WA_ERROR_MALFORMED,
               "Binary node malformed at offset %" G_GSIZE_FORMAT ": %s", r->pos, what);
  return FALSE;
}

static gboolean
read_uint (Reader  *r,
           guint    n_bytes,
           guint32 *value,
           GError **error)
{
  guint32 v = 0;

  if (!need (r, n_bytes, error))
    return FALSE;
  for (guint i = 0; i < n_bytes; i++)
    v = (v << 8) | r->data[r->pos++];
  *value = v;
  return TRUE;
}

static gboolean
read_byte (Reader  *r,
           guint8  *value,
           GError **error)
{
  if (!need (r, 1, error))
    return FALSE;
  *value = r->data[r->pos++];
  return TRUE;
}

static gboolean
read_binary_length (Reader  *r,
                    guint8   tag,
                    guint32 *len,
                    GError **error)
{
  switch (tag)
    {
    case TAG_BINARY_8:
      return read_uint (r, 1, len, error);

    case TAG_BINARY_20:
      if (!read_uint (r, 3, len, error))
        return FALSE;
      /* The top four bits of the first byte are not part of the length. */
      *len &= 0x0fffff;
      return TRUE;

    case TAG_BINARY_32:
    default:
      return read_uint (r, 4, len, error);
    }
}

static gboolean
read_packed (Reader  *r,
             guint8   tag,
             Text    *text,
             GError **error)
{
  static const char nibble_alphabet[16] = "0123456789-.";
  static const char hex_alphabet[16] = "0123456789ABCDEF";
  const char *alphabet = tag == TAG_NIBBLE_8 ? nibble_alphabet : hex_alphabet;
  guint8 start;
  guint n_bytes;
  gboolean odd;
  gsize n_chars;
  char *out = text->buf;

  if (!read_byte (r, &start, error))
    return FALSE;
  n_bytes = start & 0x7f;
  odd = (start & 0x80) != 0;
  if (n_bytes == 0 && odd)
    return malformed (r, error, "packed string of odd length with no bytes");
  if (!need (r, n_bytes, error))
    return FALSE;

  n_chars = (gsize)n_bytes * 2 - (odd ? 1 : 0);
  /* PACKED_MAX bytes make at most 2 * PACKED_MAX characters. */
  for (gsize i = 0; i < (gsize)n_bytes * 2; i++)
    {
      guint8 byte = r->data[r->pos + i / 2];
      guint8 code = i % 2 == 0 ? byte >> 4 : byte & 0x0f;
      gboolean is_pad = odd && i == n_chars;

      /* In the nibble alphabet 12-14 mean nothing, and 15 is only the
       * padding of an odd length; a NUL would cut the string short. */
      if (tag == TAG_NIBBLE_8 && (code >= 12 && code <= 14))
        return malformed (r, error, "invalid nibble");
      if (tag == TAG_NIBBLE_8 && code == 15 && !is_pad)
        return malformed (r, error, "nibble padding inside a string");
      if (!is_pad)
        out[i] = alphabet[code];
    }
  out[n_chars] = '\0';
  r->pos += n_bytes;
  text->str = out;
  return TRUE;
}

/* A string whose tag byte has been read. A NULL result with no error set
 * is LIST_EMPTY, "no value". */
static gboolean
read_string_with_tag (Reader   *r,
                      guint8    tag,
                      Text     *out,
                      GError  **error)
{
  out->str = NULL;

  switch (tag)
    {
    case TAG_LIST_EMPTY:
      return TRUE;

    case TAG_DICTIONARY_0 ... TAG_DICTIONARY_3:
      {
        guint8 idx;

        if (!read_byte (r, &idx, error))
          return FALSE;
        out->str = wa_tokens_get_double (r->tokens, tag - TAG_DICTIONARY_0, idx);
        return TRUE;
      }

    case TAG_NIBBLE_8:
    case TAG_HEX_8:
      return read_packed (r, tag, out, error);

    case TAG_BINARY_8:
    case TAG_BINARY_20:
    case TAG_BINARY_32:
      {
        guint32 len;
        const guint8 *start;

        if (!read_binary_length (r, tag, &len, error) || !need (r, len, error))
          return FALSE;
        start = r->data + r->pos;
        /* Text is handled as C strings everywhere above this layer. */
        if (memchr (start, '\0', len) != NULL)
          return malformed (r, error, "NUL byte in a string");
        text_set_copy (out, (const char *)start, len);
        r->pos += len;
        return TRUE;
      }

    case TAG_INTEROP_JID:
    case TAG_FB_JID:
    case TAG_AD_JID:
    case TAG_JID_PAIR:
      return malformed (r, error, "JID where a string is expected");

    case TAG_LIST_8:
    case TAG_LIST_16:
      return malformed (r, error, "list where a string is expected");

    default:
      {
        const char *token = wa_tokens_get_single (r->tokens, tag);

        if (token == NULL)
          return malformed (r, error, "unknown tag byte");
        out->str = token;
        return TRUE;
      }
    }
}

static gboolean
read_string (Reader   *r,
             Text     *out,
             GError  **error)
{
  guint8 tag;

  out->str = NULL;
  return read_byte (r, &tag, error) && read_string_with_tag (r, tag, out, error);
}

/* A string that must be present and not empty: a tag or a key. */
static gboolean
read_name (Reader      *r,
           const char  *what,
           Text        *name,
           GError     **error)
{
  if (!read_string (r, name, error))
    return FALSE;
  if (name->str == NULL || name->str[0] == '\0')
    return malformed (r, error, what);
  return TRUE;
}

static WaJid *
read_jid_with_tag (Reader  *r,
                   guint8   tag,
                   GError **error)
{
  g_auto(Text) user = { NULL };
  g_auto(Text) server = { NULL };
  guint32 device = 0;
  guint32 integrator = 0;
  guint8 domain;
  guint8 ad_device;

  switch (tag)
    {
    case TAG_JID_PAIR:
      /* LIST_EMPTY as the user is the server's own JID. */
      if (!read_string (r, &user, error) || !read_string (r, &server, error))
        return NULL;
      if (server.str == NULL || server.str[0] == '\0')
        {
          malformed (r, error, "JID without a server");
          return NULL;
        }
      return wa_jid_new_full (user.str, server.str, 0, 0, 0, error);

    case TAG_AD_JID:
      {
        const char *ad_server = WA_SERVER_PN;
        guint8 agent = 0;

        if (!read_byte (r, &domain, error) || !read_byte (r, &ad_device, error) ||
            !read_string (r, &user, error))
          return NULL;

        switch (domain)
          {
          case WA_JID_DOMAIN_PN:
            break;
          case WA_JID_DOMAIN_LID:
            ad_server = WA_SERVER_LID;
            break;
          case WA_JID_DOMAIN_HOSTED:
            ad_server = WA_SERVER_HOSTED;
            break;
          case WA_JID_DOMAIN_HOSTED_LID:
            ad_server = WA_SERVER_HOSTED_LID;
            break;
          default:
            /* A legacy agent; whatsmeow puts those on s.whatsapp.net too. */
            agent = domain;
            break;
          }
        return wa_jid_new_full (user.str, ad_server, agent, ad_device, 0, error);
      }

    case TAG_FB_JID:
    case TAG_INTEROP_JID:
    default:
      {
        const char *expected = tag == TAG_FB_JID ? WA_SERVER_MSGR : WA_SERVER_INTEROP;

        if (!read_string (r, &user, error) || !read_uint (r, 2, &device, error))
          return NULL;
        if (tag == TAG_INTEROP_JID && !read_uint (r, 2, &integrator, error))
          return NULL;
        if (!read_string (r, &server, error))
          return NULL;
        /* Each form belongs to one server, so the server byte adds nothing
         * but a chance to disagree. */
        if (g_strcmp0 (server.str, expected) != 0)
          {
            malformed (r, error, "device JID on the wrong server");
            return NULL;
          }
        return wa_jid_new_full (user.str, server.str, 0, device, integrator, error);
      }
    }
}

static gboolean
is_jid_tag (guint8 tag)
{
  return tag == TAG_JID_PAIR || tag == TAG_AD_JID || tag == TAG_FB_JID || tag == TAG_INTEROP_JID;
}

/* An attribute value: text or a JID, or neither for LIST_EMPTY. */
static gboolean
read_value (Reader   *r,
            Text     *text,
            WaJid   **jid,
            GError  **error)
{
  guint8 tag;

  text->str = NULL;
  *jid = NULL;
  if (!read_byte (r, &tag, error))
    return FALSE;
  if (is_jid_tag (tag))
    return (*jid = read_jid_with_tag (r, tag, error)) != NULL;
  return read_string_with_tag (r, tag, text, error);
}

static WaNode *read_node (Reader  *r,
                          GError **error);

static gboolean
read_children (Reader  *r,
               WaNode  *node,
               guint8   tag,
               GError **error)
{
  guint32 count = 0;

  if (tag == TAG_LIST_8 && !read_uint (r, 1, &count, error))
    return FALSE;
  if (tag == TAG_LIST_16 && !read_uint (r, 2, &count, error))
    return FALSE;
  if (!need (r, (gsize)count * MIN_NODE_SIZE, error))
    return FALSE;

  /* LIST_EMPTY (and a zero-size list) is an empty child list rather than
   * no content, so that re-encoding gives back the same bytes. */
  wa_node_ensure_children (node);
  for (guint32 i = 0; i < count; i++)
    {
      WaNode *child = read_node (r, error);

      if (child == NULL)
        return FALSE;
      wa_node_add_child (node, child);
    }
  return TRUE;
}

static gboolean
read_content (Reader  *r,
              WaNode  *node,
              GError **error)
{
  guint8 tag;

  if (!read_byte (r, &tag, error))
    return FALSE;

  switch (tag)
    {
    case TAG_LIST_EMPTY:
    case TAG_LIST_8:
    case TAG_LIST_16:
      return read_children (r, node, tag, error);

    case TAG_BINARY_8:
    case TAG_BINARY_20:
    case TAG_BINARY_32:
      {
        guint32 len;

        if (!read_binary_length (r, tag, &len, error) || !need (r, len, error))
          return FALSE;
        wa_node_set_content_data (node, r->data + r->pos, len);
        r->pos += len;
        return TRUE;
      }

    default:
      {
        g_auto(Text) text = { NULL };
        g_autoptr(WaJid) jid = NULL;

        /* Text or a JID as content: rare, and the node model keeps
         * content as bytes, so it becomes the text's bytes. */
        if (is_jid_tag (tag))
          {
            if ((jid = read_jid_with_tag (r, tag, error)) == NULL)
              return FALSE;
            text.str = text.owned = wa_jid_to_string (jid);
          }
        else if (!read_string_with_tag (r, tag, &text, error))
          return FALSE;

        g_assert (text.str != NULL);
        wa_node_set_content_data (node, (const guint8 *)text.str, strlen (text.str));
        return TRUE;
      }
    }
}

static WaNode *
read_node (Reader  *r,
           GError **error)
{
  g_autoptr(WaNode) node = NULL;
  guint8 list_tag;
  guint32 size;

  if (r->depth >= WA_BINARY_MAX_DEPTH)
    {
      malformed (r, error, "nodes nested too deep");
      return NULL;
    }

  if (!read_byte (r, &list_tag, error))
    return NULL;
  if (list_tag == TAG_LIST_8)
    {
      if (!read_uint (r, 1, &size, error))
        return NULL;
    }
  else if (list_tag == TAG_LIST_16)
    {
      if (!read_uint (r, 2, &size, error))
        return NULL;
    }
  else
    {
      malformed (r, error, "a node must start with LIST_8 or LIST_16");
      return NULL;
    }

  if (size == 0)
    {
      malformed (r, error, "a node cannot be an empty list");
      return NULL;
    }
  /* Each item takes at least a byte. */
  if (!need (r, size, error))
    return NULL;

  {
    g_auto(Text) tag_name = { NULL };

    if (!read_name (r, "node without a tag", &tag_name, error))
      return NULL;
    node = wa_node_new (tag_name.str);
  }

  for (guint32 i = 0; i < (size - 1) / 2; i++)
    {
      g_auto(Text) key = { NULL };
      g_auto(Text) text = { NULL };
      g_autoptr(WaJid) jid = NULL;

      if (!read_name (r, "attribute without a key", &key, error) ||
          !read_value (r, &text, &jid, error))
        return NULL;

      /* LIST_EMPTY as a value is whatsmeow's nil: the attribute is absent. */
      if (jid != NULL)
        wa_node_set_attr_jid (node, key.str, jid);
      else if (text.str != NULL)
        wa_node_set_attr (node, key.str, text.str);
    }

  if (size % 2 == 0)
    {
      gboolean ok;

      r->depth++;
      ok = read_content (r, node, error);
      r->depth--;
      if (!ok)
        return NULL;
    }

  return g_steal_pointer (&node);
}

static WaNode *
decode (const guint8    *data,
        gsize            len,
        const WaTokens  *tokens,
        GError         **error)
{
  Reader r = { data, len, 0, 0, tokens };
  g_autoptr(WaNode) node = NULL;

  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if ((node = read_node (&r, error)) == NULL)
    return NULL;
  if (r.pos != len)
    {
      g_set_error (error, WA_ERROR, WA_ERROR_MALFORMED,
                   "Binary node followed by %" G_GSIZE_FORMAT " more bytes", len - r.pos);
      return NULL;
    }
  return g_steal_pointer (&node);
}

/**
 * wa_binary_decode:
 * @data: (array length=len): one node in WABinary, without the flag byte
 * @len: its length
 * @error: return location for a #GError
 *
 * Decodes one node. JIDs come back as JID-typed attributes, text or JID
 * content as byte content, LIST_EMPTY content as an empty child list and
 * a LIST_EMPTY attribute value as no attribute. Strings are not checked to
 * be UTF-8 (they cannot contain NUL).
 *
 * Returns: (transfer full) (nullable): the node, or %NULL with
 *   %WA_ERROR_TRUNCATED when the input ends too soon, %WA_ERROR_MALFORMED
 *   for anything else, bytes left after the node included
 */
WaNode *
wa_binary_decode (const guint8  *data,
                  gsize          len,
                  GError       **error)
{
  return decode (data, len, wa_tokens_get (WA_TOKENS_DICT_VERSION), error);
}

/**
 * wa_binary_inflate:
 * @data: (array length=len): a zlib (RFC 1950) stream
 * @len: its length
 * @max: the most it may inflate to
 * @error: return location for a #GError
 *
 * Inflates @data, which must be exactly one stream. The buffer grows by
 * doubling from a guess, so small data costs little and a zlib bomb
 * stops at @max.
 *
 * Returns: (transfer full) (nullable): the inflated bytes
 */
GByteArray *
wa_binary_inflate (const guint8  *data,
                   gsize          len,
                   gsize          max,
                   GError       **error)
{
  g_autoptr(GByteArray) out = NULL;
  z_stream stream = { 0 };
  gsize used = 0;
  int rc;

  if (len > G_MAXUINT)
    {
      g_set_error_literal (error, WA_ERROR, WA_ERROR_MALFORMED, "Compressed data too large");
      return NULL;
    }

  if (inflateInit (&stream) != Z_OK)
    {
      g_set_error_literal (error, WA_ERROR, WA_ERROR_FAILED, "Could not start zlib");
      return NULL;
    }

  out = g_byte_array_sized_new (MIN (MAX (len * 4, 1024), max));
  g_byte_array_set_size (out, MIN (MAX (len * 4, 1024), max));

  stream.next_in = (Bytef *)data;
  stream.avail_in = len;

  for (;;)
    {
      if (used == out->len)
        {
          /* One byte past the cap tells "exactly at the cap" from "over". */
          gsize grown = MIN ((gsize)out->len * 2, max + 1);

          if (grown == used)
            {
              inflateEnd (&stream);
              g_set_error (error, WA_ERROR, WA_ERROR_MALFORMED,
                           "Compressed data inflates past %" G_GSIZE_FORMAT " bytes", max);
              return NULL;
            }
          g_byte_array_set_size (out, grown);
        }

      stream.next_out = out->data + used;
      stream.avail_out = out->len - used;
      rc = inflate (&stream, Z_NO_FLUSH);
      used = out->len - stream.avail_out;

      if (rc == Z_STREAM_END)
        break;
      if (rc == Z_OK || (rc == Z_BUF_ERROR && stream.avail_out == 0))
        continue;

      inflateEnd (&stream);
      if (rc == Z_BUF_ERROR)
        g_set_error_literal (error, WA_ERROR, WA_ERROR_TRUNCATED, "Compressed data truncated");
      else
        g_set_error_literal (error, WA_ERROR, WA_ERROR_MALFORMED, "Compressed data damaged");
      return NULL;
    }

  inflateEnd (&stream);

  if (used > max)
    {
      g_set_error (error, WA_ERROR, WA_ERROR_MALFORMED,
                   "Compressed data inflates past %" G_GSIZE_FORMAT " bytes", max);
      return NULL;
    }
  if (stream.avail_in != 0)
    {
      g_set_error (error, WA_ERROR, WA_ERROR_MALFORMED,
                   "Compressed data followed by %u more bytes", stream.avail_in);
      return NULL;
    }

  g_byte_array_set_size (out, used);
  return g_steal_pointer (&out);
}

/**
 * wa_binary_unpack_frame:
 * @plaintext: (array length=len): a decrypted frame: a flag byte, then the node
 * @len: its length
 * @error: return location for a #GError
 *
 * Reads the flag byte (WA-PROTOCOL.md §4.1): with bit 0x02 set the rest is
 * a zlib stream, inflated to at most %WA_BINARY_MAX_INFLATED bytes; other
 * bits are ignored. Then decodes exactly one node, as wa_binary_decode().
 *
 * Returns: (transfer full) (nullable): the node
 */
WaNode *
wa_binary_unpack_frame (const guint8  *plaintext,
                        gsize          len,
                        GError       **error)
{
  return wa_binary_unpack_frame_with (plaintext, len, wa_tokens_get (WA_TOKENS_DICT_VERSION), error);
}

/**
 * wa_binary_unpack_frame_with:
 * @plaintext: (array length=len): a decrypted frame
 * @len: its length
 * @tokens: the dictionary version the peer announced
 * @error: return location for a #GError
 *
 * Like wa_binary_unpack_frame() in another dictionary version.
 *
 * Returns: (transfer full) (nullable): the node
 */
WaNode *
wa_binary_unpack_frame_with (const guint8    *plaintext,
                             gsize            len,
                             const WaTokens  *tokens,
                             GError         **error)
{
  g_autoptr(GByteArray) inflated = NULL;

  g_return_val_if_fail (plaintext != NULL || len == 0, NULL);
  g_return_val_if_fail (tokens != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (len == 0)
    {
      g_set_error_literal (error, WA_ERROR, WA_ERROR_TRUNCATED, "Empty frame");
      return NULL;
    }

  if ((plaintext[0] & WA_BINARY_FLAG_COMPRESSED) == 0)
    return decode (plaintext + 1, len - 1, tokens, error);

  if ((inflated = wa_binary_inflate (plaintext + 1, len - 1, WA_BINARY_MAX_INFLATED, error)) == NULL)
    return NULL;
  return decode (inflated->data, inflated->len, tokens, error);
}
